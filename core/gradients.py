"""Per-layer gradients of one forward/backward pass, through the same hooks the training probe uses."""
from __future__ import annotations

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from core.probes import GradNormProbe


def layer_gradients(model: nn.Module, x: torch.Tensor, y: torch.Tensor) -> pd.DataFrame:
    """||dL/ds_l|| (back-propagated, `kind='backprop'`) and ||dL/dW_l|| (`kind='weight'`) of every
    Linear/Conv layer l for the cross-entropy loss on (x, y). Leaves the model's .grad cleared."""
    probe = GradNormProbe(backprop=True)
    probe.attach(model, total_steps=1)
    try:
        probe.begin_step(0)
        model.zero_grad(set_to_none=True)
        F.cross_entropy(model(x), y).backward()
        probe.after_backward()
    finally:
        probe.detach()
        model.zero_grad(set_to_none=True)
    return probe.frame(1).drop(columns="step")
