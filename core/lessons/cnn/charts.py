"""Charts of the CNN lesson: frames from its experiment, inspection and arithmetic in, Altair out.

Every picture is a heatmap of long rows (r, c, v): pixels in greys, kernels and convolution outputs on a
diverging scale centred on 0, feature maps on a square-root sequential scale."""
from __future__ import annotations

import json
import math

import altair as alt
import numpy as np
import pandas as pd

from core.lessons.cnn.config import IMAGE_SIZE
from core.lessons.cnn.arithmetic import ChannelDemo, Explained
from core.charts import on_canvas
from core.format import fixed
from core.memo import memo_chart

DIVERGING = "blueorange"  # colour-blind-safe diverging scheme, centred on 0


def symmetric(values: pd.Series | np.ndarray) -> list[float]:
    """A colour domain [-m, m] around 0 covering the values (m > 0 even for all-zero data)."""
    m = float(np.nanmax(np.abs(values))) if len(values) else 0.0
    m = m if math.isfinite(m) and m > 0 else 1.0
    return [-m, m]


@memo_chart
def weights_title(what: str, df: pd.DataFrame) -> alt.Title:
    low, high = fixed([df["v"].min(), df["v"].max()], 2)  # core.format: a real minus sign
    return alt.Title(what, subtitle=f"weights from {low} to {high}; colours centred on 0")


