"""Charts of the cost-function lesson: DataFrames from the lesson's modules in, Altair out.

The two cost surfaces as heat maps and a slice through them, the softmax's probabilities, the one
neuron's output and gradient per epoch, the gradient reaching the output layer on MNIST, the untrained
network's output pre-activations, and the two bugs' losses against their floors.
"""
from __future__ import annotations

import math

import altair as alt
import pandas as pd

from core.charts import GUIDE_COLOR, HEIGHT, WIDTH, accuracy_chart, decades
from core.palette import color_scale
from core.memo import memo_chart

SURFACE_SCHEME = "viridis"  # sequential and colour-blind safe: dark = low cost, bright = high
# total height of a chart whose legend lists five to seven long cost names one a row (Streamlit sizes
# the whole chart, legend included, to the spec's height: at HEIGHT a phone's plot would shrink to a strip)
TALL = 540


def _color(order: list[str], title: str, columns: int | None = None) -> alt.Color:
    return alt.Color("run:N", scale=color_scale(order), title=title,
                     legend=alt.Legend(orient="bottom", symbolStrokeWidth=3, symbolOpacity=1, labelLimit=400,
                                       columns=columns or alt.Undefined))


def _guide(value: float, text: str) -> alt.LayerChart:
    """A dashed horizontal reference line with its label at the right end (as core.charts draws them)."""
    frame = pd.DataFrame({"v": [value], "text": [text]})
    rule = alt.Chart(frame).mark_rule(color=GUIDE_COLOR, strokeDash=[6, 4], strokeWidth=1.5).encode(
        y=alt.Y("v:Q", title=None))
    label = alt.Chart(frame).mark_text(align="right", baseline="bottom", dx=-4, dy=-3, color=GUIDE_COLOR,
                                       fontSize=12).encode(y="v:Q", x=alt.value("width"), text="text:N")
    return rule + label


@memo_chart
def accuracy(epochs: pd.DataFrame, order: list[str], title: str = "Validation accuracy") -> alt.LayerChart:
    """core.charts.accuracy_chart (0-100%, the chance line) with the costs' long names in full, one a row."""
    return accuracy_chart(epochs, title, order, label_limit=400, legend_columns=1).properties(height=TALL)


# ---------------------------------------------------------------- 1. the flat cost

@memo_chart
def surface_chart(grid: pd.DataFrame, neuron: str, point: tuple[float, float], subtitle: str | list[str],
                  height: int = 420) -> alt.LayerChart:
    """One neuron's cost over (w1, w2) as a heat map (cells centred on the drawn grid points) with the
    probed point (w1, w2) marked. The colours span this neuron's own lowest to highest cost: on a scale
    shared with the step's 0–0.5 the sigmoid's 0.12–0.27 would look as flat as the step (the slice chart
    compares the two on one axis)."""
    df = grid[grid["neuron"] == neuron].copy()
    low, high = float(df["cost"].min()), float(df["cost"].max())
    step = float(pd.Series(sorted(df["w1"].unique())).diff().median())
    df["w1_lo"], df["w1_hi"] = df["w1"] - step / 2, df["w1"] + step / 2
    df["w2_lo"], df["w2_hi"] = df["w2"] - step / 2, df["w2"] + step / 2
    cells = alt.Chart(df).mark_rect().encode(
        x=alt.X("w1_lo:Q", title="weight w1", scale=alt.Scale(nice=False, zero=False)), x2="w1_hi:Q",
        y=alt.Y("w2_lo:Q", title="weight w2", scale=alt.Scale(nice=False, zero=False)), y2="w2_hi:Q",
        color=alt.Color("cost:Q", title="MSE", scale=alt.Scale(scheme=SURFACE_SCHEME, domain=[low, high if high > low else low + 1]),
                        legend=alt.Legend(orient="right", gradientLength=200)),
        tooltip=[alt.Tooltip("w1:Q", format=".2f"), alt.Tooltip("w2:Q", format=".2f"),
                 alt.Tooltip("cost:Q", title="MSE", format=".4f")])
    marker = alt.Chart(pd.DataFrame({"w1": [point[0]], "w2": [point[1]]})).mark_point(
        shape="cross", size=260, strokeWidth=3, color="#ffffff", filled=True).encode(x="w1:Q", y="w2:Q")
    return alt.layer(cells, marker).properties(
        title=alt.Title(f"{neuron} neuron: cost over two weights", subtitle=subtitle), width=WIDTH, height=height)


