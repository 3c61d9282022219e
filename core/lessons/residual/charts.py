"""Charts of the residual lesson: DataFrames from core.lessons.residual.experiment in, Altair out.
Every gradient norm is drawn on a log axis (decades as ticks); a norm of exactly 0 cannot be drawn
there and is left out (the captions say where that happened)."""
from __future__ import annotations

import math

import altair as alt
import pandas as pd

from core.charts import HEIGHT, POWERS_OF_TEN, decades
from core.lessons.residual.experiment import ORDER
from core.lessons.residual.paths import BRANCH, IDENTITY, TOTAL
from core.palette import color_scale
from core.memo import memo_chart

GUIDE = "#777777"
FACET_WIDTH = 300
KINDS = {"weight": ("‖∂L/∂Wₗ‖", "weight gradient"), "backprop": ("‖∂L/∂sₗ‖", "back-propagated gradient")}
WHEN = ["at initialization", "after training"]
DASH_LEGEND = {"symbolType": "stroke", "symbolStrokeWidth": 2.5, "symbolSize": 400, "symbolStrokeColor": "#555555"}


def _network_color(columns: int = 2, legend: bool = True) -> alt.Color:
    return alt.Color("network:N", scale=color_scale(ORDER), title="Network",
                     legend=alt.Legend(orient="bottom", columns=columns, symbolStrokeWidth=3, labelLimit=220)
                     if legend else None)


def _log_y(values: pd.Series, title: str) -> alt.Y:
    return alt.Y("grad_norm:Q", title=title, scale=alt.Scale(type="log"),
                 axis=alt.Axis(values=decades(values) or alt.Undefined, labelExpr=POWERS_OF_TEN))


def positive(df: pd.DataFrame, column: str = "grad_norm") -> pd.DataFrame:
    """The rows a log axis can draw: finite and above 0."""
    v = pd.to_numeric(df[column], errors="coerce")
    return df[v.map(lambda x: math.isfinite(x) and x > 0)]


def first_and_last(grads: pd.DataFrame, kind: str = "weight") -> pd.DataFrame:
    """The first layer's and the output layer's gradient norm of each network at every recorded step:
    network, step, layer, which ('layer 1 (input)' | 'layer N (output)'), grad_norm."""
    df = grads[grads["kind"] == kind]
    top = int(df["layer"].max())
    out = df[df["layer"].isin([1, top])].copy()
    out["which"] = out["layer"].map({1: "layer 1 (input)", top: f"layer {top} (output)"})
    return out


@memo_chart
def over_training_chart(grads: pd.DataFrame, kind: str = "weight") -> alt.LayerChart:
    """Beside the loss: the first and the output layer's gradient norm (log) per recorded step, colour =
    network, dash = layer. A vanishing gradient is a first-layer line decades below the output layer's."""
    df = positive(first_and_last(grads, kind))
    symbol, name = KINDS[kind]
    whichs = sorted(df["which"].unique(), key=lambda w: not w.startswith("layer 1 "))
    return alt.Chart(df).mark_line(strokeWidth=2.2, clip=True).encode(
        x=alt.X("step:Q", title="Training step", axis=alt.Axis(format=",d")),
        y=_log_y(df["grad_norm"], f"{symbol} (log)"),
        color=_network_color(),
        strokeDash=alt.StrokeDash("which:N", title=None, sort=whichs,
                                  scale=alt.Scale(domain=whichs, range=[[1, 0], [6, 4]]),
                                  legend=alt.Legend(orient="bottom", columns=1, labelLimit=260, **DASH_LEGEND)),
        detail="which:N",
        tooltip=["network:N", "which:N", "step:Q", alt.Tooltip("grad_norm:Q", format=".3e")],
    ).properties(title=alt.Title(f"First and last layer's {name}", subtitle="during training"),
                 height=HEIGHT, width="container")


def profile(grads: pd.DataFrame, kind: str) -> pd.DataFrame:
    """Each layer's gradient norm at step 1 (the network at initialization) and at the last recorded
    step: network, layer, when ('at initialization' | 'after training'), step, grad_norm."""
    df = grads[grads["kind"] == kind]
    parts = []
    for network, g in df.groupby("network", sort=False):
        first, last = int(g["step"].min()), int(g["step"].max())
        parts.append(g[g["step"] == first].assign(when=WHEN[0]))
        if last != first:
            parts.append(g[g["step"] == last].assign(when=WHEN[1]))
    return pd.concat(parts, ignore_index=True) if parts else df.assign(when=[])


