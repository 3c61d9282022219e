"""The CNN lesson, section 1: one convolution computed step by step on a real digit (kernel, stride,
padding, pooling, the output-size arithmetic). Its widgets are keyed `cnn.<name>`; the page builds
its config from what `render` returns."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st
import torch

from core.data import Dataset
from core.lessons.cnn import arithmetic, charts
from core.lessons.cnn.config import IMAGE_SIZE, MAX_PADDING, MAX_POOL, MAX_STRIDE, CNNConfig
from core.lessons.cnn.inspection import validation_image
from ui.animation import play_button
from ui.layout import show_chart
from ui.page import LessonPage
from ui.runner import derived


@dataclass(frozen=True)
class Convolution:
    """What the explainer's widgets chose, and the digit it convolves."""

    index: int  # validation image
    kernel: str  # a preset's name or arithmetic.CUSTOM
    custom: tuple[float, ...]  # the custom kernel's last valid values, row-major
    stride: int
    padding: int
    pool: int
    image: torch.Tensor  # (28, 28) pixels in [0, 1]
    label: int


def check_link(page: LessonPage, start: CNNConfig, n_val: int) -> None:
    """On a first visit, keep the link's custom kernel if usable; and move image numbers a link made with
    the full dataset to the last image of this (smaller) validation set. Says so on the page."""
    k = page.key
    if k("_custom") not in st.session_state:  # the custom kernel's last valid values
        unusable = arithmetic.custom_problem(start.custom)  # a link may carry any custom values beside a preset
        if unusable:
            st.warning(f"The link's custom kernel cannot be used ({unusable}); the custom kernel starts as the "
                       "identity.", icon=":material/link_off:")
        st.session_state[k("_custom")] = arithmetic.identity_kernel(3) if unusable else start.custom
    for name in ("index", "image"):  # a link made with the full dataset can point past the bundled sample
        if st.session_state[k(name)] >= n_val:
            st.warning(f"Image #{st.session_state[k(name)]} does not exist in this {n_val:,}-image validation set; "
                       f"showing #{n_val - 1}.", icon=":material/link_off:")
            st.session_state[k(name)] = n_val - 1


def on_kernel_change(page: LessonPage) -> None:
    """Choosing 'Custom' keeps the custom kernel a link or an earlier edit made; while it is still the
    default identity, the table starts from the kernel that was showing, ready to modify."""
    k = page.key
    if st.session_state[k("kernel")] != arithmetic.CUSTOM:
        return
    old = st.session_state[f"_cfg.{page.name}"].kernel
    if st.session_state[k("_custom")] == arithmetic.IDENTITY3 and old in arithmetic.KERNELS:
        preset = arithmetic.KERNELS[old]
        st.session_state[k("_custom")] = tuple(v for row in preset.values for v in row)
    st.session_state[k("custom_size")] = 5 if len(st.session_state[k("_custom")]) == 25 else 3


def on_size_change(page: LessonPage) -> None:
    k = page.key
    size = st.session_state[k("custom_size")]
    if len(st.session_state[k("_custom")]) != size * size:
        st.session_state[k("_custom")] = arithmetic.identity_kernel(size)


def controls(page: LessonPage, n_val: int) -> tuple[str, tuple[float, ...], str | None]:
    """The explainer's box: image, kernel (and the custom kernel's table), stride, padding, pooling.
    Returns the kernel's name, the custom kernel's values and what is wrong with an edited one (or None)."""
    k = page.key
    with st.container(border=True):
        a, b, c, d, e = st.columns([1.1, 2, 1, 1, 1.1])
        a.number_input("Test image #", 0, n_val - 1, key=k("index"), help=f"One of the {n_val:,} validation images")
        b.selectbox("Kernel", arithmetic.KERNEL_CHOICES, key=k("kernel"), format_func=arithmetic.kernel_label,
                    on_change=on_kernel_change, args=(page,))
        c.number_input("Stride s", 1, MAX_STRIDE, key=k("stride"))
        d.number_input("Padding p", 0, MAX_PADDING, key=k("padding"), help="Zeros added around the image")
        e.selectbox("Max-pool", list(range(1, MAX_POOL + 1)), key=k("pool"),
                    format_func=lambda m: "none" if m == 1 else f"{m}×{m}, stride {m}")
        kernel_name = st.session_state[k("kernel")]
        custom, kernel_error = st.session_state[k("_custom")], None
        if kernel_name == arithmetic.CUSTOM:
            left, right = st.columns([1, 3])
            size = left.radio("Custom kernel size", (3, 5), key=k("custom_size"), horizontal=True,
                              format_func=lambda s: f"{s}×{s}", on_change=on_size_change, args=(page,))
            limit = arithmetic.MAX_KERNEL_VALUE
            left.caption(f"Type a number from −{limit:g} to {limit:g} in each cell. Try a row of −1, 0, 1 or make "
                         "every cell 1/9.")
            with right:
                edited = st.data_editor(
                    arithmetic.kernel_table(custom), key=k(f"custom{size}"), num_rows="fixed", width="content",
                    column_config={str(j): st.column_config.NumberColumn(str(j), format="%.3f", width="small",
                                                                         min_value=-limit, max_value=limit)
                                   for j in range(1, size + 1)})
            try:
                custom = arithmetic.kernel_from_table(edited)
                st.session_state[k("_custom")] = custom
            except ValueError as exc:
                kernel_error = str(exc)
    return kernel_name, custom, kernel_error


