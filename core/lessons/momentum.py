"""Lesson: gradient descent with momentum, on loss surfaces and on a real network.

- `SURFACES`: 2-D torch functions (a saddle, a local minimum beside a deeper global one, a flat
  plateau, a narrow ill-conditioned valley, Rosenbrock) and the lesson's 1-D curve with a saddle
  point and a local minimum, each with its critical points and a start that tells its story.
- `trajectories`: the real `torch.optim.SGD` run on a 2-parameter (or 1-parameter) tensor, once
  per momentum value, with divergence stopping a run cleanly.
- `outcomes` / `outcome_table` / `describe`: what each run did (escaped the saddle? which minimum?
  settled when? oscillated?), measured from the positions, and said in words from those numbers.
- Chart builders: the surface as banded contours with the paths and a step scrubber that runs in
  the browser, loss versus step, and the 1-D curve with its "balls".
- `train_compare`: the MNIST MLP trained once per momentum value, same seed and batches.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import altair as alt
import numpy as np
import pandas as pd
import torch

from core.config import Config, check_range
from core.data import Dataset
from core.lessons.compare import CompareResult
from core.models import MLP
from core.palette import color_scale
from core.seeding import seeded
from core.training import Progress, TrainSettings, train

MAX_RUNS = 6  # momentum values compared at once
MAX_STEPS = 3000
START_LIMIT = 5.0  # |x0|, |y0| (every surface's view lies inside this box)
ESCAPE = 1e3  # a run whose |w| passes this has diverged, even while its loss is still finite
BANDS = 16  # contour bands on the surface map
OSCILLATING = 5  # this many direction reversals and a run "oscillates"
MNIST_SIZES = (784, 50, 50, 10)

Tensor = torch.Tensor


# ---------------------------------------------------------------- surfaces

@dataclass(frozen=True)
class CriticalPoint:
    kind: str  # "global minimum", "local minimum" or "saddle point"
    at: tuple[float, ...]

    @property
    def short(self) -> str:
        return {"global minimum": "global min", "local minimum": "local min"}.get(self.kind, "saddle")


@dataclass(frozen=True, eq=False)
class Surface:
    """A loss surface L(w) for w of `dim` parameters, with what the lesson needs to read a run on it."""

    key: str
    label: str
    dim: int
    fn: Callable[[Tensor], Tensor]  # w[..., dim] -> loss[...]
    formula: str  # LaTeX
    about: str  # one sentence for the page
    x_range: tuple[float, float]
    y_range: tuple[float, float] | None  # None for a 1-D curve
    points: tuple[CriticalPoint, ...]
    start: tuple[float, float]  # (x0, y0); y0 unused in 1-D
    lr: float
    steps: int
    radius: float  # a run ending this close to a critical point ended "in" it
    tol: float  # "settled": stays within this distance of its minimum from then on
    shade: float  # contour bands are equal steps of log(1 + (L - L*) / shade) ...
    top: float  # ... up to L - L* = top; everything higher shares the darkest band
    plateau: float | None = None  # a run ending with loss above this is "still on the plateau"

    def __call__(self, w: Tensor) -> Tensor:
        return self.fn(w)

    @property
    def preset(self) -> dict:
        """What choosing this surface brings with it: a start, learning rate and steps that tell its story."""
        return dict(lr=self.lr, steps=self.steps, x0=self.start[0], y0=self.start[1])

    @property
    def minima(self) -> list[CriticalPoint]:
        return [p for p in self.points if p.kind.endswith("minimum")]

    @property
    def saddles(self) -> list[CriticalPoint]:
        return [p for p in self.points if p.kind == "saddle point"]

    @property
    def global_loss(self) -> float:
        return min(self.loss_at(p.at) for p in self.minima)

    def loss_at(self, at: Sequence[float]) -> float:
        return float(self.fn(torch.tensor(at, dtype=torch.float64)))


def critical_point(fn: Callable[[Tensor], Tensor], guess: Sequence[float], iters: int = 50) -> tuple[float, ...]:
    """Newton's method on the gradient: the critical point (minimum or saddle) nearest `guess`."""
    w = torch.tensor(guess, dtype=torch.float64)
    for _ in range(iters):
        g = torch.autograd.functional.jacobian(fn, w)
        h = torch.autograd.functional.hessian(fn, w)
        step = torch.linalg.solve(h, g)
        w = w - step
        if step.abs().max() < 1e-14:
            break
    return tuple(round(float(v), 12) for v in w)


