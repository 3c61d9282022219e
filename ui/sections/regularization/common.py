"""What the regularization page's sections share: the page's view from its widgets (each experiment's
part checked on its own, so a bad entry in one section leaves the others working), one-click presets
that set widgets and may start training, and live charts of training and validation while a run trains."""
from __future__ import annotations

import time
from dataclasses import fields
from typing import Callable

import streamlit as st

from core.charts import presenter
from core.config import Config
from core.lessons.regularization import charts
from core.lessons.regularization.config import PARTS, PREFIX, PRESETS, RegularizationView
from core.lessons.regularization.experiment import tidy_evals
from core.training import Progress
from ui.live import LiveTraining
from ui.page import LessonPage
from ui.widgets import parse_list

SIZES_KEY = "data_sizes"  # a text widget: "100, 250, 500"
# one CPU thread of the 2-core machine, fitted to the comparison's default (784-128-128-10: 7.7 s) and its
# reference network (784-512-512-10: 30 s), 7 runs of 30 epochs each: a fixed cost per optimizer step, and
# multiply-adds per second (forward passes of training, validation and training-set images)
STEP_SECONDS = 0.00044
MACS_PER_SECOND = 3.1e10


def cpu_seconds(sizes: list[int], steps: int, image_passes: float) -> float:
    """Rough seconds on one CPU thread: `steps` optimizer steps and `image_passes` forward passes of one
    image through an MLP of layer `sizes` (a training image counts 3: forward and backward)."""
    macs = sum(a * b for a, b in zip(sizes[:-1], sizes[1:]))
    return steps * STEP_SECONDS + image_passes * macs / MACS_PER_SECOND


def sizes_text(sizes: tuple[int, ...]) -> str:
    return ", ".join(f"{n}" for n in sizes)


def widget_values(view: RegularizationView) -> dict:
    """The widgets' starting values for a view (the sizes as text)."""
    values = {f.name: getattr(view, f.name) for f in fields(RegularizationView)}
    values[SIZES_KEY] = sizes_text(view.data_sizes)
    return values


def _field_value(page: LessonPage, name: str):
    value = st.session_state[page.key(name)]
    if name == SIZES_KEY:
        return parse_list(value, int, "number of training images", "a whole number", "100, 1000, 8000")
    return value


def part_from_widgets(page: LessonPage, part: str) -> tuple[Config | None, str | None]:
    """One experiment's config from the widgets, or (None, the reason) when they do not make one."""
    cls, prefix = PARTS[part], PREFIX[part]
    try:
        return cls(**{f.name: _field_value(page, prefix + f.name) for f in fields(cls)}), None
    except ValueError as exc:
        return None, str(exc)


def preset(page: LessonPage, name: str, train: str | None = None) -> Callable[[], None]:
    """A button callback: set the preset's widgets (see config.PRESETS) and, with `train`, ask that
    section to train on this run (`start_requested`)."""
    def apply() -> None:
        for field, value in PRESETS[name].items():
            st.session_state[page.key(field)] = sizes_text(value) if field == SIZES_KEY else value
        if train:
            st.session_state[page.key(f"_go.{train}")] = True
    return apply


def start_requested(page: LessonPage, section: str) -> bool:
    """Whether a preset asked `section` to train on this run (once)."""
    return bool(st.session_state.pop(page.key(f"_go.{section}"), False))


DRAW_SHARE = 0.2  # at most about this share of a run's time goes into redrawing its live charts


def live_history(live: LiveTraining, order: list[str], big: bool, guess: tuple[float, str] | None,
                 loss_title: str, interval: float = 1.0) -> Callable[[Progress], None]:
    """A progress sink that moves the bar on every report and redraws the training (solid) and validation
    (dashed) loss and accuracy of every run so far, from their validations (the shared live charts draw
    per-step losses and per-epoch accuracy instead). It redraws at most every `interval` s, and waits
    longer when drawing is slow (building two charts of a few thousand points takes a good fraction of a
    second), so that drawing takes at most about DRAW_SHARE of the time, and always at a run's end."""
    histories: dict[str, object] = {}
    drawn = [float("-inf"), interval]  # when the charts were last drawn, the wait before the next

    def report(p: Progress) -> None:
        histories[p.label] = p.evals
        status = f" — diverged at step {p.diverged_at}" if p.diverged_at else ""
        live.bar.progress(p.fraction, text=f"Training {p.label}: step {p.step:,}/{p.total_steps:,}, "
                                           f"epoch {p.epoch}{status}{live.time_left(p.fraction)}")
        over = p.step >= p.total_steps or p.diverged_at is not None
        started = time.monotonic()
        if not over and started - drawn[0] < drawn[1]:
            return
        evals = tidy_evals(histories)
        if len(evals):
            live.loss_slot.altair_chart(presenter(charts.history_chart(
                evals, "loss", order, "Loss so far", guess, loss_title), big), width="stretch")
            live.acc_slot.altair_chart(presenter(charts.history_chart(
                evals, "accuracy", order, "Accuracy so far"), big), width="stretch")
        drawn[0] = time.monotonic()
        drawn[1] = max(interval, (drawn[0] - started) / DRAW_SHARE)
    return report
