"""Where momentum converges smoothly, ripples, overshoots every step or diverges on a quadratic, in
closed form (Goh, "Why Momentum Really Works", Distill 2017), and those regimes checked against the
runs on screen.

Near a minimum w*, L(w) ≈ L(w*) + ½ (w − w*)ᵀ H (w − w*), and along each eigenvector of the Hessian H
(curvature λ) a run of PyTorch's SGD with momentum (v ← βv + g, w ← w − ηv) is the linear iteration

    (e_{k+1}, e_k) = R (e_k, e_{k−1}),   R = [[1 + β − a, −β], [1, 0]],   a = ηλ,   e = w − w*

whose eigenvalues are the roots of z² − (1 + β − a) z + β = 0 (heavy ball). PyTorch's Nesterov
(w ← w − η(g + βv)) gives z² − (1 + β)(1 − a) z + β(1 − a) = 0. The distance to the minimum shrinks by
the spectral radius ρ = max |z| per step (asymptotically):

- ρ ≥ 1: the run diverges (heavy ball: a ≥ 2(1 + β); Nesterov: a ≥ 2(1 + β)/(1 + 2β));
- complex roots: it converges in ripples, spiralling in, |z| = √β (heavy ball);
- a real negative dominant root: it overshoots the minimum at every step, flipping sides;
- real positive roots: it converges monotonically, without overshooting.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from core.lessons.momentum.surfaces import CriticalPoint, Surface

MONOTONE, RIPPLES, FLIPS, DIVERGES = "monotone", "ripples", "overshoots every step", "diverges"
REGIMES = (MONOTONE, RIPPLES, FLIPS, DIVERGES)
REGIME_WORDS = {MONOTONE: "converges without overshooting (real, positive roots)",
                RIPPLES: "converges in ripples, overshooting and swinging back (complex roots)",
                FLIPS: "converges, jumping across the minimum at every step (a negative root)",
                DIVERGES: "diverges (ρ ≥ 1)"}
A_MAX = 4.5  # the map's largest ηλ: beyond heavy-ball's limit 2(1 + β) ≤ 4 for every β < 1
RATE_TOLERANCE = 0.1  # measured and predicted rates -ln ρ agree within this share


def characteristic(a, beta, nesterov: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """(trace, determinant) of the iteration matrix for a = ηλ and momentum β (arrays broadcast)."""
    a, beta = np.asarray(a, dtype=float), np.asarray(beta, dtype=float)
    if nesterov:
        return (1 + beta) * (1 - a), beta * (1 - a)
    return 1 + beta - a, beta + 0 * a


def roots(a, beta, nesterov: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """The two eigenvalues of the iteration matrix (complex arrays), the larger in modulus first."""
    t, d = characteristic(a, beta, nesterov)
    s = np.sqrt((t * t - 4 * d).astype(complex))
    z1, z2 = (t + s) / 2, (t - s) / 2
    first = np.abs(z1) >= np.abs(z2)
    return np.where(first, z1, z2), np.where(first, z2, z1)


def rate(a, beta, nesterov: bool = False) -> np.ndarray:
    """The spectral radius ρ: the factor by which the distance to the minimum shrinks per step."""
    return np.abs(roots(a, beta, nesterov)[0])


def regime(a, beta, nesterov: bool = False) -> np.ndarray:
    """One of REGIMES for each (a, β)."""
    z, _ = roots(a, beta, nesterov)
    t, d = characteristic(a, beta, nesterov)
    out = np.where(t * t - 4 * d < 0, RIPPLES, np.where(z.real < 0, FLIPS, MONOTONE)).astype(object)
    out[np.abs(z) >= 1 - 1e-12] = DIVERGES
    return out


def regime_map(nesterov: bool = False, a_max: float = A_MAX, rows: int = 200, cols: int = 3000) -> pd.DataFrame:
    """The (ηλ, β) plane cut into bands: one row per β row and stretch of a single regime, with columns
    beta_lo, beta_hi, a_lo, a_hi, regime (β from 0 to 1, ηλ from 0 to a_max)."""
    edges = np.linspace(0.0, 1.0, rows + 1)
    a = np.linspace(0.0, a_max, cols + 1)
    mid_a = (a[:-1] + a[1:]) / 2
    out = []
    for lo, hi in zip(edges[:-1], edges[1:]):
        kinds = regime(mid_a, (lo + hi) / 2, nesterov)
        change = np.flatnonzero(kinds[1:] != kinds[:-1]) + 1
        for s, e in zip(np.r_[0, change], np.r_[change, len(kinds)]):
            out.append({"beta_lo": lo, "beta_hi": hi, "a_lo": a[s], "a_hi": a[e], "regime": kinds[s]})
    return pd.DataFrame(out)


def limit(beta: float, nesterov: bool = False) -> float:
    """The largest stable ηλ: 2(1 + β) for heavy ball, 2(1 + β)/(1 + 2β) for PyTorch's Nesterov."""
    return 2 * (1 + beta) / (1 + 2 * beta) if nesterov else 2 * (1 + beta)


# ---------------------------------------------------------------- the runs on screen

