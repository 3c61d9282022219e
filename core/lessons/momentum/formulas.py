"""Loss surfaces typed as formulas: the course lab's two polynomials and the student's own.

A formula (core.expressions: checked node by node and evaluated by simpleeval through torch, never
as Python) becomes a `Surface` like the hand-written ones: autograd gives its gradient, and its
critical points are found numerically on the view (`critical_points`): the gradient norm on a grid,
Newton's method from each of its local minima, then the Hessian's eigenvalues (and, where they are
zero, the loss around the point) say minimum, saddle point or maximum.

The two polynomials are those of a widely used PyTorch course's momentum lab (IBM's "Deep Neural
Networks with PyTorch"), with its starts, learning rates and numbers of updates:
l(w) = w³ from w₀ = 4 (lr 0.01, 10 updates) and l(w) = 2w⁴ − 9w³ − 21w² + 88w + 48 from w₀ = 6
(lr 0.001, 100 updates).
"""
from __future__ import annotations

import math
from functools import lru_cache
from typing import Callable, Sequence

import numpy as np
import torch

from core.expressions import Formula, FormulaError, parse_formula
from core.lessons.momentum.surfaces import SURFACES, CriticalPoint, Surface

CUSTOM = "custom"
VIEW_LIMIT = 10.0  # |x|, |y| of a custom view
MIN_SPAN = 0.1  # the smallest width of a custom view
MOST_POINTS = 12  # critical points kept (minima first)
GRID_1D, GRID_2D = 801, 81  # points (per side) of the search grid
HUGE = 1e15  # a loss beyond this on the view counts as not finite (1/x beside 0)

Tensor = torch.Tensor


# ---------------------------------------------------------------- critical points

def _grid(dim: int, x_range, y_range) -> Tensor:
    """The search grid: (n, 1) or (n * n, 2) float64 points covering the view, edges included."""
    if dim == 1:
        return torch.linspace(*x_range, GRID_1D, dtype=torch.float64)[:, None]
    xs = torch.linspace(*x_range, GRID_2D, dtype=torch.float64)
    ys = torch.linspace(*y_range, GRID_2D, dtype=torch.float64)
    gx, gy = torch.meshgrid(xs, ys, indexing="ij")
    return torch.stack([gx.flatten(), gy.flatten()], dim=-1)


def _where(point: Sequence[float]) -> str:
    return "(" + ", ".join(f"{v:.3g}" for v in point) + ")"


def loss_and_gradient(fn: Callable[[Tensor], Tensor], points: Tensor) -> tuple[Tensor, Tensor]:
    """L and ∇L (autograd) at points (n, dim); raises FormulaError naming a point of the view where
    either is not finite (log of a negative number, a division by zero, an overflow...)."""
    w = points.clone().requires_grad_(True)
    loss = fn(w)
    if loss.shape != points.shape[:1]:
        raise FormulaError("The formula does not give one loss per point.")
    bad = ~(torch.isfinite(loss) & (loss.detach().abs() <= HUGE))
    if bad.any():
        raise FormulaError(f"The formula is not finite everywhere on the view: at {_where(points[bad][0].tolist())} "
                           "it is not a number (or beyond ±10¹⁵). Change the formula or the view.")
    (grad,) = torch.autograd.grad(loss.sum(), w)
    bad = ~torch.isfinite(grad).all(dim=-1)
    if bad.any():
        raise FormulaError(f"The formula's slope is not finite everywhere on the view: at "
                           f"{_where(points[bad][0].tolist())} it is not a number. Change the formula or the view.")
    return loss.detach(), grad


def _candidates(norm: Tensor, dim: int) -> list[int]:
    """Grid indices where the gradient norm is a local minimum (no larger than any neighbour's)."""
    if dim == 1:
        g = norm.numpy()
        left = np.r_[np.inf, g[:-1]]
        right = np.r_[g[1:], np.inf]
        idx = np.flatnonzero((g <= left) & (g <= right))
    else:
        g = norm.reshape(GRID_2D, GRID_2D).numpy()
        padded = np.pad(g, 1, constant_values=np.inf)
        lowest = np.ones_like(g, dtype=bool)
        for dr in (-1, 0, 1):
            for dc in (-1, 0, 1):
                if dr or dc:
                    lowest &= g <= padded[1 + dr:1 + dr + GRID_2D, 1 + dc:1 + dc + GRID_2D]
        idx = np.flatnonzero(lowest.flatten())
    return sorted(idx.tolist(), key=lambda i: float(norm[i]))[:60]


