"""The regularization lesson's experiments, each a plain function `(config, data, seed, on_progress)`:

- `curve_fit(config)`: Bishop's polynomial fits (no data set, no training: closed-form least squares);
- `overfit(config, data, seed)`: Nielsen's [784, 30, 10] network on 1,000 images, with and without L2;
- `compare(config, data, seed)`: one MLP per regularizer, same seed, initial weights and batches;
- `more_data(config, compare, data, seed)`: validation accuracy against the number of training images.

Training is always core.training.train; a lesson-level choice here is only which data, model and
settings it gets. The dropout view is in `dropout`, the curve maths in `curve`.
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
from core.lessons.regularization import curve as poly
from core.lessons.regularization.config import (NOISE, REGULARIZERS, CompareConfig, CurveConfig, DataConfig,
                                                OverfitConfig, RegularizationView, shrink)
from core.models import MLP
from core.seeding import seeded
from core.training import Progress, TrainResult, evaluate, train

Report = Callable[[Progress], None] | None

# ---------------------------------------------------------------- 1. curve fitting

CURVE_DEGREES = range(0, 16)
LAMBDA_GRID = np.arange(-40.0, 5.01, 0.5)  # ln λ for the RMS-against-ln λ chart (Bishop Figure 1.8)
TABLE_DEGREES = (0, 1, 3, 9)  # Bishop's Table 1.1
TABLE_LAMBDAS = (None, -18.0, 0.0)  # Bishop's Table 1.2 (M = 9): ln λ = −∞, −18, 0


@dataclass
class CurveResult:
    """Everything the curve-fitting section draws, for one CurveConfig."""

    config: CurveConfig
    train: poly.Points
    test: poly.Points
    fitted: pd.DataFrame  # x, fit, truth
    by_degree: pd.DataFrame  # M, set, rms (with the config's penalty, if any)
    by_lambda: pd.DataFrame  # ln_lambda, set, rms at the config's degree
    degree_table: pd.DataFrame  # w0 … w_M by column "M = 0", "M = 1", ... (Table 1.1)
    lambda_table: pd.DataFrame  # w0 … w_M at the config's degree by column "ln λ = −∞", ... (Table 1.2)
    train_rms: float
    test_rms: float
    weights: np.ndarray  # the fitted w* of the config


def lambda_name(ln_lambda: float | None) -> str:
    return "ln λ = −∞" if ln_lambda is None else f"ln λ = {ln_lambda:g}".replace("-", "−")


def curve_fit(config: CurveConfig) -> CurveResult:
    """Fit the config's polynomial to its sample and measure every degree and ln λ around it."""
    train = poly.sine_points(config.points, NOISE, config.sample, poly.TRAIN_STREAM)
    test = poly.sine_points(poly.TEST_POINTS, NOISE, config.sample, poly.TEST_STREAM)
    w = poly.fit(train, config.degree, config.penalty)
    degrees = sorted({*TABLE_DEGREES, config.degree})
    lambdas = list(dict.fromkeys([*TABLE_LAMBDAS, config.penalty]))
    return CurveResult(
        config, train, test, poly.curves(train, config.degree, config.penalty),
        poly.degree_sweep(train, test, CURVE_DEGREES, config.penalty),
        poly.lambda_sweep(train, test, config.degree, LAMBDA_GRID),
        poly.coefficient_table(train, {f"M = {m}": (m, config.penalty) for m in degrees}),
        poly.coefficient_table(train, {lambda_name(ln): (config.degree, ln) for ln in lambdas}),
        poly.rms(w, train), poly.rms(w, test), w.numpy())


# ---------------------------------------------------------------- shared by the networks

