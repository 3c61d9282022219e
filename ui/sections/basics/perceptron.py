"""The basics lesson, part 2: Rosenblatt's perceptron on AND, OR, NAND and XOR, every update recorded
once and replayed in the browser (one Vega-Lite parameter drives the whole figure), the table of all four
gates with the floating-point check, then the two-layer sigmoid network that solves XOR."""
from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

import core.format as fmt
from core.charts import presenter
from core.lessons.basics import charts, perceptron, story
from core.lessons.basics.config import PERCEPTRON_EPOCHS, PERCEPTRON_GATES, PERCEPTRON_LR, PerceptronConfig
from core.budget import TooMuchTraining
from ui.animation import play_button
from ui.layout import data_table, show_chart
from ui.outcome import show_refusal
from ui.page import LessonPage
from ui.runner import shared
from ui.sections.basics.parts import read

FIELDS = ("gate", "perceptron_lr", "start")
STARTS = {"zeros": "zero weights", "neuron": "the neuron's w₁, w₂, b from part 1"}


@st.cache_data(max_entries=64, show_spinner=False)
def record(config: PerceptronConfig):
    """The run, its update texts, where floating point decided an update, and the table of every gate."""
    run = perceptron.perceptron(config)
    return (run, story.update_texts(run), perceptron.rounding_effect(run),
            perceptron.gate_table(config.lr, config.initial))


def gate_table_view(table: pd.DataFrame) -> pd.DataFrame:
    def epoch(v) -> str:
        return "never" if v is None or (isinstance(v, float) and np.isnan(v)) else f"{int(v)}"
    return pd.DataFrame({
        "gate": table["gate"],
        "float32, z > 0": [epoch(v) for v in table["float_gt"]],
        "exact, z > 0": [epoch(v) for v in table["exact_gt"]],
        "float32, z ≥ 0": [epoch(v) for v in table["float_ge"]],
        "last epoch's errors": [f"{int(e)} (epoch {int(n)})" for e, n in zip(table["last_errors"], table["epochs_run"])]})


def render(page: LessonPage, w: tuple[float, float, float]
           ) -> tuple[perceptron.PerceptronRun, pd.DataFrame, perceptron.XorNet | None, dict]:
    """Part 2; `w` is the neuron's (w₁, w₂, b) from part 1, a possible starting point."""
    k, big = page.key, page.big
    st.header("2. The perceptron: learning AND, OR and NAND, but not XOR")
    st.markdown(
        "Rosenblatt's **perceptron** (1958) is a neuron with the **step** activation, ŷ = 1 if z > 0 else 0. "
        "It learns from one example at a time: when it is wrong, it moves its weights towards the right "
        "answer, and when it is right, it changes nothing:")
    st.latex(r"w \leftarrow w + \eta\,(y - \hat y)\,x, \qquad b \leftarrow b + \eta\,(y - \hat y)")
    with st.container(border=True):
        a, b, c = st.columns([2, 1, 2])
        a.radio("Gate", PERCEPTRON_GATES, key=k("gate"), horizontal=True, format_func=str.upper)
        b.number_input("Learning rate η", *PERCEPTRON_LR, step=0.05, key=k("perceptron_lr"), format="%.3f")
        c.radio("Start from", list(STARTS), key=k("start"), format_func=STARTS.get, horizontal=True)
    config, values = read(page, FIELDS, lambda gate, perceptron_lr, start: PerceptronConfig(
        gate, perceptron_lr, w if start == "neuron" else (0.0, 0.0, 0.0)))
    run, texts, effect, table = record(config)
    st.markdown(
        f"Predict first: on which gate will the line stop moving, and after how many epochs (passes over the four "
        f"examples, in truth-table order (0, 0), (0, 1), (1, 0), (1, 1))? The rule runs until an epoch without an "
        f"error, or {PERCEPTRON_EPOCHS} epochs. **Drag the slider** under the figure, or press **Play**, to replay "
        "it update by update, in your browser.")
    left, right = st.columns([1, 1])
    with left:
        st.altair_chart(presenter(charts.perceptron_chart(run, texts, big), big), width="content")
        play_button(charts.SCRUB)
        if not big:  # presenter mode leaves the CSV buttons out
            st.download_button("Download every update (CSV)", lambda: run.updates.to_csv(index=False).encode(),
                               file_name=f"perceptron-{config.gate}.csv", mime="text/csv", key="csv-perceptron",
                               type="tertiary", icon=":material/download:")
    with right:
        (st.success if run.converged_at is not None else st.warning)(story.perceptron_verdict(run))
        st.markdown(
            "**The threshold.** This page's step gives 1 only for z > 0, so a point exactly on the line counts "
            "as 0 (Rosenblatt's convention). With z ≥ 0 instead, the epochs change (third column below).")
        st.markdown(f"**First error-free epoch of every gate**, η = {fmt.number(config.lr)}, starting from "
                    f"{STARTS[values['start']]} (first column: this page's rule):")
        data_table(gate_table_view(table), hide_index=True, width="stretch")
        st.caption(story.rounding_note(effect, run))
        if config.initial == (0.0, 0.0, 0.0):
            st.caption("From zero weights every weight is η times a whole number, so in exact arithmetic η only "
                       "rescales w·x + b and never moves the line: the epochs are the same for any η. Only "
                       "rounding can tell two learning rates apart.")

    st.subheader("Two layers solve XOR")
    st.markdown(
        "No single line separates XOR's 1s from its 0s. Two **sigmoid** neurons can each draw a line, and a third "
        "sigmoid neuron can combine them. Because the sigmoid is smooth, all nine weights and biases can be "
        "trained together by gradient descent (`torch.optim.SGD`, learning rate "
        f"{fmt.number(perceptron.XOR_SETTINGS.lr)}, all four examples per step, {perceptron.XOR_SETTINGS.epochs} "
        "steps, binary cross-entropy), something the perceptron rule cannot do for a hidden layer.")
    try:
        net = shared(("basics.xor", page.settings.seed, perceptron.XOR_SETTINGS),
                     lambda: perceptron.train_xor(page.settings.seed))
    except TooMuchTraining as exc:  # never with the real budget (600 steps of a 9-weight network)
        show_refusal(exc)
        return run, table, None, values
    points = charts.gate_points("xor")
    left, right = st.columns(2)
    with left:
        show_chart(charts.xor_plane_chart(net.grid, perceptron.hidden_lines(net), points), net.grid, "xor-output",
                   big, stretch=False)
    with right:
        show_chart(charts.hidden_space_chart(net.rows, perceptron.output_line(net)), net.rows, "xor-hidden",
                   big, stretch=False)
    (st.success if net.solved else st.warning)(story.xor_verdict(net))
    st.caption(story.hidden_note(net))
    return run, table, net, values
