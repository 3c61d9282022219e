"""Loss surfaces of the momentum lesson: torch functions with their critical points and presets.

Five 2-D surfaces (a saddle, a local minimum beside a deeper global one, a flat plateau, a narrow
ill-conditioned valley, Rosenbrock) and the lesson's 1-D curve with a saddle point and a local
minimum, each with the start, learning rate and steps that tell its story; `surface_grid` samples
one for the charts, with contour bands.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence

import numpy as np
import pandas as pd
import torch

START_LIMIT = 10.0  # |x0|, |y0| (every surface's view lies inside this box; the course lab starts at w = 6)
BANDS = 16  # contour bands on the surface map

Tensor = torch.Tensor


@dataclass(frozen=True)
class CriticalPoint:
    kind: str  # "global minimum", "local minimum", "saddle point" or "local maximum"
    at: tuple[float, ...]

    @property
    def short(self) -> str:
        return {"global minimum": "global min", "local minimum": "local min",
                "local maximum": "max"}.get(self.kind, "saddle")


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
    radius: float  # a run ending this close to a critical point, with a loss within loss_tol of its, ended "in" it
    tol: float  # "settled": stays within this distance of its minimum from then on
    shade: float  # contour bands are equal steps of log(1 + (L - L*) / shade) ...
    top: float  # ... up to L - L* = top; everything higher shares the darkest band
    plateau: float | None = None  # a run ending with loss above this is "still on the plateau"
    loss_tol: float = 0.1  # (close by with a higher loss: still bouncing on the walls, as on Rosenbrock)
    variables: tuple[str, ...] = ()  # the parameters' names on the axes; () means x (and y)
    momenta: tuple[float, ...] | None = None  # β values that tell this surface's story (None: keep the page's)
    base: float | None = None  # the contour bands' lowest level; None: the global minimum's loss

    def __call__(self, w: Tensor) -> Tensor:
        return self.fn(w)

    @property
    def preset(self) -> dict:
        """What choosing this surface brings with it: a start, learning rate and steps that tell its story."""
        preset = dict(lr=self.lr, steps=self.steps, x0=self.start[0], y0=self.start[1])
        return preset if self.momenta is None else {**preset, "momenta": self.momenta}

    @property
    def axes(self) -> tuple[str, ...]:
        """The parameters' names: ("x",) or ("w",) for a curve, ("x", "y") for a surface."""
        return self.variables or (("x",) if self.dim == 1 else ("x", "y"))

    @property
    def minima(self) -> list[CriticalPoint]:
        return [p for p in self.points if p.kind.endswith("minimum")]

    @property
    def saddles(self) -> list[CriticalPoint]:
        return [p for p in self.points if p.kind == "saddle point"]

    @property
    def global_loss(self) -> float:
        """The lowest minimum's loss; NaN on a surface without a minimum in view (w³)."""
        return min((self.loss_at(p.at) for p in self.minima), default=math.nan)

    def loss_at(self, at: Sequence[float]) -> float:
        return float(self.fn(torch.tensor(at, dtype=torch.float64)))

    def curvature(self, at: Sequence[float]) -> float:
        """The steepest curvature at `at`: the largest eigenvalue of the Hessian of L there."""
        h = torch.autograd.functional.hessian(self.fn, torch.tensor(at, dtype=torch.float64))
        return float(torch.linalg.eigvalsh(h.reshape(self.dim, self.dim)).max())


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
            (-2.4, 2.4), (-1.4, 2.0), _two_minima_points(), (2.0, 0.0), 0.05, 200,
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
            "A long narrow valley: 100 times steeper across than along. The preset's learning rate "
            "times the steep curvature is 1.8, just under the limit of 2 for plain gradient descent.",
            (-4.0, 2.0), (-2.0, 4.0), (CriticalPoint("global minimum", (0.0, 0.0)),), (-3.0, 2.5), 0.18, 150,
            radius=0.2, tol=0.05, shade=0.05, top=80.0),
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
    base = surface.global_loss if surface.base is None else surface.base
    shade = np.log1p(np.clip(df["loss"] - base, 0, surface.top) / surface.shade)
    df["band"] = np.floor(shade / math.log1p(surface.top / surface.shade) * (BANDS - 0.001)).astype(int)
    return df