def tidy_evals(histories: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every validation of every run (`histories`: label -> TrainResult.evals, or Progress.evals mid-run),
    long: run, step, epoch, set ('Training' | 'Validation'), loss, accuracy. The training set is measured
    in eval mode on all its images (the engine's eval_train)."""
    frames = []
    for label, e in histories.items():
        if e is None or not len(e):
            continue
        frames.append(pd.DataFrame({"run": label, "step": e["step"], "epoch": e["epoch"], "set": "Training",
                                    "loss": e["train_eval_loss"], "accuracy": e["train_acc"]}))
        frames.append(pd.DataFrame({"run": label, "step": e["step"], "epoch": e["epoch"], "set": "Validation",
                                    "loss": e["val_loss"], "accuracy": e["val_acc"]}))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["run", "step", "epoch", "set", "loss", "accuracy"])


def run_summary(label: str, r: TrainResult) -> dict:
    """One run's numbers at its last validation (the restored best, where restored): training and
    validation accuracy and loss, the generalisation gap (training − validation accuracy, in points of
    a share), the epoch of the lowest validation loss and how much the loss rose after it, the best
    validation accuracy and its epoch. NaN for what a run never reached (it diverged before its first
    validation, or every validation loss it had was infinite)."""
    e = r.evals
    row = {"run": label, "train_acc": math.nan, "val_acc": math.nan, "train_loss": math.nan, "val_loss": math.nan,
           "gap": math.nan, "best_loss_epoch": math.nan, "best_loss": math.nan, "rise": math.nan,
           "best_acc": math.nan, "best_acc_epoch": math.nan, "epochs": 0.0}
    if not len(e):
        return row
    final = pd.Series(r.best) if r.restored and r.best is not None else e.iloc[-1]
    row.update({"train_acc": float(final["train_acc"]), "val_acc": float(final["val_acc"]),
                "train_loss": float(final["train_eval_loss"]), "val_loss": float(final["val_loss"]),
                "gap": float(final["train_acc"] - final["val_acc"]), "epochs": float(e["epoch"].iloc[-1])})
    losses = pd.to_numeric(e["val_loss"], errors="coerce")
    finite = e[np.isfinite(losses)]
    if len(finite):
        low = finite.loc[finite["val_loss"].idxmin()]
        last = float(e["val_loss"].iloc[-1])
        row.update({"best_loss_epoch": float(low["epoch"]), "best_loss": float(low["val_loss"]),
                    "rise": last / float(low["val_loss"]) - 1 if math.isfinite(last) and low["val_loss"] > 0
                    else math.nan})
    accs = e.dropna(subset=["val_acc"])
    if len(accs):
        top = accs.loc[accs["val_acc"].idxmax()]
        row.update({"best_acc": float(top["val_acc"]), "best_acc_epoch": float(top["epoch"])})
    return row


@dataclass
class NetworkResult(CompareResult):
    """Runs of one experiment with validation histories (`evals`) and a summary row per run (`table`)."""

    config: object = None  # what was trained (a page may show a result of older settings)
    images: int = 0  # training images actually used
    stats: pd.DataFrame = field(default_factory=pd.DataFrame)  # run, weight_norm, max_unit_norm, at_cap, active

    @property
    def evals(self) -> pd.DataFrame:
        return tidy_evals({label: r.evals for label, r in self.runs.items()})

    @property
    def table(self) -> pd.DataFrame:
        return pd.DataFrame([run_summary(label, r) for label, r in self.runs.items()])


# ---------------------------------------------------------------- 2. a network that overfits

PLAIN, L2 = REGULARIZERS["none"], REGULARIZERS["weight_decay"]


def pixel_data(data: Dataset, images: int) -> Dataset:
    """The first `images` training images and every validation image as pixel intensities in [0, 1],
    the form Nielsen's data come in (the other lessons feed normalised pixels: mean 0, variance 1)."""
    sub = data.subset(images)
    return Dataset(sub.name, sub.source, sub.note, sub.pixels(sub.x_train), sub.y_train, sub.pixels(sub.x_val),
                   sub.y_val, sub.classes)


def build_nielsen(config: OverfitConfig, seed: int) -> MLP:
    """[784, hidden, 10] of sigmoids with N(0, 1) weights and biases (Nielsen's large_weight_initializer)."""
    return seeded(seed, lambda: MLP(config.sizes, "sigmoid", init="normal"))


def overfit(config: OverfitConfig, data: Dataset, seed: int, on_progress: Report = None) -> NetworkResult:
    """Nielsen's overfitting run (Neural Networks and Deep Learning, ch. 3): the same network, seed and
    batches trained without regularization and, if config.l2 > 0, with L2 (weight decay λ/n), on
    per-output cross-entropy of sigmoid outputs, with plain SGD; the training set measured at every
    validation (several per epoch for a short run)."""
    d = pixel_data(data, config.images)
    n = len(d.y_train)
    lambdas = {PLAIN: 0.0, **({L2: config.l2} if config.l2 > 0 else {})}
    runs = {}
    for i, (label, l2) in enumerate(lambdas.items()):
        runs[label] = train(build_nielsen(config, seed), d, config.train_settings(l2, n), seed=seed, label=label,
                            on_progress=on_progress, run_index=i, n_runs=len(lambdas), loss="bce_sigmoid")
    return NetworkResult(runs, config=config, images=n)


# ---------------------------------------------------------------- 3. regularizers side by side

def build(config: CompareConfig, regularizer: str, seed: int) -> MLP:
    """The comparison's MLP with one regularizer's layers (dropout, input noise); the same initial
    weights for every regularizer (dropout and noise have no parameters)."""
    return seeded(seed, lambda: MLP(config.sizes, "relu", **config.model_options(regularizer)))


PROBE_IMAGES = 500  # validation images the hidden activity of each trained network is measured on


@torch.no_grad()
def network_stats(model: MLP, x: torch.Tensor, max_norm: float) -> dict:
    """What a regularizer did to the trained network, in eval mode on the images x: the L2 norm of all
    weights (not biases) ‖W‖, the largest norm of one unit's incoming weights, the share of units at the
    max-norm cap c (norm ≥ 0.999c; NaN without a cap), and the share of hidden ReLU outputs above 0."""
    was_training = model.training
    model.eval()
    try:
        weights = [lin.weight for lin in model.linears]
        rows = torch.cat([w.norm(dim=1) for w in weights])
        active, h = [], x.flatten(1)
        for linear, norm, act in zip(model.linears, model.norms, model.acts):
            h = act(norm(linear(h)))
            active.append((h > 0).float().mean())
    finally:
        model.train(was_training)
    return {"weight_norm": float(torch.sqrt(sum((w.double() ** 2).sum() for w in weights))),
            "max_unit_norm": float(rows.max()),
            "at_cap": float((rows >= 0.999 * max_norm).float().mean()) if max_norm > 0 else math.nan,
            "active": float(torch.stack(active).mean())}


def compare(config: CompareConfig, data: Dataset, seed: int, on_progress: Report = None) -> NetworkResult:
    """One run per regularizer in REGULARIZERS' order, on the first `images` training images. The dropout
    network's final weights are kept (the dropout view shows it); every network is measured after
    training (`network_stats`, in `stats`)."""
    d = data.subset(config.images)
    n = len(d.y_train)
    runs, stats = {}, []
    probe = data.x_val[:PROBE_IMAGES]
    for i, (key, label) in enumerate(REGULARIZERS.items()):
        model = build(config, key, seed)
        settings = config.train_settings(key, n)
        runs[label] = train(model, d, settings, seed=seed, label=label, on_progress=on_progress, run_index=i,
                            n_runs=len(REGULARIZERS), keep_weights=key == "dropout")
        stats.append({"run": label, **network_stats(model, probe, settings.max_norm)})
    return NetworkResult(runs, config=config, images=n, stats=pd.DataFrame(stats))


# ---------------------------------------------------------------- 5. more data

CHECK_IMAGES = 200  # validation images watched during the runs of `more_data` (all of them measure the end)


@dataclass
class DataResult:
    """Validation accuracy of the plain and the regularized network per number of training images."""

    config: DataConfig
    compare: CompareConfig
    table: pd.DataFrame  # run, images, steps, epochs, val_acc, val_loss, train_acc, status
    seconds: float = 0.0
    runs: dict[tuple[str, int], TrainResult] = field(default_factory=dict)


def epochs_for(steps: int, images: int, batch_size: int) -> int:
    """Whole epochs that give at least `steps` steps on `images` images."""
    per_epoch = math.ceil(images / min(batch_size, images))
    return max(1, math.ceil(steps / per_epoch))


def more_data(config: DataConfig, compare_config: CompareConfig, data: Dataset, seed: int,
              on_progress: Report = None) -> DataResult:
    """For each number of images (at most all there are), the comparison's network without and with
    `config.regularizer`, each for at least `config.steps` steps (whole epochs), then measured on every
    validation image and on its own training images in eval mode. During training each run watches only
    CHECK_IMAGES validation images (the engine validates after every epoch: on 100 images that is
    many epochs)."""
    sizes = sorted({min(n, len(data.y_train)) for n in config.sizes})
    keys = ("none", config.regularizer)
    rows, runs, seconds = [], {}, 0.0
    total = len(sizes) * len(keys)
    for i, n in enumerate(sizes):
        d = data.subset(n, CHECK_IMAGES)
        for j, key in enumerate(keys):
            label = REGULARIZERS[key]
            settings = compare_config.train_settings(key, n).replace(
                epochs=epochs_for(config.steps, n, compare_config.batch_size), eval_every=0, eval_train=False,
                log_every=10_000)
            model = build(compare_config, key, seed)
            r = train(model, d, settings, seed=seed, label=f"{label}, {n:,} images", on_progress=on_progress,
                      run_index=i * len(keys) + j, n_runs=total)
            val_loss, val_acc = evaluate(model, data.x_val, data.y_val)
            train_loss, train_acc = evaluate(model, d.x_train, d.y_train)
            if r.diverged_at:
                val_loss = val_acc = train_loss = train_acc = math.nan
            rows.append({"run": label, "images": n, "steps": len(r.steps), "epochs": settings.epochs,
                         "val_acc": val_acc, "val_loss": val_loss, "train_acc": train_acc, "train_loss": train_loss,
                         "status": r.status})
            runs[(key, n)] = r
            seconds += r.seconds
    return DataResult(config, compare_config, pd.DataFrame(rows), seconds, runs)


# ---------------------------------------------------------------- everything the page runs

def run_all(view: RegularizationView, data: Dataset, seed: int) -> None:
    """Every experiment the page runs for `view` (for the app-wide property tests: pass `shrink(view)`
    and any data, a few hundred images will do): the curve fits, Nielsen's runs, the comparison, the
    dropout view of its dropout network, and the more-data sweep."""
    from core.lessons.regularization import dropout

    curve_fit(view.curve)
    overfit(view.overfit, data, seed)
    result = compare(view.compare.training, data, seed)
    dropout.view_of(result, view.compare, data, seed)
    more_data(view.data, view.compare.training, data, seed)


__all__ = ["curve_fit", "overfit", "compare", "more_data", "run_all", "shrink", "CurveResult", "NetworkResult",
           "DataResult", "pixel_data", "build", "build_nielsen", "tidy_evals", "run_summary", "PLAIN", "L2"]
