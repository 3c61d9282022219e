"""Charts of the basics lesson: frames from neuron, perceptron, loop and experiment in, Altair out.

The perceptron's figure is one Vega-Lite spec driven by one parameter, `update` (bound to a range
slider under it): the decision line, the shaded half-planes (computed in the browser from the
recorded weights through a lookup), the example being presented, the errors per epoch so far and the
weights so far all follow it, so scrubbing (or a Play button animating the parameter) needs no rerun.
"""
from __future__ import annotations

import math

import altair as alt
import numpy as np
import pandas as pd

from core.charts import GUIDE_COLOR
from core.data import GATE_INPUTS, GATES
from core.lessons.basics.config import POINT
from core.lessons.basics.perceptron import BOX, PerceptronRun
from core.palette import NEUTRAL, color_scale
from core.memo import memo_chart

PICK = "neuron_pick"  # the click selection on the neuron's planes
SCRUB = "update"  # the perceptron figure's parameter: the update shown
CLASSES = ["y = 1", "y = 0"]  # a gate's two outputs (core.palette)
HIDDEN = ["hidden neuron 1", "hidden neuron 2"]
DIVERGING = "blueorange"  # colour-blind-safe, centred on 0
LINE = "#000000"
# Streamlit's theme sizes a chart to fit its width and height, title, axes and legends included: squares would
# come out squashed. With "pad", width and height are the plot's own and the chart grows around them.
PAD = alt.AutoSizeParams(type="pad")
OUTPUT_DOMAIN = {"step": [0, 1], "sigmoid": [0, 1], "tanh": [-1, 1]}


def _symmetric(values: pd.Series) -> list[float]:
    m = float(np.nanmax(np.abs(values))) if len(values) else 1.0
    m = m if math.isfinite(m) and m > 0 else 1.0
    return [-m, m]


def _cells(grid: pd.DataFrame, step: float) -> alt.Chart:
    """Grid points as rects centred on (x1, x2), overlapping a little (no seams)."""
    h = 0.51 * step
    return alt.Chart(grid).transform_calculate(
        x_lo=f"datum.x1 - {h}", x_hi=f"datum.x1 + {h}", y_lo=f"datum.x2 - {h}", y_hi=f"datum.x2 + {h}")


def _axes(box: tuple[float, float]) -> tuple[alt.Scale, alt.Scale]:
    scale = alt.Scale(domain=list(box), nice=False, zero=False)
    return scale, scale


# ---------------------------------------------------------------- 1. one neuron

@memo_chart
def neuron_plane_chart(grid: pd.DataFrame, line: pd.DataFrame, point: tuple[float, float], value: str,
                       title: str | alt.Title, activation: str = "sigmoid", px: int = 250) -> alt.LayerChart:
    """z (value='z', diverging around 0) or the output (value='output') over the plane, the decision line
    w·x + b = 0 and the picked point; a click on a cell selects it (PICK)."""
    xs, ys = _axes(POINT)
    step = float(np.diff(np.sort(grid["x1"].unique()))[0])
    if value == "z":
        color = alt.Color("z:Q", title="z", scale=alt.Scale(scheme=DIVERGING, domain=_symmetric(grid["z"]), domainMid=0),
                          legend=alt.Legend(orient="bottom", gradientLength=200, format="~g"))
    else:
        domain = OUTPUT_DOMAIN.get(activation, [0, max(1.0, float(grid["output"].max()))])
        color = alt.Color("output:Q", title="output f(z)", scale=alt.Scale(scheme="viridis", domain=domain),
                          legend=alt.Legend(orient="bottom", gradientLength=200, format="~g"))
    pick = alt.selection_point(name=PICK, fields=["x1", "x2"], on="click", clear=False, empty=False)
    heat = _cells(grid, step).mark_rect(strokeWidth=0).encode(
        x=alt.X("x_lo:Q", scale=xs, title="x₁"), x2="x_hi:Q", y=alt.Y("y_lo:Q", scale=ys, title="x₂"), y2="y_hi:Q",
        color=color, tooltip=[alt.Tooltip("x1:Q", format=".1f", title="x₁"), alt.Tooltip("x2:Q", format=".1f", title="x₂"),
                              alt.Tooltip("z:Q", format=".3f"), alt.Tooltip("output:Q", format=".3f", title="f(z)")],
    ).add_params(pick)
    layers = [heat]
    if len(line):
        layers.append(alt.Chart(line).mark_line(color=LINE, strokeWidth=3, strokeDash=[8, 4], clip=True).encode(
            x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=ys)))
    at = pd.DataFrame({"x1": [point[0]], "x2": [point[1]]})
    layers.append(alt.Chart(at).mark_point(shape="circle", size=260, filled=True, fill="white", stroke=LINE,
                                           strokeWidth=3, opacity=1).encode(x=alt.X("x1:Q", scale=xs),
                                                                            y=alt.Y("x2:Q", scale=ys)))
    return alt.layer(*layers).properties(width=px, height=px, title=title, autosize=PAD)