def _newton(fn: Callable[[Tensor], Tensor], start: Tensor, span: float, iters: int = 120) -> Tensor:
    """Newton's method on ∇L = 0 (pseudo-inverse of the Hessian, steps capped at span / 10), which also
    converges, linearly, to a critical point where the Hessian is singular (w³ at 0)."""
    w = start.clone()
    for _ in range(iters):
        g = torch.autograd.functional.jacobian(fn, w)
        h = torch.autograd.functional.hessian(fn, w).reshape(len(w), len(w))
        if not (torch.isfinite(g).all() and torch.isfinite(h).all()):
            break
        step = torch.linalg.pinv(h) @ g
        size = float(step.norm())
        if not math.isfinite(size):
            break
        if size > span / 10:
            step = step * (span / 10 / size)
        w = w - step
        if size < 1e-14 * span:
            break
    return w


def classify(fn: Callable[[Tensor], Tensor], at: Tensor, span: float) -> str:
    """'minimum', 'maximum' or 'saddle point' from the Hessian's eigenvalues; where one is (numerically)
    zero, from the loss at distance span/1000 around the point (w³ at 0: lower on one side, higher on
    the other: a saddle point)."""
    h = torch.autograd.functional.hessian(fn, at).reshape(len(at), len(at))
    eig = torch.linalg.eigvalsh(h)
    tiny = 1e-7 * (1.0 + float(eig.abs().max()))
    if (eig > tiny).all():
        return "minimum"
    if (eig < -tiny).all():
        return "maximum"
    if (eig > tiny).any() and (eig < -tiny).any():
        return "saddle point"
    delta = span / 1000
    if len(at) == 1:
        dirs = torch.tensor([[1.0], [-1.0]], dtype=torch.float64)
    else:
        angles = torch.arange(8, dtype=torch.float64) * math.pi / 4
        dirs = torch.stack([torch.cos(angles), torch.sin(angles)], dim=-1)
    with torch.no_grad():
        change = fn(at + delta * dirs) - fn(at[None])
    if (change > 0).all():
        return "minimum"
    if (change < 0).all():
        return "maximum"
    return "saddle point"


def critical_points(fn: Callable[[Tensor], Tensor], dim: int, x_range: tuple[float, float],
                    y_range: tuple[float, float] | None = None) -> tuple[CriticalPoint, ...]:
    """The critical points of L on the view, found numerically: the gradient norm on a grid (801 points
    in 1-D, 81 x 81 in 2-D), Newton's method from each of its local minima, kept where the gradient
    vanishes (|∇L| below 1e-7 of its median on the grid) inside the view, then classified (`classify`).
    The lowest minimum (or minima, to 1e-9) is the "global minimum" of the view, the others "local
    minimum"; at most MOST_POINTS points (minima, then saddle points, then maxima).
    Raises FormulaError where L or ∇L is not finite on the grid."""
    grid = _grid(dim, x_range, y_range)
    _, grad = loss_and_gradient(fn, grid)
    norm = grad.norm(dim=-1)
    scale = float(norm.median()) + 1e-12
    spans = [x_range[1] - x_range[0]] + ([y_range[1] - y_range[0]] if dim == 2 else [])
    span = max(spans)
    lo = torch.tensor([x_range[0]] + ([y_range[0]] if dim == 2 else []), dtype=torch.float64)
    hi = torch.tensor([x_range[1]] + ([y_range[1]] if dim == 2 else []), dtype=torch.float64)
    found: list[tuple[tuple[float, ...], str]] = []
    for i in _candidates(norm, dim):
        w = _newton(fn, grid[i], span)
        if not torch.isfinite(w).all() or (w < lo - 1e-9 * span).any() or (w > hi + 1e-9 * span).any():
            continue
        _, g = loss_and_gradient(fn, w[None])
        if float(g.norm()) > 1e-7 * scale:
            continue
        if any(np.linalg.norm(np.subtract(p, w.tolist())) < 1e-5 * span for p, _ in found):
            continue
        found.append((tuple(round(float(v), 10) + 0.0 for v in w), classify(fn, w, span)))
    losses = {p: float(fn(torch.tensor(p, dtype=torch.float64))) for p, _ in found}
    minima = sorted((p for p, kind in found if kind == "minimum"), key=losses.get)
    lowest = losses[minima[0]] if minima else None
    points = [CriticalPoint("global minimum" if losses[p] <= lowest + 1e-9 * (1 + abs(lowest)) else "local minimum", p)
              for p in minima]
    points += [CriticalPoint(kind if kind == "saddle point" else "local maximum", p)
               for want in ("saddle point", "maximum") for p, kind in found if kind == want]
    return tuple(points[:MOST_POINTS])


# ---------------------------------------------------------------- formula surfaces

def formula_surface(key: str, label: str, formula: Formula, x_range: tuple[float, float],
                    y_range: tuple[float, float] | None, start: tuple[float, float], lr: float, steps: int,
                    about: str, momenta: tuple[float, ...] | None = None) -> Surface:
    """A Surface from a checked formula: critical points found on the view, the distances that say
    "ended in" and "settled" a share of the view, contour bands over the loss range on the grid."""
    points = critical_points(formula, formula.dim, x_range, y_range)
    loss, _ = loss_and_gradient(formula, _grid(formula.dim, x_range, y_range))
    floor, ceiling = float(loss.min()), float(loss.max())
    span = max(x_range[1] - x_range[0], (y_range[1] - y_range[0]) if y_range else 0.0)
    top = max(ceiling - floor, 1e-9)
    name = "l(w)" if formula.variables == ("w",) else f"L({', '.join(formula.variables)})"
    return Surface(key, label, formula.dim, formula, f"{name} = {formula.latex}", about, x_range, y_range, points,
                   start, lr, steps, radius=0.03 * span, tol=0.005 * span, shade=top / 50, top=top,
                   variables=formula.variables, momenta=momenta, base=floor)


