"""The initialization lesson's sentences, computed from the measurements on screen: why a line is
missing or runs off the chart, which schemes are healthy and why not, what saturation looks like,
what the all-equal runs show about symmetry."""
from __future__ import annotations

import math

import pandas as pd
import torch

import core.format as fmt
from core.charts import coinciding
from core.compare import CompareResult
from core.lessons.initialization.health import EXPLODE, SATURATED, SPREAD, VANISH
from core.lessons.initialization.symmetry import EQUAL, SymmetryResult, equal_run
from core.outcome import classify
from core.reproduction import Reproduction


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
                       f"(median |s| = {fmt.number(h['median |s|'])}: saturated at {FLAT[activation]}), so nothing "
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
            growth = f", about {fmt.ratio(h['growth'])} per layer" if math.isfinite(h["growth"]) else ""
            text = (f"**{label}** explodes towards the input: ||dL/ds₁|| = {fmt.number(h['first'])}, "
                    f"{fmt.ratio(h['ratio'])} the last hidden layer's{growth}")
            if h["spread"] > SPREAD:
                text += (f", and the activations' std grows from {fmt.number(h['std first'])} in layer 1 to "
                         f"{fmt.number(h['std last'])} in layer {depth}")
            notes.append(text + ". SGD's steps are proportional to these gradients.")
    return notes


def criteria() -> str:
    return (f"Healthy here means all three at once: the first hidden layer gets between {fmt.ratio(VANISH)} and "
            f"{fmt.ratio(EXPLODE)} the last one's gradient, under {fmt.percent(SATURATED, 0)} of units are "
            f"saturated, and the activations' spread changes less than {fmt.ratio(SPREAD)} from the first to the "
            "last hidden layer.")


def healthy_sentence(health: pd.DataFrame, activation: str) -> str:
    """Which schemes pass all three checks, with the criteria spelled out."""
    good = health[health["verdict"] == "healthy"]
    criteria_text = criteria()
    if len(good) == 0:
        text = "No selected scheme is healthy at initialization for this network. " + criteria_text
        best = health["ratio"].dropna()
        if activation == "sigmoid" and len(best):
            text += (f" Sigmoid's slope is at most 1/4, so every layer shrinks the gradient unless the weights "
                     f"make up for it: the best ratio here is {fmt.ratio(best.max())} ({best.idxmax()}).")
        return text
    names = ", ".join(f"**{label}** (ratio {fmt.ratio(h['ratio'])})" for label, h in good.iterrows())
    return f"Healthy at initialization for this network: {names}. " + criteria_text


def problem_sentence(health: pd.DataFrame) -> str | None:
    """Each failing scheme with its problems and the numbers behind them."""
    bad = health[health["verdict"] != "healthy"]
    if len(bad) == 0:
        return None
    parts = []
    for label, h in bad.iterrows():
        facts = [f"no gradient in {_layers(list(h['zero layers']))}" if h["zero layers"]
                 else f"ratio {fmt.ratio(h['ratio'])}"]
        if "saturated" in h["verdict"]:
            facts.append(f"{fmt.percent(h['saturated'], 0)} of units saturated on average")
        if "spread" in h["verdict"]:
            facts.append(f"activation std {fmt.number(h['std first'])} → {fmt.number(h['std last'])}")
        parts.append(f"**{label}** — {h['verdict']} ({'; '.join(facts)})")
    text = "Not healthy: " + "; ".join(parts) + "."
    near = bad[(bad["ratio"] >= VANISH) & (bad["ratio"] <= EXPLODE)]
    if len(near):
        label, h = next(near.iterrows())
        text += (f" A ratio near 1 is not enough on its own: {label}'s is {fmt.ratio(h['ratio'])}, yet it is "
                 f"{h['verdict']}.")
    return text


