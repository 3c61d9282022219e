"""The initialization lesson's experiments: gradients and activations at initialization, and training.

- `at_init`: on one MNIST batch, per layer and scheme, the back-propagated ||dL/ds_l||, the weight
  gradient ||dL/dW_l|| and the distribution of each hidden layer's activations.
- `train_schemes`: the same architecture trained once per scheme (same seed and batches), with the
  per-layer back-propagated gradient norm recorded every few steps.
- The config and presets are in `config`, symmetry (all-equal weights) in `symmetry`, the verdicts in
  `health`, the sentences in `story`, the charts in `charts`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import torch

from core.compare import CompareResult
from core.data import Dataset
from core.gradients import layer_gradients
from core.initializers import INIT_SCHEMES, scheme_bound
from core.lessons.initialization.config import InitConfig
from core.models import MLP, hidden_layers
from core.probes import GradNormProbe
from core.seeding import seeded
from core.training import Progress, train

PROBE_BATCH = 256  # the MNIST batch every "at initialization" number is measured on
HEAT_COLUMNS = 60  # about this many probed steps per run in the layer x step heatmap


def build(config: InitConfig, scheme: str, seed: int) -> MLP:
    return seeded(seed, lambda: MLP(config.sizes, config.activation, init=scheme))


# ---------------------------------------------------------------- at initialization

@dataclass
class InitSnapshot:
    gradients: pd.DataFrame  # scheme, label, layer, kind ('backprop' | 'weight'), grad_norm
    activations: pd.DataFrame  # scheme, label, layer, p5 ... p95, std, saturated, median |s|, zero slope


def hidden_activations(model: MLP, x: torch.Tensor) -> list[torch.Tensor]:
    """Each hidden layer's output f(s_l) on x, in eval mode (nothing in the model changes)."""
    return [h for _, h, _ in hidden_layers(model, x)]


def saturation_mask(activation: str, h: torch.Tensor) -> torch.Tensor:
    """Units in a flat part of their activation: sigmoid < 0.02 or > 0.98, tanh |h| > 0.98; ReLU at 0."""
    if activation == "sigmoid":
        return (h < 0.02) | (h > 0.98)
    if activation == "tanh":
        return h.abs() > 0.98
    return h <= 0


def activation_stats(activation: str, hidden: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]) -> pd.DataFrame:
    """Per hidden layer: percentiles and std of f(s_l), the share of saturated units (see
    `saturation_mask`), the median |s_l| and the share of units whose slope f'(s_l) is exactly 0."""
    rows = []
    qs = torch.tensor([0.05, 0.25, 0.5, 0.75, 0.95], dtype=torch.float64)
    for l, (s, h, slope) in enumerate(hidden, start=1):
        v = h.detach().flatten().double().cpu()
        p5, p25, p50, p75, p95 = torch.quantile(v, qs).tolist()
        rows.append({"layer": l, "p5": p5, "p25": p25, "p50": p50, "p75": p75, "p95": p95,
                     "std": v.std().item(), "saturated": saturation_mask(activation, v).double().mean().item(),
                     "median |s|": s.abs().median().item(), "zero slope": (slope == 0).double().mean().item()})
    return pd.DataFrame(rows)


def at_init(config: InitConfig, data: Dataset, seed: int) -> InitSnapshot:
    """Per scheme, a freshly initialised network on the same batch of PROBE_BATCH MNIST images."""
    x, y = data.x_train[:PROBE_BATCH], data.y_train[:PROBE_BATCH]
    grads, acts = [], []
    for scheme in config.schemes:
        label = INIT_SCHEMES[scheme].label
        model = build(config, scheme, seed).to(data.device)
        grads.append(layer_gradients(model, x, y).assign(scheme=scheme, label=label))
        acts.append(activation_stats(config.activation, hidden_layers(model, x)).assign(scheme=scheme, label=label))
    return InitSnapshot(pd.concat(grads, ignore_index=True), pd.concat(acts, ignore_index=True))


def gradient_ratio(gradients: pd.DataFrame, depth: int, kind: str = "backprop") -> pd.Series:
    """Per scheme label: ||first hidden layer's gradient|| / ||last hidden layer's|| (1 = no shrinking)."""
    g = gradients[gradients["kind"] == kind].pivot_table(index="label", columns="layer", values="grad_norm",
                                                         sort=False)
    with np.errstate(divide="ignore", invalid="ignore"):
        return g[1] / g[depth]


def per_layer(gradients: pd.DataFrame, label: str, depth: int, total: bool = False) -> float:
    """How much of the back-propagated gradient one layer passes on to the layer below, on average: the
    geometric mean (||dL/ds_1|| / ||dL/ds_L||)^(1/(L-1)) over the L-1 layer steps; with `total`, the
    ratio itself. NaN without a finite, positive gradient in both layers."""
    ratio = float(gradient_ratio(gradients, depth).get(label, math.nan))
    if total:
        return ratio
    return ratio ** (1 / (depth - 1)) if math.isfinite(ratio) and ratio > 0 and depth > 1 else math.nan