@memo_chart
def activation_chart(curve: pd.DataFrame, z: float, output: float, label: str) -> alt.LayerChart:
    """f(z) with the picked point's (z, f(z)) and the threshold z = 0 dashed."""
    line = alt.Chart(curve).mark_line(strokeWidth=3, color=color_scale([label]).range[0]).encode(
        x=alt.X("z:Q", title="weighted sum z", scale=alt.Scale(nice=False)), y=alt.Y("output:Q", title=f"{label}(z)",
                                                                     scale=alt.Scale(padding=14)),  # room for the dot at the top
        tooltip=[alt.Tooltip("z:Q", format=".2f"), alt.Tooltip("output:Q", format=".3f")])
    zero = alt.Chart(pd.DataFrame({"z": [0.0]})).mark_rule(strokeDash=[4, 4], color="#999").encode(x="z:Q")
    here = pd.DataFrame({"z": [z], "output": [output]})
    dot = alt.Chart(here).mark_point(size=260, filled=True, fill="white", stroke=LINE, strokeWidth=3, opacity=1,
                                     clip=True).encode(x="z:Q", y="output:Q")
    return alt.layer(zero, line, dot).properties(
        title=alt.Title(f"The activation: {label}", subtitle="the picked point's z and output"), height=330,
        width="container")


