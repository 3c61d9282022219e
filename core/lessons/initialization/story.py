"""The initialization lesson's sentences, computed from the measurements on screen: why a line is
missing or runs off the chart, which schemes are healthy and why not, what saturation looks like,
what the all-equal runs show about symmetry."""
from __future__ import annotations

import pandas as pd
import torch

from core.compare import CompareResult
from core.lessons.initialization.health import EXPLODE, SATURATED, SPREAD, VANISH
from core.lessons.initialization.symmetry import EQUAL, SymmetryResult, equal_run


FLAT = {"tanh": "±1", "sigmoid": "0 or 1"}  # where each squashing activation is flat


SLOPE = {"tanh": "tanh′(s) = 1 − tanh²(s)", "sigmoid": "σ′(s) = σ(s)(1 − σ(s))"}


def _layers(layers: list[int]) -> str:
    """[1, 2, 3] -> 'layers 1–3'; [4] -> 'layer 4'; [1, 3] -> 'layers 1, 3'."""
    if len(layers) == 1:
        return f"layer {layers[0]}"
    if layers == list(range(layers[0], layers[-1] + 1)):
        return f"layers {layers[0]}–{layers[-1]}"
    return "layers " + ", ".join(map(str, layers))


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


def equal_run_sentence(state_dict: dict[str, torch.Tensor], diverged_at: int | None, label: str) -> str:
    """What the page's own all-equal run shows about symmetry, measured."""
    table = equal_run(state_dict)
    hidden, out = table.iloc[:-1], table.iloc[-1]
    if diverged_at or hidden["max |ΔW|"].isna().any():
        return (f"In the training above, **{label}** diverged at step {diverged_at}: its weights are no longer "
                "finite, so they say nothing about symmetry.")
    if (hidden["max |ΔW|"] == 0).all():
        return (f"In the training above, **{label}**'s hidden weights never moved: max |ΔW| = 0 in all "
                f"{len(hidden)} hidden layers (only the output layer changed, by up to {out['max |ΔW|']:.2g}). "
                "No gradient reached them (the blank rows of its heatmap), so its one distinct neuron per layer "
                "only shows that nothing trained. The experiment below starts from weights that do train.")
    moved = hidden[hidden["max |ΔW|"] > 0]
    return (f"In the training above, **{label}**'s hidden weights moved in {len(moved)} of {len(hidden)} layers "
            f"(max |ΔW| up to {moved['max |ΔW|'].max():.2g}), and its hidden layers have "
            f"{', '.join(str(d) for d in hidden['distinct neurons'])} distinct neurons.")


def _gap(value: float) -> str:
    return "0 (identical bit for bit)" if value == 0 else f"{value:.2g}"


def experiment_sentence(sym: SymmetryResult) -> str:
    """The experiment's finding, from its numbers."""
    eq = sym.table[sym.table["initialization"] == EQUAL]
    other = sym.table[sym.table["initialization"] != EQUAL]
    rand = other["initialization"].iloc[0]
    moved = eq[eq["max |ΔW|"] > 0]
    if sym.diverged[EQUAL]:
        return f"The equal-weight network diverged at step {sym.diverged[EQUAL]}, so this run shows nothing."
    text = (f"With equal weights, {len(moved)} of {len(eq)} hidden layers moved (max |ΔW| from "
            f"{eq['max |ΔW|'].min():.2g} to {eq['max |ΔW|'].max():.2g}), yet within each layer the "
            f"{sym.width} neurons differ by at most {_gap(eq['max difference between neurons'].max())}: "
            f"{'/'.join(str(d) for d in eq['distinct neurons'])} distinct neurons per layer, so each layer "
            f"computes what a single unit would. {rand}'s neurons differ by up to "
            f"{other['max difference between neurons'].max():.2g} "
            f"({'/'.join(str(d) for d in other['distinct neurons'])} distinct). Validation accuracy after "
            f"{sym.steps} steps: {sym.accuracy[EQUAL]:.0%} with equal weights, {sym.accuracy[rand]:.0%} with {rand}.")
    return text


def exploded_at_init(result: CompareResult, health: pd.DataFrame) -> list[str]:
    """Markdown, one line per run of `result` that diverged and was already exploding at initialization
    by `health` (from `health.diagnose` on the same settings): links the divergence to the measurement."""
    return [f"**{label}** was already exploding at initialization: its first hidden layer got "
            f"||dL/ds₁|| = {health.loc[label, 'first']:.2g} (see the charts above)."
            for label, run in result.runs.items()
            if run.diverged_at and label in health.index and health.loc[label, "verdict"].startswith("exploding")]


def symmetry_takeaway(sym: SymmetryResult) -> str | None:
    """Equal weights moved yet kept one distinct neuron per layer, if the experiment shows exactly that."""
    eq = sym.table[sym.table["initialization"] == EQUAL]
    if (eq["distinct neurons"] == 1).all() and (eq["max |ΔW|"] > 0).all():
        return (f"Equal weights never break their symmetry: in the experiment every layer moved (max |ΔW| up "
                f"to {eq['max |ΔW|'].max():.2g}) yet kept one distinct neuron; a random start gives every "
                "neuron its own weights, hence its own gradient.")
    return None


def takeaways(health: pd.DataFrame, activations: pd.DataFrame, activation: str,
              sym: SymmetryResult | None) -> list[str]:
    """The page's "what to notice", from the verdicts (`health.diagnose`), the activation statistics at
    initialization and the symmetry experiment (None before training)."""
    lines = [
        "Each scheme's scale is chosen so that a layer keeps the variance of what passes through it: "
        "Xavier balances n_in and n_out for tanh-like activations, He doubles the variance because ReLU "
        "zeroes half of its inputs.",
        healthy_sentence(health, activation),
        problem_sentence(health),
        look_sentence(activations, activation),
        symmetry_takeaway(sym) if sym is not None else None,
    ]
    return [line for line in lines if line]
