"""Section 1 of the cost-function page: the step neuron's flat cost beside the sigmoid neuron's, and
what autograd says about each at a chosen point."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from core.format import number
from core.lessons.losses import charts, story, surfaces
from core.lessons.losses.config import BIAS, GATE_CHOICES, GRID, SPAN, SurfaceConfig
from core.lessons.losses.surfaces import DRAWN, NEURONS
from ui.layout import data_table, show_chart
from ui.page import LessonPage


@st.cache_data(max_entries=64, show_spinner=False)
def measured(config: SurfaceConfig):
    """Both cost grids (drawn part and full-grid summaries), the slice at w2 and autograd's verdicts."""
    grid, summaries = surfaces.surface_frames(config)
    return grid, summaries, surfaces.slice_frame(config), surfaces.autograd_verdicts(config)


def verdict_table(verdicts: list[surfaces.Verdict]) -> pd.DataFrame:
    """One row per way of writing the output: the code, its grad_fn, the cost, and autograd's answer."""
    def answer(v: surfaces.Verdict) -> str:
        if v.error:
            return v.error
        return f"∂C/∂w1 = {number(v.gradient[0])}, ∂C/∂w2 = {number(v.gradient[1])}"
    return pd.DataFrame({"output a written as": [v.code for v in verdicts],
                         # PyTorch's None (no backward function) said as what it means
                         "a.grad_fn": ["— (not in the graph)" if v.grad_fn == "None" else v.grad_fn
                                       for v in verdicts],
                         "cost C": [number(v.cost) for v in verdicts],
                         "torch.autograd.grad(C, w)": [answer(v) for v in verdicts]})


def render(page: LessonPage) -> SurfaceConfig | None:
    k, big = page.key, page.big
    st.header("1. Why not just count mistakes?")
    st.markdown(
        "A **threshold (step) neuron** outputs 1 when its pre-activation z = w₁x₁ + w₂x₂ + b is above 0, "
        "and 0 otherwise. Its mean squared error on a gate's four examples counts its mistakes. Gradient "
        "descent needs the **slope** of the cost to know which way to move the weights. Below, the cost of "
        "a step neuron and of a sigmoid neuron over a grid of two weights, with the bias fixed.")
    with st.container(border=True):
        a, b, c, d = st.columns(4)
        a.selectbox("Gate", GATE_CHOICES, key=k("gate"), format_func=str.upper)
        b.slider("Bias b (fixed)", *BIAS, step=0.1, key=k("bias"))
        c.slider("Marked point: w1", -SPAN, SPAN, step=0.05, key=k("w1"))
        d.slider("Marked point: w2", -SPAN, SPAN, step=0.05, key=k("w2"))
    try:
        config = SurfaceConfig(gate=st.session_state[k("gate")], bias=st.session_state[k("bias")],
                               w1=st.session_state[k("w1")], w2=st.session_state[k("w2")])
    except ValueError as exc:
        st.error(str(exc), icon=":material/error:")
        return None
    grid, summaries, cut, verdicts = measured(config)
    point = (config.w1, config.w2)
    columns = st.columns(2)
    for column, neuron in zip(columns, NEURONS):
        with column:
            show_chart(charts.surface_chart(grid, neuron, point, story.surface_subtitle(summaries[neuron])),
                       grid[grid["neuron"] == neuron], f"{neuron}-cost-surface", big)
    left, right = st.columns(2)
    left.latex(r"C(w_1, w_2) = \frac14 \sum_{x} \big(a(z) - y(x)\big)^2")
    left.latex(r"z = w_1 x_1 + w_2 x_2 + b")
    right.latex(r"\text{step: } a = H(z) = [z > 0]")
    right.latex(r"\text{sigmoid: } a = \sigma(z) = \frac{1}{1 + e^{-z}}")
    st.caption(f"The bias is fixed at b = {number(config.bias)}; the weights run over [−{SPAN:g}, {SPAN:g}]. The numbers "
               f"are measured on the full {GRID}×{GRID} grid; the maps draw every "
               f"{(GRID - 1) // (DRAWN - 1)}th point ({DRAWN}×{DRAWN}). The cross marks ({number(config.w1)}, {number(config.w2)}).")
    st.markdown("\n".join(f"- {line}" for line in story.surface_lines(summaries, GRID)))
    show_chart(charts.slice_chart(cut, config.w2, list(NEURONS)), cut, "cost-slice", big)

    st.subheader("What autograd says at the marked point")
    st.markdown(
        "The same cost at the cross, written four ways, and `torch.autograd.grad` asked for its gradient "
        "with respect to w = (w1, w2), just now:")
    data_table(verdict_table(verdicts), hide_index=True, width="stretch")
    st.caption("`torch.heaviside` records a backward function that raises: its derivative is not implemented. "
               "A comparison such as `z > 0` is not differentiable at all, so its result has no grad_fn and "
               "autograd has nothing to follow. Adding 0·z keeps the graph (as the app's Step activation does), "
               "and the gradient is then exactly 0: the truth about a staircase.")
    return config
