"""The transfer lesson in a real browser: pretrained and swept on the first visit, the sweep retrained
on Train, densenet121 built on demand, the settings in the URL."""
from playwright.sync_api import expect

from tests.e2e.harness import CHARTS, assert_no_exception, expect_at_least, wait_for_app, wait_for_chart_text

PARAM = "() => new URLSearchParams(location.search).get('{}') === '{}'"


def test_first_visit_the_sweep_and_densenet(server, page):
    page.goto(f"{server}/transfer?k=2&ks=1&epochs=2")
    wait_for_app(page, timeout_ms=300_000)
    page.get_by_text("What to notice").wait_for(timeout=300_000)
    assert_no_exception(page)
    expect_at_least(page.locator(CHARTS), 4)  # zero-shot confusion, K sweep, detail at K, training loss
    wait_for_chart_text(page, "Test accuracy against K")
    wait_for_chart_text(page, "Zero-shot: what the MNIST network says")
    expect(page.get_by_text("every frozen tensor has no gradient and is exactly as it was")).to_be_visible()

    # a new setting keeps the last sweep on screen until Train, then trains it and goes into the URL
    page.get_by_label("Epochs (passes over the 10·K images)").fill("1")
    page.get_by_label("Epochs (passes over the 10·K images)").press("Enter")
    page.get_by_text("Showing the last run").wait_for()
    page.wait_for_function(PARAM.format("epochs", "1"))
    page.get_by_role("button", name="Train").click()
    page.get_by_text("Showing the last run").wait_for(state="detached", timeout=300_000)
    wait_for_app(page, timeout_ms=300_000)
    assert_no_exception(page)
    wait_for_chart_text(page, "K = 2 labelled images per class")

    page.get_by_role("button", name="Build densenet121 and apply the recipe").click()
    page.get_by_text("Trainable after the recipe (10 classes)").wait_for(timeout=300_000)
    wait_for_app(page, timeout_ms=300_000)
    expect(page.get_by_text("random, not pretrained")).to_be_visible()
    expect(page.get_by_text("10,250", exact=True)).to_be_visible()
    assert_no_exception(page)
