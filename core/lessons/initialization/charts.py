"""Charts of the initialization lesson: DataFrames from core.lessons.initialization.experiment in, Altair out.

Only finite values are drawn (an exploding scheme's gradients and activations overflow to inf); layer
axes count whole layers. What used to be a faceted chart (the box plots, the heatmap) is one
container-wide chart per scheme, so a phone stacks them instead of pushing the compared panel off-screen.
"""
from __future__ import annotations

import math

import altair as alt
import pandas as pd

from core.charts import POWERS_OF_TEN, decades
from core.palette import color_of, color_scale
from core.memo import memo_chart

LAYER_AXIS = dict(tickMinStep=1, format="d")  # whole layers: never "2.5"


def _color(order: list[str], title: str = "Initialization", columns: int = 3) -> alt.Color:
    """Scheme colours; half-width charts take 2 legend columns (3 overflow them in presenter mode)."""
    return alt.Color("label:N", scale=color_scale(order), title=title,
                     legend=alt.Legend(orient="bottom", columns=columns, labelLimit=200))


@memo_chart
def gradient_chart(gradients: pd.DataFrame, kind: str, depth: int, order: list[str]) -> alt.Chart:
    """Per layer (log scale), one line per scheme: ||dL/ds_l|| (kind='backprop') or ||dL/dW_l|| ('weight')."""
    df = _finite(gradients[(gradients["kind"] == kind) & (gradients["grad_norm"] > 0)], ["grad_norm"])
    title = ("Back-propagated gradient ‖∂L/∂sₗ‖" if kind == "backprop" else "Weight gradient ‖∂L/∂Wₗ‖")
    return alt.Chart(df).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("layer:Q", title=f"Layer l (1 = next to the input, {depth + 1} = output)",
                axis=alt.Axis(**LAYER_AXIS), scale=alt.Scale(domain=[1, depth + 1])),
        y=alt.Y("grad_norm:Q", scale=alt.Scale(type="log"), title="Norm (log)",
                axis=alt.Axis(values=decades(df["grad_norm"]) or alt.Undefined, labelExpr=POWERS_OF_TEN)),
        color=_color(order, columns=2),
        tooltip=["label:N", "layer:Q", alt.Tooltip("grad_norm:Q", format=".3e")],
    ).properties(title=title, height=420, width="container")


@memo_chart
def activation_box(stats: pd.DataFrame, activation: str, label: str) -> alt.LayerChart:
    """One scheme's hidden layers at initialization: a box per layer (p25-p75), whiskers p5-p95, a black
    tick at the median, in the scheme's colour; finite values only. tanh and sigmoid on their whole
    range, ReLU on a symmetric-log axis."""
    one = _finite(stats[stats["label"] == label], ["p5", "p25", "p50", "p75", "p95"])
    domain = {"tanh": [-1, 1], "sigmoid": [0, 1]}.get(activation)
    y_scale = alt.Scale(domain=domain) if domain else alt.Scale(type="symlog")
    base = alt.Chart(one).encode(x=alt.X("layer:O", title="Hidden layer", axis=alt.Axis(labelAngle=0)))
    whisker = base.mark_rule(strokeWidth=1.5, color=color_of(label)).encode(
        y=alt.Y("p5:Q", scale=y_scale, title=f"{activation}(sₗ)", axis=alt.Axis(format="~g")), y2="p95:Q")
    box = base.mark_bar(size=12, opacity=0.6, color=color_of(label)).encode(y="p25:Q", y2="p75:Q")
    median = base.mark_tick(color="black", thickness=2, size=12).encode(
        y="p50:Q", tooltip=["label:N", "layer:O", *[alt.Tooltip(f"{c}:Q", format=".3f") for c in
                                                     ("p5", "p25", "p50", "p75", "p95", "std", "saturated")]])
    return alt.layer(whisker, box, median).properties(title=label, height=260, width="container")


