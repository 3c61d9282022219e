"""The initialization lesson in a real browser: gradients at init on load, heatmap after Train."""
import re

from playwright.sync_api import expect

from tests.e2e.harness import assert_no_exception, chart_text, wait_for_app, wait_for_chart_text


def test_gradients_presets_and_training(server, page):
    page.goto(f"{server}/initialization?depth=6&epochs=1")
    wait_for_app(page)
    page.get_by_text("Back-propagated gradient ‖∂L/∂sₗ‖").first.wait_for()
    expect(page.get_by_text("Weight gradient ‖∂L/∂Wₗ‖").first).to_be_visible()
    # two gradient charts, one box plot per scheme (six, a phone stacks them), spread, saturation
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(10)
    expect(page.get_by_text("is exactly 0").first).to_be_visible()  # why All equal (1) has no line
    # log axes label their decades as powers of ten (core.charts.POWERS_OF_TEN), never 1e-5
    wait_for_chart_text(page, "10⁻")
    assert not re.search(r"\de[-+−]?\d", chart_text(page))

    page.get_by_role("button", name="He et al. 2015: 30-layer ReLU").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('depth') === '30'")
    wait_for_app(page)
    assert_no_exception(page)

    page.get_by_role("button", name="Train").click()
    page.get_by_text("The back-propagated gradient per layer during training").first.wait_for(timeout=300_000)
    page.get_by_text("Symmetry: all-equal weights").wait_for()
    expect(page.get_by_text("identical bit for bit").first).to_be_visible()  # equal weights moved, stayed equal
    wait_for_app(page)
    assert_no_exception(page)
    expect(page.get_by_text("Validation accuracy").first).to_be_visible()
    # the He et al. box reads the preset's own run: Xavier stalls, He trains
    expect(page.get_by_text("Xavier did not train")).to_be_visible()
