"""Parsing helpers for free-text widgets: '0, 0.5; 0.9' -> a tuple, or a readable ValueError."""
from __future__ import annotations

from typing import Callable, TypeVar

T = TypeVar("T")


def parse_list(text: str, convert: Callable[[str], T], what: str, kind: str, example: str) -> tuple[T, ...]:
    """Comma- (or semicolon-) separated values. `what` names one value ('hidden layer size'), `kind`
    says what each must be ('a whole number'), `example` shows a valid text."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise ValueError(f"Give at least one {what}, e.g. {example}.")
    try:
        return tuple(convert(p) for p in parts)
    except ValueError:
        raise ValueError(f"Each {what} must be {kind}; separate them with commas, e.g. {example} "
                         f"(got '{text}').") from None


def parse_sizes(text: str) -> tuple[int, ...]:
    """'50, 50' -> (50, 50)."""
    return parse_list(text, int, "hidden layer size", "a whole number", "50, 50")


def parse_momenta(text: str) -> tuple[float, ...]:
    """'0, 0.5, 0.9' -> (0.0, 0.5, 0.9)."""
    return parse_list(text, float, "momentum value β", "a number", "0, 0.5, 0.9")
