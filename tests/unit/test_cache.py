import threading
import time

import pytest

from core.cache import RunCache


def run_threads(cache: RunCache, n: int, compute, key="k"):
    """Start n callers of one key; returns (threads, results, waits), waits being on_wait calls."""
    results, waits = [], []
    lock = threading.Lock()

    def call():
        value = cache.get_or_run(key, compute, on_wait=lambda: waits.append(1))
        with lock:
            results.append(value)

    threads = [threading.Thread(target=call) for _ in range(n)]
    for t in threads:
        t.start()
    return threads, results, waits


def wait_until(condition, seconds=5.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.005)


def test_same_key_in_flight_runs_once():
    cache = RunCache(4)
    calls = []
    gate = threading.Event()

    def compute():
        calls.append(1)
        gate.wait(5)
        return "result"

    threads, results, waits = run_threads(cache, 8, compute)
    wait_until(lambda: len(waits) == 7)  # one computes, seven are waiting on it
    gate.set()
    for t in threads:
        t.join(5)
    assert results == ["result"] * 8 and len(calls) == 1 and cache.runs == 1


class Rerun(BaseException):
    """Like Streamlit's RerunException: a BaseException that is not an Exception."""


def test_an_interrupted_run_is_not_passed_on_to_the_sessions_waiting_for_it():
    cache = RunCache(4)
    started, gate = threading.Event(), threading.Event()
    calls = []

    def interrupted():
        calls.append("first")
        started.set()
        gate.wait(5)
        raise Rerun()  # the student who started it moved a slider

    errors = []

    def owner():
        try:
            cache.get_or_run("k", interrupted)
        except Rerun:
            errors.append("rerun")

    first = threading.Thread(target=owner)
    first.start()
    started.wait(5)

    def compute():
        calls.append("again")
        return "result"

    threads, results, waits = run_threads(cache, 3, compute)
    wait_until(lambda: len(waits) == 3)
    gate.set()
    for t in [first, *threads]:
        t.join(5)
    assert errors == ["rerun"]  # only the interrupted caller sees its interruption
    assert results == ["result"] * 3 and calls == ["first", "again"] and cache.peek("k") == "result"


def test_an_error_reaches_every_waiting_session_and_is_not_cached():
    cache = RunCache(4)
    gate = threading.Event()

    def failing():
        gate.wait(5)
        raise ValueError("too big")

    outcomes = []

    def call():
        try:
            cache.get_or_run("k", failing, on_wait=lambda: outcomes.append("waiting"))
        except ValueError as exc:
            outcomes.append(str(exc))

    threads = [threading.Thread(target=call) for _ in range(3)]
    for t in threads:
        t.start()
    wait_until(lambda: outcomes.count("waiting") == 2)
    gate.set()
    for t in threads:
        t.join(5)
    assert outcomes.count("too big") == 3 and cache.peek("k") is None and len(cache) == 0


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