def _explained(image: torch.Tensor, kernel: torch.Tensor, stride: int, padding: int, pool: int):
    ex = arithmetic.explain(image, kernel, stride, padding, pool)
    return ex, charts.explainer_chart(ex), charts.explainer_chart(ex, **charts.PHONE)


def render(page: LessonPage, data: Dataset) -> Convolution:
    """Section 1: its controls, the convolution drawn cell by cell, and the output-size arithmetic."""
    k, big = page.key, page.big
    st.header("1. One convolution, step by step")
    kernel_name, custom, kernel_error = controls(page, len(data.y_val))
    index, stride, padding, pool = (st.session_state[k(n)] for n in ("index", "stride", "padding", "pool"))
    image, label = validation_image(data, index)
    conv = Convolution(index, kernel_name, tuple(custom), stride, padding, pool, image, label)
    kernel = arithmetic.square(custom) if kernel_name == arithmetic.CUSTOM else arithmetic.KERNELS[kernel_name].tensor()
    ksize = kernel.shape[-1]
    problem = kernel_error or arithmetic.geometry_problem(IMAGE_SIZE, ksize, stride, padding, pool)
    if problem:
        st.error(problem, icon=":material/error:")
        return conv
    # the worked convolution and its chart (thousands of marks) are built once per choice for every session
    ex, chart, phone = derived(("cnn.explainer", data.name, data.source, index, kernel_name, tuple(custom), stride,
                         padding, pool), lambda: _explained(image, kernel, stride, padding, pool))
    play_button(charts.SLIDE)
    show_chart(chart, ex.output.drop(columns=["r0", "r1", "c0", "c1"]), "convolution-output", big,
               key="csv-explainer", stretch=False, phone=phone)
    st.caption(
        f"Test image #{index} is a **{data.classes[label]}**. "
        + (arithmetic.KERNELS[kernel_name].note if kernel_name in arithmetic.KERNELS else
           "Your kernel: orange cells add the pixels under them, blue cells subtract them.")
        + " Hover an output cell to see the input window it was computed from, or press Play (or drag the "
          "slider under the chart) to slide the kernel over the image"
        + (" (the dashed square is the image inside its zero padding)." if padding else "."))
    n, p, s = IMAGE_SIZE, padding, stride
    formula = (r"n_{\text{out}} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1"
               rf"= \left\lfloor \frac{{{n} + 2\cdot{p} - {ksize}}}{{{s}}} \right\rfloor + 1 = {ex.out_size}")
    left, right = st.columns([3, 2])
    with left:
        st.latex(formula)
    with right:
        if pool > 1:
            st.latex(rf"\text{{max-pool }} m={pool}:\ \left\lfloor \frac{{{ex.out_size}}}{{{pool}}} \right\rfloor"
                     rf" = {ex.pooled_size}")
        else:
            st.latex(r"\text{no pooling}")
    st.caption(f"Sizes: input {n}×{n} (n = {n}), kernel {ksize}×{ksize} (k = {ksize}), padding p = {p}, "
               f"stride s = {s} → output {ex.out_size}×{ex.out_size}"
               + (f" → max-pool {pool}×{pool} → {ex.pooled_size}×{ex.pooled_size}." if pool > 1 else ".")
               + f" The kernel has {ksize * ksize} weights, whatever the image size.")
    return conv
