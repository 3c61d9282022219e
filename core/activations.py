"""Activation functions shared by the curves on screen and the models that train.

Each entry builds the nn.Module the MLPs use, so the plotted f(x), its autograd derivative
and the trained network all run the very same code.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import nn


class Step(nn.Module):
    """Heaviside threshold: 1 for x > 0, else 0. Its derivative is 0 almost everywhere,
    which is exactly why gradient descent cannot train through it."""

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # (x > 0) has no grad_fn; multiplying by 0*x keeps the graph so autograd returns 0.
        return (x > 0).to(x.dtype) + 0.0 * x


@dataclass(frozen=True)
class Activation:
    name: str
    label: str
    make: Callable[[], nn.Module]
    formula: str  # LaTeX for f(x)
    derivative: str  # LaTeX for f'(x)
    max_slope: float  # sup |f'(x)|, the per-layer factor in the gradient bound
    kinks: tuple[float, ...] = ()  # points where f is not differentiable


ACTIVATIONS: dict[str, Activation] = {
    a.name: a
    for a in [
        Activation("step", "Step", Step, r"H(x)=\begin{cases}1 & x>0\\0 & x\le 0\end{cases}",
                   r"H'(x)=0 \quad (x\neq 0)", 0.0, (0.0,)),
        Activation("sigmoid", "Sigmoid", nn.Sigmoid, r"\sigma(x)=\frac{1}{1+e^{-x}}",
                   r"\sigma'(x)=\sigma(x)\,(1-\sigma(x))", 0.25),
        Activation("tanh", "Tanh", nn.Tanh, r"\tanh(x)=\frac{e^{x}-e^{-x}}{e^{x}+e^{-x}}",
                   r"\tanh'(x)=1-\tanh^2(x)", 1.0),
        Activation("relu", "ReLU", nn.ReLU, r"\mathrm{ReLU}(x)=\max(0,x)",
                   r"\mathrm{ReLU}'(x)=\begin{cases}1 & x>0\\0 & x<0\end{cases}", 1.0, (0.0,)),
        Activation("leaky_relu", "Leaky ReLU", lambda: nn.LeakyReLU(0.01),
                   r"\mathrm{LReLU}(x)=\max(0.01x,\,x)",
                   r"\mathrm{LReLU}'(x)=\begin{cases}1 & x>0\\0.01 & x<0\end{cases}", 1.0, (0.0,)),
        Activation("elu", "ELU", nn.ELU, r"\mathrm{ELU}(x)=\begin{cases}x & x>0\\e^{x}-1 & x\le 0\end{cases}",
                   r"\mathrm{ELU}'(x)=\begin{cases}1 & x>0\\e^{x} & x\le 0\end{cases}", 1.0),
        Activation("gelu", "GELU", nn.GELU,
                   r"\begin{gathered}\mathrm{GELU}(x)=x\,\Phi(x)\\"
                   r"\Phi(x)=\tfrac12\big[1+\operatorname{erf}(x/\sqrt2)\big]\end{gathered}",
                   r"\begin{gathered}\mathrm{GELU}'(x)=\Phi(x)+x\,\varphi(x)\\"
                   r"\varphi(x)=\tfrac{1}{\sqrt{2\pi}}\,e^{-x^2/2}\end{gathered}", 1.129),
        Activation("silu", "SiLU", nn.SiLU, r"\mathrm{SiLU}(x)=x\,\sigma(x)",
                   r"\mathrm{SiLU}'(x)=\sigma(x)(1+x-x\sigma(x))", 1.0998),
        Activation("softplus", "Softplus", nn.Softplus, r"\mathrm{softplus}(x)=\ln(1+e^{x})",
                   r"\mathrm{softplus}'(x)=\sigma(x)", 1.0),
    ]
}


def derivative(module: nn.Module, x: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """(f(x), f'(x)) elementwise, f' by autograd through the module itself, in x's dtype. x's own
    graph is left alone, so this works on any tensor (a plotting grid, a layer's pre-activations)."""
    leaf = x.detach().requires_grad_(True)
    with torch.enable_grad():
        y = module(leaf)
        (dy,) = torch.autograd.grad(y.sum(), leaf)
    return y.detach(), dy


def get_activation(name: str) -> Activation:
    try:
        return ACTIVATIONS[name]
    except KeyError:
        raise ValueError(f"Unknown activation '{name}'. Choose one of: {', '.join(ACTIVATIONS)}.") from None
