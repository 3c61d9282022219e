"""The momentum lesson's experiments against references: a hand-written heavy-ball loop, Nesterov's
rule, the closed form on a quadratic, and the outcomes the page claims for its defaults."""
import math

import numpy as np
import pandas as pd
import pytest
import torch

from core.lessons.momentum import charts, experiment, story, surfaces
from core.lessons.momentum.config import MomentumConfig
from core.models import MLP
from core.seeding import seeded
from core.training import TrainSettings, train
from tests.unit.momentum.helpers import KEYS, grad, outcome_map, preset, quadratic


def heavy_ball(surface, start, lr, beta, steps, nesterov=False) -> np.ndarray:
    """The textbook loop, written out: v <- beta v + g; w <- w - lr v (Nesterov: w <- w - lr (g + beta v))."""
    w = np.array(start[:surface.dim], dtype=np.float64)
    v = np.zeros_like(w)
    out = [w.copy()]
    for _ in range(steps):
        g = grad(surface, w)
        v = beta * v + g
        w = w - lr * ((g + beta * v) if nesterov else v)
        out.append(w.copy())
    return np.array(out)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_sgd_trajectory_equals_a_hand_written_heavy_ball_loop(key, beta):
    surface, cfg = surfaces.SURFACES[key], preset(key)
    run = experiment.trajectory(surface, cfg.start, cfg.lr, beta, cfg.steps)
    assert run.diverged_at is None and len(run.positions) == cfg.steps + 1
    np.testing.assert_allclose(run.positions, heavy_ball(surface, cfg.start, cfg.lr, beta, cfg.steps), atol=1e-6)
    np.testing.assert_allclose(run.losses, surface(torch.tensor(run.positions)).numpy(), rtol=1e-12)


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("beta", [0.5, 0.9])
def test_nesterov_trajectory_equals_the_hand_written_nesterov_rule(key, beta):
    surface, cfg = surfaces.SURFACES[key], preset(key)
    run = experiment.trajectory(surface, cfg.start, cfg.lr, beta, cfg.steps, nesterov=True)
    assert run.nesterov
    steps = min(cfg.steps, 300)
    with np.errstate(all="ignore"):
        mine = heavy_ball(surface, cfg.start, cfg.lr, beta, steps, nesterov=True)
    n = min(len(run.positions), steps + 1)
    np.testing.assert_allclose(run.positions[:n], mine[:n], atol=1e-6)
    if run.diverged_at is not None and run.diverged_at <= steps:  # same divergence step in both
        assert run.diverged_at == n and not (np.abs(mine[n]) <= experiment.ESCAPE).all()
    # Over the whole run, step by step: from torch's own positions w_k, the rule gives w_{k+1}.
    # (Past a few hundred steps Nesterov at the edge of stability, as on Rosenbrock with beta = 0.9,
    # amplifies rounding differences, so the step-by-step check is the one that covers every step.)
    w = run.positions
    v = np.zeros(surface.dim)
    for k in range(len(w) - 1):
        g = grad(surface, w[k])
        v = beta * v + g
        np.testing.assert_allclose(w[k + 1], w[k] - cfg.lr * (g + beta * v), rtol=1e-12, atol=1e-12)
    plain = experiment.trajectory(surface, cfg.start, cfg.lr, beta, cfg.steps)
    n = min(len(run.positions), 20)
    assert not np.allclose(run.positions[:n], plain.positions[:n])  # the toggle really changes the method


def test_nesterov_with_zero_momentum_is_plain_gradient_descent():
    surface = surfaces.SURFACES["valley"]
    a = experiment.trajectory(surface, (-3.5, -1.2), 0.15, 0.0, 50, nesterov=True)
    b = experiment.trajectory(surface, (-3.5, -1.2), 0.15, 0.0, 50)
    assert not a.nesterov
    np.testing.assert_array_equal(a.positions, b.positions)


def closed_form(a: np.ndarray, w0: np.ndarray, lr: float, beta: float, steps: int) -> np.ndarray:
    """Heavy ball on L = 1/2 w^T A w: in A's eigenbasis each coordinate obeys
    z_{k+1} = (1 + beta - lr lam) z_k - beta z_{k-1}, z_1 = (1 - lr lam) z_0, so
    z_k = c1 r1^k + c2 r2^k with r1, r2 the roots of r^2 - (1 + beta - lr lam) r + beta, or, where
    the two roots coincide (critical damping, (1 + beta - lr lam)^2 = 4 beta), z_k = (z_0 + c k) r^k."""
    lams, q = np.linalg.eigh(a)
    z0 = q.T @ w0
    k = np.arange(steps + 1)
    zs = []
    for lam, z in zip(lams, z0):
        t = 1 + beta - lr * lam
        z1 = (1 - lr * lam) * z
        if abs(t * t - 4 * beta) < 1e-12:  # a repeated root r = t / 2 (r = 0 only when beta = 0, lr lam = 1)
            r = t / 2
            zs.append(np.where(k == 0, z, 0.0) if r == 0 else (z + (z1 / r - z) * k) * r ** k)
            continue
        r1, r2 = np.roots([1.0, -t, beta]).astype(complex)
        c1 = (z1 - r2 * z) / (r1 - r2)
        c2 = z - c1
        zs.append((c1 * r1 ** k + c2 * r2 ** k).real)
    return np.stack(zs, axis=1) @ q.T