@memo_chart
def sweep_chart(sweep: pd.DataFrame, w1: float) -> alt.LayerChart:
    """The output at the picked point as w₁ sweeps its range, step against sigmoid, with the current w₁."""
    order = list(dict.fromkeys(sweep["activation"]))
    lines = alt.Chart(sweep).mark_line(strokeWidth=3, interpolate="linear").encode(
        x=alt.X("w1:Q", title="weight w₁ (w₂ and b as set)"), y=alt.Y("output:Q", title="output at the picked point",
                                                                    scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("activation:N", scale=color_scale(order), title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["activation:N", alt.Tooltip("w1:Q", format=".2f"), alt.Tooltip("output:Q", format=".3f")])
    now = alt.Chart(pd.DataFrame({"w1": [w1]})).mark_rule(strokeDash=[4, 4], color="#555").encode(x="w1:Q")
    return alt.layer(now, lines).properties(
        title=alt.Title("A small change of w₁", subtitle="the step jumps from 0 to 1 at one w₁; the sigmoid slides"),
        height=330, width="container")


# ---------------------------------------------------------------- 2. the perceptron

def _scrubber(last: int) -> alt.Parameter:
    return alt.param(name=SCRUB, value=last,
                     bind=alt.binding_range(min=0, max=last, step=1, name="Show the perceptron after update "))


def gate_points(gate: str) -> pd.DataFrame:
    """A gate's four examples in truth-table order: x1, x2, target, class (CLASSES), label ('1' or '0')."""
    x = np.array(GATE_INPUTS)
    y = np.array(GATES[gate], dtype=float)
    return pd.DataFrame({"x1": x[:, 0], "x2": x[:, 1], "target": y, "class": np.where(y > 0, CLASSES[0], CLASSES[1]),
                         "label": y.astype(int).astype(str)})


@memo_chart
def perceptron_chart(run: PerceptronRun, texts: pd.DataFrame, big: bool = False, px: int | None = None,
                     cells: int = 32) -> alt.VConcatChart:
    """The whole perceptron figure, driven by the SCRUB parameter (the update shown, 0 = before any):

    - the plane: each side of the current line shaded with the class it predicts (computed in the
      browser from the weights after that update), the line, the four examples, a ring on the example
      of that update, and a cross on every example the current line gets wrong;
    - `texts` (update, line, text): the arithmetic of that update, three lines;
    - the errors of each epoch so far, the current epoch marked;
    - the weights w₁, w₂, b after each update so far.
    `big` (presenter mode) sets the arithmetic and the examples' labels in larger type, on a larger plane
    (`px`, the plane's side in pixels: 290, a phone's width, or 400 in presenter mode)."""
    px = px or (400 if big else 290)
    xs, ys = _axes(BOX)
    weights = run.updates[["update", "w1", "w2", "b"]]
    lookup = alt.LookupData(data=weights, key="update", fields=["w1", "w2", "b"])
    step = (BOX[1] - BOX[0]) / cells
    centres = BOX[0] + step * (np.arange(cells) + 0.5)
    g1, g2 = np.meshgrid(centres, centres)
    grid = pd.DataFrame({"x1": g1.ravel(), "x2": g2.ravel()})
    predicts = alt.Scale(domain=["predicts 1", "predicts 0"], range=color_scale(CLASSES).range)
    shade = _cells(grid, step).transform_calculate(u=SCRUB).transform_lookup(lookup="u", from_=lookup).transform_calculate(
        side="datum.w1 * datum.x1 + datum.w2 * datum.x2 + datum.b > 0 ? 'predicts 1' : 'predicts 0'"
    ).mark_rect(opacity=0.22, strokeWidth=0).encode(
        x=alt.X("x_lo:Q", scale=xs, title="x₁"), x2="x_hi:Q", y=alt.Y("y_lo:Q", scale=ys, title="x₂"), y2="y_hi:Q",
        color=alt.Color("side:N", scale=predicts, legend=None))
    line = alt.Chart(run.lines).transform_filter(f"datum.update == {SCRUB}").mark_line(
        color=LINE, strokeWidth=3, clip=True).encode(x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=ys), order="end:Q")
    points = gate_points(run.config.gate)
    classes = alt.Color("class:N", scale=color_scale(CLASSES), title="Target", legend=alt.Legend(orient="bottom"))
    dots = alt.Chart(points).mark_point(size=420, filled=True, opacity=1, stroke="white", strokeWidth=1.5).encode(
        x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=ys), color=classes,
        shape=alt.Shape("class:N", scale=alt.Scale(domain=CLASSES, range=["circle", "square"]), legend=None),
        tooltip=[alt.Tooltip("x1:Q", title="x₁"), alt.Tooltip("x2:Q", title="x₂"), alt.Tooltip("label:N", title="target")])
    labels = alt.Chart(points).mark_text(color="white", fontWeight="bold", fontSize=16 if big else 13).encode(
        x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=ys), text="label:N")
    wrong = alt.Chart(points).transform_calculate(u=SCRUB).transform_lookup(lookup="u", from_=lookup).transform_filter(
        "(datum.w1 * datum.x1 + datum.w2 * datum.x2 + datum.b > 0 ? 1 : 0) != datum.target"
    ).mark_point(shape="cross", size=170, filled=True, color=LINE, angle=45, xOffset=17, yOffset=-17).encode(
        x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=ys))
    current = alt.Chart(run.updates[run.updates["update"] > 0]).transform_filter(f"datum.update == {SCRUB}").mark_point(
        shape="circle", size=1100, filled=False, stroke=LINE, strokeWidth=3, opacity=1).encode(
        x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=ys))
    gate = run.config.gate.upper()
    plane = alt.layer(shade, line, dots, labels, wrong, current).resolve_scale(color="independent").properties(
        width=px, height=px, title=alt.Title(f"{gate}: the line after each update",
                                             subtitle=["shaded: the class each side gets (blue 1, orange 0)",
                                                       "ring: the example of this update · ✕: wrong now"]))
    size = 17 if big else 13
    words = alt.Chart(texts).transform_filter(f"datum.update == {SCRUB}").mark_text(
        align="left", baseline="top", fontSize=size, limit=px + 40).encode(
        x=alt.value(0), y=alt.Y("line:O", axis=None), text="text:N").properties(
        width=px, height=round(1.4 * size * max(3, int(texts["line"].max()) if len(texts) else 3)) + 2)
    errors = _errors_chart(run, px)
    trace = _weights_chart(run, px)
    return alt.vconcat(plane, words, errors, trace, spacing=14).add_params(_scrubber(run.last_update)).resolve_scale(
        color="independent", shape="independent").properties(autosize=PAD)


