"""Every registered page opens in a real browser without an exception; the sidebar persists and
follows the course."""
import re

import pytest
from playwright.sync_api import expect

from tests.e2e.harness import assert_no_exception, wait_for_app
from ui.course import available_lessons, course_groups

PATHS = [""] + [lesson.url_path for lesson in available_lessons()]


@pytest.mark.parametrize("path", PATHS, ids=lambda p: p or "home")
def test_page_opens_without_exception(server, page, path):
    page.goto(f"{server}/{path}")
    wait_for_app(page)
    assert_no_exception(page)
    expect(page.get_by_label("Random seed", exact=True)).to_be_visible()
    if path:
        page.wait_for_selector('[data-testid="stVegaLiteChart"]')  # every lesson draws a chart


def test_sidebar_navigation_follows_the_course(server, page):
    """One navigation section per group of the course, in reading order, each lesson's link in its group."""
    page.goto(server)
    wait_for_app(page)
    headers = page.locator('[data-testid="stNavSectionHeader"]')  # the text ends with its expand icon's name
    expect(headers).to_have_text([re.compile(f"^{re.escape(group)}") for group in course_groups()])
    paths = page.locator('[data-testid="stSidebarNav"] a').evaluate_all(
        "links => links.map(a => new URL(a.href).pathname.replace(/^\\//, ''))")
    assert paths == PATHS


def test_sidebar_choices_persist_across_pages(server, page):
    page.goto(server)
    wait_for_app(page)
    seed = page.get_by_label("Random seed", exact=True)
    seed.fill("17")
    seed.press("Enter")
    page.wait_for_function("() => new URLSearchParams(location.search).get('seed') === '17'")
    page.get_by_label("Presenter mode", exact=True).check(force=True)
    page.wait_for_function("() => new URLSearchParams(location.search).get('presenter') === 'true'")
    sidebar = page.locator('[data-testid="stSidebar"]')
    expect(sidebar).to_have_attribute("data-collapsed", "true")  # presenter mode gives the room to the lesson
    for path in PATHS[1:] + [""]:
        if sidebar.get_attribute("data-collapsed") == "true":  # the teacher opens it to change lesson
            page.locator('[data-testid="stExpandSidebarButton"]').click()
            expect(sidebar).to_have_attribute("data-collapsed", "false")
        nav = page.locator('[data-testid="stSidebarNav"] a[href$="/' + path + '"]')
        nav.first.click()
        page.wait_for_url(f"**/{path}*")
        wait_for_app(page, timeout_ms=600_000)  # seed 17 is not cached: a lesson may train its default view
        assert_no_exception(page)
        expect(page.get_by_label("Random seed", exact=True)).to_have_value("17")
        expect(page.get_by_label("Presenter mode", exact=True)).to_be_checked()
