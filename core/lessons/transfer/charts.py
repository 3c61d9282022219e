"""Charts of the transfer lesson: frames from `digits`, `pretrain` and `experiment` in, Altair out.

Accuracy axes run 0-100% with the 10% chance line; the pretrained network's zero-shot accuracy is a
second dashed guide, so every method can be read against "use the MNIST network as it is"."""
from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts import GUIDE_COLOR, HEIGHT, SUBTITLE, wrap_text
from core.lessons.transfer.config import METHODS
from core.palette import color_scale
from core.memo import memo_chart

ORDER = list(METHODS.values())
CHANCE = 0.1


def _method_color(labels: list[str] | None = None, legend: bool = True) -> alt.Color:
    labels = labels or ORDER
    return alt.Color("label:N", scale=color_scale(labels), title="Training",
                     # solid circles: the legend would otherwise take the first layer's faint band as its symbol;
                     # one label a row: two side by side ran past a phone's edge ("Fine-tune, smaller feature lr")
                     legend=alt.Legend(orient="bottom", columns=1, labelLimit=260, symbolType="circle",
                                       symbolOpacity=1, symbolSize=120, symbolStrokeWidth=0)
                     if legend else None)


def _guides(frame: pd.DataFrame) -> alt.LayerChart:
    """Dashed horizontal reference lines (value, text) across the plot, labelled at their right end."""
    rule = alt.Chart(frame).mark_rule(color=GUIDE_COLOR, strokeDash=[6, 4], strokeWidth=1.5).encode(y="value:Q")
    text = alt.Chart(frame).mark_text(align="right", baseline="bottom", dx=-4, dy=-3, color=GUIDE_COLOR,
                                      fontSize=12).encode(y="value:Q", x=alt.value("width"), text="text:N")
    return rule + text


def guide_frame(zero_shot: float | None) -> pd.DataFrame:
    rows = [{"value": CHANCE, "text": "chance: 10%"}]
    if zero_shot is not None:
        rows.append({"value": zero_shot, "text": f"MNIST network as it is: {zero_shot:.0%}"})
    return pd.DataFrame(rows)


ACCURACY_SCALE = alt.Scale(domain=[0, 1])
ACCURACY_AXIS = alt.Axis(format="%")


def _k_axis(ks: list[int]) -> alt.X:
    return alt.X("k:Q", title="Labelled images per class, K (log scale)",
                 scale=alt.Scale(type="log", domain=[min(ks) / 1.25, max(ks) * 1.25], nice=False),
                 axis=alt.Axis(values=ks, format="d", grid=False))


@memo_chart
def sweep_chart(summary: pd.DataFrame, runs: pd.DataFrame, zero_shot: float | None, k: int | None = None
                ) -> alt.LayerChart:
    """Test accuracy against K (log axis): per method the mean over seeds (line and points), the band
    from the lowest to the highest seed, and every seed's run as a small dot; the slider's K marked."""
    ks = sorted(int(v) for v in summary["k"].unique()) if len(summary) else [1]
    title = "Test accuracy (held-out digits)"
    base = alt.Chart(summary).encode(x=_k_axis(ks))
    band = base.mark_area(opacity=0.15).encode(
        y=alt.Y("min:Q", title=title, scale=ACCURACY_SCALE, axis=ACCURACY_AXIS), y2="max:Q",
        color=_method_color())  # one legend: every layer the same (a null one would hide it)
    line = base.encode(color=_method_color()).mark_line(strokeWidth=2.5, point=alt.OverlayMarkDef(size=70, filled=True)).encode(
        y=alt.Y("mean:Q", title=title, scale=ACCURACY_SCALE, axis=ACCURACY_AXIS),
        tooltip=["label:N", alt.Tooltip("k:Q", title="K"), alt.Tooltip("mean:Q", format=".1%", title="mean"),
                 alt.Tooltip("min:Q", format=".1%", title="lowest seed"),
                 alt.Tooltip("max:Q", format=".1%", title="highest seed"), alt.Tooltip("n:Q", title="seeds")])
    dots = alt.Chart(runs.dropna(subset=["test_acc"])).mark_circle(size=22, opacity=0.55).encode(
        x=_k_axis(ks), y=alt.Y("test_acc:Q", title=title, scale=ACCURACY_SCALE, axis=ACCURACY_AXIS),
        color=_method_color(),
        tooltip=["label:N", alt.Tooltip("k:Q", title="K"), "seed:Q", alt.Tooltip("test_acc:Q", format=".1%")])
    layers = [band, dots, line, _guides(guide_frame(zero_shot))]
    if k is not None:
        marker = pd.DataFrame({"k": [k]})
        layers.insert(0, alt.Chart(marker).mark_rule(color="#cccccc", strokeWidth=8, opacity=0.6).encode(x=_k_axis(ks)))
    n = int(runs.groupby(["k", "method"]).size().max()) if len(runs) else 0
    marked = f" · grey bar: K = {k}, detailed below" if k is not None else ""
    # a title and key short enough for a phone (the x axis names K); the height holds the plot's own
    # ~340 px beside a 3-line key and a 4-row legend (a stretched chart fits all of them into it)
    return alt.layer(*layers).properties(
        title=alt.Title("Test accuracy against K",
                        subtitle=wrap_text(f"line: mean of {n} seeds · band: lowest to highest seed · dots: each "
                                           f"run{marked}", SUBTITLE)),
        height=540, width="container")


