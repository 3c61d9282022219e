"""Sharing the CPU between training runs that happen at the same time.

A Streamlit server trains every session's runs in threads of one process, and torch's intra-op thread
pool is process-wide: two runs that each use all cores fight over them, and together they go slower
than one run alone (measured in `make bench`, section concurrency). While several runs train, each
gets an equal share of the cores (torch.set_num_threads(cores // runs), at least 1); a run alone gets
them all again.
"""
from __future__ import annotations

import contextlib
import threading
from typing import Iterator

import torch

CORES = torch.get_num_threads()  # what torch chose at start-up: the machine's physical cores
_lock = threading.Lock()
_active = 0


def threads_per_run(active: int, cores: int = CORES) -> int:
    """Intra-op threads for each of `active` concurrent runs on `cores` cores: an equal share, at least 1."""
    return max(1, cores // max(1, active))


@contextlib.contextmanager
def cpu_share() -> Iterator[int]:
    """Count this run among the active ones while it trains; yields its thread count at the start."""
    global _active
    with _lock:
        _active += 1
        threads = threads_per_run(_active)
        torch.set_num_threads(threads)
    try:
        yield threads
    finally:
        with _lock:
            _active -= 1
            torch.set_num_threads(threads_per_run(_active))


def active_runs() -> int:
    return _active
