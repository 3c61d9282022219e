"""The batch-norm lesson's probes, which only read (no training batches, no training-mode forward
passes, so the running statistics are exactly those of an unprobed run):

- `ActInputProbe`: the input of every hidden activation, the distribution the activation sees,
  and the share of it in the activation's flat part (`flat_share`);
- `RunningStatsProbe`: each BatchNorm1d's running statistics beside the population statistics
  they estimate.
"""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd
import torch
from torch import nn

from core.probes import Probe

SAMPLE_ROWS = 128  # examples of the training batch whose activation inputs are kept per snapshot


FLAT = 0.1  # an input sits in the activation's flat part where its slope is below 10% of the largest slope


# each activation's slope as a share of its largest slope (closed forms of core.activations' derivatives)
RELATIVE_SLOPE: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sigmoid": lambda x: 4 * torch.sigmoid(x) * torch.sigmoid(-x),
    "tanh": lambda x: 1 - torch.tanh(x) ** 2,
    "relu": lambda x: (x > 0).float(),
}


def flat_share(values: torch.Tensor, activation: str) -> float:
    """Share of the finite inputs where the activation's slope is below FLAT of its largest slope:
    the sigmoid's tails beyond about ±3.64, tanh's beyond ±1.82, ReLU's x <= 0."""
    x = values.detach().float().flatten()
    finite = torch.isfinite(x)
    n = int(finite.sum())
    return ((RELATIVE_SLOPE[activation](x) < FLAT) & finite).sum().item() / n if n else float("nan")


# ---------------------------------------------------------------- probes

class ActInputProbe(Probe):
    """The input of every hidden activation (Linear output, or BN output in the BN network) for the
    first SAMPLE_ROWS examples of the training batch, on probe steps, from the training forward pass."""

    def __init__(self, every: int, activation: str):
        super().__init__(every)
        self.activation = activation

    def attach(self, model: nn.Module, total_steps: int) -> None:
        self.samples: list[tuple[int, int, torch.Tensor]] = []
        self._handles = [act.register_forward_pre_hook(self._hook(l)) for l, act in enumerate(model.acts, 1)]

    def _hook(self, layer: int):
        def hook(module, inputs):
            if self.active and module.training:
                self.samples.append((self.step + 1, layer, inputs[0][:SAMPLE_ROWS].detach().clone()))
        return hook

    def detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []

    def frame(self, steps_done: int) -> pd.DataFrame:
        """Percentiles 15/50/85 per step and layer (Ioffe & Szegedy 2015, Figure 1) of the finite
        inputs, the share of them in the activation's flat part, and the share of inputs that are
        not finite (`nonfinite`: NaN or ±inf, from a run that diverged); percentiles and flat share
        are NaN where no input is finite."""
        rows = []
        for step, layer, values in self.samples:
            x = values.flatten().float()
            finite = x[torch.isfinite(x)]
            if finite.numel():
                p15, p50, p85 = torch.quantile(finite, torch.tensor([0.15, 0.5, 0.85])).tolist()
            else:
                p15 = p50 = p85 = float("nan")
            rows.append({"step": step, "layer": layer, "p15": p15, "p50": p50, "p85": p85,
                         "flat": flat_share(values, self.activation),
                         "nonfinite": 1 - finite.numel() / x.numel() if x.numel() else float("nan")})
        return pd.DataFrame(rows, columns=["step", "layer", "p15", "p50", "p85", "flat", "nonfinite"])


class RunningStatsProbe(Probe):
    """For each BatchNorm1d: its running mean and variance on probe steps, beside the population mean
    and variance of its input over POPULATION fixed training images with the network in eval mode
    (eval mode under no_grad: nothing in the model changes)."""

    def __init__(self, every: int, x_ref: torch.Tensor):
        super().__init__(every)
        self.x_ref = x_ref

    def attach(self, model: nn.Module, total_steps: int) -> None:
        self.model = model
        self.rows: list[pd.DataFrame] = []

    @torch.no_grad()
    def after_backward(self) -> None:
        if not self.active:
            return
        model = self.model
        model.eval()
        try:
            h = self.x_ref.flatten(1)
            for l, (linear, norm, act) in enumerate(zip(model.linears, model.norms, model.acts), 1):
                s = linear(h)
                self.rows.append(pd.DataFrame({
                    "step": self.step + 1, "layer": l, "unit": np.arange(1, s.shape[1] + 1),
                    "running_mean": norm.running_mean.cpu().numpy(), "running_var": norm.running_var.cpu().numpy(),
                    "population_mean": s.mean(0).cpu().numpy(), "population_var": s.var(0).cpu().numpy()}))
                h = act(norm(s))
        finally:
            model.train()

    def frame(self, steps_done: int) -> pd.DataFrame:
        return pd.concat(self.rows, ignore_index=True) if self.rows else pd.DataFrame()
