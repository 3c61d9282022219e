"""The training engine: seeded, device-aware SGD over on-device tensors, with live progress.

Batches are index slices of a seeded permutation of tensors already on the device (no per-sample
DataLoader transforms), the optimizer updates every parameter in one fused kernel (multi-tensor
foreach kernels where the device has no fused ones), and losses stay on the device until a
progress point, so the hot loop never waits on the host. A NaN/inf loss stops the run, reported
as `diverged_at` (the 1-based step of the first bad loss).
"""
from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field
from typing import Callable, Mapping, Sequence

import pandas as pd
import torch
from torch import nn

from core.budget import check_budget
from core.config import Config, check_range
from core.data import Dataset
from core.losses import Loss, get_loss
from core.models import reseed
from core.probes import Probe
from core.threads import cpu_share

OPTIMIZERS = ("sgd", "adam")
MONITORS = ("val_loss", "val_acc")
# (low, high) of the MNIST lessons' training controls: their configs check them (check_train_limits) and
# their widgets use them, so a value a config accepts (from a shared link, say) is never outside its
# widget's range. A lesson with other needs (100 epochs of a tiny network) names its own ranges.
TRAIN_LIMITS: dict[str, tuple[float, float]] = {
    "epochs": (1, 50), "batch_size": (1, 4096), "lr": (0.0001, 100.0), "momentum": (0.0, 0.999)}
# What the engine itself accepts: wider, for lessons on tiny data sets; the budget (core.budget) still
# bounds the work of any one experiment.
ENGINE_LIMITS: dict[str, tuple[float, float]] = {
    "epochs": (1, 5000), "batch_size": (1, 65_536), "lr": (1e-7, 100.0), "momentum": (0.0, 0.999),
    "weight_decay": (0.0, 10.0), "max_norm": (0.0, 1000.0), "activity_l1": (0.0, 10.0),
    "eval_every": (0, 100_000), "patience": (0, 10_000), "log_every": (1, 10_000)}
NAMES = {"epochs": "Epochs", "batch_size": "Batch size", "lr": "Learning rate", "momentum": "Momentum",
         "weight_decay": "Weight decay", "max_norm": "Max-norm", "activity_l1": "Activity penalty",
         "eval_every": "Validation interval", "patience": "Patience", "log_every": "Log interval"}


@dataclass(frozen=True)
class TrainSettings(Config):
    """How to train: the part every lesson's config shares.

    Regularization and validation, all off by default:
    - `weight_decay` λ: L2 weight decay through the optimizer, on weights only (not biases, not batch
      norm's γ, β): each step adds λ·w to a weight's gradient.
    - `max_norm` c > 0: after each step, every unit's incoming weight vector (a row of a Linear weight,
      a kernel of a Conv2d) is rescaled to norm at most c (Srivastava et al. 2014, §5.1).
    - `activity_l1` λ: adds λ · Σ_layers mean over the batch of Σ_units |h| of every hidden activation
      (a model's `acts` modules) to the training loss.
    - `eval_every` k > 0: validate every k steps as well as at each epoch's end (0: each epoch's end only).
    - `eval_train`: at each validation also measure loss and accuracy on the whole training set, in eval mode.
    - `patience` p > 0: early stopping: stop after p validations without a new best `monitor`
      ('val_loss': lowest, 'val_acc': highest); with `restore_best` the weights of the best validation
      are loaded back at the end.
    """

    epochs: int = 3
    batch_size: int = 64
    lr: float = 0.05
    momentum: float = 0.9
    nesterov: bool = False
    optimizer: str = "sgd"
    log_every: int = 25  # steps between progress callbacks (and divergence checks)
    weight_decay: float = 0.0
    max_norm: float = 0.0
    activity_l1: float = 0.0
    eval_every: int = 0
    eval_train: bool = False
    patience: int = 0
    monitor: str = "val_loss"
    restore_best: bool = False

    def validate(self) -> None:
        for name, (low, high) in ENGINE_LIMITS.items():
            check_range(NAMES[name], getattr(self, name), low, high)  # NaN fails it too
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Optimizer must be one of {', '.join(OPTIMIZERS)} (got '{self.optimizer}').")
        if self.nesterov and self.momentum == 0:
            raise ValueError("Nesterov momentum needs a momentum above 0.")
        if self.monitor not in MONITORS:
            raise ValueError(f"Early stopping monitors one of {', '.join(MONITORS)} (got '{self.monitor}').")


def check_train_limits(settings: TrainSettings, limits: Mapping[str, tuple[float, float]] = TRAIN_LIMITS) -> None:
    """Raise ValueError unless each named field of `settings` lies in its (low, high) of `limits`:
    a lesson's config calls this with the ranges its widgets have."""
    for name, (low, high) in limits.items():
        if hasattr(settings, name):
            check_range(NAMES.get(name, name), getattr(settings, name), low, high)


