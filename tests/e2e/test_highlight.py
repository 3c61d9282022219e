"""Hover a run, see it everywhere (issue 20, 7): pointing at a run's row in the summary table fades the
other run in every chart and marks the row; pointing at a run's legend entry marks its row; moving away
clears. Charts of one network's units or layers are left alone."""
from tests.e2e.harness import assert_no_exception, wait_for_app, wait_for_training

FADED = """() => [...document.querySelectorAll('[data-testid="stVegaLiteChart"] g.mark-line path')]
  .filter(p => p.style.opacity === '0.12').map(p => p.getAttribute('aria-label') || '')"""
MARKED = "rgba(0, 114, 178, 0.12)"


def test_a_run_hovered_in_the_table_or_a_chart_is_marked_in_both(server, page):
    page.goto(f"{server}/batchnorm?depth=2&width=32&epochs=1")
    wait_for_app(page)
    wait_for_training(page)
    rows = page.locator('[data-testid="stTable"] tbody tr')
    with_bn, without = rows.filter(has_text="With BN").first, rows.filter(has_text="Without BN").first

    with_bn.hover()
    page.wait_for_function(f"() => ({FADED})().length > 0")
    faded = page.evaluate(FADED)
    assert all("Without BN" in label for label in faded), [l for l in faded if "Without BN" not in l][:3]
    assert not any("unit" in label for label in faded)  # the running-statistics chart's units stay
    assert with_bn.evaluate("r => r.style.background") == MARKED
    assert without.evaluate("r => r.style.background") == ""

    page.locator('[data-testid="stMain"] h1').first.hover()  # away from every chart and table
    page.wait_for_function(f"() => ({FADED})().length === 0")
    assert with_bn.evaluate("r => r.style.background") == ""

    legend = page.locator('[data-testid="stVegaLiteChart"] g[class*="role-legend-label"] text').filter(
        has_text="Without BN").first
    legend.hover(force=True)  # the loss chart's legend entry (Vega draws it without pointer events)
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stTable\"] tbody tr')]"
                           f".some(r => r.style.background === '{MARKED}' && r.textContent.includes('Without BN'))")
    assert with_bn.evaluate("r => r.style.background") == ""
    assert_no_exception(page)
