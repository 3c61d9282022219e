"""Charts of the momentum lesson: paths from core.lessons.momentum.experiment and grids from
core.lessons.momentum.surfaces in, Altair out.

The surface as banded contours with the paths and a step scrubber that runs in the browser, the 1-D
curve with its "balls", loss versus step, (1-D) position versus step, and the (ηλ, β) map of where
momentum converges, ripples, overshoots or diverges with the runs on screen marked. Every step axis
has whole-number ticks (a run that diverges within a step has no step 0.5).
"""
from __future__ import annotations

import math

import altair as alt
import pandas as pd

from core.charts import POWERS_OF_TEN, SUBTITLE, wrap_text
from core.lessons.momentum.regimes import A_MAX, REGIMES
from core.lessons.momentum.surfaces import Surface
from core.palette import color_scale
from core.memo import memo_chart

SCRUB = "shown_step"
PICK = "start_pick"
CONTOUR_RANGE = ["#fcfcfc", "#6a6a6a"]  # low loss light, high loss dark: the coloured paths stay visible
# the regimes, light to dark and far apart in hue (the runs' markers are drawn over them in their colours)
REGIME_COLORS = ["#cfe8f3", "#fde7b0", "#f4c7d6", "#bdbdbd"]


@memo_chart
def step_axis(title: str = "Step") -> alt.X:
    """Steps are whole numbers: ticks at integers only, whatever the number of steps drawn."""
    return alt.X("step:Q", title=title, axis=alt.Axis(tickMinStep=1, format=",d"))


def _scrubber(steps: int) -> alt.Parameter:
    return alt.param(name=SCRUB, value=steps,
                     bind=alt.binding_range(min=0, max=steps, step=1, name="Show the paths up to step "))


def _run_color(order: list[str], legend: bool = True, columns: int | None = None) -> alt.Color:
    """Colour by run; layers other than the one carrying the legend pass legend=False (Vega-Lite
    would draw one legend per mark type otherwise)."""
    shown = alt.Legend(orient="bottom", symbolStrokeWidth=3, symbolOpacity=1,
                       columns=columns or alt.Undefined)
    return alt.Color("run:N", scale=color_scale(order), title="Momentum", legend=shown if legend else None)


def _point_frame(surface: Surface) -> pd.DataFrame:
    rows = []
    for p in surface.points:
        row = {"kind": p.kind, "name": p.short, "x": p.at[0], "loss": surface.loss_at(p.at)}
        if surface.dim == 2:
            row["y"] = p.at[1]
        rows.append(row)
    return pd.DataFrame(rows)


def _stride(steps: int, most: int = 400) -> int:
    """Draw a dot every this many steps, so a long run stays light in the browser (lines keep every step)."""
    return max(1, math.ceil(steps / most))


def _segments(frame: pd.DataFrame, x: str, y: str, stride: int = 1, by: str | None = None) -> pd.DataFrame:
    """One straight segment per kept row (every `stride`-th and the last) to the next: x_a, y_a -> x_b, y_b,
    with `x`, `y` its midpoint. A line mark answers a click with its first point only; these segments,
    drawn invisibly over it, answer with the middle of the clicked segment."""
    parts = [g for _, g in frame.groupby(by, sort=False)] if by else [frame]
    out = []
    for g in parts:
        g = g.iloc[sorted(set(range(0, len(g), stride)) | {len(g) - 1})].reset_index(drop=True)
        seg = g.iloc[:-1].copy()
        nxt = g.iloc[1:].reset_index(drop=True)
        seg["x_a"], seg["y_a"], seg["x_b"], seg["y_b"] = g[x].iloc[:-1], g[y].iloc[:-1], nxt[x], nxt[y]
        if "step" in g:
            seg["step_b"] = nxt["step"]
        seg[x], seg[y] = (seg["x_a"] + seg["x_b"]) / 2, (seg["y_a"] + seg["y_b"]) / 2
        out.append(seg)
    return pd.concat(out, ignore_index=True)


def _current(chart: alt.Chart) -> alt.Chart:
    """Keep each run's latest row at or before the scrubbed step."""
    return chart.transform_filter(f"datum.step <= {SCRUB}").transform_joinaggregate(
        last="max(step)", groupby=["run"]).transform_filter("datum.step == datum.last")


