"""The activations lesson's sentences, computed from what is on screen (never a template that can
contradict it): notes on each function's panel, the depth chart's caption and notes, why ReLU loses
more gradient than tanh under PyTorch's default initialization, the takeaways (only about the selected
functions, and reading each training run's outcome), and the "reproduced here" box of fastai's
"why sqrt(5)" measurement. Numbers go through core.format.
"""
from __future__ import annotations

import math

import pandas as pd

import core.format as fmt
from core.activations import ACTIVATIONS
from core.charts import coinciding
from core.lessons.activations.depth import SPREAD_DEPTH, per_layer
from core.lessons.activations.experiment import SATURATION, ActivationsResult, saturated_bands, saturation_edge
from core.outcome import DID_NOT_TRAIN, DIVERGED, classify
from core.reproduction import Reproduction


def panel_notes(df: pd.DataFrame, name: str) -> list[str]:
    """What a function's panel needs explaining, read from its plotted curve."""
    one = df[df["function"] == name]
    x_lo, x_hi = one["x"].iloc[0], one["x"].iloc[-1]
    notes = ["Φ and φ are the standard normal distribution's CDF and density."] if name == "gelu" else []
    for band in saturated_bands(one):
        interior = band["x"].iloc[0] > x_lo and band["x"].iloc[-1] < x_hi
        if interior and (band["dy"].min() < 0 < band["dy"].max()):
            zero = float(band["x"].iloc[int(band["dy"].abs().to_numpy().argmin())])
            notes.append(f"The narrow grey band near x ≈ {fmt.number(zero)} is where f' crosses zero (the minimum "
                         "of f): counted as saturated, though f' is not small on either side of it.")
    negative = one[one["saturated"] & (one["x"] < 0)]
    if name == "leaky_relu" and len(negative):
        slope = float(negative["dy"].abs().min())
        notes.append(f"The negative side (slope {fmt.number(slope)}) counts as saturated by the |f'| < {SATURATION} "
                     "rule, yet its gradient is never exactly zero: those neurons still learn, slowly.")
    return notes


def fraction(v: float) -> str:
    """A share of a gradient for a sentence: '2 in 100 million of' below 1%, '0.23× ' from 1% up."""
    return f"{fmt.chance(v)} of" if v < 0.01 else f"{fmt.ratio(v)}"


def step_training_note(result: ActivationsResult) -> str | None:
    """Why a step network's accuracy is not the step 'training': computed from what moved in the run."""
    if "Step" not in result.runs or result.moved.empty:
        return None
    run, moved = result.runs["Step"], result.moved.query("activation == 'Step'").sort_values("layer")
    hidden, output = moved.iloc[:-1], moved.iloc[-1]
    if not len(run.epochs) or run.diverged_at:
        return None
    hidden_moved = ("did not move at all (weight change exactly 0)" if (hidden["change"] == 0).all()
                    else f"barely moved (weight change at most {fmt.number(hidden['change'].max())})")
    return (f"The step network still reached {fmt.percent(run.final_val_acc)} validation accuracy, but its hidden "
            f"layers {hidden_moved} while its output layer's weights changed by {fmt.number(output['change'])}: "
            "only the last Linear layer learned, a linear classifier on fixed random 0/1 features. "
            "No gradient passed through a step.")


def depth_caption(df: pd.DataFrame, order: list[str], depth: int) -> str:
    """Per function: what layer 1 received, how much of it one layer passes on, on average, and the
    weights' factor where the weights lift the gradient above the activation factor (the dashed line)."""
    if depth == 1:
        return "With one hidden layer there is no layer below the top one for the gradient to pass through."
    parts = []
    for label in order:
        row = df[(df["label"] == label) & (df["layer"] == 1)]
        if row.empty:
            continue
        r = row.iloc[0]
        if not pd.notna(r["relative"]) or r["relative"] == math.inf:
            parts.append(f"{label}: no finite gradient (see the warning)")
        elif r["grad_norm"] == 0:
            parts.append(f"{label}: layer 1 receives no gradient at all (exactly 0)")
        else:
            step = per_layer(df, label)
            each = f", {fmt.ratio(step)} per layer" if math.isfinite(step) and step > 0 else ""
            text = f"{label}: layer 1 receives {fraction(r['relative'])} layer {depth}'s gradient{each}"
            if r["factor"] > 0 and math.isfinite(r["weights_factor"]) and r["weights_factor"] > 1.5:
                text += (f" (weights' factor {fmt.ratio(r['weights_factor'])}: the weights lift it above the dashed "
                         "line, the derivatives' factor alone)")
            parts.append(text)
    return " · ".join(parts) + ("." if parts else "")


