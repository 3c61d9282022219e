"""The batch-norm lesson in a real browser: trained on first visit, histograms, train vs eval, the
view (snapshot and layer) in the URL."""
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import expect

from tests.e2e.harness import assert_no_exception, wait_for_app

PARAM = "() => new URLSearchParams(location.search).get('{}') === '{}'"


def choose(page, label: str, option: str) -> None:
    """Open a selectbox and pick an option; reopen if a rerun closed the list before it showed."""
    for _ in range(3):
        page.get_by_label(label, exact=False).click()
        try:
            page.get_by_role("option", name=option).click(timeout=10_000)
            return
        except PlaywrightTimeout:
            page.keyboard.press("Escape")
    raise AssertionError(f"could not choose {option!r} in {label!r}")


def test_first_visit_shows_the_whole_lesson(server, page):
    page.goto(f"{server}/batchnorm?depth=2&width=32&epochs=1&layer=1")
    wait_for_app(page)
    page.get_by_text("One neuron, worked through").wait_for(timeout=120_000)
    assert_no_exception(page)
    for title in ("Training loss", "Hidden layer 2", "Running mean vs population mean"):
        expect(page.get_by_text(title).first).to_be_visible()
    # loss, accuracy, one histogram per layer (2), bands, train vs eval, running mean and variance, γ, β
    expect(page.locator('[data-testid="stVegaLiteChart"]')).to_have_count(10)
    expect(page.get_by_text("Unit 1 of hidden layer 1,")).to_be_visible()  # the layer the link asked for
    page.wait_for_function(PARAM.format("layer", "1"))

    # one slider moves every layer's histogram in the browser (no rerun, the URL unchanged); Play animates it
    url = page.url
    sliders = page.locator('input[type="range"][name="bn_snapshot"]')
    expect(sliders).to_have_count(2)
    page.wait_for_function("() => [...document.querySelectorAll('input[name=bn_snapshot]')]"
                           ".filter(i => i.offsetParent !== null).length === 1")  # the second one hidden
    last = int(sliders.first.get_attribute("max"))
    assert last >= 2 and sliders.first.input_value() == str(last)  # opens at the end of training
    panel = page.locator('[data-testid="stVegaLiteChart"]').filter(has_text="Hidden layer 2").first
    before = panel.screenshot()
    sliders.first.fill("0")
    page.wait_for_function("() => [...document.querySelectorAll('input[name=bn_snapshot]')].every(i => i.value === '0')")
    expect(panel).to_contain_text("step 1")  # the first snapshot's note, in the second layer's panel too
    assert panel.screenshot() != before
    page.get_by_role("button", name="▶ Play").click()
    page.wait_for_function(f"() => [...document.querySelectorAll('input[name=bn_snapshot]')]"
                           f".every(i => i.value === '{last}')", timeout=30_000)
    expect(page.get_by_role("button", name="▶ Play")).to_be_visible()  # back to Play at the end
    assert page.url == url
    assert_no_exception(page)

    # the layer choice goes into the URL and the worked example follows it
    wait_for_app(page)
    choose(page, "Layer for the percentile bands", "Hidden layer 2")
    page.wait_for_function(PARAM.format("layer", "2"))
    wait_for_app(page)
    expect(page.get_by_text("Unit 1 of hidden layer 2,")).to_be_visible()
    assert_no_exception(page)

    page.get_by_label("Epochs").fill("2")
    page.get_by_label("Epochs").press("Enter")
    page.get_by_text("Showing the last run").wait_for()
    page.get_by_role("button", name="Train").click()
    page.get_by_text("Showing the last run").wait_for(state="detached", timeout=120_000)
    wait_for_app(page)
    assert_no_exception(page)
