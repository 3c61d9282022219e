"""Verdicts on each scheme at initialization, computed from the measurements (the sentences that
explain them are in `story`).

A scheme is called healthy only when all three hold on the probe batch: the first hidden layer gets
between VANISH and EXPLODE times the last hidden layer's back-propagated gradient, fewer than
SATURATED of the units sit in a flat part of tanh/sigmoid, and the activations' spread changes by
less than a factor SPREAD from the first to the last hidden layer. A ratio near 1 alone is not
enough (U[-1, 1] under tanh keeps a ratio of 36 while most of its units are saturated).
"""
from __future__ import annotations

import math

import numpy as np
import pandas as pd

VANISH, EXPLODE = 0.1, 10.0  # bounds on ||dL/ds_1|| / ||dL/ds_L||
SATURATED = 0.3  # mean share of saturated units over the hidden layers (tanh, sigmoid)
SPREAD = 10.0  # std of the last hidden layer's activations vs the first's, either way


def diagnose(gradients: pd.DataFrame, activations: pd.DataFrame, activation: str, depth: int,
             order: list[str]) -> pd.DataFrame:
    """One row per scheme label (in `order`): the measurements behind its verdict, and the verdict."""
    back = gradients[gradients["kind"] == "backprop"].pivot_table(index="label", columns="layer",
                                                                   values="grad_norm", sort=False)
    weight = gradients[gradients["kind"] == "weight"].pivot_table(index="label", columns="layer",
                                                                   values="grad_norm", sort=False)
    rows = []
    for label in order:
        g, a = back.loc[label], activations[activations["label"] == label].set_index("layer")
        first, last = float(g[1]), float(g[depth])
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = first / last if last > 0 else float("nan")
            w_ratio = float(weight.loc[label, 1]) / float(weight.loc[label, depth]) \
                if weight.loc[label, depth] > 0 else float("nan")
        zero = [l for l in range(1, depth + 1) if not g[l] > 0]
        blocked = [l for l in a.index if a.loc[l, "zero slope"] >= 1.0 and zero and l <= max(zero)]
        std_first, std_last = float(a.loc[1, "std"]), float(a.loc[depth, "std"])
        spread = std_last / std_first if std_first > 0 else float("nan")
        saturated = float(a["saturated"].mean())
        problems = []
        if zero:
            problems.append("no gradient")
        elif not math.isfinite(ratio) or ratio > EXPLODE:
            problems.append("exploding")
        elif ratio < VANISH:
            problems.append("vanishing")
        if activation != "relu" and saturated >= SATURATED:
            problems.append("saturated")
        if spread > SPREAD:
            problems.append("spread grows")
        elif not spread >= 1 / SPREAD:  # NaN: no spread at all in layer 1
            problems.append("spread collapses")
        rows.append({"label": label, "ratio": ratio, "weight ratio": w_ratio, "first": first,
                     "growth": ratio ** (1 / (depth - 1)) if ratio > 0 and math.isfinite(ratio) else float("nan"),
                     "zero layers": tuple(zero), "blocked": max(blocked) if blocked else None,
                     "median |s|": float(a.loc[max(blocked), "median |s|"]) if blocked else float("nan"),
                     "saturated": saturated, "std first": std_first, "std last": std_last, "spread": spread,
                     "verdict": ", ".join(problems) or "healthy"})
    return pd.DataFrame(rows).set_index("label")


