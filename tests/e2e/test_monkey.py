"""Seeded, bounded random interaction on every page: whatever a student clicks, no exception appears.

Each page opens with small training settings, trains once if it has a Train button, and then takes
ACTIONS random actions on its widgets (sliders, number and text inputs with sensible, extreme and
garbage values, select boxes, toggles). After every action the run must finish without an
exception element on the page. The seed makes a failure reproducible: it is in the test id.
"""
import random

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.harness import assert_no_exception, wait_for_app
from ui.course import available_lessons

ACTIONS = 8
SMALL = {  # keep any training the monkey triggers to a few seconds
    "activations": "epochs=1&hidden=32", "initialization": "depth=4&width=32&epochs=1",
    "batchnorm": "depth=2&width=32&epochs=1", "momentum": "epochs=1", "cnn": "epochs=1",
    "residual": "depth=3&width=16&epochs=1",
    "losses": "epochs=1&batch_size=256&losses=cross_entropy,mse_softmax_sum",
}
NUMBERS = ["0", "1", "-3", "7", "0.5", "1e9", "64", "0.001"]  # a number field takes no letters
TEXTS = ["50, 50", "8", "abc", "100000", "", "3,3,3", "-1"]


def settle(page) -> None:
    page.wait_for_timeout(400)  # let the rerun start, then wait for it to finish
    wait_for_app(page, timeout_ms=180_000)
    assert_no_exception(page)


def act(page, rng: random.Random) -> str:
    main = page.locator('[data-testid="stMain"]')
    kinds = {
        "slider": main.locator('[data-testid="stSlider"] [role="slider"]'),
        "number": main.locator('[data-testid="stNumberInputField"]'),
        "text": main.locator('[data-testid="stTextInput"] input'),
        "select": main.locator('[data-testid="stSelectbox"]'),
        "toggle": main.locator('[data-testid="stCheckbox"] input, [data-testid="stToggle"] input'),
    }
    available = [(k, loc) for k, loc in kinds.items() if loc.count()]
    if not available:
        return "nothing to do"
    kind, loc = rng.choice(available)
    index = rng.randrange(loc.count())
    target = loc.nth(index)
    try:
        target.scroll_into_view_if_needed(timeout=10_000)
    except PlaywrightError:  # a rerun replaced the widget under the pointer: the action is skipped
        wait_for_app(page, timeout_ms=180_000)
        return f"{kind} {index} re-rendered, skipped"
    if kind == "slider":
        target.focus()
        key = rng.choice(["ArrowRight", "ArrowLeft", "Home", "End", "PageUp"])
        target.press(key)
        return f"slider {key}"
    if kind in ("number", "text"):
        value = rng.choice(NUMBERS if kind == "number" else TEXTS)
        target.fill(value)
        target.press("Enter")
        return f"{kind} {value!r}"
    if kind == "select":
        target.click()
        options = page.locator('[role="option"]')
        options.first.wait_for(timeout=10_000)
        choice = rng.randrange(options.count())
        options.nth(choice).click()
        return f"select option {choice}"
    target.check(force=True) if not target.is_checked() else target.uncheck(force=True)
    return "toggle"


@pytest.mark.parametrize("path", [lesson.url_path for lesson in available_lessons()])
def test_random_interaction_never_shows_an_exception(server, page, path):
    seed = sum(map(ord, path))
    rng = random.Random(seed)
    page.goto(f"{server}/{path}?{SMALL.get(path, '')}")
    wait_for_app(page, timeout_ms=600_000)  # a first visit trains the default view (/transfer pretrains: ~1 min)
    assert_no_exception(page)
    train = page.get_by_role("button", name="Train")
    if train.count():
        train.first.click()
        settle(page)
    done = []
    for _ in range(ACTIONS):
        done.append(act(page, rng))
        try:
            settle(page)
        except AssertionError as exc:
            raise AssertionError(f"seed {seed}, after {done}: {exc}") from None
