"""The activations lesson's sentences, computed from what is on screen (never a template that can
contradict it): notes on each function's panel, the depth chart's caption and notes, the takeaways."""
from __future__ import annotations

import pandas as pd

from core.activations import ACTIVATIONS
from core.lessons.activations.experiment import SATURATION, ActivationsResult, saturated_bands, saturation_edge


def panel_notes(df: pd.DataFrame, name: str) -> list[str]:
    """What a function's panel needs explaining, read from its plotted curve."""
    one = df[df["function"] == name]
    x_lo, x_hi = one["x"].iloc[0], one["x"].iloc[-1]
    notes = ["Φ and φ are the standard normal distribution's CDF and density."] if name == "gelu" else []
    for band in saturated_bands(one):
        interior = band["x"].iloc[0] > x_lo and band["x"].iloc[-1] < x_hi
        if interior and (band["dy"].min() < 0 < band["dy"].max()):
            zero = float(band["x"].iloc[int(band["dy"].abs().to_numpy().argmin())])
            notes.append(f"The narrow grey band near x ≈ {zero:.2f} is where f' crosses zero (the minimum "
                         "of f): counted as saturated, though f' is not small on either side of it.")
    negative = one[one["saturated"] & (one["x"] < 0)]
    if name == "leaky_relu" and len(negative):
        slope = float(negative["dy"].abs().min())
        notes.append(f"The negative side (slope {slope:g}) counts as saturated by the |f'| < {SATURATION} "
                     "rule, yet its gradient is never exactly zero: those neurons still learn, slowly.")
    return notes


def step_training_note(result: ActivationsResult) -> str | None:
    """Why a step network's accuracy is not the step 'training': computed from what moved in the run."""
    if "Step" not in result.runs or result.moved.empty:
        return None
    run, moved = result.runs["Step"], result.moved.query("activation == 'Step'").sort_values("layer")
    hidden, output = moved.iloc[:-1], moved.iloc[-1]
    if not len(run.epochs):
        return None
    hidden_moved = ("did not move at all (weight change exactly 0)" if (hidden["change"] == 0).all()
                    else f"barely moved (weight change at most {hidden['change'].max():.1e})")
    return (f"The step network still reached {run.final_val_acc:.1%} validation accuracy, but its hidden "
            f"layers {hidden_moved} while its output layer's weights changed by {output['change']:.2g}: "
            "only the last Linear layer learned, a linear classifier on fixed random 0/1 features. "
            "No gradient passed through a step.")


def depth_caption(df: pd.DataFrame, order: list[str], depth: int) -> str:
    """Per function: what layer 1 received, and how the weights changed the activation factor."""
    if depth == 1:
        return "With one hidden layer there is no layer below the top one for the gradient to pass through."
    parts = []
    for label in order:
        row = df[(df["label"] == label) & (df["layer"] == 1)]
        if row.empty:
            continue
        r = row.iloc[0]
        if not pd.notna(r["relative"]) or r["relative"] == float("inf"):
            parts.append(f"{label}: no finite gradient (see the warning)")
        elif r["grad_norm"] == 0:
            parts.append(f"{label}: layer 1 receives no gradient at all (exactly 0)")
        elif r["factor"] > 0:
            parts.append(f"{label}: layer 1 receives {r['relative']:.1e} of layer {depth}'s gradient "
                         f"(activation factor {r['factor']:.1e} × weights' factor {r['weights_factor']:.2g})")
        else:
            parts.append(f"{label}: layer 1 receives {r['relative']:.1e} of layer {depth}'s gradient")
    return " · ".join(parts)


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
                   f"{top['min_abs_s']:.3g}, so far into f's flat part that f'(s) is exactly 0 in float32)")
        elif layer < one["layer"].max():
            above = one[one["layer"] == layer + 1].iloc[0]
            why = (f"the gradient had shrunk to {above['grad_norm']:.1e} at layer {layer + 1}, and one layer "
                   "further down it fell below float32's smallest number (≈1.4e-45) and became exactly 0")
        else:
            why = f"f'(s) is exactly 0 for {top['zero_share']:.0%} of layer {layer}'s units"
        notes.append(f"**{label}**: {why}, so {where} (nothing to draw on a log scale).")
    return notes


def sigmoid_takeaway(df: pd.DataFrame, depth: int, init_label: str) -> str:
    """The sigmoid's per-layer derivative factor, and what the measured network actually passed."""
    text = ("The sigmoid's derivative is at most 0.25, so through each sigmoid layer the derivative factor "
            f"alone is at most 1/4: {0.25 ** (depth - 1):.1e} over the chart's {depth - 1} layer steps. "
            "Only the weights can make up for it")
    row = df[(df["function"] == "sigmoid") & (df["layer"] == 1)]
    if depth < 2 or row.empty or not pd.notna(row["relative"].iloc[0]):
        return text + "; select the sigmoid above to see what a real network passes."
    r = row.iloc[0]
    got = "no gradient at all (exactly 0)" if r["grad_norm"] == 0 else \
        f"{r['relative']:.1e} of layer {depth}'s gradient"
    return text + f": with {init_label} weights, layer 1 of the sigmoid network above received {got}."


def training_takeaway(result: ActivationsResult | None) -> str:
    """What this page's own training run showed, in one sentence (not a canned claim)."""
    if result is None:
        return ("Press **Train**: with the same weights and batches, watch which activation's loss "
                "falls slowest.")
    table = result.summary("activation").dropna(subset=["val. accuracy"]).sort_values("val. accuracy")
    if len(table) < 2:
        return "Select two or more functions to compare how fast each network learns."
    low, high = table.iloc[0], table.iloc[-1]
    return (f"In the run above, with the same weights and batches, **{low['activation']}** learned slowest "
            f"({low['val. accuracy']:.1%} validation accuracy) and **{high['activation']}** fastest "
            f"({high['val. accuracy']:.1%}).")


def takeaways(grads: pd.DataFrame, depth: int, init_label: str, result: ActivationsResult | None) -> list[str]:
    """The page's "what to notice": the depth measurement (`grads`, from `depth.depth_gradients` with
    `init_label` weights), tanh's and ReLU's slopes, and the training run on screen (None: not trained)."""
    tanh_edge = saturation_edge("tanh")
    return [
        sigmoid_takeaway(grads, depth, init_label),
        f"tanh passes up to 1 × the gradient near 0 but saturates (|f'| < {SATURATION}) for "
        f"|x| > {tanh_edge:.2f}; ReLU passes exactly 1 for every positive input and never saturates there.",
        training_takeaway(result),
        "The measured gradient also depends on the weights: with PyTorch's default initialization even "
        "ReLU networks lose gradient with depth; He initialization fixes that (see the initialization lesson).",
    ]
