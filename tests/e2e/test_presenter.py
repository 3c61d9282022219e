"""Presenter mode on every page, measured in the browser after training (issue 20): the sidebar
collapsed, every chart's tick labels, axis titles, legends, titles and text inside the plot at least
16 px, widget values and run tables as large as body text, captions dark, no CSV buttons."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import assert_no_exception, wait_for_app, wait_for_training
from tests.e2e.test_monkey import SMALL
from ui.course import available_lessons

CHART_TEXT = """() => [...document.querySelectorAll(
  '[data-testid="stVegaLiteChart"] svg g[class*="role-axis-label"] text, ' +
  '[data-testid="stVegaLiteChart"] svg g[class*="role-axis-title"] text, ' +
  '[data-testid="stVegaLiteChart"] svg g[class*="role-legend"] text, ' +
  '[data-testid="stVegaLiteChart"] svg g[class*="role-title"] text, ' +
  '[data-testid="stVegaLiteChart"] svg g.mark-text text')]
  .map(t => [t.textContent, parseFloat(getComputedStyle(t).fontSize) || parseFloat(t.getAttribute('font-size'))])"""


@pytest.mark.parametrize("path", ["", *[lesson.url_path for lesson in available_lessons()]])
def test_presenter_mode_is_legible_from_the_back_row(server, page, path):
    query = SMALL.get(path, "")
    page.goto(f"{server}/{path}?presenter=true{'&' + query if query else ''}")
    wait_for_app(page, timeout_ms=600_000)  # a lesson trains its default view on a first visit (/transfer: ~1 min)
    if path:
        wait_for_training(page)
    expect(page.locator('[data-testid="stSidebar"]')).to_have_attribute("data-collapsed", "true")
    if path:  # the home page has no chart
        sizes = page.evaluate(CHART_TEXT)
        small = sorted({(text, size) for text, size in sizes if size < 16}, key=lambda t: t[1])
        assert sizes and not small, small[:8]
        # no SVG mark filled by a gradient: Vega points it at the page's address as it was when drawn, and
        # the address changes with every widget (vega/vega#3948): the colour bar would be blank
        filled = page.evaluate("() => document.querySelectorAll('[data-testid=stVegaLiteChart] svg [fill^=\"url(\"]').length")
        assert filled == 0, filled
    assert page.get_by_role("button", name=re.compile(r"^Download .*\(CSV\)")).count() == 0
    body = page.evaluate("() => parseFloat(getComputedStyle(document.querySelector('.stMainBlockContainer p')).fontSize)")
    values = page.evaluate("() => [...document.querySelectorAll('.stMainBlockContainer input:not([type=checkbox])"
                           ":not([type=range])')].map(i => parseFloat(getComputedStyle(i).fontSize))")
    assert not values or min(values) >= body - 0.5, (min(values), body)
    cells = page.evaluate("() => [...document.querySelectorAll('[data-testid=stTable] td')]"
                          ".map(c => parseFloat(getComputedStyle(c).fontSize))")
    assert not cells or min(cells) >= body - 0.5, (min(cells), body)  # a run table reads like the text
    code = page.evaluate("() => [...document.querySelectorAll('.stMainBlockContainer [data-testid=stCode] code')]"
                         ".map(c => parseFloat(getComputedStyle(c).fontSize))")
    assert not code or min(code) >= 18, min(code)  # a program on the wall, readable from the back row
    # secondary text (captions, table headers, a slider's ends, a chart slider's value) as dark as body text,
    # not Streamlit's faint grey: its colour, and no see-through ancestor (Streamlit fades a caption with
    # opacity 0.6)
    greys = page.evaluate("""() => [...document.querySelectorAll(
        '.stMainBlockContainer [data-testid=stCaptionContainer] p, .stMainBlockContainer [data-testid=stTable] th, ' +
        '.stMainBlockContainer [data-testid^=stSliderTickBar] div, .vega-bind span')]
      .map(p => { let o = 1; for (let e = p; e; e = e.parentElement) o *= parseFloat(getComputedStyle(e).opacity);
                  return [getComputedStyle(p).color, o, p.textContent.slice(0, 30)]; })
      .filter(([c, o]) => c !== 'rgb(49, 51, 63)' || o < 1)""")
    assert not greys, greys[:3]
    # a slider's value (larger now) sits under its label, not over it
    overlaps = page.evaluate("""() => [...document.querySelectorAll('.stMainBlockContainer [data-testid=stSlider]')]
      .map(s => [s.querySelector('label'), s.querySelector('[data-testid=stSliderThumbValue]')])
      .filter(([l, v]) => l && v && v.getBoundingClientRect().top < l.getBoundingClientRect().bottom - 1)
      .map(([l]) => l.textContent)""")
    assert not overlaps, overlaps
    assert_no_exception(page)
