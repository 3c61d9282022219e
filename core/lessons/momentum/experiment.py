"""Lesson: gradient descent with momentum, on loss surfaces and on a real network.

- `MomentumConfig`: the lesson's state; the surfaces themselves live in `surfaces`.
- `trajectories`: the real `torch.optim.SGD` run on a 2-parameter (or 1-parameter) tensor, once
  per momentum value, with divergence stopping a run cleanly.
- `outcomes` / `outcome_table` / `describe`: what each run did (escaped the saddle? which minimum?
  settled when? oscillated?), measured from the positions, and said in words from those numbers.
- `train_compare`: the MNIST MLP trained once per momentum value, same seed and batches.

Charts are in `charts`; the takeaways and the Nesterov notes in `story`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import torch

from core.config import Config, check_range
from core.data import Dataset
from core.compare import CompareResult
from core.lessons.momentum.surfaces import START_LIMIT, SURFACES, Surface
from core.models import MLP
from core.seeding import seeded
from core.training import Progress, TrainSettings, train

MAX_RUNS = 6  # momentum values compared at once
MAX_STEPS = 3000
LR_LIMITS = (0.00001, 10.0)  # the surfaces' learning rate, for config and widget
ESCAPE = 1e3  # a run whose |w| passes this has diverged, even while its loss is still finite
OSCILLATING = 5  # this many direction reversals and a run "oscillates"
MNIST_SIZES = (784, 50, 50, 10)


# ---------------------------------------------------------------- config

def beta_label(beta: float) -> str:
    return f"β = {beta:g}"


@dataclass(frozen=True)
class MomentumConfig(Config):
    surface: str = "two_minima"
    momenta: tuple[float, ...] = (0.0, 0.5, 0.9)
    nesterov: bool = False
    lr: float = 0.05
    steps: int = 200
    x0: float = 2.0
    y0: float = 0.0
    train_lr: float = 0.01
    epochs: int = 3
    batch_size: int = 64

    def validate(self) -> None:
        if self.surface not in SURFACES:
            raise ValueError(f"Unknown surface '{self.surface}'. Choose one of {', '.join(SURFACES)}.")
        if not self.momenta:
            raise ValueError("Give at least one momentum value β, e.g. 0, 0.5, 0.9.")
        if len(self.momenta) > MAX_RUNS:
            raise ValueError(f"Compare at most {MAX_RUNS} momentum values at once (got {len(self.momenta)}).")
        for beta in self.momenta:
            if not math.isfinite(beta):
                raise ValueError("Momentum values must be finite numbers.")
            check_range("Momentum β", beta, 0.0, 0.999)
        if len({beta_label(b) for b in self.momenta}) != len(self.momenta):
            raise ValueError("Each momentum value can be given once.")
        check_range("Learning rate", self.lr, *LR_LIMITS)  # NaN fails it too
        check_range("Steps", self.steps, 1, MAX_STEPS)
        for name, value in (("Start x", self.x0), ("Start y", self.y0)):
            if not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number.")
            check_range(name, value, -START_LIMIT, START_LIMIT)
        for beta in self.momenta:
            self.train_settings(beta)  # validates the training learning rate, epochs, batch size

    @classmethod
    def for_surface(cls, key: str, **changes) -> "MomentumConfig":
        """The defaults with this surface's own start, learning rate and number of steps."""
        return cls(**{"surface": key, **SURFACES[key].preset, **changes})

    @classmethod
    def from_query(cls, params, ignore=()):
        """As Config.from_query, but a surface named in the URL brings its own start, learning rate
        and steps, unless the URL gives those too."""
        config, messages = super().from_query(params, ignore)
        given = set(params)
        if "surface" in given and config.surface != cls.surface:
            rejected = {k for k in given if any(m.startswith(f"Ignored URL parameter {k}=") for m in messages)}
            config = config.replace(**{k: v for k, v in SURFACES[config.surface].preset.items()
                                       if k not in given or k in rejected})
        return config, messages

    def train_settings(self, beta: float) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.train_lr,
                             momentum=beta, nesterov=self.nesterov and beta > 0, log_every=25)

    @property
    def start(self) -> tuple[float, ...]:
        return (self.x0,) if SURFACES[self.surface].dim == 1 else (self.x0, self.y0)

    @property
    def labels(self) -> list[str]:
        return [beta_label(b) for b in self.momenta]