def map_pixels(channels: int, width: int = 340, columns: int = 8) -> int:
    """Side in pixels of each map in a grid of `channels` maps in `columns` columns about `width` wide.
    The default fits a 390 px phone as drawn: the grids are canvases (on_canvas), which CSS must not
    scale (a scaled canvas would answer hover for the wrong cell)."""
    return max(24, min(110, (width - (columns - 1) * 4) // min(columns, channels)))


LEGEND = alt.Legend(orient="bottom", type="gradient", gradientLength=160, format=".2~f", titleLimit=400)


@memo_chart
def diverging(values, title: str = "value", legend: bool = True) -> alt.Color:
    """Blue (negative) to orange (positive), white at 0, symmetric around 0."""
    return alt.Color("v:Q", title=title, legend=LEGEND if legend else None,
                     scale=alt.Scale(scheme=DIVERGING, domain=symmetric(values), domainMid=0))


@memo_chart
def sequential(values, title: str = "activation (square-root scale)", scheme: str = "viridis") -> alt.Color:
    """0 (dark) to the largest value (bright) on a square-root scale, so weak responses stay visible
    beside a few strong ones."""
    top = float(np.nanmax(values)) if len(values) else 1.0
    top = top if math.isfinite(top) and top > 0 else 1.0
    return alt.Color("v:Q", title=title, legend=LEGEND,
                     scale=alt.Scale(type="sqrt", scheme=scheme, domain=[0, top]))


@memo_chart
def greys(legend: bool = False) -> alt.Color:
    """Pixel intensities in [0, 1]: white paper, black ink."""
    return alt.Color("v:Q", title="pixel", legend=LEGEND if legend else None,
                     scale=alt.Scale(scheme="greys", domain=[0, 1]))


@memo_chart
def heatmap(df: pd.DataFrame, side: int, color: alt.Color, px: int, title: str | alt.Title = "",
            tooltip: list | None = None) -> alt.Chart:
    """Cells (r, c) of a side x side grid as squares of px pixels in all, row 0 at the top, no axes.
    Each cell reaches 0.6 screen pixels into the next, so anti-aliasing leaves no light seams between
    cells (the overlap is clipped at the edges)."""
    overlap = round(0.6 * side / px, 4)
    # the cells' far edges are columns of the data, not a Vega calculate: Streamlit evaluates Vega
    # expressions with an interpreter, per cell, in every browser that draws the chart
    cells = df.assign(r1=(df["r"] + 1 + overlap).astype("float32"), c1=(df["c"] + 1 + overlap).astype("float32"))
    return alt.Chart(cells).mark_rect(clip=True).encode(
        x=alt.X("c:Q", scale=alt.Scale(domain=[0, side], nice=False, zero=False), axis=None), x2="c1:Q",
        y=alt.Y("r:Q", scale=alt.Scale(domain=[0, side], nice=False, zero=False, reverse=True), axis=None),
        y2="r1:Q", color=color,
        tooltip=tooltip or [alt.Tooltip("r:Q", title="row"), alt.Tooltip("c:Q", title="column"),
                            alt.Tooltip("v:Q", title="value", format=".3f")],
    ).properties(width=px, height=px, title=title)


def _window_box(df: pd.DataFrame, selection, color: str = "#d62728") -> alt.Chart:
    """The input window of the hovered cell, drawn as a red frame on the panel it reads from."""
    return alt.Chart(df).mark_rect(fill=None, stroke=color, strokeWidth=3).encode(
        x="c0:Q", x2="c1:Q", y="r0:Q", y2="r1:Q").transform_filter(selection)


PHONE = {"px": 160, "columns": 2}  # explainer_chart on a phone: two panels a row, 2 × 160 + 28 px wide
SLIDE = "conv_cell"  # the Vega-Lite parameter of the explainer's sliding kernel (ui.animation plays it)


@memo_chart
def explainer_chart(ex: Explained, px: int = 230, columns: int | None = None) -> alt.HConcatChart | alt.ConcatChart:
    """Input | kernel | output | max-pooled output in a row (or wrapped after `columns` panels, for a
    phone: PHONE gives the arguments), linked: hovering an output cell frames the window
    of the input it was computed from (and a pooled cell its window of the output); a slider under the
    chart (the parameter SLIDE, an output cell in reading order) slides the kernel over the input in the
    browser, its window and cell framed dashed."""
    pixels = greys(legend=True)
    pad_note = f" + padding {ex.padding} → {ex.padded}×{ex.padded}" if ex.padding else ""
    image = heatmap(ex.image, ex.padded, pixels, px, alt.Title(f"Input {ex.n}×{ex.n}", subtitle=pad_note or " "))
    layers = [image]
    if ex.padding:
        border = pd.DataFrame({"r0": [ex.padding], "r1": [ex.padding + ex.n],
                               "c0": [ex.padding], "c1": [ex.padding + ex.n]})
        layers.append(alt.Chart(border).mark_rect(fill=None, stroke="#56B4E9", strokeDash=[4, 3],
                                                  strokeWidth=2).encode(x="c0:Q", x2="c1:Q", y="r0:Q", y2="r1:Q"))
    hover = alt.selection_point(name="cell", fields=["r", "c"], on="pointerover", clear="pointerout", empty=False)
    # the kernel sliding over the image: a slider (and ui.animation's Play) picks an output cell in reading
    # order; its window is framed dashed, a hovered cell's solid
    slide = alt.param(name=SLIDE, value=0, bind=alt.binding_range(
        min=0, max=ex.out_size ** 2 - 1, step=1, name="Slide the kernel: output cell (in reading order) "))
    slid = f"datum.r * {ex.out_size} + datum.c == {SLIDE}"
    layers += [_window_box(ex.output, hover),
               _window_box(ex.output, slid).mark_rect(fill=None, stroke="#d62728", strokeWidth=3, strokeDash=[5, 3])]
    cell = alt.Chart(ex.output).transform_calculate(r1="datum.r + 1", c1="datum.c + 1").encode(
        x="c:Q", x2="c1:Q", y="r:Q", y2="r1:Q")
    this_cell = alt.layer(cell.mark_rect(fill=None, stroke="#222", strokeWidth=2).transform_filter(hover),
                          cell.mark_rect(fill=None, stroke="#222", strokeWidth=2, strokeDash=[5, 3]).transform_filter(slid))
    output_tip = [alt.Tooltip("r:Q", title="row"), alt.Tooltip("c:Q", title="column"),
                  alt.Tooltip("v:Q", title="value", format=".3f")]
    output = heatmap(ex.output, ex.out_size, diverging(ex.output["v"], "output"), px,
                     alt.Title(f"Output {ex.out_size}×{ex.out_size}", subtitle="hover a cell: its input window"),
                     output_tip).add_params(hover, slide)
    out_layers = [output, this_cell]
    kernel_px = max(90, min(px * 2 // 3, 36 * ex.k))
    kernel = heatmap(ex.kernel, ex.k, diverging(ex.kernel["v"], legend=False), kernel_px,
                     alt.Title(f"Kernel {ex.k}×{ex.k}", subtitle=f"stride {ex.stride}"))
    text = alt.Chart(ex.kernel).transform_calculate(x="datum.c + 0.5", y="datum.r + 0.5").mark_text(
        fontSize=11 if ex.k > 3 else 14, fontWeight="bold").encode(
        x="x:Q", y="y:Q", text=alt.Text("v:Q", format=".2~f"))
    panels = [alt.layer(*layers), alt.layer(kernel, text)]
    if ex.pooled is not None:
        phover = alt.selection_point(name="pcell", fields=["r", "c"], on="pointerover", clear="pointerout",
                                     empty=False)
        out_layers.append(_window_box(ex.pooled, phover))
        pooled = heatmap(ex.pooled, ex.pooled_size, diverging(ex.output["v"], legend=False), px,
                         alt.Title(f"Max-pool {ex.pool}×{ex.pool} → {ex.pooled_size}×{ex.pooled_size}",
                                   subtitle="hover: the window it is the max of"),
                         output_tip).add_params(phover)
        panels += [alt.layer(*out_layers), pooled]
    else:
        panels.append(alt.layer(*out_layers))
    joined = alt.hconcat(*panels, spacing=28) if columns is None else alt.concat(*panels, columns=columns, spacing=28)
    return joined.resolve_scale(color="independent").configure_view(stroke="#ccc")


def _header(labels: list[str], px: int) -> alt.Header:
    """Facet headers looked up by position (labels need not be unique), cut to the panel's width so
    every column stays exactly px wide and stacked facets line up."""
    return alt.Header(labelExpr=f"{json.dumps(labels)}[datum.value]", labelLimit=px)


def _small_headers(chart):
    """Panel headers a little larger than Vega's default; presenter mode enlarges them further."""
    return chart.configure_header(labelFontSize=12)


@memo_chart
def channel_chart(demo: ChannelDemo, px: int = 150) -> alt.VConcatChart:
    """Top row: the input channels, each above its column of terms. Below, one row per output channel:
    each input channel convolved with its kernel slice, then their sum (one colour scale for all)."""
    columns = int(demo.inputs["channel"].max()) + (1 if demo.inputs["channel"].max() > 1 else 0)
    pixels = greys()
    side = int(demo.inputs["r"].max()) + 1
    labels = list(dict.fromkeys(demo.inputs["label"]))
    inputs = heatmap(demo.inputs, side, pixels, px).facet(
        facet=alt.Facet("channel:O", title=None, header=_header(["", *labels], px)), columns=columns, spacing=16,
    ).properties(title=alt.Title("Input channels", anchor="start"))
    terms = heatmap(demo.terms, demo.out_size, diverging(demo.terms["v"]), px).facet(
        facet=alt.Facet("slot:O", title=None, header=_header(demo.headers, px)), columns=columns, spacing=16,
    ).properties(title=alt.Title("Output channels: one term per input channel, then their sum", anchor="start",
                                 subtitle="one colour scale for all panels, so the terms and sums compare directly"))
    return _small_headers(alt.vconcat(inputs, terms, spacing=24).resolve_scale(color="independent"))


@memo_chart
def kernel_grid_chart(df: pd.DataFrame, title: str | alt.Title, px: int = 64, columns: int = 4) -> alt.FacetChart:
    """Kernels (column `channel`, r, c, v) as a grid of small heatmaps, diverging colours centred on 0."""
    side = int(df["r"].max()) + 1
    return _small_headers(heatmap(df, side, diverging(df["v"], "weight"), px,
                   tooltip=["channel:N", alt.Tooltip("r:Q", title="row"), alt.Tooltip("c:Q", title="column"),
                            alt.Tooltip("v:Q", title="weight", format=".3f")]).facet(
        facet=alt.Facet("channel:O", title=None, header=alt.Header(labelExpr="'kernel ' + datum.value")),
        columns=columns, spacing=6).properties(title=title))


@memo_chart
def feature_grid_chart(df: pd.DataFrame, title: str | alt.Title, px: int, columns: int = 8,
                       scheme: str = "viridis") -> alt.FacetChart:
    """Feature maps (channel, r, c, v >= 0 after ReLU) with one shared colour scale: dark = silent."""
    side = int(df["r"].max()) + 1
    return on_canvas(_small_headers(heatmap(df, side, sequential(df["v"], scheme=scheme), px,
                   tooltip=["channel:N", alt.Tooltip("r:Q", title="row"), alt.Tooltip("c:Q", title="column"),
                            alt.Tooltip("v:Q", title="activation", format=".3f")]).facet(
        facet=alt.Facet("channel:O", title=None, header=alt.Header(labelExpr="'ch ' + datum.value")),
        columns=columns, spacing=4).properties(title=title)))


@memo_chart
def image_chart(df: pd.DataFrame, title: str | alt.Title, px: int = 200) -> alt.Chart:
    pixels = greys()
    return heatmap(df, int(df["r"].max()) + 1, pixels, px, title)


@memo_chart
def probabilities_chart(probs: pd.DataFrame, title: str = "Predicted probabilities", subtitle: str = "") -> alt.Chart:
    """Bars per class (columns class, p, kind in {'true class', 'predicted', 'other'})."""
    kinds = ["true class", "predicted (wrong)", "other"]
    return alt.Chart(probs).mark_bar().encode(
        x=alt.X("class:N", sort=None, title="Class", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("p:Q", title="Probability", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("kind:N", scale=alt.Scale(domain=kinds, range=["#009E73", "#D55E00", "#999999"]),
                        title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["class:N", alt.Tooltip("p:Q", format=".2%")],
    ).properties(title=alt.Title(title, subtitle=subtitle or " "), height=380, width="container")


@memo_chart
def misclassified_chart(df: pd.DataFrame, px: int = 84, columns: int = 6) -> alt.FacetChart:
    """Test digits (columns caption, r, c, v in [0, 1]) with 'true → predicted' headers."""
    pixels = greys()
    order = list(dict.fromkeys(df["caption"]))
    return _small_headers(heatmap(df, IMAGE_SIZE, pixels, px, tooltip=["caption:N"]).facet(
        facet=alt.Facet("caption:N", sort=order, title=None), columns=columns, spacing=36))


@memo_chart
def guess_chart(probs: pd.DataFrame, title: str, subtitle: str = "") -> alt.Chart:
    """Bars per class for a drawn digit (columns class, p, kind in {drawing.GUESS, drawing.OTHER})."""
    from core.lessons.cnn.drawing import GUESS, OTHER

    return alt.Chart(probs).mark_bar().encode(
        x=alt.X("class:N", sort=None, title="Class", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("p:Q", title="Probability", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("kind:N", scale=alt.Scale(domain=[GUESS, OTHER], range=["#0072B2", "#999999"]),
                        title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["class:N", alt.Tooltip("p:Q", format=".2%")],
    ).properties(title=alt.Title(title, subtitle=subtitle or " "), height=380, width="container")
