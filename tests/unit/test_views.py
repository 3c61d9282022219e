"""ui.runner.derived_from: a view of a result is computed once for every session, per result object."""
from dataclasses import dataclass

from ui import runner


@dataclass(frozen=True)
class Result:
    value: int


def counting():
    calls = []
    return calls, lambda: calls.append(1) or len(calls)


def test_a_view_of_one_result_is_computed_once_and_not_for_an_equal_other_result():
    runner.view_cache().clear()
    calls, compute = counting()
    a, b = Result(1), Result(1)  # equal, but two runs: each has its own views
    assert runner.derived_from(a, "maps", compute) == runner.derived_from(a, "maps", compute) == 1
    assert runner.derived_from(b, "maps", compute) == 2
    assert runner.derived_from(a, "kernels", compute) == 3
    assert len(calls) == 3


def test_a_named_owner_is_shared_and_none_is_never_cached():
    runner.view_cache().clear()
    calls, compute = counting()
    assert runner.derived_from(("cnn.untrained", 7), "maps", compute) == 1
    assert runner.derived_from(("cnn.untrained", 7), "maps", compute) == 1
    assert runner.derived_from(("cnn.untrained", 8), "maps", compute) == 2
    assert runner.derived_from(None, "maps", compute) == 3
    assert runner.derived_from(None, "maps", compute) == 4


def test_the_view_cache_keeps_no_reference_to_the_result():
    import gc
    import weakref

    runner.view_cache().clear()
    result = Result(3)
    runner.derived_from(result, "maps", lambda: "view")
    ref = weakref.ref(result)
    del result
    gc.collect()
    assert ref() is None
