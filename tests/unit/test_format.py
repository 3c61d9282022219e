"""core.format: what a student reads. No None, nan or long runs of 9s; units and words where they help."""
import math
import re

import pytest
from hypothesis import given, strategies as st

from core.format import MISSING, chance, fixed, number, percent, ratio, seconds


@pytest.mark.parametrize("value, text", [
    (None, MISSING), (math.nan, MISSING), ("abc", MISSING), (math.inf, "∞"), (0, "0"),
    (2.4999999999, "2.5"), (9.9999999, "10"), (999.95, "1,000"), (0.2345, "0.234"), (1234.5, "1,230"),
    (2.35e8, "2.35 × 10⁸"), (1e-4, "10⁻⁴"), (-3.2e-7, "−3.2 × 10⁻⁷"), (-0.5, "−0.5")])
def test_number(value, text):
    assert number(value) == text


def test_units_ratios_chances_and_durations():
    assert number(0.914, "s") == "0.914 s"
    assert ratio(36.2) == "36×" and ratio(1.13) == "1.1×" and ratio(0.23) == "0.23×" and ratio(2.3e-4) == "1 in 4,300"
    assert chance(2e-8) == "2 in 100 million" and chance(0.05) == "5 in 100" and chance(1e-4) == "1 in 10,000"
    assert percent(0.9134) == "91.3%" and percent(None) == MISSING and percent(math.inf) == MISSING
    assert seconds(0.84) == "0.8 s" and seconds(12.3) == "12 s" and seconds(125) == "2 min 5 s"
    assert seconds(9.96) == "10 s" and seconds(59.7) == "1 min" and seconds(float("inf")) == "∞ s"
    assert fixed([float("inf"), -float("inf")], 1) == ["∞", "−∞"]
    assert fixed([1, 2.5, None, -1 / 3], 2) == ["1.00", "2.50", MISSING, "−0.33"]


finite = st.floats(allow_nan=False, allow_infinity=False, width=64)
anything = st.one_of(st.none(), st.floats(width=64), st.integers(), st.text(max_size=5))


@given(finite)
def test_no_long_digit_runs_and_at_most_three_significant_digits(x):
    text = number(x)
    assert not re.search(r"(\d)\1{5}", text.replace(",", "")), text
    digits = re.sub(r"[^0-9]", "", text.split(" × ")[0]).lstrip("0")
    assert len(digits.rstrip("0")) <= 3, text


@given(anything)
def test_never_says_none_or_nan(x):
    for f in (number, percent, ratio, chance, seconds, lambda v: fixed([v], 2)[0]):
        text = f(x)
        assert "nan" not in text.lower() and "none" not in text.lower() and "inf" not in text.lower() and text


@given(st.floats(-1e300, 1e300))  # (a number printed as 1.80 × 10³⁰⁸ reads back beyond the largest float)
def test_the_app_tests_read_a_number_back_as_the_page_printed_it(x):
    """tests.app.conftest.numbers inverts number() to its three significant digits: app tests compare
    what a page shows with what was computed."""
    from tests.app.conftest import numbers

    back = numbers([number(x)])[0]
    assert back == pytest.approx(x, rel=5e-3, abs=0)


@given(st.floats(0, 1), st.floats(0, 1))
def test_a_difference_agrees_with_the_two_percentages_on_screen(a, b):
    """'89.8%' against '89.6%' is 0.2 points, whatever digits lie beyond the first decimal."""
    from core.format import points

    said = points(a, b, signed=True)
    printed = float(percent(a).rstrip("%")) - float(percent(b).rstrip("%"))
    value = float(said.replace("−", "-").split(" ")[0])
    assert value == pytest.approx(printed, abs=0.051, rel=0.05)  # 2 significant digits
    assert (said[0] == "−") == (printed < -1e-9) and points(a, b) == said[1:]
    assert points(a, None) == MISSING and points(math.inf, b) == MISSING