def _errors_chart(run: PerceptronRun, px: int) -> alt.LayerChart:
    epochs = int(run.epochs["epoch"].max())
    shown = run.updates[run.updates["update"] > 0]
    xscale = alt.Scale(domain=[0.5, epochs + 0.5], nice=False, zero=False)
    bars = alt.Chart(shown).transform_filter(f"datum.update <= {SCRUB}").transform_aggregate(
        errors="sum(mistakes)", groupby=["epoch"]).transform_calculate(
        lo="datum.epoch - 0.4", hi="datum.epoch + 0.4").mark_rect(color=NEUTRAL).encode(
        x=alt.X("lo:Q", scale=xscale, title="Epoch (4 updates each)", axis=alt.Axis(tickMinStep=1, format="d")), x2="hi:Q",
        y=alt.Y("errors:Q", title="Errors", scale=alt.Scale(domain=[0, 4]), axis=alt.Axis(tickMinStep=1, values=[0, 1, 2, 3, 4])),
        y2=alt.datum(0), tooltip=["epoch:Q", "errors:Q"])
    now = alt.Chart(shown).transform_filter(f"datum.update == {SCRUB}").mark_rule(color=LINE, strokeDash=[3, 3]).encode(
        x=alt.X("epoch:Q", scale=xscale))
    return alt.layer(bars, now).properties(width=px, height=110, title="Errors in each epoch so far")


