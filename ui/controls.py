"""The training controls every lesson page shares: learning rate, momentum, epochs and batch size in a
bordered box, and the Train button.

Each setting's range comes from core.training.TRAIN_LIMITS (the ranges the configs check), unless a
lesson passes a tighter one in `limits`, so a value a config accepts is never outside its widget.
Widgets are keyed `<page>.<setting>` (a lesson may map a setting to another key, as the momentum
page's network learning rate `train_lr`), and take their values from the session, seeded by the page.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, Sequence

import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from core.training import TRAIN_LIMITS
from ui.page import LessonPage

SETTINGS = ("lr", "momentum", "epochs", "batch_size")
LABELS = {"lr": "Learning rate", "momentum": "Momentum", "epochs": "Epochs", "batch_size": "Batch size"}
# number_input's format and step per setting (epochs and batch size: whole numbers, step 1)
OPTIONS: dict[str, dict[str, Any]] = {"lr": {"format": "%.4f", "step": 0.005}, "momentum": {"step": 0.1}}


def training_controls(page: LessonPage, fields: Sequence[str] = SETTINGS, limits: Mapping[str, tuple] | None = None,
                      labels: Mapping[str, str] | None = None, button: str = "Train", *,
                      keys: Mapping[str, str] | None = None, options: Mapping[str, Mapping[str, Any]] | None = None,
                      above: Callable[[], None] | None = None,
                      lead: Callable[[DeltaGenerator], None] | None = None) -> bool:
    """Draw the bordered box with one number input per setting in `fields` (in that order, in one row)
    and the button; return whether the button was clicked.

    - `limits`: a lesson's own (low, high) for a setting, tighter than TRAIN_LIMITS;
    - `labels`: a lesson's own label for a setting; `keys`: its widget name, if not the setting's;
    - `options`: more keyword arguments for a setting's number_input (format, step, help);
    - `above`: draws the lesson's other controls inside the box, above the row;
    - `lead`: draws one more widget in the row, in a column before the settings.
    Raises KeyError for a setting that is not one of SETTINGS.
    """
    limits, labels, keys, options = limits or {}, labels or {}, keys or {}, options or {}
    with st.container(border=True):
        if above is not None:
            above()
        columns = st.columns(len(fields) + (lead is not None))
        if lead is not None:
            lead(columns[0])
        for column, name in zip(columns[lead is not None:], fields):
            low, high = limits.get(name, TRAIN_LIMITS[name])
            column.number_input(labels.get(name, LABELS[name]), low, high, key=page.key(keys.get(name, name)),
                                **{**OPTIONS.get(name, {}), **options.get(name, {})})
        return st.button(button, type="primary", icon=":material/play_arrow:")