# ---------------------------------------------------------------- trajectories

@dataclass
class Trajectory:
    label: str
    beta: float
    nesterov: bool
    positions: np.ndarray  # (steps + 1, dim): w_0 .. w_N, fewer rows if the run diverged
    losses: np.ndarray  # L(w_k)
    diverged_at: int | None = None  # the update that made w or L non-finite or |w| > ESCAPE


def trajectory(surface: Surface, start: Sequence[float], lr: float, beta: float, steps: int,
               nesterov: bool = False, label: str = "") -> Trajectory:
    """Run torch.optim.SGD on a `dim`-parameter float64 tensor from `start` for `steps` updates."""
    w = torch.tensor(list(start)[:surface.dim], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr, momentum=beta, nesterov=nesterov and beta > 0)
    positions = np.empty((steps + 1, surface.dim))
    losses = np.empty(steps + 1)
    diverged_at = None
    n = 0
    for k in range(steps + 1):
        loss = surface(w)
        value = loss.item() if loss.numel() == 1 else float("nan")
        at = w.detach().numpy()
        if not (math.isfinite(value) and np.isfinite(at).all() and np.abs(at).max() <= ESCAPE):
            diverged_at = k
            break
        positions[k], losses[k] = at, value
        n = k + 1
        if k == steps:
            break
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
    return Trajectory(label or beta_label(beta), beta, nesterov and beta > 0, positions[:n], losses[:n], diverged_at)


def lesson_form_positions(surface: Surface, start: Sequence[float], lr: float, beta: float,
                          steps: int) -> np.ndarray:
    """The lesson's form of the same method, written out: v <- beta v - lr g, w <- w + v."""
    w = torch.tensor(list(start)[:surface.dim], dtype=torch.float64)
    v = torch.zeros_like(w)
    out = [w.numpy().copy()]
    for _ in range(steps):
        x = w.clone().requires_grad_(True)
        (g,) = torch.autograd.grad(surface(x), x)
        v = beta * v - lr * g
        w = w + v
        if not torch.isfinite(w).all() or w.abs().max() > ESCAPE:
            break
        out.append(w.numpy().copy())
    return np.array(out)


def lesson_form_check(config: MomentumConfig, runs: list[Trajectory]) -> tuple[str, float, int] | None:
    """(label, largest |difference|, steps compared) between torch's run with the largest heavy-ball β
    and the lesson's form written out; None when no run uses heavy-ball momentum without diverging."""
    moving = [r for r in runs if r.beta > 0 and not r.nesterov and r.diverged_at is None]
    if not moving:
        return None
    run = max(moving, key=lambda r: r.beta)
    mine = lesson_form_positions(SURFACES[config.surface], config.start, config.lr, run.beta, config.steps)
    n = min(len(mine), len(run.positions))
    return run.label, float(np.abs(mine[:n] - run.positions[:n]).max()), n - 1


def trajectories(config: MomentumConfig) -> list[Trajectory]:
    surface = SURFACES[config.surface]
    return [trajectory(surface, config.start, config.lr, beta, config.steps, config.nesterov)
            for beta in config.momenta]


def paths_frame(runs: list[Trajectory], surface: Surface) -> pd.DataFrame:
    """Long frame: run, beta, step, x (, y), loss, gap = loss above the global minimum (>= 1e-12)."""
    frames = []
    for r in runs:
        df = pd.DataFrame({"run": r.label, "beta": r.beta, "step": np.arange(len(r.losses))})
        df["x"] = r.positions[:, 0]
        if surface.dim == 2:
            df["y"] = r.positions[:, 1]
        df["loss"] = r.losses
        df["gap"] = np.maximum(r.losses - surface.global_loss, 1e-12)
        frames.append(df)
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------- outcomes

@dataclass
class Outcome:
    label: str
    ended_in: str  # a critical point's kind, "still on the plateau", "no minimum yet" or "diverged"
    escaped: str | None  # saddle: "yes" / "no" / "never near"; None where the surface has none
    escaped_at: int | None  # the step it left the saddle's neighbourhood for good
    final_loss: float
    final_at: tuple[float, ...]
    settled_at: int | None  # first step from which it stays within tol of the minimum it ended in
    reversals: int  # updates pointing back against the previous one (angle > 90 degrees)
    diverged_at: int | None
    steps: int
    beta: float = 0.0
    close_to: str | None = None  # within `radius` of this critical point, but its loss is not yet near

    @property
    def oscillated(self) -> bool:
        return self.reversals >= OSCILLATING


