"""A phone held upright (390 × 844 px) in Chromium: every chart fits the screen, a formula too wide for
it scrolls sideways, and every column of a table can be scrolled into view."""
import pytest

from tests.e2e.harness import (CHARTS, assert_no_exception, wait_for_app, wait_for_chart_text, wait_for_charts,
                               wait_for_training)

PHONE = {"width": 390, "height": 844}

# each visible chart's svg or canvas: its left and right edges and its title, against the screen's width
CHART_EDGES = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].filter(c => c.checkVisibility())
  .map(c => { const r = c.querySelector('svg, canvas').getBoundingClientRect();
              return [Math.round(r.left), Math.round(r.right), c.innerText.slice(0, 40)]; })"""

# display formulas wider than their box, which cannot be scrolled sideways (clipped)
CLIPPED_FORMULAS = """() => [...document.querySelectorAll('.katex-display')]
  .filter(k => k.scrollWidth > k.clientWidth + 1 && !['auto', 'scroll'].includes(getComputedStyle(k).overflowX))
  .map(k => k.innerText.slice(0, 40))"""

# each table scrolled sideways as far as it goes (its own scroller, the nearest ancestor that scrolls):
# the right edge of its last header cell, and the screen's width
LAST_COLUMNS = """() => [...document.querySelectorAll('[data-testid=stTable] table')].map(t => {
  let box = t.parentElement;
  while (box && !(['auto', 'scroll'].includes(getComputedStyle(box).overflowX) && box.scrollWidth > box.clientWidth))
    box = box.parentElement;
  if (box) box.scrollLeft = box.scrollWidth;
  const cells = t.querySelectorAll('thead th');
  return [Math.round(cells[cells.length - 1].getBoundingClientRect().right), document.documentElement.clientWidth,
          cells[cells.length - 1].innerText];
})"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    p = context.new_page()
    p.set_default_timeout(60_000)
    yield p
    context.close()


def test_cnn_fits_a_phone(server, phone):
    phone.goto(f"{server}/cnn?epochs=1")
    wait_for_app(phone)
    phone.get_by_role("button", name="Train").click()
    wait_for_training(phone)
    phone.get_by_text("Misclassified test digits").wait_for()
    wait_for_charts(phone)
    width = phone.evaluate("() => document.documentElement.clientWidth")
    edges = phone.evaluate(CHART_EDGES)
    assert len(edges) >= 14  # explainer, channels, training curves, kernels, image, maps, mistakes
    assert not [e for e in edges if e[0] < 0 or e[1] > width], (width, edges)
    # the explainer in its phone layout (output under input), drawn at its own size: not the row of four
    # panels shrunk to a third
    explainer = phone.locator(CHARTS).first
    assert "Output 26×26" in explainer.inner_text()
    scale = explainer.evaluate("c => { const s = c.querySelector('svg'); "
                               "return s.getBoundingClientRect().width / Number(s.getAttribute('width')); }")
    assert scale > 0.9, scale
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= width  # nothing scrolls the page
    assert not phone.evaluate(CLIPPED_FORMULAS)
    columns = phone.evaluate(LAST_COLUMNS)
    assert columns and not [c for c in columns if c[0] > c[1]], columns
    assert_no_exception(phone)


def test_cnn_explainer_keeps_its_row_on_a_screen(server, page):
    page.goto(f"{server}/cnn")
    wait_for_app(page)
    wait_for_charts(page)
    box = page.locator(CHARTS).first.bounding_box()
    assert box["width"] > 800  # input, kernel, output and pooled side by side (the phone layout: 348 px)


@pytest.mark.parametrize("path", ["batchnorm", "initialization", "activations", "momentum"])
def test_faceted_lessons_fit_a_phone(server, phone, path):
    """The lessons with panels side by side on a screen (BN histograms, initialization box plots,
    activation panels, momentum paths) stack or wrap on a phone: no chart past the screen's edges."""
    from tests.e2e.test_monkey import SMALL

    phone.goto(f"{server}/{path}?{SMALL[path]}")
    wait_for_app(phone, timeout_ms=600_000)  # the default view trains on a first visit
    wait_for_charts(phone, timeout_ms=600_000)
    width = phone.evaluate("() => document.documentElement.clientWidth")
    edges = phone.evaluate(CHART_EDGES)
    assert len(edges) >= 3  # momentum shows three before its MNIST runs are trained
    assert not [e for e in edges if e[0] < 0 or e[1] > width], (width, edges)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= width
    assert not phone.evaluate(CLIPPED_FORMULAS)
    assert not phone.evaluate(CUT_CHART_TEXT)
    assert_no_exception(phone)


# every legend label's right edge against its chart's: Vega clips what runs past the chart's width (SVG
# charts: a canvas has no text to measure)
CLIPPED_LEGEND_LABELS = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].filter(c => c.checkVisibility())
  .flatMap(c => { const svg = c.querySelector('svg');
                  if (!svg) return [];
                  const right = svg.getBoundingClientRect().right;
                  return [...c.querySelectorAll('g[class*="role-legend-label"] text')]
                    .filter(t => t.getBoundingClientRect().right > right + 1).map(t => t.textContent); })"""


# chart text Vega shortened with "…" to fit (titles, labels)
CUT_CHART_TEXT = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] svg text')]
  .filter(t => t.checkVisibility() && t.textContent.endsWith('…')).map(t => t.textContent)"""


def test_transfer_legends_and_titles_fit_a_phone(server, phone):
    """The method names are the longest legend labels in the course ("Fine-tune, smaller feature lr"),
    beside a long sweep title: on a phone every one of them is whole, none cut at the chart's edge or
    shortened with "…"."""
    phone.goto(f"{server}/transfer?k=2&ks=1&epochs=2")  # the first visit pretrains, then sweeps
    wait_for_app(phone, timeout_ms=300_000)
    phone.get_by_text("What to notice").wait_for(timeout=300_000)
    wait_for_chart_text(phone, "Test accuracy against K")  # the sweep
    wait_for_charts(phone, timeout_ms=60_000)
    labels = phone.locator('[data-testid="stVegaLiteChart"] g[class*="role-legend-label"] text')
    assert labels.count() >= 4
    assert not phone.evaluate(CLIPPED_LEGEND_LABELS)
    assert not phone.evaluate(CUT_CHART_TEXT)
    assert_no_exception(phone)
