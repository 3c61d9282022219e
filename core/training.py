"""The training engine: seeded, device-aware SGD over on-device tensors, with live progress.

Batches are index slices of a seeded permutation of tensors already on the device (no per-sample
DataLoader transforms), the optimizer updates every parameter in one fused kernel (multi-tensor
foreach kernels where the device has no fused ones), and losses stay on the device until a
progress point, so the hot loop never waits on the host. A NaN/inf loss stops the run, reported
as `diverged_at` (the 1-based step of the first bad loss).
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Callable, Sequence

import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from core.budget import check_budget
from core.config import Config, check_range
from core.data import Dataset
from core.probes import Probe

OPTIMIZERS = ("sgd", "adam")
# (low, high) of every training control: TrainSettings checks them and the lessons' widgets use them,
# so a value a config accepts (from a shared link, say) is never outside its widget's range.
TRAIN_LIMITS: dict[str, tuple[float, float]] = {
    "epochs": (1, 50), "batch_size": (1, 4096), "lr": (0.0001, 100.0), "momentum": (0.0, 0.999)}


@dataclass(frozen=True)
class TrainSettings(Config):
    """How to train: the part every lesson's config shares."""

    epochs: int = 3
    batch_size: int = 64
    lr: float = 0.05
    momentum: float = 0.9
    nesterov: bool = False
    optimizer: str = "sgd"
    log_every: int = 25  # steps between progress callbacks (and divergence checks)

    def validate(self) -> None:
        check_range("Epochs", self.epochs, *TRAIN_LIMITS["epochs"])
        check_range("Batch size", self.batch_size, *TRAIN_LIMITS["batch_size"])
        check_range("Learning rate", self.lr, *TRAIN_LIMITS["lr"])  # NaN fails it too
        check_range("Momentum", self.momentum, *TRAIN_LIMITS["momentum"])
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Optimizer must be one of {', '.join(OPTIMIZERS)} (got '{self.optimizer}').")
        if self.nesterov and self.momentum == 0:
            raise ValueError("Nesterov momentum needs a momentum above 0.")
        check_range("Log interval", self.log_every, 1, 10_000)


FUSED_DEVICES = ("cpu", "cuda")  # where torch >= 2.4 has fused SGD and Adam kernels


def make_optimizer(params, settings: TrainSettings) -> torch.optim.Optimizer:
    """The configured torch.optim optimizer, fused on CPU and CUDA (per step, one C++ call instead of
    a few multi-tensor ones: about 7% more samples/s for the lessons' MLP on CPU), foreach elsewhere."""
    params = list(params)
    fused = all(p.device.type in FUSED_DEVICES for p in params)
    impl = {"fused": True} if fused else {"foreach": True}
    if settings.optimizer == "adam":
        return torch.optim.Adam(params, lr=settings.lr, **impl)
    return torch.optim.SGD(params, lr=settings.lr, momentum=settings.momentum,
                           nesterov=settings.nesterov, **impl)


@dataclass
class TrainResult:
    """Everything one run produced, as tidy DataFrames (one row per observation)."""

    label: str
    device: str
    steps: pd.DataFrame  # step, epoch, loss (every training step)
    epochs: pd.DataFrame  # epoch, step, train_loss, val_loss, val_acc
    probes: dict[str, pd.DataFrame] = field(default_factory=dict)
    diverged_at: int | None = None
    seconds: float = 0.0
    samples_seen: int = 0
    state_dict: dict[str, torch.Tensor] | None = None  # final weights on the CPU, when asked for

    @property
    def samples_per_s(self) -> float:
        return self.samples_seen / self.seconds if self.seconds > 0 else float("nan")

    @property
    def final_val_acc(self) -> float:
        return float(self.epochs["val_acc"].iloc[-1]) if len(self.epochs) else float("nan")

    @property
    def status(self) -> str:
        return f"diverged at step {self.diverged_at}" if self.diverged_at else "finished"


@dataclass
class Progress:
    """What a progress callback receives: the run so far."""

    label: str
    step: int
    total_steps: int
    epoch: int
    steps: pd.DataFrame
    epochs: pd.DataFrame
    diverged_at: int | None = None
    run_index: int = 0  # which of an experiment's runs this is
    n_runs: int = 1
    probes: Sequence[Probe] = ()  # the run's probes, readable mid-run through probe_frame()

    def probe_frame(self, name: str) -> pd.DataFrame | None:
        """What the probe of that class name has recorded so far (copies it to the host)."""
        for probe in self.probes:
            if type(probe).__name__ == name:
                return probe.frame(self.step)
        return None

    @property
    def fraction(self) -> float:
        """How far the whole experiment is, counting earlier runs as done."""
        return min(1.0, (self.run_index + self.step / max(1, self.total_steps)) / max(1, self.n_runs))


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = 2000) -> tuple[float, float]:
    """(mean cross-entropy, accuracy) of the model in eval mode; restores the previous mode."""
    was_training = model.training
    model.eval()
    total_loss = torch.zeros((), device=x.device)
    correct = torch.zeros((), device=x.device, dtype=torch.long)
    for i in range(0, len(x), batch_size):
        out = model(x[i:i + batch_size])
        total_loss += F.cross_entropy(out, y[i:i + batch_size], reduction="sum")
        correct += (out.argmax(1) == y[i:i + batch_size]).sum()
    model.train(was_training)
    n = max(1, len(x))
    return total_loss.item() / n, correct.item() / n


