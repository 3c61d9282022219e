"""The momentum lesson's experiments: gradient descent with momentum on loss surfaces and on a real network.

- `trajectories`: the real `torch.optim.SGD` run on a 2-parameter (or 1-parameter) tensor, once
  per momentum value, with divergence stopping a run cleanly, and seeded gradient noise σ·N(0, 1)
  added to the gradient before each step (the same draws for every β).
- `loss_noise_gap`: the course lab's way of adding noise (to the loss value) changes nothing.
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
from core.format import number
from core.lessons.momentum.config import MomentumConfig, beta_label
from core.lessons.momentum.surfaces import Surface
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
               nesterov: bool = False, label: str = "", noise: float = 0.0, seed: int = 0,
               loss_noise: float = 0.0) -> Trajectory:
    """Run torch.optim.SGD on a `dim`-parameter float64 tensor from `start` for `steps` updates.

    noise: σ of the gradient noise: σ·N(0, 1) (a torch.Generator seeded by `seed`, so every β sees the
    same draws) is added to ∇L before each `optimizer.step()`. loss_noise: σ·N(0, 1) added to the loss
    value instead, as the course lab does; it carries no gradient, so the path is the noiseless one."""
    w = torch.tensor(list(start)[:surface.dim], dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([w], lr=lr, momentum=beta, nesterov=nesterov and beta > 0)
    draws = torch.Generator().manual_seed(seed)
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
        if loss_noise:
            loss = loss + loss_noise * torch.randn((), generator=draws, dtype=torch.float64)
        loss.backward()
        if noise:
            w.grad.add_(noise * torch.randn(w.shape, generator=draws, dtype=torch.float64))
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
    if config.noise:
        return None  # the hand-written form has no noise
    mine = lesson_form_positions(config.the_surface, config.start, config.lr, run.beta, config.steps)
    n = min(len(mine), len(run.positions))
    return run.label, float(np.abs(mine[:n] - run.positions[:n]).max()), n - 1


def trajectories(config: MomentumConfig, seed: int = 0) -> list[Trajectory]:
    """One run per β of the config; `seed` seeds the gradient noise (unused when config.noise is 0)."""
    surface = config.the_surface
    return [trajectory(surface, config.start, config.lr, beta, config.steps, config.nesterov,
                       noise=config.noise, seed=seed) for beta in config.momenta]


def loss_noise_gap(surface: Surface, start: Sequence[float], lr: float, beta: float, steps: int,
                   sigma: float, seed: int = 0) -> float:
    """Largest |difference| between the positions of a run with σ·N(0, 1) added to the loss value (the
    course lab's "noise") and the noiseless run: 0, since a constant added to L has no gradient."""
    noisy = trajectory(surface, start, lr, beta, steps, loss_noise=sigma, seed=seed)
    plain = trajectory(surface, start, lr, beta, steps)
    n = min(len(noisy.positions), len(plain.positions))
    return float(np.abs(noisy.positions[:n] - plain.positions[:n]).max())


def paths_frame(runs: list[Trajectory], surface: Surface) -> pd.DataFrame:
    """Long frame: run, beta, step, x (, y), loss, gap = loss above the global minimum (>= 1e-12; NaN on
    a surface with no minimum in view)."""
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
    elif surface.points:
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
        row["final loss"] = number(o.final_loss, digits=4)
        if surface.minima:
            row["above global min"] = number(max(o.final_loss - surface.global_loss, 0.0))
        row["final position"] = "(" + ", ".join(number(v, digits=4) for v in o.final_at) + ")"
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




# ---------------------------------------------------------------- the course lab, reproduced

# The course lab's positions (its settings, run with torch.optim.SGD), and how close ours must be.
LAB_REFERENCE = {  # name -> (the lab's value, tolerance, what it is)
    "cubic β = 0": (1.74, 0.005, "w³, plain SGD after 10 updates"),
    "cubic β = 0.9": (-4.10, 0.005, "w³, β = 0.9 after 10 updates"),
    "quartic β = 0": (4.0, 0.005, "quartic, β = 0 after 100 updates"),
    "quartic β = 0.5 lowest": (3.83, 0.005, "quartic, β = 0.5: lowest w on the way"),
    "quartic β = 0.5": (4.0, 0.005, "quartic, β = 0.5 after 100 updates"),
    "quartic β = 0.9": (-2.0, 0.05, "quartic, β = 0.9 after 100 updates (global minimum near −2)"),
    "quartic β = 0.99 lowest": (-3.96, 0.005, "quartic, β = 0.99: lowest w on the way"),
    "quartic β = 0.99 back": (3.8, None, "quartic, β = 0.99: highest w after that (back past 3.8)"),
    "quartic Nesterov β = 0.9": (4.0, 0.005, "quartic, Nesterov β = 0.9 after 100 updates"),
}


def lab_positions() -> dict[str, float]:
    """The course lab's runs, made here with `trajectory` (torch.optim.SGD, float64) on its two
    polynomials with its starts, learning rates and numbers of updates: the names of LAB_REFERENCE."""
    from core.lessons.momentum.formulas import LAB

    cubic, quartic = LAB["lab_cubic"], LAB["lab_quartic"]

    def run(surface: Surface, beta: float, nesterov: bool = False) -> np.ndarray:
        return trajectory(surface, surface.start, surface.lr, beta, surface.steps, nesterov).positions[:, 0]

    c0, c9 = run(cubic, 0.0), run(cubic, 0.9)
    q = {beta: run(quartic, beta) for beta in (0.0, 0.5, 0.9, 0.99)}
    low = int(np.argmin(q[0.99]))
    return {"cubic β = 0": c0[-1], "cubic β = 0.9": c9[-1], "quartic β = 0": q[0.0][-1],
            "quartic β = 0.5 lowest": q[0.5].min(), "quartic β = 0.5": q[0.5][-1], "quartic β = 0.9": q[0.9][-1],
            "quartic β = 0.99 lowest": q[0.99][low], "quartic β = 0.99 back": q[0.99][low:].max(),
            "quartic Nesterov β = 0.9": run(quartic, 0.9, nesterov=True)[-1]}


def lab_agrees(name: str, value: float) -> bool:
    """Whether our `value` for LAB_REFERENCE[name] matches the lab's (rounded as the lab's value is given)."""
    ref, tol, _ = LAB_REFERENCE[name]
    return value > ref if tol is None else abs(value - ref) <= tol


# ---------------------------------------------------------------- everything the page runs

def run_all(config: MomentumConfig, data: Dataset, seed: int) -> None:
    """Every experiment the momentum page runs for `config` (on any data given): the surface runs with
    their outcomes, paths and regime placement, the lesson-form check, the lab's positions and its
    loss-noise check, then the network once per β. Returns nothing; raises what they raise."""
    from core.lessons.momentum import regimes
    from core.lessons.momentum.formulas import LAB
    from core.lessons.momentum.surfaces import surface_grid

    surface = config.the_surface
    runs = trajectories(config, seed)
    found = outcomes(runs, surface)
    paths_frame(runs, surface)
    outcome_table(found, surface)
    surface_grid(surface)
    regimes.run_regimes(found, runs, surface, config.lr, config.nesterov, bool(config.noise))
    lesson_form_check(config, runs)
    lab_positions()
    lab = LAB["lab_quartic"]
    loss_noise_gap(lab, lab.start, lab.lr, 0.9, 10, config.noise or 10.0, seed)
    train_compare(config, data, seed)
