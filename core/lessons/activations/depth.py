"""Activations lesson, through depth: how much gradient reaches each hidden layer of a real network.

Back-propagation gives dℒ/ds_l = diag(f'(s_l)) W_{l+1}^T dℒ/ds_{l+1}. The activation derivatives
alone contribute at most (max |f'|)^(L-l) (`factor`); the weights multiply in their own factor,
which can raise or lower the total, so `factor` bounds the measurement only when every weight
matrix has spectral norm <= 1.
"""
from __future__ import annotations

import altair as alt
import pandas as pd

from core.activations import ACTIVATIONS, get_activation
from core.charts import decades
from core.data import Dataset
from core.gradients import layer_gradients
from core.models import MLP, hidden_layers
from core.palette import color_scale
from core.seeding import seeded

DEPTH_WIDTH = 64
DEPTH_BATCH = 256
MEASURED = "measured ‖∂ℒ/∂s_l‖ / ‖∂ℒ/∂s_L‖"
FACTOR = "activation factor alone, (max f')^(L−l)"


def depth_model(name: str, depth: int, seed: int, width: int = DEPTH_WIDTH, init: str = "default") -> MLP:
    return seeded(seed, lambda: MLP([784] + [width] * depth + [10], name, init=init))


def depth_gradients(functions: tuple[str, ...], depth: int, data: Dataset, seed: int,
                    width: int = DEPTH_WIDTH, batch: int = DEPTH_BATCH, init: str = "default") -> pd.DataFrame:
    """Per hidden layer l = 1..L of a freshly initialised depth-L MLP: measured ||dℒ/ds_l||, its ratio
    to the top hidden layer's (`relative`), the activation-only factor (max f')^(L-l), the share of
    units with f'(s_l) exactly 0 (`zero_share`) and the smallest |s_l| (`min_abs_s`). The norms come
    from the engine's gradient probe, summed in float64, so a tiny gradient is not rounded to 0."""
    x, y = data.x_train[:batch], data.y_train[:batch]
    frames = []
    for name in functions:
        act = get_activation(name)
        model = depth_model(name, depth, seed, width, init).to(data.device)
        grads = layer_gradients(model, x, y).query("kind == 'backprop' and layer <= @depth")
        norms = grads.sort_values("layer")["grad_norm"].to_numpy()
        layers_seen = hidden_layers(model, x)
        top = norms[-1]
        layers = range(1, depth + 1)
        frames.append(pd.DataFrame({
            "function": name, "label": act.label, "layer": list(layers), "grad_norm": norms,
            "relative": norms / top if top > 0 else norms * 0.0,
            "factor": [act.max_slope ** (depth - l) for l in layers],
            "zero_share": [float((slope == 0).double().mean()) for _, _, slope in layers_seen],
            "min_abs_s": [float(s.abs().min()) for s, _, _ in layers_seen]}))
    df = pd.concat(frames, ignore_index=True)
    df["weights_factor"] = df["relative"] / df["factor"].where(df["factor"] > 0)
    return df


def depth_chart(df: pd.DataFrame, order: list[str]) -> alt.Chart:
    """Log scale: measured gradient relative to the top hidden layer (solid) and the activation factor (dashed)."""
    shown = df[(df["relative"] > 0) & (df["factor"] > 0)]
    long = pd.concat([shown.assign(series=MEASURED, value=shown["relative"]),
                      shown.assign(series=FACTOR, value=shown["factor"])])
    color = alt.Color("label:N", scale=color_scale(order), title="Function", legend=alt.Legend(orient="bottom"))
    return alt.Chart(long).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("layer:Q", title="Hidden layer l (1 = next to the input)", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("value:Q", scale=alt.Scale(type="log"), title="Gradient relative to layer L (log)",
                axis=alt.Axis(values=decades(long["value"]) or alt.Undefined, format=".0e")),
        color=color,
        strokeDash=alt.StrokeDash("series:N", legend=None, scale=alt.Scale(domain=[FACTOR, MEASURED],
                                                                           range=[[6, 4], [1, 0]])),
        tooltip=["label:N", "layer:Q", "series:N", alt.Tooltip("value:Q", format=".3e"),
                 alt.Tooltip("grad_norm:Q", title="‖∂ℒ/∂s_l‖", format=".3e"),
                 alt.Tooltip("weights_factor:Q", title="weights' factor (measured / activation factor)",
                             format=".3g")],
    ).properties(title=alt.Title("How much gradient reaches each layer",
                                 subtitle="solid: measured in a real network · dashed: the activation "
                                          "derivatives' factor alone; the weights multiply in their own"),
                 height=460, width="container")


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


def overflow_labels(df: pd.DataFrame) -> list[str]:
    """Functions whose measured gradient is not a finite number (the signal overflowed float32)."""
    bad = df[~df["grad_norm"].map(lambda v: pd.notna(v) and abs(v) != float("inf"))]
    return list(dict.fromkeys(bad["label"]))


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