def zero_gradient_notes(df: pd.DataFrame, order: list[str]) -> list[str]:
    """For each function whose gradient is exactly 0 below some layer: where, and why."""
    notes = []
    for label in order:
        one = df[df["label"] == label].sort_values("layer")
        dead = one[one["grad_norm"] == 0]
        if dead.empty:
            continue
        top = dead.iloc[-1]  # the highest layer the gradient does not survive
        layer = int(top["layer"])
        where = ("none reaches any hidden layer" if layer == one["layer"].max()
                 else "none reaches layer 1" if layer == 1 else f"none reaches layers 1–{layer}")
        act = ACTIVATIONS[one["function"].iloc[0]]
        if act.max_slope == 0:
            why = "its derivative is exactly 0 wherever it is defined"
        elif top["zero_share"] == 1:
            why = (f"every unit of layer {layer} is completely saturated (all its inputs have |s| ≥ "
                   f"{fmt.number(top['min_abs_s'])}, so far into f's flat part that f'(s) is exactly 0 in float32)")
        elif layer < one["layer"].max():
            above = one[one["layer"] == layer + 1].iloc[0]
            why = (f"the gradient had shrunk to {fmt.number(above['grad_norm'])} at layer {layer + 1}, and one "
                   "layer further down it fell below float32's smallest number (about 1.4 × 10⁻⁴⁵) and became "
                   "exactly 0")
        else:
            why = f"f'(s) is exactly 0 for {fmt.percent(top['zero_share'], 0)} of layer {layer}'s units"
        notes.append(f"**{label}**: {why}, so {where} (nothing to draw on a log scale).")
    return notes


def overlap_note(df: pd.DataFrame, order: list[str]) -> str | None:
    """Lines of the depth chart drawn on top of each other (within 2% of the chart's decades), so a
    reader knows the hidden ones are there: solid (measured) and dashed (activation factor) lines."""
    shown = df[(df["relative"] > 0) & (df["factor"] > 0) & df["label"].isin(order)]
    parts = []
    for column, kind in (("relative", "solid"), ("factor", "dashed")):
        for group in coinciding(shown, "layer", column, "label", log=True):
            names = ", ".join(group[:-1]) + f" and {group[-1]}"
            why = " (their largest slopes are equal)" if kind == "dashed" else ""
            parts.append(f"the {kind} lines of {names} lie on top of each other{why}")
    return ("On the chart, " + "; ".join(parts) + ".") if parts else None


def init_takeaway(df: pd.DataFrame, order: list[str], init: str, init_label: str) -> str | None:
    """One line: how much gradient ReLU keeps per layer with these weights, and what that says."""
    relu = per_layer(df, "ReLU") if "ReLU" in order else math.nan
    if not math.isfinite(relu) or relu <= 0:
        return None
    if relu < 0.8:
        return (f"A slope of 1 is not enough: with {init_label} weights ReLU still keeps only {fmt.ratio(relu)} "
                "of the gradient per layer. The initialization matters as much as the activation (see the "
                "initialization lesson).")
    return (f"With {init_label} weights ReLU keeps {fmt.ratio(relu)} of the gradient per layer: the right "
            "initialization lets its slope of 1 count.")


def predict_prompt(labels: list[str], epochs: int) -> str:
    """The "predict before you press Train" question for the functions selected."""
    if len(labels) == 1:
        return (f"**Predict before you press Train:** will the {labels[0]} network learn in {epochs} "
                f"epoch{'s' if epochs != 1 else ''}? Which validation accuracy do you expect?")
    names = ", ".join(labels[:-1]) + f" or {labels[-1]}"
    return (f"**Predict before you press Train:** which network, {names}, will end with the highest validation "
            f"accuracy after {epochs} epoch{'s' if epochs != 1 else ''}? Will any of them not learn at all?")


def prediction_table(df: pd.DataFrame, order: list[str]) -> pd.DataFrame:
    """Per function: the gradient's measured per-layer ratio (geometric mean over the layer steps) beside
    the mean-field prediction sqrt(n · Var(W) · E[f'(s)²]) from the network's own weights and slopes,
    as text through core.format ("—" where there is no finite value)."""
    rows = []
    for label in order:
        measured, predicted = per_layer(df, label), per_layer(df, label, "predicted_step")
        rows.append({"function": label, "measured per layer": fmt.ratio(measured),
                     "predicted √(n·Var(W)·E[f′²])": fmt.ratio(predicted)})
    return pd.DataFrame(rows)