@memo_chart
def profile_chart(grads: pd.DataFrame, kind: str, depth: int) -> alt.Chart:
    """Per layer (1 = next to the input, depth + 1 = output), the gradient norm (log) at initialization
    (dashed) and at the last recorded step (solid), one colour per network."""
    df = positive(profile(grads, kind))
    symbol, name = KINDS[kind]
    base = alt.Chart(df).encode(
        x=alt.X("layer:Q", title=f"Layer l (1 = next to the input, {depth + 1} = output)",
                scale=alt.Scale(domain=[1, depth + 1]), axis=alt.Axis(tickMinStep=1, format="d")),
        y=_log_y(df["grad_norm"], f"{symbol} (log)"),
        color=_network_color())
    return alt.layer(base.mark_line(strokeWidth=2.2).encode(
        strokeDash=alt.StrokeDash("when:N", title=None, sort=WHEN,
                                  scale=alt.Scale(domain=WHEN, range=[[6, 4], [1, 0]]),
                                  legend=alt.Legend(orient="bottom", columns=1, **DASH_LEGEND)),
        detail="when:N",
    ), base.mark_point(size=30, filled=True).encode(
        detail="when:N", tooltip=["network:N", "when:N", "step:Q", "layer:Q", alt.Tooltip("grad_norm:Q", format=".3e")]),
    ).properties(title=alt.Title(f"{name[0].upper()}{name[1:]} {symbol} per layer",
                                 subtitle=["dashed: step 1 (at initialization)", "solid: last recorded step"]),
                 height=HEIGHT, width="container")


def heat_domain(grads: pd.DataFrame, kind: str = "weight") -> list[float]:
    """[lowest, highest] positive finite norm of `kind` over both networks: one colour scale for both panels."""
    v = positive(grads[grads["kind"] == kind])["grad_norm"]
    return [float(v.min()), float(v.max())] if len(v) else [1e-12, 1.0]


@memo_chart
def heat_chart(grads: pd.DataFrame, network: str, domain: list[float], kind: str = "weight") -> alt.Chart:
    """One network's layers × recorded steps, colour = gradient norm on a log scale over `domain` (pass
    heat_domain(...) so that both networks' charts share it); the first layer at the bottom."""
    df = positive(grads[(grads["kind"] == kind) & (grads["network"] == network)])
    symbol, name = KINDS[kind]
    return alt.Chart(df).mark_rect().encode(
        x=alt.X("step:O", title="Training step", axis=alt.Axis(labelOverlap=True, labelAngle=0)),
        y=alt.Y("layer:O", title="Layer", sort="descending", axis=alt.Axis(labelOverlap=True)),
        color=alt.Color("grad_norm:Q", scale=alt.Scale(type="log", scheme="viridis", domain=domain), title=symbol,
                        legend=alt.Legend(labelExpr=POWERS_OF_TEN, orient="bottom", gradientLength=220)),
        tooltip=["network:N", "step:Q", "layer:Q", alt.Tooltip("grad_norm:Q", format=".3e")],
    ).properties(title=alt.Title(f"{network}: every layer's {symbol}", subtitle=["during training; the same colours",
                                                                                 "in both charts; blank: exactly 0"]),
                 height=HEIGHT, width="container")


PATH_DASH = {TOTAL: [1, 0], IDENTITY: [8, 4], BRANCH: [2, 3]}


