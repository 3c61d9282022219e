"""The regularization lesson, section 1: Bishop's polynomial curve fitting (PRML §1.1). Instant: closed-form
least squares, redrawn on every widget change."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import core.format as fmt
from core.lessons.regularization import charts, story
from core.lessons.regularization import curve as poly
from core.lessons.regularization.config import DEGREE, LN_LAMBDA, NOISE, POINTS, CurveConfig
from core.lessons.regularization.experiment import TABLE_DEGREES, CurveResult, curve_fit, lambda_name
from ui.layout import data_table, show_chart, verification
from ui.page import LessonPage
from ui.runner import shared

SPREAD_SAMPLES = 200
# Bishop's and the reference numbers: N = 10, σ = 0.3 (training / test E_RMS)
REFERENCE = {0: (0.65, 0.78), 1: (0.43, 0.55), 3: (0.13, 0.36), 9: (0.0, 0.4)}


def controls(page: LessonPage) -> None:
    k = page.key
    with st.container(border=True):
        a, b = st.columns(2)
        a.slider("Degree M of the polynomial", *DEGREE, key=k("degree"))
        b.slider("Training points N", *POINTS, key=k("points"),
                 help="Spaced evenly over [0, 1]; Bishop uses N = 10, 15 and 100.")
        c, d, e = st.columns([1.2, 2, 1])
        c.toggle("Ridge penalty λ/2·‖w‖²", key=k("ridge"))
        d.slider("ln λ", *LN_LAMBDA, step=0.5, key=k("ln_lambda"), disabled=not st.session_state[k("ridge")],
                 help="Bishop's Figure 1.7 uses ln λ = −18 and ln λ = 0.")
        e.number_input("Noise sample", 0, 999, key=k("sample"),
                       help="Which draw of the noise: 0 is this page's reference sample.")


def coefficient_frame(table: pd.DataFrame) -> pd.DataFrame:
    """A coefficients table as text: 4 significant digits, powers of ten written out, blank where a
    polynomial has no such coefficient."""
    return table.apply(lambda col: [("" if pd.isna(v) else fmt.number(v, digits=4)) for v in col]).rename_axis(
        "coefficient").reset_index()


def render(page: LessonPage, config: CurveConfig) -> CurveResult:
    st.header("1. Fitting a curve: too simple, just right, too flexible")
    st.markdown(
        f"The simplest case of generalisation (Bishop, *Pattern Recognition and Machine Learning*, §1.1). "
        f"N points x spaced evenly over [0, 1], with targets t = sin(2πx) plus Gaussian noise (σ = {NOISE}). A "
        "polynomial of degree M is fitted by least squares. The question is how well it predicts new points: "
        f"a **test set** of {poly.TEST_POINTS} more points, made the same way with new noise.")
    controls(page)
    r = curve_fit(config)
    penalty = f", ln λ = {fmt.number(config.ln_lambda)}" if config.ridge else ""
    left, right = st.columns(2)
    train = pd.DataFrame({"x": r.train.x.numpy(), "t": r.train.t.numpy()})
    with left:
        show_chart(charts.curve_chart(r.fitted, train, f"M = {config.degree}, N = {config.points}{penalty}"),
                   r.fitted, "curve-fit", page.big)
    with right:
        show_chart(charts.rms_chart(r.by_degree, "M", "Degree M", config.degree, "Training and test error against M",
                                    "as Bishop's Figure 1.5" + (f"; every fit with ln λ = {config.ln_lambda:g}"
                                                                if config.ridge else "")),
                   r.by_degree, "rms-against-degree", page.big)
    a, b, c = st.columns(3)
    a.metric("Training RMS error", fmt.fixed([r.train_rms], 3)[0])
    b.metric("Test RMS error", fmt.fixed([r.test_rms], 3)[0])
    c.metric("Largest |coefficient|", fmt.number(float(abs(r.weights).max())))
    left, right = st.columns([3, 2])
    with left:
        # one short formula a line: KaTeX does not wrap, and a phone is 390 px wide
        st.latex(r"y(x, \mathbf w) = \sum_{j=0}^{M} w_j x^j")
        st.latex(r"\tilde E(\mathbf w) = \frac12 \sum_{n=1}^{N} \big(y(x_n, \mathbf w) - t_n\big)^2 "
                 r"+ \frac{\lambda}{2}\|\mathbf w\|^2")
        st.latex(r"E_{\mathrm{RMS}} = \sqrt{2E(\mathbf w^\star)/N}")
    with right:
        verification("Without the penalty (λ = 0), w⋆ is the least-squares solution of the Vandermonde system "
                     "(torch.linalg.lstsq in float64); for M + 1 > N it is the interpolating polynomial of least "
                     "norm. With it, the same solver minimises Ẽ exactly. The RMS error, the root of the mean squared error, "
                     "divides by N, so training and test sets of different sizes compare, and it is on the scale "
                     "of t.", page.big)
    for line in story.curve_takeaways(r):
        st.markdown(f"- {line}")
    with st.expander("The coefficients: why the M = 9 curve swings so wildly (Bishop's Tables 1.1 and 1.2)"):
        one, two = st.columns(2)
        with one:
            st.markdown("**w⋆ by degree**" + (f" (ln λ = {config.ln_lambda:g})" if config.ridge else " (λ = 0)"))
            data_table(coefficient_frame(r.degree_table), hide_index=True, width="stretch")
        with two:
            st.markdown(f"**w⋆ at M = {config.degree} by ln λ**")
            data_table(coefficient_frame(r.lambda_table), hide_index=True, width="stretch")
        show_chart(charts.rms_chart(r.by_lambda, "ln_lambda", "ln λ", config.ln_lambda if config.ridge else None,
                                    f"Training and test error against ln λ at M = {config.degree}",
                                    "as Bishop's Figure 1.8"), r.by_lambda, "rms-against-ln-lambda", page.big)
    reference(page, r)
    return r


def reference(page: LessonPage, r: CurveResult) -> None:
    """Bishop's numbers (and the issue's) beside this sample's, and the spread over many samples."""
    with st.expander("Reference numbers: N = 10, σ = 0.3, beside this page's sample"):
        plain, ridge = shared(("regularization.curve-spread", SPREAD_SAMPLES), lambda: (
            poly.sample_errors(10, NOISE, TABLE_DEGREES, SPREAD_SAMPLES),
            poly.sample_errors(10, NOISE, (9,), SPREAD_SAMPLES, -18.0)))
        table, lines = story.reference_rows(plain, ridge, REFERENCE, SPREAD_SAMPLES)
        data_table(table, hide_index=True, width="stretch")
        st.caption(
            "The reference values were measured on one particular draw of 10 noisy points (Bishop's own, in "
            "his Figure 1.5 and Table 1.1, are for his). With only 10 points, the RMS error depends on that draw: the "
            f"columns on the right repeat the fit on {SPREAD_SAMPLES} draws (noise samples 0 to "
            f"{SPREAD_SAMPLES - 1}; sample 0 is this page's). " + " ".join(lines))
