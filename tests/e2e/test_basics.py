"""The basics lesson in a real browser: every part drawn on a first visit, the perceptron replayed in the
browser by its slider (no rerun), a step of the training loop, and the classifier trained behind its button."""
from playwright.sync_api import expect

from tests.e2e.harness import CHARTS, assert_no_exception, chart_text, expect_at_least, wait_for_app, wait_for_chart_text

PARAM = "() => new URLSearchParams(location.search).get('{}') === '{}'"


def test_first_visit_replay_step_and_classifier(server, page):
    page.goto(f"{server}/basics?mlp_epochs=1&mlp_batch_size=512")
    wait_for_app(page)
    assert_no_exception(page)
    expect_at_least(page.locator(CHARTS), 9)
    wait_for_chart_text(page, "AND: the line after each update")
    wait_for_chart_text(page, "Update 24 · epoch 6")  # the figure opens on the last update
    expect(page.get_by_text("Two layers solve XOR")).to_be_visible()

    # the perceptron's slider is Vega's own input: the figure follows it in the browser, no script rerun
    slider = page.locator(".vega-bind input[type=range]").first
    slider.scroll_into_view_if_needed()
    slider.evaluate("el => { el.value = 15; el.dispatchEvent(new Event('input', {bubbles: true})); }")
    wait_for_chart_text(page, "Update 15 · epoch 4 · example (1, 0), y = 0")
    assert "Update 24" not in chart_text(page)
    # Play (ui.animation) moves the same slider on, in the browser, to the last update
    page.get_by_role("button", name="▶ Play").click()
    wait_for_chart_text(page, "Update 24 · epoch 6")

    # one step of the training loop
    page.get_by_role("button", name="Take one step").click()
    page.wait_for_function(PARAM.format("step", "2"))
    wait_for_app(page)
    expect(page.get_by_text("Step 2 of 3,200")).to_be_visible()
    assert_no_exception(page)

    # the classifier trains behind its button
    page.get_by_role("button", name="Train the classifier").click()
    wait_for_chart_text(page, "Confusion matrix", timeout_ms=180_000)
    wait_for_app(page)
    expect(page.get_by_text("This run took").first).to_be_visible()
    assert_no_exception(page)
