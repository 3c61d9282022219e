"""Lesson: convolutional networks, from one convolution by hand to a trained CNN's feature maps.

- The explainer: `convolve` and `max_pool` are written out with tensor unfolding (checked against
  torch.nn.functional in the tests), `output_size` is the formula floor((n + 2p - k) / s) + 1, and
  `explain` / `channel_demo` turn one digit and some kernels into tidy frames for heatmaps.
- Training: the lesson CNN (core.models.LessonCNN) with and without batch norm, same seed, same
  batches, same initial weights; plus an MLP baseline for the parameter count.
- Inspection: conv1's kernels before and after training, every feature map of a chosen test image
  (read with forward hooks in eval mode), predicted probabilities, misclassified test digits.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Callable, Sequence

import altair as alt
import numpy as np
import pandas as pd
import torch
from torch import nn

from core.config import Config, check_range
from core.data import Dataset
from core.lessons.compare import CompareResult
from core.models import MLP, LessonCNN, count_parameters
from core.seeding import seeded
from core.training import Progress, TrainResult, TrainSettings, train

IMAGE_SIZE = 28
MAX_INDEX = 9_999  # the largest validation set (the full MNIST test split) has 10,000 images
MAX_STRIDE = 8
MAX_PADDING = 8
MAX_POOL = 8
MAX_CHANNELS = 3  # the channel demo: up to 3 input and 3 output channels
MAX_KERNEL_VALUE = 100.0
DIVERGING = "blueorange"  # colour-blind-safe diverging scheme, centred on 0
NETWORKS = {"plain": "Without BN", "bn": "With BN"}  # chart labels (core.palette colours)
IN_WORDS = {"plain": "without batch norm", "bn": "with batch norm"}
MLP_SIZES = (784, 256, 128, 10)
# The MLP baseline trains with its own, well-tuned settings: it needs more epochs than the CNN to
# come close, and each of its epochs is ~20x cheaper.
MLP_SETTINGS = TrainSettings(epochs=10, batch_size=64, lr=0.05, momentum=0.9, log_every=25)
STAGES = ("conv1", "bn1", "relu1", "pool1", "conv2", "bn2", "relu2", "pool2")


# ---------------------------------------------------------------- kernels

@dataclass(frozen=True)
class Kernel:
    label: str
    short: str  # for small panel headers
    values: tuple[tuple[float, ...], ...]
    note: str

    @property
    def size(self) -> int:
        return len(self.values)

    def tensor(self) -> torch.Tensor:
        return torch.tensor(self.values, dtype=torch.float32)


def _gaussian5() -> tuple[tuple[float, ...], ...]:
    row = np.array([1, 4, 6, 4, 1], dtype=float)
    return tuple(tuple(float(v) for v in r) for r in np.outer(row, row) / 256)


KERNELS: dict[str, Kernel] = {
    "sobel_x": Kernel("Vertical edges (Sobel x)", "Sobel x", ((-1, 0, 1), (-2, 0, 2), (-1, 0, 1)),
                      "Right minus left: positive (orange) where the image gets brighter to the right, "
                      "the left edge of a stroke; negative (blue) on its right edge."),
    "sobel_y": Kernel("Horizontal edges (Sobel y)", "Sobel y", ((-1, -2, -1), (0, 0, 0), (1, 2, 1)),
                      "Below minus above: positive on the top edge of a stroke, negative on its bottom edge."),
    "outline": Kernel("Outline (Laplacian)", "Outline", ((-1, -1, -1), (-1, 8, -1), (-1, -1, -1)),
                      "Centre minus its 8 neighbours: zero on flat areas, large wherever the image changes."),
    "sharpen": Kernel("Sharpen", "Sharpen", ((0, -1, 0), (-1, 5, -1), (0, -1, 0)),
                      "The pixel plus its difference from its neighbours: edges get steeper."),
    "emboss": Kernel("Emboss", "Emboss", ((-2, -1, 0), (-1, 1, 1), (0, 1, 2)),
                     "A diagonal edge detector plus the pixel itself: strokes look lit from the bottom right."),
    "box_blur": Kernel("Box blur 3×3", "Box blur", tuple((1 / 9,) * 3 for _ in range(3)),
                       "The mean of each 3×3 neighbourhood: strokes get wider and softer."),
    "identity": Kernel("Identity", "Identity", ((0, 0, 0), (0, 1, 0), (0, 0, 0)),
                       "Copies the pixel under the centre: the output is the (cropped) input."),
    "gaussian5": Kernel("Gaussian blur 5×5", "Gaussian", _gaussian5(),
                        "A weighted mean, heaviest at the centre: a smoother blur than the box."),
}
CUSTOM = "custom"
KERNEL_CHOICES = (*KERNELS, CUSTOM)
CHANNEL_KERNELS = tuple(name for name, k in KERNELS.items() if k.size == 3)  # one conv: one size
IDENTITY3 = tuple(v for row in KERNELS["identity"].values for v in row)


def kernel_label(name: str) -> str:
    return "Custom" if name == CUSTOM else KERNELS[name].label


def square(values: Sequence[float]) -> torch.Tensor:
    """A flat list of k*k numbers as a k x k tensor."""
    k = math.isqrt(len(values))
    if k * k != len(values) or k not in (3, 5):
        raise ValueError(f"A custom kernel needs 9 (3×3) or 25 (5×5) numbers (got {len(values)}).")
    return torch.tensor(values, dtype=torch.float32).reshape(k, k)


def identity_kernel(k: int) -> tuple[float, ...]:
    return tuple(1.0 if i == (k * k) // 2 else 0.0 for i in range(k * k))


def kernel_table(values: Sequence[float]) -> pd.DataFrame:
    """Flat kernel values as the k x k table the page edits: columns '1'..'k', rows 1..k."""
    grid = square(values).double().numpy()
    k = len(grid)
    return pd.DataFrame(grid, columns=[str(j + 1) for j in range(k)],
                        index=pd.Index(range(1, k + 1), name="row"))


def kernel_from_table(table: pd.DataFrame) -> tuple[float, ...]:
    """The edited table back to flat values; a clear ValueError for an empty or non-numeric cell."""
    out = []
    for i, (_, row) in enumerate(table.iterrows()):
        for j, v in enumerate(row):
            try:
                f = float(v)
            except (TypeError, ValueError):
                f = float("nan")
            if not math.isfinite(f):
                raise ValueError(f"Kernel cell in row {i + 1}, column {j + 1} is empty or not a number: "
                                 "enter a number in every cell.")
            out.append(f)
    return tuple(out)


# ---------------------------------------------------------------- config

@dataclass(frozen=True)
class CNNConfig(Config):
    # explainer
    index: int = 0  # validation ("test") image convolved in the explainer
    kernel: str = "sobel_x"
    custom: tuple[float, ...] = IDENTITY3  # the custom kernel, row-major: 9 or 25 numbers
    stride: int = 1
    padding: int = 0
    pool: int = 2  # max-pool window (and stride); 1 = no pooling
    in_channels: int = 2
    out_channels: int = 2
    channel_kernels: tuple[str, ...] = ("sobel_x", "sobel_y", "box_blur", "box_blur")  # out-major
    # training
    epochs: int = 2
    lr: float = 0.01
    momentum: float = 0.9
    batch_size: int = 64
    # inspection
    network: str = "plain"
    image: int = 0  # validation image whose feature maps are shown

    def validate(self) -> None:
        check_range("Image index", self.index, 0, MAX_INDEX)
        check_range("Feature-map image index", self.image, 0, MAX_INDEX)
        if self.kernel not in KERNEL_CHOICES:
            raise ValueError(f"Unknown kernel '{self.kernel}'. Choose one of: {', '.join(KERNEL_CHOICES)}.")
        square(self.custom)
        if not all(math.isfinite(v) and abs(v) <= MAX_KERNEL_VALUE for v in self.custom):
            raise ValueError(f"Custom kernel values must be numbers between -{MAX_KERNEL_VALUE:g} "
                             f"and {MAX_KERNEL_VALUE:g}.")
        check_range("Stride", self.stride, 1, MAX_STRIDE)
        check_range("Padding", self.padding, 0, MAX_PADDING)
        check_range("Max-pool window", self.pool, 1, MAX_POOL)
        check_range("Input channels", self.in_channels, 1, MAX_CHANNELS)
        check_range("Output channels", self.out_channels, 1, MAX_CHANNELS)
        if not 1 <= len(self.channel_kernels) <= MAX_CHANNELS ** 2:
            raise ValueError(f"Give between 1 and {MAX_CHANNELS ** 2} channel kernels.")
        for name in self.channel_kernels:
            if name not in CHANNEL_KERNELS:
                raise ValueError(f"Channel kernels must be 3×3 presets ({', '.join(CHANNEL_KERNELS)}); "
                                 f"got '{name}'.")
        if self.network not in NETWORKS:
            raise ValueError(f"Network must be one of {', '.join(NETWORKS)} (got '{self.network}').")
        self.train_settings()  # validates lr, momentum, epochs, batch size

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                             momentum=self.momentum, log_every=10)

    def kernel_tensor(self) -> torch.Tensor:
        return square(self.custom) if self.kernel == CUSTOM else KERNELS[self.kernel].tensor()

    def channel_grid(self) -> list[list[str]]:
        """The kernel names as [out][in], cycling through `channel_kernels` (so any channel counts work)."""
        names = self.channel_kernels
        return [[names[(o * self.in_channels + c) % len(names)] for c in range(self.in_channels)]
                for o in range(self.out_channels)]


def resize_grid(grid: list[list[str]], n_out: int, n_in: int) -> list[list[str]]:
    """`grid` cut or extended to n_out x n_in: kept cells keep their kernel, new ones cycle the presets."""
    def cell(o: int, c: int) -> str:
        if o < len(grid) and c < len(grid[o]):
            return grid[o][c]
        return CHANNEL_KERNELS[(o * n_in + c) % len(CHANNEL_KERNELS)]
    return [[cell(o, c) for c in range(n_in)] for o in range(n_out)]


def channel_table(grid: list[list[str]]) -> pd.DataFrame:
    """The [out][in] kernel names as the table the page edits: rows 'out o', columns 'in c', labels."""
    return pd.DataFrame([[KERNELS[name].label for name in row] for row in grid],
                        columns=[f"in {c + 1}" for c in range(len(grid[0]))],
                        index=pd.Index([f"out {o + 1}" for o in range(len(grid))], name="output"))


def grid_from_table(table: pd.DataFrame) -> list[list[str]]:
    """The edited channel table back to kernel names; a clear ValueError for an empty cell."""
    by_label = {KERNELS[name].label: name for name in CHANNEL_KERNELS}
    grid = []
    for o, (_, row) in enumerate(table.iterrows()):
        names = []
        for c, label in enumerate(row):
            if label not in by_label:
                raise ValueError(f"Choose a kernel for output channel {o + 1}, input channel {c + 1}.")
            names.append(by_label[label])
        grid.append(names)
    return grid


# ---------------------------------------------------------------- the explainer's arithmetic

def output_size(n: int, k: int, s: int, p: int) -> int:
    """Side of a convolution's output: floor((n + 2p - k) / s) + 1."""
    if s < 1:
        raise ValueError(f"The stride must be at least 1 (got {s}).")
    if p < 0:
        raise ValueError(f"The padding cannot be negative (got {p}).")
    if k > n + 2 * p:
        raise ValueError(f"The {k}×{k} kernel is larger than the padded {n + 2 * p}×{n + 2 * p} input: "
                         "add padding or choose a smaller kernel.")
    return (n + 2 * p - k) // s + 1


