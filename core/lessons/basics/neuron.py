"""One neuron with two inputs: z = w₁x₁ + w₂x₂ + b, then an activation f, over the input plane.

Everything is computed by torch with the activation modules the networks train with
(core.activations), so the step here is the perceptron's step (1 for z > 0, else 0) and the sigmoid
is nn.Sigmoid.
"""
from __future__ import annotations

import pandas as pd
import torch

from core.activations import get_activation
from core.lessons.basics.config import POINT, WEIGHT, NeuronConfig

GRID = 51  # points per side of the plane (a cell every 0.08 over [-2, 2])
NUDGE = 0.1  # the small change of w₁ in "a small change of a weight"


def activate(name: str, z: torch.Tensor) -> torch.Tensor:
    """f(z) by the activation's own nn.Module (core.activations); raises ValueError for an unknown name."""
    with torch.no_grad():
        return get_activation(name).make()(z)


def weighted_sum(w1: float, w2: float, b: float, x1: torch.Tensor, x2: torch.Tensor) -> torch.Tensor:
    return w1 * x1 + w2 * x2 + b


def plane(config: NeuronConfig, n: int = GRID, box: tuple[float, float] = POINT) -> pd.DataFrame:
    """z and f(z) on an n × n grid over box²: columns x1, x2, z, output (float64)."""
    axis = torch.linspace(box[0], box[1], n, dtype=torch.float64)
    x1, x2 = torch.meshgrid(axis, axis, indexing="xy")
    z = weighted_sum(config.w1, config.w2, config.bias, x1, x2)
    out = activate(config.activation, z)
    return pd.DataFrame({"x1": x1.flatten().numpy(), "x2": x2.flatten().numpy(), "z": z.flatten().numpy(),
                         "output": out.flatten().numpy()})


def segment(w1: float, w2: float, b: float, box: tuple[float, float] = POINT
            ) -> tuple[tuple[float, float], tuple[float, float]] | None:
    """The two ends of the line w₁x₁ + w₂x₂ + b = 0 inside the square box², or None when w₁ = w₂ = 0
    (z = b everywhere: no line) or when the line misses the box."""
    lo, hi = box
    ends: list[tuple[float, float]] = []
    if w2 != 0:  # crossings of the left and right edges
        ends += [(x, -(w1 * x + b) / w2) for x in (lo, hi)]
    if w1 != 0:  # crossings of the bottom and top edges
        ends += [(-(w2 * y + b) / w1, y) for y in (lo, hi)]
    eps = 1e-9 * (hi - lo)
    inside = sorted({(round(x, 12), round(y, 12)) for x, y in ends
                     if lo - eps <= x <= hi + eps and lo - eps <= y <= hi + eps})
    return (inside[0], inside[-1]) if len(inside) >= 2 else None  # a corner may appear twice


def decision_line(w1: float, w2: float, b: float, box: tuple[float, float] = POINT) -> pd.DataFrame:
    """`segment` as a frame: columns x1, x2, one row per end (empty when there is no line in the box)."""
    ends = segment(w1, w2, b, box)
    if ends is None:
        return pd.DataFrame(columns=["x1", "x2"])
    return pd.DataFrame({"x1": [ends[0][0], ends[1][0]], "x2": [ends[0][1], ends[1][1]]})


def activation_curve(name: str, z_range: tuple[float, float], n: int = 241) -> pd.DataFrame:
    """f(z) over z_range: columns z, output."""
    z = torch.linspace(z_range[0], z_range[1], n, dtype=torch.float64)
    return pd.DataFrame({"z": z.numpy(), "output": activate(name, z).numpy()})


def z_range(config: NeuronConfig, grid: pd.DataFrame) -> tuple[float, float]:
    """The z axis of the activation chart: symmetric, covering every z on the plane (at least ±1)."""
    top = max(1.0, float(grid["z"].abs().max()))
    return -top, top


def worked(config: NeuronConfig) -> dict[str, float]:
    """The picked point worked through: z and f(z) (float64)."""
    z = weighted_sum(config.w1, config.w2, config.bias, torch.tensor(config.x1, dtype=torch.float64),
                     torch.tensor(config.x2, dtype=torch.float64))
    return {"z": float(z), "output": float(activate(config.activation, z))}


def weight_sweep(config: NeuronConfig, n: int = 401) -> pd.DataFrame:
    """The output at the picked point as w₁ sweeps its slider's range (w₂, b fixed), for the step and the
    sigmoid: columns w1, activation ('Step' | 'Sigmoid'), output."""
    w1 = torch.linspace(WEIGHT[0], WEIGHT[1], n, dtype=torch.float64)
    z = weighted_sum(w1, config.w2, config.bias, torch.tensor(config.x1, dtype=torch.float64),
                     torch.tensor(config.x2, dtype=torch.float64))
    return pd.concat([pd.DataFrame({"w1": w1.numpy(), "activation": get_activation(name).label,
                                    "output": activate(name, z).numpy()}) for name in ("step", "sigmoid")],
                     ignore_index=True)


def nudge(config: NeuronConfig, delta: float = NUDGE) -> pd.DataFrame:
    """What changing w₁ by `delta` does to the output at the picked point, per activation: columns
    activation, before, after, change (float64)."""
    rows = []
    x1, x2 = (torch.tensor(v, dtype=torch.float64) for v in (config.x1, config.x2))
    for name in ("step", "sigmoid", "tanh", "relu"):
        before = float(activate(name, weighted_sum(config.w1, config.w2, config.bias, x1, x2)))
        after = float(activate(name, weighted_sum(config.w1 + delta, config.w2, config.bias, x1, x2)))
        rows.append({"activation": get_activation(name).label, "before": before, "after": after,
                     "change": after - before})
    return pd.DataFrame(rows)