@memo_chart
def slice_chart(frame: pd.DataFrame, w2: float, order: list[str]) -> alt.Chart:
    """Both costs along w1 at fixed w2 (every grid point)."""
    return alt.Chart(frame.rename(columns={"neuron": "run"})).mark_line(strokeWidth=2.5, interpolate="linear").encode(
        x=alt.X("w1:Q", title="weight w1"), y=alt.Y("cost:Q", title="MSE", scale=alt.Scale(zero=True)),
        color=_color(order, "Output"),
        tooltip=["run:N", alt.Tooltip("w1:Q", format=".3f"), alt.Tooltip("cost:Q", format=".4f")],
    ).properties(title=alt.Title(f"A slice through both surfaces at w2 = {w2:g}",
                                 subtitle="the step cost is piecewise flat: flat stretches, vertical jumps"),
                 height=HEIGHT, width=WIDTH)


# ---------------------------------------------------------------- 2. one neuron

@memo_chart
def neuron_chart(frame: pd.DataFrame, order: list[str]) -> alt.Chart:
    """The neuron's output a per epoch, one line per cost, target 0."""
    return alt.Chart(frame.rename(columns={"cost": "run"})).mark_line(strokeWidth=3).encode(
        x=alt.X("epoch:Q", title="Epoch"),
        y=alt.Y("a:Q", title="Output a = σ(wx + b)", scale=alt.Scale(domain=[0, 1])),
        color=_color(order, "Cost"),
        tooltip=["run:N", "epoch:Q", alt.Tooltip("a:Q", format=".4f"), alt.Tooltip("C:Q", title="cost", format=".4f"),
                 alt.Tooltip("w:Q", format=".3f"), alt.Tooltip("b:Q", format=".3f")],
    ).properties(title=alt.Title("The neuron's output while it learns", subtitle="input 1, target output 0"),
                 height=HEIGHT, width=WIDTH)


@memo_chart
def neuron_gradient_chart(frame: pd.DataFrame, order: list[str]) -> alt.Chart:
    """|∂C/∂w| per epoch on a log axis, one line per cost."""
    df = frame.rename(columns={"cost": "run"}).assign(size=lambda d: d["grad_w"].abs())
    df = df[df["size"] > 0]
    return alt.Chart(df).mark_line(strokeWidth=3).encode(
        x=alt.X("epoch:Q", title="Epoch"),
        y=alt.Y("size:Q", title="|∂C/∂w|", scale=alt.Scale(type="log"),
                axis=alt.Axis(values=decades(df["size"]), format="~g")),
        color=_color(order, "Cost"),
        tooltip=["run:N", "epoch:Q", alt.Tooltip("grad_w:Q", title="∂C/∂w", format=".5f")],
    ).properties(title=alt.Title("How hard each step pushes the weight",
                                 subtitle="quadratic: (a − y)·σ′(z)·x · cross-entropy: (a − y)·x"),
                 height=HEIGHT, width=WIDTH)


# ---------------------------------------------------------------- 3. softmax

@memo_chart
def softmax_chart(table: pd.DataFrame, target: int) -> alt.LayerChart:
    """Each class's probability as a bar, the true class's highlighted, its value written on top in whole
    percent ("<1%" below 0.5%): at most three characters, which fit over a bar on a phone (the table
    beside it has the digits)."""
    df = table.assign(kind=["true class" if c == target else "other classes" for c in table["class"]],
                      text=[f"{100 * p:.0f}%" if p >= 0.005 else "<1%" for p in table["p"]])
    base = alt.Chart(df).encode(x=alt.X("class:O", title="Class", axis=alt.Axis(labelAngle=0)))
    bars = base.mark_bar().encode(
        y=alt.Y("p:Q", title="Probability p", scale=alt.Scale(domain=[0, 1])),
        color=alt.Color("kind:N", title=None, scale=color_scale(["true class", "other classes"]),
                        legend=alt.Legend(orient="bottom")),
        tooltip=["class:O", alt.Tooltip("z:Q", format=".2f"), alt.Tooltip("p:Q", format=".4f"),
                 alt.Tooltip("log_p:Q", title="ln p", format=".4f")])
    labels = base.mark_text(dy=-8, fontSize=13).encode(y="p:Q", text="text:N")
    return alt.layer(bars, labels).properties(title=alt.Title("softmax(z / T): ten probabilities",
                                                              subtitle="they always sum to 1"),
                                              height=HEIGHT, width=WIDTH)


