"""The Train action every lesson shares: run once per key across sessions, live charts, last result.

Controls that start training sit behind a Train button, so nudging a slider never throws away a
run: the result for the current settings is shown if any session has trained them, otherwise the
page's last result stays on screen, labelled, until Train is pressed again.
"""
from __future__ import annotations

from typing import Any, Callable, Hashable, Mapping

import pandas as pd
import streamlit as st

import core.format as fmt
from core.budget import TooMuchTraining
from core.charts import accuracy_chart, loss_chart
from core.compare import CompareResult
from core.training import Progress
from ui.layout import run_table, show_chart
from ui.live import LiveTraining
from ui.outcome import show_outcomes, show_refusal
from ui.runner import cached_result, run_cached


def train_or_last(page: str, key: Hashable, clicked: bool,
                  compute: Callable[[Callable[[Progress], None]], Any], order: list[str], big: bool,
                  prompt: str, extra: Callable | None = None, autorun: bool = False,
                  live_options: Mapping[str, Any] | None = None) -> Any | None:
    """The result for `key` (trained now if `clicked`, with live charts), else the page's last one.
    `extra` draws a lesson's own live view and `live_options` are further keyword arguments of the live
    display (see LiveTraining: loss_title, classes). `autorun` trains on a session's first
    visit without a click, for lessons whose default run takes only a few seconds. An experiment over
    the server's training budget is refused with a message that says what to reduce."""
    clicked = clicked or (autorun and f"_last.{page}" not in st.session_state)
    result = cached_result(key)
    refused = False
    if clicked and result is None:
        live = LiveTraining(order, big, what="Training", extra=extra, **(live_options or {}))
        try:
            result = run_cached(key, lambda: compute(live))
        except TooMuchTraining as exc:
            show_refusal(exc)
            refused = True
        finally:
            live.clear()
    if result is not None:
        st.session_state[f"_last.{page}"] = key
        return result
    last = st.session_state.get(f"_last.{page}")
    result = cached_result(last) if last else None
    if result is not None:
        st.caption("Showing the last run; press **Train** to train with the settings above.")
    elif not refused:
        st.info(prompt, icon=":material/play_circle:")
    return result


def show_comparison(result: CompareResult, what: str, big: bool) -> None:
    """Loss and validation-accuracy charts, the summary table, and a callout per run that did not
    simply finish (ui.outcome)."""
    order = list(result.runs)
    left, right = st.columns(2)
    with left:
        if len(result.steps):
            show_chart(loss_chart(result.steps, order=order), result.steps, "training-loss", big)
        else:
            st.info("No training loss to draw: every run's loss was NaN or infinite from its first step.",
                    icon=":material/show_chart:")
    with right:
        if len(result.epochs):
            show_chart(accuracy_chart(result.epochs, order=order), result.epochs, "validation-accuracy", big)
        else:
            st.info("No validation accuracy to draw: no run finished an epoch (see below).",
                    icon=":material/show_chart:")
    run_table(summary_table(result, what))
    show_outcomes(result)


def summary_table(result: CompareResult, what: str) -> pd.DataFrame:
    """The comparison's summary as the page shows it: every number through core.format with the same
    decimals down a column, and "—" where a run never got that far (never None or nan)."""
    table = result.summary(what)
    return table.assign(**{
        "val. accuracy": [fmt.percent(v) for v in table["val. accuracy"]],
        "val. loss": fmt.fixed(table["val. loss"], 4),
        "train loss (last epoch)": fmt.fixed(table["train loss (last epoch)"], 4),
        "seconds": fmt.fixed(table["seconds"], 1)})