@memo_chart
def surface_chart(grid: pd.DataFrame, paths: pd.DataFrame, surface: Surface, order: list[str], steps: int,
                  method: str, height: int = 560) -> alt.LayerChart:
    """Banded contours of L, each run's path up to the scrubbed step, its position there, the start,
    and the critical points. A click on a cell, a path or a marker selects that point (the page moves
    the start there)."""
    xs = sorted(grid["x"].unique())
    ys = sorted(grid["y"].unique())
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    xscale = alt.Scale(domain=list(surface.x_range), nice=False, zero=False)
    yscale = alt.Scale(domain=list(surface.y_range), nice=False, zero=False)
    pick = alt.selection_point(name=PICK, fields=["x", "y"], on="click", clear=False, empty=False)
    hx, hy = 0.51 * dx, 0.51 * dy  # cells overlap a little: no hairline seams between them
    heat = alt.Chart(grid).transform_calculate(
        x_lo=f"datum.x - {hx}", x_hi=f"datum.x + {hx}", y_lo=f"datum.y - {hy}",
        y_hi=f"datum.y + {hy}").mark_rect(strokeWidth=0, opacity=1).encode(
        x=alt.X("x_lo:Q", scale=xscale, title=surface.axes[0]), x2="x_hi:Q",
        y=alt.Y("y_lo:Q", scale=yscale, title=surface.axes[1]), y2="y_hi:Q",
        color=alt.Color("band:Q", scale=alt.Scale(range=CONTOUR_RANGE), legend=None),
        tooltip=[alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("y:Q", format=".2f"),
                 alt.Tooltip("loss:Q", format=".4f")],
    ).add_params(pick)
    shown = alt.Chart(paths).transform_filter(f"datum.step <= {SCRUB}")
    enc = dict(x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale), color=_run_color(order, legend=False))
    line = shown.mark_line(strokeWidth=2.2, clip=True).encode(
        order="step:Q", detail="run:N", **{**enc, "color": _run_color(order)})
    dots = shown.transform_filter(f"datum.step % {_stride(steps)} == 0").mark_circle(
        size=14, opacity=0.8, clip=True).encode(
        **enc, tooltip=["run:N", "step:Q", alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f"),
                        alt.Tooltip("loss:Q", format=".4f")])
    hits = alt.Chart(_segments(paths, "x", "y", _stride(steps), by="run")).transform_filter(
        f"datum.step_b <= {SCRUB}").mark_rule(strokeWidth=9, opacity=0.001, clip=True).encode(
        x=alt.X("x_a:Q", scale=xscale), y=alt.Y("y_a:Q", scale=yscale), x2="x_b:Q", y2="y_b:Q",
        tooltip=["run:N", alt.Tooltip("step:Q", title="from step"), alt.Tooltip("step_b:Q", title="to step"),
                 alt.Tooltip("x:Q", format=".3f", title="x (middle)"),
                 alt.Tooltip("y:Q", format=".3f", title="y (middle)")])
    now = _current(alt.Chart(paths)).mark_point(size=230, filled=True, opacity=1, stroke="white",
                                                strokeWidth=2, clip=True).encode(
        **enc, tooltip=["run:N", "step:Q", alt.Tooltip("loss:Q", format=".4f")])
    start = alt.Chart(paths[paths["step"] == 0].head(1)).mark_point(
        shape="square", size=160, filled=False, color="black", strokeWidth=2.5, clip=True).encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale), tooltip=[alt.Tooltip("x:Q", format=".2f"),
                                                                              alt.Tooltip("y:Q", format=".2f")])
    pts = _point_frame(surface)
    marks = alt.Chart(pts).mark_point(shape="cross", size=170, filled=True, color="black", clip=True).encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale),
        tooltip=["kind:N", alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f"),
                 alt.Tooltip("loss:Q", format=".4f")])
    names = alt.Chart(pts).mark_text(align="left", dx=9, dy=-11, fontSize=13, fontWeight="bold", color="black",
                                     clip=True).encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale), text="name:N")
    return alt.layer(heat, line, hits, dots, marks, names, start, now).add_params(_scrubber(steps)).properties(
        title=alt.Title(surface.label, subtitle=wrap_text(f"{method} · darker = higher loss · □ start · ✚ critical "
                                                          "points · click the map or a path to start there", SUBTITLE)),
        height=height, width="container")


