"""Page building blocks: charts with CSV download, takeaways, presenter-aware rendering."""
from __future__ import annotations

import re
import threading
import weakref

import altair as alt
import pandas as pd
import streamlit as st

import core.format as format_

from core.cache import RunCache
from core.charts import presenter

try:  # Streamlit's own Altair -> Vega-Lite conversion (data as Arrow); internal, so optional
    from streamlit.elements.vega_charts import _convert_altair_to_vega_lite_spec
except ImportError:  # pragma: no cover - a later Streamlit moved it: every chart is converted per run
    _convert_altair_to_vega_lite_spec = None

# id of a chart (a memoized builder's, shared by the sessions showing one result) -> (a weak reference
# to it, its specs by presenter setting): the conversion (validation, Arrow serialisation) happens once
# per chart, not once per session; an entry goes when its chart does (charts are unhashable: keyed by id)
_SPECS: dict[int, tuple[weakref.ref, RunCache]] = {}
_SPECS_LOCK = threading.Lock()

PHONE_PX = 640  # a screen at most this wide shows a chart's phone layout (show_chart's `phone`)
WIDE, NARROW = "dlvl-wide-", "dlvl-phone-"  # keys (CSS classes st-key-...) of the two layouts' containers


def _vega_lite_spec(chart: alt.TopLevelMixin, big: bool) -> dict | None:
    """The chart as Streamlit sends it (datasets as Arrow bytes, `_swatches` applied), converted once per
    chart object: sessions asking for it at the same moment wait for the one converting it."""
    if _convert_altair_to_vega_lite_spec is None:
        return None
    key = id(chart)
    with _SPECS_LOCK:
        ref, specs = _SPECS.get(key, (None, None))
        if ref is None or ref() is not chart:
            ref, specs = weakref.ref(chart, lambda _, key=key: _forget(key)), RunCache(max_entries=2)
            _SPECS[key] = (ref, specs)
    return specs.get_or_run(big, lambda: _swatches(_convert_altair_to_vega_lite_spec(presenter(chart, big))))


def _forget(key: int) -> None:
    with _SPECS_LOCK:
        entry = _SPECS.get(key)
        if entry is not None and entry[0]() is None:
            del _SPECS[key]


COLOUR_CHANNELS = ("color", "fill", "stroke")


def _symbol_legends(node):
    """`node` (a Vega-Lite spec or part of one, its data left alone) with every continuous colour legend
    drawn as a column of swatches instead of a gradient; shares what it does not change. Vega's SVG
    renderer points a gradient at the page's address as it was when drawn (`url(<address>#gradient_0)`),
    and this app rewrites the address's query string as widgets change: the gradient then finds nothing
    and its colour bar is blank (vega/vega#3948)."""
    if isinstance(node, list):
        items = [_symbol_legends(item) for item in node]
        return items if any(a is not b for a, b in zip(items, node)) else node
    if not isinstance(node, dict):
        return node
    out = node
    for key, value in node.items():
        if key in ("datasets", "data"):
            continue
        if key == "encoding" and isinstance(value, dict):
            encoding = dict(value)
            for channel in COLOUR_CHANNELS:
                field = encoding.get(channel)
                if (isinstance(field, dict) and field.get("type") == "quantitative" and "bin" not in field
                        and field.get("legend", {}) is not None):
                    legend = field.get("legend") or {}
                    # about four swatches, three to a row: about as wide as the colour bar was, so a chart
                    # keeps its width (a phone's layout was drawn to fit)
                    encoding[channel] = {**field, "legend": {"tickCount": 4, "columns": 3, **legend,
                                                            "type": "symbol", "symbolType": "square"}}
            new = _symbol_legends(encoding)
        else:
            new = _symbol_legends(value)
        if new is not value:
            out = dict(node) if out is node else out
            out[key] = new
    return out


def _swatches(spec: dict) -> dict:
    """The spec with `_symbol_legends`, unless it asks for a canvas (core.charts.on_canvas), where
    gradients draw: every other chart may be SVG (a fixed-size one always, a stretched one up to 2,000
    rows, as Streamlit picks)."""
    renderer = ((spec.get("usermeta") or {}).get("embedOptions") or {}).get("renderer")
    return spec if renderer == "canvas" else _symbol_legends(spec)


def _as_svg(spec: dict, layout: str | None = None) -> dict:
    """The spec drawn as SVG, whatever its number of marks: a fixed-size chart wider than a phone is
    scaled down to fit by CSS (ui.presenter.ALWAYS), and SVG finds the hovered mark by the element under
    the pointer, where a scaled canvas would pick by unscaled coordinates. A chart that asks for a canvas
    (core.charts.on_canvas: dense grids sized to fit a phone as they are) keeps it."""
    meta = dict(spec.get("usermeta") or {})
    options = meta.get("embedOptions") or {}
    meta["embedOptions"] = {**options, "renderer": options.get("renderer", "svg")}
    if layout:
        meta["layout"] = layout  # the screen it is drawn for ("phone"), for whoever reads the page's specs
    return {**spec, "usermeta": meta}