def _two_minima(w: Tensor) -> Tensor:
    x, y = w[..., 0], w[..., 1]
    return (x ** 2 - 1) ** 2 + 0.5 * x + 0.5 * (y + 0.5 * x) ** 2


def _saddle(w: Tensor) -> Tensor:
    x, y = w[..., 0], w[..., 1]
    return x ** 2 - y ** 2 + y ** 4 / 4


def _plateau(w: Tensor) -> Tensor:
    x, y = w[..., 0], w[..., 1]
    return 1 - torch.exp(-(x ** 2 + y ** 2))


VALLEY_ANGLE = math.radians(-25)
VALLEY_CURVATURES = (0.1, 10.0)  # along and across the valley: condition number 100


def valley_matrix() -> Tensor:
    """A of the valley's L(w) = 1/2 w^T A w: curvatures 0.1 and 10 along axes turned by -25 degrees."""
    c, s = math.cos(VALLEY_ANGLE), math.sin(VALLEY_ANGLE)
    rot = torch.tensor([[c, -s], [s, c]], dtype=torch.float64)
    return rot @ torch.diag(torch.tensor(VALLEY_CURVATURES, dtype=torch.float64)) @ rot.T


_A = valley_matrix()


def _valley(w: Tensor) -> Tensor:
    a = _A.to(w.dtype)
    return 0.5 * torch.einsum("...i,ij,...j->...", w, a, w)


def _rosenbrock(w: Tensor) -> Tensor:
    x, y = w[..., 0], w[..., 1]
    return (1 - x) ** 2 + 100 * (y - x ** 2) ** 2


# The lesson's 1-D curve: L'(x) = (x - s)^2 (x - m1)(x - b)(x - m2), a stationary inflection (a
# saddle point: slope and curvature both 0) at s, a local minimum at m1, a bump at b and the global
# minimum at m2.
LESSON_ROOTS = {"saddle": -1.0, "local": 0.8, "bump": 1.8, "global": 2.75}


def _lesson_coefficients() -> tuple[float, ...]:
    r = LESSON_ROOTS
    slope = np.poly1d([1.0])
    for root in (r["saddle"], r["saddle"], r["local"], r["bump"], r["global"]):
        slope = slope * np.poly1d([1.0, -root])
    curve = slope.integ()
    curve = curve - curve(r["global"])  # the global minimum has loss 0
    return tuple(float(c) for c in curve.coeffs)


LESSON_COEFFS = _lesson_coefficients()


def _lesson(w: Tensor) -> Tensor:
    x = w[..., 0]
    out = torch.zeros_like(x)
    for c in LESSON_COEFFS:  # Horner
        out = out * x + c
    return out


def _two_minima_points() -> tuple[CriticalPoint, ...]:
    kinds = {(-1.0, 0.5): "global minimum", (0.1, -0.05): "saddle point", (1.0, -0.5): "local minimum"}
    return tuple(CriticalPoint(kind, critical_point(_two_minima, guess)) for guess, kind in kinds.items())