def curvatures(surface: Surface, at) -> np.ndarray:
    """The Hessian's eigenvalues at `at`, ascending: the curvatures along its eigenvectors."""
    h = torch.autograd.functional.hessian(surface.fn, torch.tensor(at, dtype=torch.float64))
    return torch.linalg.eigvalsh(h.reshape(surface.dim, surface.dim)).numpy()


def measured_rate(positions: np.ndarray, at, near: float, floor: float = 1e-10) -> float | None:
    """The factor by which the run's distance to `at` shrinks per step in its tail, measured: the
    slope of ln ‖(e_k, e_{k−1})‖ against k (least squares) over the steps after which it stays within
    `near` of `at`, until it comes within `floor` (rounding). None with fewer than 12 such steps or
    less than a 20-fold shrink (too little to measure)."""
    e = np.linalg.norm(np.asarray(positions) - np.asarray(at), axis=1)
    state = np.sqrt(e[1:] ** 2 + e[:-1] ** 2)
    outside = np.flatnonzero(state > near)
    first = int(outside[-1]) + 1 if len(outside) else 0
    tail = state[first:]
    keep = np.flatnonzero(tail > floor)
    if len(keep) < 12:
        return None
    tail = tail[:keep[-1] + 1]
    if tail[0] / tail[-1] < 20:
        return None
    k = np.arange(len(tail))
    slope = np.polyfit(k, np.log(tail), 1)[0]
    return float(np.exp(slope))


@dataclass(frozen=True)
class RunRegime:
    """One run placed on the map: the minimum used, its curvatures and what the closed form predicts,
    beside what the run did."""

    label: str
    beta: float
    minimum: CriticalPoint
    curvatures: tuple[float, ...]  # λ ascending
    a: tuple[float, ...]  # ηλ for each curvature
    regime: str  # the slowest mode's regime, or DIVERGES if any mode diverges
    modes: tuple[str, ...]  # each curvature's regime, in the order of `curvatures`
    rho: float  # predicted ρ = max over modes
    measured: float | None  # measured ρ, where the run settled in this minimum
    verdict: bool | None  # True: the run agrees with the prediction; False: it does not; None: not tested
    observed: str  # what the run did, in words

    @property
    def steepest(self) -> float:
        return self.a[-1]


def run_regimes(found, runs, surface: Surface, lr: float, nesterov: bool, noisy: bool = False) -> list[RunRegime]:
    """Each run (experiment.Outcome `found`, Trajectory `runs`) on the map, at the minimum it ended in
    (or, if it ended in none, the global minimum), with the prediction checked where the run tests it:
    a run that settled there has its measured rate compared with ρ (within RATE_TOLERANCE of −ln ρ),
    a run predicted to diverge must have diverged. Empty on a surface with no minimum in view."""
    if not surface.minima:
        return []
    glob = min(surface.minima, key=lambda p: surface.loss_at(p.at))
    out = []
    for o, run in zip(found, runs):
        home = next((p for p in surface.minima if p.kind == o.ended_in
                     and np.linalg.norm(np.subtract(o.final_at, p.at)) <= surface.radius), None)
        point = home or glob
        lams = curvatures(surface, point.at)
        a = lr * lams
        nest = nesterov and o.beta > 0
        rhos = rate(a, o.beta, nest)
        kinds = regime(a, o.beta, nest)
        kind = DIVERGES if (kinds == DIVERGES).any() else kinds[int(np.argmax(rhos))]
        rho = float(rhos.max())
        measured, verdict = None, None
        if o.diverged_at is not None:
            observed = f"diverged at step {o.diverged_at}"
            verdict = True if kind == DIVERGES else None  # else it diverged on the way, elsewhere
        elif home is not None:
            observed = f"ended in the {point.kind}"
            if kind == DIVERGES:
                verdict = False
            elif not noisy and (lams > 0).all():
                measured = measured_rate(run.positions, point.at, surface.tol)
                if measured is not None:
                    verdict = bool(abs(np.log(measured) - np.log(rho)) <= RATE_TOLERANCE * abs(np.log(rho)))
        else:
            observed = {"saddle point": "stalled at the saddle point", "still on the plateau": "is still on the plateau",
                        }.get(o.ended_in, "has not reached a minimum")
        out.append(RunRegime(o.label, o.beta, point, tuple(map(float, lams)), tuple(map(float, a)), kind,
                             tuple(kinds), rho, measured, verdict, observed))
    return out


def points_frame(placed: list[RunRegime], a_max: float = A_MAX) -> pd.DataFrame:
    """The runs' markers: run, beta, a (clipped to the map), a_true, mode ("steepest" / "flattest"
    curvature; one row in 1-D), off_map (a > a_max)."""
    rows = []
    for r in placed:
        modes = [("steepest", r.a[-1])] + ([("flattest", r.a[0])] if len(r.a) > 1 else [])
        for mode, a in modes:
            rows.append({"run": r.label, "beta": r.beta, "a": min(max(a, 0.0), a_max), "a_true": a, "mode": mode,
                         "off_map": a > a_max or a < 0, "regime": r.modes[-1 if mode == "steepest" else 0],
                         "rho": r.rho})
    return pd.DataFrame(rows)
