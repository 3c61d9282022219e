"""A digit drawn by hand, prepared the way MNIST's digits were (LeCun, Cortes & Burges, "The MNIST
database": each digit's bounding box was size-normalised to fit a 20 x 20 box, keeping its aspect
ratio, with anti-aliasing, then centred in a 28 x 28 image by its centre of mass).
"""
from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

BOX = 20  # the digit's longer side, in pixels
SIDE = 28  # the image
INK = 0.1  # a pixel with at least this intensity is part of the drawing


def ink_from_rgba(rgba: np.ndarray) -> np.ndarray:
    """A canvas's RGBA pixels (H, W, 4), uint8, light strokes on a dark background or dark on light,
    as ink intensity (H, W) in [0, 1]: the stroke's share of each pixel (alpha times its contrast with
    the background)."""
    rgba = np.asarray(rgba, dtype=np.float32) / 255.0
    grey = rgba[..., :3].mean(axis=-1)
    alpha = rgba[..., 3] if rgba.shape[-1] == 4 else np.ones_like(grey)
    background = np.median(grey[alpha > 0.5]) if (alpha > 0.5).any() else 0.0
    return np.clip(np.abs(grey - background) * alpha, 0.0, 1.0)


def mnist_style(ink: np.ndarray | torch.Tensor) -> torch.Tensor | None:
    """Ink intensities (H, W) in [0, 1] -> a (28, 28) float32 tensor in [0, 1], the digit's bounding
    box scaled so its longer side is 20 pixels (aspect ratio kept, anti-aliased) and its centre of mass
    on pixel (14, 14), as in MNIST. None when nothing is drawn (no pixel reaches INK)."""
    img = torch.as_tensor(np.asarray(ink, dtype=np.float32))
    if img.ndim != 2:
        raise ValueError(f"Expected a 2-D image of ink intensities, got shape {tuple(img.shape)}.")
    rows = torch.nonzero((img >= INK).any(dim=1)).flatten()
    cols = torch.nonzero((img >= INK).any(dim=0)).flatten()
    if len(rows) == 0:
        return None
    crop = img[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1].clamp(0.0, 1.0)
    h, w = crop.shape
    scale = BOX / max(h, w)
    size = (max(1, round(h * scale)), max(1, round(w * scale)))
    small = F.interpolate(crop[None, None], size=size, mode="bilinear", antialias=True,
                          align_corners=False)[0, 0].clamp(0.0, 1.0)
    canvas = torch.zeros(SIDE, SIDE)
    top, left = (SIDE - size[0]) // 2, (SIDE - size[1]) // 2
    canvas[top:top + size[0], left:left + size[1]] = small
    return center_of_mass_shift(canvas)


def center_of_mass(img: torch.Tensor) -> tuple[float, float]:
    """(row, column) of the intensity-weighted centre, in pixel coordinates (0 = the first pixel's centre)."""
    total = img.sum()
    r = torch.arange(img.shape[0], dtype=img.dtype)
    c = torch.arange(img.shape[1], dtype=img.dtype)
    return float((img.sum(1) * r).sum() / total), float((img.sum(0) * c).sum() / total)


def center_of_mass_shift(img: torch.Tensor) -> torch.Tensor:
    """The image translated by whole pixels so its centre of mass lands on pixel (14, 14) of 28 x 28 (side // 2),
    where MNIST's digits have theirs (the mean over the bundled 10,000 is (14.00, 14.00)); what would leave
    the image is cut off (a 20 x 20 box in 28 x 28 has room for any shift of up to 4)."""
    r, c = center_of_mass(img)
    centre = img.shape[0] // 2
    dr, dc = round(centre - r), round(centre - c)
    out = torch.zeros_like(img)
    n = img.shape[0]
    src_r, dst_r = slice(max(0, -dr), min(n, n - dr)), slice(max(0, dr), min(n, n + dr))
    src_c, dst_c = slice(max(0, -dc), min(n, n - dc)), slice(max(0, dc), min(n, n + dc))
    out[dst_r, dst_c] = img[src_r, src_c]
    return out
