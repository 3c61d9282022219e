"""Charts of the activations lesson: all functions' curves overlaid, one panel per function, and the
gradient through depth (measured against the activation factor alone)."""
from __future__ import annotations

import altair as alt
import pandas as pd

from core.charts import POWERS_OF_TEN, decades, wrap_text
from core.lessons.activations.experiment import SATURATION
from core.palette import color_scale
from core.memo import memo_chart


@memo_chart
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


@memo_chart
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


MEASURED = "measured ‖∂ℒ/∂sₗ‖ / ‖∂ℒ/∂s_L‖"


FACTOR = "activation factor alone, (max f')^(L−l)"


@memo_chart
def depth_chart(df: pd.DataFrame, order: list[str]) -> alt.Chart:
    """Log scale: measured gradient relative to the top hidden layer (solid) and the activation factor (dashed)."""
    shown = df[(df["relative"] > 0) & (df["factor"] > 0)]
    long = pd.concat([shown.assign(series=MEASURED, value=shown["relative"]),
                      shown.assign(series=FACTOR, value=shown["factor"])])
    color = alt.Color("label:N", scale=color_scale(order), title="Function", legend=alt.Legend(orient="bottom"))
    return alt.Chart(long).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("layer:Q", title="Hidden layer l (1 = next to the input)", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("value:Q", scale=alt.Scale(type="log"), title="Relative to layer L (log)",
                axis=alt.Axis(values=decades(long["value"]) or alt.Undefined, labelExpr=POWERS_OF_TEN)),
        color=color,
        strokeDash=alt.StrokeDash("series:N", legend=None, scale=alt.Scale(domain=[FACTOR, MEASURED],
                                                                           range=[[6, 4], [1, 0]])),
        tooltip=["label:N", "layer:Q", "series:N", alt.Tooltip("value:Q", format=".3e"),
                 alt.Tooltip("grad_norm:Q", title="‖∂ℒ/∂sₗ‖", format=".3e"),
                 alt.Tooltip("weights_factor:Q", title="weights' factor (measured / activation factor)",
                             format=".3g")],
    ).properties(title=alt.Title("How much gradient reaches each layer",
                                 subtitle=wrap_text("solid: measured in a real network · dashed: the derivatives' "
                                                    "factor alone · the weights multiply in their own factor", 45)),
                 height=460, width="container")
