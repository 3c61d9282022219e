"""Lesson: activation functions, their derivatives, and what they do to learning.

- `ActivationsConfig`: the page's whole state; its ranges (`LIMITS`) are the widgets' ranges too.
- `curves`: f(x) and f'(x) from torch.autograd on the very modules the MLPs use, plus the notes
  each function's panel needs (`panel_notes`).
- `train_compare`: the same MLP trained once per activation: same seed, batches, initial weights.
  Through depth: see `depth`; charts: see `charts`.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import torch

from core.activations import ACTIVATIONS, derivative, get_activation
from core.config import Config, check_range
from core.data import Dataset
from core.initializers import INIT_SCHEMES
from core.compare import CompareResult
from core.models import MLP, validate_sizes
from core.seeding import seeded
from core.training import TRAIN_LIMITS, Progress, TrainSettings, train

SATURATION = 0.05  # |f'(x)| below this counts as saturated

# (low, high) of every numeric setting: the config checks them and the page's widgets use them,
# so a value the config accepts (from a URL, say) can never be outside a widget's range.
LIMITS: dict[str, tuple[float, float]] = {"x": (-20.0, 20.0), "depth": (1, 30), **TRAIN_LIMITS}


@dataclass(frozen=True)
class ActivationsConfig(Config):
    functions: tuple[str, ...] = ("sigmoid", "tanh", "relu")
    x_min: float = -6.0
    x_max: float = 6.0
    depth: int = 10
    depth_init: str = "default"
    hidden: tuple[int, ...] = (50, 50)
    lr: float = 0.01
    momentum: float = 0.9
    epochs: int = 5
    batch_size: int = 64

    def validate(self) -> None:
        if not self.functions:
            raise ValueError("Choose at least one activation function.")
        for name in self.functions:
            get_activation(name)
        if len(set(self.functions)) != len(self.functions):
            raise ValueError("Each activation function can be chosen once.")
        check_range("x from", self.x_min, *LIMITS["x"])
        check_range("x to", self.x_max, *LIMITS["x"])
        if self.x_max - self.x_min < 0.5:
            raise ValueError("The x-range must span at least 0.5.")
        check_range("Depth", self.depth, *LIMITS["depth"])
        if self.depth_init not in INIT_SCHEMES:
            raise ValueError(f"Unknown initialization '{self.depth_init}'.")
        if not self.hidden:
            raise ValueError("Give at least one hidden layer size, e.g. 50, 50.")
        validate_sizes([784, *self.hidden, 10])
        check_range("Learning rate", self.lr, *LIMITS["lr"])
        check_range("Momentum", self.momentum, *LIMITS["momentum"])
        check_range("Epochs", self.epochs, *LIMITS["epochs"])
        check_range("Batch size", self.batch_size, *LIMITS["batch_size"])
        self.train_settings()

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                             momentum=self.momentum, log_every=25)

    @property
    def labels(self) -> list[str]:
        return [ACTIVATIONS[f].label for f in self.functions]


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


def panel_notes(df: pd.DataFrame, name: str) -> list[str]:
    """What a function's panel needs explaining, read from its plotted curve."""
    one = df[df["function"] == name]
    x_lo, x_hi = one["x"].iloc[0], one["x"].iloc[-1]
    notes = ["Φ and φ are the standard normal distribution's CDF and density."] if name == "gelu" else []
    for band in saturated_bands(one):
        interior = band["x"].iloc[0] > x_lo and band["x"].iloc[-1] < x_hi
        if interior and (band["dy"].min() < 0 < band["dy"].max()):
            zero = float(band["x"].iloc[int(band["dy"].abs().to_numpy().argmin())])
            notes.append(f"The narrow grey band near x ≈ {zero:.2f} is where f' crosses zero (the minimum "
                         "of f): counted as saturated, though f' is not small on either side of it.")
    negative = one[one["saturated"] & (one["x"] < 0)]
    if name == "leaky_relu" and len(negative):
        slope = float(negative["dy"].abs().min())
        notes.append(f"The negative side (slope {slope:g}) counts as saturated by the |f'| < {SATURATION} "
                     "rule, yet its gradient is never exactly zero: those neurons still learn, slowly.")
    return notes


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


def step_training_note(result: ActivationsResult) -> str | None:
    """Why a step network's accuracy is not the step 'training': computed from what moved in the run."""
    if "Step" not in result.runs or result.moved.empty:
        return None
    run, moved = result.runs["Step"], result.moved.query("activation == 'Step'").sort_values("layer")
    hidden, output = moved.iloc[:-1], moved.iloc[-1]
    if not len(run.epochs):
        return None
    hidden_moved = ("did not move at all (weight change exactly 0)" if (hidden["change"] == 0).all()
                    else f"barely moved (weight change at most {hidden['change'].max():.1e})")
    return (f"The step network still reached {run.final_val_acc:.1%} validation accuracy, but its hidden "
            f"layers {hidden_moved} while its output layer's weights changed by {output['change']:.2g}: "
            "only the last Linear layer learned, a linear classifier on fixed random 0/1 features. "
            "No gradient passed through a step.")
