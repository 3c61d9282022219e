"""Verdicts on each scheme at initialization, and the page's sentences, computed from the measurements.

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

FLAT = {"tanh": "±1", "sigmoid": "0 or 1"}  # where each squashing activation is flat
SLOPE = {"tanh": "tanh′(s) = 1 − tanh²(s)", "sigmoid": "σ′(s) = σ(s)(1 − σ(s))"}


def _layers(layers: list[int]) -> str:
    """[1, 2, 3] -> 'layers 1–3'; [4] -> 'layer 4'; [1, 3] -> 'layers 1, 3'."""
    if len(layers) == 1:
        return f"layer {layers[0]}"
    if layers == list(range(layers[0], layers[-1] + 1)):
        return f"layers {layers[0]}–{layers[-1]}"
    return "layers " + ", ".join(map(str, layers))


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


def problem_notes(health: pd.DataFrame, activation: str, depth: int) -> list[str]:
    """Markdown: why a scheme's line is missing (exactly zero gradients) or runs off the chart (explosion)."""
    notes = []
    for label, h in health.iterrows():
        if h["zero layers"]:
            where = _layers(list(h["zero layers"]))
            blocked = int(h["blocked"]) if pd.notna(h["blocked"]) else None
            if blocked is not None and activation in SLOPE:
                why = (f"in layer {blocked} every unit has {SLOPE[activation]} = 0 exactly in float32 "
                       f"(median |s| = {h['median |s|']:.3g}: saturated at {FLAT[activation]}), so nothing "
                       "passes back through it to the layers below")
            elif blocked is not None:
                why = (f"in layer {blocked} every unit outputs 0 (ReLU′ = 0 for s ≤ 0: a dead layer), "
                       "so nothing passes back through it to the layers below")
            else:
                why = "the gradient shrank below the smallest float32 number and was rounded to 0"
            notes.append(f"**{label}**: the gradient reaching hidden {where} is exactly 0, so those layers "
                         f"have no point on the log-scale charts (log 0 cannot be drawn). Why: {why}. SGD cannot "
                         "move these layers' weights.")
        elif h["verdict"].startswith("exploding"):
            text = (f"**{label}** explodes towards the input: ||dL/ds₁|| = {h['first']:.2g}, "
                    f"{h['ratio']:.2g}× the last hidden layer's (about ×{h['growth']:.2g} per layer)")
            if h["spread"] > SPREAD:
                text += (f", and the activations' std grows from {h['std first']:.2g} in layer 1 to "
                         f"{h['std last']:.2g} in layer {depth}")
            notes.append(text + ". SGD's steps are proportional to these gradients.")
    return notes


def criteria() -> str:
    return (f"Healthy here means all three at once: the first hidden layer gets between {VANISH:g}× and "
            f"{EXPLODE:g}× the last one's gradient, under {SATURATED:.0%} of units are saturated, and the "
            f"activations' spread changes less than {SPREAD:g}× from the first to the last hidden layer.")


def healthy_sentence(health: pd.DataFrame, activation: str) -> str:
    """Which schemes pass all three checks, with the criteria spelled out."""
    good = health[health["verdict"] == "healthy"]
    criteria_text = criteria()
    if len(good) == 0:
        text = "No selected scheme is healthy at initialization for this network. " + criteria_text
        best = health["ratio"].dropna()
        if activation == "sigmoid" and len(best):
            text += (f" Sigmoid's slope is at most 1/4, so every layer shrinks the gradient unless the weights "
                     f"make up for it: the best ratio here is {best.max():.2g} ({best.idxmax()}).")
        return text
    names = ", ".join(f"**{label}** (ratio {h['ratio']:.2g})" for label, h in good.iterrows())
    return f"Healthy at initialization for this network: {names}. " + criteria_text


def problem_sentence(health: pd.DataFrame) -> str | None:
    """Each failing scheme with its problems and the numbers behind them."""
    bad = health[health["verdict"] != "healthy"]
    if len(bad) == 0:
        return None
    parts = []
    for label, h in bad.iterrows():
        facts = [f"no gradient in {_layers(list(h['zero layers']))}" if h["zero layers"] else f"ratio {h['ratio']:.2g}"]
        if "saturated" in h["verdict"]:
            facts.append(f"{h['saturated']:.0%} of units saturated on average")
        if "spread" in h["verdict"]:
            facts.append(f"activation std {h['std first']:.2g} → {h['std last']:.2g}")
        parts.append(f"**{label}** — {h['verdict']} ({'; '.join(facts)})")
    text = "Not healthy: " + "; ".join(parts) + "."
    near = bad[(bad["ratio"] >= VANISH) & (bad["ratio"] <= EXPLODE)]
    if len(near):
        label, h = next(near.iterrows())
        text += (f" A ratio near 1 is not enough on its own: {label}'s is {h['ratio']:.2g}, yet it is "
                 f"{h['verdict']}.")
    return text


def look_sentence(activations: pd.DataFrame, activation: str) -> str:
    """What saturation and collapse look like for this activation, with the worst case measured here."""
    if activation == "relu":
        text = ("ReLU has no flat top, so it cannot saturate: trouble shows as the spread of the activations "
                "shrinking towards 0 layer by layer (signal fading) or growing without bound.")
        last = activations[activations["layer"] == activations["layer"].max()].set_index("label")["std"]
        lo, hi = last.idxmin(), last.idxmax()
        return text + f" Here the last hidden layer's std ranges from {last[lo]:.2g} ({lo}) to {last[hi]:.2g} ({hi})."
    where = {"tanh": "boxes pressed against −1 and +1, tanh's flat ends",
             "sigmoid": "boxes pressed against 0 or 1, sigmoid's flat ends"}[activation]
    centre = {"tanh": "0", "sigmoid": "0.5 (σ(0))"}[activation]
    text = (f"Saturation shows before any training as {where}; collapse as boxes shrinking to a thin line "
            f"around {centre} layer by layer. Both starve the gradient on its way back.")
    worst = activations.loc[activations["saturated"].idxmax()]
    if worst["saturated"] >= SATURATED:
        text += (f" Here {worst['label']} has {worst['saturated']:.0%} of its units saturated in hidden "
                 f"layer {int(worst['layer'])}.")
    return text
