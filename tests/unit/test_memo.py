"""core.memo: a chart builder runs once per distinct input, whichever session asks; ui.layout converts
each chart to Vega-Lite once."""
import altair as alt
import numpy as np
import pandas as pd
from hypothesis import given, settings, strategies as st

from core.memo import memo_chart


def counting_builder():
    calls = []

    @memo_chart(maxsize=3)
    def build(df, title, order=None):
        calls.append(title)
        return alt.Chart(df).mark_line().encode(x="a:Q", y="b:Q").properties(title=title)

    return build, calls


def test_the_same_contents_and_arguments_give_the_same_chart_built_once():
    build, calls = counting_builder()
    df = pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 0.25, 0.125]})
    first = build(df, "loss", order=["x", "y"])
    assert build(df, "loss", order=["x", "y"]) is first
    assert build(df.copy(), "loss", order=["x", "y"]) is first  # another session's equal slice
    assert calls == ["loss"]


def test_any_change_of_contents_order_or_arguments_builds_anew():
    build, calls = counting_builder()
    df = pd.DataFrame({"a": [1, 2, 3], "b": [0.5, 0.25, 0.125]})
    first = build(df, "loss")
    changed = df.assign(b=[0.5, 0.25, 0.126])
    assert build(changed, "loss") is not first
    assert build(df.iloc[::-1], "loss") is not first  # row order is part of the contents
    assert build(df, "accuracy") is not first
    assert build(df, "loss", order=("y",)) is not first
    assert build(df.astype({"a": float}), "loss") is not first  # dtype too
    assert len(calls) == 6


def test_unkeyable_arguments_are_built_every_time_and_the_cache_is_bounded():
    build, calls = counting_builder()
    df = pd.DataFrame({"a": [1, 2], "b": [1.0, 2.0]})
    build(df, "t", order={"a": 1})
    build(df, "t", order={"a": 1})
    assert calls == ["t", "t"]
    for i in range(4):
        build(df, f"t{i}")
    build(df, "t0")  # evicted: the cache holds the 3 most recent
    assert calls[-1] == "t0" and len(calls) == 7


def test_arrays_are_keyed_by_their_contents():
    calls = []

    @memo_chart
    def image(values):
        calls.append(1)
        return alt.Chart(pd.DataFrame({"v": values.ravel()})).mark_rect()

    a = np.arange(6.0).reshape(2, 3)
    assert image(a) is image(a.copy()) and image(a.reshape(3, 2)) is not image(a)
    assert len(calls) == 2


def test_a_chart_is_converted_to_vega_lite_once_per_presenter_setting(monkeypatch):
    import ui.layout

    converted = []
    real = ui.layout._convert_altair_to_vega_lite_spec
    monkeypatch.setattr(ui.layout, "_convert_altair_to_vega_lite_spec", lambda c: converted.append(1) or real(c))
    chart = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_point().encode(x="a:Q")
    spec = ui.layout._vega_lite_spec(chart, False)
    assert ui.layout._vega_lite_spec(chart, False) is spec and len(converted) == 1
    big = ui.layout._vega_lite_spec(chart, True)
    assert big is not spec and big["config"]["axis"]["labelFontSize"] == 18 and len(converted) == 2
    assert spec["datasets"] and all(isinstance(v, bytes) for v in spec["datasets"].values())  # Arrow, once


def ask_at_once(call, started, release, sessions: int = 8) -> list:
    """`call()` from `sessions` threads: the first starts and is held (it sets `started`, then waits for
    `release`) while the others ask; returns every thread's result."""
    import threading

    results = [None] * sessions

    def session(i: int) -> None:
        results[i] = call()

    threads = [threading.Thread(target=session, args=(i,)) for i in range(sessions)]
    threads[0].start()
    assert started.wait(10)
    for t in threads[1:]:
        t.start()
    release.set()
    for t in threads:
        t.join(10)
    return results


def test_sessions_asking_for_one_chart_at_once_build_it_once():
    """A class arrives at the charts together (they waited for one training run): the first session
    builds each chart, the others wait for it and get the same object."""
    import threading

    started, release, calls = threading.Event(), threading.Event(), []

    @memo_chart
    def build(df):
        calls.append(1)
        started.set()
        release.wait(10)  # still building while the other sessions ask
        return alt.Chart(df).mark_point()

    df = pd.DataFrame({"a": [1.0, 2.0]})
    results = ask_at_once(lambda: build(df.copy()), started, release)
    assert len(calls) == 1
    assert results[0] is not None and all(r is results[0] for r in results)


def test_sessions_drawing_one_chart_at_once_convert_it_once(monkeypatch):
    import threading

    import ui.layout

    started, release, converted = threading.Event(), threading.Event(), []
    real = ui.layout._convert_altair_to_vega_lite_spec

    def slow(chart):
        converted.append(1)
        started.set()
        release.wait(10)
        return real(chart)

    monkeypatch.setattr(ui.layout, "_convert_altair_to_vega_lite_spec", slow)
    chart = alt.Chart(pd.DataFrame({"a": [1, 2]})).mark_point().encode(x="a:Q")
    results = ask_at_once(lambda: ui.layout._vega_lite_spec(chart, False), started, release)
    assert len(converted) == 1
    assert results[0] is not None and all(r is results[0] for r in results)


def test_a_builder_that_fails_fails_for_its_waiters_and_is_tried_again_later():
    import threading

    attempts, started, release = [], threading.Event(), threading.Event()

    @memo_chart
    def build(df):
        attempts.append(1)
        if len(attempts) == 1:
            started.set()
            release.wait(10)
            raise ValueError("no chart for these data")
        return alt.Chart(df).mark_point()

    df = pd.DataFrame({"a": [1.0]})
    errors = []

    def session() -> None:
        try:
            build(df)
        except ValueError as exc:
            errors.append(exc)

    first = threading.Thread(target=session)
    first.start()
    assert started.wait(10)
    waiter = threading.Thread(target=session)
    waiter.start()
    release.set()
    first.join(10)
    waiter.join(10)
    assert len(errors) >= 1 and len(attempts) <= 2  # the waiter shares the error or, arriving late, tries once
    assert build(df) is build(df)  # not cached as a failure: the next call builds it
    assert len(attempts) in (2, 3)


@given(st.lists(st.integers(0, 3), min_size=2, max_size=10))
@settings(max_examples=25, deadline=None)
def test_any_mix_of_sessions_at_once_builds_each_distinct_chart_once(asked):
    """Sessions started together, each asking for one of a few charts (their data as equal copies):
    whatever the interleaving, each distinct chart is built once and everyone asking for it gets it."""
    import threading
    import time

    calls = []

    @memo_chart(maxsize=4)
    def build(df):
        calls.append(int(df["a"].iloc[0]))
        time.sleep(0.005)  # long enough for the other sessions to ask meanwhile
        return alt.Chart(df).mark_point()

    frames = {k: pd.DataFrame({"a": [k, k + 1]}) for k in set(asked)}
    results = [None] * len(asked)
    go = threading.Barrier(len(asked))

    def session(i: int) -> None:
        go.wait(10)
        results[i] = build(frames[asked[i]].copy())

    threads = [threading.Thread(target=session, args=(i,)) for i in range(len(asked))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert sorted(calls) == sorted(set(asked))
    for i, k in enumerate(asked):
        assert results[i] is results[asked.index(k)]
