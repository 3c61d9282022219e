"""The momentum lesson's controls: the surface (a hand-written one, the course lab's polynomials or a
formula of your own with its view), the β values, the run's settings and the gradient noise."""
from __future__ import annotations

import streamlit as st

from core.lessons.momentum.config import LR_LIMITS, MAX_RUNS, MAX_STEPS, NOISE_LIMIT
from core.lessons.momentum.formulas import CHOICES, CUSTOM, LABELS, VIEW_LIMIT, surface_for
from core.lessons.momentum.surfaces import START_LIMIT
from ui.page import LessonPage


def momenta_text(values) -> str:
    """(0.0, 0.5) -> '0, 0.5', the text of the β widget."""
    return ", ".join(f"{b:g}" for b in values)


def _preset(page: LessonPage) -> None:
    """A newly chosen surface comes with the start, learning rate and steps (and, for the course lab's
    polynomials, the β values) that tell its story; choosing "your own formula" after a lab polynomial
    puts that polynomial in the box."""
    k = page.key
    key = st.session_state[k("surface")]
    previous = st.session_state.get(k("_previous_surface"))
    if key == CUSTOM and previous and previous.startswith("lab_"):
        lab = surface_for(previous)
        st.session_state[k("formula")] = lab.fn.text
        st.session_state[k("x_lo")], st.session_state[k("x_hi")] = lab.x_range
    try:
        preset = surface_for(key, st.session_state[k("formula")],
                             (st.session_state[k("x_lo")], st.session_state[k("x_hi")]),
                             (st.session_state[k("y_lo")], st.session_state[k("y_hi")])).preset
    except ValueError:
        return  # the formula box says what is wrong
    for name, value in preset.items():
        st.session_state[k(name)] = momenta_text(value) if name == "momenta" else value


def render(page: LessonPage) -> bool:
    """Draw the controls box; returns whether the custom formula is chosen."""
    k = page.key
    with st.container(border=True):
        a, b, c = st.columns([3, 3, 1.5])  # room for "Nesterov" in presenter mode
        a.selectbox("Loss surface", CHOICES, key=k("surface"), on_change=_preset, args=(page,),
                    format_func=LABELS.get)
        b.text_input("Momentum values β (comma-separated)", key=k("momenta"),
                     help="One run per value, e.g. 0, 0.5, 0.9. β = 0 is plain gradient descent; at most "
                          f"{MAX_RUNS} values, each from 0 to 0.999.")
        c.toggle("Nesterov", key=k("nesterov"), help="PyTorch's Nesterov variant: the step uses g + βv.")
        custom = st.session_state[k("surface")] == CUSTOM
        if custom:
            f1, f2, f3, f4, f5 = st.columns([4, 1, 1, 1, 1])
            f1.text_input("Your loss: a formula in w (a curve) or in x and y (a surface)", key=k("formula"),
                          max_chars=200, help="Numbers, w or x and y, + − * / ** (or ^), parentheses, pi, e and "
                                              "sin cos tan exp log sqrt tanh abs sigmoid. Powers take a number: "
                                              "x**3, not x**x. Never run as Python.")
            f2.number_input("x from", -VIEW_LIMIT, VIEW_LIMIT, key=k("x_lo"), step=0.5)
            f3.number_input("x to", -VIEW_LIMIT, VIEW_LIMIT, key=k("x_hi"), step=0.5)
            f4.number_input("y from", -VIEW_LIMIT, VIEW_LIMIT, key=k("y_lo"), step=0.5)
            f5.number_input("y to", -VIEW_LIMIT, VIEW_LIMIT, key=k("y_hi"), step=0.5)
        try:
            surface_now = surface_for(st.session_state[k("surface")], st.session_state[k("formula")],
                                      (st.session_state[k("x_lo")], st.session_state[k("x_hi")]),
                                      (st.session_state[k("y_lo")], st.session_state[k("y_hi")]))
        except ValueError:
            surface_now = None
        one_d = surface_now is not None and surface_now.dim == 1
        d, e, f, g, h = st.columns(5)
        d.number_input("Learning rate", *LR_LIMITS, key=k("lr"), format="%.4f", step=0.005)
        e.number_input("Steps", 1, MAX_STEPS, key=k("steps"), step=50)
        f.number_input(f"Start {surface_now.axes[0] if surface_now else 'x'}", -START_LIMIT, START_LIMIT,
                       key=k("x0"), step=0.1, format="%.2f")
        g.number_input("Start y", -START_LIMIT, START_LIMIT, key=k("y0"), step=0.1, format="%.2f",
                       disabled=one_d, help="Not used on a 1-D curve." if one_d else None)
        h.number_input("Gradient noise σ", 0.0, NOISE_LIMIT, key=k("noise"), step=0.5, format="%.2f",
                       help="σ·N(0, 1) added to the gradient before each step, seeded by the sidebar's seed: "
                            "every β sees the same draws, and the same seed repeats the path.")
        if surface_now is not None:
            st.caption(f"{surface_now.about} Click the chart to start from that point; choosing a surface "
                       "resets the start, learning rate and steps to ones that show its story.")
    st.session_state[k("_previous_surface")] = st.session_state[k("surface")]
    return custom