def _distances(positions: np.ndarray, at: Sequence[float]) -> np.ndarray:
    return np.linalg.norm(positions - np.asarray(at), axis=1)


def count_reversals(positions: np.ndarray, eps: float = 1e-9) -> int:
    d = np.diff(positions, axis=0)
    if len(d) < 2:
        return 0
    moving = (np.linalg.norm(d[1:], axis=1) > eps) & (np.linalg.norm(d[:-1], axis=1) > eps)
    return int(((np.sum(d[1:] * d[:-1], axis=1) < 0) & moving).sum())


def outcome(run: Trajectory, surface: Surface) -> Outcome:
    pos = run.positions
    final = pos[-1]
    ended_in, settled_at, close_to = "no minimum yet", None, None
    if run.diverged_at is not None:
        ended_in = "diverged"
    else:
        near = [(float(np.linalg.norm(final - np.asarray(p.at))), p) for p in surface.points]
        dist, point = min(near, key=lambda t: t[0])
        if dist <= surface.radius and abs(run.losses[-1] - surface.loss_at(point.at)) > surface.loss_tol:
            close_to = point.kind  # close by, but its loss says it is still bouncing on the walls
        elif dist <= surface.radius:
            ended_in = point.kind
            if point in surface.minima:
                inside = _distances(pos, point.at) <= surface.tol
                if inside[-1]:
                    outside = np.flatnonzero(~inside)
                    settled_at = int(outside[-1] + 1) if len(outside) else 0
        elif surface.plateau is not None and run.losses[-1] >= surface.plateau:
            ended_in = "still on the plateau"
    escaped = escaped_at = None
    if surface.saddles:
        close = np.any([_distances(pos, s.at) <= surface.radius for s in surface.saddles], axis=0)
        if run.diverged_at is not None:
            escaped = "— (diverged)"
        elif not close.any():
            escaped = "never near"
        elif close[-1]:
            escaped = "no"
        else:
            escaped, escaped_at = "yes", int(np.flatnonzero(close)[-1] + 1)
    return Outcome(run.label, ended_in, escaped, escaped_at, float(run.losses[-1]),
                   tuple(float(v) for v in final), settled_at, count_reversals(pos), run.diverged_at,
                   len(pos) - 1, run.beta, close_to)


def outcomes(runs: list[Trajectory], surface: Surface) -> list[Outcome]:
    return [outcome(r, surface) for r in runs]


def came_near_saddle(found: list[Outcome]) -> bool:
    return any(o.escaped in ("yes", "no") for o in found)


ENDED = {"saddle point": "stalled at the saddle", "diverged": "— (diverged)"}


def outcome_table(found: list[Outcome], surface: Surface) -> pd.DataFrame:
    """One row per run, for the page's table. The saddle column only shows where some run came near it."""
    rows = []
    for o in found:
        row = {"run": o.label, "ended in": ENDED.get(o.ended_in, o.ended_in)}
        if came_near_saddle(found):
            row["escaped the saddle"] = (f"yes, step {o.escaped_at}" if o.escaped == "yes" else o.escaped)
        row["final loss"] = o.final_loss
        row["above global min"] = max(o.final_loss - surface.global_loss, 0.0)
        row["final position"] = "(" + ", ".join(f"{v:.3f}" for v in o.final_at) + ")"
        row[f"steps to within {surface.tol:g}"] = (str(o.settled_at) if o.settled_at is not None
                                                   else "—" if o.diverged_at is not None else "not yet")
        row["reversals"] = o.reversals
        row["diverged"] = f"at step {o.diverged_at}" if o.diverged_at is not None else "no"
        rows.append(row)
    return pd.DataFrame(rows)