def _weights_chart(run: PerceptronRun, px: int) -> alt.LayerChart:
    long = run.updates.melt(id_vars=["update"], value_vars=["w1", "w2", "b"], var_name="weight", value_name="value")
    long["weight"] = long["weight"].map({"w1": "w₁", "w2": "w₂", "b": "b"})
    lo, hi = float(long["value"].min()), float(long["value"].max())
    pad = max(0.05, 0.1 * (hi - lo))
    xscale = alt.Scale(domain=[0, run.last_update], nice=False, zero=False)
    lines = alt.Chart(long).transform_filter(f"datum.update <= {SCRUB}").mark_line(
        strokeWidth=2.2, interpolate="step-after").encode(
        x=alt.X("update:Q", scale=xscale, title="Update"),
        y=alt.Y("value:Q", title="Weight", scale=alt.Scale(domain=[lo - pad, hi + pad], nice=False)),
        color=alt.Color("weight:N", title=None, scale=alt.Scale(domain=["w₁", "w₂", "b"],
                                                               range=["#009E73", "#CC79A7", "#555555"]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=["weight:N", "update:Q", alt.Tooltip("value:Q", format=".4f")])
    now = alt.Chart(pd.DataFrame({"x": [0]})).transform_calculate(u=SCRUB).mark_rule(
        color=LINE, strokeDash=[3, 3]).encode(x=alt.X("u:Q", scale=xscale))
    return alt.layer(lines, now).properties(width=px, height=110, title="The weights after each update")


@memo_chart
def xor_plane_chart(grid: pd.DataFrame, hidden: pd.DataFrame, points: pd.DataFrame, px: int = 280) -> alt.LayerChart:
    """The two-layer network's output over the gates' plane, its hidden neurons' lines and the four examples
    (points: x1, x2, class, label)."""
    xs, ys = _axes(BOX)
    step = float(np.diff(np.sort(grid["x1"].unique()))[0])
    heat = _cells(grid, step).mark_rect(strokeWidth=0, opacity=0.85).encode(
        x=alt.X("x_lo:Q", scale=xs, title="x₁"), x2="x_hi:Q", y=alt.Y("y_lo:Q", scale=ys, title="x₂"), y2="y_hi:Q",
        color=alt.Color("output:Q", title="output", scale=alt.Scale(scheme="blueorange", domain=[0, 1], reverse=True),
                        legend=None),
        tooltip=[alt.Tooltip("x1:Q", format=".2f"), alt.Tooltip("x2:Q", format=".2f"),
                 alt.Tooltip("output:Q", format=".3f")])
    lines = alt.Chart(hidden).mark_line(strokeWidth=3, clip=True).encode(
        x=alt.X("x1:Q", scale=xs), y=alt.Y("x2:Q", scale=ys), order="end:Q",
        strokeDash=alt.StrokeDash("neuron:N", scale=alt.Scale(domain=HIDDEN, range=[[1, 0], [7, 4]]),
                                  title="Decision lines", legend=alt.Legend(orient="bottom", symbolStrokeColor=LINE)),
        color=alt.value(LINE))
    return alt.layer(heat, lines, *_examples(points, "x1", "x2", xs, ys)).properties(
        width=px, height=px, autosize=PAD, title=alt.Title("Two sigmoid neurons, then one",
                                             subtitle=["colour: the network's output, blue near 1, orange near 0",
                                                       "lines: the hidden neurons' z = 0"]))


def _examples(points: pd.DataFrame, x: str, y: str, xs: alt.Scale, ys: alt.Scale) -> list[alt.Chart]:
    classes = alt.Color("class:N", scale=color_scale(CLASSES), title="Target", legend=None)
    dots = alt.Chart(points).mark_point(size=420, filled=True, opacity=1, stroke="white", strokeWidth=1.5).encode(
        x=alt.X(f"{x}:Q", scale=xs), y=alt.Y(f"{y}:Q", scale=ys), color=classes,
        shape=alt.Shape("class:N", scale=alt.Scale(domain=CLASSES, range=["circle", "square"]), legend=None),
        tooltip=[alt.Tooltip(f"{x}:Q", format=".3f"), alt.Tooltip(f"{y}:Q", format=".3f"), "label:N"])
    labels = alt.Chart(points).mark_text(color="white", fontWeight="bold", fontSize=13).encode(
        x=alt.X(f"{x}:Q", scale=xs), y=alt.Y(f"{y}:Q", scale=ys), text="label:N")
    return [dots, labels]


@memo_chart
def hidden_space_chart(rows: pd.DataFrame, line: pd.DataFrame, px: int = 280) -> alt.LayerChart:
    """The four examples as the output neuron sees them, (h1, h2), with its decision line."""
    scale = alt.Scale(domain=[-0.05, 1.05], nice=False, zero=False)
    points = rows.assign(**{"class": np.where(rows["target"] > 0, CLASSES[0], CLASSES[1]),
                            "label": rows["target"].astype(int).astype(str)})
    layers = []
    if len(line):
        layers.append(alt.Chart(line).mark_line(color=LINE, strokeWidth=3, clip=True).encode(
            x=alt.X("h1:Q", scale=scale), y=alt.Y("h2:Q", scale=scale)))
    layers += _examples(points, "h1", "h2", scale, scale)
    return alt.layer(*layers).encode(x=alt.X("h1:Q", scale=scale, title="hidden neuron 1's output h₁"),
                                     y=alt.Y("h2:Q", scale=scale, title="hidden neuron 2's output h₂")).properties(
        width=px, height=px, autosize=PAD, title=alt.Title("What the output neuron sees", subtitle="in (h₁, h₂) one line separates them"))


# ---------------------------------------------------------------- 3. the sum of three

@memo_chart
def mse_chart(steps: pd.DataFrame, epochs: pd.DataFrame, label: str) -> alt.LayerChart:
    """Training MSE per step (thin) and validation MSE at each epoch's end (dots), log scale."""
    train = steps.assign(kind="training batches")[["step", "loss", "kind"]]
    val = epochs.assign(kind="validation set").rename(columns={"val_loss": "loss"})[["step", "loss", "kind"]]
    data = pd.concat([train, val], ignore_index=True)
    data = data[np.isfinite(data["loss"].astype(float)) & (data["loss"].astype(float) > 0)]
    kinds = ["training batches", "validation set"]
    color = alt.Color("kind:N", scale=color_scale(kinds), title=None,
                      legend=alt.Legend(orient="bottom"))
    base = alt.Chart(data).encode(x=alt.X("step:Q", title="Optimizer step", axis=alt.Axis(format=",d")),
                                  y=alt.Y("loss:Q", title="MSE (log scale)", scale=alt.Scale(type="log"),
                                          axis=alt.Axis(format="~g")), color=color,
                                  tooltip=["kind:N", "step:Q", alt.Tooltip("loss:Q", format=".4g")])
    line = base.transform_filter(f"datum.kind == '{kinds[0]}'").mark_line(strokeWidth=1.2, opacity=0.8)
    dots = base.transform_filter(f"datum.kind == '{kinds[1]}'").mark_line(strokeWidth=2.5, point=True)
    return alt.layer(line, dots).properties(title=alt.Title(f"{label}: mean squared error",
                                                            subtitle="each step's batch, and the validation set "
                                                                     "after each epoch"),
                                            height=380, width="container")


@memo_chart
def fit_chart(val: pd.DataFrame, mean: float) -> alt.LayerChart:
    """Each validation triple's prediction against its true sum, the line ŷ = y, and the targets' mean."""
    lo = float(min(val["y"].min(), np.nanmin(val["y_hat"]))) if val["y_hat"].notna().any() else float(val["y"].min())
    hi = float(max(val["y"].max(), np.nanmax(val["y_hat"]))) if val["y_hat"].notna().any() else float(val["y"].max())
    diagonal = alt.Chart(pd.DataFrame({"y": [lo, hi], "y_hat": [lo, hi]})).mark_line(color="#999", strokeDash=[5, 4]).encode(
        x="y:Q", y="y_hat:Q")
    mean_line = alt.Chart(pd.DataFrame({"m": [mean], "text": [f"mean of the targets: {mean:.3g}"]})).mark_rule(
        color=GUIDE_COLOR, strokeDash=[2, 3]).encode(y="m:Q")
    dots = alt.Chart(val.dropna()).mark_circle(size=36, opacity=0.6, color=NEUTRAL).encode(
        x=alt.X("y:Q", title="true sum a + b + c", scale=alt.Scale(zero=False)),
        y=alt.Y("y_hat:Q", title="prediction ŷ", scale=alt.Scale(zero=False)),
        tooltip=[alt.Tooltip(c, format=".3f") for c in ("a", "b", "c", "y", "y_hat")])
    return alt.layer(diagonal, mean_line, dots).properties(
        title=alt.Title("Predictions on 200 validation triples",
                        subtitle="dashes: ŷ = y (perfect) · dots: the targets' mean"),
        height=380, width="container")


# ---------------------------------------------------------------- 4. the classifier

@memo_chart
def confusion_chart(confusion: pd.DataFrame, classes: tuple[str, ...], px: int = 300) -> alt.LayerChart:
    """Counts of (true class, predicted class) on the validation images; colour: share of the true class."""
    frame = confusion.assign(true_name=[classes[int(i)] for i in confusion["true"]],
                             predicted_name=[classes[int(i)] for i in confusion["predicted"]])
    order = list(classes)
    base = alt.Chart(frame).encode(
        x=alt.X("predicted_name:N", sort=order, title="Predicted", axis=alt.Axis(labelAngle=-40, labelOverlap=False)),
        y=alt.Y("true_name:N", sort=order, title="True class", axis=alt.Axis(labelOverlap=False)))  # every class named
    cells = base.mark_rect().encode(
        color=alt.Color("share:Q", scale=alt.Scale(scheme="blues", domain=[0, 1]), title="share of the true class",
                        legend=alt.Legend(orient="bottom", format=".0%", gradientLength=160)),
        tooltip=[alt.Tooltip("true_name:N", title="true"), alt.Tooltip("predicted_name:N", title="predicted"),
                 "count:Q", alt.Tooltip("share:Q", format=".1%")])
    text = base.transform_filter("datum.count > 0").mark_text(fontSize=11).encode(
        text="count:Q", color=alt.condition("datum.share > 0.5", alt.value("white"), alt.value("#222")))
    return alt.layer(cells, text).properties(
        width=px, height=px, autosize=PAD, title=alt.Title("Confusion matrix", subtitle="validation images; the diagonal is right"))