def look_sentence(activations: pd.DataFrame, activation: str) -> str:
    """What saturation and collapse look like for this activation, with the worst case measured here."""
    if activation == "relu":
        text = ("ReLU has no flat top, so it cannot saturate: trouble shows as the spread of the activations "
                "shrinking towards 0 layer by layer (signal fading) or growing without bound.")
        last = activations[activations["layer"] == activations["layer"].max()].set_index("label")["std"]
        lo, hi = last.idxmin(), last.idxmax()
        return text + (f" Here the last hidden layer's std ranges from {fmt.number(last[lo])} ({lo}) to "
                       f"{fmt.number(last[hi])} ({hi}).")
    where = {"tanh": "boxes pressed against −1 and +1, tanh's flat ends",
             "sigmoid": "boxes pressed against 0 or 1, sigmoid's flat ends"}[activation]
    centre = {"tanh": "0", "sigmoid": "0.5 (σ(0))"}[activation]
    text = (f"Saturation shows before any training as {where}; collapse as boxes shrinking to a thin line "
            f"around {centre} layer by layer. Both starve the gradient on its way back.")
    worst = activations.loc[activations["saturated"].idxmax()]
    if worst["saturated"] >= SATURATED:
        text += (f" Here {worst['label']} has {fmt.percent(worst['saturated'], 0)} of its units saturated in hidden "
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
                f"{len(hidden)} hidden layers (only the output layer changed, by up to {fmt.number(out['max |ΔW|'])}). "
                "No gradient reached them (the blank rows of its heatmap), so its one distinct neuron per layer "
                "only shows that nothing trained. The experiment below starts from weights that do train.")
    moved = hidden[hidden["max |ΔW|"] > 0]
    return (f"In the training above, **{label}**'s hidden weights moved in {len(moved)} of {len(hidden)} layers "
            f"(max |ΔW| up to {fmt.number(moved['max |ΔW|'].max())}), and its hidden layers have "
            f"{', '.join(str(d) for d in hidden['distinct neurons'])} distinct neurons.")


def _gap(value: float) -> str:
    return "0 (identical bit for bit)" if value == 0 else fmt.number(value)


def experiment_sentence(sym: SymmetryResult) -> str:
    """The experiment's finding, from its numbers."""
    eq = sym.table[sym.table["initialization"] == EQUAL]
    other = sym.table[sym.table["initialization"] != EQUAL]
    rand = other["initialization"].iloc[0]
    moved = eq[eq["max |ΔW|"] > 0]
    if sym.diverged[EQUAL]:
        return f"The equal-weight network diverged at step {sym.diverged[EQUAL]}, so this run shows nothing."
    if sym.diverged[rand]:
        return f"The {rand} network diverged at step {sym.diverged[rand]}, so there is nothing to compare with."
    text = (f"With equal weights, {len(moved)} of {len(eq)} hidden layers moved (max |ΔW| from "
            f"{fmt.number(eq['max |ΔW|'].min())} to {fmt.number(eq['max |ΔW|'].max())}), yet within each layer the "
            f"{sym.width} neurons differ by at most {_gap(eq['max difference between neurons'].max())}: "
            f"{'/'.join(str(d) for d in eq['distinct neurons'])} distinct neurons per layer, so each layer "
            f"computes what a single unit would. {rand}'s neurons differ by up to "
            f"{fmt.number(other['max difference between neurons'].max())} "
            f"({'/'.join(str(d) for d in other['distinct neurons'])} distinct). Validation accuracy after "
            f"{sym.steps} steps: {fmt.percent(sym.accuracy[EQUAL], 0)} with equal weights, "
            f"{fmt.percent(sym.accuracy[rand], 0)} with {rand}.")
    return text


def exploded_at_init(result: CompareResult, health: pd.DataFrame) -> list[str]:
    """Markdown, one line per run of `result` that diverged and was already exploding at initialization
    by `health` (from `health.diagnose` on the same settings): links the divergence to the measurement."""
    return [f"**{label}** was already exploding at initialization: its first hidden layer got "
            f"||dL/ds₁|| = {fmt.number(health.loc[label, 'first'])} (see the charts above)."
            for label, run in result.runs.items()
            if run.diverged_at and label in health.index and health.loc[label, "verdict"].startswith("exploding")]


def symmetry_takeaway(sym: SymmetryResult) -> str | None:
    """Equal weights moved yet kept one distinct neuron per layer, if the experiment shows exactly that."""
    eq = sym.table[sym.table["initialization"] == EQUAL]
    if (eq["distinct neurons"] == 1).all() and (eq["max |ΔW|"] > 0).all():
        return (f"Equal weights never break their symmetry: in the experiment every layer moved (max |ΔW| up "
                f"to {fmt.number(eq['max |ΔW|'].max())}) yet kept one distinct neuron; a random start gives every "
                "neuron its own weights, hence its own gradient.")
    return None


def scale_line(order: list[str]) -> str | None:
    """What the selected variance-keeping schemes are designed to do (only those on screen)."""
    xavier = [label for label in order if label.startswith("Xavier")]
    he = [label for label in order if label.startswith("He ")]
    parts = []
    if xavier:
        parts.append("Xavier balances n_in and n_out so that a tanh-like layer keeps the variance of what passes "
                     "through it, forwards and backwards")
    if he:
        parts.append("He doubles that variance, 2 / n_in, because ReLU zeroes half of its inputs")
    return ("; ".join(parts) + ".") if parts else None


