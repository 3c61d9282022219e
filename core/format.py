"""The one number formatter of every page: text a student can read, never `None`, `nan`, `9.9999999…`.

- `number(x, unit)`: 3 significant digits, thousands separators, powers of ten written out for very
  large or small magnitudes ("2.4 × 10⁸"); a missing value is "—", an infinite one "∞".
- `percent(x)`: a share in [0, 1] as "91.3%".
- `ratio(x)`: how many times as large: "36×", "1.1×", and below 1 "0.23×"; tiny ones as "1 in 4,300".
- `chance(x)`: a small share said in words: 2e-8 -> "2 in 100 million".
- `points(a, b)`: the difference of two shares in percentage points, of the two as `percent` prints them.
- `seconds(x)`: "0.8 s", "12 s", "2 min 5 s".
- `fixed(values, decimals)`: a column of numbers with the same decimals, for a table.

A value is "missing" when it is None, NaN or not a number at all.
"""
from __future__ import annotations

import math
from typing import Iterable

MISSING = "—"
_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")
_WORDS = ((1e12, "trillion"), (1e9, "billion"), (1e6, "million"))


def _value(x) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def power_of_ten(exponent: int) -> str:
    """10⁻⁵ for -5."""
    return "10" + str(exponent).translate(_SUPERSCRIPT)


def number(x, unit: str = "", digits: int = 3) -> str:
    """`digits` significant digits; scientific as "m × 10ᵉ" outside [1e-3, 1e6); "—" when missing."""
    v = _value(x)
    if v is None:
        return MISSING
    if math.isinf(v):
        text = "∞" if v > 0 else "−∞"
    elif v == 0:
        text = "0"
    else:
        exponent = math.floor(math.log10(abs(v)))
        rounded = float(f"{v:.{digits}g}")
        if math.isinf(rounded):  # near the largest float, rounding up overflows
            rounded = v
        if rounded != 0 and math.floor(math.log10(abs(rounded))) != exponent:  # 9.999 -> 10.0
            exponent += 1
        if -3 <= exponent < 6:
            decimals = max(0, digits - 1 - exponent)
            text = f"{rounded:,.{decimals}f}"
            if "." in text:
                text = text.rstrip("0").rstrip(".")
        else:
            mantissa = f"{rounded / 10 ** exponent:.{digits - 1}f}".rstrip("0").rstrip(".")
            text = power_of_ten(exponent) if mantissa == "1" else f"{mantissa} × {power_of_ten(exponent)}"
            if v < 0 and not text.startswith("-"):
                text = "−" + text
    text = text.replace("-", "−")
    return f"{text} {unit}".rstrip() if unit else text


def percent(x, decimals: int = 1) -> str:
    """0.9134 -> '91.3%'; missing -> '—'."""
    v = _value(x)
    return MISSING if v is None or math.isinf(v) else f"{100 * v:.{decimals}f}%".replace("-", "−")


def points(a, b, signed: bool = False) -> str:
    """a − b for two shares in [0, 1], in percentage points, of the two as `percent` prints them: 0.8976
    against 0.8964 ("89.8%", "89.6%") is '0.2 points' whatever digits lie beyond, so that a reader's own
    subtraction agrees; 2 significant digits; its size, or with its sign ('+0.2 points', '−1 point') when
    `signed`; '—' when either is missing or infinite."""
    va, vb = _value(a), _value(b)
    if va is None or vb is None or math.isinf(va) or math.isinf(vb):
        return MISSING
    d = float(f"{100 * va:.1f}") - float(f"{100 * vb:.1f}")
    text = number(abs(d), digits=2)
    sign = ("+" if d >= 0 else "−") if signed else ""
    return f"{sign}{text} point" + ("" if text == "1" else "s")


def chance(x) -> str:
    """A small share in words: 2e-8 -> '2 in 100 million', 0.05 -> '5 in 100', 0 -> '0'."""
    v = _value(x)
    if v is None:
        return MISSING
    if v <= 0:
        return "0"
    if v >= 0.01:
        return f"{number(100 * v, digits=2)} in 100"
    if v < 1e-15:  # beyond "in a thousand trillion" words stop helping
        return number(v, digits=2)
    exponent = math.floor(math.log10(v))
    count = float(f"{v / 10 ** exponent:.2g}")  # 2.0 for 2e-8
    if count >= 10:
        count, exponent = count / 10, exponent + 1
    per = 10 ** -exponent  # 10**8 for 2e-8
    for size, word in _WORDS:
        if per >= size:
            return f"{number(count, digits=2)} in {per // int(size):,} {word}"
    return f"{number(count, digits=2)} in {per:,}"


def ratio(x) -> str:
    """How many times as large: 36.2 -> '36×', 1.13 -> '1.1×', 0.23 -> '0.23×', 2.3e-4 -> '1 in 4,300'."""
    v = _value(x)
    if v is None:
        return MISSING
    if math.isinf(v):
        return "∞×"
    if v == 0:
        return "0×"
    if 0 < v < 0.01:
        return f"1 in {number(1 / v, digits=2)}"
    return f"{number(v, digits=2)}×"


def seconds(x) -> str:
    """0.84 -> '0.8 s', 9.96 -> '10 s', 12.3 -> '12 s', 125 -> '2 min 5 s'; infinite -> '∞ s'."""
    v = _value(x)
    if v is None:
        return MISSING
    if math.isinf(v):
        return "∞ s" if v > 0 else MISSING
    if round(v, 1) < 10:  # decided on the rounded value: 9.96 is "10 s", not "10.0 s"
        return f"{v:.1f} s".replace("-", "−")
    if round(v) < 60:
        return f"{v:.0f} s"
    minutes, rest = divmod(round(v), 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def fixed(values: Iterable, decimals: int) -> list[str]:
    """One table column with the same number of decimals everywhere; missing values as '—'."""
    out = []
    for x in values:
        v = _value(x)
        if v is None:
            out.append(MISSING)
        elif math.isinf(v):
            out.append("∞" if v > 0 else "−∞")
        else:
            out.append(f"{v:,.{decimals}f}".replace("-", "−"))
    return out
