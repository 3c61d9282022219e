"""The Train action every lesson shares: run once per key across sessions, live charts, last result.

Controls that start training sit behind a Train button, so nudging a slider never throws away a
run: the result for the current settings is shown if any session has trained them, otherwise the
page's last result stays on screen, labelled, until Train is pressed again.
"""
from __future__ import annotations

from typing import Any, Callable, Hashable

import streamlit as st

from core.budget import TooMuchTraining
from core.charts import accuracy_chart, loss_chart
from core.compare import CompareResult
from core.training import Progress
from ui.layout import show_chart
from ui.live import LiveTraining
from ui.outcome import show_outcomes, show_refusal
from ui.runner import cached_result, run_cached


def train_or_last(page: str, key: Hashable, clicked: bool,
                  compute: Callable[[Callable[[Progress], None]], Any], order: list[str], big: bool,
                  prompt: str, extra: Callable | None = None, autorun: bool = False) -> Any | None:
    """The result for `key` (trained now if `clicked`, with live charts), else the page's last one.
    `extra` draws a lesson's own live view (see LiveTraining). `autorun` trains on a session's first
    visit without a click, for lessons whose default run takes only a few seconds. An experiment over
    the server's training budget is refused with a message that says what to reduce."""
    clicked = clicked or (autorun and f"_last.{page}" not in st.session_state)
    result = cached_result(key)
    refused = False
    if clicked and result is None:
        live = LiveTraining(order, big, what="Training", extra=extra)
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
        show_chart(loss_chart(result.steps, order=order), result.steps, "training-loss", big)
    with right:
        show_chart(accuracy_chart(result.epochs, order=order), result.epochs, "validation-accuracy", big)
    st.dataframe(result.summary(what), hide_index=True, width="stretch",
                 column_config={"val. accuracy": st.column_config.NumberColumn(format="percent"),
                                "seconds": st.column_config.NumberColumn(format="%.2f")})
    show_outcomes(result)