@memo_chart
def spread_chart(stats: pd.DataFrame, order: list[str]) -> alt.Chart:
    """Standard deviation of each hidden layer's activations (log): collapse towards 0 or blow-up."""
    df = _finite(stats[stats["std"] > 0], ["std"])
    return alt.Chart(df).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("layer:Q", title="Hidden layer", axis=alt.Axis(**LAYER_AXIS)),
        y=alt.Y("std:Q", scale=alt.Scale(type="log"), title="Std of activations (log)",
                axis=alt.Axis(values=decades(df["std"]) or alt.Undefined, labelExpr=POWERS_OF_TEN)),
        color=_color(order, columns=2),
        tooltip=["label:N", "layer:Q", alt.Tooltip("std:Q", format=".3e")],
    ).properties(title="Spread of the activations", height=380, width="container")


@memo_chart
def saturation_chart(stats: pd.DataFrame, activation: str, order: list[str]) -> alt.Chart:
    """Share of each hidden layer's units in a flat part of the activation (ReLU: outputting 0)."""
    what = "inactive (output 0)" if activation == "relu" else f"saturated (flat part of {activation})"
    return alt.Chart(_finite(stats, ["saturated"])).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("layer:Q", title="Hidden layer", axis=alt.Axis(**LAYER_AXIS)),
        y=alt.Y("saturated:Q", title="Share of units", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=_color(order, columns=2),
        tooltip=["label:N", "layer:Q", alt.Tooltip("saturated:Q", format=".1%")],
    ).properties(title=f"Units {what}", height=380, width="container")


def heat_domain(heat: pd.DataFrame) -> list[float] | None:
    """One log colour scale for every panel of the heatmap: the smallest and largest finite norm."""
    values = heat["grad_norm"][heat["grad_norm"].map(math.isfinite) & (heat["grad_norm"] > 0)]
    return [float(values.min()), float(values.max())] if len(values) else None


@memo_chart
def heat_chart(heat: pd.DataFrame, run: str, domain: list[float] | None, layers: tuple[int, ...] = ()) -> alt.Chart:
    """Layer x training step for one run, colour = back-propagated gradient norm on a log scale shared
    with the other runs' panels (`domain`, from heat_domain). `layers`: every layer recorded, each a row
    even where no finite non-zero norm is (a blank row), not only the layers `heat` still holds."""
    df = heat[heat["run"] == run]
    scale = alt.Scale(type="log", scheme="viridis", domain=domain) if domain else alt.Scale(type="log",
                                                                                           scheme="viridis")
    return alt.Chart(df).mark_rect().encode(
        x=alt.X("step:O", title="Training step", axis=alt.Axis(labelOverlap=True, labelAngle=0, format=",d")),
        y=alt.Y("layer:O", title="Layer", sort="descending",
                scale=alt.Scale(domain=sorted(layers, reverse=True)) if layers else alt.Undefined),
        color=alt.Color("grad_norm:Q", scale=scale, title="‖∂L/∂sₗ‖",
                        legend=alt.Legend(labelExpr=POWERS_OF_TEN, orient="bottom", gradientLength=200)),
        tooltip=["run:N", alt.Tooltip("step:Q", format=",d"), "layer:Q", alt.Tooltip("grad_norm:Q", format=".3e")],
    ).properties(title=run, height=360, width="container")


@memo_chart
def cosine_chart(cos: pd.DataFrame, title: str, subtitle: str) -> alt.Chart:
    """A layer's neurons against each other: cosine similarity of their weight vectors."""
    return alt.Chart(cos).mark_rect(strokeWidth=0).encode(
        x=alt.X("i:O", title="Neuron", axis=None), y=alt.Y("j:O", title="Neuron", axis=None),
        color=alt.Color("cosine:Q", scale=alt.Scale(scheme="redblue", domain=[-1, 1], reverse=True),
                        title="cosine", legend=alt.Legend(gradientLength=160, orient="bottom")),
        tooltip=["i:Q", "j:Q", alt.Tooltip("cosine:Q", format=".3f")],
    ).properties(title=alt.Title(title, subtitle=subtitle), width="container", height=330)


def _finite(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The rows whose `columns` are all finite numbers."""
    if df.empty:
        return df
    values = df[columns].apply(pd.to_numeric, errors="coerce")
    return df[values.map(math.isfinite).all(axis=1)]