def describe(found: list[Outcome], surface: Surface) -> list[str]:
    """One sentence per run saying what it did, built from its numbers."""
    out = []
    for o in found:
        name = f"**{o.label}**"
        if o.ended_in == "diverged":
            out.append(f"{name} diverged at step {o.diverged_at}: its steps grew until it left the surface "
                       f"(|w| > {ESCAPE:g}) or the loss stopped being finite. A smaller learning rate or "
                       "momentum keeps it on the surface.")
            continue
        saddle = ""
        if o.escaped == "yes":
            saddle = f" got past the saddle point (for good from step {o.escaped_at}) and"
        if o.ended_in == "saddle point":
            text = (f"{name} stalled at the saddle point: after {o.steps} steps it is still within "
                    f"{surface.radius:g} of it (loss {o.final_loss:.3f}).")
        elif o.ended_in.endswith("minimum"):
            where = f"the **{o.ended_in}**"
            when = (f", within {surface.tol:g} of it from step {o.settled_at}" if o.settled_at is not None
                    else f", but after {o.steps} steps it is still not within {surface.tol:g} of it")
            text = f"{name}{saddle} ended in {where} (loss {o.final_loss:.3f}){when}"
            if o.oscillated:
                text += (f"; it overshot and oscillated on the way, reversing direction {o.reversals} times")
            text += "."
        elif o.ended_in == "still on the plateau":
            text = (f"{name} is still on the plateau after {o.steps} steps (loss {o.final_loss:.3f}): "
                    "the gradient there is too small to move it far.")
        else:
            text = (f"{name}{saddle} has not reached a minimum after {o.steps} steps "
                    f"(loss {o.final_loss:.3f}, {o.final_loss - surface.global_loss:.3g} above the global minimum)")
            if o.close_to:
                text += (f": it is within {surface.radius:g} of the {o.close_to}, but its loss is still more than "
                         f"{surface.loss_tol:g} above the loss there")
            if o.oscillated:
                text += f"; it reversed direction {o.reversals} times"
            text += "."
        out.append(text)
    return out


def verdict(found: list[Outcome]) -> str:
    """All runs in one sentence, e.g. "β = 0 stayed in the local minimum; β = 0.5 reached ..."."""
    parts = []
    for o in found:
        phrase = {"local minimum": "stayed in the local minimum", "saddle point": "stalled at the saddle point",
                  "still on the plateau": "is still on the plateau", "diverged": f"diverged at step {o.diverged_at}",
                  "no minimum yet": "has not reached a minimum yet"}.get(o.ended_in, f"reached the {o.ended_in}")
        if o.ended_in.endswith("minimum") and o.oscillated:
            phrase += f" but overshot and oscillated ({o.reversals} reversals)"
        if o.ended_in.endswith("minimum") and o.settled_at is not None:
            phrase += f", settling by step {o.settled_at}"
        parts.append(f"**{o.label}** {phrase}")
    return "; ".join(parts) + "."


# ---------------------------------------------------------------- MNIST

def train_compare(config: MomentumConfig, data: Dataset, seed: int,
                  on_progress: Callable[[Progress], None] | None = None) -> CompareResult:
    """The MLP 784-50-50-10 trained once per momentum value: same seed, batches and initial weights."""
    runs = {}
    for i, beta in enumerate(config.momenta):
        label = beta_label(beta)
        model = seeded(seed, lambda: MLP(list(MNIST_SIZES), "relu"))
        runs[label] = train(model, data, config.train_settings(beta), seed=seed, label=label,
                            on_progress=on_progress, run_index=i, n_runs=len(config.momenta))
    return CompareResult(runs)


def training_takeaway(result: CompareResult | None) -> str:
    """What the page's own MNIST run showed, in one sentence: every run's accuracy, in the order of β."""
    if result is None:
        return "Press **Train** to see how momentum changes the speed of learning on real data."
    table = result.summary("momentum")
    done = table.dropna(subset=["val. accuracy"])
    if done.empty:
        return "Every run diverged before its first epoch ended: try a smaller learning rate."
    scores = ", ".join(f"**{row['momentum']}** {row['val. accuracy']:.1%}" for _, row in done.iterrows())
    epochs = int(result.epochs["epoch"].max())
    text = (f"On real data, with the same weights and batches, validation accuracy after {epochs} "
            f"epoch{'s' if epochs != 1 else ''}: {scores}.")
    failed = [row["momentum"] for _, row in table.iterrows() if row["status"] != "finished"]
    if failed:
        text += f" Diverged: {', '.join(failed)}."
    return text