def pool_output_size(n: int, m: int) -> int:
    """Side after an m x m max-pool with stride m: floor((n - m) / m) + 1 = floor(n / m)."""
    if m > n:
        raise ValueError(f"The {m}×{m} max-pool window is larger than the {n}×{n} convolution output: "
                         "choose a smaller window or less stride.")
    return (n - m) // m + 1


def geometry_problem(n: int, k: int, s: int, p: int, m: int) -> str | None:
    """Why this convolution (and pooling) cannot be computed, or None."""
    try:
        out = output_size(n, k, s, p)
        if m > 1:
            pool_output_size(out, m)
    except ValueError as exc:
        return str(exc)
    return None


def zero_pad(x: torch.Tensor, p: int) -> torch.Tensor:
    """(C, H, W) -> (C, H + 2p, W + 2p) with a border of zeros."""
    c, h, w = x.shape
    out = x.new_zeros(c, h + 2 * p, w + 2 * p)
    out[:, p:p + h, p:p + w] = x
    return out


def convolve(x: torch.Tensor, weight: torch.Tensor, stride: int = 1, padding: int = 0,
             bias: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
    """A convolution layer written out: x (C_in, H, W), weight (C_out, C_in, k, k).

    Every k x k window of the zero-padded input (taken every `stride` pixels) is multiplied
    elementwise by each kernel slice and summed. Returns (output (C_out, H', W'), partials
    (C_out, C_in, H', W')): output[o] = bias[o] + sum over c of partials[o, c], the per-input-channel
    results. Like torch's conv2d this is cross-correlation: the kernel is not flipped.
    """
    c_out, c_in, k, k2 = weight.shape
    if x.dim() != 3 or x.shape[0] != c_in or k != k2:
        raise ValueError(f"Expected an input of {c_in} channels and square kernels "
                         f"(got input {tuple(x.shape)}, weight {tuple(weight.shape)}).")
    output_size(min(x.shape[1:]), k, stride, padding)
    windows = zero_pad(x, padding).unfold(1, k, stride).unfold(2, k, stride)  # (C_in, H', W', k, k)
    partials = torch.einsum("chwij,ocij->ochw", windows, weight)
    out = partials.sum(1)
    if bias is not None:
        out = out + bias[:, None, None]
    return out, partials


def max_pool(x: torch.Tensor, m: int) -> torch.Tensor:
    """m x m max-pooling with stride m of (C, H, W): the largest value of each window."""
    pool_output_size(min(x.shape[1:]), m)
    return x.unfold(1, m, m).unfold(2, m, m).amax(dim=(-1, -2))


# ---------------------------------------------------------------- tidy frames

def grid_frame(t: torch.Tensor, **columns) -> pd.DataFrame:
    """A 2-D tensor as long rows r, c, v (values rounded for small charts), plus constant columns."""
    a = t.detach().cpu().double().numpy()
    r, c = np.indices(a.shape)
    return pd.DataFrame({**columns, "r": r.ravel(), "c": c.ravel(), "v": np.round(a.ravel(), 4)})


def stack_frame(t: torch.Tensor, name: str = "channel") -> pd.DataFrame:
    """A (C, H, W) tensor as long rows: `name` (1-based), r, c, v."""
    return pd.concat([grid_frame(m, **{name: i + 1}) for i, m in enumerate(t)], ignore_index=True)


def windows(out_size: int, size: int, step: int) -> pd.DataFrame:
    """For each output cell (r, c): the input window it reads, rows r0..r1 and columns c0..c1 (exclusive)."""
    r, c = np.indices((out_size, out_size))
    r, c = r.ravel(), c.ravel()
    return pd.DataFrame({"r": r, "c": c, "r0": r * step, "r1": r * step + size,
                         "c0": c * step, "c1": c * step + size})


@dataclass
class Explained:
    """One convolution of one image, as frames for the heatmaps, and its sizes."""

    n: int
    k: int
    stride: int
    padding: int
    pool: int
    out_size: int
    pooled_size: int | None
    image: pd.DataFrame  # padded input: r, c, v, padding
    kernel: pd.DataFrame  # r, c, v
    output: pd.DataFrame  # r, c, v, r0, r1, c0, c1 (the padded-input window)
    pooled: pd.DataFrame | None  # r, c, v, r0, r1, c0, c1 (the output window)

    @property
    def padded(self) -> int:
        return self.n + 2 * self.padding


def explain(image: torch.Tensor, kernel: torch.Tensor, stride: int, padding: int, pool: int) -> Explained:
    """Convolve one (H, W) image with one k x k kernel, then max-pool (pool > 1); ValueError if impossible."""
    n, k = image.shape[-1], kernel.shape[-1]
    problem = geometry_problem(n, k, stride, padding, pool)
    if problem:
        raise ValueError(problem)
    x = image.reshape(1, n, n).float().cpu()
    out, _ = convolve(x, kernel.reshape(1, 1, k, k).float(), stride, padding)
    size = out.shape[-1]
    padded = grid_frame(zero_pad(x, padding)[0])
    inside = (padded["r"].between(padding, padding + n - 1)) & (padded["c"].between(padding, padding + n - 1))
    padded["padding"] = ~inside
    output = grid_frame(out[0]).merge(windows(size, k, stride), on=["r", "c"])
    pooled = None
    if pool > 1:
        pooled = grid_frame(max_pool(out, pool)[0]).merge(windows(size // pool, pool, pool), on=["r", "c"])
    return Explained(n, k, stride, padding, pool, size, None if pooled is None else size // pool,
                     padded, grid_frame(kernel), output, pooled)


@dataclass
class ChannelDemo:
    """A conv layer with several input and output channels: every per-channel term and the sums."""

    inputs: pd.DataFrame  # channel, label, r, c, v
    terms: pd.DataFrame  # panel, slot, out, term, r, c, v (term 0 = the sum; slot = display position)
    panels: list[str]  # panel titles by slot (row by row)
    headers: list[str]  # short panel headers by slot
    out_size: int


def channel_demo(images: Sequence[torch.Tensor] | torch.Tensor, grid: list[list[str]], stride: int,
                 padding: int, labels: Sequence[str] = ()) -> ChannelDemo:
    """images: C_in images (H, W) stacked as channels; grid[o][c] the preset kernel name for output o,
    input c (bias 0)."""
    images = torch.stack(list(images)) if not isinstance(images, torch.Tensor) else images
    weight = torch.stack([torch.stack([KERNELS[name].tensor() for name in row]) for row in grid])
    out, partials = convolve(images.float().cpu(), weight, stride, padding)
    c_out, c_in = weight.shape[:2]
    frames, panels, headers = [], [], []
    for o in range(c_out):
        for c in range(c_in):
            kernel = KERNELS[grid[o][c]]
            panels.append(f"out {o + 1}: in {c + 1} ∗ {kernel.label}")
            headers.append(f"in {c + 1} ∗ {kernel.short}")
            frames.append(grid_frame(partials[o, c], panel=panels[-1], slot=len(panels) - 1, out=o + 1, term=c + 1))
        panels.append(f"out {o + 1} = sum" if c_in > 1 else f"out {o + 1}")
        headers.append(panels[-1])
        frames.append(grid_frame(out[o], panel=panels[-1], slot=len(panels) - 1, out=o + 1, term=0))
    inputs = stack_frame(images.float().cpu())
    names = list(labels) or [f"in {i + 1}" for i in range(c_in)]
    inputs["label"] = inputs["channel"].map(lambda i: names[i - 1])
    return ChannelDemo(inputs, pd.concat(frames, ignore_index=True), panels, headers, out.shape[-1])


# ---------------------------------------------------------------- charts

def symmetric(values: pd.Series | np.ndarray) -> list[float]:
    """A colour domain [-m, m] around 0 covering the values (m > 0 even for all-zero data)."""
    m = float(np.nanmax(np.abs(values))) if len(values) else 0.0
    m = m if math.isfinite(m) and m > 0 else 1.0
    return [-m, m]


def weights_title(what: str, df: pd.DataFrame) -> alt.Title:
    return alt.Title(what, subtitle=f"weights from {df['v'].min():.2f} to {df['v'].max():.2f}; "
                                    "colours centred on 0")


def map_pixels(channels: int, width: int = 440, columns: int = 8) -> int:
    """Side in pixels of each map in a grid of `channels` maps in `columns` columns about `width` wide."""
    return max(24, min(110, (width - (columns - 1) * 4) // min(columns, channels)))


LEGEND = alt.Legend(orient="bottom", type="gradient", gradientLength=160, format=".2~f")


def diverging(values, title: str = "value", legend: bool = True) -> alt.Color:
    """Blue (negative) to orange (positive), white at 0, symmetric around 0."""
    return alt.Color("v:Q", title=title, legend=LEGEND if legend else None,
                     scale=alt.Scale(scheme=DIVERGING, domain=symmetric(values), domainMid=0))


def sequential(values, title: str = "activation (square-root scale)", scheme: str = "viridis") -> alt.Color:
    """0 (dark) to the largest value (bright) on a square-root scale, so weak responses stay visible
    beside a few strong ones."""
    top = float(np.nanmax(values)) if len(values) else 1.0
    top = top if math.isfinite(top) and top > 0 else 1.0
    return alt.Color("v:Q", title=title, legend=LEGEND,
                     scale=alt.Scale(type="sqrt", scheme=scheme, domain=[0, top]))


def greys(legend: bool = False) -> alt.Color:
    """Pixel intensities in [0, 1]: white paper, black ink."""
    return alt.Color("v:Q", title="pixel", legend=LEGEND if legend else None,
                     scale=alt.Scale(scheme="greys", domain=[0, 1]))


def heatmap(df: pd.DataFrame, side: int, color: alt.Color, px: int, title: str | alt.Title = "",
            tooltip: list | None = None) -> alt.Chart:
    """Cells (r, c) of a side x side grid as squares of px pixels in all, row 0 at the top, no axes.
    Each cell reaches 0.6 screen pixels into the next, so anti-aliasing leaves no light seams between
    cells (the overlap is clipped at the edges)."""
    overlap = 0.6 * side / px
    return alt.Chart(df).transform_calculate(r1=f"datum.r + 1 + {overlap:.4f}", c1=f"datum.c + 1 + {overlap:.4f}"
                                             ).mark_rect(clip=True).encode(
        x=alt.X("c:Q", scale=alt.Scale(domain=[0, side], nice=False, zero=False), axis=None), x2="c1:Q",
        y=alt.Y("r:Q", scale=alt.Scale(domain=[0, side], nice=False, zero=False, reverse=True), axis=None),
        y2="r1:Q", color=color,
        tooltip=tooltip or [alt.Tooltip("r:Q", title="row"), alt.Tooltip("c:Q", title="column"),
                            alt.Tooltip("v:Q", title="value", format=".3f")],
    ).properties(width=px, height=px, title=title)


def _window_box(df: pd.DataFrame, selection, color: str = "#d62728") -> alt.Chart:
    """The input window of the hovered cell, drawn as a red frame on the panel it reads from."""
    return alt.Chart(df).mark_rect(fill=None, stroke=color, strokeWidth=3).encode(
        x="c0:Q", x2="c1:Q", y="r0:Q", y2="r1:Q").transform_filter(selection)


def explainer_chart(ex: Explained, px: int = 230) -> alt.HConcatChart:
    """Input | kernel | output | max-pooled output, linked: hovering an output cell frames the window
    of the input it was computed from (and a pooled cell its window of the output)."""
    pixels = greys(legend=True)
    pad_note = f" + padding {ex.padding} → {ex.padded}×{ex.padded}" if ex.padding else ""
    image = heatmap(ex.image, ex.padded, pixels, px, alt.Title(f"Input {ex.n}×{ex.n}", subtitle=pad_note or " "))
    layers = [image]
    if ex.padding:
        border = pd.DataFrame({"r0": [ex.padding], "r1": [ex.padding + ex.n],
                               "c0": [ex.padding], "c1": [ex.padding + ex.n]})
        layers.append(alt.Chart(border).mark_rect(fill=None, stroke="#56B4E9", strokeDash=[4, 3],
                                                  strokeWidth=2).encode(x="c0:Q", x2="c1:Q", y="r0:Q", y2="r1:Q"))
    hover = alt.selection_point(name="cell", fields=["r", "c"], on="pointerover", clear="pointerout", empty=False)
    layers.append(_window_box(ex.output, hover))
    this_cell = alt.Chart(ex.output).transform_calculate(r1="datum.r + 1", c1="datum.c + 1").mark_rect(
        fill=None, stroke="#222", strokeWidth=2).encode(x="c:Q", x2="c1:Q", y="r:Q", y2="r1:Q").transform_filter(hover)
    output_tip = [alt.Tooltip("r:Q", title="row"), alt.Tooltip("c:Q", title="column"),
                  alt.Tooltip("v:Q", title="value", format=".3f")]
    output = heatmap(ex.output, ex.out_size, diverging(ex.output["v"], "output"), px,
                     alt.Title(f"Output {ex.out_size}×{ex.out_size}", subtitle="hover a cell: its input window"),
                     output_tip).add_params(hover)
    out_layers = [output, this_cell]
    kernel_px = max(90, min(px * 2 // 3, 36 * ex.k))
    kernel = heatmap(ex.kernel, ex.k, diverging(ex.kernel["v"], legend=False), kernel_px,
                     alt.Title(f"Kernel {ex.k}×{ex.k}", subtitle=f"stride {ex.stride}"))
    text = alt.Chart(ex.kernel).transform_calculate(x="datum.c + 0.5", y="datum.r + 0.5").mark_text(
        fontSize=11 if ex.k > 3 else 14, fontWeight="bold").encode(
        x="x:Q", y="y:Q", text=alt.Text("v:Q", format=".2~f"))
    panels = [alt.layer(*layers), alt.layer(kernel, text)]
    if ex.pooled is not None:
        phover = alt.selection_point(name="pcell", fields=["r", "c"], on="pointerover", clear="pointerout",
                                     empty=False)
        out_layers.append(_window_box(ex.pooled, phover))
        pooled = heatmap(ex.pooled, ex.pooled_size, diverging(ex.output["v"], legend=False), px,
                         alt.Title(f"Max-pool {ex.pool}×{ex.pool} → {ex.pooled_size}×{ex.pooled_size}",
                                   subtitle="hover: the window it is the max of"),
                         output_tip).add_params(phover)
        panels += [alt.layer(*out_layers), pooled]
    else:
        panels.append(alt.layer(*out_layers))
    return alt.hconcat(*panels, spacing=28).resolve_scale(color="independent").configure_view(stroke="#ccc")


def _header(labels: list[str], px: int) -> alt.Header:
    """Facet headers looked up by position (labels need not be unique), cut to the panel's width so
    every column stays exactly px wide and stacked facets line up."""
    return alt.Header(labelExpr=f"{json.dumps(labels)}[datum.value]", labelLimit=px)


def _small_headers(chart):
    """Panel headers a little larger than Vega's default; presenter mode enlarges them further."""
    return chart.configure_header(labelFontSize=12)


def channel_chart(demo: ChannelDemo, px: int = 150) -> alt.VConcatChart:
    """Top row: the input channels, each above its column of terms. Below, one row per output channel:
    each input channel convolved with its kernel slice, then their sum (one colour scale for all)."""
    columns = int(demo.inputs["channel"].max()) + (1 if demo.inputs["channel"].max() > 1 else 0)
    pixels = greys()
    side = int(demo.inputs["r"].max()) + 1
    labels = list(dict.fromkeys(demo.inputs["label"]))
    inputs = heatmap(demo.inputs, side, pixels, px).facet(
        facet=alt.Facet("channel:O", title=None, header=_header(["", *labels], px)), columns=columns, spacing=16,
    ).properties(title=alt.Title("Input channels", anchor="start"))
    terms = heatmap(demo.terms, demo.out_size, diverging(demo.terms["v"]), px).facet(
        facet=alt.Facet("slot:O", title=None, header=_header(demo.headers, px)), columns=columns, spacing=16,
    ).properties(title=alt.Title("Output channels: one term per input channel, then their sum", anchor="start",
                                 subtitle="one colour scale for all panels, so the terms and sums compare directly"))
    return _small_headers(alt.vconcat(inputs, terms, spacing=24).resolve_scale(color="independent"))


def kernel_grid_chart(df: pd.DataFrame, title: str | alt.Title, px: int = 64, columns: int = 4) -> alt.FacetChart:
    """Kernels (column `channel`, r, c, v) as a grid of small heatmaps, diverging colours centred on 0."""
    side = int(df["r"].max()) + 1
    return _small_headers(heatmap(df, side, diverging(df["v"], "weight"), px,
                   tooltip=["channel:N", alt.Tooltip("r:Q", title="row"), alt.Tooltip("c:Q", title="column"),
                            alt.Tooltip("v:Q", title="weight", format=".3f")]).facet(
        facet=alt.Facet("channel:O", title=None, header=alt.Header(labelExpr="'kernel ' + datum.value")),
        columns=columns, spacing=6).properties(title=title))


def feature_grid_chart(df: pd.DataFrame, title: str | alt.Title, px: int, columns: int = 8,
                       scheme: str = "viridis") -> alt.FacetChart:
    """Feature maps (channel, r, c, v >= 0 after ReLU) with one shared colour scale: dark = silent."""
    side = int(df["r"].max()) + 1
    return _small_headers(heatmap(df, side, sequential(df["v"], scheme=scheme), px,
                   tooltip=["channel:N", alt.Tooltip("r:Q", title="row"), alt.Tooltip("c:Q", title="column"),
                            alt.Tooltip("v:Q", title="activation", format=".3f")]).facet(
        facet=alt.Facet("channel:O", title=None, header=alt.Header(labelExpr="'ch ' + datum.value")),
        columns=columns, spacing=4).properties(title=title))


def image_chart(df: pd.DataFrame, title: str | alt.Title, px: int = 200) -> alt.Chart:
    pixels = greys()
    return heatmap(df, int(df["r"].max()) + 1, pixels, px, title)


def probabilities_chart(probs: pd.DataFrame, title: str = "Predicted probabilities", subtitle: str = "") -> alt.Chart:
    """Bars per class (columns class, p, kind in {'true class', 'predicted', 'other'})."""
    kinds = ["true class", "predicted (wrong)", "other"]
    return alt.Chart(probs).mark_bar().encode(
        x=alt.X("class:N", sort=None, title="Class", axis=alt.Axis(labelAngle=0)),
        y=alt.Y("p:Q", title="Probability", scale=alt.Scale(domain=[0, 1]), axis=alt.Axis(format="%")),
        color=alt.Color("kind:N", scale=alt.Scale(domain=kinds, range=["#009E73", "#D55E00", "#999999"]),
                        title=None, legend=alt.Legend(orient="bottom")),
        tooltip=["class:N", alt.Tooltip("p:Q", format=".2%")],
    ).properties(title=alt.Title(title, subtitle=subtitle or " "), height=380, width="container")


def misclassified_chart(df: pd.DataFrame, px: int = 84, columns: int = 6) -> alt.FacetChart:
    """Test digits (columns caption, r, c, v in [0, 1]) with 'true → predicted' headers."""
    pixels = greys()
    order = list(dict.fromkeys(df["caption"]))
    return _small_headers(heatmap(df, IMAGE_SIZE, pixels, px, tooltip=["caption:N"]).facet(
        facet=alt.Facet("caption:N", sort=order, title=None), columns=columns, spacing=36))


# ---------------------------------------------------------------- models and training

def build_cnn(network: str, seed: int) -> LessonCNN:
    """The lesson CNN as initialised by `seed` (conv and linear weights are the same with and without BN)."""
    return seeded(seed, lambda: LessonCNN(batch_norm=network == "bn"))


def build_mlp(seed: int) -> MLP:
    return seeded(seed, lambda: MLP(MLP_SIZES, "relu"))


def load_cnn(network: str, state_dict: dict[str, torch.Tensor]) -> LessonCNN:
    model = LessonCNN(batch_norm=network == "bn")
    model.load_state_dict(state_dict)
    return model.eval()


def is_finite(state_dict: dict[str, torch.Tensor]) -> bool:
    return all(torch.isfinite(v).all() for v in state_dict.values() if v.is_floating_point())


@torch.no_grad()
def predictions(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> pd.DataFrame:
    """Per validation image (eval mode): index, label, predicted class, its probability, p(true label)."""
    was = model.training
    model.eval()
    probs = torch.cat([torch.softmax(model(x[i:i + batch]), 1) for i in range(0, len(x), batch)]).cpu()
    model.train(was)
    conf, pred = probs.max(1)
    labels = y.cpu()
    return pd.DataFrame({"index": np.arange(len(labels)), "label": labels.numpy(), "pred": pred.numpy(),
                         "confidence": conf.numpy(), "p_true": probs[torch.arange(len(labels)), labels].numpy()})


@dataclass
class CNNTraining:
    """The two CNNs (CompareResult with weights kept), the MLP baseline, and validation predictions."""

    compare: CompareResult
    mlp: TrainResult
    predictions: dict[str, pd.DataFrame]  # network key -> predictions() frame

    def run(self, network: str) -> TrainResult:
        return self.compare.runs[NETWORKS[network]]


def train_compare(config: CNNConfig, data: Dataset, seed: int,
                  on_progress: Callable[[Progress], None] | None = None) -> CNNTraining:
    """The lesson CNN with and without batch norm (same seed, batches, initial weights), then the MLP."""
    settings = config.train_settings()
    runs, preds = {}, {}
    for i, (network, label) in enumerate(NETWORKS.items()):
        model = build_cnn(network, seed)
        runs[label] = train(model, data, settings, seed=seed, label=label, on_progress=on_progress,
                            keep_weights=True, run_index=i, n_runs=len(NETWORKS))
        if runs[label].diverged_at is None:
            preds[network] = predictions(model, data.x_val, data.y_val)
    mlp = train(build_mlp(seed), data, MLP_SETTINGS, seed=seed, label="MLP")
    return CNNTraining(CompareResult(runs), mlp, preds)


# ---------------------------------------------------------------- inspection

def receptive_fields(model: LessonCNN) -> dict[str, int]:
    """Side of the input window each stage's output unit depends on, from the layers' sizes:
    r_out = r_in + (k - 1) * j_in, j_out = j_in * s (j: distance in input pixels between neighbours)."""
    r, j, out = 1, 1, {}
    for name in STAGES:
        m = getattr(model, name)
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
            size = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
            step = m.stride if isinstance(m.stride, int) else m.stride[0]
            r, j = r + (size - 1) * j, j * step
        out[name] = r
    return out


def neighbour_correlation(weight: torch.Tensor) -> float:
    """Correlation between horizontally and vertically adjacent weights inside the kernels of a
    (C_out, C_in, k, k) weight: about 0 for random noise, clearly positive for smooth blobs, bars and edges."""
    w = weight.detach().double().reshape(-1, *weight.shape[-2:])
    a = torch.cat([w[:, :, :-1].flatten(), w[:, :-1, :].flatten()])
    b = torch.cat([w[:, :, 1:].flatten(), w[:, 1:, :].flatten()])
    return float(torch.corrcoef(torch.stack([a, b]))[0, 1])


@torch.no_grad()
def feature_maps(model: LessonCNN, image: torch.Tensor) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Every named stage's output for one (1, 28, 28) image, read by forward hooks in eval mode
    (batch norm uses its running statistics, nothing is updated), and the class probabilities."""
    was = model.training
    model.eval()
    maps: dict[str, torch.Tensor] = {}
    hooks = [getattr(model, name).register_forward_hook(
        lambda _m, _i, out, name=name: maps.__setitem__(name, out[0].detach().cpu())) for name in STAGES]
    try:
        device = next(model.parameters()).device
        probs = torch.softmax(model(image.reshape(1, 1, IMAGE_SIZE, IMAGE_SIZE).to(device)), 1)[0].cpu()
    finally:
        for h in hooks:
            h.remove()
        model.train(was)
    return maps, probs


def probabilities_frame(probs: torch.Tensor, label: int, classes: Sequence[str]) -> pd.DataFrame:
    pred = int(probs.argmax())
    kind = ["true class" if i == label else "predicted (wrong)" if i == pred else "other"
            for i in range(len(probs))]
    return pd.DataFrame({"class": list(classes), "p": probs.double().numpy().round(4), "kind": kind})


def misclassified(preds: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """Wrongly classified validation images, most confidently wrong first."""
    wrong = preds[preds["pred"] != preds["label"]].sort_values(["confidence", "index"], ascending=[False, True])
    return wrong.head(limit) if limit else wrong


def misclassified_frame(wrong: pd.DataFrame, pixels: torch.Tensor, classes: Sequence[str]) -> pd.DataFrame:
    """The images of `wrong` (rows of misclassified()) as long rows caption, index, r, c, v in [0, 1]."""
    frames = [grid_frame(pixels[int(row["index"])].reshape(IMAGE_SIZE, IMAGE_SIZE), index=int(row["index"]),
                         caption=f"#{int(row['index'])}: {classes[int(row['label'])]} → "
                                 f"{classes[int(row['pred'])]} ({row['confidence']:.0%})")
              for _, row in wrong.iterrows()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["caption", "r", "c", "v"])


def layer_table(model: nn.Module, input_shape: tuple[int, ...] = (1, 1, IMAGE_SIZE, IMAGE_SIZE)) -> pd.DataFrame:
    """Each leaf layer in forward order: its output shape (measured by hooks on one forward pass of
    zeros, in eval mode) and its own number of parameters."""
    rows = []
    hooks = [m.register_forward_hook(lambda mod, _i, out, name=name: rows.append({
        "layer": name, "type": type(mod).__name__, "output shape": " × ".join(map(str, out.shape[1:])),
        "parameters": sum(p.numel() for p in mod.parameters(recurse=False))}))
        for name, m in model.named_modules() if not list(m.children()) and not isinstance(m, nn.Identity)]
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(input_shape, device=next(model.parameters()).device))
    finally:
        for h in hooks:
            h.remove()
        model.train(was)
    return pd.DataFrame(rows)


def parameter_comparison(training: CNNTraining | None, seed: int = 0) -> pd.DataFrame:
    """Parameter counts of both CNNs and the MLP baseline, with validation accuracy once trained."""
    models = {"CNN without BN": build_cnn("plain", seed), "CNN with BN": build_cnn("bn", seed),
              f"MLP {'-'.join(map(str, MLP_SIZES))}": build_mlp(seed)}
    runs = [None, None, None] if training is None else [training.run("plain"), training.run("bn"), training.mlp]
    rows = []
    for (name, model), run in zip(models.items(), runs):
        rows.append({"network": name, "parameters": count_parameters(model),
                     "epochs": None if run is None else len(run.epochs),
                     "val. accuracy": None if run is None or run.diverged_at else run.final_val_acc,
                     "seconds": None if run is None else run.seconds})
    return pd.DataFrame(rows)