SURFACES: dict[str, Surface] = {s.key: s for s in [
    Surface("two_minima", "Local and global minimum", 2, _two_minima,
            r"L(x, y) = (x^2 - 1)^2 + \tfrac12 x + \tfrac12\,(y + \tfrac12 x)^2",
            "Two valleys: a shallow one on the right (the local minimum) and a deeper one on the left "
            "(the global minimum), joined by a mountain pass (a saddle point).",
            (-2.4, 2.4), (-1.4, 2.0), _two_minima_points(), (2.0, 1.5), 0.05, 200,
            radius=0.3, tol=0.05, shade=2.0, top=6.0),
    Surface("saddle", "Saddle point", 2, _saddle,
            r"L(x, y) = x^2 - y^2 + \tfrac14 y^4",
            "Near the origin this is the saddle x² − y²: downhill along y, uphill along x. The y⁴ term "
            "bounds it far out, with a minimum on each side at y = ±√2.",
            (-1.2, 2.4), (-2.0, 2.0),
            (CriticalPoint("saddle point", (0.0, 0.0)), CriticalPoint("global minimum", (0.0, math.sqrt(2))),
             CriticalPoint("global minimum", (0.0, -math.sqrt(2)))), (2.0, 0.01), 0.01, 150,
            radius=0.5, tol=0.05, shade=1.0, top=6.0),
    Surface("plateau", "Flat plateau", 2, _plateau,
            r"L(x, y) = 1 - e^{-(x^2 + y^2)}",
            "A narrow well in a wide, almost flat plateau: far from the well the gradient is tiny.",
            (-2.5, 2.5), (-2.0, 2.0), (CriticalPoint("global minimum", (0.0, 0.0)),), (2.0, 1.5), 0.1, 200,
            radius=0.3, tol=0.05, shade=10.0, top=1.0, plateau=0.9),
    Surface("valley", "Narrow valley (ill-conditioned)", 2, _valley,
            r"L(w) = \tfrac12\, w^\top A\, w,\quad A \text{ with curvatures } 0.1 \text{ and } 10",
            "A long narrow valley: 100 times steeper across than along. Steps big enough to move along "
            "it bounce from wall to wall.",
            (-4.0, 2.0), (-2.0, 4.0), (CriticalPoint("global minimum", (0.0, 0.0)),), (-3.5, -1.2), 0.15, 200,
            radius=0.3, tol=0.05, shade=0.05, top=80.0),
    Surface("rosenbrock", "Rosenbrock's banana valley", 2, _rosenbrock,
            r"L(x, y) = (1 - x)^2 + 100\,(y - x^2)^2",
            "A curved, flat-bottomed valley: easy to fall into, slow to follow to the minimum at (1, 1).",
            (-2.0, 2.0), (-1.0, 3.0), (CriticalPoint("global minimum", (1.0, 1.0)),), (-1.2, 1.0), 0.0015, 500,
            radius=0.3, tol=0.05, shade=0.5, top=2500.0),
    Surface("lesson", "1-D lesson curve: saddle, local min", 1, _lesson,
            r"L'(x) = (x + 1)^2\,(x - 0.8)\,(x - 1.8)\,(x - 2.75)",
            "Rolling in from the left, the ball meets a saddle point (the slope flattens to zero, then "
            "falls again), then a local minimum, a bump, and the global minimum.",
            (-1.6, 3.15), None,
            (CriticalPoint("saddle point", (LESSON_ROOTS["saddle"],)),
             CriticalPoint("local minimum", (LESSON_ROOTS["local"],)),
             CriticalPoint("global minimum", (LESSON_ROOTS["global"],))), (-1.5, 0.0), 0.03, 300,
            radius=0.15, tol=0.02, shade=1.0, top=10.0),
]}


