"""The momentum lesson's experiments: gradient descent with momentum on loss surfaces and on a real network.

- `trajectories`: the real `torch.optim.SGD` run on a 2-parameter (or 1-parameter) tensor, once
  per momentum value, with divergence stopping a run cleanly.
- `outcomes` / `outcome_table`: what each run did (escaped the saddle? which minimum? settled when?
  oscillated?), measured from the positions (said in words in `story`).
- `train_compare`: the MNIST MLP trained once per momentum value, same seed and batches.

The config (`MomentumConfig`) is in `config`, the surfaces in `surfaces`, the charts in `charts`; the
sentences, takeaways and Nesterov notes in `story`.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import torch

from core.compare import CompareResult
from core.data import Dataset
from core.lessons.momentum.config import MomentumConfig, beta_label
from core.lessons.momentum.surfaces import SURFACES, Surface
from core.models import MLP
from core.seeding import seeded
from core.training import Progress, train

ESCAPE = 1e3  # a run whose |w| passes this has diverged, even while its loss is still finite
OSCILLATING = 5  # this many direction reversals and a run "oscillates"
MNIST_SIZES = (784, 50, 50, 10)


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


