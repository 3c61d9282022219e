"""The browser's Back button, as the README promises: a changed setting replaces the page's history
entry (the address bar stays the link to the exact view), and Back leaves the page for the one visited
before, which shows the view its URL names."""
from playwright.sync_api import expect

from tests.e2e.harness import assert_no_exception, wait_for_app


def nav(page, path: str) -> None:
    page.locator(f'[data-testid="stSidebarNav"] a[href$="/{path}"]').first.click()
    page.wait_for_url(f"**/{path}*")
    wait_for_app(page)


def test_changing_settings_adds_no_history_entry_and_back_leaves_the_page(server, page):
    page.goto(server)
    wait_for_app(page)
    nav(page, "momentum")
    entries = page.evaluate("history.length")
    lr = page.get_by_label("Learning rate", exact=True).first
    for value in ("0.2", "0.5"):
        lr.fill(value)
        lr.press("Enter")
        page.wait_for_function(f"() => new URLSearchParams(location.search).get('lr') === '{value}'")
        wait_for_app(page)
    assert page.evaluate("history.length") == entries  # the address bar changed in place
    page.go_back()
    expect(page.locator("h1").first).to_have_text("Deep Learning Visual Lab")
    wait_for_app(page)
    assert_no_exception(page)


def test_back_from_another_lesson_returns_to_the_linked_view(server, page):
    page.goto(f"{server}/momentum?lr=0.5&momenta=0,0.9&seed=7")
    wait_for_app(page)
    nav(page, "initialization")
    expect(page.locator("h1").first).to_have_text("Weight initialization")
    page.go_back()
    expect(page.locator("h1").first).to_have_text("Momentum")
    wait_for_app(page)
    assert_no_exception(page)
    expect(page.get_by_label("Learning rate", exact=True).first).to_have_value("0.5000")
    expect(page.get_by_role("textbox", name="Momentum values β (comma-separated)")).to_have_value("0, 0.9")
    expect(page.get_by_label("Random seed", exact=True)).to_have_value("7")
    page.go_forward()
    expect(page.locator("h1").first).to_have_text("Weight initialization")