def surface_grid(surface: Surface, n: int = 70) -> pd.DataFrame:
    """The loss on an n x n grid of cell centres (2-D) or at n * 6 points (1-D), with a contour band."""
    if surface.dim == 1:
        x = torch.linspace(*surface.x_range, n * 6, dtype=torch.float64)
        loss = surface(x[:, None])
        df = pd.DataFrame({"x": x.numpy(), "loss": loss.numpy()})
    else:
        (x0, x1), (y0, y1) = surface.x_range, surface.y_range
        dx, dy = (x1 - x0) / n, (y1 - y0) / n
        xs = torch.linspace(x0 + dx / 2, x1 - dx / 2, n, dtype=torch.float64)
        ys = torch.linspace(y0 + dy / 2, y1 - dy / 2, n, dtype=torch.float64)
        gx, gy = torch.meshgrid(xs, ys, indexing="ij")
        loss = surface(torch.stack([gx, gy], dim=-1))
        df = pd.DataFrame({"x": gx.flatten().numpy().round(5), "y": gy.flatten().numpy().round(5),
                           "loss": loss.flatten().numpy()})
    shade = np.log1p(np.clip(df["loss"] - surface.global_loss, 0, surface.top) / surface.shade)
    df["band"] = np.floor(shade / math.log1p(surface.top / surface.shade) * (BANDS - 0.001)).astype(int)
    return df


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
    y0: float = 1.5
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
        if not (math.isfinite(self.lr) and 0 < self.lr <= 10):
            raise ValueError(f"Learning rate must be a positive number up to 10 (got {self.lr:g}).")
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
    ended_in, settled_at = "no minimum yet", None
    if run.diverged_at is not None:
        ended_in = "diverged"
    else:
        near = [(float(np.linalg.norm(final - np.asarray(p.at))), p) for p in surface.points]
        dist, point = min(near, key=lambda t: t[0])
        if dist <= surface.radius:
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
                   len(pos) - 1)


def outcomes(runs: list[Trajectory], surface: Surface) -> list[Outcome]:
    return [outcome(r, surface) for r in runs]


ENDED = {"saddle point": "stalled at the saddle", "diverged": "— (diverged)"}


def outcome_table(found: list[Outcome], surface: Surface) -> pd.DataFrame:
    """One row per run, for the page's table."""
    rows = []
    for o in found:
        row = {"run": o.label, "ended in": ENDED.get(o.ended_in, o.ended_in)}
        if surface.saddles:
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
                    f"(loss {o.final_loss:.3f}, {o.final_loss - surface.global_loss:.3g} above the global minimum).")
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


# ---------------------------------------------------------------- charts

SCRUB = "shown_step"
PICK = "start_pick"
CONTOUR_RANGE = ["#fcfcfc", "#6a6a6a"]  # low loss light, high loss dark: the coloured paths stay visible


def _scrubber(steps: int) -> alt.Parameter:
    return alt.param(name=SCRUB, value=steps,
                     bind=alt.binding_range(min=0, max=steps, step=1, name="Show the paths up to step "))


def _run_color(order: list[str], legend: bool = True, columns: int | None = None) -> alt.Color:
    """Colour by run; layers other than the one carrying the legend pass legend=False (Vega-Lite
    would draw one legend per mark type otherwise)."""
    shown = alt.Legend(orient="bottom", symbolStrokeWidth=3, symbolOpacity=1,
                       columns=columns or alt.Undefined)
    return alt.Color("run:N", scale=color_scale(order), title="Momentum", legend=shown if legend else None)


def _point_frame(surface: Surface) -> pd.DataFrame:
    rows = []
    for p in surface.points:
        row = {"kind": p.kind, "name": p.short, "x": p.at[0], "loss": surface.loss_at(p.at)}
        if surface.dim == 2:
            row["y"] = p.at[1]
        rows.append(row)
    return pd.DataFrame(rows)


def _stride(steps: int, most: int = 400) -> int:
    """Draw a dot every this many steps, so a long run stays light in the browser (lines keep every step)."""
    return max(1, math.ceil(steps / most))


def _current(chart: alt.Chart) -> alt.Chart:
    """Keep each run's latest row at or before the scrubbed step."""
    return chart.transform_filter(f"datum.step <= {SCRUB}").transform_joinaggregate(
        last="max(step)", groupby=["run"]).transform_filter("datum.step == datum.last")