def training_line(result: CompareResult | None) -> str | None:
    """Which schemes' networks learned in the run on screen, and which diverged or did not train."""
    if result is None:
        return None
    verdicts = {label: classify(run) for label, run in result.runs.items()}
    learned = [f"**{label}** ({fmt.percent(result.runs[label].final_val_acc)})"
               for label, v in verdicts.items() if not v.failed]
    failed = [f"**{label}** {v.headline}" for label, v in verdicts.items() if v.failed]
    if not learned:
        return "In the training above no network learned: " + "; ".join(failed) + "."
    text = "In the training above these learned (validation accuracy): " + ", ".join(learned)
    return text + ("; " + "; ".join(failed) if failed else "") + "."


def takeaways(health: pd.DataFrame, activation: str, order: list[str], sym: SymmetryResult | None,
              result: CompareResult | None) -> list[str]:
    """The page's "what to notice", from the verdicts at initialization (`health.diagnose`), the training
    run on screen (None before training; each run's outcome from core.outcome) and the symmetry
    experiment (None before training). Only the schemes in `order` are discussed."""
    lines = [
        scale_line(order),
        healthy_sentence(health, activation),
        problem_sentence(health),
        training_line(result),
        symmetry_takeaway(sym) if sym is not None else None,
    ]
    return [line for line in lines if line]


# ---------------------------------------------------------------- charts' companions

CHART_NAMES = {"backprop": "back-propagated gradient", "weight": "weight gradient"}


def _names(group: list[str]) -> str:
    return ", ".join(group[:-1]) + f" and {group[-1]}"


def overlap_note(frame: pd.DataFrame, y: str, what: str, log: bool, x: str = "layer") -> str | None:
    """A caption for a chart whose lines lie on top of each other (core.charts.coinciding): which ones,
    so a hidden line is not taken for a missing one. `what` names the chart ("spread")."""
    groups = coinciding(frame, x, y, "label", log=log)
    if not groups:
        return None
    return ("On the " + what + " chart the lines of " + "; of ".join(_names(g) for g in groups)
            + " lie on top of each other.")


ACTIVATION_NAMES = {"sigmoid": "sigmoid", "tanh": "tanh", "relu": "ReLU"}


def heat_caption(gaps: pd.DataFrame, result: CompareResult | None = None) -> str:
    """What the heatmap's blank cells mean, from `experiment.heat_gaps` (run, zero, nonfinite, cells),
    and which panels stop early because their run diverged (`result`)."""
    parts = []
    for label, run in (result.runs.items() if result is not None else []):
        if run.diverged_at:
            parts.append(f"{label} diverged at step {run.diverged_at:,}: its panel stops there")
    for row in gaps.itertuples():
        bits = []
        if row.zero:
            bits.append(f"{row.zero:,} cells where exactly zero gradient reached the layer")
        if row.nonfinite:
            bits.append(f"{row.nonfinite:,} cells where the gradient was not a finite number (it overflowed)")
        if bits:
            parts.append(f"{row.run}: blank at " + " and ".join(bits))
    if not parts:
        return "Every cell holds a finite, non-zero gradient norm; the colour scale is shared by the panels."
    return "; ".join(parts) + ". The colour scale is shared by the panels."


def predict_prompt(order: list[str], depth: int, activation: str) -> str:
    """The "predict before you press Train" question for the schemes and network in the controls."""
    return (f"**Predict before you press Train:** which of {_names(order) if len(order) > 1 else order[0]} will "
            f"train this {depth}-layer {ACTIVATION_NAMES[activation]} network, and which will stay at chance (10%) "
            "or blow up? "
            "Use the measurements above: the gradient each layer receives, the verdicts.")


# ---------------------------------------------------------------- reproduced here

GLOROT_URL = "https://proceedings.mlr.press/v9/glorot10a.html"
HE_URL = "https://arxiv.org/abs/1502.01852"


def _fraction(v: float) -> str:
    return f"{fmt.chance(v)} of" if v < 0.01 else fmt.ratio(v)