def train(model: nn.Module, data: Dataset, settings: TrainSettings, *, seed: int = 0, label: str = "",
          probes: Sequence[Probe] = (), on_progress: Callable[[Progress], None] | None = None,
          keep_weights: bool = False, run_index: int = 0, n_runs: int = 1,
          optimizer: Callable[[list[nn.Parameter]], torch.optim.Optimizer] | None = None) -> TrainResult:
    """Train `model` on `data` (already on its device) and return the run as DataFrames.

    Runs with the same seed see the same batches in the same order, so models built with the
    same seed (see core.seeding) differ only in what the lesson varies. `optimizer` builds any
    torch.optim optimizer from the parameters (default: the one `settings` names). Raises
    core.budget.TooMuchTraining, before any step, if `n_runs` runs like this one exceed the budget.
    """
    device = data.device
    model.to(device).train()
    n = len(data.y_train)
    bs = min(settings.batch_size, n)
    per_epoch = math.ceil(n / bs)
    total = per_epoch * settings.epochs
    check_budget(model, data.x_train[:1], n * settings.epochs, total, n_runs)
    params = list(model.parameters())
    optimizer = optimizer(params) if optimizer is not None else make_optimizer(params, settings)
    losses = torch.empty(total, device=device)
    for p in probes:
        p.attach(model, total)
    generator = torch.Generator().manual_seed(seed)

    step_rows: list[pd.DataFrame] = []
    epoch_rows: list[dict] = []
    diverged_at: int | None = None
    synced = 0  # steps whose losses are already on the host

    def sync(upto: int, epoch: int) -> bool:
        """Copy losses [synced, upto) to the host; False (and record the step) if one is not finite."""
        nonlocal synced, diverged_at
        chunk = losses[synced:upto].cpu()
        bad = (~torch.isfinite(chunk)).nonzero()
        if len(bad):
            upto = synced + int(bad[0])
            chunk = chunk[: upto - synced]
            diverged_at = upto + 1
        step_rows.append(pd.DataFrame({"step": range(synced + 1, upto + 1), "epoch": epoch,
                                       "loss": chunk.numpy()}))
        synced = upto
        return diverged_at is None

    def report(step: int, epoch: int) -> None:
        if on_progress is not None:
            on_progress(Progress(label, step, total, epoch, _concat(step_rows, ["step", "epoch", "loss"]),
                                 pd.DataFrame(epoch_rows, columns=EPOCH_COLUMNS), diverged_at,
                                 run_index, n_runs, tuple(probes)))

    start = time.perf_counter()
    step = 0
    epoch = 0
    try:
        for epoch in range(1, settings.epochs + 1):
            epoch_start = step
            order = torch.randperm(n, generator=generator).to(device)
            for b in range(per_epoch):
                idx = order[b * bs:(b + 1) * bs]
                for p in probes:
                    p.begin_step(step)
                # index_select copies whole rows: about 3x faster than x[idx] for a CPU batch
                loss = F.cross_entropy(model(data.x_train.index_select(0, idx)), data.y_train.index_select(0, idx))
                optimizer.zero_grad(set_to_none=True)
                loss.backward()
                for p in probes:
                    p.after_backward()
                optimizer.step()
                losses[step] = loss.detach()
                step += 1
                if step % settings.log_every == 0 and b + 1 < per_epoch:
                    if not sync(step, epoch):
                        break
                    report(step, epoch)
            if diverged_at is None:
                sync(step, epoch)
            if diverged_at is not None:
                break
            val_loss, val_acc = evaluate(model, data.x_val, data.y_val)
            epoch_rows.append({"epoch": epoch, "step": step,
                               "train_loss": losses[epoch_start:step].mean().item(),
                               "val_loss": val_loss, "val_acc": val_acc})
            report(step, epoch)
    finally:
        for p in probes:
            p.detach()
    if diverged_at is not None:
        report(synced, epoch)
    seconds = time.perf_counter() - start
    return TrainResult(
        label=label, device=str(device.type),
        steps=_concat(step_rows, ["step", "epoch", "loss"]),
        epochs=pd.DataFrame(epoch_rows, columns=EPOCH_COLUMNS),
        probes={type(p).__name__: p.frame(synced) for p in probes},
        diverged_at=diverged_at, seconds=seconds, samples_seen=step * bs,
        state_dict={k: v.detach().cpu().clone() for k, v in model.state_dict().items()} if keep_weights else None,
    )


EPOCH_COLUMNS = ["epoch", "step", "train_loss", "val_loss", "val_acc"]


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