def surface_chart(grid: pd.DataFrame, paths: pd.DataFrame, surface: Surface, order: list[str], steps: int,
                  method: str, height: int = 560) -> alt.LayerChart:
    """Banded contours of L, each run's path up to the scrubbed step, its position there, the start,
    and the critical points. Clicking a cell selects it (the page moves the start there)."""
    xs = sorted(grid["x"].unique())
    ys = sorted(grid["y"].unique())
    dx, dy = xs[1] - xs[0], ys[1] - ys[0]
    xscale = alt.Scale(domain=list(surface.x_range), nice=False, zero=False)
    yscale = alt.Scale(domain=list(surface.y_range), nice=False, zero=False)
    pick = alt.selection_point(name=PICK, fields=["x", "y"], on="click", clear=False, empty=False)
    hx, hy = 0.51 * dx, 0.51 * dy  # cells overlap a little: no hairline seams between them
    heat = alt.Chart(grid).transform_calculate(
        x_lo=f"datum.x - {hx}", x_hi=f"datum.x + {hx}", y_lo=f"datum.y - {hy}",
        y_hi=f"datum.y + {hy}").mark_rect(strokeWidth=0, opacity=1).encode(
        x=alt.X("x_lo:Q", scale=xscale, title="x"), x2="x_hi:Q",
        y=alt.Y("y_lo:Q", scale=yscale, title="y"), y2="y_hi:Q",
        color=alt.Color("band:Q", scale=alt.Scale(range=CONTOUR_RANGE), legend=None),
        tooltip=[alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("y:Q", format=".2f"),
                 alt.Tooltip("loss:Q", format=".4f")],
    ).add_params(pick)
    shown = alt.Chart(paths).transform_filter(f"datum.step <= {SCRUB}")
    enc = dict(x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale), color=_run_color(order, legend=False))
    line = shown.mark_line(strokeWidth=2.2, clip=True).encode(
        order="step:Q", detail="run:N", **{**enc, "color": _run_color(order)})
    dots = shown.transform_filter(f"datum.step % {_stride(steps)} == 0").mark_circle(
        size=14, opacity=0.8, clip=True).encode(
        **enc, tooltip=["run:N", "step:Q", alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f"),
                        alt.Tooltip("loss:Q", format=".4f")])
    now = _current(alt.Chart(paths)).mark_point(size=230, filled=True, opacity=1, stroke="white",
                                                strokeWidth=2, clip=True).encode(
        **enc, tooltip=["run:N", "step:Q", alt.Tooltip("loss:Q", format=".4f")])
    start = alt.Chart(paths[paths["step"] == 0].head(1)).mark_point(
        shape="square", size=160, filled=False, color="black", strokeWidth=2.5, clip=True).encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale), tooltip=[alt.Tooltip("x:Q", format=".2f"),
                                                                              alt.Tooltip("y:Q", format=".2f")])
    pts = _point_frame(surface)
    marks = alt.Chart(pts).mark_point(shape="cross", size=170, filled=True, color="black", clip=True).encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale),
        tooltip=["kind:N", alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("y:Q", format=".3f"),
                 alt.Tooltip("loss:Q", format=".4f")])
    names = alt.Chart(pts).mark_text(align="left", dx=9, dy=-11, fontSize=13, fontWeight="bold", color="black",
                                     clip=True).encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("y:Q", scale=yscale), text="name:N")
    return alt.layer(heat, line, dots, marks, names, start, now).add_params(_scrubber(steps)).properties(
        title=alt.Title(surface.label, subtitle=f"{method} · darker = higher loss · □ start · ✚ critical points "
                                                "· click the map to start there"),
        height=height, width="container")


