"""Lesson: batch normalization, layer by layer.

Two MLPs with the same seed, batches and initial Linear weights, one with BatchNorm1d between each
Linear and its activation. While they train, probes record the input of every activation (the
distribution the activation sees) and, for the BN network, the running statistics next to the
population statistics they estimate. Probes only read: they add no training batches and no
training-mode forward passes, so the running statistics are exactly those of an unprobed run.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field, fields
from typing import Callable

import numpy as np
import pandas as pd
import torch
from torch import nn

from core.config import Config, check_range
from core.data import Dataset
from core.compare import CompareResult
from core.models import MLP, validate_sizes
from core.probes import Probe
from core.seeding import seeded
from core.training import TRAIN_LIMITS, Progress, TrainSettings, train

ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu")
LABELS = {False: "Without BN", True: "With BN"}
SNAPSHOTS = 30  # recorded points of training (plus the first step)
SAMPLE_ROWS = 128  # examples of the training batch whose activation inputs are kept per snapshot
POPULATION = 2000  # training images the population statistics are measured on
BINS = 40
BIN_SAMPLE = 1_000_000  # values per layer the shared bin range is estimated from (torch.quantile has a size limit)
# its own training limits, for config and widgets: trained on a first visit, so fewer epochs; and a
# batch of one has no variance to divide by. Learning rate and momentum: the shared TRAIN_LIMITS.
EPOCHS = (1, 30)
BATCH_SIZE = (2, TRAIN_LIMITS["batch_size"][1])
FLAT = 0.1  # an input sits in the activation's flat part where its slope is below 10% of the largest slope


@dataclass(frozen=True)
class BNConfig(Config):
    activation: str = "sigmoid"
    depth: int = 3
    width: int = 100
    lr: float = 1.0
    momentum: float = 0.9
    epochs: int = 3
    batch_size: int = 64

    def validate(self) -> None:
        if self.activation not in ACTIVATION_CHOICES:
            raise ValueError(f"Activation must be one of {', '.join(ACTIVATION_CHOICES)} (got '{self.activation}').")
        check_range("Epochs", self.epochs, *EPOCHS)
        check_range("Depth", self.depth, 1, 10)
        check_range("Width", self.width, 2, 1024)
        check_range("Batch size", self.batch_size, *BATCH_SIZE)
        validate_sizes(self.sizes)
        self.train_settings()

    @property
    def sizes(self) -> list[int]:
        return [784] + [self.width] * self.depth + [10]

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                             momentum=self.momentum, log_every=25)


@dataclass(frozen=True)
class BNView(BNConfig):
    """The page's URL state: the training config plus what is looked at. Only the BNConfig part
    (`training`) is the experiment's cache key, so moving the view never retrains."""
    step: int = 0  # recorded step shown in the histograms; 0: the last
    layer: int = 0  # hidden layer of the bands, running statistics and worked example; 0: the last

    def validate(self) -> None:
        super().validate()
        check_range("Step", self.step, 0, 10**9)
        check_range("Layer", self.layer, 0, 10)

    @classmethod
    def of(cls, config: BNConfig, step: int = 0, layer: int = 0) -> BNView:
        return cls(**{f.name: getattr(config, f.name) for f in fields(BNConfig)}, step=step, layer=layer)

    @property
    def training(self) -> BNConfig:
        return BNConfig(**{f.name: getattr(self, f.name) for f in fields(BNConfig)})


def pick_step(steps: list[int], wanted: int) -> int:
    """The recorded step nearest to `wanted` (0: the last)."""
    return steps[-1] if wanted <= 0 else min(steps, key=lambda s: (abs(s - wanted), s))


# each activation's slope as a share of its largest slope (closed forms of core.activations' derivatives)
RELATIVE_SLOPE: dict[str, Callable[[torch.Tensor], torch.Tensor]] = {
    "sigmoid": lambda x: 4 * torch.sigmoid(x) * torch.sigmoid(-x),
    "tanh": lambda x: 1 - torch.tanh(x) ** 2,
    "relu": lambda x: (x > 0).float(),
}


def flat_share(values: torch.Tensor, activation: str) -> float:
    """Share of the finite inputs where the activation's slope is below FLAT of its largest slope:
    the sigmoid's tails beyond about ±3.64, tanh's beyond ±1.82, ReLU's x <= 0."""
    x = values.detach().float().flatten()
    finite = torch.isfinite(x)
    n = int(finite.sum())
    return ((RELATIVE_SLOPE[activation](x) < FLAT) & finite).sum().item() / n if n else float("nan")


def build(config: BNConfig, batch_norm: bool, seed: int) -> MLP:
    """Same seed, so both networks start from identical Linear weights (BN starts at gamma=1, beta=0)."""
    return seeded(seed, lambda: MLP(config.sizes, config.activation, batch_norm=batch_norm))


# ---------------------------------------------------------------- probes

class ActInputProbe(Probe):
    """The input of every hidden activation (Linear output, or BN output in the BN network) for the
    first SAMPLE_ROWS examples of the training batch, on probe steps, from the training forward pass."""

    def __init__(self, every: int, activation: str):
        super().__init__(every)
        self.activation = activation

    def attach(self, model: nn.Module, total_steps: int) -> None:
        self.samples: list[tuple[int, int, torch.Tensor]] = []
        self._handles = [act.register_forward_pre_hook(self._hook(l)) for l, act in enumerate(model.acts, 1)]

    def _hook(self, layer: int):
        def hook(module, inputs):
            if self.active and module.training:
                self.samples.append((self.step + 1, layer, inputs[0][:SAMPLE_ROWS].detach().clone()))
        return hook

    def detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles = []

    def frame(self, steps_done: int) -> pd.DataFrame:
        """Percentiles 15/50/85 per step and layer (Ioffe & Szegedy 2015, Figure 1), and the share of
        inputs in the activation's flat part."""
        rows = []
        for step, layer, values in self.samples:
            p15, p50, p85 = torch.quantile(values.flatten().float(), torch.tensor([0.15, 0.5, 0.85])).tolist()
            rows.append({"step": step, "layer": layer, "p15": p15, "p50": p50, "p85": p85,
                         "flat": flat_share(values, self.activation)})
        return pd.DataFrame(rows, columns=["step", "layer", "p15", "p50", "p85", "flat"])


