"""Live training display: a progress bar and loss/accuracy charts that grow while runs train."""
from __future__ import annotations

import time
from typing import Callable

import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

import core.format as fmt
from core.charts import accuracy_chart, loss_chart, presenter
from core.training import Progress


def combine(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Stack per-run frames into one tidy frame with a `run` column."""
    parts = [df.assign(run=label) for label, df in frames.items() if len(df)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


class LiveTraining:
    """Callable progress sink for core.training; draws into placeholders made at construction.

    The progress bar moves on every report; the charts are redrawn at most every `interval` seconds
    (and at the end of each run), so drawing never costs more time than the training it shows.
    """

    def __init__(self, order: list[str], big: bool = False, what: str = "Training", interval: float = 0.4,
                 extra: Callable[[dict[str, Progress], DeltaGenerator], None] | None = None,
                 loss_title: str = "Cross-entropy loss", classes: int | None = 10):
        """`extra(latest progress per run, placeholder)` draws a lesson's own live view under the charts.
        `loss_title` and `classes` go to the loss chart (core.charts.loss_chart's y_title and classes:
        classes=None draws no ln C guessing line, for runs whose losses are not all cross-entropy)."""
        self.order, self.big, self.what, self.interval, self.extra = order, big, what, interval, extra
        self.loss_title, self.classes = loss_title, classes
        self.drawn_at = float("-inf")
        self.started = time.monotonic()  # the run starts right after its live view is drawn
        self.latest: dict[str, Progress] = {}
        self.bar = st.progress(0.0, text=f"{what}…")
        left, right = st.columns(2)
        self.loss_slot, self.acc_slot = left.empty(), right.empty()
        self.extra_slot = st.empty()
        self.steps: dict[str, pd.DataFrame] = {}
        self.epochs: dict[str, pd.DataFrame] = {}

    def __call__(self, p: Progress) -> None:
        self.steps[p.label], self.epochs[p.label] = p.steps, p.epochs
        self.latest[p.label] = p
        status = f" — diverged at step {p.diverged_at}" if p.diverged_at else ""
        self.bar.progress(p.fraction, text=f"{self.what} {p.label}: step {p.step:,}/{p.total_steps:,}, "
                                           f"epoch {p.epoch}{status}{self.time_left(p.fraction)}")
        run_over = p.step >= p.total_steps or p.diverged_at is not None
        if not run_over and time.monotonic() - self.drawn_at < self.interval:
            return
        self.drawn_at = time.monotonic()
        steps = combine(self.steps)
        if len(steps):
            chart = loss_chart(steps, order=self.order, y_title=self.loss_title, classes=self.classes)
            self.loss_slot.altair_chart(presenter(chart, self.big), width="stretch")
        epochs = combine(self.epochs)
        if len(epochs):
            self.acc_slot.altair_chart(presenter(accuracy_chart(epochs, order=self.order), self.big),
                                       width="stretch")
        if self.extra is not None:
            self.extra(self.latest, self.extra_slot)

    def time_left(self, fraction: float) -> str:
        """' · about 12 s left' for the whole experiment `fraction` done (see `time_left` below)."""
        return time_left(self.started, fraction)

    def clear(self) -> None:
        for slot in (self.bar, self.loss_slot, self.acc_slot, self.extra_slot):
            slot.empty()


def time_left(started: float, fraction: float) -> str:
    """' · about 12 s left', extrapolated from the time since `started` (time.monotonic()) when `fraction`
    (0–1) of the work is done; nothing until 5% is done and a second has passed."""
    elapsed = time.monotonic() - started
    if fraction < 0.05 or elapsed < 1 or fraction >= 1:
        return ""
    return f" · about {fmt.seconds(elapsed * (1 - fraction) / fraction)} left"
