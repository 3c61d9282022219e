"""The trained BN network in train mode and eval mode: the same batch normalised with its own
statistics and with the running ones, one neuron worked through by hand, the learned gamma and beta.
Everything runs on a copy under no_grad, so the model (and its running statistics) never changes."""
from __future__ import annotations

import math
from copy import deepcopy

import numpy as np
import pandas as pd
import torch

from core.lessons.batchnorm.experiment import LABELS, BNResult, build
from core.models import MLP


def trained_bn_model(result: BNResult) -> MLP:
    model = build(result.config, True, 0)
    model.load_state_dict(result.runs[LABELS[True]].state_dict)
    return model


def is_finite(model: MLP) -> bool:
    """Whether every weight and running statistic is a finite number (a run that diverged leaves NaN)."""
    return all(bool(torch.isfinite(t).all()) for t in model.state_dict().values() if t.is_floating_point())


@torch.no_grad()
def forward_to(model: MLP, x: torch.Tensor, layer: int, train_mode: bool) -> tuple[torch.Tensor, torch.Tensor]:
    """Pre-activation s and BN output of hidden `layer` for batch x, on a copy of the model in train
    mode (every BN layer uses this batch's statistics) or eval mode (running statistics)."""
    copy = deepcopy(model).train(train_mode)
    h = x.flatten(1)
    for l, (linear, norm, act) in enumerate(zip(copy.linears, copy.norms, copy.acts), 1):
        s = linear(h)
        z = norm(s)
        if l == layer:
            return s, z
        h = act(z)
    raise ValueError(f"The network has no hidden layer {layer}.")


def train_vs_eval(model: MLP, x: torch.Tensor, layer: int) -> pd.DataFrame:
    """BN output of hidden `layer` for batch x in train mode and in eval mode. Long: example, unit, train, eval."""
    train = forward_to(model, x, layer, True)[1]
    evaluate = forward_to(model, x, layer, False)[1]
    n, units = train.shape
    return pd.DataFrame({"example": np.repeat(np.arange(1, n + 1), units), "unit": np.tile(np.arange(1, units + 1), n),
                         "train": train.flatten().numpy(), "eval": evaluate.flatten().numpy()})


def first(te: pd.DataFrame, examples: int, units: int) -> pd.DataFrame:
    """The first `examples` examples x first `units` units of a train_vs_eval frame (a chart-sized sample)."""
    return te[(te["example"] <= examples) & (te["unit"] <= units)].reset_index(drop=True)


def worked_example(model: MLP, x: torch.Tensor, layer: int, unit: int = 1) -> dict:
    """BN of one neuron on batch x by hand, in float64, from its pre-activations s in the train-mode
    forward pass (lower layers normalised with this batch's statistics, as train_vs_eval's train
    column): mean, biased variance, and x_hat and y for every example (`table`) and the first."""
    s = forward_to(model, x, layer, True)[0][:, unit - 1].double()
    bn = model.norms[layer - 1]
    mean, var = s.mean().item(), s.var(unbiased=False).item()
    gamma, beta, eps = bn.weight[unit - 1].item(), bn.bias[unit - 1].item(), bn.eps
    x_hat = (s - mean) / math.sqrt(var + eps)
    y = gamma * x_hat + beta
    table = pd.DataFrame({"example": np.arange(1, len(s) + 1), "s": s.numpy(), "x_hat": x_hat.numpy(), "y": y.numpy()})
    return {"layer": layer, "unit": unit, "batch": len(s), "table": table, "mean": mean, "var": var, "eps": eps,
            "gamma": gamma, "beta": beta, "x1": s[0].item(), "x_hat": x_hat[0].item(), "y": y[0].item()}


def gamma_beta(model: MLP) -> pd.DataFrame:
    """Learned scale and shift of every BN unit: layer, unit, parameter ('gamma' | 'beta'), value."""
    rows = []
    for l, norm in enumerate(model.norms, 1):
        for name, tensor in (("gamma", norm.weight), ("beta", norm.bias)):
            rows.append(pd.DataFrame({"layer": l, "unit": np.arange(1, tensor.numel() + 1), "parameter": name,
                                      "value": tensor.detach().cpu().numpy()}))
    return pd.concat(rows, ignore_index=True)
