"""A bounded, thread-safe LRU cache of experiment results that runs each key once.

The app keeps one of these per server process (ui.runner), so thirty students opening the same
view cost one training run: the first computes, the others wait on the same in-flight entry and
then share its result. Unlike st.cache_data, the computing call may stream live progress to the
page that started it.

An error raised by the computation (an Exception) reaches every caller waiting on it. An
interruption of the computing caller (a BaseException that is not an Exception: Streamlit's
rerun and stop signals, KeyboardInterrupt) belongs to that caller alone: the others wait or
compute afresh, so one student moving a slider never reruns another student's page.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any, Callable, Hashable


class _Slot:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: Any = None
        self.error: Exception | None = None
        self.abandoned = False  # its computing caller was interrupted before a result


class RunCache:
    def __init__(self, max_entries: int = 32):
        self.max_entries = max_entries
        self._lock = threading.Lock()
        self._slots: OrderedDict[Hashable, _Slot] = OrderedDict()
        self.runs = 0  # how many times a computation actually started (hits and waits do not count)

    def __len__(self) -> int:
        return len(self._slots)

    def keys(self) -> list[Hashable]:
        """The keys held now (finished or in flight), oldest first."""
        with self._lock:
            return list(self._slots)

    def peek(self, key: Hashable) -> Any | None:
        """The finished value for `key`, or None (never waits, never computes)."""
        with self._lock:
            slot = self._slots.get(key)
        return slot.value if slot is not None and slot.done.is_set() and slot.error is None \
            and not slot.abandoned else None

    def get_or_run(self, key: Hashable, compute: Callable[[], Any],
                   on_wait: Callable[[], None] | None = None) -> Any:
        """Return the cached value, wait for the same key in flight, or compute it here.

        A computation that fails is not cached: its error goes to every caller waiting on it and
        the next call computes afresh. One that is interrupted sends its waiters round again.
        """
        while True:
            with self._lock:
                slot = self._slots.get(key)
                owner = slot is None
                if owner:
                    slot = self._slots[key] = _Slot()
                    self.runs += 1
                self._slots.move_to_end(key)
            if owner:
                break
            if not slot.done.is_set() and on_wait is not None:
                on_wait()
            slot.done.wait()
            if slot.abandoned:
                continue
            if slot.error is not None:
                raise slot.error
            return slot.value
        try:
            slot.value = compute()
        except Exception as exc:
            slot.error = exc
            self._forget(key, slot)
            raise
        except BaseException:
            slot.abandoned = True
            self._forget(key, slot)
            raise
        finally:
            slot.done.set()
        with self._lock:
            while len(self._slots) > self.max_entries:
                oldest = next(iter(self._slots))
                if not self._slots[oldest].done.is_set():
                    break  # never evict a run still in flight
                del self._slots[oldest]
        return slot.value

    def _forget(self, key: Hashable, slot: _Slot) -> None:
        with self._lock:
            if self._slots.get(key) is slot:
                del self._slots[key]

    def clear(self) -> None:
        with self._lock:
            self._slots.clear()