@pytest.mark.parametrize("beta", [0.0, 0.3, 0.5, 0.9, 0.99])
@pytest.mark.parametrize("lr", [0.05, 0.15])
def test_on_the_quadratic_valley_trajectories_match_the_closed_form(beta, lr):
    surface = surfaces.SURFACES["valley"]
    run = experiment.trajectory(surface, (-3.5, -1.2), lr, beta, 150)
    expected = closed_form(surfaces.valley_matrix().numpy(), np.array([-3.5, -1.2]), lr, beta, 150)
    np.testing.assert_allclose(run.positions, expected, atol=1e-9)


@pytest.mark.parametrize("lr, beta", [(0.25, 0.25), (1.0, 0.0), (1.5 - math.sqrt(2), 0.5)])
def test_critically_damped_runs_match_the_repeated_root_closed_form(lr, beta):
    # (1 + beta - lr)^2 = 4 beta on L = x^2 / 2: both roots of the recurrence coincide
    assert (1 + beta - lr) ** 2 == pytest.approx(4 * beta, abs=1e-12)
    run = experiment.trajectory(quadratic(), (1.0,), lr, beta, 60)
    expected = closed_form(np.eye(1), np.array([1.0]), lr, beta, 60)
    np.testing.assert_allclose(run.positions, expected, atol=1e-12)
    assert np.abs(expected[1:]).max() < 1  # no overshoot past the minimum: it creeps in from one side
    assert (expected[:, 0] >= -1e-15).all()


def test_on_a_one_dimensional_quadratic_gradient_descent_is_geometric():
    # L(x) = x^2 / 2 has no place in SURFACES; build the Surface directly.
    s = surfaces.Surface("q", "q", 1, lambda w: 0.5 * w[..., 0] ** 2, "", "", (-1, 1), None,
                       (surfaces.CriticalPoint("global minimum", (0.0,)),), (1.0, 0.0), 0.1, 10,
                       radius=0.1, tol=0.01, shade=1.0, top=1.0)
    run = experiment.trajectory(s, (1.0,), 0.1, 0.0, 40)
    np.testing.assert_allclose(run.positions[:, 0], 0.9 ** np.arange(41), rtol=1e-12)


@pytest.mark.parametrize("key", KEYS)
def test_the_lesson_form_is_the_same_method(key):
    surface, cfg = surfaces.SURFACES[key], preset(key)
    run = experiment.trajectory(surface, cfg.start, cfg.lr, 0.9, cfg.steps)
    mine = experiment.lesson_form_positions(surface, cfg.start, cfg.lr, 0.9, cfg.steps)
    np.testing.assert_allclose(mine, run.positions, atol=1e-9)


def test_lesson_form_check_compares_the_fastest_heavy_ball_run():
    cfg = MomentumConfig()
    label, gap, steps = experiment.lesson_form_check(cfg, experiment.trajectories(cfg))
    assert label == "β = 0.9" and gap < 1e-9 and steps == cfg.steps
    plain = cfg.replace(momenta=(0.0,))
    assert experiment.lesson_form_check(plain, experiment.trajectories(plain)) is None
    nesterov = cfg.replace(nesterov=True)
    assert experiment.lesson_form_check(nesterov, experiment.trajectories(nesterov)) is None


def test_defaults_show_the_lessons_claims():
    """No momentum stays in the local minimum; 0.5 rolls through the pass; 0.9 overshoots and oscillates."""
    found = outcome_map(MomentumConfig())
    none, some, much = found["β = 0"], found["β = 0.5"], found["β = 0.9"]
    assert none.ended_in == "local minimum" and not none.oscillated and none.escaped == "never near"
    assert some.ended_in == "global minimum" and some.reversals < experiment.OSCILLATING and some.escaped == "yes"
    assert much.ended_in == "global minimum" and much.oscillated and much.escaped == "yes"
    assert much.settled_at > some.settled_at + 30  # overshooting costs time
    verdict = story.verdict(list(found.values()))
    assert "**β = 0** stayed in the local minimum" in verdict
    assert "**β = 0.9** reached the global minimum but overshot and oscillated" in verdict