def glorot_reproduction(gradients: pd.DataFrame, depth: int, width: int) -> Reproduction:
    """Glorot & Bengio 2010, §4.2.2 and Figure 7, measured at initialization on a tanh network with
    PyTorch's default (the paper's "standard" U[−1/√n, 1/√n]) and Xavier uniform ("normalized") weights
    (`gradients` from experiment.at_init). Reproduced when the default keeps under 0.7× of the gradient
    per layer and Xavier 0.75–1.3×."""
    from core.lessons.initialization.experiment import per_layer

    default, xavier = "PyTorch default", "Xavier uniform"
    per = {label: per_layer(gradients, label, depth) for label in (default, xavier)}
    first = {label: per_layer(gradients, label, depth, total=True) for label in (default, xavier)}
    measured = (f"A tanh MLP, 784 → {width} × {depth} → 10, on 256 MNIST images before any training: per layer "
                f"towards the input the back-propagated gradient keeps {fmt.ratio(per[default])} with PyTorch's "
                f"default (layer 1 gets {_fraction(first[default])} layer {depth}'s) and {fmt.ratio(per[xavier])} "
                f"with Xavier (layer 1 gets {_fraction(first[xavier])} layer {depth}'s).")
    reproduces = bool(per[default] < 0.7 and 0.75 <= per[xavier] <= 1.3)
    note = ("n·Var(W) = 1/3 predicts √(1/3) ≈ 0.58× per layer for the standard initialization near tanh's "
            "centre; Xavier's n·Var(W) = 1 predicts 1×, less what tanh's slope (below 1) takes. The paper "
            "shows 5 layers of 1,000 units; the same effect compounds over the deeper network here."
            if reproduces else "Not reproduced here: the measured per-layer ratios fall outside the ranges "
            "(default under 0.7×, Xavier 0.75–1.3×).")
    return Reproduction(
        "Glorot & Bengio 2010, §4.2.2, Figure 7",
        "In a deep tanh network with the standard initialization U[−1/√n, 1/√n], n·Var(W) = 1/3, so the "
        "back-propagated gradient shrinks layer by layer towards the input; the normalized (Xavier) "
        "initialization keeps n·Var(W) = 1 and the gradient about the same in every layer.",
        "Standard initialization: the back-propagated gradients' variance falls towards the input; "
        "normalized initialization: about the same across layers (Figure 7).",
        measured, reproduces, note, GLOROT_URL)


def _became(run) -> str:
    """'learned (73.7% validation accuracy)', 'did not train (10.5%)' or 'diverged at step 12'."""
    verdict = classify(run)
    if verdict.kind == "diverged":
        return verdict.headline
    acc = fmt.percent(run.final_val_acc)
    return f"did not train ({acc} validation accuracy)" if verdict.failed else f"learned ({acc} validation accuracy)"


def he_reproduction(gradients: pd.DataFrame, depth: int, result: CompareResult | None, button: str) -> Reproduction:
    """He et al. 2015, Figure 3: a 30-layer ReLU network stalls with Xavier initialization and trains with
    He's. The gradient at initialization comes from experiment.at_init on the preset (`gradients`); the
    training from the preset's run (`result`, None until someone trains it: the box says to press
    `button`). Reproduced when Xavier's network did not learn (core.outcome) and He's did."""
    from core.lessons.initialization.experiment import per_layer

    xavier, he = "Xavier normal", "He normal"
    per = {label: per_layer(gradients, label, depth) for label in (xavier, he)}
    first = {label: per_layer(gradients, label, depth, total=True) for label in (xavier, he)}
    at_init = (f"A ReLU MLP of {depth} hidden layers × 64 units, before training: per layer the back-propagated "
               f"gradient keeps {fmt.ratio(per[xavier])} with Xavier (layer 1 gets {_fraction(first[xavier])} layer "
               f"{depth}'s) and {fmt.ratio(per[he])} with He.")
    claim = ("A 30-layer ReLU network (no batch norm) with Xavier initialization completely stalls, its gradients "
             "diminishing; with He's initialization, variance 2 / n_in, it converges.")
    published = "Figure 3: Xavier does not converge, even given more epochs; He's initialization converges."
    if result is None or set(result.runs) != {xavier, he}:
        return Reproduction("He et al. 2015, §2.2, Figure 3", claim, published,
                            at_init + " Training: not run yet.", None,
                            f"Press **{button}** above, then **Train** (the two 30-layer networks take a minute "
                            "or so on a shared CPU).", HE_URL)
    verdicts = {label: classify(run) for label, run in result.runs.items()}
    epochs = result.runs[he].epochs
    trained = (f" Trained for {len(epochs)} epoch{'s' if len(epochs) != 1 else ''} (same batches, same seed): "
               f"Xavier {_became(result.runs[xavier])}, He {_became(result.runs[he])}.")
    reproduces = verdicts[xavier].failed and not verdicts[he].failed
    note = ("Measured on 8,000 MNIST images with plain SGD; the paper trains a small convolutional model."
            if reproduces else "Not reproduced here: " + (
                "Xavier's network learned as well." if not verdicts[xavier].failed else "He's network did not learn either."))
    return Reproduction("He et al. 2015, §2.2, Figure 3", claim, published, at_init + trained, reproduces, note, HE_URL)
