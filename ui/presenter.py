"""Presenter mode for a classroom projector, and the page-wide styles every mode shares.

Presenter mode: the sidebar collapses (once, when the mode is turned on or a link opens with it), body
text, widget labels *and* widget values grow to the same size, secondary text (captions) turns as dark
as body text, and chart text grows through core.charts.presenter (ticks, axis and facet titles,
legends at least 16 px). Charts' CSV buttons are left out (ui.layout.show_chart).

Every mode, for a phone: display formulas scroll sideways (as tables do) instead of being clipped, a
fixed-size chart wider than the screen shrinks to fit it, and a chart drawn with a phone layout
(ui.layout.show_chart's `phone`) shows that layout on a screen at most PHONE_PX wide. And the page is
not greyed out while a run trains: Streamlit dims every element below the one it is drawing
("stale" until redrawn), which during a training run of several seconds would grey out the lesson's
other sections although what they show is still true of the last run.
"""
from __future__ import annotations

import streamlit as st

from ui.layout import NARROW, PHONE_PX, WIDE

TEXT = "1.35rem"  # body text, labels and widget values in presenter mode (about 22 px)

ALWAYS = f"""<style>
.stMainBlockContainer .katex-display {{ overflow-x: auto; overflow-y: hidden; padding-bottom: 0.3rem; }}
.stMainBlockContainer .vega-embed:not(.fit-x) {{ max-width: 100%; }}
.stMainBlockContainer .vega-embed:not(.fit-x) > svg.marks {{ max-width: 100%; height: auto; }}
@media (max-width: {PHONE_PX}px) {{ .stMainBlockContainer [class*="st-key-{WIDE}"] {{ display: none; }} }}
@media (min-width: {PHONE_PX + 1}px) {{ .stMainBlockContainer [class*="st-key-{NARROW}"] {{ display: none; }} }}
[data-testid="stElementContainer"][data-stale="true"] {{ opacity: 1 !important; transition: none !important; }}
</style>"""

PRESENTER = f"""<style>
.stMainBlockContainer {{ font-size: {TEXT}; }}
.stMainBlockContainer p, .stMainBlockContainer li {{ font-size: {TEXT}; }}
h1 {{ font-size: 3.2rem !important; }}
.stMainBlockContainer input, .stMainBlockContainer textarea,
.stMainBlockContainer [data-baseweb="select"] div, .stMainBlockContainer [data-testid="stMultiSelect"] span,
.stMainBlockContainer [data-testid="stSliderThumbValue"], .stMainBlockContainer [data-testid="stSliderTickBar"] *,
.stMainBlockContainer [data-testid="stMetricValue"], .stMainBlockContainer button p,
.stMainBlockContainer [data-testid="stMarkdownContainer"] code {{ font-size: {TEXT} !important; }}
.stMainBlockContainer [data-testid="stSlider"] > label + div {{ margin-top: 1.5rem; }}
.stMainBlockContainer [data-testid="stTable"] th, .stMainBlockContainer [data-testid="stTable"] td {{
  font-size: {TEXT} !important; }}
.stMainBlockContainer [data-testid="stNumberInputContainer"], .stMainBlockContainer [data-baseweb="input"] {{ height: auto; }}
.stMainBlockContainer [data-testid="stCaptionContainer"], .stMainBlockContainer [data-testid="stCaptionContainer"] p {{
  color: rgb(49, 51, 63) !important; opacity: 1 !important; font-size: 1.2rem; }}
.stMainBlockContainer [data-testid="stTable"] th {{ color: rgb(49, 51, 63) !important; }}
.stMainBlockContainer [data-testid="stCode"] code {{ font-size: 1.15rem !important; }}
.vega-bind, .vega-bind * {{ font-size: {TEXT} !important; color: rgb(49, 51, 63) !important; }}
.stMainBlockContainer [data-testid^="stSliderTickBar"], .stMainBlockContainer [data-testid^="stSliderTickBar"] * {{
  color: rgb(49, 51, 63) !important; opacity: 1 !important; }}
.vega-bind input[type=range] {{ width: 12rem !important; }}
</style>"""

# Clicks the sidebar's collapse button if the sidebar is open (retries while the page mounts).
COLLAPSE = """<script>
(() => {
  let tries = 0;
  const collapse = () => {
    const bar = document.querySelector('[data-testid="stSidebar"]');
    const button = document.querySelector('[data-testid="stSidebarCollapseButton"] button');
    if (bar && bar.getAttribute("data-collapsed") === "true") return;
    if (bar && button) { button.click(); return; }
    if (++tries < 40) setTimeout(collapse, 100);
  };
  collapse();
})();
</script><!-- %d -->"""


def apply_styles(presenter: bool) -> None:
    """Page-wide CSS for this run; collapses the sidebar when presenter mode has just been turned on (or
    opened from a link). Call once per script run, in the sidebar (the elements take no room)."""
    st.html(ALWAYS + (PRESENTER if presenter else ""))
    was = st.session_state.get("_presenter_was")
    st.session_state["_presenter_was"] = presenter
    if presenter and not was:
        count = st.session_state["_presenter_turns"] = st.session_state.get("_presenter_turns", 0) + 1
        st.html(COLLAPSE % count, unsafe_allow_javascript=True)
