"""The residual lesson's experiment: a plain MLP and the same MLP with identity skips, built from the
same seed (so with the same initial weights, `core.models.ResidualMLP`) and trained on the same
batches, `config.seeds` times.

For the first seed (the run on screen) it records every layer's ‖∂L/∂W_l‖ and back-propagated
‖∂L/∂s_l‖ during training (`core.probes.GradNormProbe`; step 1 is the network at initialization),
splits the gradient reaching each hidden layer into what came through the skip and through the branch,
at initialization and after training (`paths`), and slices the loss around the trained weights along a
filter-normalised random direction (`landscape`). Every seed adds a row per network to `seeds`: its
final accuracy and outcome, its first-layer gradient at step 1 and its largest gradient norm.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd
import torch

from core.compare import CompareResult
from core.data import Dataset
from core.lessons.residual import landscape, paths
from core.lessons.residual.config import ResidualConfig, shrink
from core.models import MLP, ResidualMLP
from core.outcome import classify
from core.probes import GradNormProbe
from core.seeding import seeded
from core.training import Progress, TrainResult, train

LABELS = {False: "Plain", True: "Residual"}
ORDER = [LABELS[False], LABELS[True]]
PROBE_BATCH = 256  # training images the identity/branch split is measured on
SLICE_IMAGES = 1000  # training images the loss slice is measured on
PROBED_STEPS = 120  # about this many probed steps per run
SEED_COLUMNS = ["network", "seed", "val_acc", "outcome", "headline", "first_weight", "first_backprop",
                "last_weight", "max_weight", "max_backprop", "diverged_at"]


def build(config: ResidualConfig, residual: bool, seed: int) -> MLP:
    """The plain MLP or the ResidualMLP (branch scale config.alpha) of config.sizes; the same seed
    gives both the same initial weights."""
    if residual:
        return seeded(seed, lambda: ResidualMLP(config.sizes, config.activation, config.batch_norm,
                                                branch_scale=config.alpha))
    return seeded(seed, lambda: MLP(config.sizes, config.activation, config.batch_norm))


def probe_every(config: ResidualConfig, n_train: int) -> int:
    """Steps between gradient recordings: about PROBED_STEPS recordings per run (step 1 always)."""
    steps = math.ceil(n_train / min(config.batch_size, n_train)) * config.epochs
    return max(1, steps // PROBED_STEPS)


@dataclass
class ResidualResult(CompareResult):
    """`runs`: the first seed's pair {"Plain": …, "Residual": …} (the run on screen, with final weights)."""

    config: ResidualConfig | None = None
    seed: int = 0
    grads: pd.DataFrame = field(default_factory=pd.DataFrame)  # network, step, layer, name, kind, grad_norm
    seeds: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=SEED_COLUMNS))
    paths: pd.DataFrame = field(default_factory=pd.DataFrame)  # network, when, and paths.COLUMNS
    slice: pd.DataFrame = field(default_factory=pd.DataFrame)  # network, t, loss, accuracy

    @property
    def depth(self) -> int:
        return self.config.depth


def seed_row(label: str, seed: int, run: TrainResult, grads: pd.DataFrame) -> dict:
    """A run's line in the seeds table. first_*: layer 1's ‖∂L/∂W_1‖ and ‖∂L/∂s_1‖ at step 1 (the network
    at initialization); last_weight: the output layer's ‖∂L/∂W‖ at step 1; max_*: the largest over all
    layers and recorded steps (NaN where nothing finite was recorded)."""
    verdict = classify(run)
    finite = grads[grads["grad_norm"].map(math.isfinite)]
    first = finite[finite["step"] == 1]

    def at(kind: str, layer: int) -> float:
        v = first[(first["kind"] == kind) & (first["layer"] == layer)]["grad_norm"]
        return float(v.iloc[0]) if len(v) else math.nan

    def top(kind: str) -> float:
        v = finite[finite["kind"] == kind]["grad_norm"]
        return float(v.max()) if len(v) else math.nan

    output = int(grads["layer"].max()) if len(grads) else 0
    return {"network": label, "seed": seed, "val_acc": run.final_val_acc, "outcome": verdict.kind,
            "headline": verdict.headline, "first_weight": at("weight", 1), "first_backprop": at("backprop", 1),
            "last_weight": at("weight", output), "max_weight": top("weight"), "max_backprop": top("backprop"),
            "diverged_at": run.diverged_at}