@memo_chart
def detail_chart(runs: pd.DataFrame, k: int, zero_shot: float | None) -> alt.LayerChart:
    """At one K: every seed's test accuracy per method (dots), the mean (a tick) and the spread (a rule
    from the lowest to the highest seed), on a 0-100% axis with chance and zero-shot lines."""
    df = runs[(runs["k"] == k)].dropna(subset=["test_acc"])
    stats = df.groupby("label", as_index=False)["test_acc"].agg(["mean", "min", "max"])
    y = alt.Y("label:N", sort=ORDER, title=None, axis=alt.Axis(labelLimit=260))
    title = "Test accuracy"
    spread = alt.Chart(stats).mark_rule(strokeWidth=3).encode(
        y=y, x=alt.X("min:Q", scale=ACCURACY_SCALE, title=title, axis=ACCURACY_AXIS), x2="max:Q",
        color=_method_color(legend=False))
    mean = alt.Chart(stats).mark_tick(thickness=4, size=30).encode(
        y=y, x=alt.X("mean:Q", scale=ACCURACY_SCALE, title=title, axis=ACCURACY_AXIS),
        color=_method_color(legend=False),
        tooltip=["label:N", alt.Tooltip("mean:Q", format=".1%"), alt.Tooltip("min:Q", format=".1%"),
                 alt.Tooltip("max:Q", format=".1%")])
    dots = alt.Chart(df).mark_circle(size=90, opacity=0.8).encode(
        y=y, x=alt.X("test_acc:Q", scale=ACCURACY_SCALE, title=title, axis=ACCURACY_AXIS),
        color=_method_color(legend=False), tooltip=["label:N", "seed:Q", alt.Tooltip("test_acc:Q", format=".1%")])
    guides = guide_frame(zero_shot)
    rules = alt.Chart(guides).mark_rule(color=GUIDE_COLOR, strokeDash=[6, 4], strokeWidth=1.5).encode(
        x=alt.X("value:Q", scale=ACCURACY_SCALE), tooltip=["text:N"])
    zero = "" if zero_shot is None else f", MNIST network as is ({zero_shot:.0%})"
    return alt.layer(spread, dots, mean, rules).properties(
        title=alt.Title(f"K = {k} labelled images per class",
                        subtitle=["dots: seeds · tick: mean · line: spread", f"dashed: chance (10%){zero}"]),
        height=HEIGHT - 120, width="container")


@memo_chart
def confusion_chart(confusion: pd.DataFrame) -> alt.LayerChart:
    """The pretrained network's predictions on the digits' test set: count per (true, predicted) label."""
    base = alt.Chart(confusion).encode(
        x=alt.X("predicted:O", title="Predicted by the MNIST network", axis=alt.Axis(labelAngle=0, labelOverlap=False)),
        y=alt.Y("true:O", title="True label", axis=alt.Axis(labelOverlap=False)))  # every class named, whatever the font
    cells = base.mark_rect().encode(
        color=alt.Color("count:Q", scale=alt.Scale(scheme="blues"), legend=None),
        tooltip=["true:O", "predicted:O", "count:Q"])
    text = base.mark_text(fontSize=11).encode(
        text=alt.condition("datum.count > 0", "count:Q", alt.value("")),
        color=alt.condition("datum.count > 40", alt.value("white"), alt.value("black")))
    return (cells + text).properties(
        title=alt.Title("Zero-shot: what the MNIST network says", subtitle="diagonal: right; elsewhere: mistakes"),
        height=360, width="container")
