"""Charts of the batch-norm lesson: DataFrames from core.lessons.batchnorm.experiment in, Altair out.

Every chart draws only finite values (a run that diverged leaves NaN and ±inf behind) and says in its
subtitle what it left out. Step axes count whole steps; the BN network's own parts (its units, its
layers) are shades of the "With BN" blue, so orange and blue mean the two networks on the whole page.
Charts that used to be faceted are one container-wide chart per panel, so a phone stacks them.
"""
from __future__ import annotations

import json
import math

import altair as alt
import pandas as pd

import core.format as fmt
from core.charts import SUBTITLE, wrap_text
from core.palette import color_of, color_scale
from core.memo import memo_chart

PANEL = 36  # ... and in a third of the page (the histograms, three to a row)

ORDER = ["Without BN", "With BN"]
STEP_AXIS = alt.Axis(tickMinStep=1, format=",d")  # whole steps: never "2.5" or "2.4999999"
LARGE = 1e5  # an axis reaching this far is written in powers of ten


@memo_chart
def value_axis(*columns: pd.Series) -> alt.Axis:
    """Vega's own tick format (as many decimals as the tick step needs: "10", "0.5"; "~g" wrote 10 as
    "1e+1"), or powers of ten ("2e+26") for an axis reaching beyond ±LARGE, where the default would
    write 27 digits."""
    top = max((float(c.abs().max()) for c in columns if len(c)), default=0.0)
    return alt.Axis(format="~e", labelOverlap=True) if top >= LARGE else alt.Axis(labelOverlap=True)
HIST_HEIGHT = 360  # the whole chart, title and legend included (Streamlit sizes it so): a plot of ~200 px
# the BN network's own parts (units, layers): Vega's "blues" from mid to dark, the "With BN" blue's family
BN_SHADES = alt.SchemeParams(name="blues", extent=[0.45, 1.0])


def _run_color(legend: bool = True, narrow: bool = False) -> alt.Color:
    """The two networks' colours; `narrow` charts (a third of the page) stack the legend's two entries,
    which side by side would be cut off at the chart's edge in presenter mode."""
    if not legend:
        return alt.Color("run:N", scale=color_scale(ORDER), legend=None)
    return alt.Color("run:N", scale=color_scale(ORDER), title=None if narrow else "Network",
                     legend=alt.Legend(orient="bottom", direction="vertical" if narrow else "horizontal"))


