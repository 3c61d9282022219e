"""A 1-D slice of the loss around trained weights θ along a filter-normalised random direction
(Li, Xu, Taylor, Studer & Goldstein 2018, "Visualizing the loss landscape of neural nets", §4):

    L(θ + t·d),  t ∈ [−1, 1],

where d is Gaussian and each filter of d — for a Linear layer, one output unit's row of incoming
weights — is rescaled to the norm of the same filter of θ: d_i ← d_i / ‖d_i‖ · ‖θ_i‖. That removes the
scale invariance that would otherwise make one network look flatter than another just because its
weights are larger. Biases and batch-norm parameters get d = 0 (Li et al.'s released code, option
'biasbn'). The loss is measured in eval mode on a copy of the model: nothing in the model changes.
"""
from __future__ import annotations

from copy import deepcopy

import numpy as np
import pandas as pd
import torch
from torch import nn

from core.training import evaluate

POINTS = 41  # t = −1, −0.95, …, 1


def filter_normalized_direction(model: nn.Module, seed: int) -> dict[str, torch.Tensor]:
    """One direction tensor per parameter (name -> tensor of its shape): for every weight of two or
    more dimensions, Gaussian entries with each row (output unit) rescaled to that row's norm in the
    model; zeros for 1-D parameters (biases, batch norm's γ and β). Drawn from its own generator
    seeded by `seed`, in the order of model.named_parameters(): models of the same shapes get the same
    draws before the rescaling."""
    generator = torch.Generator().manual_seed(seed)
    direction = {}
    for name, p in model.named_parameters():
        if p.dim() < 2:
            direction[name] = torch.zeros_like(p)
            continue
        d = torch.randn(p.shape, generator=generator, dtype=torch.float32).to(p.device, p.dtype)
        rows, d_rows = p.detach().flatten(1), d.flatten(1)
        scale = rows.norm(dim=1, keepdim=True) / d_rows.norm(dim=1, keepdim=True).clamp_min(1e-12)
        direction[name] = (d_rows * scale).view_as(p)
    return direction


@torch.no_grad()
def loss_slice(model: nn.Module, x: torch.Tensor, y: torch.Tensor, direction: dict[str, torch.Tensor],
               points: int = POINTS) -> pd.DataFrame:
    """Mean cross-entropy loss and accuracy on (x, y) at θ + t·d for `points` values of t evenly spaced
    in [−1, 1] (t = 0: the model itself). Columns: t, loss, accuracy. A step that overflows gives an
    infinite or NaN loss, kept as it is (a chart leaves it out and says so)."""
    copy = deepcopy(model).eval()
    theta = {name: p.detach().clone() for name, p in copy.named_parameters()}
    rows = []
    for t in np.linspace(-1.0, 1.0, points):
        for name, p in copy.named_parameters():
            p.copy_(theta[name] + float(t) * direction[name])
        loss, acc = evaluate(copy, x, y)
        rows.append({"t": round(float(t), 6), "loss": loss, "accuracy": acc})
    return pd.DataFrame(rows, columns=["t", "loss", "accuracy"])