# ---------------------------------------------------------------- 4. MNIST

@memo_chart
def gradient_chart(gradients: pd.DataFrame, order: list[str]) -> alt.Chart:
    """‖∂C/∂z‖ at the output layer per probed step, one line per cost, on a log axis."""
    df = gradients[gradients["grad_norm"] > 0]
    return alt.Chart(df).mark_line(strokeWidth=2.2, opacity=0.9).encode(
        x=alt.X("step:Q", title="Training step", axis=alt.Axis(format=",d")),
        y=alt.Y("grad_norm:Q", title="‖∂C/∂z‖ at the output layer", scale=alt.Scale(type="log"),
                axis=alt.Axis(values=decades(df["grad_norm"]), format="~g")),
        color=_color([o for o in order if o in set(df["run"])], "Cost", columns=1),
        tooltip=["run:N", "step:Q", alt.Tooltip("epoch:Q", format=".2f"),
                 alt.Tooltip("grad_norm:Q", title="‖∂C/∂z‖", format=".3g")],
    ).properties(title=alt.Title("The gradient that reaches the output layer",
                                 subtitle=["back-propagated into the output", "pre-activations z, over the batch"]),
                 height=TALL, width=WIDTH)


SATURATION_Z = math.log((1 + math.sqrt(1 - 4 * 0.01)) / (1 - math.sqrt(1 - 4 * 0.01)))  # σ′(z) = 0.01 at |z| ≈ 4.6


@memo_chart
def start_chart(start: pd.DataFrame) -> alt.LayerChart:
    """The untrained network's output pre-activations per unit (mean over the validation images, the bar
    from the 5th to the 95th percentile) against the band where σ′(z) ≥ 0.01."""
    band = alt.Chart(pd.DataFrame({"lo": [-SATURATION_Z], "hi": [SATURATION_Z]})).mark_rect(
        color="#BBBBBB", opacity=0.35).encode(y=alt.Y("lo:Q", title="Output pre-activation z"), y2="hi:Q")
    base = alt.Chart(start).encode(x=alt.X("unit:O", title="Output unit (class)", axis=alt.Axis(labelAngle=0)))
    spread = base.mark_rule(strokeWidth=3, color="#444444").encode(y="z_p5:Q", y2="z_p95:Q")
    dots = base.mark_point(filled=True, size=110, color="#000000").encode(
        y="z_mean:Q", tooltip=["unit:O", alt.Tooltip("z_mean:Q", title="mean z", format=".2f"),
                               alt.Tooltip("slope_at_mean:Q", title="σ′(mean z)", format=".2e"),
                               alt.Tooltip("saturated:Q", title="images saturated", format=".0%")])
    return alt.layer(band, spread, dots).properties(
        title=alt.Title("Before training: the ten outputs",
                        subtitle=f"grey band: σ′(z) ≥ 0.01 (|z| < {SATURATION_Z:.1f}); outside it the sigmoid is saturated"),
        height=HEIGHT, width=WIDTH)


# ---------------------------------------------------------------- 5. the bugs

@memo_chart
def bug_loss_chart(steps: pd.DataFrame, order: list[str], floor: float, smooth: int = 10) -> alt.LayerChart:
    """Training loss per step of cross-entropy and the two bugs (moving average bold), with the floor
    ln(e + 9) − 1 of softmax-before-CrossEntropyLoss, 0, and ln 10 (guessing)."""
    base = alt.Chart(steps).encode(x=alt.X("step:Q", title="Training step", axis=alt.Axis(format=",d")),
                                   color=_color(order, "Cost", columns=1))
    raw = base.mark_line(opacity=0.25, strokeWidth=1).encode(y=alt.Y("loss:Q", title="Training loss"))
    avg = base.transform_window(smooth_loss="mean(loss)", frame=[-smooth + 1, 0], groupby=["run"],
                                sort=[{"field": "step"}]).mark_line(strokeWidth=2.5).encode(
        y="smooth_loss:Q", tooltip=["run:N", "step:Q", alt.Tooltip("loss:Q", format=".4f")])
    guides = [_guide(floor, f"floor of the softmax bug: ln(e + 9) − 1 = {floor:.4f}"), _guide(0.0, "0"),
              _guide(math.log(10), f"guessing: ln 10 ≈ {math.log(10):.2f}")]
    return alt.layer(raw, avg, *guides).properties(
        title=alt.Title("Training loss with the two bugs", subtitle="each as PyTorch computes it"),
        height=TALL, width=WIDTH)
