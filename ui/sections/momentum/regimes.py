"""The momentum lesson's map of regimes: where momentum converges, ripples, overshoots or diverges on a
quadratic, with the runs on screen placed on it and the closed form checked against them; then the
published results beside ours (Goh 2017, the course lab's polynomials and its noise)."""
from __future__ import annotations

import streamlit as st

from core.format import number
from core.lessons.momentum import charts, experiment, regimes, story
from core.lessons.momentum.config import MomentumConfig
from core.lessons.momentum.formulas import surface_for
from ui.layout import show_chart
from ui.page import LessonPage
from ui.reproduced import reproduced


@st.cache_data(max_entries=4, show_spinner=False)
def regime_bands(nesterov: bool):
    return regimes.regime_map(nesterov)


@st.cache_data(max_entries=1, show_spinner=False)
def lab_box():
    return story.lab_reproduction()


@st.cache_data(max_entries=16, show_spinner=False)
def noise_box(sigma: float, seed: int):
    lab = surface_for("lab_quartic")
    gap = experiment.loss_noise_gap(lab, lab.start, lab.lr, 0.9, lab.steps, sigma, seed)
    return story.noise_reproduction(gap, sigma)


def render(page: LessonPage, config: MomentumConfig, placed: list[regimes.RunRegime], order: list[str],
           seed: int) -> None:
    """The map with the runs `placed` on it (regimes.run_regimes), the closed form beside it, the derivation,
    and the reproduced-here boxes; `seed` is the page's (the lab-noise check draws from it)."""
    big = page.big
    st.header("Where momentum converges, ripples, overshoots or diverges")
    st.markdown(
        "Close to a minimum every loss looks like a quadratic bowl, and there momentum's error follows a "
        "two-term recurrence whose roots decide everything. Only two numbers matter: β and η·λ, the learning "
        "rate times the curvature λ of the bowl. The map shows the four regimes; each run on screen is a dot "
        "at the minimum it ended in (or the global minimum), filled at the steepest curvature and, on a "
        "surface, hollow at the flattest.")
    if placed:
        map_left, map_right = st.columns([3, 2])
        with map_left:
            marks = regimes.points_frame(placed)
            show_chart(charts.regime_chart(regime_bands(config.nesterov), marks, order,
                                           "PyTorch's Nesterov" if config.nesterov else "heavy-ball momentum"),
                       marks, "momentum-regimes", big)
            off = marks[marks["off_map"]]
            if len(off):
                st.caption("Off the map, drawn at its edge: " + ", ".join(
                    f"{r.run} at η·λ = {number(r.a_true)}" for r in off.itertuples()) + ".")
        with map_right:
            st.latex(r"z^2 - (1 + \beta - \eta\lambda)\, z + \beta = 0" if not config.nesterov else
                     r"z^2 - (1 + \beta)(1 - \eta\lambda)\, z + \beta(1 - \eta\lambda) = 0")
            st.latex(r"\text{converges} \iff \rho = \max |z| < 1")
            st.latex(r"\iff \eta\lambda < " + (r"\tfrac{2(1 + \beta)}{1 + 2\beta}" if config.nesterov else r"2(1 + \beta)"))
            st.markdown("\n".join(f"- {line}" for line in story.regime_lines(placed, config.nesterov)))
        with st.expander("Derivation: why two numbers decide it"):
            st.markdown(
                "Near a minimum $w^*$, $L(w) \\approx L(w^*) + \\tfrac12 \\lambda (w - w^*)^2$ along each eigenvector "
                "of the Hessian, so $g = \\lambda e$ with $e = w - w^*$. PyTorch's update $v \\leftarrow \\beta v + g$, "
                "$w \\leftarrow w - \\eta v$ then gives $e_{k+1} = (1 + \\beta - \\eta\\lambda)\\, e_k - \\beta\\, e_{k-1}$: "
                "a linear recurrence whose characteristic roots $z$ solve the equation beside the map. Complex roots "
                "have $|z| = \\sqrt\\beta$: the error spirals in (ripples). A real negative root flips the sign of the "
                "error at each step. Both roots inside the unit circle: it converges, by $\\rho = \\max|z|$ per step. "
                "(Goh, “Why Momentum Really Works”, Distill 2017, §“The dynamics of momentum”.)")
    else:
        st.info("This surface has no minimum in view, so there is no curvature to place a run on the map: "
                "w³ falls for ever once past its saddle point.", icon=":material/info:")

    reproduced([story.regime_reproduction(placed, config.noise), lab_box(),
                noise_box(config.noise or 10.0, seed)])
