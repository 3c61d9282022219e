"""Charts of the activations lesson's curves: all functions overlaid, and one panel per function."""
from __future__ import annotations

import altair as alt
import pandas as pd

from core.lessons.activations.experiment import SATURATION
from core.palette import color_scale


def curves_chart(df: pd.DataFrame, field: str, title: str, order: list[str]) -> alt.Chart:
    """All selected functions' f (field='y') or f' (field='dy') overlaid, values on hover."""
    hover = alt.selection_point(fields=["x"], nearest=True, on="pointerover", empty=False)
    base = alt.Chart(df).encode(
        x=alt.X("x:Q", title="x"),
        color=alt.Color("label:N", scale=color_scale(order), title="Function",
                        legend=alt.Legend(orient="bottom")))
    lines = base.mark_line(strokeWidth=2.5).encode(y=alt.Y(f"{field}:Q", title=title))
    points = base.mark_point(size=60, filled=True).encode(
        y=f"{field}:Q", opacity=alt.condition(hover, alt.value(1), alt.value(0)),
        tooltip=[alt.Tooltip("label:N", title="function"), alt.Tooltip("x:Q", format=".2f"),
                 alt.Tooltip("y:Q", title="f(x)", format=".4f"), alt.Tooltip("dy:Q", title="f'(x)", format=".4f")],
    ).add_params(hover)
    rule = alt.Chart(df).mark_rule(color="#999").encode(x="x:Q").transform_filter(hover)
    layers = [lines, points, rule]
    if field == "dy":
        band = alt.Chart(pd.DataFrame({"lo": [-SATURATION], "hi": [SATURATION]})).mark_rect(
            color="#bbb", opacity=0.35).encode(y="lo:Q", y2="hi:Q")
        layers.insert(0, band)
    heading = alt.Title(title, subtitle=f"grey band: saturated, |f'(x)| < {SATURATION}") if field == "dy" else title
    return alt.layer(*layers).properties(title=heading, height=360, width="container")


def function_panel(df: pd.DataFrame, label: str) -> alt.Chart:
    """One function: f solid, f' dashed, saturated x-regions (|f'| < 0.05) shaded grey."""
    one = df[df["label"] == label]
    step = float(one["x"].diff().median())
    long = one.melt(id_vars=["x", "saturated"], value_vars=["y", "dy"], var_name="curve", value_name="value")
    long["curve"] = long["curve"].map({"y": "f(x)", "dy": "f'(x)"})
    shade = alt.Chart(one[one["saturated"]].assign(x2=lambda d: d["x"] + step)).mark_rect(
        color="#d9d9d9", opacity=0.6).encode(x="x:Q", x2="x2:Q", tooltip=[alt.Tooltip("x:Q", format=".2f")])
    lines = alt.Chart(long).mark_line(strokeWidth=2.5).encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("value:Q", title=None),
        color=alt.value(color_scale([label]).range[0]),
        strokeDash=alt.StrokeDash("curve:N", title=None, legend=alt.Legend(orient="bottom"),
                                  scale=alt.Scale(domain=["f(x)", "f'(x)"], range=[[1, 0], [6, 4]])),
        tooltip=["curve:N", alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("value:Q", format=".4f")])
    return (shade + lines).properties(title=label, height=300,
                                      width="container")