# ended_in per run, and which runs oscillate (>= OSCILLATING reversals), as each preset's story claims
STORIES = {
    "two_minima": ({"β = 0": "local minimum", "β = 0.5": "global minimum", "β = 0.9": "global minimum"},
                   {"β = 0.9"}),
    "saddle": ({"β = 0": "saddle point", "β = 0.5": "global minimum", "β = 0.9": "global minimum"}, set()),
    "lesson": ({"β = 0": "saddle point", "β = 0.5": "local minimum", "β = 0.9": "global minimum"},
               {"β = 0.5", "β = 0.9"}),
    "plateau": ({"β = 0": "still on the plateau", "β = 0.5": "global minimum", "β = 0.9": "global minimum"},
                {"β = 0.5", "β = 0.9"}),
    "valley": ({"β = 0": "no minimum yet", "β = 0.5": "global minimum", "β = 0.9": "global minimum"},
               {"β = 0", "β = 0.9"}),
    "rosenbrock": ({"β = 0": "no minimum yet", "β = 0.5": "no minimum yet", "β = 0.9": "global minimum"},
                   {"β = 0", "β = 0.9"}),
}


def test_every_surface_has_a_story():
    assert set(STORIES) == set(KEYS)


@pytest.mark.parametrize("key", KEYS)
def test_each_surface_preset_tells_its_story(key):
    ended, oscillating = STORIES[key]
    found = outcome_map(preset(key))
    assert {label: o.ended_in for label, o in found.items()} == ended
    assert {label for label, o in found.items() if o.oscillated} == oscillating
    assert all(o.diverged_at is None for o in found.values())
    if key in ("saddle", "lesson"):
        assert found["β = 0"].escaped == "no" and found["β = 0.9"].escaped == "yes"


def test_in_the_narrow_valley_plain_descent_zigzags_and_crawls_and_momentum_gets_along():
    surface, cfg = surfaces.SURFACES["valley"], preset("valley")
    assert cfg.lr * max(surfaces.VALLEY_CURVATURES) == pytest.approx(1.8)  # just under GD's limit of 2
    found = outcome_map(cfg)
    plain, some, much = found["β = 0"], found["β = 0.5"], found["β = 0.9"]
    assert plain.oscillated and plain.settled_at is None  # zig-zags across, still crawling along the floor
    assert np.linalg.norm(plain.final_at) > 4 * surface.tol
    assert some.settled_at is not None and not some.oscillated  # moderate momentum gets along the floor
    assert much.settled_at is not None and much.reversals > 3 * plain.reversals  # heavy momentum spirals
    assert some.final_loss < plain.final_loss / 100


def test_a_run_near_a_minimum_with_a_high_loss_has_not_reached_it():
    """Rosenbrock with Nesterov: beta = 0.9 ends 0.07 from (1, 1) but with loss 1.55, bouncing across the
    steep valley; it must not be labelled as having reached the minimum while a run with lower loss has not."""
    surface = surfaces.SURFACES["rosenbrock"]
    found = outcome_map(preset("rosenbrock", nesterov=True))
    much = found["β = 0.9"]
    assert np.linalg.norm(np.subtract(much.final_at, (1, 1))) <= surface.radius
    assert much.final_loss > 1 and much.ended_in == "no minimum yet" and much.close_to == "global minimum"
    line = story.describe([much], surface)[0]
    assert f"within {surface.radius:g} of the global minimum, but its loss is still more than" in line
    assert story.verdict([much]) == "**β = 0.9** has not reached a minimum yet."


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("nesterov", [False, True])
def test_a_run_ended_in_a_point_only_with_a_loss_close_to_the_points(key, nesterov):
    surface = surfaces.SURFACES[key]
    found = outcome_map(preset(key, nesterov=nesterov, momenta=(0.0, 0.5, 0.9, 0.99)))
    for o in found.values():
        if o.ended_in.endswith(("minimum", "point")):
            assert any(abs(o.final_loss - surface.loss_at(p.at)) <= surface.loss_tol
                       and np.linalg.norm(np.subtract(o.final_at, p.at)) <= surface.radius
                       for p in surface.points if p.kind == o.ended_in)


