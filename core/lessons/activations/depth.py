"""Activations lesson, through depth: how much gradient reaches each hidden layer of a real network.

Back-propagation gives dℒ/ds_l = diag(f'(s_l)) W_{l+1}^T dℒ/ds_{l+1}. The activation derivatives
alone contribute at most (max |f'|)^(L-l) (`factor`); the weights multiply in their own factor,
which can raise or lower the total, so `factor` bounds the measurement only when every weight
matrix has spectral norm <= 1.

Per layer step, the mean-field estimate (He et al. 2015, §2.2, for ReLU; Glorot & Bengio 2010 for
tanh) predicts the ratio ||dℒ/ds_l|| / ||dℒ/ds_{l+1}|| as sqrt(n_{l+1} · Var(W_{l+1}) · E[f'(s_l)²]),
from the weights and slopes actually in the network (`predicted_step`). Under PyTorch's default
initialization Var(W) = 1/(3 n_in), so the step is about sqrt(E[f'²] / 3): about 0.58 for tanh near
0 (f' ≈ 1) and sqrt(1/6) ≈ 0.41 for ReLU (f' = 0 on half the units); He's Var(W) = 2 / n_in makes
ReLU's sqrt(2 · 1/2) = 1. `relu_spread` measures the same shrinking in the forward pass, as fastai's
"why sqrt(5)" notebook did. The chart is `charts.depth_chart`, the sentences are in `story`.
"""
from __future__ import annotations

import math

import numpy as np
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
    units with f'(s_l) exactly 0 (`zero_share`) and the smallest |s_l| (`min_abs_s`); per layer step,
    the measured ratio ||dℒ/ds_l|| / ||dℒ/ds_{l+1}|| (`step`) and the mean-field prediction
    sqrt(n_{l+1} · Var(W_{l+1}) · mean f'(s_l)²) (`predicted_step`), NaN for the top layer L. The norms
    come from the engine's gradient probe, summed in float64, so a tiny gradient is not rounded to 0."""
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
        with np.errstate(divide="ignore", invalid="ignore"):
            step = np.append(norms[:-1] / norms[1:], np.nan)
        predicted = [math.sqrt(w.shape[0] * w.double().var().item() * (slope.double() ** 2).mean().item())
                     for w, (_, _, slope) in zip([lin.weight.detach() for lin in model.linears[1:depth]], layers_seen)]
        frames.append(pd.DataFrame({
            "function": name, "label": act.label, "layer": list(layers), "grad_norm": norms,
            "relative": norms / top if top > 0 else norms * 0.0,
            "factor": [act.max_slope ** (depth - l) for l in layers],
            "zero_share": [float((slope == 0).double().mean()) for _, _, slope in layers_seen],
            "min_abs_s": [float(s.abs().min()) for s, _, _ in layers_seen],
            "step": step, "predicted_step": predicted + [np.nan]}))
    df = pd.concat(frames, ignore_index=True)
    df["weights_factor"] = df["relative"] / df["factor"].where(df["factor"] > 0)
    return df


def overflow_labels(df: pd.DataFrame) -> list[str]:
    """Functions whose measured gradient is not a finite number (the signal overflowed float32)."""
    bad = df[~df["grad_norm"].map(lambda v: pd.notna(v) and abs(v) != float("inf"))]
    return list(dict.fromkeys(bad["label"]))




def per_layer(df: pd.DataFrame, label: str, column: str = "step") -> float:
    """The geometric mean over layer steps 1..L-1 of `column` ('step': measured, 'predicted_step'): how
    much of the gradient one layer passes on to the layer below, on average. NaN with one hidden layer,
    0 when some step passed nothing, NaN when a step is not finite."""
    values = df[(df["label"] == label)].sort_values("layer")[column].to_numpy()[:-1]
    if not len(values) or not np.isfinite(values).all():
        return math.nan
    if (values <= 0).any():
        return 0.0
    return float(np.exp(np.log(values).mean()))


SPREAD_DEPTH = 10  # layers of the ReLU network `relu_spread` measures (the depth chart's default)


def relu_spread(data: Dataset, seed: int, depth: int = SPREAD_DEPTH, width: int = DEPTH_WIDTH,
                batch: int = DEPTH_BATCH) -> pd.DataFrame:
    """A freshly initialised ReLU MLP (784 -> width x depth -> 10) under PyTorch's default and He
    uniform (Kaiming) initialization, on `batch` MNIST images: per hidden layer, the standard deviation
    of its ReLU activations (`std`), its ratio to the layer below (`ratio`, NaN for layer 1), and the
    back-propagated gradient's per-layer ratio (`step`, see depth_gradients). Long: init, layer, std,
    ratio, step. The forward ratio stops falling after a few layers under the default, where the signal
    meets the floor of PyTorch's random biases (standard deviation 1/sqrt(3 n_in)); the gradient, which
    the biases do not feed, keeps shrinking."""
    x = data.x_train[:batch]
    frames = []
    for init in ("default", "he_uniform"):
        model = depth_model("relu", depth, seed, width, init).to(data.device)
        stds = np.array([h.double().std().item() for _, h, _ in hidden_layers(model, x)])
        grads = depth_gradients(("relu",), depth, data, seed, width, batch, init).sort_values("layer")
        frames.append(pd.DataFrame({"init": init, "layer": np.arange(1, depth + 1), "std": stds,
                                    "ratio": np.append(np.nan, stds[1:] / stds[:-1]),
                                    "step": grads["step"].to_numpy()}))
    return pd.concat(frames, ignore_index=True)
