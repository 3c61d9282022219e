"""Runs experiments through one server-wide cache, so a view shared by a class trains once."""
from __future__ import annotations

from typing import Any, Callable, Hashable

import streamlit as st

from core.cache import RunCache

MAX_ENTRIES = 24  # finished experiments kept in memory for the whole server


@st.cache_resource
def run_cache() -> RunCache:
    return RunCache(max_entries=MAX_ENTRIES)


def cached_result(key: Hashable) -> Any | None:
    """A finished result for this key, if any session has produced it already."""
    return run_cache().peek(key)


def run_cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    """Compute once per key across all sessions; a second session asking meanwhile waits for it."""
    waiting = st.empty()
    try:
        return run_cache().get_or_run(
            key, compute,
            on_wait=lambda: waiting.info("Someone else started this exact run; sharing its result…",
                                         icon=":material/group:"))
    finally:
        waiting.empty()
