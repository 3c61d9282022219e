"""Chart builders shared by the lessons: DataFrame in, alt.Chart out, no Streamlit.

Every builder takes tidy (long) DataFrames and colours runs with core.palette, so a category
keeps its colour across pages. `presenter()` scales fonts and marks for a projector.
"""
from __future__ import annotations

import math

import altair as alt
import pandas as pd

from core.palette import color_scale
from core.memo import memo_chart

WIDTH = "container"
# Streamlit sizes the whole chart (title, axes and legend included) to the spec's height, so the
# heights below are totals, chosen to leave a plot area of about 250 px.
HEIGHT = 400


LEGEND_COLUMNS = 3  # a half-width chart holds three labels a row; more would be cut off at its edge


LABEL_LIMIT = 200  # px of a legend label before Vega cuts it with "…"


def _run_color(labels: list[str], title: str = "Run", label_limit: int = LABEL_LIMIT,
               columns: int | None = None) -> alt.Color:
    return alt.Color("run:N", scale=color_scale(labels), title=title,
                     legend=alt.Legend(orient="bottom", symbolOpacity=1, symbolStrokeWidth=3,
                                       columns=columns or balanced_columns(len(labels)), labelLimit=label_limit))


def balanced_columns(n: int) -> int:
    """Labels per legend row for `n` labels: at most LEGEND_COLUMNS, in rows as even as can be (4 labels
    as 2 + 2, not 3 + 1, whose third column would run off a phone's screen)."""
    rows = max(1, math.ceil(n / LEGEND_COLUMNS))
    return max(1, math.ceil(n / rows))


GUIDE_COLOR = "#777777"  # reference lines (chance, guessing): grey, dashed, so no run's colour is taken
OVERSHOOT = 1.5  # a loss axis reaches 1.5 x the highest first-step loss: a run that blows up is cut off there


def _guide(value: float, text: str, axis: str = "y") -> alt.LayerChart:
    """A dashed reference line across the plot with its label at the right end."""
    frame = pd.DataFrame({"v": [value], "text": [text]})
    rule = alt.Chart(frame).mark_rule(color=GUIDE_COLOR, strokeDash=[6, 4], strokeWidth=1.5).encode(
        **{axis: alt.Y("v:Q", title=None) if axis == "y" else alt.X("v:Q", title=None)})
    label = alt.Chart(frame).mark_text(align="right", baseline="bottom", dx=-4, dy=-3, color=GUIDE_COLOR
                                       ).encode(y=alt.Y("v:Q", title=None), x=alt.value("width"),
                                                           text="text:N")
    return rule + label


def loss_ceiling(steps: pd.DataFrame) -> float | None:
    """Top of a loss axis: OVERSHOOT x the highest loss any run had at its first step (every run starts
    near it and should fall), so one run that blows up towards 1e35 does not flatten all the others to
    a line at 0; None when there is nothing finite to scale by."""
    finite = steps[pd.to_numeric(steps["loss"], errors="coerce").map(math.isfinite)]
    if finite.empty:
        return None
    first = finite.sort_values("step").groupby("run", sort=False)["loss"].first().max()
    top = float(finite["loss"].max())
    return top if top <= OVERSHOOT * first else OVERSHOOT * float(first)


@memo_chart
def loss_chart(steps: pd.DataFrame, title: str = "Training loss", smooth: int = 10,
               order: list[str] | None = None, y_title: str = "Cross-entropy loss", classes: int | None = 10
               ) -> alt.LayerChart:
    """Training loss per step, one line per run (`run` column); thin raw line, bold moving average.

    `classes` C draws the cross-entropy of guessing, ln C, as a dashed line (None: no such line, for
    other losses). A run whose loss grows beyond 1.5 x the highest first-step loss is cut off at the
    top (see `loss_ceiling`) and the subtitle says so."""
    labels = order or list(dict.fromkeys(steps["run"]))
    ceiling = loss_ceiling(steps) if len(steps) else None
    cut = ceiling is not None and float(pd.to_numeric(steps["loss"]).max()) > ceiling
    y_scale = alt.Scale(domain=[0, ceiling], clamp=False) if cut else alt.Scale(zero=True)
    base = alt.Chart(steps).encode(
        x=alt.X("step:Q", title="Training step", axis=alt.Axis(tickMinStep=1, format=",d")),
        color=_run_color(labels),
    )
    raw = base.mark_line(opacity=0.25, strokeWidth=1, clip=True).encode(
        y=alt.Y("loss:Q", title=y_title, scale=y_scale, axis=alt.Axis(format="~g")))
    avg = base.transform_window(
        smooth_loss="mean(loss)", frame=[-smooth + 1, 0], groupby=["run"], sort=[{"field": "step"}]
    ).mark_line(strokeWidth=2.5, clip=True).encode(
        y="smooth_loss:Q",
        tooltip=["run:N", "step:Q", alt.Tooltip("loss:Q", format=".4f"),
                 alt.Tooltip("smooth_loss:Q", title=f"mean of last {smooth}", format=".4f")],
    )
    layers = [raw, avg]
    if classes:
        guess = math.log(classes)
        layers.append(_guide(guess, f"guessing: ln {classes} ≈ {guess:.2f}"))
    heading = alt.Title(title, subtitle=f"losses above {ceiling:.3g} are cut off") if cut else title
    return alt.layer(*layers).properties(title=heading, height=HEIGHT, width=WIDTH)