FUSED_DEVICES = ("cpu", "cuda")  # where torch >= 2.4 has fused SGD and Adam kernels


def _param_groups(params: list[nn.Parameter], weight_decay: float) -> list[dict]:
    """Weight decay on weights (2-D and up) only; biases and batch norm's γ, β (1-D) are not decayed."""
    if weight_decay == 0:
        return [{"params": params}]
    decay = [p for p in params if p.dim() > 1]
    rest = [p for p in params if p.dim() <= 1]
    return [g for g in ({"params": decay, "weight_decay": weight_decay}, {"params": rest, "weight_decay": 0.0})
            if g["params"]]


def make_optimizer(params, settings: TrainSettings) -> torch.optim.Optimizer:
    """The configured torch.optim optimizer, fused on CPU and CUDA (per step, one C++ call instead of
    a few multi-tensor ones: about 7% more samples/s for the lessons' MLP on CPU), foreach elsewhere.
    `settings.weight_decay` applies to weights only (see `TrainSettings`)."""
    params = list(params)
    fused = all(p.device.type in FUSED_DEVICES for p in params)
    impl = {"fused": True} if fused else {"foreach": True}
    groups = _param_groups(params, settings.weight_decay)
    if settings.optimizer == "adam":
        return torch.optim.Adam(groups, lr=settings.lr, **impl)
    return torch.optim.SGD(groups, lr=settings.lr, momentum=settings.momentum,
                           nesterov=settings.nesterov, **impl)


EPOCH_COLUMNS = ["epoch", "step", "train_loss", "val_loss", "val_acc"]
EVAL_COLUMNS = ["step", "epoch", "train_loss", "val_loss", "val_acc", "train_eval_loss", "train_acc"]


@dataclass
class TrainResult:
    """Everything one run produced, as tidy DataFrames (one row per observation)."""

    label: str
    device: str
    steps: pd.DataFrame  # step, epoch, loss (every training step)
    epochs: pd.DataFrame  # epoch, step, train_loss, val_loss, val_acc (at each epoch's end)
    probes: dict[str, pd.DataFrame] = field(default_factory=dict)
    diverged_at: int | None = None
    seconds: float = 0.0
    samples_seen: int = 0
    state_dict: dict[str, torch.Tensor] | None = None  # final weights on the CPU, when asked for
    loss: str = "cross_entropy"  # the name of the core.losses.Loss it trained with
    # every validation: step, epoch (fractional: steps / steps per epoch), train_loss (mean batch loss
    # since the previous validation), val_loss, val_acc, and with eval_train train_eval_loss, train_acc
    evals: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=EVAL_COLUMNS))
    stopped_at: int | None = None  # early stopping ended the run after this step
    best: dict | None = None  # the evals row of the best validation (when early stopping was on)
    restored: bool = False  # the final weights are those of `best`

    @property
    def samples_per_s(self) -> float:
        return self.samples_seen / self.seconds if self.seconds > 0 else float("nan")

    @property
    def final_val_acc(self) -> float:
        """Validation accuracy of the final weights (the restored best ones, where restored); NaN if none."""
        if self.restored and self.best is not None:
            return float(self.best["val_acc"])
        return float(self.epochs["val_acc"].iloc[-1]) if len(self.epochs) else float("nan")

    @property
    def status(self) -> str:
        if self.diverged_at:
            return f"diverged at step {self.diverged_at}"
        if self.stopped_at:
            return f"stopped early after step {self.stopped_at}"
        return "finished"


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
    evals: pd.DataFrame | None = None

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


# Examples per forward pass when evaluating. Memory, not speed, sets it: the lesson CNN's first feature
# maps take 50 kB per image (16 × 28 × 28 float32), twice over while ReLU copies them. Evaluating MNIST's
# 2,000 validation images raised the process's peak RSS by 191 MB in one pass, 91 MB at 500 and 34 MB at
# 250 per pass (measured on the 2-core machine named in README.md).
EVAL_BATCH = 250


@torch.no_grad()
def evaluate(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch_size: int = EVAL_BATCH,
             loss: str | Loss = "cross_entropy") -> tuple[float, float]:
    """(mean loss per example, accuracy in [0, 1]) of the model in eval mode on (x, y), `batch_size`
    examples at a time; the accuracy is NaN for a regression loss and both are NaN for no examples.
    Restores the previous mode."""
    loss = get_loss(loss)
    was_training = model.training
    model.eval()
    total_loss = torch.zeros((), device=x.device, dtype=torch.float64)
    correct = torch.zeros((), device=x.device, dtype=torch.float64)
    for i in range(0, len(x), batch_size):
        out, target = model(x[i:i + batch_size]), y[i:i + batch_size]
        total_loss += loss(out, target).double() * len(target)
        correct += loss.correct(out, target).double()
    model.train(was_training)
    n = len(x)
    if n == 0:
        return float("nan"), float("nan")
    return total_loss.item() / n, correct.item() / n


