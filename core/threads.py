"""Sharing the CPU between training runs that happen at the same time.

A Streamlit server trains every session's runs in threads of one process. Two runs that each use all
cores fight over them, and together they go slower than one run alone (measured in `make bench`,
section concurrency). While several runs train, each gets an equal share of the cores (cores // runs,
at least 1); a run alone gets them all again.

torch's intra-op thread count is per calling thread under OpenMP (`torch.set_num_threads` sets the
calling thread's OpenMP `nthreads-var`), so one run cannot shrink another's: every run calls
`Share.follow()` once per step, which applies the current share to its own thread.
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


class Share:
    """One run's share of the cores; `follow()` applies the current share to the calling thread."""

    def __init__(self) -> None:
        self.threads = 0

    def follow(self) -> int:
        """Set the calling thread's torch threads to the current share (only when it changed); returns it."""
        wanted = threads_per_run(_active)
        if wanted != self.threads:
            torch.set_num_threads(wanted)
            self.threads = wanted
        return wanted


@contextlib.contextmanager
def cpu_share() -> Iterator[Share]:
    """Count this run among the active ones while it trains (the calling thread gets its share at once)."""
    global _active
    with _lock:
        _active += 1
    share = Share()
    share.follow()
    try:
        yield share
    finally:
        with _lock:
            _active -= 1
        torch.set_num_threads(CORES)  # this thread's later work (evaluation, charts) runs alone


def active_runs() -> int:
    """How many runs are training now, in this process."""
    return _active
