"""The activations lesson in a real browser: curves and depth chart on load, live training on Train."""
from playwright.sync_api import expect

from tests.e2e.harness import CHARTS, assert_no_exception, chart_text, expect_at_least, wait_for_app, wait_for_chart_text


def test_curves_depth_and_training(server, page):
    page.goto(f"{server}/activations?epochs=2")
    wait_for_app(page)
    page.get_by_text("How much gradient reaches each layer").wait_for()
    wait_for_chart_text(page, "dashed: the derivatives' factor alone")  # the dashed line is no "bound"
    charts = page.locator(CHARTS)
    expect(charts).to_have_count(6)  # f, f', three function panels, depth
    expect_at_least(page.locator(".katex"), 6)  # formula and derivative per selected function
    train = page.get_by_role("button", name="Train")
    expect(train).to_be_visible()
    assert "Training loss" not in chart_text(page)

    train.click()
    page.locator('[data-testid="stTable"]').filter(has_text="status").wait_for(timeout=120_000)
    wait_for_app(page)
    assert_no_exception(page)
    expect(charts).to_have_count(8)
    wait_for_chart_text(page, "Training loss")
    wait_for_chart_text(page, "Validation accuracy")
    expect(page.get_by_text("ended highest")).to_be_visible()  # the takeaway reads the run's outcomes
    expect(page.get_by_text("reproduced here").first).to_be_visible()  # fastai's sqrt(5) spread, live
