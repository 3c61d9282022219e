"""Runs experiments through one server-wide cache, so a view shared by a class trains once."""
from __future__ import annotations

import logging
from typing import Any, Callable, Hashable

import streamlit as st

from core.cache import RunCache

MAX_ENTRIES = 32  # finished experiments kept in memory for the whole server (each a few MB at most)

log = logging.getLogger("dlvl.runs")
if not log.handlers:  # one line per computation actually run: `make bench` counts them
    _handler = logging.StreamHandler()
    _handler.setFormatter(logging.Formatter("%(asctime)s dlvl computing %(message)s"))
    log.addHandler(_handler)
    log.setLevel(logging.INFO)
    log.propagate = False


@st.cache_resource
def run_cache() -> RunCache:
    return RunCache(max_entries=MAX_ENTRIES)


def _logged(key: Hashable, compute: Callable[[], Any]) -> Callable[[], Any]:
    def run() -> Any:
        log.info("%s", key[0] if isinstance(key, tuple) and key else key)
        return compute()
    return run


def cached_result(key: Hashable) -> Any | None:
    """A finished result for this key, if any session has produced it already."""
    return run_cache().peek(key)


def run_cached(key: Hashable, compute: Callable[[], Any]) -> Any:
    """Compute once per key across all sessions; a second session asking meanwhile waits for it."""
    waiting = st.empty()
    try:
        return run_cache().get_or_run(
            key, _logged(key, compute),
            on_wait=lambda: waiting.info("Someone else started this exact run; sharing its result…",
                                         icon=":material/group:"))
    finally:
        waiting.empty()


def shared(key: Hashable, compute: Callable[[], Any]) -> Any:
    """Like run_cached for a quick measurement that draws nothing while it runs (no progress, no notice)."""
    return run_cache().get_or_run(key, _logged(key, compute))
