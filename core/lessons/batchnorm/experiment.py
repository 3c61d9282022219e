"""The batch-norm lesson's experiment: the same MLP trained with and without batch normalization.

Two MLPs with the same seed, batches and initial Linear weights, one with BatchNorm1d between each
Linear and its activation. While they train, probes record the input of every activation (the
distribution the activation sees) and, for the BN network, the running statistics next to the
population statistics they estimate. Probes only read: they add no training batches and no
training-mode forward passes, so the running statistics are exactly those of an unprobed run.

The config (`BNConfig`, and the page's `BNView`) is in `config`, the probes in `probes`, train vs
eval mode in `modes`, the charts in `charts`, the sentences in `story`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import torch

from core.compare import CompareResult
from core.data import Dataset
from core.lessons.batchnorm.config import BNConfig
from core.lessons.batchnorm.probes import ActInputProbe, RunningStatsProbe
from core.models import MLP
from core.probes import Probe
from core.seeding import seeded
from core.training import Progress, train

LABELS = {False: "Without BN", True: "With BN"}
SNAPSHOTS = 30  # recorded points of training (plus the first step)
POPULATION = 2000  # training images the population statistics are measured on
BINS = 40
BIN_SAMPLE = 1_000_000  # values per layer the shared bin range is estimated from (torch.quantile has a size limit)
# a run that blows up reaches 1e29 and would squeeze every other value into one bin (or one pixel): axes
# reach at most AXIS_FACTOR x the largest |input| the layer had at the first snapshot (at least AXIS_FACTOR)
AXIS_FACTOR = 50


def axis_limit(first: torch.Tensor | np.ndarray) -> float:
    """How far an axis of a layer's activation inputs reaches either side of 0: AXIS_FACTOR x the largest
    finite |value| at the first snapshot (`first`), and at least AXIS_FACTOR. Wide enough for a sigmoid
    network pushed to -20 by a large learning rate; a run blowing up goes beyond it."""
    v = torch.as_tensor(first).flatten().float()
    v = v[torch.isfinite(v)]
    return AXIS_FACTOR * max(1.0, float(v.abs().max())) if v.numel() else float(AXIS_FACTOR)


def build(config: BNConfig, batch_norm: bool, seed: int) -> MLP:
    """Same seed, so both networks start from identical Linear weights (BN starts at gamma=1, beta=0)."""
    return seeded(seed, lambda: MLP(config.sizes, config.activation, batch_norm=batch_norm))


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
    range of all their finite values, estimated from an evenly spaced subsample of at most BIN_SAMPLE
    values across both networks, and within ±axis_limit of the layer's first snapshot); values beyond it
    are counted in the outer bins.

    Long frame: run, step, layer, lo, hi, share (of the snapshot's finite values), nonfinite (share of
    the snapshot's values that are NaN or ±inf, from a run that diverged), outside (share of its finite
    values beyond the bins, counted in the outer ones). A snapshot with no finite value at all keeps one
    row with lo = hi = NaN and share 0, so its layer never vanishes."""
    layers = sorted({layer for runs in samples.values() for _, layer, _ in runs})
    frames = []
    for layer in layers:
        values = [v.flatten().float().cpu() for runs in samples.values() for _, l, v in runs if l == layer]
        first_step = min(step for runs in samples.values() for step, l, _ in runs if l == layer)
        limit = axis_limit(torch.cat([v.flatten().float().cpu() for runs in samples.values()
                                      for step, l, v in runs if l == layer and step == first_step]))
        pooled = torch.cat(values)
        pooled = pooled[torch.isfinite(pooled)].clamp(-limit, limit)
        edges = None
        if pooled.numel():
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
                finite = np.isfinite(x)
                nonfinite = 1 - finite.mean() if x.size else 0.0
                if edges is None or not finite.any():
                    frames.append(pd.DataFrame({"run": [run], "step": step, "layer": layer, "lo": np.nan,
                                                "hi": np.nan, "share": 0.0, "nonfinite": nonfinite,
                                                "outside": 0.0}))
                    continue
                kept = x[finite]
                outside = float(((kept < edges[0]) | (kept > edges[-1])).mean())
                counts, _ = np.histogram(np.clip(kept, edges[0], edges[-1]), bins=edges)
                frames.append(pd.DataFrame({"run": run, "step": step, "layer": layer, "lo": edges[:-1],
                                            "hi": edges[1:], "share": counts / counts.sum(),
                                            "nonfinite": nonfinite, "outside": outside}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["run", "step", "layer", "lo", "hi", "share", "nonfinite", "outside"])


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


def run_all(config: BNConfig, data: Dataset, seed: int) -> None:
    """Everything the page computes for `config`, for the app-wide property tests: both networks, the
    train-vs-eval comparison and worked example on a validation batch of `batch_size` images (when the BN
    network's weights are finite), every chart and every sentence. Raises whatever any of them raises."""
    from core.lessons.batchnorm import charts, modes, story  # they import this module

    result = train_pair(config, data, seed)
    act = config.activation.capitalize()
    batch = data.x_val[: config.batch_size]
    gap = None
    for layer in sorted(result.bands["layer"].unique().tolist()):
        for step in result.snapshot_steps[:1] + result.snapshot_steps[-1:]:
            charts.histogram_chart(result.histograms, step, layer, act).to_dict()
        charts.bands_chart(result.bands, layer, act).to_dict()
        story.bands_caption(result, layer)
        model = modes.trained_bn_model(result)
        if modes.is_finite(model):
            te = modes.train_vs_eval(model, batch, layer)
            gap = float((te["train"] - te["eval"]).abs().mean())
            charts.train_eval_chart(modes.first(te, 64, 32), layer).to_dict()
            modes.worked_example(model, batch, layer)
            for stat in ("mean", "var"):
                charts.running_chart(result.running, layer, stat).to_dict()
            for name in ("gamma", "beta"):
                charts.gamma_beta_chart(modes.gamma_beta(model), name).to_dict()
        story.takeaways(result, layer, gap, act, len(batch))
    story.ioffe_reproduction(result)
