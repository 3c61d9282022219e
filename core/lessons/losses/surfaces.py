"""The flat cost: a two-input neuron on a logic gate's truth table, its mean squared error over a grid
of two weights (w1, w2) with the bias fixed, for a step (threshold) output and for a sigmoid output.

The step neuron's cost takes a handful of values and changes between almost no two neighbouring grid
points: gradient descent has nothing to follow. Autograd agrees, and `autograd_verdicts` shows it live:
`torch.heaviside` has no derivative at all, and `(z > 0).float()` leaves the graph.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from core.activations import Step
from core.data import logic_gate
from core.lessons.losses.config import GRID, SPAN, SurfaceConfig

NEURONS = ("Step", "Sigmoid")  # the two outputs compared (core.palette colours)
DRAWN = 81  # grid points per axis drawn in a chart (every 5th of 401: the drawn points are grid points)


def outputs(neuron: str, z: torch.Tensor) -> torch.Tensor:
    """The neuron's output for pre-activations z: the step (z > 0 -> 1, else 0) or the sigmoid."""
    return (z > 0).to(z.dtype) if neuron == "Step" else torch.sigmoid(z)


def grid_axis(points: int = GRID, span: float = SPAN) -> torch.Tensor:
    """The weights along one axis: `points` evenly spaced values in [-span, span], float64."""
    return torch.linspace(-span, span, points, dtype=torch.float64)


def cost_grid(config: SurfaceConfig, neuron: str, points: int = GRID) -> torch.Tensor:
    """MSE over the gate's four examples, C(w1, w2) = 1/4 Σ_x (a(w·x + b) − y)², on the points × points
    grid: shape (points, points), row i is w2 = axis[i], column j is w1 = axis[j]; float64."""
    data = logic_gate(config.gate)
    x, y = data.x_train.double(), data.y_train.double()[:, 0]
    axis = grid_axis(points)
    w2, w1 = torch.meshgrid(axis, axis, indexing="ij")
    z = w1[..., None] * x[:, 0] + w2[..., None] * x[:, 1] + config.bias  # (points, points, 4)
    return ((outputs(neuron, z) - y) ** 2).mean(-1)


def changed_share(cost: torch.Tensor) -> float:
    """Share of neighbouring grid steps (one step along w1 or along w2) across which the cost changes:
    2 · n · (n − 1) pairs on an n × n grid."""
    n = cost.shape[0]
    changed = (cost[:, 1:] != cost[:, :-1]).sum() + (cost[1:, :] != cost[:-1, :]).sum()
    return changed.item() / (2 * n * (n - 1))


@dataclass(frozen=True)
class SurfaceSummary:
    """What one cost grid looks like: its distinct values, how many neighbouring steps change it, its range."""

    neuron: str
    levels: tuple[float, ...]  # the distinct values (for the sigmoid: thousands)
    changed: float  # share of neighbouring grid steps across which the cost changes
    low: float
    high: float

    @property
    def n_levels(self) -> int:
        return len(self.levels)


def summarise(cost: torch.Tensor, neuron: str) -> SurfaceSummary:
    levels = torch.unique(cost)
    return SurfaceSummary(neuron, tuple(levels.tolist()), changed_share(cost), levels.min().item(),
                          levels.max().item())


def surface_frames(config: SurfaceConfig, points: int = GRID, drawn: int = DRAWN
                   ) -> tuple[pd.DataFrame, dict[str, SurfaceSummary]]:
    """Both neurons' cost grids: a long frame of the drawn points (neuron, w1, w2, cost; every
    (points − 1)/(drawn − 1)-th grid point, so `drawn` × `drawn` per neuron) and each grid's summary,
    measured on the full points × points grid."""
    if (points - 1) % (drawn - 1):
        raise ValueError(f"{drawn} drawn points per axis must be grid points of a {points}-point axis.")
    stride = (points - 1) // (drawn - 1)
    axis = grid_axis(points)[::stride].numpy()
    frames, summaries = [], {}
    for neuron in NEURONS:
        cost = cost_grid(config, neuron, points)
        summaries[neuron] = summarise(cost, neuron)
        shown = cost[::stride, ::stride].numpy()
        frames.append(pd.DataFrame({"neuron": neuron, "w1": np.tile(axis, len(axis)),
                                    "w2": np.repeat(axis, len(axis)), "cost": shown.ravel()}))
    return pd.concat(frames, ignore_index=True), summaries


