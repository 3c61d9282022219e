"""The momentum lesson in a real browser: paths on load, a step scrubber that replays them without
rerunning Python, a click on the map that moves the start, live training on Train."""
from urllib.parse import parse_qs, urlparse

from playwright.sync_api import expect

from tests.e2e.harness import CHARTS, assert_no_exception, expect_at_least, wait_for_app, wait_for_chart_text


def query(page) -> dict:
    return {k: v[-1] for k, v in parse_qs(urlparse(page.url).query).items()}


def test_scrubber_click_to_start_and_training(server, page):
    page.goto(f"{server}/momentum?epochs=1")
    wait_for_app(page)
    charts = page.locator(CHARTS)
    page.get_by_text("Loss versus step").wait_for()
    expect(charts).to_have_count(3)  # the surface, loss per step, the (ηλ, β) regime map
    expect_at_least(page.locator(".katex"), 3)  # the surface and the regime map's two equations
    expect(page.get_by_text("stayed in the local minimum").first).to_be_visible()

    # The scrubber is a Vega binding: moving it redraws the paths in the browser, with no rerun.
    scrub = page.locator('.vega-bindings input[type="range"]')
    expect(scrub).to_have_count(1)
    expect(scrub).to_have_attribute("max", "200")
    surface = charts.first
    before = surface.screenshot()
    url = page.url
    scrub.fill("30")
    page.wait_for_function("() => document.querySelector('.vega-bindings input[type=range] + span')"
                           "?.textContent.trim() === '30'")
    assert surface.screenshot() != before
    assert page.url == url and page.get_by_label("Start x").input_value() == "2.00"

    # Play animates the same slider in the browser, from where it is to the last step, with no rerun.
    page.get_by_role("button", name="▶ Play").click()
    page.wait_for_function("() => Number(document.querySelector('.vega-bindings input[type=range]').value) > 30"
                           " && Number(document.querySelector('.vega-bindings input[type=range]').value) < 200")
    page.wait_for_function("() => document.querySelector('.vega-bindings input[type=range] + span')"
                           "?.textContent.trim() === '200'", timeout=30_000)
    expect(page.get_by_role("button", name="▶ Play")).to_be_visible()  # back to Play at the end
    assert page.url == url

    # A click on an empty part of the map (lower left: x about -1.9, y about -1.1) moves the start.
    box = surface.bounding_box()
    page.mouse.click(box["x"] + 120, box["y"] + 380)
    page.wait_for_function("() => new URLSearchParams(location.search).get('x0') !== '2.0'")
    wait_for_app(page)
    assert_no_exception(page)
    x0, y0 = float(query(page)["x0"]), float(query(page)["y0"])
    assert -2.4 <= x0 < -1.2 and -1.4 <= y0 < -0.5
    assert float(page.get_by_label("Start x").input_value()) == x0
    assert float(page.get_by_label("Start y").input_value()) == y0

    page.get_by_role("button", name="Train").click()
    page.locator('[data-testid="stTable"]').filter(has_text="status").wait_for(timeout=120_000)  # the run summary
    wait_for_app(page)
    assert_no_exception(page)
    expect(charts).to_have_count(5)
    wait_for_chart_text(page, "Training loss")
    wait_for_chart_text(page, "Validation accuracy")


def test_lesson_curve_and_a_diverging_run(server, page):
    page.goto(f"{server}/momentum?surface=lesson")
    wait_for_app(page)
    page.get_by_text("Where each run is, step by step").wait_for()
    assert_no_exception(page)
    expect(page.locator(CHARTS)).to_have_count(4)
    expect(page.get_by_text("stalled at the saddle point").first).to_be_visible()

    page.goto(f"{server}/momentum?lr=3")
    wait_for_app(page)
    page.get_by_text("Loss versus step").wait_for()
    assert_no_exception(page)
    expect_at_least(page.locator('[data-testid="stAlertContentWarning"]').filter(has_text="diverged at step"), 1)
    expect(page.locator(CHARTS)).to_have_count(3)


LINE_POINT = """([run, frac]) => {
  const svg = document.querySelector('[data-testid="stVegaLiteChart"] svg');
  const path = svg.querySelectorAll('g.mark-line path')[run];
  const p = path.getPointAtLength(path.getTotalLength() * frac);
  const m = path.getScreenCTM();
  return [p.x * m.a + p.y * m.c + m.e, p.x * m.b + p.y * m.d + m.f];
}"""


def test_a_click_on_a_path_starts_from_the_middle_of_that_step(server, page):
    page.goto(f"{server}/momentum")
    wait_for_app(page)
    page.get_by_text("Loss versus step").wait_for()
    page.locator(CHARTS).locator("g.mark-line path").first.wait_for()
    # halfway along β = 0's path is on its first step, (2, 0) -> (0.75, -0.05): its middle is (1.375, -0.025)
    x, y = page.evaluate(LINE_POINT, [0, 0.5])
    page.mouse.click(x, y)
    page.wait_for_function("() => new URLSearchParams(location.search).get('x0') !== '2.0'")
    wait_for_app(page)
    assert_no_exception(page)
    assert (query(page)["x0"], query(page)["y0"]) == ("1.38", "-0.03")


def test_formula_box_lab_polynomials_and_refusals(server, page):
    page.goto(f"{server}/momentum?surface=custom&formula=x**2%20%2B%2010*y**2&lr=0.05&x0=2&y0=1")
    wait_for_app(page)
    box = page.get_by_role("textbox", name="Your loss: a formula in w (a curve) or in x and y (a surface)")
    expect(box).to_have_value("x**2 + 10*y**2")
    page.get_by_text("Found numerically on the view: global minimum at (0, 0).").wait_for()
    wait_for_chart_text(page, "The regimes on a quadratic bowl")
    assert_no_exception(page)

    # a hostile formula is refused with a message, never run; the page keeps working
    box.fill("__import__('os').system('echo x')")
    box.press("Enter")
    page.get_by_text("Only these functions can be called").wait_for()
    wait_for_app(page)
    assert_no_exception(page)
    box.fill("log(x) + y")
    box.press("Enter")
    page.get_by_text("not finite everywhere on the view").wait_for()
    wait_for_app(page)

    # a curve in w: the map becomes a curve with its own critical points, and the URL keeps the formula
    box.fill("w**4 - 2*w**2")
    box.press("Enter")
    page.get_by_text("local maximum at (0)").wait_for()
    wait_for_app(page)
    assert query(page)["formula"] == "w**4 - 2*w**2"
    wait_for_chart_text(page, "Where each run is, step by step")
    assert_no_exception(page)

    # the course lab's quartic brings its own start, learning rate, steps and β values
    page.goto(f"{server}/momentum?surface=lab_quartic")
    wait_for_app(page)
    expect(page.get_by_role("textbox", name="Momentum values β (comma-separated)")).to_have_value("0, 0.5, 0.9, 0.99")
    page.get_by_text("Momentum with Different Polynomials").first.wait_for()
    expect(page.get_by_text("reproduced here").first).to_be_visible()
    assert_no_exception(page)
