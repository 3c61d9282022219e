"""Polynomial curve fitting (Bishop, *Pattern Recognition and Machine Learning*, 2006, §1.1).

N training points x_n spaced evenly over [0, 1], targets t_n = sin(2πx_n) + ε_n with ε_n ~ N(0, σ²);
a polynomial y(x, w) = Σ_j w_j x^j of degree M fitted by least squares, optionally with Bishop's
ridge penalty (eq. 1.4):

    Ẽ(w) = ½ Σ_n (y(x_n, w) − t_n)² + λ/2 ‖w‖²,   ‖w‖² = w_0² + … + w_M²  (w_0 included, as in eq. 1.4)

and the root-mean-square error E_RMS = √(2E(w*)/N) (eq. 1.3), i.e. √(mean of (y − t)²), on the
training points and on a separate test set of TEST_POINTS points made the same way with new noise.

Everything is float64 torch. Without the penalty, w* = torch.linalg.lstsq(Φ, t) with the SVD driver
'gelsd' on the Vandermonde matrix Φ (N × (M+1), Φ_nj = x_n^j): for M + 1 > N the polynomial passes
through every point and gelsd returns the coefficients of least norm. With the penalty the same
solver takes the stacked system [Φ; √λ·I] w ≈ [t; 0], whose least-squares solution is exactly the
minimiser of Ẽ (the normal equations (ΦᵀΦ + λI) w = Φᵀt, without squaring Φ's condition number).
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

TEST_POINTS = 100  # Bishop's test set: 100 points, the same procedure, new noise
GRID_POINTS = 400  # where the fitted curve is drawn
TRAIN_STREAM, TEST_STREAM = 0, 1  # the two noise streams of one sample: training and test noise never coincide


@dataclass(frozen=True)
class Points:
    """x (N,) and t (N,), float64."""

    x: torch.Tensor
    t: torch.Tensor

    def __len__(self) -> int:
        return len(self.x)


def noise(n: int, sigma: float, sample: int, stream: int) -> torch.Tensor:
    """n values of N(0, σ²), float64, from the generator seeded by (sample, stream): the same sample
    always gives the same noise, and training (stream 0) and test (stream 1) noise are drawn apart."""
    g = torch.Generator().manual_seed(2 * int(sample) + int(stream))
    return sigma * torch.randn(n, generator=g, dtype=torch.float64)


def sine_points(n: int, sigma: float, sample: int, stream: int = TRAIN_STREAM) -> Points:
    """n points x evenly spaced over [0, 1] (a single point sits at 0) with t = sin(2πx) + N(0, σ²)
    (Bishop §1.1, Figure 1.2). Raises ValueError for n < 1 or σ < 0."""
    if n < 1:
        raise ValueError(f"Curve fitting needs at least one point (got {n}).")
    if not sigma >= 0:
        raise ValueError(f"The noise σ must be ≥ 0 (got {sigma}).")
    x = torch.linspace(0.0, 1.0, n, dtype=torch.float64)
    return Points(x, torch.sin(2 * math.pi * x) + noise(n, sigma, sample, stream))


def design(x: torch.Tensor, degree: int) -> torch.Tensor:
    """The Vandermonde matrix Φ, (len(x), degree + 1): Φ_nj = x_n^j, float64."""
    if degree < 0:
        raise ValueError(f"The degree must be ≥ 0 (got {degree}).")
    return torch.stack([x.double() ** j for j in range(degree + 1)], dim=1)


def fit(points: Points, degree: int, ln_lambda: float | None = None) -> torch.Tensor:
    """w* (degree + 1,), float64: least squares, or with ln λ given, the minimiser of Bishop's
    Ẽ(w) = ½Σ(y − t)² + λ/2‖w‖² (eq. 1.4, all coefficients penalised). See the module docstring.
    Targets t of shape (N, S) (S samples at the same x) give w of shape (degree + 1, S)."""
    phi, t = design(points.x, degree), points.t.double()
    if ln_lambda is not None:
        if not math.isfinite(ln_lambda):
            raise ValueError(f"ln λ must be a finite number (got {ln_lambda}).")
        root = math.exp(ln_lambda / 2)  # √λ
        phi = torch.cat([phi, root * torch.eye(degree + 1, dtype=torch.float64)])
        t = torch.cat([t, torch.zeros((degree + 1, *t.shape[1:]), dtype=torch.float64)])
    w = torch.linalg.lstsq(phi, t if t.dim() == 2 else t[:, None], driver="gelsd").solution
    return w if t.dim() == 2 else w[:, 0]


def predict(w: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    """y(x, w) = Σ_j w_j x^j, float64 (x of any length)."""
    return design(x, len(w) - 1) @ w.double()


def rms(w: torch.Tensor, points: Points) -> float:
    """E_RMS = √(2E(w)/N) = √(mean of (y(x_n, w) − t_n)²) (Bishop eq. 1.3)."""
    return float(torch.sqrt(torch.mean((predict(w, points.x) - points.t) ** 2)))


def penalised_error(w: torch.Tensor, points: Points, ln_lambda: float | None) -> float:
    """Ẽ(w) = ½Σ(y − t)² + λ/2‖w‖² (λ = 0 when ln_lambda is None)."""
    data = 0.5 * float(torch.sum((predict(w, points.x) - points.t) ** 2))
    return data + (0.0 if ln_lambda is None else 0.5 * math.exp(ln_lambda) * float(w.double() @ w.double()))


def degree_sweep(train: Points, test: Points, degrees: range, ln_lambda: float | None = None) -> pd.DataFrame:
    """Training and test E_RMS for every degree M in `degrees` (Bishop Figure 1.5). Long: M, set, rms."""
    rows = []
    for m in degrees:
        w = fit(train, m, ln_lambda)
        rows += [{"M": m, "set": "Training", "rms": rms(w, train)}, {"M": m, "set": "Test", "rms": rms(w, test)}]
    return pd.DataFrame(rows)


def lambda_sweep(train: Points, test: Points, degree: int, ln_lambdas: np.ndarray) -> pd.DataFrame:
    """Training and test E_RMS against ln λ at one degree (Bishop Figure 1.8). Long: ln_lambda, set, rms."""
    rows = []
    for ln in ln_lambdas:
        w = fit(train, degree, float(ln))
        rows += [{"ln_lambda": float(ln), "set": "Training", "rms": rms(w, train)},
                 {"ln_lambda": float(ln), "set": "Test", "rms": rms(w, test)}]
    return pd.DataFrame(rows)


def curves(train: Points, degree: int, ln_lambda: float | None = None, points: int = GRID_POINTS) -> pd.DataFrame:
    """The fitted polynomial and sin(2πx) on a grid over [0, 1]: x, fit, truth."""
    x = torch.linspace(0.0, 1.0, points, dtype=torch.float64)
    w = fit(train, degree, ln_lambda)
    return pd.DataFrame({"x": x.numpy(), "fit": predict(w, x).numpy(), "truth": torch.sin(2 * math.pi * x).numpy()})


def coefficient_table(train: Points, columns: dict[str, tuple[int, float | None]]) -> pd.DataFrame:
    """Bishop's Tables 1.1 and 1.2: one column of w* per (degree, ln λ) named by its key, rows w_0 … w_M
    of the largest degree (blank, NaN, where a column's polynomial has no such coefficient).
    Index: 'w0', 'w1', …"""
    top = max(m for m, _ in columns.values())
    table = {}
    for name, (m, ln) in columns.items():
        w = fit(train, m, ln).numpy()
        table[name] = np.concatenate([w, np.full(top - m, np.nan)])
    return pd.DataFrame(table, index=[f"w{j}" for j in range(top + 1)])


def sample_errors(n: int, sigma: float, degrees: tuple[int, ...], samples: int = 200,
                  ln_lambda: float | None = None) -> pd.DataFrame:
    """How much E_RMS depends on the draw: the training and test E_RMS at each degree for noise samples
    0 … samples−1 (each its own training and test noise). Long: sample, M, set, rms. All samples share
    x, so each degree is one least-squares solve with `samples` right-hand sides."""
    x, x_test = sine_points(n, 0.0, 0).x, sine_points(TEST_POINTS, 0.0, 0).x
    t = torch.stack([sine_points(n, sigma, s, TRAIN_STREAM).t for s in range(samples)], dim=1)  # (n, S)
    t_test = torch.stack([sine_points(TEST_POINTS, sigma, s, TEST_STREAM).t for s in range(samples)], dim=1)
    frames = []
    for m in degrees:
        w = fit(Points(x, t), m, ln_lambda)  # (m + 1, S)
        for name, xs, ts in (("Training", x, t), ("Test", x_test, t_test)):
            errors = torch.sqrt(torch.mean((design(xs, m) @ w - ts) ** 2, dim=0)).numpy()
            frames.append(pd.DataFrame({"sample": np.arange(samples), "M": m, "set": name, "rms": errors}))
    return pd.concat(frames, ignore_index=True)


def spread(errors: pd.DataFrame) -> pd.DataFrame:
    """sample_errors summarised per degree and set: mean, 10th and 90th percentile. Long: M, set, mean, p10, p90."""
    return errors.groupby(["M", "set"], sort=False)["rms"].agg(
        mean="mean", p10=lambda v: v.quantile(0.1), p90=lambda v: v.quantile(0.9)).reset_index()
