"""Reading a section's widgets into its part of the config: a combination the part rejects (a low end
above the high end, say) is said in place, and the section goes on with its last valid values."""
from __future__ import annotations

from typing import Any, Callable, Sequence, TypeVar

import streamlit as st

from core.lessons.basics.config import BasicsConfig
from ui.page import LessonPage

T = TypeVar("T")


def last_valid(page: LessonPage) -> BasicsConfig:
    """The config the page last drew (the link's on a first visit)."""
    return st.session_state[f"_cfg.{page.name}"]


def read(page: LessonPage, names: Sequence[str], build: Callable[..., T]) -> tuple[T, dict[str, Any]]:
    """`build(**widget values)` and the values; on ValueError, an error in place and the last valid ones."""
    values = {name: st.session_state[page.key(name)] for name in names}
    try:
        return build(**values), values
    except ValueError as exc:
        st.error(str(exc), icon=":material/error:")
        values = {name: getattr(last_valid(page), name) for name in names}
        return build(**values), values