def slice_frame(config: SurfaceConfig, points: int = GRID) -> pd.DataFrame:
    """Both costs along w1 (all grid points) with w2 fixed at config.w2: neuron, w1, cost."""
    data = logic_gate(config.gate)
    x, y = data.x_train.double(), data.y_train.double()[:, 0]
    w1 = grid_axis(points)
    z = w1[:, None] * x[:, 0] + config.w2 * x[:, 1] + config.bias
    return pd.concat([pd.DataFrame({"neuron": neuron, "w1": w1.numpy(),
                                    "cost": ((outputs(neuron, z) - y) ** 2).mean(-1).numpy()})
                      for neuron in NEURONS], ignore_index=True)


# ---------------------------------------------------------------- what autograd says

@dataclass(frozen=True)
class Verdict:
    """One way of writing the neuron's output, run through autograd at (w1, w2), in float32."""

    code: str  # how the output is written (exactly what ran)
    grad_fn: str  # the output's grad_fn as autograd recorded it ("None": it is not in the graph)
    cost: float  # the cost it computed
    gradient: tuple[float, float] | None  # ∂C/∂(w1, w2), or None where backward failed
    error: str | None  # the exception autograd raised, as "type: first line of the message"


def _verdict(code: str, output, config: SurfaceConfig) -> Verdict:
    data = logic_gate(config.gate)
    x, y = data.x_train, data.y_train[:, 0]
    w = torch.tensor([config.w1, config.w2], requires_grad=True)
    z = x @ w + config.bias
    a = output(z)
    grad_fn = type(a.grad_fn).__name__ if a.grad_fn is not None else "None"
    cost = ((a - y) ** 2).mean()
    try:
        (grad,) = torch.autograd.grad(cost, w)
    except RuntimeError as exc:
        return Verdict(code, grad_fn, cost.item(), None, f"{type(exc).__name__}: {str(exc).strip().splitlines()[0]}")
    return Verdict(code, grad_fn, cost.item(), (grad[0].item(), grad[1].item()), None)


def autograd_verdicts(config: SurfaceConfig) -> list[Verdict]:
    """The MSE at (w1, w2) and autograd's gradient of it for four ways of writing the output, computed
    now: torch.heaviside (its backward raises: the derivative is not implemented), (z > 0).float() (the
    result has no grad_fn, so there is nothing to differentiate), the app's Step module (the comparison
    plus 0·z: a gradient of exactly 0) and the sigmoid (a real slope)."""
    ways = [
        ("torch.heaviside(z, torch.tensor(0.))", lambda z: torch.heaviside(z, torch.tensor(0.))),
        ("(z > 0).float()", lambda z: (z > 0).float()),
        ("Step()(z)  # (z > 0) + 0·z, core.activations", Step()),
        ("torch.sigmoid(z)", torch.sigmoid),
    ]
    return [_verdict(code, fn, config) for code, fn in ways]


def sigmoid_gradient(config: SurfaceConfig) -> tuple[float, float]:
    """∂C/∂(w1, w2) of the sigmoid neuron's MSE at (w1, w2), in closed form: 1/4 Σ 2(a − y) a(1 − a) x."""
    data = logic_gate(config.gate)
    x, y = data.x_train.double().numpy(), data.y_train.double().numpy()[:, 0]
    a = 1 / (1 + np.exp(-(x @ np.array([config.w1, config.w2]) + config.bias)))
    g = (2 * (a - y) * a * (1 - a))[:, None] * x
    return float(g[:, 0].mean()), float(g[:, 1].mean())


def step_levels_possible(examples: int = 4) -> list[float]:
    """The values a 0/1 output's MSE on `examples` examples can take: k / examples, k = 0..examples."""
    return [k / examples for k in range(examples + 1)]


def is_flat(summary: SurfaceSummary) -> bool:
    """Flat almost everywhere: at most one neighbouring step in a hundred changes the cost."""
    return summary.changed <= 0.01 and math.isfinite(summary.changed)
