"""The residual lesson in a real browser: trained on a first visit, the spread over seeds after Train, a
preset that trains in one click."""
from playwright.sync_api import expect

from tests.e2e.harness import CHARTS, assert_no_exception, wait_for_app, wait_for_chart_text

PARAM = "() => new URLSearchParams(location.search).get('{}') === '{}'"


def test_first_visit_seeds_and_a_preset(server, page):
    page.goto(f"{server}/residual?depth=3&width=16&epochs=1")
    wait_for_app(page)
    page.get_by_text("What to notice").wait_for(timeout=120_000)
    assert_no_exception(page)
    expect(page.locator(CHARTS)).to_have_count(10)
    for title in ("First and last layer's weight gradient", "Gradient reaching each hidden layer,",
                  "The loss along one filter-normalised random direction"):
        wait_for_chart_text(page, title)
    expect(page.get_by_text("The signs, on this run")).to_be_visible()

    # two seeds: the old run stays, labelled, until Train; then the spread appears
    page.get_by_role("spinbutton", name="Seeds").fill("2")
    page.get_by_role("spinbutton", name="Seeds").press("Enter")
    page.get_by_text("Showing the last run").wait_for()
    page.wait_for_function(PARAM.format("seeds", "2"))
    page.get_by_role("button", name="Train").click()
    page.get_by_text("Spread over 2 seeds", exact=True).wait_for(timeout=120_000)
    wait_for_app(page)
    assert_no_exception(page)
    wait_for_chart_text(page, "Spread over seeds")

    # a preset sets every control and trains at once: the sigmoid reference
    page.get_by_role("button", name="Sigmoid · depth 10").click()
    page.wait_for_function(PARAM.format("depth", "10"))
    page.get_by_text("Sigmoid, width 64, depth 10").first.wait_for(timeout=180_000)
    wait_for_app(page, timeout_ms=180_000)
    assert_no_exception(page)
    expect(page.get_by_text("Showing the last run")).to_have_count(0)
    expect(page.get_by_text("a vanishing gradient: the first layer barely moves").first).to_be_visible()
