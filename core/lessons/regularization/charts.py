"""Charts of the regularization lesson: DataFrames from core.lessons.regularization.experiment in, Altair out."""
from __future__ import annotations

import math

import altair as alt
import pandas as pd

from core.charts import GUIDE_COLOR, HEIGHT, SUBTITLE, WIDTH, wrap_text
from core.lessons.regularization.config import REGULARIZERS
from core.palette import color_of, color_scale
from core.memo import memo_chart

SETS = ["Training set", "Test set"]  # curve fitting: Bishop's training points and his test set
CURVES = ["fitted polynomial", "sin(2πx)"]
SPLITS = ["Training", "Validation"]  # the networks: measured on the training images and on the validation images
ORDER = list(REGULARIZERS.values())
Y_LIMIT = 1.5  # the curve chart's y range, ±1.5 as Bishop's Figure 1.4 (a wild fit leaves it, clipped)


@memo_chart
def guide(value: float, text: str) -> alt.LayerChart:
    """A dashed grey reference line across the plot, labelled at its right end (chance, guessing)."""
    frame = pd.DataFrame({"v": [value], "text": [text]})
    rule = alt.Chart(frame).mark_rule(color=GUIDE_COLOR, strokeDash=[6, 4], strokeWidth=1.5).encode(
        y=alt.Y("v:Q", title=None))
    label = alt.Chart(frame).mark_text(align="right", baseline="bottom", dx=-4, dy=-3, color=GUIDE_COLOR,
                                       fontSize=12).encode(y=alt.Y("v:Q", title=None), x=alt.value("width"),
                                                           text="text:N")
    return rule + label


def _legend(title: str | None, columns: int = 4) -> alt.Legend:
    return alt.Legend(title=title, orient="bottom", columns=columns, symbolStrokeWidth=3, labelLimit=220)


# ---------------------------------------------------------------- 1. curve fitting

