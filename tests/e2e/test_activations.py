"""The activations lesson in a real browser: curves and depth chart on load, live training on Train."""
from playwright.sync_api import expect

from tests.e2e.harness import assert_no_exception, wait_for_app


def chart_titles(page) -> str:
    """Text of every rendered Vega chart (titles and axis labels are SVG text)."""
    return " ".join(page.locator('[data-testid="stVegaLiteChart"]').all_inner_texts())


def test_curves_depth_and_training(server, page):
    page.goto(f"{server}/activations?epochs=2")
    wait_for_app(page)
    page.get_by_text("How much gradient reaches each layer").wait_for()
    charts = page.locator('[data-testid="stVegaLiteChart"]')
    expect(charts).to_have_count(6)  # f, f', three function panels, depth
    assert page.locator(".katex").count() >= 6  # formula and derivative per selected function
    assert page.get_by_role("button", name="Train").is_visible()
    assert "Training loss" not in chart_titles(page)

    page.get_by_role("button", name="Train").click()
    page.locator('[data-testid="stDataFrame"]').wait_for(timeout=120_000)
    wait_for_app(page)
    assert_no_exception(page)
    expect(charts).to_have_count(8)
    titles = chart_titles(page)
    assert "Training loss" in titles and "Validation accuracy" in titles
    assert page.get_by_text("learned slowest").is_visible()
