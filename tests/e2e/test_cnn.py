"""The CNN lesson in a real browser: explainer on load, hover links output to input, custom kernel
table, then training with learned kernels, feature maps and misclassified digits."""
from playwright.sync_api import expect

from tests.e2e.harness import (CHARTS, assert_no_exception, chart_text, expect_at_least, wait_for_app,
                               wait_for_chart_text, wait_for_charts)


def test_explainer_renders_without_training_and_follows_the_controls(server, page):
    page.goto(f"{server}/cnn?padding=1&stride=2")
    wait_for_app(page)
    page.get_by_text("One convolution, step by step").wait_for()
    charts = page.locator(CHARTS)
    charts.nth(8).wait_for()
    expect(charts).to_have_count(9)  # explainer, channels, kernels, image, probabilities, 4 feature-map grids
    for text in ("Input 28×28", "Output 14×14", "Max-pool 2×2 → 7×7", "Before training"):
        wait_for_chart_text(page, text)
    assert "After training" not in chart_text(page)
    expect_at_least(page.locator(".katex"), 3)
    page.get_by_role("button", name="Train").wait_for()
    # hovering an output cell draws the red frame of the input window it was computed from (a mark
    # the SVG does not have before), and leaving the output clears it
    window = charts.first.locator('path[stroke="#d62728"]:not([stroke-dasharray])')
    expect(window).to_have_count(0)
    box = charts.first.bounding_box()
    page.mouse.move(box["x"] + 510, box["y"] + 170)
    expect(window).to_have_count(1)
    page.mouse.move(box["x"] + 5, box["y"] + 5)
    expect(window).to_have_count(0)
    assert_no_exception(page)

    # the slider slides the kernel in the browser (its window dashed), from the first cell; Play runs it to
    # the last of the 14 x 14 output cells, with no rerun (the URL stays)
    url = page.url
    sliding = charts.first.locator('path[stroke="#d62728"][stroke-dasharray]')
    expect(sliding).to_have_count(1)
    start = sliding.get_attribute("d")
    slider = page.locator('input[type="range"][name="conv_cell"] >> visible=true')
    assert slider.input_value() == "0" and slider.get_attribute("max") == str(14 * 14 - 1)
    page.get_by_role("button", name="▶ Play").click()
    page.wait_for_function("() => [...document.querySelectorAll('input[name=conv_cell]')].find(i => i.checkVisibility()).value === '195'", timeout=30_000)
    assert sliding.get_attribute("d") != start and page.url == url
    assert_no_exception(page)

    # choosing Custom shows the kernel table, started from the kernel that was showing (Sobel x)
    page.get_by_label("Kernel", exact=True).click()
    page.get_by_role("option", name="Custom").click()
    page.wait_for_function("() => new URLSearchParams(location.search).get('kernel') === 'custom'")
    wait_for_app(page)
    assert_no_exception(page)
    expect_at_least(page.locator('[data-testid="stDataFrame"]'), 3)  # custom and channel editors, params
    assert "custom=-1.0%2C0.0%2C1.0%2C-2.0" in page.url or "custom=-1.0,0.0,1.0,-2.0" in page.url


def test_training_shows_kernels_feature_maps_and_mistakes(server, page):
    page.goto(f"{server}/cnn?epochs=1")
    wait_for_app(page)
    page.get_by_role("button", name="Train").click()
    page.get_by_text("Training the MLP baseline").wait_for(timeout=240_000)  # its progress is shown too
    page.get_by_text("Training moved conv1").wait_for(timeout=240_000)
    wait_for_app(page)
    wait_for_chart_text(page, "Change: after − before")
    assert_no_exception(page)
    for title in ("Training loss", "Validation accuracy", "After training (without batch norm)"):
        wait_for_chart_text(page, title)
    # the four feature-map grids are drawn on canvases (core.charts.on_canvas): no text in the page to read
    expect(page.get_by_text("conv2: 32 channels")).to_be_visible()
    expect(page.locator('[data-testid="stVegaLiteChart"] canvas')).to_have_count(4)
    for text in ("Misclassified test digits", "misclassified by the network without batch norm",
                 "the MLP, with 8.1× as many"):
        expect(page.get_by_text(text)).to_be_visible()

    # the other network's kernels and feature maps, without training again
    page.get_by_label("With BN", exact=True).check(force=True)
    page.wait_for_function("() => new URLSearchParams(location.search).get('network') === 'bn'")
    wait_for_app(page)
    wait_for_chart_text(page, "After training (with batch norm)")
    assert_no_exception(page)


