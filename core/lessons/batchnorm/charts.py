"""Charts of the batch-norm lesson: DataFrames from core.lessons.batchnorm.experiment in, Altair out."""
from __future__ import annotations

import altair as alt
import pandas as pd

from core.palette import color_scale

ORDER = ["Without BN", "With BN"]


def _run_color() -> alt.Color:
    return alt.Color("run:N", scale=color_scale(ORDER), title="Network", legend=alt.Legend(orient="bottom"))


def histogram_chart(hist: pd.DataFrame, step: int, activation: str) -> alt.FacetChart:
    """Every hidden layer's activation inputs at one snapshot; both networks on the same bins per layer."""
    df = hist[hist["step"] == step]
    bars = alt.Chart(df).mark_rect(opacity=0.6).encode(
        x=alt.X("lo:Q", title=f"Input to {activation}", axis=alt.Axis(format=".3~r")), x2="hi:Q",
        y=alt.Y("share:Q", title="Share of values", axis=alt.Axis(format="%")),
        color=_run_color(),
        tooltip=["run:N", "layer:Q", alt.Tooltip("lo:Q", format=".3g"), alt.Tooltip("hi:Q", format=".3g"),
                 alt.Tooltip("share:Q", format=".1%")],
    ).properties(width=330, height=150)
    return bars.facet(
        row=alt.Row("layer:O", title="Hidden layer"), column=alt.Column("run:N", sort=ORDER, title=None),
    ).resolve_scale(x="independent", y="independent").properties(
        title=alt.Title(f"Inputs to the activations at step {step}",
                        subtitle="same bins for both networks in each layer; outliers counted in the outer bins"))


def bands_chart(bands: pd.DataFrame, layer: int, activation: str) -> alt.Chart:
    """15th, 50th and 85th percentile of one layer's activation inputs over training, per network."""
    df = bands[bands["layer"] == layer]
    base = alt.Chart(df).encode(x=alt.X("step:Q", title="Training step"), color=_run_color())
    band = base.mark_area(opacity=0.25).encode(
        y=alt.Y("p15:Q", title=f"Input to {activation}"), y2="p85:Q")
    median = base.mark_line(strokeWidth=2.5).encode(
        y="p50:Q", tooltip=["run:N", "step:Q", alt.Tooltip("p15:Q", format=".3f"),
                            alt.Tooltip("p50:Q", format=".3f"), alt.Tooltip("p85:Q", format=".3f"),
                            alt.Tooltip("flat:Q", format=".0%", title="in the flat part")])
    edges = [base.mark_line(strokeWidth=1, strokeDash=[4, 3]).encode(y=f"{p}:Q") for p in ("p15", "p85")]
    return alt.layer(band, *edges, median).properties(
        title=alt.Title(f"Hidden layer {layer} over training",
                        subtitle="15th, 50th and 85th percentile of the inputs, as in Ioffe & Szegedy 2015, Figure 1"),
        height=420, width="container")


def running_chart(running: pd.DataFrame, layer: int, stat: str, units: int = 3) -> alt.Chart:
    """Running estimate (solid) against the population value (dashed) for a few units of one layer."""
    df = running[(running["layer"] == layer) & (running["unit"] <= units)]
    long = pd.concat([
        df.assign(kind="running (used in eval mode)", value=df[f"running_{stat}"]),
        df.assign(kind="population (all 2,000 images)", value=df[f"population_{stat}"]),
    ])
    long["unit"] = "unit " + long["unit"].astype(str)
    return alt.Chart(long).mark_line(strokeWidth=2.2).encode(
        x=alt.X("step:Q", title="Training step"),
        y=alt.Y("value:Q", title=f"{stat} of the BN input"),
        color=alt.Color("unit:N", title=None, legend=alt.Legend(orient="bottom")),
        strokeDash=alt.StrokeDash("kind:N", legend=None, scale=alt.Scale(range=[[1, 0], [5, 4]])),
        tooltip=["unit:N", "kind:N", "step:Q", alt.Tooltip("value:Q", format=".4f")],
    ).properties(title=alt.Title(f"Running {stat} vs population {stat}, layer {layer}",
                                 subtitle="solid: running estimate (eval mode) · dashed: 2,000 training images"), height=380, width="container")


def train_eval_chart(te: pd.DataFrame, layer: int) -> alt.Chart:
    """Each (example, unit): BN output with batch statistics (x) against running statistics (y)."""
    lo, hi = float(min(te["train"].min(), te["eval"].min())), float(max(te["train"].max(), te["eval"].max()))
    diagonal = alt.Chart(pd.DataFrame({"a": [lo, hi]})).mark_line(color="#999", strokeDash=[4, 4]).encode(
        x="a:Q", y="a:Q")
    points = alt.Chart(te).mark_circle(size=14, opacity=0.35, color="#0072B2").encode(
        x=alt.X("train:Q", title="train mode: batch mean and variance"),
        y=alt.Y("eval:Q", title="eval mode: running mean and variance"),
        tooltip=["example:Q", "unit:Q", alt.Tooltip("train:Q", format=".3f"), alt.Tooltip("eval:Q", format=".3f")])
    return (diagonal + points).properties(
        title=alt.Title(f"The same batch, BN output of layer {layer}", subtitle="on the dashed line both modes agree"),
        height=400, width="container")


def gamma_beta_chart(params: pd.DataFrame) -> alt.Chart:
    """Learned gamma and beta of every unit, per layer (gamma starts at 1, beta at 0)."""
    params = params.assign(start=(params["parameter"] == "gamma").astype(float))
    reference = alt.Chart(params).mark_rule(color="#999", strokeDash=[4, 4]).encode(y="mean(start):Q")
    points = alt.Chart(params).mark_circle(size=28, opacity=0.7).encode(
        x=alt.X("unit:Q", title="Unit"), y=alt.Y("value:Q", title=None),
        color=alt.Color("layer:N", title="Layer", legend=alt.Legend(orient="bottom")),
        tooltip=["layer:N", "unit:Q", "parameter:N", alt.Tooltip("value:Q", format=".3f")])
    return alt.layer(reference, points, data=params).properties(width=330, height=220).facet(
        column=alt.Column("parameter:N", sort=["gamma", "beta"], title=None),
    ).resolve_scale(y="independent").properties(title="Learned scale γ and shift β per unit (dashed: start)")
