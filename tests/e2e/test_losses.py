"""The cost-function lesson in a real browser: every part drawn on the first visit, a slider that
recomputes the softmax (and goes into the URL) without retraining, and training on Train."""
from playwright.sync_api import expect

from tests.e2e.harness import CHARTS, assert_no_exception, wait_for_app, wait_for_chart_text

SMALL = "losses=cross_entropy,mse_softmax_sum,softmax_then_ce,nll_on_probabilities&epochs=1&batch_size=256"
PARAM = "() => new URLSearchParams(location.search).get('{}') === '{}'"


def test_every_part_then_softmax_then_training(server, page):
    page.goto(f"{server}/losses?{SMALL}")
    wait_for_app(page)
    page.get_by_text("What to notice").wait_for(timeout=120_000)
    assert_no_exception(page)
    expect(page.locator(CHARTS)).to_have_count(10)
    # (the two cost maps hold 6,561 cells each: Streamlit draws them on a canvas, with no text to read)
    for title in ("The neuron's output while it learns",
                  "softmax(z / T): ten probabilities", "The gradient that reaches the output layer",
                  "Training loss with the two bugs"):
        wait_for_chart_text(page, title)
    # st.dataframe draws on a canvas; its cells are in the page for screen readers
    expect(page.get_by_text("derivative for aten::heaviside is not implemented", exact=False).first).to_be_attached()
    expect(page.get_by_text("3 values (0, 0.25, 0.5)").first).to_be_visible()

    # the true class's cross-entropy follows the temperature slider, and the URL follows it too
    metric = page.locator('[data-testid="stMetric"]').filter(has_text="Cross-entropy of class 3")
    expect(metric).to_contain_text("0.7365")
    thumb = page.get_by_role("slider", name="Temperature T")
    thumb.focus()
    for _ in range(9):  # 1.0 -> 1.9 in steps of 0.1
        thumb.press("ArrowRight")
    page.wait_for_function(PARAM.format("temperature", "1.9"))
    wait_for_app(page)
    expect(metric).not_to_contain_text("0.7365")
    assert_no_exception(page)
    expect(page.get_by_text("Showing the last run")).to_have_count(0)  # the MNIST runs were not touched

    page.get_by_label("Epochs").fill("2")
    page.get_by_label("Epochs").press("Enter")
    page.get_by_text("Showing the last run").wait_for()
    page.get_by_role("button", name="Train", exact=True).click()
    page.get_by_text("Showing the last run").wait_for(state="detached", timeout=120_000)
    wait_for_app(page)
    assert_no_exception(page)
    page.wait_for_function(PARAM.format("epochs", "2"))
    expect(page.locator(CHARTS)).to_have_count(10)