def curve_chart(grid: pd.DataFrame, paths: pd.DataFrame, surface: Surface, order: list[str], steps: int,
                method: str, height: int = 560) -> alt.LayerChart:
    """The 1-D curve with every visited point (faint) and each run's ball at the scrubbed step.
    Clicking anywhere above a point of the curve selects its x (the page moves the start there)."""
    xscale = alt.Scale(domain=list(surface.x_range), nice=False, zero=False)
    lo, hi = float(grid["loss"].min()), float(grid["loss"].max())
    yscale = alt.Scale(domain=[lo - 0.05 * (hi - lo), hi + 0.05 * (hi - lo)], nice=False, zero=False)
    step = float(grid["x"].diff().median())
    pick = alt.selection_point(name=PICK, fields=["x"], on="click", clear=False, empty=False)
    band = alt.Chart(grid).transform_calculate(
        x_lo=f"datum.x - {step / 2}", x_hi=f"datum.x + {step / 2}", top=str(yscale.domain[1]),
        bottom=str(yscale.domain[0])).mark_rect(opacity=0.001).encode(
        x=alt.X("x_lo:Q", scale=xscale, title="x (the one parameter)"), x2="x_hi:Q",
        y=alt.Y("bottom:Q", scale=yscale, title="loss L(x)"), y2="top:Q").add_params(pick)
    curve = alt.Chart(grid).mark_line(color="#555", strokeWidth=2.5).encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("loss:Q", scale=yscale),
        tooltip=[alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("loss:Q", format=".4f")])
    enc = dict(x=alt.X("x:Q", scale=xscale), y=alt.Y("loss:Q", scale=yscale), color=_run_color(order, legend=False))
    trail = alt.Chart(paths).transform_filter(
        f"datum.step <= {SCRUB} && datum.step % {_stride(steps)} == 0").mark_circle(
        size=28, opacity=0.35, clip=True).encode(**{**enc, "color": _run_color(order)},
                                                 tooltip=["run:N", "step:Q", alt.Tooltip("x:Q", format=".3f")])
    now = _current(alt.Chart(paths)).mark_point(size=320, filled=True, opacity=1, stroke="white",
                                                strokeWidth=2, clip=True).encode(
        **enc, tooltip=["run:N", "step:Q", alt.Tooltip("x:Q", format=".3f"), alt.Tooltip("loss:Q", format=".4f")])
    pts = _point_frame(surface)
    rules = alt.Chart(pts).mark_rule(strokeDash=[4, 4], color="#999").encode(x=alt.X("x:Q", scale=xscale))
    names = alt.Chart(pts).mark_text(dy=22, fontSize=13, fontWeight="bold", color="black").encode(
        x=alt.X("x:Q", scale=xscale), y=alt.Y("loss:Q", scale=yscale), text="name:N")
    return alt.layer(band, rules, curve, names, trail, now).add_params(_scrubber(steps)).properties(
        title=alt.Title(surface.label, subtitle=f"{method} · faint dots: every step so far · big dots: where each "
                                                "run is · click to start there"),
        height=height, width="container")


def loss_chart(paths: pd.DataFrame, order: list[str], height: int = 560) -> alt.Chart:
    """Loss above the global minimum per step, log scale, one line per momentum value."""
    return alt.Chart(paths).mark_line(strokeWidth=2.2).encode(
        x=alt.X("step:Q", title="Step"),
        y=alt.Y("gap:Q", scale=alt.Scale(type="log"), title="Loss above the global minimum (log)",
                axis=alt.Axis(format=".0e")),
        color=_run_color(order, columns=3 if len(order) > 3 else None),
        tooltip=["run:N", "step:Q", alt.Tooltip("loss:Q", format=".5f"), alt.Tooltip("gap:Q", format=".3e")],
    ).properties(title=alt.Title("Loss versus step",
                                 subtitle="flat = stuck · wiggles = overshooting · 1e-12 = at the minimum"),
                 height=height, width="container")


def position_chart(paths: pd.DataFrame, surface: Surface, order: list[str], height: int = 380) -> alt.LayerChart:
    """1-D: the parameter x against the step, with the critical points as dashed lines."""
    pts = _point_frame(surface)
    lines = alt.Chart(paths).mark_line(strokeWidth=2.2).encode(
        x=alt.X("step:Q", title="Step"), y=alt.Y("x:Q", title="x", scale=alt.Scale(zero=False)),
        color=_run_color(order), tooltip=["run:N", "step:Q", alt.Tooltip("x:Q", format=".4f")])
    rules = alt.Chart(pts).mark_rule(strokeDash=[4, 4], color="#999").encode(y="x:Q")
    names = alt.Chart(pts).mark_text(align="left", dx=4, dy=-7, color="#555", fontSize=12).encode(
        x=alt.value(0), y="x:Q", text="name:N")
    return alt.layer(rules, names, lines).properties(
        title=alt.Title("Where each run is, step by step", subtitle="dashed: saddle point and minima"),
        height=height, width="container")


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