def heat_gaps(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Per run: how many (step, layer) cells of the heatmap are blank because exactly zero gradient
    reached the layer, and how many because the gradient was not finite, out of all recorded cells."""
    rows = []
    for label, f in frames.items():
        if f is None or not len(f):
            continue
        g = f[f["kind"] == "backprop"]["grad_norm"]
        finite = np.isfinite(g)
        rows.append({"run": label, "zero": int((finite & (g == 0)).sum()), "nonfinite": int((~finite).sum()),
                     "cells": int(len(g))})
    return pd.DataFrame(rows, columns=["run", "zero", "nonfinite", "cells"])


def scheme_numbers(config: InitConfig) -> pd.DataFrame:
    """Each scheme's bound or standard deviation for the first layer (784 in) and a hidden layer."""
    rows = []
    for scheme in config.schemes:
        kind, first = scheme_bound(scheme, 784, config.width)
        _, hidden = scheme_bound(scheme, config.width, config.width)
        rows.append({"scheme": scheme, "label": INIT_SCHEMES[scheme].label, "kind": kind,
                     "first layer": first, "hidden layers": hidden,
                     "std (hidden)": std_of(kind, hidden)})
    return pd.DataFrame(rows)


def std_of(kind: str, number: float) -> float:
    """Standard deviation of the weights: a/sqrt(3) for U[-a, a], s for N(0, s^2), 0 for a constant."""
    return {"bound": number / math.sqrt(3), "std": number, "value": 0.0}[kind]


# ---------------------------------------------------------------- training

def probe_every(config: InitConfig, n_train: int) -> int:
    steps = math.ceil(n_train / min(config.batch_size, n_train)) * config.epochs
    return max(1, steps // HEAT_COLUMNS)


def train_schemes(config: InitConfig, data: Dataset, seed: int,
                  on_progress: Callable[[Progress], None] | None = None) -> CompareResult:
    """The same network trained once per scheme: same seed, same batches; weights kept for `symmetry`."""
    every = probe_every(config, len(data.y_train))
    runs = {}
    for i, scheme in enumerate(config.schemes):
        label = INIT_SCHEMES[scheme].label
        runs[label] = train(build(config, scheme, seed), data, config.train_settings(), seed=seed, label=label,
                            probes=[GradNormProbe(every=every, backprop=True)], on_progress=on_progress,
                            keep_weights=True, run_index=i, n_runs=len(config.schemes))
    return CompareResult(runs)


def heat_layers(frames: dict[str, pd.DataFrame]) -> tuple[int, ...]:
    """Every layer whose back-propagated norm was recorded, in any run: the heatmap's rows."""
    return tuple(sorted({int(layer) for f in frames.values() if f is not None and len(f)
                         for layer in f.loc[f["kind"] == "backprop", "layer"]}))


def gradient_heat(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Long frame run, step, layer, grad_norm of the back-propagated norms, finite and positive only."""
    parts = [f[f["kind"] == "backprop"].assign(run=label) for label, f in frames.items() if f is not None and len(f)]
    if not parts:
        return pd.DataFrame(columns=["run", "step", "layer", "grad_norm"])
    heat = pd.concat(parts, ignore_index=True)[["run", "step", "layer", "grad_norm"]]
    return heat[np.isfinite(heat["grad_norm"]) & (heat["grad_norm"] > 0)]


def run_all(config: InitConfig, data: Dataset, seed: int) -> None:
    """Everything the page computes for `config`, for the app-wide property tests: the measurements at
    initialization and their verdicts, the trained comparison and its heatmap, the symmetry experiment,
    the two "reproduced here" measurements (the presets at initialization), every chart and every
    sentence. Raises whatever any of them raises."""
    from core.lessons.initialization import charts, health, story, symmetry  # they import this module
    from core.lessons.initialization.config import PRESETS

    order = config.labels
    snap = at_init(config, data, seed)
    verdicts = health.diagnose(snap.gradients, snap.activations, config.activation, config.depth, order)
    for kind in ("backprop", "weight"):
        charts.gradient_chart(snap.gradients, kind, config.depth, order).to_dict()
        story.overlap_note(snap.gradients[snap.gradients["kind"] == kind], "grad_norm", kind, log=True)
    for label in order:
        charts.activation_box(snap.activations, config.activation, label).to_dict()
    charts.spread_chart(snap.activations, order).to_dict()
    charts.saturation_chart(snap.activations, config.activation, order).to_dict()
    story.problem_notes(verdicts, config.activation, config.depth)
    story.look_sentence(snap.activations, config.activation)
    scheme_numbers(config)
    result = train_schemes(config, data, seed)
    frames = {label: r.probes.get("GradNormProbe") for label, r in result.runs.items()}
    heat = gradient_heat(frames)
    for label in result.runs:
        charts.heat_chart(heat, label, charts.heat_domain(heat), heat_layers(frames)).to_dict()
    story.heat_caption(heat_gaps(frames), result)
    story.exploded_at_init(result, verdicts)
    equal = INIT_SCHEMES["equal"].label
    if equal in result.runs:
        run = result.runs[equal]
        story.equal_run_sentence(run.state_dict, run.diverged_at, equal)
    sym = symmetry.experiment(config.activation, config.depth, config.width, data, seed)
    story.experiment_sentence(sym)
    story.takeaways(verdicts, config.activation, order, sym, result)
    glorot, he = PRESETS["glorot"].config, PRESETS["he"].config
    story.glorot_reproduction(at_init(glorot, data, seed).gradients, glorot.depth, glorot.width)
    story.he_reproduction(at_init(he, data, seed).gradients, he.depth, None, PRESETS["he"].label)
