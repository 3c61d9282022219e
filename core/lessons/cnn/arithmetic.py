"""The convolution explainer's arithmetic, by hand: the preset kernels, the output-size formula
floor((n + 2p - k) / s) + 1, `convolve` and `max_pool` written out with tensor unfolding (checked against
torch.nn.functional in the tests), and `explain` / `channel_demo`, which turn one digit and some kernels
into tidy frames for the heatmaps in core.lessons.cnn.charts (`channel_inputs`: one digit as several channels)."""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

import numpy as np
import pandas as pd
import torch


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
MAX_KERNEL_VALUE = 100.0  # custom kernel cells lie in [-MAX_KERNEL_VALUE, MAX_KERNEL_VALUE]
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


def custom_problem(values: Sequence[float]) -> str | None:
    """Why these numbers are not a usable custom kernel (count, a non-number, out of range), or None."""
    try:
        square(values)
    except (ValueError, TypeError) as exc:
        return str(exc)
    if not all(math.isfinite(v) and abs(v) <= MAX_KERNEL_VALUE for v in values):
        return f"Custom kernel values must be numbers between -{MAX_KERNEL_VALUE:g} and {MAX_KERNEL_VALUE:g}."
    return None


def kernel_from_table(table: pd.DataFrame) -> tuple[float, ...]:
    """The edited table back to flat values; a clear ValueError for an empty, non-numeric or
    out-of-range cell."""
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
            if abs(f) > MAX_KERNEL_VALUE:
                raise ValueError(f"Kernel cell in row {i + 1}, column {j + 1} is {f:g}: enter a number between "
                                 f"-{MAX_KERNEL_VALUE:g} and {MAX_KERNEL_VALUE:g}.")
            out.append(f)
    return tuple(out)


# ---------------------------------------------------------------- channel grids

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
    """A 2-D tensor as long rows r, c (int16), v (float32, rounded to 4 decimals for small charts), plus
    constant columns. Compact types: every browser that draws a grid is sent these columns (/cnn's
    feature maps are 25,000 rows)."""
    a = t.detach().cpu().double().numpy()
    r, c = np.indices(a.shape, dtype=np.int16)
    return pd.DataFrame({**columns, "r": r.ravel(), "c": c.ravel(), "v": np.round(a.ravel(), 4).astype(np.float32)})


def stack_frame(t: torch.Tensor, name: str = "channel") -> pd.DataFrame:
    """A (C, H, W) tensor as long rows: `name` (1-based), r, c, v."""
    return pd.concat([grid_frame(m, **{name: np.int16(i + 1)}) for i, m in enumerate(t)], ignore_index=True)


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


# The channel demo's input channels: one image seen the way a deeper layer sees it, as its pixels and
# feature maps (a preset's response, ReLU, scaled to [0, 1]).
CHANNEL_VIEWS = ((None, "pixels"), ("sobel_x", "left edges (Sobel x, ReLU)"), ("sobel_y", "top edges (Sobel y, ReLU)"))


def channel_inputs(image: torch.Tensor, n: int) -> tuple[torch.Tensor, list[str]]:
    """n channels of one (H, W) image in [0, 1]: its pixels, then edge maps of the same size (the
    image convolved with a preset, padding 1, ReLU, divided by the largest response)."""
    if not 1 <= n <= len(CHANNEL_VIEWS):
        raise ValueError(f"The channel demo has 1 to {len(CHANNEL_VIEWS)} input channels (got {n}).")
    x = image.reshape(1, *image.shape[-2:]).float().cpu()
    planes = []
    for name, _ in CHANNEL_VIEWS[:n]:
        if name is None:
            planes.append(x[0])
            continue
        response = convolve(x, KERNELS[name].tensor()[None, None], 1, 1)[0][0].clamp(min=0)
        top = float(response.max())
        planes.append(response / top if top > 0 else response)
    return torch.stack(planes), [label for _, label in CHANNEL_VIEWS[:n]]


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
