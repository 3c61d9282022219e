"""Runs experiments through one server-wide cache, so a view shared by a class trains once.

Behind the memory cache sits core.store's folder of finished results: a result computed by any
process of this code (an earlier server, or ui.warm's warm-up of the default views) is read from
disk instead of being trained again. DLVL_RESULTS=off turns the folder off.
"""
from __future__ import annotations

import logging
import uuid
from typing import Any, Callable, Hashable

import streamlit as st

from core.cache import RunCache
from core.store import MISSING, ResultStore, default_folder

MAX_ENTRIES = 12  # finished experiments kept in memory for the whole server (each a few MB; older ones
# come back from the result folder, core.store, when it is on)

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


@st.cache_resource
def result_store() -> ResultStore | None:
    folder = default_folder()
    return ResultStore(folder) if folder is not None else None


def _logged(key: Hashable, compute: Callable[[], Any]) -> Callable[[], Any]:
    """`compute`, unless the store has the result; logged when it really computes, stored after."""
    def run() -> Any:
        store = result_store()
        if store is not None and (stored := store.load(key)) is not MISSING:
            return stored
        log.info("%s", key[0] if isinstance(key, tuple) and key else key)
        value = compute()
        if store is not None:
            store.save(key, value)
        return value
    return run


def cached_result(key: Hashable) -> Any | None:
    """A finished result for this key, if any session (or process, see core.store) has produced it."""
    value = run_cache().peek(key)
    store = result_store()
    if value is None and store is not None and (stored := store.load(key)) is not MISSING:
        value = run_cache().get_or_run(key, lambda: stored)
    return value


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


@st.cache_resource
def view_cache() -> RunCache:
    return RunCache(max_entries=64)


def derived(key: Hashable, compute: Callable[[], Any]) -> Any:
    """A cheap view computed from a finished result (a layer's worked example), once per key for every
    session; kept apart from the results, so views never push a trained run out of memory, and not stored
    on disk."""
    return view_cache().get_or_run(key, compute)


def derived_from(owner: Any, key: Hashable, compute: Callable[[], Any]) -> Any:
    """derived() for a view of one result object (a trained network's feature maps, their charts):
    computed once per (result, key) for every session. The result is told apart by a token it gets on
    its first view, never by id() (an id is reused once its object is gone); no reference to the result
    is kept, so its views age out of the view cache after it leaves the results. `owner` may instead be
    a tuple that names what the view is computed from (("cnn.untrained", seed): a network rebuilt the
    same from its seed in every session), or None: the view is computed afresh."""
    if owner is None:
        return compute()
    if isinstance(owner, tuple):
        return view_cache().get_or_run(("view", owner, key), compute)
    token = getattr(owner, "_view_token", None)
    if token is None:
        token = uuid.uuid4().hex
        object.__setattr__(owner, "_view_token", token)  # frozen dataclasses too
    return view_cache().get_or_run(("view", token, key), compute)


def shared(key: Hashable, compute: Callable[[], Any]) -> Any:
    """Like run_cached for a quick measurement that draws nothing while it runs (no progress, no notice)."""
    return run_cache().get_or_run(key, _logged(key, compute))
