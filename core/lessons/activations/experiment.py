"""The activations lesson's experiments: the curves, and the same MLP trained once per activation.

- `curves`: f(x) and f'(x) from torch.autograd on the very modules the MLPs use, and where each
  function is saturated (|f'| < SATURATION).
- `train_compare`: the same MLP trained once per activation: same seed, batches, initial weights.

The config is in `config`, the gradient through depth in `depth`, the sentences in `story`, the
charts in `charts`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import torch

from core.activations import ACTIVATIONS, derivative, get_activation
from core.compare import CompareResult
from core.data import Dataset
from core.lessons.activations.config import ActivationsConfig
from core.models import MLP
from core.seeding import seeded
from core.training import Progress, train

SATURATION = 0.05  # |f'(x)| below this counts as saturated


# ---------------------------------------------------------------- curves

def curves(functions: tuple[str, ...], x_min: float, x_max: float, n: int = 601) -> pd.DataFrame:
    """Long frame: function, label, x, y = f(x), dy = f'(x) by autograd, saturated = |f'| < 0.05."""
    frames = []
    for name in functions:
        act = get_activation(name)
        x = torch.linspace(x_min, x_max, n, dtype=torch.float64)
        y, dy = derivative(act.make(), x)
        frames.append(pd.DataFrame({
            "function": name, "label": act.label, "x": x.numpy(), "y": y.numpy(),
            "dy": dy.numpy(), "saturated": dy.abs().numpy() < SATURATION}))
    return pd.concat(frames, ignore_index=True)


def saturated_share(df: pd.DataFrame) -> pd.Series:
    """Fraction of the plotted x-range where each function is saturated, by label."""
    return df.groupby("label", sort=False)["saturated"].mean()


def saturated_bands(one: pd.DataFrame) -> list[pd.DataFrame]:
    """One function's saturated stretches of x, each as its rows of the curves frame."""
    sat = one["saturated"].to_numpy()
    run_id = np.cumsum(np.r_[True, sat[1:] != sat[:-1]])
    return [rows for _, rows in one.groupby(run_id) if rows["saturated"].iloc[0]]


def saturation_edge(name: str, limit: float = 20.0) -> float:
    """Smallest x >= 0 where f is saturated (|f'| < 0.05), on a 0.01 grid; inf if none up to `limit`."""
    one = curves((name,), 0.0, limit, n=int(limit * 100) + 1)
    hits = one.loc[one["saturated"], "x"]
    return float(hits.iloc[0]) if len(hits) else float("inf")


# ---------------------------------------------------------------- training

@dataclass
class ActivationsResult(CompareResult):
    """The comparison's runs, plus how far each run's Linear layers moved from their initial weights."""

    moved: pd.DataFrame = field(default_factory=pd.DataFrame)  # activation, layer (1-based), change


def weight_change(initial: dict[str, torch.Tensor], final: dict[str, torch.Tensor]) -> list[float]:
    """Per Linear layer: ||W_final - W_initial|| (weights and bias together)."""
    layers = sorted({int(k.split(".")[1]) for k in initial if k.startswith("linears.")})
    out = []
    for i in layers:
        keys = [k for k in initial if k.startswith(f"linears.{i}.")]
        out.append(float(sum(((final[k] - initial[k]) ** 2).sum() for k in keys) ** 0.5))
    return out


def train_compare(config: ActivationsConfig, data: Dataset, seed: int,
                  on_progress: Callable[[Progress], None] | None = None) -> ActivationsResult:
    """Train 784 -> hidden -> 10 once per selected activation, same seed, batches and initial weights."""
    sizes = [784, *config.hidden, 10]
    settings = config.train_settings()
    runs, moved = {}, []
    for i, name in enumerate(config.functions):
        label = ACTIVATIONS[name].label
        model = seeded(seed, lambda: MLP(sizes, name))
        initial = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        run = train(model, data, settings, seed=seed, label=label, on_progress=on_progress,
                    run_index=i, n_runs=len(config.functions), keep_weights=True)
        change = weight_change(initial, run.state_dict)
        moved.append(pd.DataFrame({"activation": label, "layer": range(1, len(change) + 1), "change": change}))
        run.state_dict = None  # the cached result keeps only what the page shows
        runs[label] = run
    return ActivationsResult(runs, pd.concat(moved, ignore_index=True))




def run_all(config: ActivationsConfig, data: Dataset, seed: int) -> None:
    """Everything the page computes for `config`, for the app-wide property tests: the curves and their
    panels, the gradient through depth, the trained comparison, the "why sqrt(5)" spread, every chart and
    every sentence. Raises whatever any of them raises."""
    from core.lessons.activations import charts, depth, story  # they import this module
    from core.initializers import INIT_SCHEMES

    order = config.labels
    df = curves(config.functions, config.x_min, config.x_max)
    saturated_share(df)
    for name in config.functions:
        story.panel_notes(df, name)
        charts.function_panel(df, ACTIVATIONS[name].label).to_dict()
    for field_ in ("y", "dy"):
        charts.curves_chart(df, field_, field_, order).to_dict()
    grads = depth.depth_gradients(config.functions, config.depth, data, seed, init=config.depth_init)
    charts.depth_chart(grads, order).to_dict()
    init_label = INIT_SCHEMES[config.depth_init].label
    story.depth_caption(grads, order, config.depth)
    story.overlap_note(grads, order)
    story.zero_gradient_notes(grads, order)
    depth.overflow_labels(grads)
    story.relu_tanh_line(grads, order, config.depth_init, init_label)
    story.prediction_table(grads, order)
    result = train_compare(config, data, seed)
    story.step_training_note(result)
    story.takeaways(grads, config.depth, config.depth_init, init_label, config.functions, result)
    story.sqrt5_reproduction(depth.relu_spread(data, seed))