@memo_chart
def curve_chart(grid: pd.DataFrame, paths: pd.DataFrame, surface: Surface, order: list[str], steps: int,
                method: str, height: int = 560) -> alt.LayerChart:
    """The 1-D curve with every visited point (faint) and each run's ball at the scrubbed step.
    A click anywhere above a point of the curve, or on the curve or a ball, selects its x (the page moves
    the start there)."""
    xscale = alt.Scale(domain=list(surface.x_range), nice=False, zero=False)
    lo, hi = float(grid["loss"].min()), float(grid["loss"].max())
    yscale = alt.Scale(domain=[lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)], nice=False, zero=False)
    step = float(grid["x"].diff().median())
    pick = alt.selection_point(name=PICK, fields=["x"], on="click", clear=False, empty=False)
    name = surface.axes[0]
    band = alt.Chart(grid).transform_calculate(
        x_lo=f"datum.x - {step / 2}", x_hi=f"datum.x + {step / 2}", top=str(yscale.domain[1]),
        bottom=str(yscale.domain[0])).mark_rect(opacity=0.001).encode(
        x=alt.X("x_lo:Q", scale=xscale, title=f"{name} (the one parameter)"), x2="x_hi:Q",
        y=alt.Y("bottom:Q", scale=yscale, title=f"loss {'l' if name == 'w' else 'L'}({name})"), y2="top:Q"
    ).add_params(pick)
    curve = alt.Chart(grid).mark_line(color="#555", strokeWidth=2.5).encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("loss:Q", scale=yscale))
    enc = dict(x=alt.X("x:Q", scale=xscale), y=alt.Y("loss:Q", scale=yscale), color=_run_color(order, legend=False))
    trail = alt.Chart(paths).transform_filter(
        f"datum.step <= {SCRUB} && datum.step % {_stride(steps)} == 0").mark_circle(
        size=28, opacity=0.35, clip=True).encode(**{**enc, "color": _run_color(order)},
                                                 tooltip=["run:N", "step:Q", alt.Tooltip("x:Q", format=".3f")])
    hits = alt.Chart(_segments(grid, "x", "loss")).mark_rule(strokeWidth=9, opacity=0.001).encode(
        x=alt.X("x_a:Q", scale=xscale), y=alt.Y("y_a:Q", scale=yscale), x2="x_b:Q", y2="y_b:Q",
        tooltip=[alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("loss:Q", format=".4f")])
    now = _current(alt.Chart(paths)).mark_point(size=320, filled=True, opacity=1, stroke="white",
                                                strokeWidth=2, clip=True).encode(
        **enc, tooltip=["run:N", "step:Q", alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("loss:Q", format=".4f")])
    pts = _point_frame(surface)
    rules = alt.Chart(pts).mark_rule(strokeDash=[4, 4], color="#999").encode(x=alt.X("x:Q", scale=xscale))
    names = alt.Chart(pts).mark_text(dy=22, fontSize=13, fontWeight="bold", color="black").encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("loss:Q", scale=yscale), text="name:N")
    return alt.layer(band, rules, curve, hits, names, trail, now).add_params(_scrubber(steps)).properties(
        title=alt.Title(surface.label, subtitle=wrap_text(f"{method} · faint dots: every step so far · big dots: "
                                                          "where each run is · click to start there", SUBTITLE)),
        height=height, width="container")


@memo_chart
def loss_chart(paths: pd.DataFrame, order: list[str], height: int = 560, log: bool = True) -> alt.Chart:
    """Loss per step, one line per momentum value: above the global minimum on a log scale (`gap`), or,
    with log=False (no minimum in view, or a run below it), the loss itself on a linear scale.
    Points as well as lines: a run of one or two steps is still seen."""
    if log:
        y = alt.Y("gap:Q", scale=alt.Scale(type="log"), title="Loss − global min (log)", axis=alt.Axis(labelExpr=POWERS_OF_TEN))
        subtitle = "flat = stuck · wiggles = overshooting · 10⁻¹² = at the minimum"
    else:
        y = alt.Y("loss:Q", title="Loss", scale=alt.Scale(zero=False))
        subtitle = "flat = stuck · wiggles = overshooting · falling for ever = no minimum below"
    base = alt.Chart(paths).encode(
        x=step_axis(), y=y, color=_run_color(order, columns=3 if len(order) > 3 else None),
        tooltip=["run:N", "step:Q", alt.Tooltip("loss:Q", format=".5f")]
        + ([alt.Tooltip("gap:Q", format=".3e")] if log else []))
    layers = [base.mark_line(strokeWidth=2.2)]
    if paths.groupby("run").size().min() <= 3:  # a run of a step or two: a line alone would hardly show
        layers.append(base.mark_point(filled=True, size=60))
    return alt.layer(*layers).properties(title=alt.Title("Loss versus step", subtitle=wrap_text(subtitle, SUBTITLE)),
                                         height=height, width="container")


