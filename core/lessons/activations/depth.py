"""Activations lesson, through depth: how much gradient reaches each hidden layer of a real network.

Back-propagation gives dℒ/ds_l = diag(f'(s_l)) W_{l+1}^T dℒ/ds_{l+1}. The activation derivatives
alone contribute at most (max |f'|)^(L-l) (`factor`); the weights multiply in their own factor,
which can raise or lower the total, so `factor` bounds the measurement only when every weight
matrix has spectral norm <= 1. The chart is `charts.depth_chart`, the sentences are in `story`.
"""
from __future__ import annotations

import pandas as pd

from core.activations import get_activation
from core.data import Dataset
from core.gradients import layer_gradients
from core.models import MLP, hidden_layers
from core.seeding import seeded

DEPTH_WIDTH = 64
DEPTH_BATCH = 256


def depth_model(name: str, depth: int, seed: int, width: int = DEPTH_WIDTH, init: str = "default") -> MLP:
    return seeded(seed, lambda: MLP([784] + [width] * depth + [10], name, init=init))


def depth_gradients(functions: tuple[str, ...], depth: int, data: Dataset, seed: int,
                    width: int = DEPTH_WIDTH, batch: int = DEPTH_BATCH, init: str = "default") -> pd.DataFrame:
    """Per hidden layer l = 1..L of a freshly initialised depth-L MLP: measured ||dℒ/ds_l||, its ratio
    to the top hidden layer's (`relative`), the activation-only factor (max f')^(L-l), the share of
    units with f'(s_l) exactly 0 (`zero_share`) and the smallest |s_l| (`min_abs_s`). The norms come
    from the engine's gradient probe, summed in float64, so a tiny gradient is not rounded to 0."""
    x, y = data.x_train[:batch], data.y_train[:batch]
    frames = []
    for name in functions:
        act = get_activation(name)
        model = depth_model(name, depth, seed, width, init).to(data.device)
        grads = layer_gradients(model, x, y).query("kind == 'backprop' and layer <= @depth")
        norms = grads.sort_values("layer")["grad_norm"].to_numpy()
        layers_seen = hidden_layers(model, x)
        top = norms[-1]
        layers = range(1, depth + 1)
        frames.append(pd.DataFrame({
            "function": name, "label": act.label, "layer": list(layers), "grad_norm": norms,
            "relative": norms / top if top > 0 else norms * 0.0,
            "factor": [act.max_slope ** (depth - l) for l in layers],
            "zero_share": [float((slope == 0).double().mean()) for _, _, slope in layers_seen],
            "min_abs_s": [float(s.abs().min()) for s, _, _ in layers_seen]}))
    df = pd.concat(frames, ignore_index=True)
    df["weights_factor"] = df["relative"] / df["factor"].where(df["factor"] > 0)
    return df


def overflow_labels(df: pd.DataFrame) -> list[str]:
    """Functions whose measured gradient is not a finite number (the signal overflowed float32)."""
    bad = df[~df["grad_norm"].map(lambda v: pd.notna(v) and abs(v) != float("inf"))]
    return list(dict.fromkeys(bad["label"]))