def _stroke_points(box, points):
    return [(box["x"] + px * box["width"], box["y"] + py * box["height"]) for px, py in points]


SEVEN = [(0.3, 0.2), (0.45, 0.2), (0.6, 0.2), (0.75, 0.2), (0.7, 0.35), (0.62, 0.5), (0.55, 0.65), (0.48, 0.8)]
ONE = [(0.5, 0.15 + 0.05 * i) for i in range(15)]


def _canvas(page):
    canvas = page.locator("canvas.upper-canvas")
    canvas.first.scroll_into_view_if_needed()
    return canvas.first.bounding_box()


def test_draw_a_digit_with_mouse_touch_and_pen(server, browser):
    """Real strokes on the canvas: a mouse, a touch screen (touch events) and a pen (pen pointer events);
    each time the untrained network's probabilities and the feature maps of the drawing appear; Clear empties it."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, has_touch=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto(f"{server}/cnn")
        wait_for_app(page)
        page.get_by_text("Draw a digit on the white square").wait_for()
        wait_for_charts(page)  # a chart counts as visible once it is drawn
        before = page.locator(CHARTS).count()

        # the mouse
        box = _canvas(page)
        pts = _stroke_points(box, SEVEN)
        page.mouse.move(*pts[0])
        page.mouse.down()
        for p in pts[1:]:
            page.mouse.move(*p, steps=4)
        page.mouse.up()
        page.get_by_text("random guess").first.wait_for()
        wait_for_app(page)
        wait_for_chart_text(page, "Your digit, 28×28")
        wait_for_chart_text(page, "It reads")
        expect(page.locator(CHARTS)).to_have_count(before + 6)  # the digit, its probabilities, 4 map grids
        assert_no_exception(page)

        # Clear and draw again
        page.get_by_role("button", name="Clear and draw again").click()
        page.get_by_text("Draw a digit on the white square").wait_for()
        wait_for_app(page)
        expect(page.locator(CHARTS)).to_have_count(before)

        # a finger on a touch screen
        box = _canvas(page)
        cdp = context.new_cdp_session(page)
        pts = _stroke_points(box, ONE)
        cdp.send("Input.dispatchTouchEvent", {"type": "touchStart", "touchPoints": [{"x": pts[0][0], "y": pts[0][1]}]})
        for x, y in pts[1:]:
            cdp.send("Input.dispatchTouchEvent", {"type": "touchMove", "touchPoints": [{"x": x, "y": y}]})
        cdp.send("Input.dispatchTouchEvent", {"type": "touchEnd", "touchPoints": []})
        page.get_by_text("random guess").first.wait_for()
        wait_for_app(page)
        wait_for_chart_text(page, "Your digit, 28×28")
        assert_no_exception(page)

        # a projector pen (pen pointer events) adds a stroke to the same drawing
        page.get_by_role("button", name="Clear and draw again").click()
        page.get_by_text("Draw a digit on the white square").wait_for()
        wait_for_app(page)
        box = _canvas(page)
        pts = _stroke_points(box, SEVEN)
        event = {"button": "left", "pointerType": "pen", "clickCount": 1}
        cdp.send("Input.dispatchMouseEvent", {"type": "mousePressed", "x": pts[0][0], "y": pts[0][1], **event})
        for x, y in pts[1:]:
            cdp.send("Input.dispatchMouseEvent", {"type": "mouseMoved", "x": x, "y": y, "buttons": 1, **event})
        cdp.send("Input.dispatchMouseEvent", {"type": "mouseReleased", "x": pts[-1][0], "y": pts[-1][1], **event})
        page.get_by_text("random guess").first.wait_for()
        wait_for_app(page)
        wait_for_chart_text(page, "It reads")
        assert_no_exception(page)
    finally:
        context.close()
