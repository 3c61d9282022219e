"""Named weight-initialization schemes for nn.Linear / nn.Conv2d layers.

n_in is the fan-in and n_out the fan-out of the layer. Every scheme sets biases to 0 except
`default`, which keeps PyTorch's own initialization of both weight and bias, and `normal`, the
standard normal N(0, 1) for both (Nielsen's "large weight initializer", *Neural Networks and Deep
Learning*, ch. 3).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
from torch import nn


@dataclass(frozen=True)
class InitScheme:
    name: str
    label: str
    formula: str  # LaTeX of the distribution in terms of n_in / n_out


INIT_SCHEMES: dict[str, InitScheme] = {
    s.name: s
    for s in [
        InitScheme("default", "PyTorch default",
                   r"W,\ b\sim U\!\left[-\tfrac{1}{\sqrt{n_{in}}},\tfrac{1}{\sqrt{n_{in}}}\right]"),
        InitScheme("equal", "All equal (1)", r"W_{ij}=1,\ b=0"),
        InitScheme("uniform", "Uniform [-1, 1]", r"W\sim U[-1,1]"),
        InitScheme("scaled_uniform", "Uniform / n_in", r"W\sim U\!\left[-\tfrac{1}{n_{in}},\tfrac{1}{n_{in}}\right]"),
        InitScheme("xavier_uniform", "Xavier uniform",
                   r"W\sim U\!\left[-\sqrt{\tfrac{6}{n_{in}+n_{out}}},\sqrt{\tfrac{6}{n_{in}+n_{out}}}\right]"),
        InitScheme("xavier_normal", "Xavier normal", r"W\sim \mathcal{N}\!\left(0,\tfrac{2}{n_{in}+n_{out}}\right)"),
        InitScheme("he_uniform", "He uniform", r"W\sim U\!\left[-\sqrt{\tfrac{6}{n_{in}}},\sqrt{\tfrac{6}{n_{in}}}\right]"),
        InitScheme("he_normal", "He normal", r"W\sim \mathcal{N}\!\left(0,\tfrac{2}{n_{in}}\right)"),
        InitScheme("normal", "N(0, 1)", r"W,\ b\sim \mathcal{N}(0,\,1)"),
    ]
}


def fans(weight: torch.Tensor) -> tuple[int, int]:
    """(n_in, n_out) of a Linear or Conv weight, counting the receptive field for convs."""
    receptive = weight[0][0].numel() if weight.dim() > 2 else 1
    return weight.shape[1] * receptive, weight.shape[0] * receptive


@torch.no_grad()
def init_layer(layer: nn.Module, scheme: str) -> None:
    """Re-initialise one Linear/Conv layer in place with the named scheme."""
    if scheme not in INIT_SCHEMES:
        raise ValueError(f"Unknown initialization '{scheme}'. Choose one of: {', '.join(INIT_SCHEMES)}.")
    if scheme == "default":
        layer.reset_parameters()
        return
    w = layer.weight
    n_in, n_out = fans(w)
    if scheme == "equal":
        w.fill_(1.0)
    elif scheme == "uniform":
        w.uniform_(-1.0, 1.0)
    elif scheme == "scaled_uniform":
        w.uniform_(-1.0 / n_in, 1.0 / n_in)
    elif scheme == "xavier_uniform":
        nn.init.xavier_uniform_(w)
    elif scheme == "xavier_normal":
        nn.init.xavier_normal_(w)
    elif scheme == "he_uniform":
        nn.init.kaiming_uniform_(w, nonlinearity="relu")
    elif scheme == "he_normal":
        nn.init.kaiming_normal_(w, nonlinearity="relu")
    elif scheme == "normal":
        w.normal_(0.0, 1.0)
        if layer.bias is not None:
            layer.bias.normal_(0.0, 1.0)
        return
    if layer.bias is not None:
        layer.bias.zero_()


def scheme_bound(scheme: str, n_in: int, n_out: int) -> tuple[str, float]:
    """The scheme's defining number for a layer: ('bound', a) for U[-a, a] or ('std', s) for N(0, s^2)."""
    return {
        "default": ("bound", 1 / math.sqrt(n_in)),
        "equal": ("value", 1.0),
        "uniform": ("bound", 1.0),
        "scaled_uniform": ("bound", 1 / n_in),
        "xavier_uniform": ("bound", math.sqrt(6 / (n_in + n_out))),
        "xavier_normal": ("std", math.sqrt(2 / (n_in + n_out))),
        "he_uniform": ("bound", math.sqrt(6 / n_in)),
        "he_normal": ("std", math.sqrt(2 / n_in)),
        "normal": ("std", 1.0),
    }[scheme]