def measure_paths(config: ResidualConfig, data: Dataset, seed: int, runs: dict[str, TrainResult]) -> pd.DataFrame:
    """paths.path_gradients of both networks at initialization and, where the run kept its weights
    and did not diverge, after training; on the first PROBE_BATCH training images."""
    x, y = data.x_train[:PROBE_BATCH], data.y_train[:PROBE_BATCH]
    frames = []
    for residual in (False, True):
        label = LABELS[residual]
        model = build(config, residual, seed).to(data.device)
        frames.append(paths.path_gradients(model, x, y).assign(network=label, when="at initialization"))
        run = runs.get(label)
        if run is not None and run.state_dict is not None and not run.diverged_at:
            model.load_state_dict(run.state_dict)
            frames.append(paths.path_gradients(model, x, y).assign(network=label, when="after training"))
    return pd.concat(frames, ignore_index=True)


def measure_slice(config: ResidualConfig, data: Dataset, seed: int, runs: dict[str, TrainResult]) -> pd.DataFrame:
    """landscape.loss_slice of each trained network that kept its weights and did not diverge, along
    its own filter-normalised direction from the same draws (seed), on SLICE_IMAGES training images."""
    x, y = data.x_train[:SLICE_IMAGES], data.y_train[:SLICE_IMAGES]
    frames = []
    for residual in (False, True):
        label = LABELS[residual]
        run = runs.get(label)
        if run is None or run.state_dict is None or run.diverged_at:
            continue
        model = build(config, residual, seed).to(data.device)
        model.load_state_dict(run.state_dict)
        direction = landscape.filter_normalized_direction(model, seed)
        frames.append(landscape.loss_slice(model, x, y, direction).assign(network=label))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["t", "loss", "accuracy", "network"])


def train_pair(config: ResidualConfig, data: Dataset, seed: int,
               on_progress: Callable[[Progress], None] | None = None) -> ResidualResult:
    """Train the plain and the residual network with seeds seed, seed + 1, … (config.seeds of them),
    each pair from the same initial weights on the same batches. Progress reports label the runs
    "Plain" / "Residual", with run_index = 2 × (seed index) + (0 plain, 1 residual) of n_runs = 2 × seeds.
    Raises core.budget.TooMuchTraining before the first step if all the runs together are over budget."""
    settings = config.train_settings()
    every = probe_every(config, len(data.y_train))
    n_runs = 2 * config.seeds
    runs: dict[str, TrainResult] = {}
    grads, rows = [], []
    for k in range(config.seeds):
        s = seed + k
        for i, residual in enumerate((False, True)):
            label = LABELS[residual]
            probe = GradNormProbe(every, backprop=True)
            run = train(build(config, residual, s), data, settings, seed=s, label=label, probes=[probe],
                        on_progress=on_progress, keep_weights=k == 0, run_index=2 * k + i, n_runs=n_runs)
            g = run.probes["GradNormProbe"]
            rows.append(seed_row(label, s, run, g))
            if k == 0:
                runs[label] = run
                grads.append(g.assign(network=label))
    return ResidualResult(
        runs, config=config, seed=seed, grads=pd.concat(grads, ignore_index=True),
        seeds=pd.DataFrame(rows, columns=SEED_COLUMNS), paths=measure_paths(config, data, seed, runs),
        slice=measure_slice(config, data, seed, runs))


def run_all(config: ResidualConfig, data: Dataset, seed: int) -> None:
    """Every experiment the page runs for `config` (for the app-wide property tests; pass shrink(config)
    to keep it cheap): the training of both networks, with the gradient split and the loss slice."""
    train_pair(config, data, seed)


__all__ = ["LABELS", "ORDER", "ResidualResult", "build", "train_pair", "run_all", "shrink"]