def relu_tanh_line(df: pd.DataFrame, order: list[str], init: str, init_label: str) -> str | None:
    """Why ReLU, whose slope is 1, loses more gradient per layer than tanh under PyTorch's default
    initialization, and what He initialization does: measured per-layer ratios, and the closed form."""
    if "ReLU" not in order:
        return None
    relu = per_layer(df, "ReLU")
    if not math.isfinite(relu) or relu <= 0:
        return None
    if init == "default":
        text = f"With {init_label} weights ReLU passes on {fmt.ratio(relu)} of the gradient per layer"
        tanh = per_layer(df, "Tanh") if "Tanh" in order else math.nan
        if math.isfinite(tanh) and tanh > relu:
            text += f", less than tanh's {fmt.ratio(tanh)}, although ReLU's slope is exactly 1 where it is open"
        return (text + ". PyTorch's default draws weights with variance 1/(3 n_in), so each layer multiplies the "
                "gradient by about √(E[f′(s)²] / 3): about √(1/3) ≈ 0.58× for tanh near 0, where f′ ≈ 1, but "
                "√(1/6) ≈ 0.41× for ReLU, whose f′ is 0 on half the units. He initialization (variance 2 / n_in) "
                "doubles what ReLU halves: √(2 · ½) = 1× per layer. Choose He above to see it.")
    if init in ("he_uniform", "he_normal"):
        return (f"With {init_label} weights (variance 2 / n_in) ReLU passes on {fmt.ratio(relu)} of the gradient "
                "per layer: He's factor 2 makes up for the half of the units ReLU closes, √(2 · ½) = 1. Under "
                "PyTorch's default (variance 1/(3 n_in)) it would be √(1/6) ≈ 0.41×.")
    return None


def slope_lines(functions: tuple[str, ...], df: pd.DataFrame, depth: int, init_label: str) -> list[str]:
    """What each selected function's derivative does to the gradient: only the functions on screen."""
    lines = []
    if "sigmoid" in functions:
        text = ("The sigmoid's derivative is at most 0.25, so through each sigmoid layer the derivative factor "
                f"alone is at most ¼: {fmt.chance(0.25 ** (depth - 1))} over the chart's {depth - 1} layer steps. "
                "Only the weights can make up for it")
        row = df[(df["function"] == "sigmoid") & (df["layer"] == 1)]
        if depth < 2 or row.empty or not pd.notna(row["relative"].iloc[0]):
            lines.append(text + ".")
        else:
            r = row.iloc[0]
            got = "no gradient at all (exactly 0)" if r["grad_norm"] == 0 else \
                f"{fraction(r['relative'])} layer {depth}'s gradient"
            lines.append(text + f": with {init_label} weights, layer 1 of the sigmoid network above received {got}.")
    if "tanh" in functions:
        lines.append(f"tanh passes up to 1× the gradient near 0 but saturates (|f′| < {SATURATION}) for "
                     f"|x| > {fmt.number(saturation_edge('tanh'))}.")
    if "relu" in functions:
        lines.append("ReLU passes exactly 1× for every positive input and 0 for every negative one: it never "
                     "saturates on the positive side, but a unit whose input stays negative passes nothing.")
    return lines