@memo_chart
def accuracy_chart(epochs: pd.DataFrame, title: str = "Validation accuracy",
                   order: list[str] | None = None, classes: int = 10, label_limit: int = LABEL_LIMIT,
                   legend_columns: int | None = None) -> alt.LayerChart:
    """Validation accuracy per epoch, one line with points per run, on a fixed 0-100% axis with the
    chance level 1/C (C = `classes`) as a dashed line. `label_limit`: px of a legend label, and
    `legend_columns`: labels per legend row (default up to three); long run names want more room and
    one a row, so that a phone's narrow chart does not cut them off."""
    labels = order or list(dict.fromkeys(epochs["run"]))
    lines = alt.Chart(epochs).mark_line(point=alt.OverlayMarkDef(size=70), strokeWidth=2.5).encode(
        x=alt.X("epoch:O", title="Epoch", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("val_acc:Q", title="Validation accuracy", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=_run_color(labels, label_limit=label_limit, columns=legend_columns),
        tooltip=["run:N", "epoch:O", alt.Tooltip("val_acc:Q", format=".2%"),
                 alt.Tooltip("val_loss:Q", format=".4f")],
    )
    chance = 1 / classes
    return alt.layer(lines, _guide(chance, f"chance: {chance:.0%}")).properties(
        title=title, height=HEIGHT, width=WIDTH)


def decades(values: pd.Series, most: int = 8) -> list[float] | None:
    """Powers of ten spanning the positive `values` (at most `most` of them), for readable log-axis
    ticks; None (Vega's own ticks) when there is nothing positive to span."""
    values = values[values > 0]
    if values.empty:
        return None
    lo, hi = math.floor(math.log10(values.min())), math.ceil(math.log10(values.max()))
    step = max(1, math.ceil((hi - lo + 1) / most))
    return [10.0 ** e for e in range(hi, lo - 1, -step)]


def coinciding(frame: pd.DataFrame, x: str, y: str, series: str, tolerance: float = 0.02,
               log: bool = False) -> list[list[str]]:
    """Groups of series (in first-seen order) whose lines lie on top of each other: they share at least
    two `x` values, and at every `x` they share their `y` values differ by at most `tolerance` of the
    chart's y span (`log`: of its span in decades, for log axes). A chart draws one of them over the
    others; a caption can name them. Non-finite values (and, on a log axis, values <= 0) are left out."""
    values = pd.to_numeric(frame[y], errors="coerce")
    keep = values.map(math.isfinite) & ((values > 0) if log else True)
    df = frame.loc[keep, [x, series]].assign(v=values[keep])
    if log:
        df["v"] = df["v"].map(math.log10)
    if df.empty:
        return []
    span = float(df["v"].max() - df["v"].min()) or 1.0
    wide = df.pivot_table(index=x, columns=series, values="v", sort=False)
    labels = list(dict.fromkeys(df[series]))
    groups: list[list[str]] = []
    for label in labels:
        for group in groups:
            both = wide[[group[0], label]].dropna()
            if len(both) >= 2 and ((both[group[0]] - both[label]).abs() <= tolerance * span).all():
                group.append(label)
                break
        else:
            groups.append([label])
    return [g for g in groups if len(g) > 1]


SUBTITLE = 45  # characters a line of subtitle holds on a phone (390 px): longer ones are wrapped, not cut
PRESENTER_TITLE_CHARS = 36  # at 24 px, about what a half-width chart holds on one line
PRESENTER_SUBTITLE_CHARS = 45  # the same at 18 px
PRESENTER_HEIGHT = 1.25  # larger text takes room from the plot: give some of it back
PRESENTER_INK = "#31333F"  # axis, legend and header text as dark as body text (Vega's default grey is faint on a projector)


def wrap_text(text: str, width: int) -> str | list[str]:
    """A long title or subtitle as lines of at most about `width` characters, broken at ' · ', then
    '; ' or ', ', then between words (Vega cuts a long one-line title off with '…')."""
    pieces, rest = [], text
    while len(rest) > width:
        for sep in (" · ", "; ", ", ", " "):
            cut = rest.rfind(sep, 0, width)
            if cut > width // 3:
                break
        else:
            break  # one long word: leave it whole
        pieces.append(rest[:cut] + sep.strip(" ·"))
        rest = rest[cut + len(sep):]
    return pieces + [rest] if pieces else text


def _superscript(expr: str) -> str:
    """A Vega expression: the string `expr` with its digits and minus sign as superscripts."""
    for plain, sup in zip("-−0123456789", "⁻⁻⁰¹²³⁴⁵⁶⁷⁸⁹"):  # d3-format writes minus as U+2212
        expr = f"replace({expr}, regexp('{plain}', 'g'), '{sup}')"
    return expr


def _powers_of_ten() -> str:
    exponent = "floor(log(datum.value) / LN10 + 1e-9)"
    mantissa = f"datum.value / pow(10, {exponent})"
    power = "'10' + " + _superscript(f"format({exponent}, 'd')")
    return (f"datum.value <= 0 ? '0' : abs({mantissa} - 1) < 1e-6 ? {power} "
            f": format({mantissa}, '.2~r') + '×' + {power}")


# Log-axis and log-legend labels as powers of ten, 10⁻¹² and 3.2×10⁻⁵, where Vega's "e" format would print
# 1e-12 and 3.2e-5 (labelExpr of an alt.Axis or alt.Legend)
POWERS_OF_TEN = _powers_of_ten()


def on_canvas(chart: alt.TopLevelMixin) -> alt.TopLevelMixin:
    """The chart drawn on an HTML canvas instead of as SVG (vega-embed's `renderer` option, read from the
    spec's usermeta). For dense grids of cells, thousands of rectangles: the browser lays out and paints
    one element, not one per cell (`make bench`: /cnn's feature-map grids hold 25,000 cells). Tooltips and
    hover selections still work; the chart's text is no longer in the page's DOM."""
    return chart.properties(usermeta={"embedOptions": {"renderer": "canvas"}})


PRESENTER_MARK_TEXT = 16  # px: text drawn inside a chart (reference-line notes, cell counts, names on a map)


def _small_text_marks(chart) -> list:
    """The unit charts under `chart` (layers, concatenations, facets) whose text mark has an explicit
    font size below PRESENTER_MARK_TEXT (an explicit size overrides configure_text)."""
    found = []
    mark = getattr(chart, "mark", None)
    if isinstance(mark, alt.MarkDef) and mark.type == "text" and isinstance(mark.fontSize, (int, float)) \
            and mark.fontSize < PRESENTER_MARK_TEXT:
        found.append(chart)
    for attr in ("layer", "hconcat", "vconcat", "concat"):
        for sub in getattr(chart, attr, None) or []:
            found += _small_text_marks(sub)
    spec = getattr(chart, "spec", None)
    if spec is not None and not isinstance(spec, (dict, type(alt.Undefined))):
        found += _small_text_marks(spec)
    return found


@memo_chart
def presenter(chart: alt.TopLevelMixin, on: bool) -> alt.TopLevelMixin:
    """Larger fonts for a projector: long titles wrapped, a taller chart, room above the title.
    Unchanged when `on` is False; the chart passed in (perhaps cached) is never modified."""
    if not on:
        return chart
    # Vega places titles for a smaller font: at 24 px a title's top would be cut off by the
    # chart's edge without room above it (Streamlit keeps a spec's own top-level padding)
    props: dict = {"padding": {"top": 24, "left": 5, "right": 5}}
    title = getattr(chart, "title", alt.Undefined)
    if isinstance(title, str):
        title = alt.Title(title)
    if isinstance(title, alt.TitleParams):
        title = title.copy()
        if isinstance(title.text, str):
            title.text = wrap_text(title.text, PRESENTER_TITLE_CHARS)
        if isinstance(title.subtitle, str):
            title.subtitle = wrap_text(title.subtitle, PRESENTER_SUBTITLE_CHARS)
        props["title"] = title
    height = getattr(chart, "height", alt.Undefined)
    if isinstance(height, (int, float)) and getattr(chart, "width", None) == "container":  # not images
        props["height"] = round(height * PRESENTER_HEIGHT)
    if _small_text_marks(chart):  # a copy: the chart passed in may be cached and shown on screens too
        chart = chart.copy(deep=True)
        for unit in _small_text_marks(chart):
            unit.mark = unit.mark.copy()
            unit.mark.fontSize = PRESENTER_MARK_TEXT
    ink = PRESENTER_INK
    return chart.properties(**props).configure_axis(
        labelFontSize=18, titleFontSize=20, labelColor=ink, titleColor=ink).configure_legend(
        labelFontSize=18, titleFontSize=20, symbolSize=300, labelColor=ink, titleColor=ink).configure_title(
        fontSize=24, subtitleFontSize=18, subtitleColor=ink).configure_header(
        labelFontSize=18, titleFontSize=20, labelColor=ink, titleColor=ink).configure_text(fontSize=16)