def test_divergence_stops_the_run_and_is_reported():
    cfg = preset("rosenbrock", lr=0.01, momenta=(0.0, 0.9))
    surface = surfaces.SURFACES["rosenbrock"]
    runs = experiment.trajectories(cfg)
    assert all(r.diverged_at is not None for r in runs)
    for r in runs:
        assert np.isfinite(r.positions).all() and np.isfinite(r.losses).all()
        assert len(r.positions) == r.diverged_at  # rows for w_0 .. w_{N-1}
    found = experiment.outcomes(runs, surface)
    table = experiment.outcome_table(found, surface)
    assert table["diverged"].str.startswith("at step").all()
    assert all("diverged at step" in line for line in story.describe(found, surface))
    paths = experiment.paths_frame(runs, surface)
    # the charts carry exactly the rows up to each run's divergence, all finite
    spec = charts.surface_chart(surfaces.surface_grid(surface), paths, surface, cfg.labels, cfg.steps, "SGD").to_dict()
    drawn = pd.DataFrame(spec["datasets"][spec["layer"][1]["data"]["name"]])
    assert drawn.groupby("run").size().to_dict() == {r.label: r.diverged_at for r in runs}
    assert np.isfinite(drawn[["x", "y", "loss", "gap"]].to_numpy()).all()
    loss = charts.loss_chart(paths, cfg.labels).to_dict()
    assert len(loss["datasets"][loss["data"]["name"]]) == sum(r.diverged_at for r in runs)


def test_count_reversals_counts_steps_that_point_back():
    zigzag = np.array([[0, 0], [1, 0], [0.2, 0], [0.9, 0], [0.9, 0], [1.5, 0.1]])
    assert experiment.count_reversals(zigzag) == 2  # the pause is not a reversal
    assert experiment.count_reversals(np.array([[0.0], [1.0]])) == 0


def test_outcome_table_and_sentences_come_from_the_numbers():
    cfg = MomentumConfig()
    surface = surfaces.SURFACES[cfg.surface]
    found = experiment.outcomes(experiment.trajectories(cfg), surface)
    table = experiment.outcome_table(found, surface)
    assert list(table["run"]) == ["β = 0", "β = 0.5", "β = 0.9"]
    assert list(table["ended in"]) == ["local minimum", "global minimum", "global minimum"]
    assert list(table["escaped the saddle"]) == ["never near", f"yes, step {found[1].escaped_at}",
                                                 f"yes, step {found[2].escaped_at}"]
    assert (table["diverged"] == "no").all()
    from core.format import number  # numbers are shown as text, readable
    assert table["final loss"].iloc[1] == number(surface.global_loss, digits=4) == "−0.5148"
    assert table["above global min"].iloc[0] == number(found[0].final_loss - surface.global_loss)
    lines = story.describe(found, surface)
    assert str(found[2].reversals) in lines[2] and f"step {found[1].settled_at}" in lines[1]


def test_the_saddle_column_shows_only_when_a_run_came_near_the_saddle():
    cfg = MomentumConfig(y0=1.5)  # from up here every run goes round the pass
    surface = surfaces.SURFACES[cfg.surface]
    found = experiment.outcomes(experiment.trajectories(cfg), surface)
    assert {o.escaped for o in found} == {"never near"}
    assert "escaped the saddle" not in experiment.outcome_table(found, surface)
    assert "escaped the saddle" not in experiment.outcome_table(list(outcome_map(preset("plateau")).values()),
                                                             surfaces.SURFACES["plateau"])


def test_compare_uses_the_same_start_and_batches(mnist):
    data = mnist.subset(512, 256)
    cfg = MomentumConfig(momenta=(0.0, 0.9), nesterov=True, epochs=1)
    result = experiment.train_compare(cfg, data, seed=4)
    zero, high = result.runs["β = 0"], result.runs["β = 0.9"]
    # same weights and first batch: the first loss is identical; momentum only acts from step 2 on
    assert zero.steps["loss"].iloc[0] == high.steps["loss"].iloc[0]
    assert zero.steps["loss"].iloc[5] != high.steps["loss"].iloc[5]
    # beta = 0 is exactly plain SGD (Nesterov is dropped for it)
    plain = train(seeded(4, lambda: MLP(list(experiment.MNIST_SIZES), "relu")), data,
                  TrainSettings(epochs=1, batch_size=64, lr=0.01, momentum=0.0), seed=4)
    np.testing.assert_array_equal(plain.steps["loss"], zero.steps["loss"])
    assert list(result.summary("momentum")["momentum"]) == ["β = 0", "β = 0.9"]


def test_defaults_on_mnist_show_momentum_learning_faster(mnist):
    result = experiment.train_compare(MomentumConfig(), mnist, seed=0)
    acc = result.summary("momentum").set_index("momentum")["val. accuracy"]
    assert acc["β = 0"] < acc["β = 0.5"] < acc["β = 0.9"]
    assert acc["β = 0.9"] > 0.9 and acc["β = 0.9"] - acc["β = 0"] > 0.03
    text = story.training_takeaway(result)
    assert f"after 3 epochs: **β = 0** {acc['β = 0']:.1%}, **β = 0.5** {acc['β = 0.5']:.1%}" in text
    assert "Diverged" not in text and "Press" in story.training_takeaway(None)