def training_takeaway(result: ActivationsResult | None) -> str:
    """What this page's own training run showed, in one sentence (not a canned claim): which networks
    learned, ranked by final validation accuracy, and which diverged or did not train."""
    if result is None:
        return ("Press **Train**: with the same weights and batches, see which activation's network ends with "
                "the highest validation accuracy.")
    verdicts = {label: classify(run) for label, run in result.runs.items()}
    by_headline: dict[str, list[str]] = {}
    for label, v in verdicts.items():
        if v.failed:
            by_headline.setdefault(v.headline, []).append(f"**{label}**")
    failed = [(", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]) + f" {headline}"
              for headline, names in by_headline.items()]
    learned = sorted((run.final_val_acc, label) for label, run in result.runs.items() if not verdicts[label].failed)
    epochs = result.runs[next(iter(result.runs))].epochs
    after = f"after {len(epochs)} epoch{'s' if len(epochs) != 1 else ''}" if len(epochs) else "in the run above"
    failed_text = "; ".join(failed)
    if not learned:
        return (f"In the run above no network learned: {failed_text}. "
                + ("Lower the learning rate and train again." if any(v.kind == DIVERGED for v in verdicts.values())
                   else "Train longer or with a larger learning rate."))
    if len(learned) == 1:
        acc, label = learned[0]
        text = f"In the run above only **{label}** learned ({fmt.percent(acc)} validation accuracy {after})"
        return text + (f"; {failed_text}." if failed else ".")
    (low, low_label), (high, high_label) = learned[0], learned[-1]
    text = (f"In the run above, with the same weights and batches, **{high_label}** ended highest "
            f"({fmt.percent(high)} validation accuracy {after}) and **{low_label}** lowest ({fmt.percent(low)})")
    return text + (f"; {failed_text}." if failed else ".")


def takeaways(grads: pd.DataFrame, depth: int, init: str, init_label: str, functions: tuple[str, ...],
              result: ActivationsResult | None) -> list[str]:
    """The page's "what to notice": the selected functions' slopes against the depth measurement (`grads`,
    from `depth.depth_gradients` with `init` weights, named `init_label`), how much gradient ReLU keeps
    per layer with those weights, and the training run on screen (None: not trained)."""
    order = [ACTIVATIONS[f].label for f in functions]
    lines = slope_lines(functions, grads, depth, init_label) + [init_takeaway(grads, order, init, init_label),
                                                                training_takeaway(result)]
    return [line for line in lines if line]


# ---------------------------------------------------------------- reproduced here

FASTAI_URL = "https://github.com/fastai/course-v3/blob/master/nbs/dl2/02a_why_sqrt5.ipynb"


def _geometric_mean(values: pd.Series) -> float:
    """Geometric mean of the finite values; 0 if one of them is 0 or less, NaN if there are none."""
    v = values[values.map(math.isfinite)]
    if v.empty:
        return math.nan
    return 0.0 if (v <= 0).any() else float(math.exp(sum(map(math.log, v)) / len(v)))


def sqrt5_reproduction(spread: pd.DataFrame) -> Reproduction:
    """fastai's "why sqrt(5)" measurement, from `depth.relu_spread`: the spread of ReLU activations under
    PyTorch's default initialization against Kaiming's. Reproduced when the default's first-layer std is
    0.3–0.55× Kaiming's, each of the next layers shrinks it by 0.3–0.55× while Kaiming's stays within
    0.8–1.25×, and the gradient shrinks 0.33–0.5× per layer under the default."""
    by = {init: frame.set_index("layer") for init, frame in spread.groupby("init")}
    default, kaiming = by["default"], by["he_uniform"]
    first = default.loc[1, "std"] / kaiming.loc[1, "std"]
    next_default, next_kaiming = default.loc[2, "ratio"], kaiming.loc[2, "ratio"]
    grad_default, grad_kaiming = _geometric_mean(default["step"]), _geometric_mean(kaiming["step"])
    floor = default["std"].iloc[-3:].mean()
    measured = (f"A ReLU MLP, 784 → 64 × {SPREAD_DEPTH} → 10, on 256 MNIST images: after the first layer the "
                f"activations' std is {fmt.number(default.loc[1, 'std'])} with PyTorch's default and "
                f"{fmt.number(kaiming.loc[1, 'std'])} with Kaiming's ({fmt.ratio(first)}). Under the default the "
                f"next layer shrinks it again, {fmt.ratio(next_default)} (Kaiming: {fmt.ratio(next_kaiming)}), "
                f"until PyTorch's random biases set a floor (std ≈ {fmt.number(floor)} in the last layers). The "
                f"back-propagated gradient, which the biases do not feed, shrinks {fmt.ratio(grad_default)} per "
                f"layer all the way down (Kaiming: {fmt.ratio(grad_kaiming)}).")
    reproduces = bool(0.3 <= first <= 0.55 and 0.3 <= next_default <= 0.55 and 0.8 <= next_kaiming <= 1.25
                      and 0.33 <= grad_default <= 0.5)
    note = ("The notebook measures one convolution on MNIST; here the same scale is measured layer by layer in "
            "an MLP, and on the gradient too." if reproduces else
            "Not reproduced here: the measured ratios fall outside 0.3–0.55× (default) or 0.8–1.25× (Kaiming).")
    return Reproduction(
        "fastai, “Why sqrt(5)?” notebook (course-v3, lesson 9, 2019)",
        "PyTorch's default initialization, kaiming_uniform_ with a = √5, has gain √(1/3) where ReLU needs √2: "
        "each ReLU layer's output has about √(1/6) ≈ 0.41× the spread Kaiming's initialization gives it, so "
        "the signal shrinks layer after layer.",
        "One convolution + ReLU on MNIST: std 0.37 with PyTorch's default against 1.02 with Kaiming's; "
        "√(1/6) ≈ 0.41 from the gains.", measured, reproduces, note, FASTAI_URL)
