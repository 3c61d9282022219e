"""The momentum lesson's sentences: stability limits that are exact, takeaways and Nesterov notes
read from the runs on screen, the MNIST takeaway naming diverged runs."""
import numpy as np
import pytest

from core.lessons.momentum import experiment, story, surfaces
from core.lessons.momentum.config import MomentumConfig
from core.outcome import DID_NOT_TRAIN, classify
from tests.unit.momentum.helpers import outcome_map, preset, quadratic


@pytest.mark.parametrize("beta", [0.0, 0.5, 0.9])
def test_the_stability_limits_are_where_runs_stop_settling(beta):
    """On L = 5 x^2 the quoted limits on lr * curvature are exact: just below, the run settles; just above,
    it grows (heavy ball 2(1 + beta); PyTorch's Nesterov 2(1 + beta) / (1 + 2 beta))."""
    for nesterov, limit in [(False, story.heavy_ball_limit(beta)), (True, story.nesterov_limit(beta))]:
        surface = quadratic(10.0)
        below = experiment.trajectory(surface, (1.0,), 0.97 * limit / 10, beta, 2000, nesterov)
        above = experiment.trajectory(surface, (1.0,), 1.03 * limit / 10, beta, 2000, nesterov)
        assert below.diverged_at is None and abs(below.positions[-1, 0]) < 1e-6
        assert above.diverged_at is not None


def test_nesterov_outcomes_and_their_explanation():
    cfg = preset("valley", nesterov=True)
    found = outcome_map(cfg)
    assert found["β = 0"].ended_in == "no minimum yet"  # beta = 0 is plain descent either way
    assert found["β = 0.5"].diverged_at is not None and found["β = 0.9"].diverged_at is not None
    notes = story.nesterov_notes(cfg, list(found.values()))
    assert notes[0] == story.NESTEROV_RULE and len(notes) == 3
    assert "η·λ = 1.800, not below Nesterov's limit 1.500" in notes[1] and "heavy-ball's is 3.000" in notes[1]
    assert "limit 1.357" in notes[2] and "Below η = 0.1357 it could" in notes[2]
    # the explanation is right: just under the quoted learning rate, both Nesterov runs settle
    slower = outcome_map(cfg.replace(lr=0.13, steps=600))
    assert all(o.settled_at is not None and o.diverged_at is None for o in slower.values())
    assert story.nesterov_notes(cfg.replace(nesterov=False), list(found.values())) == []
    # a stable run that only overshoots is said to be stable
    cfg = MomentumConfig(nesterov=True)
    found = outcome_map(cfg)
    assert found["β = 0.9"].oscillated and found["β = 0.9"].settled_at is not None
    (rule, line) = story.nesterov_notes(cfg, list(found.values()))
    assert line.startswith("**β = 0.9** reversed direction") and "ordinary overshooting" in line
    # Rosenbrock: at (1, 1) lr * curvature = 1.502, past Nesterov's limit for beta = 0.9
    cfg = preset("rosenbrock", nesterov=True)
    lines = story.nesterov_notes(cfg, list(outcome_map(cfg).values()))
    assert any(line.startswith("**β = 0.9**") and "η·λ = 1.502, not below Nesterov's limit 1.357" in line
               for line in lines)


def test_takeaways_tell_the_surfaces_story_from_the_numbers():
    cfg = MomentumConfig()
    runs = experiment.trajectories(cfg)
    found = experiment.outcomes(runs, surfaces.SURFACES[cfg.surface])
    lines = story.takeaway_lines(cfg, runs, found)
    assert lines[0] == f"On this surface: {story.verdict(found)}"
    assert any("through the pass" in line and f"β = 0.5 at step {found[1].escaped_at}" in line for line in lines)
    assert any(line.startswith("Too much momentum overshoots: **β = 0.9**") for line in lines)
    # without a run that stays behind, there is no "stays in the local minimum" story
    alone = cfg.replace(momenta=(0.5,))
    runs = experiment.trajectories(alone)
    assert story.takeaway_lines(alone, runs, experiment.outcomes(runs, surfaces.SURFACES[cfg.surface])) == [
        f"On this surface: {story.verdict(experiment.outcomes(runs, surfaces.SURFACES[cfg.surface]))}"]


def test_valley_takeaways_quote_the_runs():
    cfg = preset("valley")
    runs = experiment.trajectories(cfg)
    found = experiment.outcomes(runs, surfaces.SURFACES["valley"])
    text = " ".join(story.takeaway_lines(cfg, runs, found))
    assert "η·λ = 1.80" in text and f"{found[0].reversals} reversals for **β = 0**" in text
    assert f"still {np.linalg.norm(found[0].final_at):.2f} from the minimum" in text
    assert f"**β = 0.5** adds up the steady steps along the floor, {found[1].reversals} reversals" in text
    assert "**β = 0.9** overshoots along the floor" in text and "bounces" not in text
    # with Nesterov both momentum runs diverge: the valley story then says nothing about them
    nest = cfg.replace(nesterov=True)
    runs = experiment.trajectories(nest)
    text = " ".join(story.takeaway_lines(nest, runs, experiment.outcomes(runs, surfaces.SURFACES["valley"])))
    assert "**β = 0.5** adds up" not in text and "**β = 0.9** overshoots" not in text


def test_training_takeaway_names_diverged_runs(mnist):
    cfg = MomentumConfig(momenta=(0.0, 0.99), train_lr=2.0, epochs=1)
    result = experiment.train_compare(cfg, mnist, seed=0)
    assert result.runs["β = 0"].diverged_at is None and result.runs["β = 0.99"].diverged_at is not None
    text = story.training_takeaway(result)
    # β = 0 stays finite, but at this learning rate it ends at chance: the takeaway names both outcomes
    assert result.runs["β = 0"].final_val_acc < 0.15
    assert text.endswith("Diverged: β = 0.99. Did not train: β = 0.") and "**β = 0** " in text
    everything = experiment.train_compare(cfg.replace(train_lr=50.0), mnist, seed=0)
    assert "Every run diverged" in story.training_takeaway(everything)


def test_the_effective_step_is_argued_only_from_a_run_that_trained(mnist):
    """β = 0.9 swings past the minimum on the default surface; on MNIST it is the best run only if that run
    learned: a run at chance is no evidence that it is 'the best on MNIST'."""
    cfg = MomentumConfig(momenta=(0.0, 0.9), train_lr=0.05, epochs=1)
    found = list(outcome_map(cfg).values())
    assert any(o.beta == 0.9 and (o.oscillated or o.diverged_at is not None) for o in found)
    trained = experiment.train_compare(cfg, mnist, seed=0)
    assert "yet β = 0.9 is the best on MNIST" in story.effective_step(cfg, found, trained)
    stalled = experiment.train_compare(cfg.replace(train_lr=0.0001, batch_size=1024), mnist, seed=0)
    assert all(classify(r).kind == DID_NOT_TRAIN for r in stalled.runs.values())  # every run at chance
    assert story.effective_step(cfg, found, stalled) is None
