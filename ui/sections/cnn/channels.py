"""The CNN lesson, end of section 1: several channels in, several channels out. `controls` draws the
explanation and the channel widgets (the page's config needs their values); `demo` draws the
computation once the config is valid."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.lessons.cnn import arithmetic, charts
from core.lessons.cnn.config import IMAGE_SIZE, MAX_CHANNELS, CNNConfig
from ui.layout import show_chart
from ui.page import LessonPage
from ui.runner import derived
from ui.sections.cnn.explainer import Convolution


@dataclass(frozen=True)
class Channels:
    """The channel widgets' choice: counts, the kernel name of each slice [out][in], and what is wrong
    with an edited table (or None)."""

    n_in: int
    n_out: int
    grid: list[list[str]]
    error: str | None = None

    @property
    def kernels(self) -> tuple[str, ...]:
        """The grid row-major, as CNNConfig.channel_kernels."""
        return tuple(name for row in self.grid for name in row)


def controls(page: LessonPage, previous: CNNConfig) -> Channels:
    """The explanation, the formula, and the channel counts with a table of kernel slices, which starts
    from the last run's (`previous`) slices."""
    k = page.key
    st.subheader("Several channels in, several channels out")
    st.markdown(
        "A convolution layer takes $C_\\text{in}$ input channels (a colour image has three; the second "
        "layer of a CNN gets one per kernel of the first) and gives $C_\\text{out}$ output channels. Each "
        "output channel has its **own kernel slice for every input channel**: each slice is convolved with "
        "its channel, and the results are **added up** (plus a bias) into one output map.")
    st.latex(r"y_o = b_o + \sum_{c=1}^{C_\text{in}} x_c \star K_{o,c}"
             r"\qquad \text{weights: } C_\text{out}\cdot C_\text{in}\cdot k^2 + C_\text{out}")
    with st.container(border=True):
        a, b, c = st.columns([1, 1, 3])
        n_in = a.number_input("Input channels", 1, MAX_CHANNELS, key=k("in_channels"))
        n_out = b.number_input("Output channels", 1, MAX_CHANNELS, key=k("out_channels"))
        grid = arithmetic.resize_grid(previous.channel_grid(), n_out, n_in)
        labels = [arithmetic.KERNELS[name].label for name in arithmetic.CHANNEL_KERNELS]
        with c:
            st.caption("Kernel slice K(o, c) for each output channel o and input channel c (click a cell to change it):")
            table = st.data_editor(
                arithmetic.channel_table(grid), key=k("channels"), num_rows="fixed", width="stretch",
                column_config={f"in {i + 1}": st.column_config.SelectboxColumn(f"in {i + 1}", options=labels,
                                                                               required=True)
                               for i in range(n_in)})
        error = None
        try:
            grid = arithmetic.grid_from_table(table)
        except ValueError as exc:
            error = str(exc)
    return Channels(n_in, n_out, grid, error)


def _demo(conv: Convolution, channels: Channels):
    planes, views = arithmetic.channel_inputs(conv.image, channels.n_in)
    result = arithmetic.channel_demo(planes, channels.grid, conv.stride, conv.padding,
                                     labels=[f"in {c + 1}: {view}" for c, view in enumerate(views)])
    return views, result, charts.channel_chart(result)


def demo(page: LessonPage, conv: Convolution, channels: Channels) -> None:
    """Every output channel's terms (one per input channel) and their sum, on the explainer's digit."""
    if channels.error:
        st.error(channels.error, icon=":material/error:")
        return
    if arithmetic.geometry_problem(IMAGE_SIZE, 3, conv.stride, conv.padding, 1):
        return  # the explainer above says what is wrong
    n_in, n_out = channels.n_in, channels.n_out
    # computed and charted once per choice for every session (the image by its pixels)
    key = ("cnn.channels", conv.image.numpy().tobytes(), n_in, tuple(map(tuple, channels.grid)), conv.stride,
           conv.padding)
    views, result, chart = derived(key, lambda: _demo(conv, channels))
    show_chart(chart, result.terms, "channel-terms", page.big, key="csv-channel-terms", stretch=False)
    st.caption(
        f"The input channel{'s are' if n_in > 1 else ' is'} test image #{conv.index}"
        + (": its pixels, then " + " and ".join(views[1:]) + ", each scaled to 0–1, the kind of feature maps "
           "a second layer receives from the first" if n_in > 1 else "")
        + f". Each row is one output channel: its {n_in} term{'s' if n_in > 1 else ''} "
        + ("and their sum, pixel by pixel. " if n_in > 1 else ". ")
        + f"This layer has {n_out}·{n_in}·3² + {n_out} = {n_out * n_in * 9 + n_out} weights "
        f"(bias 0 here) and outputs {n_out} × {result.out_size} × {result.out_size} numbers.")