def _lab(key: str, label: str, text: str, x_range, start: float, lr: float, steps: int,
         momenta: tuple[float, ...], about: str) -> Surface:
    return formula_surface(key, label, parse_formula(text, dim=1), x_range, None, (start, 0.0), lr, steps,
                           about, momenta)


LAB: dict[str, Surface] = {s.key: s for s in [
    _lab("lab_cubic", "Course lab: l(w) = w³", "w**3", (-5.0, 5.0), 4.0, 0.01, 10, (0.0, 0.9),
         "The course lab's cubic, from w₀ = 4 with lr 0.01 for 10 updates. Its only critical point is the "
         "saddle point at 0 (slope and curvature both zero); beyond it the loss falls for ever."),
    _lab("lab_quartic", "Course lab: l(w) = 2w⁴ − 9w³ − 21w² + 88w + 48",
         "2*w**4 - 9*w**3 - 21*w**2 + 88*w + 48", (-4.5, 6.5), 6.0, 0.001, 100, (0.0, 0.5, 0.9, 0.99),
         "The course lab's quartic, from w₀ = 6 with lr 0.001 for 100 updates: a local minimum at w = 4 "
         "and the global minimum near w = −2, with a bump between them."),
]}

CUSTOM_DEFAULT = "(x**2 + y - 11)**2 + (x + y**2 - 7)**2"  # Himmelblau's function: 4 minima, 4 saddles, 1 maximum
CUSTOM_VIEW = (-5.0, 5.0)
CUSTOM_PRESET = dict(lr=0.005, steps=200, x0=0.0, y0=0.5)
LABELS = {**{k: s.label for k, s in SURFACES.items()}, **{k: s.label for k, s in LAB.items()},
          CUSTOM: "Your own formula"}
CHOICES = list(LABELS)


@lru_cache(maxsize=256)
def check_formula(text: str) -> Formula:
    """parse_formula, cached: a config checks its formula text on every construction."""
    return parse_formula(text)


def check_view(name: str, view: tuple[float, ...]) -> None:
    """A custom view is (low, high) inside ±VIEW_LIMIT, at least MIN_SPAN wide; ValueError otherwise."""
    if len(view) != 2 or not all(math.isfinite(v) for v in view):
        raise ValueError(f"The {name} view is two finite numbers, low and high.")
    low, high = view
    if not (-VIEW_LIMIT <= low and high <= VIEW_LIMIT):
        raise ValueError(f"The {name} view must lie between {-VIEW_LIMIT:g} and {VIEW_LIMIT:g}.")
    if high - low < MIN_SPAN:
        raise ValueError(f"The {name} view must run from a lower to a higher value, at least {MIN_SPAN:g} wide.")


@lru_cache(maxsize=64)
def custom_surface(text: str, x_view: tuple[float, float] = CUSTOM_VIEW,
                   y_view: tuple[float, float] = CUSTOM_VIEW) -> Surface:
    """The student's formula as a Surface on the view (y_view unused for a curve in w or x). Raises
    FormulaError (a ValueError) with the page's message: unreadable, refused, too long, or not finite
    on the view."""
    formula = check_formula(text)
    check_view("x", x_view)
    if formula.dim == 2:
        check_view("y", y_view)
    kind = "curve" if formula.dim == 1 else "surface"
    return formula_surface(CUSTOM, "Your own formula", formula, tuple(x_view),
                           tuple(y_view) if formula.dim == 2 else None, (CUSTOM_PRESET["x0"], CUSTOM_PRESET["y0"]),
                           CUSTOM_PRESET["lr"], CUSTOM_PRESET["steps"],
                           f"Your {kind}: its critical points are found numerically on the view (a grid of "
                           "gradient norms, then Newton's method), classified by the Hessian's eigenvalues.")


def surface_for(key: str, formula: str = CUSTOM_DEFAULT, x_view: tuple[float, float] = CUSTOM_VIEW,
                y_view: tuple[float, float] = CUSTOM_VIEW) -> Surface:
    """The surface a config names: a hand-written one, a lab polynomial, or the custom formula."""
    if key in SURFACES:
        return SURFACES[key]
    if key in LAB:
        return LAB[key]
    if key == CUSTOM:
        return custom_surface(formula, tuple(x_view), tuple(y_view))
    raise ValueError(f"Unknown surface '{key}'. Choose one of {', '.join(CHOICES)}.")
