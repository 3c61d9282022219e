"""Goh's closed-form regimes of momentum on a quadratic, against the closed forms written out and
against real torch.optim.SGD runs."""
import math

import numpy as np
import pytest

from core.lessons.momentum import experiment, regimes
from core.lessons.momentum.config import MomentumConfig
from core.lessons.momentum.regimes import DIVERGES, FLIPS, MONOTONE, RIPPLES, rate, regime
from tests.unit.momentum.helpers import quadratic


def test_heavy_ball_boundaries_are_the_closed_forms():
    """Ripples iff (1 − √β)² < ηλ < (1 + √β)² (complex roots, |z| = √β); converges iff ηλ < 2(1 + β)."""
    for beta in (0.1, 0.5, 0.81, 0.95):
        lo, hi, top = (1 - math.sqrt(beta)) ** 2, (1 + math.sqrt(beta)) ** 2, 2 * (1 + beta)
        e = 1e-6
        assert regime(lo - e, beta) == MONOTONE and regime(lo + e, beta) == RIPPLES
        assert regime(hi - e, beta) == RIPPLES and regime(hi + e, beta) == FLIPS
        assert regime(top - e, beta) == FLIPS and regime(top + e, beta) == DIVERGES
        assert rate((lo + hi) / 2, beta) == pytest.approx(math.sqrt(beta))
    assert regime(0.5, 0.0) == MONOTONE and regime(1.5, 0.0) == FLIPS and regime(2.01, 0.0) == DIVERGES


def test_nesterov_limit_is_the_closed_form():
    for beta in (0.0, 0.5, 0.9):
        top = 2 * (1 + beta) / (1 + 2 * beta)
        assert regimes.limit(beta, nesterov=True) == pytest.approx(top)
        assert regime(top - 1e-6, beta, True) != DIVERGES and regime(top + 1e-6, beta, True) == DIVERGES


@pytest.mark.parametrize("nesterov", [False, True])
@pytest.mark.parametrize("a, beta", [(0.05, 0.0), (0.2, 0.3), (0.3, 0.9), (1.5, 0.2), (2.5, 0.5), (3.9, 0.9),
                                     (4.1, 0.9), (0.7, 0.95)])
def test_regime_and_rate_match_real_sgd_runs_on_a_quadratic(a, beta, nesterov):
    """torch.optim.SGD on L = λw²/2 (λ = 1, lr = a): the error shrinks by ρ per step, changes sign as the regime
    says, or diverges."""
    run = experiment.trajectory(quadratic(1.0), (1.0, 0.0), a, beta, 400, nesterov)
    kind, rho = regime(a, beta, nesterov), float(rate(a, beta, nesterov))
    e = run.positions[:, 0]
    if kind == DIVERGES:
        assert run.diverged_at is not None or abs(e[-1]) > 1
        return
    assert run.diverged_at is None
    measured = regimes.measured_rate(run.positions, (0.0,), near=1.0)
    assert measured == pytest.approx(rho, rel=0.02)
    tail = e[20:60]
    tail = tail[np.abs(tail) > 1e-200]
    flips = np.mean(np.sign(tail[1:]) != np.sign(tail[:-1]))
    if kind == MONOTONE:
        assert flips == 0
    elif kind == FLIPS:
        assert flips == 1
    else:  # ripples: it changes sides, but not at every step
        assert 0 < flips < 1 or beta == 0


def test_regime_map_covers_the_plane_in_bands():
    bands = regimes.regime_map(rows=20, cols=400)
    assert set(bands["regime"]) == set(regimes.REGIMES)
    widths = bands.assign(w=bands["a_hi"] - bands["a_lo"]).groupby("beta_lo")["w"].sum()
    assert np.allclose(widths, regimes.A_MAX)
    row = bands[bands["beta_lo"] == bands["beta_lo"].unique()[10]]  # β ≈ 0.525
    diverge = row[row["regime"] == DIVERGES]["a_lo"].min()
    assert diverge == pytest.approx(2 * (1 + 0.525), abs=0.02)


@pytest.mark.parametrize("key", ["two_minima", "plateau", "lesson", "lab_quartic", "custom"])
def test_runs_on_screen_agree_with_the_closed_form(key):
    config = MomentumConfig.for_surface(key)
    runs = experiment.trajectories(config)
    found = experiment.outcomes(runs, config.the_surface)
    placed = regimes.run_regimes(found, runs, config.the_surface, config.lr, config.nesterov)
    tested = [r for r in placed if r.verdict is not None]
    assert tested and all(r.verdict for r in tested)
    for r in tested:
        assert r.measured == pytest.approx(r.rho, rel=0.02)


def test_runs_predicted_to_diverge_did():
    config = MomentumConfig.for_surface("valley", nesterov=True)
    runs = experiment.trajectories(config)
    placed = regimes.run_regimes(experiment.outcomes(runs, config.the_surface), runs, config.the_surface,
                                 config.lr, True)
    by = {r.label: r for r in placed}
    assert by["β = 0.5"].regime == by["β = 0.9"].regime == DIVERGES
    assert by["β = 0.5"].verdict is True and by["β = 0.9"].verdict is True
    assert by["β = 0"].a == pytest.approx((0.018, 1.8))  # both curvatures of the valley, times η
    assert by["β = 0"].modes == (MONOTONE, FLIPS)  # the steep direction flips sides at every step


def test_a_surface_without_minimum_places_no_run():
    config = MomentumConfig.for_surface("lab_cubic")
    runs = experiment.trajectories(config)
    assert regimes.run_regimes(experiment.outcomes(runs, config.the_surface), runs, config.the_surface,
                               config.lr, False) == []


def test_noise_leaves_the_rate_unmeasured():
    config = MomentumConfig.for_surface("two_minima", noise=0.5)
    runs = experiment.trajectories(config, seed=0)
    placed = regimes.run_regimes(experiment.outcomes(runs, config.the_surface), runs, config.the_surface,
                                 config.lr, False, noisy=True)
    assert all(r.measured is None for r in placed)
