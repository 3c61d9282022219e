import threading
import time

import pytest

from core.cache import RunCache


def test_same_key_in_flight_runs_once():
    cache = RunCache(4)
    calls = []
    gate = threading.Event()

    def compute():
        calls.append(1)
        gate.wait(5)
        return "result"

    waits = []
    results = []
    threads = [threading.Thread(target=lambda: results.append(
        cache.get_or_run("k", compute, on_wait=lambda: waits.append(1)))) for _ in range(8)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    gate.set()
    for t in threads:
        t.join(5)
    assert results == ["result"] * 8 and len(calls) == 1 and cache.runs == 1 and len(waits) == 7


def test_bounded_lru_eviction():
    cache = RunCache(2)
    for key in "abc":
        cache.get_or_run(key, lambda key=key: key.upper())
    assert len(cache) == 2 and cache.peek("a") is None and cache.peek("c") == "C"


def test_errors_are_not_cached():
    cache = RunCache(2)
    with pytest.raises(RuntimeError):
        cache.get_or_run("k", lambda: (_ for _ in ()).throw(RuntimeError("boom")))
    assert cache.get_or_run("k", lambda: 5) == 5 and cache.runs == 2
