"""The regularization lesson, section 4: dropout made visible. One batch through the comparison's dropout
network, in train mode (the mask, the 1/(1 − p) scaling) and in eval mode (no dropout)."""
from __future__ import annotations

import streamlit as st

import core.format as fmt
from core.data import Dataset
from core.lessons.regularization import charts, story
from core.lessons.regularization.config import CompareConfig
from core.lessons.regularization.dropout import SHOWN_EXAMPLES, SHOWN_UNITS, view_of
from core.lessons.regularization.experiment import NetworkResult
from ui.layout import show_chart
from ui.page import LessonPage


def render(page: LessonPage, config: CompareConfig, result: NetworkResult | None, data: Dataset, seed: int) -> None:
    st.header("4. Dropout, made visible")
    k = page.key
    # the network looked at: the trained one on screen (its own depth and p), else this config's at initialisation
    shown = result.config if result is not None else config
    if st.session_state.get(k("layer"), 1) > shown.depth:
        st.session_state[k("layer")] = shown.depth
    layer = st.selectbox("Hidden layer", list(range(1, shown.depth + 1)), key=k("layer"),
                         format_func=lambda l: f"Hidden layer {l}")
    v = view_of(result, shown.replace(layer=layer), data, seed)
    state = "the trained dropout network of section 3" if v.trained else \
        "the dropout network of section 3 at initialisation (press its Train button to see the trained one)"
    st.markdown(
        f"One batch of {v.batch} training images through {state}, hidden layer {v.layer} ({v.units} units), "
        f"p = {fmt.number(v.p)}. In **train mode** each unit's output h is kept with probability 1 − p and the "
        f"kept ones are multiplied by 1/(1 − p) = {fmt.number(v.scale)}; in **eval mode** (`model.eval()`) dropout "
        f"passes h through untouched. The heatmaps show the first {SHOWN_EXAMPLES} images × first {SHOWN_UNITS} units.")
    frame = v.frame
    top = float(max(frame["h"].max(), frame["train"].max(), frame["eval"].max(), 1e-6))
    bottom = float(min(frame["h"].min(), frame["train"].min(), frame["eval"].min(), 0.0))
    panels = [("h", "h: the layer's output before dropout", "dropout-h"),
              ("kept", "Train mode: the mask (which units survive)", "dropout-mask"),
              ("train", f"Train mode: h · mask × {fmt.number(v.scale)}", "dropout-train"),
              ("eval", "Eval mode: no dropout", "dropout-eval")]
    for row in (panels[:2], panels[2:]):
        for column, (field, title, name) in zip(st.columns(2), row):
            with column:
                chart = charts.mask_chart(frame, field, title, binary=True) if field == "kept" else \
                    charts.mask_chart(frame, field, title, (bottom, top))
                show_chart(chart, frame, name, page.big, key=f"csv-{name}")
    st.latex(r"\tilde h = \frac{m \odot h}{1 - p},\quad m_i \sim \mathrm{Bernoulli}(1 - p)")
    st.latex(r"\mathbb E[\tilde h_i] = h_i, \qquad \text{eval mode: } \tilde h = h")
    for line in story.dropout_lines(v):
        st.markdown(f"- {line}")
    if v.layer > 1 and v.p > 0:
        st.caption(f"In train mode the layers below hidden layer {v.layer} drop units too, so its h differs from "
                   "eval mode's even before its own dropout; in hidden layer 1 the two h are the same.")