def _finite(df: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    """The rows whose `columns` are all finite numbers."""
    if df.empty:
        return df
    values = df[columns].apply(pd.to_numeric, errors="coerce")
    return df[values.map(math.isfinite).all(axis=1)]


OUTSIDE = 0.05  # more of a network's values beyond the bins than this is said (1% lie there by construction)


def nonfinite_note(hist: pd.DataFrame, step: int, layer: int) -> str:
    """'' when every value recorded in `layer` at `step` is finite and within the bins; else, per network,
    how many are not: "Without BN: every value NaN or ∞", "With BN: 12.0% of values NaN or ∞",
    "Without BN: 40.0% of values beyond the axis" (counted in the outer bins)."""
    df = hist[(hist["step"] == step) & (hist["layer"] == layer)]
    parts = []
    for run in ORDER:
        rows = df[df["run"] == run]
        if rows.empty:
            continue
        nonfinite = float(rows["nonfinite"].max())
        outside = float(rows["outside"].max()) if "outside" in rows else 0.0
        if nonfinite >= 1:
            parts.append(f"{run}: every value NaN or ∞")
            continue
        if nonfinite > 0:
            parts.append(f"{run}: {fmt.percent(nonfinite)} of values NaN or ∞")
        if outside >= OUTSIDE:
            parts.append(f"{run}: {fmt.percent(outside)} of values beyond the axis")
    return " · ".join(parts)


SCRUB = "bn_snapshot"  # the Vega-Lite parameter of the histograms' slider (ui.animation plays it)


@memo_chart
def histogram_chart(hist: pd.DataFrame, step: int, layer: int, activation: str) -> alt.LayerChart:
    """One hidden layer's activation inputs, both networks outlined on the same bins, at every recorded
    snapshot: a slider under the chart (the parameter SCRUB, a snapshot's index) picks the snapshot in the
    browser, starting at `step` (the last one if `step` was not recorded). Values that are not finite are
    counted in each snapshot's note, never dropped silently; a snapshot with no finite value says so."""
    df = hist[hist["layer"] == layer]
    steps = sorted(int(s) for s in df["step"].unique())
    index = {s: i for i, s in enumerate(steps)}
    start = index.get(int(step), len(steps) - 1)
    bars = _finite(df, ["lo", "hi", "share"])
    bars = bars.assign(snapshot=bars["step"].astype(int).map(index))
    titles = [_snapshot_lines(hist, bars, s, layer) for s in steps]  # the title of each snapshot
    # every layer's panel gets as many title lines as the longest title of any layer, so that the panels
    # side by side keep their plots level however many notes one of them has
    lines = max((len(t) for t in titles), default=1)
    for other, part in hist[hist["layer"] != layer].groupby("layer"):
        finite = _finite(part, ["lo", "hi", "share"])
        lines = max(lines, *(len(_snapshot_lines(hist, finite, int(s), int(other))) for s in part["step"].unique()))
    titles = [t + [" "] * (lines - len(t)) for t in titles]
    scrub = alt.param(name=SCRUB, value=start, bind=alt.binding_range(
        min=0, max=max(len(steps) - 1, 0), step=1,
        name=f"Snapshot (0–{max(len(steps) - 1, 0)}, its training step in each title) "))
    shown = f"datum.snapshot == {SCRUB}"
    rects = alt.Chart(bars).transform_filter(shown).mark_rect(fillOpacity=0.35, strokeWidth=1.5, strokeOpacity=1).encode(
        x=alt.X("lo:Q", title=f"Input to {activation}", axis=value_axis(bars["lo"], bars["hi"]),
                scale=alt.Scale(zero=False)), x2="hi:Q",
        y=alt.Y("share:Q", title="Share of values", axis=alt.Axis(format="%")), y2=alt.datum(0),
        color=_run_color(narrow=True), stroke=alt.Stroke("run:N", scale=color_scale(ORDER), legend=None),
        tooltip=["run:N", alt.Tooltip("step:Q", format=",d"), alt.Tooltip("lo:Q", title="from", format=".3g"),
                 alt.Tooltip("hi:Q", title="to", format=".3g"), alt.Tooltip("share:Q", format=".1%")])
    # the title follows the slider: a Vega expression indexing the snapshots' titles (lines of text)
    title = alt.ExprRef(expr=f"{json.dumps(titles, ensure_ascii=False)}[{SCRUB}]")
    return alt.layer(rects).add_params(scrub).properties(
        title=alt.Title(title), height=HIST_HEIGHT, width="container")


def _snapshot_lines(hist: pd.DataFrame, bars: pd.DataFrame, step: int, layer: int) -> list[str]:
    """One snapshot's title, as lines: the layer and step, then what is not drawn (nonfinite_note, wrapped
    to a third of the page)."""
    lines = [f"Hidden layer {layer} · step {step:,}"]
    if bars[bars["step"] == step].empty:
        lines.append("no finite value to draw")
    note = nonfinite_note(hist, step, layer)
    for part in note.split(" · ") if note else []:  # one network's note per line, wrapped if need be
        wrapped = wrap_text(part, PANEL)
        lines += [wrapped] if isinstance(wrapped, str) else list(wrapped)
    return lines


@memo_chart
def bands_chart(bands: pd.DataFrame, layer: int, activation: str) -> alt.LayerChart:
    """15th, 50th and 85th percentile of one layer's finite activation inputs over training, per
    network (Ioffe & Szegedy 2015, Figure 1 b, c)."""
    df = _finite(bands[bands["layer"] == layer], ["p15", "p50", "p85"])
    limit = band_limit(df)
    cut = bool(len(df)) and float(df[["p15", "p85"]].abs().max().max()) > limit
    y_scale = alt.Scale(domain=[max(-limit, float(df["p15"].min())), min(limit, float(df["p85"].max()))]) if cut \
        else alt.Scale(zero=False)
    base = alt.Chart(df).encode(x=alt.X("step:Q", title="Training step", axis=STEP_AXIS), color=_run_color())
    band = base.mark_area(opacity=0.25, clip=True).encode(
        y=alt.Y("p15:Q", title=f"Input to {activation}", scale=y_scale,
                axis=value_axis(df["p15"].clip(-limit, limit), df["p85"].clip(-limit, limit))), y2="p85:Q")
    median = base.mark_line(strokeWidth=2.5, clip=True).encode(
        y="p50:Q", tooltip=["run:N", alt.Tooltip("step:Q", format=",d"), alt.Tooltip("p15:Q", format=".3f"),
                            alt.Tooltip("p50:Q", format=".3f"), alt.Tooltip("p85:Q", format=".3f"),
                            alt.Tooltip("flat:Q", format=".0%", title="in the flat part")])
    edges = [base.mark_line(strokeWidth=1, strokeDash=[4, 3], clip=True).encode(y=f"{p}:Q") for p in ("p15", "p85")]
    subtitle = "15th, 50th and 85th percentile of the inputs, as in Ioffe & Szegedy 2015, Figure 1"
    if cut:
        subtitle += f" · inputs beyond ±{fmt.number(limit)} are cut off (a run blowing up)"
    return alt.layer(band, *edges, median).properties(
        title=alt.Title(f"Hidden layer {layer} over training", subtitle=wrap_text(subtitle, SUBTITLE)),
        height=420, width="container")


def band_limit(bands: pd.DataFrame) -> float:
    """How far the bands chart's axis may reach either side of 0 (see experiment.axis_limit): AXIS_FACTOR
    x the largest |15th or 85th percentile| at the first recorded step, at least AXIS_FACTOR."""
    from core.lessons.batchnorm.experiment import AXIS_FACTOR

    if bands.empty:
        return float(AXIS_FACTOR)
    first = bands[bands["step"] == bands["step"].min()]
    return AXIS_FACTOR * max(1.0, float(first[["p15", "p85"]].abs().max().max()))


RUNNING_KINDS = ("running (used in eval mode)", "population (2,000 training images)")  # solid, dashed


@memo_chart
def running_chart(running: pd.DataFrame, layer: int, stat: str, units: int = 3) -> alt.Chart:
    """Running estimate (solid) against the population value (dashed) for a few units of one layer,
    finite values only; the units are shades of the BN network's blue."""
    df = running[(running["layer"] == layer) & (running["unit"] <= units)]
    long = pd.concat([
        df.assign(kind=RUNNING_KINDS[0], value=df[f"running_{stat}"]),
        df.assign(kind=RUNNING_KINDS[1], value=df[f"population_{stat}"]),
    ])
    long = _finite(long, ["value"])
    labels = [f"unit {u}" for u in sorted(long["unit"].unique())]
    long = long.assign(unit="unit " + long["unit"].astype(str))
    return alt.Chart(long).mark_line(strokeWidth=2.2).encode(
        x=alt.X("step:Q", title="Training step", axis=STEP_AXIS),
        y=alt.Y("value:Q", title=f"{stat} of the BN input", axis=value_axis(long["value"])),
        color=alt.Color("unit:N", title=None, legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=labels, scheme=BN_SHADES)),
        # the domain pinned: sorted alphabetically, "population" would take the solid line
        strokeDash=alt.StrokeDash("kind:N", legend=None, scale=alt.Scale(domain=list(RUNNING_KINDS),
                                                                         range=[[1, 0], [5, 4]])),
        tooltip=["unit:N", "kind:N", alt.Tooltip("step:Q", format=",d"), alt.Tooltip("value:Q", format=".4f")],
    ).properties(title=alt.Title(f"Running {stat} vs population {stat}, layer {layer}",
                                 subtitle=wrap_text("solid: running estimate (eval mode) · dashed: 2,000 training "
                                                    "images", SUBTITLE)),
                 height=380, width="container")