@memo_chart
def paths_chart(paths_long: pd.DataFrame, when: str, depth: int) -> alt.Chart:
    """Per hidden layer l, ‖∂L/∂hₗ‖ (solid) and, for the residual network, its two parts: what came
    through layer l+1's skip (dashed) and through its branch (dotted). `paths_long`: paths.long(...)
    with network and when columns; `when` picks 'at initialization' or 'after training'."""
    df = paths_long[paths_long["when"] == when]
    order = [p for p in PATH_DASH if p in set(df["path"])]
    base = alt.Chart(df).encode(
        x=alt.X("layer:Q", title="Hidden layer l (its output hₗ)", scale=alt.Scale(domain=[1, depth]),
                axis=alt.Axis(tickMinStep=1, format="d")),
        y=_log_y(df["grad_norm"], "Norm (log)"),
        color=_network_color())
    return alt.layer(base.mark_line(strokeWidth=2.2).encode(
        strokeDash=alt.StrokeDash("path:N", title=None, sort=order,
                                  scale=alt.Scale(domain=order, range=[PATH_DASH[p] for p in order]),
                                  legend=alt.Legend(orient="bottom", columns=1, labelLimit=260, **DASH_LEGEND)),
        detail="path:N",
    ), base.mark_point(size=28, filled=True).encode(
        detail="path:N", tooltip=["network:N", "path:N", "layer:Q", alt.Tooltip("grad_norm:Q", format=".3e")]),
    ).properties(title=alt.Title(["Gradient reaching each hidden layer,", when],
                                 subtitle=["solid: all of ‖∂L/∂hₗ‖", "dashed: the skip path · dotted: the branch path"]),
                 height=HEIGHT, width="container")


@memo_chart
def spread_chart(seeds: pd.DataFrame) -> alt.LayerChart:
    """Final validation accuracy of every seed (one point each) per network, on a 0–100% axis with the
    10% chance line."""
    df = seeds.assign(seed=seeds["seed"].astype(str))
    points = alt.Chart(df).mark_point(size=160, filled=True, opacity=0.85).encode(
        x=alt.X("val_acc:Q", title="Validation accuracy after training", scale=alt.Scale(domain=[0, 1]),
                axis=alt.Axis(format="%")),
        y=alt.Y("network:N", sort=ORDER, title=None, axis=alt.Axis(labelFontWeight="bold")),
        color=_network_color(legend=False),
        tooltip=["network:N", "seed:N", alt.Tooltip("val_acc:Q", format=".1%"), "headline:N"],
    )
    ranges = alt.Chart(df).mark_rule(strokeWidth=2, opacity=0.6).encode(
        x="min(val_acc):Q", x2="max(val_acc):Q", y=alt.Y("network:N", sort=ORDER), color=_network_color(legend=False))
    chance = alt.Chart(pd.DataFrame({"v": [0.1]})).mark_rule(color=GUIDE, strokeDash=[6, 4]).encode(x="v:Q")
    label = alt.Chart(pd.DataFrame({"v": [0.1], "text": ["chance: 10%"]})).mark_text(
        align="left", dx=4, baseline="top", color=GUIDE, fontSize=12).encode(x="v:Q", y=alt.value(2), text="text:N")
    return alt.layer(chance, label, ranges, points).properties(
        title=alt.Title("Spread over seeds", subtitle="one point per seed; the line spans the lowest to the highest"),
        height=300, width="container")


@memo_chart
def slice_chart(slice_: pd.DataFrame) -> alt.LayerChart:
    """L(θ + t·d) against t for each trained network (log loss axis), with ln 10 (guessing) dashed."""
    df = positive(slice_, "loss")
    line = alt.Chart(df).mark_line(point=alt.OverlayMarkDef(size=24), strokeWidth=2.4).encode(
        x=alt.X("t:Q", title="Step t along the direction d (0: the trained weights)"),
        y=alt.Y("loss:Q", title="Training loss (log)", scale=alt.Scale(type="log")),
        color=_network_color(),
        tooltip=["network:N", alt.Tooltip("t:Q", format=".2f"), alt.Tooltip("loss:Q", format=".4f"),
                 alt.Tooltip("accuracy:Q", format=".1%")])
    guess = math.log(10)
    rule = alt.Chart(pd.DataFrame({"v": [guess]})).mark_rule(color=GUIDE, strokeDash=[6, 4]).encode(y="v:Q")
    text = alt.Chart(pd.DataFrame({"v": [guess], "text": [f"guessing: ln 10 ≈ {guess:.2f}"]})).mark_text(
        align="right", baseline="bottom", dx=-4, dy=-3, color=GUIDE, fontSize=12).encode(
        y="v:Q", x=alt.value("width"), text="text:N")
    return alt.layer(line, rule, text).properties(
        title=alt.Title("The loss along one filter-normalised random direction",
                        subtitle="Li et al. 2018: L(θ + t·d), the same random draws for both networks"),
        height=HEIGHT, width="container")
