"""Deterministic model construction in a multi-threaded server.

Streamlit serves every session from threads of one process, and torch's global RNG is shared by
all of them. Building a model under this lock, from a freshly seeded RNG that is restored
afterwards, gives identical initial weights for identical seeds whatever else is running.
"""
from __future__ import annotations

import threading
from typing import Callable, TypeVar

import torch

T = TypeVar("T")
_RNG_LOCK = threading.Lock()


def seeded(seed: int, build: Callable[[], T]) -> T:
    """Call `build()` with torch's CPU RNG seeded to `seed`, atomically with respect to other callers."""
    with _RNG_LOCK, torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()