@memo_chart
def train_eval_chart(te: pd.DataFrame, layer: int) -> alt.LayerChart:
    """Each (example, unit): BN output with batch statistics (x) against running statistics (y)."""
    te = _finite(te, ["train", "eval"])
    lo, hi = float(min(te["train"].min(), te["eval"].min())), float(max(te["train"].max(), te["eval"].max()))
    diagonal = alt.Chart(pd.DataFrame({"a": [lo, hi]})).mark_line(color="#999", strokeDash=[4, 4]).encode(
        x="a:Q", y="a:Q")
    points = alt.Chart(te).mark_circle(size=14, opacity=0.35, color=color_of("With BN")).encode(
        x=alt.X("train:Q", title="train mode: batch mean and variance", axis=value_axis(te["train"])),
        y=alt.Y("eval:Q", title="eval mode: running mean and variance", axis=value_axis(te["eval"])),
        tooltip=["example:Q", "unit:Q", alt.Tooltip("train:Q", format=".3f"), alt.Tooltip("eval:Q", format=".3f")])
    return (diagonal + points).properties(
        title=alt.Title(f"The same batch, BN output of layer {layer}", subtitle="on the dashed line both modes agree"),
        height=400, width="container")


@memo_chart
def gamma_beta_chart(params: pd.DataFrame, parameter: str) -> alt.LayerChart:
    """Learned γ ('gamma', starts at 1) or β ('beta', starts at 0) of every unit, layers in shades of the
    BN blue; one container-wide chart per parameter, so two of them stack on a phone."""
    df = _finite(params[params["parameter"] == parameter], ["value"])
    layers = sorted(df["layer"].unique().tolist())
    start = 1.0 if parameter == "gamma" else 0.0
    symbol = {"gamma": "γ", "beta": "β"}[parameter]
    reference = alt.Chart(pd.DataFrame({"start": [start]})).mark_rule(color="#999", strokeDash=[4, 4]).encode(
        y="start:Q")
    points = alt.Chart(df).mark_circle(size=28, opacity=0.8).encode(
        x=alt.X("unit:Q", title="Unit", axis=alt.Axis(tickMinStep=1, format="d")),
        y=alt.Y("value:Q", title=symbol, axis=value_axis(df["value"])),
        color=alt.Color("layer:O", title="Layer", legend=alt.Legend(orient="bottom"),
                        scale=alt.Scale(domain=layers, scheme=BN_SHADES)),
        tooltip=["layer:O", "unit:Q", alt.Tooltip("value:Q", title=symbol, format=".3f")])
    name = {"gamma": "scale γ", "beta": "shift β"}[parameter]
    return alt.layer(reference, points).properties(
        title=alt.Title(f"Learned {name} per unit", subtitle=f"dashed: where {symbol} starts ({start:g})"),
        height=300, width="container")