class RunningStatsProbe(Probe):
    """For each BatchNorm1d: its running mean and variance on probe steps, beside the population mean
    and variance of its input over POPULATION fixed training images with the network in eval mode
    (eval mode under no_grad: nothing in the model changes)."""

    def __init__(self, every: int, x_ref: torch.Tensor):
        super().__init__(every)
        self.x_ref = x_ref

    def attach(self, model: nn.Module, total_steps: int) -> None:
        self.model = model
        self.rows: list[pd.DataFrame] = []

    @torch.no_grad()
    def after_backward(self) -> None:
        if not self.active:
            return
        model = self.model
        model.eval()
        try:
            h = self.x_ref.flatten(1)
            for l, (linear, norm, act) in enumerate(zip(model.linears, model.norms, model.acts), 1):
                s = linear(h)
                self.rows.append(pd.DataFrame({
                    "step": self.step + 1, "layer": l, "unit": np.arange(1, s.shape[1] + 1),
                    "running_mean": norm.running_mean.cpu().numpy(), "running_var": norm.running_var.cpu().numpy(),
                    "population_mean": s.mean(0).cpu().numpy(), "population_var": s.var(0).cpu().numpy()}))
                h = act(norm(s))
        finally:
            model.train()

    def frame(self, steps_done: int) -> pd.DataFrame:
        return pd.concat(self.rows, ignore_index=True) if self.rows else pd.DataFrame()


# ---------------------------------------------------------------- experiment

@dataclass
class BNResult(CompareResult):
    histograms: pd.DataFrame = field(default_factory=pd.DataFrame)  # run, step, layer, lo, hi, share
    bands: pd.DataFrame = field(default_factory=pd.DataFrame)  # run, step, layer, p15, p50, p85, flat
    running: pd.DataFrame = field(default_factory=pd.DataFrame)  # step, layer, unit, running_*, population_*
    config: BNConfig | None = None  # what was trained (a page may show a result of older settings)

    @property
    def snapshot_steps(self) -> list[int]:
        return sorted(self.histograms["step"].unique().tolist()) if len(self.histograms) else []


def snapshot_every(config: BNConfig, n_train: int) -> int:
    steps = math.ceil(n_train / min(config.batch_size, n_train)) * config.epochs
    return max(1, steps // SNAPSHOTS)


def histograms(samples: dict[str, list[tuple[int, int, torch.Tensor]]], bins: int = BINS) -> pd.DataFrame:
    """Per layer one set of bins shared by both networks and every snapshot (the 0.5-99.5 percentile
    range of all their values, estimated from an evenly spaced subsample of at most BIN_SAMPLE values
    across both networks); values beyond it are counted in the outer bins."""
    layers = sorted({layer for runs in samples.values() for _, layer, _ in runs})
    frames = []
    for layer in layers:
        values = [v.flatten().float().cpu() for runs in samples.values() for _, l, v in runs if l == layer]
        pooled = torch.cat(values)
        pooled = pooled[torch.isfinite(pooled)]
        if pooled.numel() == 0:
            continue
        stride = -(-pooled.numel() // BIN_SAMPLE)  # ceil: every stride-th value of both networks
        lo, hi = torch.quantile(pooled[::stride], torch.tensor([0.005, 0.995])).tolist()
        if hi - lo < 1e-6:
            lo, hi = lo - 0.5, hi + 0.5
        edges = np.linspace(lo, hi, bins + 1)
        for run, runs in samples.items():
            for step, l, v in runs:
                if l != layer:
                    continue
                x = v.flatten().float().cpu().numpy()
                x = np.clip(x[np.isfinite(x)], lo, hi)
                counts, _ = np.histogram(x, bins=edges)
                frames.append(pd.DataFrame({"run": run, "step": step, "layer": layer, "lo": edges[:-1],
                                            "hi": edges[1:], "share": counts / max(1, counts.sum())}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["run", "step", "layer", "lo", "hi", "share"])


def train_pair(config: BNConfig, data: Dataset, seed: int,
               on_progress: Callable[[Progress], None] | None = None) -> BNResult:
    """Train the plain and the BN network (same seed and batches) and reduce what the probes saw."""
    every = snapshot_every(config, len(data.y_train))
    runs, samples, bands, running = {}, {}, [], pd.DataFrame()
    for i, bn in enumerate((False, True)):
        label = LABELS[bn]
        acts = ActInputProbe(every, config.activation)
        probes: list[Probe] = [acts]
        if bn:
            stats = RunningStatsProbe(every, data.x_train[:POPULATION])
            probes.append(stats)
        runs[label] = train(build(config, bn, seed), data, config.train_settings(), seed=seed, label=label,
                            probes=probes, on_progress=on_progress, keep_weights=True, run_index=i, n_runs=2)
        samples[label] = acts.samples
        bands.append(acts.frame(0).assign(run=label))
        if bn:
            running = stats.frame(0)
    return BNResult(runs, histograms=histograms(samples), bands=pd.concat(bands, ignore_index=True),
                    running=running, config=config)
