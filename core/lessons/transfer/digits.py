"""The new task: scikit-learn's handwritten digits, split once into a pool the K labelled images per
class are drawn from and a fixed held-out test set, and set beside MNIST.

`core.data.digits_pixels` gives the 1,797 images preprocessed like MNIST (0-16 scaled to [0, 1],
bilinear upsampling 8×8 -> 20×20, 4 zero pixels of padding on each side -> 28×28); here they are
put on MNIST's scale (`core.data.normalise`), so the pretrained network sees them as it saw MNIST.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from core.data import CLASSES, Dataset, digits_pixels, normalise

POOL_PER_CLASS = 100  # labelled images per class the K-shot training sets are drawn from
SPLIT_SEED = 1797  # fixed: the pool and the test set never depend on the user's seed


@dataclass(frozen=True, eq=False)
class Digits:
    """The digits on one device: `x` (1797, 1, 28, 28) normalised like MNIST, `pixels` the same in
    [0, 1], `y` (1797,) labels; `pool[c]` the indices of class c's POOL_PER_CLASS pool images, in a
    fixed random order; `test` the indices of every other image (797: 74 to 83 per class)."""

    x: torch.Tensor
    pixels: torch.Tensor
    y: torch.Tensor
    pool: tuple[torch.Tensor, ...]
    test: torch.Tensor

    @property
    def device(self) -> torch.device:
        return self.x.device

    @property
    def x_test(self) -> torch.Tensor:
        return self.x[self.test]

    @property
    def y_test(self) -> torch.Tensor:
        return self.y[self.test]


@functools.lru_cache(maxsize=4)
def load_digits(device: str = "cpu") -> Digits:
    """The split digits on `device`: per class, the first POOL_PER_CLASS images of a fixed seeded
    permutation form the pool, the rest the test set. Raises ValueError if a class has no test image."""
    pixels, y = digits_pixels()
    perm = torch.randperm(len(y), generator=torch.Generator().manual_seed(SPLIT_SEED))
    pool, test = [], []
    for c in range(len(CLASSES["digits"])):
        members = perm[y[perm] == c]
        if len(members) <= POOL_PER_CLASS:
            raise ValueError(f"Class {c} has only {len(members)} images: none would be left to test on.")
        pool.append(members[:POOL_PER_CLASS].to(device))
        test.append(members[POOL_PER_CLASS:])
    pixels = pixels.to(device)
    return Digits(normalise("digits", pixels), pixels, y.to(device), tuple(pool), torch.cat(test).to(device))


def draw(digits: Digits, k: int, seed: int) -> torch.Tensor:
    """Indices of K labelled images per class (10·K in all, class by class), drawn from the pool by
    `seed`. Nested: the K images of a seed are the first K of its K' > K, so along a sweep a seed only
    ever adds images. Raises ValueError unless 1 <= k <= POOL_PER_CLASS."""
    if not 1 <= k <= POOL_PER_CLASS:
        raise ValueError(f"K must be between 1 and {POOL_PER_CLASS} images per class (got {k}).")
    g = torch.Generator().manual_seed(seed)
    return torch.cat([members[torch.randperm(POOL_PER_CLASS, generator=g)[:k].to(members.device)]
                      for members in digits.pool])


def kshot_data(digits: Digits, k: int, seed: int, epochs: int) -> Dataset:
    """The training data of one run: its 10·K images repeated `epochs` times (so one pass of the
    engine over them is `epochs` passes over the images, shuffled together, validated once at the end),
    validated on the held-out test set."""
    chosen = draw(digits, k, seed).repeat(epochs)
    note = (f"scikit-learn's digits: {k} labelled image{'s' * (k > 1)} per class × {epochs} epochs, tested on "
            f"{len(digits.test)} held-out images.")
    return Dataset("digits", "scikit-learn", note, digits.x[chosen], digits.y[chosen], digits.x_test,
                   digits.y_test, CLASSES["digits"])


# ---------------------------------------------------------------- beside MNIST

def centre_of_mass(pixels: torch.Tensor) -> tuple[float, float]:
    """Mean (row, column) of the images' centres of mass, in pixels from the top left; pixels (N, 1, H, W)."""
    p = pixels[:, 0].double()
    rows = torch.arange(p.shape[1], dtype=p.dtype, device=p.device)[None, :, None]
    cols = torch.arange(p.shape[2], dtype=p.dtype, device=p.device)[None, None, :]
    mass = p.sum((1, 2)).clamp_min(1e-12)
    return ((p * rows).sum((1, 2)) / mass).mean().item(), ((p * cols).sum((1, 2)) / mass).mean().item()


def ink_width(pixels: torch.Tensor, threshold: float = 0.5) -> float:
    """Mean width in pixels of the columns holding ink (a pixel above `threshold`) per image."""
    cols = (pixels[:, 0] > threshold).any(1)  # (N, W)
    has = cols.any(1)
    idx = torch.arange(cols.shape[1], device=cols.device)
    first = torch.where(cols, idx, cols.shape[1]).min(1).values
    last = torch.where(cols, idx, -1).max(1).values
    return (last - first + 1)[has].double().mean().item()


def compare_to_mnist(mnist_pixels: torch.Tensor, digits_pixels: torch.Tensor) -> pd.DataFrame:
    """Both sets measured the same way: mean pixel, share of pixels above 0.5, partly inked pixels
    (0.1 to 0.9: blur), centre of mass, width of the inked columns. One row per measurement, a column per set."""
    rows = []
    for name, p in (("MNIST", mnist_pixels), ("scikit-learn digits", digits_pixels)):
        r, c = centre_of_mass(p)
        rows.append({"set": name, "mean pixel": p.mean().item(), "pixels above 0.5": (p > 0.5).float().mean().item(),
                     "grey pixels (0.1 to 0.9) among inked": ((p > 0.1) & (p < 0.9)).float().sum().item()
                     / max(1.0, (p > 0.1).float().sum().item()),
                     "centre of mass row": r, "centre of mass column": c, "inked width (pixels)": ink_width(p)})
    return pd.DataFrame(rows).set_index("set").T.rename_axis("measurement").reset_index()


def examples(mnist_pixels: torch.Tensor, mnist_labels: torch.Tensor, digits: Digits) -> dict[str, torch.Tensor]:
    """One image of each class from each set (the first of that class in MNIST's given images and in the
    digits' test set): {'MNIST': (10, 28, 28), 'scikit-learn digits': (10, 28, 28)}, pixels in [0, 1]."""
    out = {}
    for name, pixels, labels in (("MNIST", mnist_pixels, mnist_labels),
                                 ("scikit-learn digits", digits.pixels[digits.test], digits.y_test)):
        out[name] = torch.stack([pixels[int((labels == c).nonzero()[0]), 0] for c in range(10)]).detach().cpu()
    return out


def example_grid(examples: dict[str, torch.Tensor], gap: int = 2) -> np.ndarray:
    """The examples as one picture, a row per set and a column per class, `gap` white pixels between images,
    as paper and ink (1 = white, 0 = full ink): (rows·(28 + gap) − gap, 10·(28 + gap) − gap) float32."""
    rows = []
    for images in examples.values():
        padded = torch.nn.functional.pad(1 - images.clamp(0, 1), (0, gap), value=1.0)  # (10, 28, 28 + gap)
        rows.append(torch.cat(list(padded), dim=1)[:, :-gap])
    spacer = torch.ones(gap, rows[0].shape[1])
    grid = torch.cat([piece for row in rows for piece in (row, spacer)][:-1])
    return grid.numpy().astype(np.float32)
