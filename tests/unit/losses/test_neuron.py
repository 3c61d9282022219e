"""Nielsen's one neuron, trained by core.training, against his update rule written out by hand, and
his observations (ch. 3) as the issue states them."""
import math

import numpy as np
import pytest

from core.lessons.losses import neuron
from core.lessons.losses.config import NEURON_EPOCHS, NIELSEN_CE_ETA, NeuronConfig

QUAD, CE = neuron.COSTS["quadratic_binary"], neuron.COSTS["bce"]


def by_hand(w, b, eta, cost, epochs=NEURON_EPOCHS):
    """Gradient descent on x = 1, y = 0 with Nielsen's derivatives: (a − y)σ′(z)x or (a − y)x."""
    out = []
    for _ in range(epochs + 1):
        a = 1 / (1 + math.exp(-(w + b)))
        out.append(a)
        delta = a * a * (1 - a) if cost == QUAD else a
        w, b = w - eta * delta, b - eta * delta
    return np.array(out)


@pytest.fixture(scope="module")
def nielsen():
    return neuron.run(NeuronConfig())


@pytest.mark.parametrize("cost", [QUAD, CE])
def test_engine_trajectory_equals_the_update_rule_by_hand(nielsen, cost):
    run = nielsen[nielsen["cost"] == cost]
    assert list(run["epoch"]) == list(range(NEURON_EPOCHS + 1))
    np.testing.assert_allclose(run["a"].to_numpy(), by_hand(2.0, 2.0, 0.15, cost), rtol=2e-4, atol=1e-6)
    a = run["a"].to_numpy()
    grad = a * a * (1 - a) if cost == QUAD else a  # ∂C/∂w at x = 1, y = 0
    np.testing.assert_allclose(run["grad_w"].to_numpy(), grad, rtol=1e-3, atol=1e-7)
    cost_by_hand = a ** 2 / 2 if cost == QUAD else -np.log1p(-a)
    np.testing.assert_allclose(run["C"].to_numpy(), cost_by_hand, rtol=1e-9)


def test_reference_quadratic_barely_moves_for_150_epochs_cross_entropy_does_not_slow_down(nielsen):
    """Issue reference (Nielsen ch. 3): w = b = 2 (output 0.98), η = 0.15: with the quadratic cost the
    output barely moves for the first ~150 epochs; with cross-entropy there is no slowdown.
    Measured: quadratic 0.982 -> 0.933 after 150 epochs, 0.203 after 300; cross-entropy 0.099 after 50."""
    assert neuron.output_at(nielsen, QUAD, 0) == pytest.approx(0.982, abs=1e-3)
    assert neuron.output_at(nielsen, QUAD, 150) > 0.9
    assert neuron.output_at(nielsen, QUAD, 300) < 0.3  # it does learn, late
    assert neuron.steepest_epoch(nielsen, QUAD) > 150
    assert neuron.output_at(nielsen, CE, 50) < 0.15
    assert neuron.steepest_epoch(nielsen, CE) < 20


def test_nielsens_cross_entropy_rate_keeps_the_shape():
    """At Nielsen's η = 0.005 for cross-entropy the cost falls fastest in the first epochs (no slowdown)."""
    frame = neuron.run(NeuronConfig(eta=NIELSEN_CE_ETA))
    assert neuron.steepest_epoch(frame, CE) <= 10
    c = frame[frame["cost"] == CE]["C"].to_numpy()
    assert np.all(np.diff(c) < 0) and c[-1] < 0.5 * c[0]


def test_a_neuron_that_starts_unsaturated_learns_with_both_costs():
    frame = neuron.run(NeuronConfig(w0=0.6, b0=0.9))  # Nielsen's first example, output 0.82
    assert neuron.output_at(frame, QUAD, 0) == pytest.approx(0.818, abs=1e-3)
    assert neuron.output_at(frame, QUAD, 150) < 0.2 and neuron.output_at(frame, CE, 150) < 0.05
