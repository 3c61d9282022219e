"""The CNN lesson, section 6: draw a digit. A canvas (streamlit-drawable-canvas: mouse, touch screen or
pen), the drawing prepared as MNIST's digits were, the inspected network's probabilities for it and its
feature maps layer by layer."""
from __future__ import annotations

import streamlit as st
from streamlit_drawable_canvas import st_canvas

from core.format import percent
from core.lessons.cnn import arithmetic, charts, drawing, inspection
from core.lessons.cnn.config import IN_WORDS
from core.lessons.cnn.experiment import CNNTraining
from ui.layout import show_chart
from ui.page import LessonPage
from ui.sections.cnn.feature_maps import article, show_maps
from ui.sections.cnn.kernels import Inspected

CANVAS = 280  # pixels: ten canvas pixels per MNIST pixel
STROKE = 22  # the pen's width: about 2 MNIST pixels once the digit is scaled to its 20 x 20 box


def clear(page: LessonPage) -> None:
    """A new canvas key: the component starts again, empty."""
    st.session_state[page.key("canvas_n")] = st.session_state.get(page.key("canvas_n"), 0) + 1


def render(page: LessonPage, data, result: CNNTraining | None, net: Inspected) -> None:
    k = page.key
    st.header("6. Draw a digit")
    here = net.trained is not None and result is not None and result.trained_on(data)
    model = net.trained if here else net.untrained
    st.markdown(
        "Draw a digit from 0 to 9 with the mouse, a finger or a pen, as large as you like. It is prepared the way "
        "MNIST's digits were: its bounding box scaled to 20×20 pixels keeping its shape, then centred by its "
        "centre of mass in a 28×28 image. Then "
        + (f"the network {IN_WORDS[net.network]} trained above reads it." if here else
           "the network reads it, but it is **not trained yet**: its guess is random. Press **Train** above "
           "first (the network it then uses is the one of your last run)."))
    # the canvas on a row of its own: a column could be narrower than its 280 pixels on a small screen
    st.caption("The toolbar above the square undoes, redoes and clears.")
    st.html("<div style='height: 1.4rem'></div>")  # room for the canvas's toolbar, which floats above it
    canvas = st_canvas(stroke_width=STROKE, stroke_color="#000000", background_color="#FFFFFF",
                       height=CANVAS, width=CANVAS, drawing_mode="freedraw", return_image_data=True,
                       key=k(f"canvas{st.session_state.get(k('canvas_n'), 0)}"))
    st.button("Clear and draw again", on_click=clear, args=(page,), icon=":material/ink_eraser:", key=k("clear"))
    try:
        pixels = drawing.read_drawing(canvas.image_data)
    except ValueError as exc:
        st.error(f"The drawing could not be read: {exc}", icon=":material/error:")
        return
    if pixels is None:
        st.info("Draw a digit on the white square: the network's probabilities and feature maps appear here.",
                icon=":material/draw:")
        return
    maps, probs = inspection.feature_maps(model, drawing.network_input(pixels, data.name))
    guess = int(probs.argmax())
    a, b = st.columns([1, 2])
    with a:
        shown = arithmetic.grid_frame(pixels)
        show_chart(charts.image_chart(shown, "Your digit, 28×28", px=200), shown,
                   "drawn-digit", page.big, key="csv-drawn-digit", stretch=False)
    with b:
        frame = drawing.guess_frame(probs, data.classes)
        state = "trained" if here else "untrained (a random guess)"
        show_chart(charts.guess_chart(frame, f"It reads {article(data.classes[guess])} "
                                             f"{data.classes[guess]} ({percent(probs[guess], 0)})",
                                      f"the {state} network {IN_WORDS[net.network]}"),
                   frame, "drawn-digit-probabilities", page.big, key="csv-drawn-probabilities")
    st.caption("Every channel for your drawing, layer by layer (same scales as section 4):")
    show_maps(page, maps, prefix="drawn-")