@memo_chart
def position_chart(paths: pd.DataFrame, surface: Surface, order: list[str], height: int = 380) -> alt.LayerChart:
    """1-D: the parameter x against the step, with the critical points as dashed lines."""
    pts = _point_frame(surface)
    lines = alt.Chart(paths).mark_line(strokeWidth=2.2).encode(
        x=step_axis(), y=alt.Y("x:Q", title=surface.axes[0], scale=alt.Scale(zero=False)),
        color=_run_color(order), tooltip=["run:N", "step:Q", alt.Tooltip("x:Q", format=".4f")])
    rules = alt.Chart(pts).mark_rule(strokeDash=[4, 4], color="#999").encode(y="x:Q")
    names = alt.Chart(pts).mark_text(align="left", dx=4, dy=-7, color="#555", fontSize=12).encode(
        x=alt.value(0), y="x:Q", text="name:N")
    return alt.layer(rules, names, lines).properties(
        title=alt.Title("Where each run is, step by step", subtitle="dashed: saddle point and minima"),
        height=height, width="container")


@memo_chart
def regime_chart(bands: pd.DataFrame, points: pd.DataFrame, order: list[str], method: str,
                 height: int = 420) -> alt.LayerChart:
    """The (ηλ, β) plane coloured by regime (bands from regimes.regime_map), the limit of stability,
    and each run on screen: a filled dot at the steepest curvature of its minimum, a hollow one at the
    flattest (2-D); a run off the map sits on its right edge."""
    x = alt.X("a_lo:Q", title="η·λ  (learning rate × curvature at the minimum)",
              scale=alt.Scale(domain=[0, A_MAX], nice=False))
    y = alt.Y("beta_lo:Q", title="momentum β", scale=alt.Scale(domain=[0, 1], nice=False))
    overlap = float((bands["beta_hi"] - bands["beta_lo"]).max())  # each row reaches into the next: no seams
    regions = alt.Chart(bands).transform_calculate(top=f"min(1, datum.beta_hi + {overlap})").mark_rect(
        strokeWidth=0).encode(
        x=x, x2="a_hi:Q", y=y, y2="top:Q",
        color=alt.Color("regime:N", scale=alt.Scale(domain=list(REGIMES), range=REGIME_COLORS), title="Regime",
                        legend=alt.Legend(orient="bottom", columns=2, labelLimit=320)),
        tooltip=[alt.Tooltip("regime:N")])
    layers = [regions]
    if len(points):
        enc = dict(x=alt.X("a:Q", scale=alt.Scale(domain=[0, A_MAX], nice=False)),
                   y=alt.Y("beta:Q", scale=alt.Scale(domain=[0, 1], nice=False)),
                   color=alt.Color("run:N", scale=color_scale(order), legend=None),
                   tooltip=["run:N", "mode:N", alt.Tooltip("a_true:Q", title="η·λ", format=".3f"),
                            alt.Tooltip("beta:Q", title="β"), "regime:N",
                            alt.Tooltip("rho:Q", title="ρ (per step)", format=".4f")])
        steep = points[points["mode"] == "steepest"]
        flat = points[points["mode"] == "flattest"]
        layers.append(alt.Chart(steep).mark_point(filled=True, size=260, opacity=1, stroke="black",
                                                  strokeWidth=1.2).encode(**enc))
        if len(flat):
            layers.append(alt.Chart(flat).mark_point(filled=False, size=260, strokeWidth=3).encode(**enc))
        layers.append(alt.Chart(steep).mark_text(align="left", dx=12, fontSize=13, fontWeight="bold",
                                                 color="black").encode(x=enc["x"], y=enc["y"], text="run:N"))
    return alt.layer(*layers).resolve_scale(color="independent").properties(
        title=alt.Title("The regimes on a quadratic bowl",
                        subtitle=wrap_text(f"{method} · ● steepest, ○ flattest curvature of each run's minimum",
                                           SUBTITLE)),
        height=height, width="container")
