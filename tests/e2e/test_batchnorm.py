"""The batch-norm lesson in a real browser: trained on first visit, histograms, train vs eval."""
from playwright.sync_api import expect

from tests.e2e.harness import assert_no_exception, wait_for_app


def test_first_visit_shows_the_whole_lesson(server, page):
    page.goto(f"{server}/batchnorm?depth=2&width=32&epochs=1")
    wait_for_app(page)
    page.get_by_text("One neuron, worked through").wait_for(timeout=120_000)
    assert_no_exception(page)
    for title in ("Training loss", "Inputs to the activations at step", "Running mean vs population mean"):
        expect(page.get_by_text(title).first).to_be_visible()
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(8)

    page.get_by_label("Epochs").fill("2")
    page.get_by_label("Epochs").press("Enter")
    page.get_by_text("Showing the last run").wait_for()
    page.get_by_role("button", name="Train").click()
    page.get_by_text("Showing the last run").wait_for(state="detached", timeout=120_000)
    wait_for_app(page)
    assert_no_exception(page)
