"""A digit drawn on the page, for the trained CNN: the canvas's RGBA pixels prepared as MNIST's digits
were (core.preprocess: bounding box scaled to 20 x 20 keeping its aspect ratio, centre of mass on the
centre of 28 x 28), normalised as the training images, and the network's probabilities for it."""
from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import torch

from core.data import normalise
from core.preprocess import ink_from_rgba, mnist_style

GUESS, OTHER = "the network's guess", "other"


def read_drawing(image_data: np.ndarray | None) -> torch.Tensor | None:
    """A canvas's image_data (H, W, 4) uint8 RGBA (dark strokes on a light background, or light on
    dark) -> the digit as (28, 28) float32 pixel intensities in [0, 1], MNIST-style; None when nothing
    is drawn (or there is no image yet). Raises ValueError for an array that is not an (H, W, 3|4) image."""
    if image_data is None:
        return None
    rgba = np.asarray(image_data)
    if rgba.ndim != 3 or rgba.shape[-1] not in (3, 4) or min(rgba.shape[:2]) < 8:
        raise ValueError(f"Expected an RGBA image of shape (H, W, 4), got {rgba.shape}.")
    return mnist_style(ink_from_rgba(rgba))


def network_input(pixels: torch.Tensor, dataset: str = "mnist") -> torch.Tensor:
    """(28, 28) pixels in [0, 1] -> the (1, 28, 28) normalised image the lesson CNN takes."""
    return normalise(dataset, pixels.float())[None]


def guess_frame(probs: torch.Tensor, classes: Sequence[str]) -> pd.DataFrame:
    """The probabilities for a drawing (no true label): class, p, kind (GUESS for the most likely class)."""
    pred = int(probs.argmax())
    return pd.DataFrame({"class": list(classes), "p": probs.double().numpy().round(4),
                         "kind": [GUESS if i == pred else OTHER for i in range(len(probs))]})