@memo_chart
def curve_chart(fitted: pd.DataFrame, train: pd.DataFrame, title: str) -> alt.LayerChart:
    """The fitted polynomial (red, as Bishop), sin(2πx) (green) and the training points (blue circles);
    y clipped to ±Y_LIMIT. `fitted`: x, fit, truth; `train`: x, t."""
    long = pd.concat([fitted.assign(curve=CURVES[0], y=fitted["fit"]), fitted.assign(curve=CURVES[1], y=fitted["truth"])])
    scale = alt.Scale(domain=[-Y_LIMIT, Y_LIMIT], clamp=False)
    lines = alt.Chart(long).mark_line(strokeWidth=3, clip=True).encode(
        x=alt.X("x:Q", title="x", scale=alt.Scale(domain=[0, 1])),
        y=alt.Y("y:Q", title="t", scale=scale),
        color=alt.Color("curve:N", scale=color_scale(CURVES), legend=_legend(None)),
        strokeDash=alt.StrokeDash("curve:N", scale=alt.Scale(domain=CURVES, range=[[1, 0], [6, 4]]), legend=None),
        tooltip=[alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f"), "curve:N"])
    points = alt.Chart(train).mark_circle(size=110, opacity=1, color=color_of("Training set"), stroke="white",
                                          strokeWidth=1).encode(
        x="x:Q", y=alt.Y("t:Q", scale=scale),
        tooltip=[alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("t:Q", format=".3f")])
    return alt.layer(lines, points).properties(title=title, height=HEIGHT, width=WIDTH)


@memo_chart
def rms_chart(by: pd.DataFrame, x: str, x_title: str, marked: float | None, title: str,
              subtitle: str | None = None) -> alt.LayerChart:
    """Training and test E_RMS (long: x, set, rms) against `x` (the degree M or ln λ), a vertical rule at
    the current value `marked`; the y axis stops at 1.5 (a wild fit's test error leaves it, clipped)."""
    top = max(1.0, min(1.5, float(by["rms"].max()) * 1.05))
    by = by.assign(set=by["set"] + " set")  # "Training" -> "Training set": the palette's names
    base = alt.Chart(by).encode(
        x=alt.X(f"{x}:Q", title=x_title, axis=alt.Axis(tickMinStep=1) if x == "M" else alt.Axis()),
        y=alt.Y("rms:Q", title="RMS error", scale=alt.Scale(domain=[0, top], clamp=False)),
        color=alt.Color("set:N", scale=color_scale(SETS), legend=_legend(None)),
        tooltip=["set:N", alt.Tooltip(f"{x}:Q", format="g"), alt.Tooltip("rms:Q", format=".3f")])
    layers = [base.mark_line(strokeWidth=3, clip=True),
              base.mark_point(size=70, filled=True, clip=True) if x == "M" else base.mark_line(clip=True)]
    if marked is not None:
        layers.insert(0, alt.Chart(pd.DataFrame({"v": [marked]})).mark_rule(
            color=GUIDE_COLOR, strokeDash=[4, 4]).encode(x="v:Q"))
    heading = alt.Title(title, subtitle=subtitle) if subtitle else title
    return alt.layer(*layers).properties(title=heading, height=HEIGHT, width=WIDTH)


# ---------------------------------------------------------------- networks: training and validation

@memo_chart
def history_chart(evals: pd.DataFrame, metric: str, order: list[str], title: str,
                  guess: tuple[float, str] | None = None, loss_title: str = "Loss") -> alt.LayerChart:
    """Training (solid) and validation (dashed) loss or accuracy (`metric`: 'loss' | 'accuracy') against
    the epoch, one colour per run. Accuracy runs 0–100% with the 10% chance line; a loss gets `guess`
    (value, label) as a dashed line."""
    is_acc = metric == "accuracy"
    df = evals[pd.to_numeric(evals[metric], errors="coerce").map(lambda v: math.isfinite(v))]
    y = alt.Y(f"{metric}:Q", title="Accuracy" if is_acc else loss_title,
              axis=alt.Axis(format="%") if is_acc else alt.Axis(format="~g"),
              scale=alt.Scale(domain=[0, 1]) if is_acc else alt.Scale(zero=True))
    lines = alt.Chart(df).mark_line(strokeWidth=2.5, clip=True).encode(
        x=alt.X("epoch:Q", title="Epoch"), y=y,
        color=alt.Color("run:N", scale=color_scale(order), legend=_legend("Network", 2)),
        strokeDash=alt.StrokeDash("set:N", scale=alt.Scale(domain=SPLITS, range=[[1, 0], [6, 3]]), legend=None),
        detail="set:N",
        tooltip=["run:N", "set:N", alt.Tooltip("epoch:Q", format=".2f"),
                 alt.Tooltip(f"{metric}:Q", format=".2%" if is_acc else ".4f")])
    layers = [lines]
    if is_acc:
        layers.append(guide(0.1, "chance: 10%"))
    elif guess is not None:
        layers.append(guide(*guess))
    head, _, detail = title.partition(": ")  # "Cost: training (solid) and …": the key as a subtitle, which a
    # phone's narrow chart wraps instead of cutting off
    heading = alt.Title(head, subtitle=wrap_text(detail, SUBTITLE)) if detail else title
    return alt.layer(*layers).properties(title=heading, height=HEIGHT, width=WIDTH)


@memo_chart
def validation_chart(evals: pd.DataFrame, order: list[str], title: str) -> alt.LayerChart:
    """Validation accuracy against the epoch, one line per run (the comparison), 0–100% with chance.
    `evals`: tidy_evals's long frame (only its Validation rows are drawn)."""
    df = evals[evals["set"] == "Validation"]
    lines = alt.Chart(df).mark_line(strokeWidth=2.5, clip=True).encode(
        x=alt.X("epoch:Q", title="Epoch"),
        y=alt.Y("accuracy:Q", title="Validation accuracy", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("run:N", scale=color_scale(order), legend=_legend("Regularizer", 2)),
        tooltip=["run:N", alt.Tooltip("epoch:Q", format=".2f"), alt.Tooltip("accuracy:Q", format=".2%"),
                 alt.Tooltip("loss:Q", format=".4f", title="validation loss")])
    return alt.layer(lines, guide(0.1, "chance: 10%")).properties(title=title, height=HEIGHT, width=WIDTH)


def difference_frame(evals: pd.DataFrame, baseline: str) -> pd.DataFrame:
    """Each run's validation accuracy minus the `baseline` run's at the same step, in percentage points.
    Long: run, step, epoch, points (the baseline itself left out; steps the baseline lacks are dropped)."""
    val = evals[evals["set"] == "Validation"]
    base = val[val["run"] == baseline][["step", "accuracy"]].rename(columns={"accuracy": "base"})
    df = val[val["run"] != baseline].merge(base, on="step")
    return df.assign(points=100 * (df["accuracy"] - df["base"]))[["run", "step", "epoch", "points"]]


@memo_chart
def difference_chart(diff: pd.DataFrame, order: list[str], baseline: str, title: str) -> alt.LayerChart:
    """Validation accuracy of each run minus the baseline's, in percentage points, against the epoch:
    the small differences a 0–100% axis cannot show, with the baseline as the line at 0."""
    others = [label for label in order if label != baseline]
    lines = alt.Chart(diff).mark_line(strokeWidth=2.5).encode(
        x=alt.X("epoch:Q", title="Epoch"),
        y=alt.Y("points:Q", title=f"Points above {baseline.lower()}"),
        color=alt.Color("run:N", scale=color_scale(others), legend=_legend("Regularizer", 2)),
        tooltip=["run:N", alt.Tooltip("epoch:Q", format=".2f"), alt.Tooltip("points:Q", format="+.2f")])
    return alt.layer(lines, guide(0.0, baseline)).properties(
        title=alt.Title(title, subtitle="validation accuracy minus the plain network's, same step"),
        height=HEIGHT, width=WIDTH)


@memo_chart
def gap_chart(table: pd.DataFrame, order: list[str], title: str) -> alt.LayerChart:
    """Per run, training accuracy (hollow) and validation accuracy (filled) joined by a bar: the
    generalisation gap. `table`: run, train_acc, val_acc, gap. Accuracy axis 0–100%."""
    df = table.dropna(subset=["train_acc", "val_acc"])
    y = alt.Y("run:N", sort=order, title=None, axis=alt.Axis(labelLimit=260))
    bar = alt.Chart(df).mark_rule(strokeWidth=4, opacity=0.5).encode(
        y=y, x=alt.X("val_acc:Q", title="Accuracy", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        x2="train_acc:Q", color=alt.Color("run:N", scale=color_scale(order), legend=None))
    tips = ["run:N", alt.Tooltip("train_acc:Q", format=".2%", title="training"),
            alt.Tooltip("val_acc:Q", format=".2%", title="validation"), alt.Tooltip("gap:Q", format=".2%")]
    val = alt.Chart(df).mark_point(size=200, filled=True, opacity=1).encode(
        y=y, x="val_acc:Q", color=alt.Color("run:N", scale=color_scale(order), legend=None), tooltip=tips)
    tr = alt.Chart(df).mark_point(size=200, filled=False, strokeWidth=2.5, opacity=1).encode(
        y=y, x="train_acc:Q", color=alt.Color("run:N", scale=color_scale(order), legend=None), tooltip=tips)
    chance = alt.Chart(pd.DataFrame({"v": [0.1]})).mark_rule(color=GUIDE_COLOR, strokeDash=[6, 4]).encode(x="v:Q")
    return alt.layer(chance, bar, tr, val).properties(
        title=alt.Title(title, subtitle=wrap_text("filled: validation · hollow: training images (eval mode) · "
                                                  "the bar: the gap", SUBTITLE)),
        height=max(220, 48 * len(df) + 80), width=WIDTH)


# ---------------------------------------------------------------- 4. dropout made visible

@memo_chart
def mask_chart(frame: pd.DataFrame, column: str, title: str, domain: tuple[float, float] | None = None,
               binary: bool = False) -> alt.Chart:
    """A heatmap of one column of a dropout view (example x unit): the activations on a shared colour
    scale, or the keep mask in two colours (kept / dropped)."""
    if binary:
        df = frame.assign(state=frame[column].map({1: "kept", 0: "dropped"}))
        color = alt.Color("state:N", scale=color_scale(["kept", "dropped"]), legend=_legend(None, 2))
    else:
        df = frame
        color = alt.Color(f"{column}:Q", scale=alt.Scale(scheme="greys", domain=list(domain) if domain else None),
                          legend=alt.Legend(title="value", orient="bottom", gradientLength=200))
    return alt.Chart(df).mark_rect().encode(
        x=alt.X("unit:O", title="Unit", axis=alt.Axis(labelAngle=0, values=list(range(1, 33, 4)))),
        y=alt.Y("example:O", title="Example in the batch"),
        color=color,
        tooltip=["example:O", "unit:O", alt.Tooltip("h:Q", format=".3f", title="h (before dropout)"),
                 alt.Tooltip("kept:Q", title="kept (1) or dropped (0)"),
                 alt.Tooltip("train:Q", format=".3f", title="train mode"),
                 alt.Tooltip("eval:Q", format=".3f", title="eval mode")],
    ).properties(title=title, height=360, width=WIDTH)


# ---------------------------------------------------------------- 5. more data

@memo_chart
def data_chart(table: pd.DataFrame, order: list[str], title: str) -> alt.LayerChart:
    """Training accuracy (solid) and validation accuracy (dashed) against the number of training
    images (log axis), per network; 0–100% with chance. `table`: run, images, val_acc, train_acc."""
    long = pd.concat([table.assign(set="Validation", accuracy=table["val_acc"]),
                      table.assign(set="Training", accuracy=table["train_acc"])])
    long = long[pd.to_numeric(long["accuracy"], errors="coerce").map(lambda v: math.isfinite(v))]
    ticks = sorted(table["images"].unique().tolist())
    domain = [ticks[0] / 1.25, ticks[-1] * 1.25] if ticks else None  # room for the end points
    base = alt.Chart(long).encode(
        x=alt.X("images:Q", title="Training images (log scale)", scale=alt.Scale(type="log", domain=domain),
                axis=alt.Axis(values=ticks, format=",d")),
        y=alt.Y("accuracy:Q", title="Accuracy", axis=alt.Axis(format="%"), scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("run:N", scale=color_scale(order), legend=_legend("Network", 2)),
        strokeDash=alt.StrokeDash("set:N", scale=alt.Scale(domain=SPLITS, range=[[1, 0], [6, 3]]), legend=None),
        detail="set:N",
        tooltip=["run:N", "set:N", alt.Tooltip("images:Q", format=",d"), alt.Tooltip("accuracy:Q", format=".2%")])
    return alt.layer(base.mark_line(strokeWidth=2.5), base.mark_point(size=60, filled=True),
                     guide(0.1, "chance: 10%")).properties(title=title, height=HEIGHT, width=WIDTH)