def has_batch_norm(model: nn.Module) -> bool:
    return any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in model.modules())


def batch_sizes(n: int, batch_size: int, batch_norm: bool = False) -> list[int]:
    """The sizes of one epoch's batches for n examples: full batches of `batch_size`, then the rest.
    With batch norm a lone last example is added to the batch before it (batch norm cannot normalise
    one value: PyTorch raises 'Expected more than 1 value per channel when training').
    Raises ValueError for no examples, or for batch norm with batches of one example."""
    if n < 1:
        raise ValueError("There are no training examples to train on.")
    bs = min(batch_size, n)
    if batch_norm and bs < 2:
        raise ValueError("Batch norm cannot normalise a batch of one example: use a batch size of at least 2"
                         + (" and at least 2 training examples." if n < 2 else "."))
    sizes = [bs] * (n // bs) + ([n % bs] if n % bs else [])
    if batch_norm and sizes[-1] == 1:
        sizes = sizes[:-2] + [sizes[-2] + 1]
    return sizes


def train(model: nn.Module, data: Dataset, settings: TrainSettings, *, seed: int = 0, label: str = "",
          probes: Sequence[Probe] = (), on_progress: Callable[[Progress], None] | None = None,
          keep_weights: bool = False, run_index: int = 0, n_runs: int = 1,
          optimizer: Callable[[list[nn.Parameter]], torch.optim.Optimizer] | None = None,
          loss: str | Loss = "cross_entropy") -> TrainResult:
    """Train `model` on `data` (already on its device) and return the run as DataFrames.

    Runs with the same seed see the same batches in the same order, so models built with the
    same seed (see core.seeding) differ only in what the lesson varies. `loss` names a core.losses
    loss (cross-entropy by default; the data's targets must be of its kind). `optimizer` builds any
    torch.optim optimizer from the parameters (default: the one `settings` names). A NaN or infinite
    loss stops the run (`diverged_at`). Raises core.budget.TooMuchTraining, before any step, if
    `n_runs` runs like this one exceed the budget, and ValueError for data that cannot be batched
    (see `batch_sizes`).
    """
    loss_fn = get_loss(loss)
    device = data.device
    model.to(device).train()
    reseed(model, seed)  # dropout and input noise: the same seed, the same masks
    n = len(data.y_train)
    sizes = batch_sizes(n, settings.batch_size, has_batch_norm(model))
    starts = [0, *itertools.accumulate(sizes)]
    per_epoch = len(sizes)
    total = per_epoch * settings.epochs
    check_budget(model, data.x_train[:1], n * settings.epochs, total, n_runs)
    params = list(model.parameters())
    optimizer = optimizer(params) if optimizer is not None else make_optimizer(params, settings)
    losses = torch.empty(total, device=device)
    for p in probes:
        p.attach(model, total)
    activity = _ActivityPenalty(model, settings.activity_l1)
    constrained = [m.weight for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))] \
        if settings.max_norm > 0 else []
    generator = torch.Generator().manual_seed(seed)

    step_rows: list[pd.DataFrame] = []
    epoch_rows: list[dict] = []
    eval_rows: list[dict] = []
    diverged_at: int | None = None
    stopped_at: int | None = None
    synced = 0  # steps whose losses are already on the host
    since_eval = 0  # first step after the previous validation
    best: dict | None = None
    best_state: dict[str, torch.Tensor] | None = None
    waited = 0  # validations without a new best

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

    def validate(step: int) -> dict:
        """Validate (and with eval_train measure the training set) after `step`; track the best."""
        nonlocal since_eval, best, best_state, waited
        val_loss, val_acc = evaluate(model, data.x_val, data.y_val, loss=loss_fn)
        row = {"step": step, "epoch": step / per_epoch,
               "train_loss": losses[since_eval:step].double().mean().item() if step > since_eval else float("nan"),
               "val_loss": val_loss, "val_acc": val_acc, "train_eval_loss": float("nan"), "train_acc": float("nan")}
        if settings.eval_train:
            row["train_eval_loss"], row["train_acc"] = evaluate(model, data.x_train, data.y_train, loss=loss_fn)
        eval_rows.append(row)
        since_eval = step
        if settings.patience:
            value = row[settings.monitor]
            better = best is None or (value < best[settings.monitor] if settings.monitor == "val_loss"
                                      else value > best[settings.monitor])
            if better and math.isfinite(value):
                best, waited = dict(row), 0
                if settings.restore_best:
                    best_state = {k: v.detach().clone() for k, v in model.state_dict().items()}
            else:
                waited += 1
        return row

    def report(step: int, epoch: int) -> None:
        if on_progress is not None:
            on_progress(Progress(label, step, total, epoch, _concat(step_rows, ["step", "epoch", "loss"]),
                                 pd.DataFrame(epoch_rows, columns=EPOCH_COLUMNS), diverged_at,
                                 run_index, n_runs, tuple(probes), pd.DataFrame(eval_rows, columns=EVAL_COLUMNS)))

    start = time.perf_counter()
    step = 0
    epoch = 0
    sharing = cpu_share()  # concurrent runs split the cores instead of fighting over them
    share = sharing.__enter__()
    try:
        for epoch in range(1, settings.epochs + 1):
            epoch_start = step
            order = torch.randperm(n, generator=generator).to(device)
            for b in range(per_epoch):
                idx = order[starts[b]:starts[b + 1]]
                share.follow()
                for p in probes:
                    p.begin_step(step)
                # index_select copies whole rows: about 3x faster than x[idx] for a CPU batch
                out = model(data.x_train.index_select(0, idx))
                batch_loss = loss_fn(out, data.y_train.index_select(0, idx))
                objective = batch_loss + activity.take() if activity.on else batch_loss
                optimizer.zero_grad(set_to_none=True)
                objective.backward()
                for p in probes:
                    p.after_backward()
                optimizer.step()
                if constrained:
                    _renorm(constrained, settings.max_norm)
                losses[step] = batch_loss.detach()
                step += 1
                last = b + 1 == per_epoch
                evaluating = settings.eval_every and step % settings.eval_every == 0 and not last
                if (step % settings.log_every == 0 or evaluating) and not last:
                    if not sync(step, epoch):
                        break
                    if evaluating:
                        validate(step)
                        if settings.patience and waited >= settings.patience:
                            stopped_at = step
                            break
                    report(step, epoch)
            if diverged_at is None and stopped_at is None:
                sync(step, epoch)
            if diverged_at is not None:
                break
            if stopped_at is None:
                row = validate(step)
                epoch_rows.append({"epoch": epoch, "step": step,
                                   "train_loss": losses[epoch_start:step].mean().item(),
                                   "val_loss": row["val_loss"], "val_acc": row["val_acc"]})
                if settings.patience and waited >= settings.patience and epoch < settings.epochs:
                    stopped_at = step
            report(step, epoch)
            if stopped_at is not None:
                break
    finally:
        sharing.__exit__(None, None, None)
        for p in probes:
            p.detach()
        activity.detach()
    if diverged_at is not None:
        report(synced, epoch)
    restored = False
    if best_state is not None and diverged_at is None:
        model.load_state_dict(best_state)
        restored = True
    seconds = time.perf_counter() - start
    return TrainResult(
        label=label, device=str(device.type),
        steps=_concat(step_rows, ["step", "epoch", "loss"]),
        epochs=pd.DataFrame(epoch_rows, columns=EPOCH_COLUMNS),
        probes={type(p).__name__: p.frame(synced) for p in probes},
        diverged_at=diverged_at, seconds=seconds, samples_seen=starts[-1] * (step // per_epoch) + starts[step % per_epoch],
        state_dict={k: v.detach().cpu().clone() for k, v in model.state_dict().items()} if keep_weights else None,
        loss=loss_fn.name, evals=pd.DataFrame(eval_rows, columns=EVAL_COLUMNS), stopped_at=stopped_at,
        best=best, restored=restored,
    )


@torch.no_grad()
def _renorm(weights: list[torch.Tensor], c: float) -> None:
    """Each output unit's incoming weights (dim 0 slices) rescaled to L2 norm at most c, in place."""
    for w in weights:
        w.copy_(torch.renorm(w, p=2, dim=0, maxnorm=c))


class _ActivityPenalty:
    """λ · Σ_layers mean over the batch of Σ_units |h| of the hidden activations of this forward pass,
    read by forward hooks on the model's `acts` modules (only while λ > 0)."""

    def __init__(self, model: nn.Module, weight: float):
        self.weight, self.terms, self.handles = weight, [], []
        self.device = next(model.parameters()).device
        self.on = weight > 0
        if self.on:
            for act in getattr(model, "acts", []):
                self.handles.append(act.register_forward_hook(
                    lambda _m, _i, out: self.terms.append(out.abs().flatten(1).sum(1).mean())))

    def take(self) -> torch.Tensor:
        total = self.weight * torch.stack(self.terms).sum() if self.terms else torch.zeros((), device=self.device)
        self.terms = []
        return total

    def detach(self) -> None:
        for h in self.handles:
            h.remove()
        self.handles = []


def _concat(frames: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=columns)
