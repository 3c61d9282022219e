"""The regularization lesson, section 5: more data. Validation accuracy against the number of training
images, for the comparison's network without and with one regularizer."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

import core.format as fmt
from core.data import Dataset
from core.lessons.regularization import charts, story
from core.lessons.regularization.config import DATA_REGULARIZERS, DATA_STEPS, REGULARIZERS, CompareConfig, DataConfig
from core.lessons.regularization.experiment import CHECK_IMAGES, DataResult, epochs_for, more_data
from ui.sections.regularization.common import cpu_seconds
from ui.live import LiveTraining
from ui.page import LessonPage
from ui.layout import data_table, show_chart
from ui.outcome import outcome_of, show_outcome
from ui.training import train_or_last

SECTION = "more_data"


def estimate(config: DataConfig, net: CompareConfig, n_max: int) -> float:
    """Rough seconds for both networks at every size on one CPU thread (see common.cpu_seconds)."""
    total = 0.0
    for n in {min(s, n_max) for s in config.sizes}:
        epochs = epochs_for(config.steps, n, net.batch_size)
        steps = epochs * math.ceil(n / min(net.batch_size, n))
        total += cpu_seconds(net.sizes, steps, epochs * (3 * n + CHECK_IMAGES) + 2000 + n)
    return 2 * total


def controls(page: LessonPage) -> bool:
    k = page.key
    with st.container(border=True):
        a, b, c = st.columns([2, 1, 1])
        a.text_input("Numbers of training images (comma-separated)", key=k("data_sizes"),
                     help="At most 8 values from 100 to 8,000 (all the training images).")
        b.selectbox("Regularized network", DATA_REGULARIZERS, key=k("data_regularizer"), format_func=REGULARIZERS.get)
        c.number_input("Steps per network", *DATA_STEPS, key=k("data_steps"), step=50,
                       help="Every network trains for at least this many steps (whole epochs), whatever its data.")
        return st.button("Train the learning curves", type="primary", icon=":material/play_arrow:", key=k("go_data"))


def render(page: LessonPage, config: DataConfig | None, error: str | None, net: CompareConfig | None,
           data: Dataset, seed: int) -> DataResult | None:
    st.header("5. More data")
    st.markdown(
        "The surest cure for overfitting is more data. Below, section 3's network (its width, depth, optimizer "
        "and regularizer strengths) is trained on more and more images, once without regularization and once "
        "with the regularizer you pick, and measured on all the validation images. Each network gets the same "
        "number of steps, so a small set is seen many times and a large one a few times.")
    clicked = controls(page)
    if config is None or net is None:
        st.error(error or "Section 3's settings are not valid, and this section uses its network.",
                 icon=":material/error:")
        return None
    key = ("regularization.more_data", config, net, seed, page.device, data.name, data.source)
    n_max = len(data.y_train)

    def progress(live: LiveTraining):
        return lambda p: live.bar.progress(p.fraction, text=f"Training {p.label}: step {p.step:,}/{p.total_steps:,}"
                                                            f"{live.time_left(p.fraction)}")

    result = train_or_last(
        page.key(SECTION), key, clicked, lambda live: more_data(config, net, data, seed, on_progress=progress(live)),
        [], page.big, f"Press **Train the learning curves**: {2 * len(set(min(s, n_max) for s in config.sizes))} "
        f"networks of {'-'.join(map(str, net.sizes))}, about {fmt.seconds(estimate(config, net, n_max))} of CPU time.")
    if result is None:
        return None
    show(page, result)
    return result


def show(page: LessonPage, result: DataResult) -> None:
    order = [REGULARIZERS["none"], REGULARIZERS[result.config.regularizer]]
    show_chart(charts.data_chart(result.table, order, "Accuracy: training (solid) and validation (dashed) images"),
               result.table, "more-data", page.big)
    t = result.table
    data_table(pd.DataFrame({
        "network": t["run"], "training images": [f"{n:,}" for n in t["images"]], "steps": t["steps"],
        "epochs": t["epochs"], "validation acc.": [fmt.percent(v) for v in t["val_acc"]],
        "training acc.": [fmt.percent(v) for v in t["train_acc"]],
        "gap": [fmt.points(a, b) if math.isfinite(a - b) else fmt.MISSING
                for a, b in zip(t["train_acc"], t["val_acc"])],
        "status": t["status"]}), hide_index=True, width="stretch")
    for (key, n), run in result.runs.items():
        show_outcome(outcome_of(f"{REGULARIZERS[key]} on {n:,} images", run),
                     "its accuracy is left out of the chart." if run.diverged_at else None)
    for line in story.data_takeaways(result):
        st.markdown(f"- {line}")
