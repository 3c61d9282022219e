"""Lesson: batch normalization, layer by layer.

Two MLPs with the same seed, batches and initial Linear weights, one with BatchNorm1d between each
Linear and its activation. While they train, probes record the input of every activation (the
distribution the activation sees) and, for the BN network, the running statistics next to the
population statistics they estimate. Probes only read: they add no training batches and no
training-mode forward passes, so the running statistics are exactly those of an unprobed run.
"""
from __future__ import annotations

import math
from copy import deepcopy
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import torch
from torch import nn

from core.config import Config, check_range
from core.data import Dataset
from core.lessons.compare import CompareResult
from core.models import MLP, validate_sizes
from core.probes import Probe
from core.seeding import seeded
from core.training import Progress, TrainSettings, train

ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu")
LABELS = {False: "Without BN", True: "With BN"}
SNAPSHOTS = 30  # recorded points of training (plus the first step)
SAMPLE_ROWS = 128  # examples of the training batch whose activation inputs are kept per snapshot
POPULATION = 2000  # training images the population statistics are measured on
BINS = 40


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
        check_range("Depth", self.depth, 1, 10)
        check_range("Width", self.width, 2, 1024)
        check_range("Batch size", self.batch_size, 2, 4096)  # a batch of one has no variance to divide by
        validate_sizes(self.sizes)
        self.train_settings()

    @property
    def sizes(self) -> list[int]:
        return [784] + [self.width] * self.depth + [10]

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                             momentum=self.momentum, log_every=25)


def build(config: BNConfig, batch_norm: bool, seed: int) -> MLP:
    """Same seed, so both networks start from identical Linear weights (BN starts at gamma=1, beta=0)."""
    return seeded(seed, lambda: MLP(config.sizes, config.activation, batch_norm=batch_norm))


# ---------------------------------------------------------------- probes

class ActInputProbe(Probe):
    """The input of every hidden activation (Linear output, or BN output in the BN network) for the
    first SAMPLE_ROWS examples of the training batch, on probe steps, from the training forward pass."""

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
        """Percentiles 15/50/85 per step and layer (Ioffe & Szegedy 2015, Figure 1)."""
        rows = []
        for step, layer, values in self.samples:
            p15, p50, p85 = torch.quantile(values.flatten().float(), torch.tensor([0.15, 0.5, 0.85])).tolist()
            rows.append({"step": step, "layer": layer, "p15": p15, "p50": p50, "p85": p85})
        return pd.DataFrame(rows, columns=["step", "layer", "p15", "p50", "p85"])


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
    bands: pd.DataFrame = field(default_factory=pd.DataFrame)  # run, step, layer, p15, p50, p85
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
    range of all their values); values beyond it are counted in the outer bins."""
    layers = sorted({layer for runs in samples.values() for _, layer, _ in runs})
    frames = []
    for layer in layers:
        values = [v.flatten().float().cpu() for runs in samples.values() for _, l, v in runs if l == layer]
        pooled = torch.cat(values)
        pooled = pooled[torch.isfinite(pooled)]
        if pooled.numel() == 0:
            continue
        lo, hi = torch.quantile(pooled[:1_000_000], torch.tensor([0.005, 0.995])).tolist()
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
        acts = ActInputProbe(every)
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


# ---------------------------------------------------------------- train vs eval mode, worked example

def trained_bn_model(result: BNResult) -> MLP:
    model = build(result.config, True, 0)
    model.load_state_dict(result.runs[LABELS[True]].state_dict)
    return model


@torch.no_grad()
def train_vs_eval(model: MLP, x: torch.Tensor, layer: int) -> pd.DataFrame:
    """The same batch through the BN network twice: normalised with the batch's own statistics
    (train mode) and with the running statistics (eval mode). Long: example, unit, train, eval.
    Works on a copy, so the train-mode pass does not move the model's running statistics."""
    copy = deepcopy(model)
    outputs = {}
    for mode in ("eval", "train"):  # eval first: the train-mode pass moves the copy's running statistics
        copy.train(mode == "train")
        h = x.flatten(1)
        for l, (linear, norm, act) in enumerate(zip(copy.linears, copy.norms, copy.acts), 1):
            z = norm(linear(h))
            if l == layer:
                outputs[mode] = z
            h = act(z)
    n, units = outputs["train"].shape
    return pd.DataFrame({"example": np.repeat(np.arange(1, n + 1), units), "unit": np.tile(np.arange(1, units + 1), n),
                         "train": outputs["train"].flatten().numpy(), "eval": outputs["eval"].flatten().numpy()})


@torch.no_grad()
def worked_example(model: MLP, x: torch.Tensor, layer: int = 1, unit: int = 1) -> dict:
    """BN of one neuron on one batch by hand: mean, biased variance, x_hat and y for the first example."""
    h = x.flatten(1)
    was = model.training
    model.eval()  # only to reach the layer: the lower layers use running statistics, nothing updates
    for l, (linear, norm, act) in enumerate(zip(model.linears, model.norms, model.acts), 1):
        s = linear(h)
        if l == layer:
            break
        h = act(norm(s))
    model.train(was)
    bn = model.norms[layer - 1]
    xs = s[:, unit - 1].double()
    mean, var = xs.mean().item(), xs.var(unbiased=False).item()
    gamma, beta, eps = bn.weight[unit - 1].item(), bn.bias[unit - 1].item(), bn.eps
    x_hat = (xs[0].item() - mean) / math.sqrt(var + eps)
    return {"layer": layer, "unit": unit, "batch": len(xs), "x": xs[:5].tolist(), "x1": xs[0].item(),
            "mean": mean, "var": var, "eps": eps, "x_hat": x_hat, "gamma": gamma, "beta": beta,
            "y": gamma * x_hat + beta}


def gamma_beta(model: MLP) -> pd.DataFrame:
    """Learned scale and shift of every BN unit: layer, unit, parameter ('gamma' | 'beta'), value."""
    rows = []
    for l, norm in enumerate(model.norms, 1):
        for name, tensor in (("gamma", norm.weight), ("beta", norm.bias)):
            rows.append(pd.DataFrame({"layer": l, "unit": np.arange(1, tensor.numel() + 1), "parameter": name,
                                      "value": tensor.detach().cpu().numpy()}))
    return pd.concat(rows, ignore_index=True)
