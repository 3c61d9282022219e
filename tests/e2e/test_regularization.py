"""The regularization lesson in a real browser: the curve fit on load, its controls in the URL, Nielsen's
network and the seven regularizers trained on their buttons (small settings from the link)."""
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.e2e.harness import CHARTS, assert_no_exception, expect_at_least, wait_for_app, wait_for_chart_text

SMALL = "net_images=200&net_epochs=2&net_batch_size=20&images=200&width=16&epochs=2"


def query(page) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_curve_fit_on_load_and_training_on_the_buttons(server, page):
    page.goto(f"{server}/regularization?{SMALL}")
    wait_for_app(page)
    wait_for_chart_text(page, "M = 9, N = 10")
    wait_for_chart_text(page, "Training and test error against M")
    expect_at_least(page.locator(CHARTS), 6)  # the fit, the errors, four dropout heatmaps
    expect(page.get_by_text("Test RMS error", exact=True)).to_be_visible()
    assert_no_exception(page)

    # the degree slider moves with the keyboard; the fit and the URL follow
    slider = page.get_by_role("slider", name="Degree M of the polynomial")
    slider.focus()
    for _ in range(6):
        slider.press("ArrowLeft")
    page.wait_for_function("() => new URLSearchParams(location.search).get('degree') === '3'")
    wait_for_app(page)
    wait_for_chart_text(page, "M = 3, N = 10")
    assert query(page)["net_images"] == "200"  # the link's other settings stay

    page.get_by_role("button", name="Train the network").click()
    page.get_by_text("Generalisation gap", exact=True).wait_for(timeout=120_000)
    wait_for_app(page)
    wait_for_chart_text(page, "training (solid) and validation (dashed)")  # the cost chart's key
    assert_no_exception(page)

    page.get_by_role("button", name="Train the seven networks").click()
    page.get_by_text("Highest validation accuracy").first.wait_for(timeout=120_000)
    wait_for_app(page)
    wait_for_chart_text(page, "Training against validation accuracy")
    expect(page.get_by_text("the trained dropout network of section 3")).to_be_visible()
    assert_no_exception(page)
