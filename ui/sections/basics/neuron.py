"""The basics lesson, part 1: one neuron. Sliders for w₁, w₂ and b, the activation, and a point of the
input plane (typed, or clicked on either plane); z and the output drawn over the plane with the
decision line, the activation with the point on it, the formula with the point's numbers, and why
the sigmoid replaced the step."""
from __future__ import annotations

import altair as alt
import numpy as np
import streamlit as st

import core.format as fmt
from core.activations import get_activation
from core.lessons.basics import charts, neuron
from core.lessons.basics.config import NEURON_ACTIVATIONS, POINT, WEIGHT, NeuronConfig
from ui.layout import data_table, selectable_chart, show_chart
from ui.page import LessonPage
from ui.sections.basics.parts import read

FIELDS = ("w1", "w2", "bias", "activation", "x1", "x2")
NAMES = {name: get_activation(name).label for name in NEURON_ACTIVATIONS}


def pick_from_click(page: LessonPage, chart_key: str) -> None:
    """A click on a plane moves the picked point to that cell's centre."""
    state = st.session_state.get(page.key(chart_key)) or {}
    picked = state.get("selection", {}).get(charts.PICK) or []
    if isinstance(picked, dict):
        picked = [picked]
    if not picked:
        return
    for axis in ("x1", "x2"):
        value = picked[0].get(axis)
        if isinstance(value, (int, float)) and np.isfinite(value):
            st.session_state[page.key(axis)] = round(float(np.clip(value, *POINT)), 2)


def tex(v: float) -> str:
    """A number for st.latex: core.format's text with a real minus sign in math mode."""
    return fmt.number(v).replace("−", "-").replace(",", "{,}")


def render(page: LessonPage) -> tuple[NeuronConfig, dict]:
    k, big = page.key, page.big
    st.header("1. One neuron")
    st.markdown(
        "A neuron multiplies each input by a **weight**, adds them up with a **bias**, and passes the "
        "**weighted sum** z through an **activation** f. With two inputs the neuron can be drawn over the "
        "input plane: z grows in the direction of the weights (w₁, w₂), and the **decision line** "
        "w₁x₁ + w₂x₂ + b = 0 (dashed) splits the plane where z > 0 from where z < 0.")
    with st.container(border=True):
        a, b, c, d = st.columns(4)
        a.slider("Weight w₁", *WEIGHT, step=0.1, key=k("w1"))
        b.slider("Weight w₂", *WEIGHT, step=0.1, key=k("w2"))
        c.slider("Bias b", *WEIGHT, step=0.1, key=k("bias"))
        d.selectbox("Activation f", NEURON_ACTIVATIONS, key=k("activation"), format_func=NAMES.get)
        e, f, g = st.columns([1, 1, 2])
        e.number_input("Point x₁", *POINT, step=0.1, key=k("x1"), format="%.2f")
        f.number_input("Point x₂", *POINT, step=0.1, key=k("x2"), format="%.2f")
        g.caption("Or click either plane to pick a point.")
    config, values = read(page, FIELDS, NeuronConfig)
    grid = neuron.plane(config)
    line = neuron.decision_line(config.w1, config.w2, config.bias)
    at = neuron.worked(config)
    label = NAMES[config.activation]
    point = (config.x1, config.x2)

    left, middle, right = st.columns(3)
    with left:
        chart = charts.neuron_plane_chart(grid, line, point, "z", alt.Title("The weighted sum z", subtitle="dashed: z = 0"))
        selectable_chart(chart, big, k("plane_z"), lambda: pick_from_click(page, "plane_z"), [charts.PICK])
    with middle:
        curve = neuron.activation_curve(config.activation, neuron.z_range(config, grid))
        show_chart(charts.activation_chart(curve, at["z"], at["output"], label), curve, "activation", big)
    with right:
        chart = charts.neuron_plane_chart(grid, line, point, "output",
                                          alt.Title(f"The output {label}(z)", subtitle="the neuron's answer over the plane"),
                                          config.activation)
        selectable_chart(chart, big, k("plane_out"), lambda: pick_from_click(page, "plane_out"), [charts.PICK])
    if not big:  # presenter mode leaves the CSV buttons out
        st.download_button("Download the plane (CSV)", lambda: grid.to_csv(index=False).encode(),
                           file_name="neuron-plane.csv", mime="text/csv", key="csv-neuron-plane", type="tertiary",
                           icon=":material/download:")
    st.markdown(f"At the picked point ({fmt.number(config.x1)}, {fmt.number(config.x2)}):")
    st.latex(rf"\begin{{aligned}} z &= w_1 x_1 + w_2 x_2 + b \\ &= ({tex(config.w1)})({tex(config.x1)}) + "
             rf"({tex(config.w2)})({tex(config.x2)}) + ({tex(config.bias)}) = {tex(at['z'])} \\ "
             rf"\text{{output}} &= \mathrm{{{label}}}({tex(at['z'])}) = {tex(at['output'])} \end{{aligned}}")
    if not len(line):
        st.caption("With w₁ = w₂ = 0 the weighted sum is b everywhere: there is no decision line." if
                   config.w1 == 0 and config.w2 == 0 else "The decision line lies outside the plane drawn.")

    st.subheader("Why the sigmoid replaced the step")
    table = neuron.nudge(config)
    left, right = st.columns([3, 2])
    with left:
        sweep = neuron.weight_sweep(config)
        show_chart(charts.sweep_chart(sweep, config.w1), sweep, "output-against-w1", big)
    with right:
        st.markdown(
            f"Learning means changing weights a little at a time and watching the output. Change w₁ by "
            f"{neuron.NUDGE:g} here and the outputs at the picked point become:")
        shown = table.assign(**{c: fmt.fixed(table[c], 4) for c in ("before", "after", "change")})
        data_table(shown, hide_index=True, width="stretch")
        step = table.set_index("activation").loc["Step", "change"]
        sig = table.set_index("activation").loc["Sigmoid", "change"]
        st.markdown(
            "The step's output " + ("**jumped** by a whole 1" if step != 0 else "**did not move at all**") +
            f"; the sigmoid's moved by {fmt.number(sig)}. "
            "A perceptron's output is either unchanged or flipped, so a small change of a weight tells "
            "nothing about which way to go. The sigmoid neuron changes smoothly with every weight, which is "
            "what gradient descent needs.")
    return config, values