def draw_chart(chart: alt.TopLevelMixin, big: bool = False, stretch: bool = True, layout: str | None = None) -> None:
    """An Altair chart (its menu exports PNG/SVG), in presenter mode's fonts when `big`. Faceted and
    fixed-size charts pass stretch=False: they keep their own width, or shrink to fit a narrower screen."""
    width = "stretch" if stretch else "content"
    spec = _vega_lite_spec(chart, big)
    if spec is None:
        spec = _swatches(presenter(chart, big).to_dict())
    # a shallow copy: Streamlit moves the datasets out of the top level of the dict it is given
    st.vega_lite_chart(spec=dict(spec) if stretch else _as_svg(spec, layout), width=width)


def selectable_chart(chart: alt.TopLevelMixin, big: bool, key: str, on_select, selection_mode: list[str]) -> None:
    """A fixed-size chart whose named selections (`selection_mode`) call `on_select` when a student clicks
    it (st.vega_lite_chart's selections), drawn as draw_chart draws one."""
    st.vega_lite_chart(spec=_as_svg(_swatches(presenter(chart, big).to_dict())), key=key, width="content",
                       on_select=on_select, selection_mode=selection_mode)


def show_chart(chart: alt.TopLevelMixin, data: pd.DataFrame, name: str, big: bool = False,
               key: str | None = None, stretch: bool = True, phone: alt.TopLevelMixin | None = None) -> None:
    """draw_chart, and a button that downloads the chart's data as CSV (left out in presenter mode).
    `phone`: the same view laid out for a phone (fixed size, say panels stacked), shown instead of
    `chart` on a screen at most PHONE_PX wide; the page holds both, CSS shows one (ui.presenter.ALWAYS)."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    if phone is None:
        draw_chart(chart, big, stretch)
    else:
        with st.container(key=f"{WIDE}{key or slug}"):
            draw_chart(chart, big, stretch)
        with st.container(key=f"{NARROW}{key or slug}"):
            draw_chart(phone, big, stretch=False, layout="phone")
    if big:
        return
    # the CSV is made only when the button is pressed (a callable), not on every run of every session
    st.download_button("Download data (CSV)", lambda: data.to_csv(index=False).encode(), file_name=f"{slug}.csv",
                       mime="text/csv", key=key or f"csv-{slug}", type="tertiary", icon=":material/download:")


def run_table(table: pd.DataFrame) -> None:
    """A table with one row per run (a summary): an HTML table, so it scales with presenter mode's text
    and hovering a run in a chart marks its row (ui.highlight), and the other way round."""
    st.table(table, hide_index=True)


def _cell(config: dict | None):
    """How a cell of a column with this st.column_config shows as text (presenter mode's HTML table)."""
    fmt = ((config or {}).get("type_config") or {}).get("format")
    if fmt == "percent":
        return format_.percent
    if fmt == "localized":
        return lambda v: format_.MISSING if pd.isna(v) else f"{v:,}"
    if isinstance(fmt, str) and fmt.startswith("%"):
        return lambda v: format_.MISSING if pd.isna(v) else (fmt % v).replace("-", "−")
    return lambda v: format_.number(v) if isinstance(v, float) else ("" if v is None else v)


PRESENTER_TABLE_SCALE = 1.4  # presenter mode's table text against the screen's (ui.presenter.TEXT, about 22 px)


def data_table(df: pd.DataFrame, column_config: dict | None = None, **kwargs) -> None:
    """st.dataframe (sortable, scrollable, with its column help), except in presenter mode: there an HTML
    table (st.table), whose text grows with the page's (a data grid is drawn on a canvas at a fixed
    size), its cells written as the column_config formats them ("percent", "localized", "%.1f"; other
    floats through core.format.number), in a scroll box when the grid has a fixed `height`. Columns
    configured None are left out in both."""
    if not st.session_state.get("settings") or not st.session_state["settings"].presenter:
        st.dataframe(df, column_config=column_config, **{"hide_index": True, **kwargs})
        return
    config = column_config or {}
    shown = df[[c for c in df.columns if not (c in config and config[c] is None)]]
    shown = pd.DataFrame({(config.get(c) or {}).get("label") or c: shown[c].map(_cell(config.get(c)))
                          for c in shown.columns})
    height = kwargs.get("height")
    if isinstance(height, int):  # a long table keeps its scroll box, as much larger as its text
        with st.container(height=round(height * PRESENTER_TABLE_SCALE)):
            st.table(shown, hide_index=True)
    else:
        st.table(shown, hide_index=True)


def verification(text: str, big: bool = False) -> None:
    """A note that checks the page's numbers (against autograd, a closed form, PyTorch): a caption for a
    student reading alone, left out in presenter mode (`big`)."""
    if not big:
        st.caption(text)


def takeaways(points: list[str]) -> None:
    """The short "what to notice" list at the end of a lesson."""
    st.subheader("What to notice")
    st.markdown("\n".join(f"- {p}" for p in points))

