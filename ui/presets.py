"""One-click presets: a lesson's widgets set to a published configuration, held until they are drawn.

A preset's callback sets the widgets' values in the session; the script run after it draws them. A
click made before that run has drawn a widget (Train, pressed while the page is still computing above
its training box) carries the browser's old value of that widget, and Streamlit lets the browser's
value win: the preset would be half applied. Seen in Chromium on a loaded machine: the He et al.
preset's depth arrived, its learning rate and epochs did not, and the old ones trained. So the preset's
values stay pending, and every run applies them again before it draws a widget (`hold`), until a run
has drawn the last of them (`settled`).
"""
from __future__ import annotations

from typing import Any, Callable, Mapping

import streamlit as st

from ui.page import LessonPage


def _pending(page: LessonPage) -> str:
    return f"_preset.{page.name}"


def choose(page: LessonPage, values: Mapping[str, Any], then: Callable[[], None] | None = None) -> None:
    """A preset button's callback: the widgets named in `values` take those values, pending until drawn;
    `then` runs after (say, train on this rerun)."""
    for name, value in values.items():
        st.session_state[page.key(name)] = value
    st.session_state[_pending(page)] = dict(values)
    if then is not None:
        then()


def hold(page: LessonPage) -> None:
    """At the top of the page, before any widget: apply a preset that no run has finished drawing."""
    for name, value in st.session_state.get(_pending(page), {}).items():
        st.session_state[page.key(name)] = value


def settled(page: LessonPage) -> None:
    """After the page has drawn the last widget a preset sets: the browser holds its values now."""
    st.session_state.pop(_pending(page), None)


def preset_buttons(page: LessonPage, presets: Mapping[str, Any], values: Callable[[Any], Mapping[str, Any]],
                   caption: Callable[[Any], str], then: Callable[[], None] | None = None) -> None:
    """One bordered box per preset (its `label` on a button, `caption(preset)` under it), side by side; a
    click sets the widgets to `values(preset)` (see `choose`)."""
    for column, (name, preset) in zip(st.columns(len(presets)), presets.items()):
        with column, st.container(border=True):
            st.button(preset.label, key=f"preset-{name}", on_click=choose, args=(page, values(preset), then),
                      icon=":material/science:", width="stretch")
            st.caption(caption(preset))
