"""Parsing helpers for free-text widgets."""
from __future__ import annotations


def parse_sizes(text: str) -> tuple[int, ...]:
    """'50, 50' -> (50, 50). ValueError with a readable message for anything else."""
    parts = [p.strip() for p in text.replace(";", ",").split(",") if p.strip()]
    if not parts:
        raise ValueError("Give at least one hidden layer size, e.g. 50, 50.")
    try:
        sizes = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"Hidden layer sizes must be whole numbers separated by commas (got '{text}').") from None
    return sizes
