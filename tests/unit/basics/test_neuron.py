"""One neuron: z and the output over the plane against the formula, the decision line, the small change."""
import math

import numpy as np
import pytest
import torch
from hypothesis import given, settings, strategies as st

from core.lessons.basics import neuron
from core.lessons.basics.config import POINT, NeuronConfig


def test_plane_is_the_weighted_sum_through_the_activation():
    cfg = NeuronConfig(w1=2.0, w2=-0.5, bias=0.3, activation="sigmoid")
    grid = neuron.plane(cfg, n=11)
    assert len(grid) == 121 and grid["x1"].min() == POINT[0] and grid["x2"].max() == POINT[1]
    np.testing.assert_allclose(grid["z"], 2.0 * grid["x1"] - 0.5 * grid["x2"] + 0.3, atol=1e-12)
    np.testing.assert_allclose(grid["output"], 1 / (1 + np.exp(-grid["z"])), atol=1e-12)
    step = neuron.plane(cfg.replace(activation="step"), n=11)
    assert ((step["output"] == 1) == (step["z"] > 0)).all()  # the perceptron's convention: 0 on the line
    relu = neuron.plane(cfg.replace(activation="relu"), n=11)
    np.testing.assert_allclose(relu["output"], relu["z"].clip(lower=0))


def test_worked_point():
    out = neuron.worked(NeuronConfig(w1=1.0, w2=1.0, bias=-1.5, activation="step", x1=1.0, x2=1.0))
    assert out == {"z": 0.5, "output": 1.0}
    out = neuron.worked(NeuronConfig(w1=0.5, w2=-2.0, bias=0.1, activation="tanh", x1=-1.0, x2=0.25))
    assert out["z"] == pytest.approx(-0.9) and out["output"] == pytest.approx(math.tanh(-0.9))


@settings(max_examples=200, deadline=None)
@given(st.floats(-5, 5), st.floats(-5, 5), st.floats(-5, 5))
def test_decision_line_lies_on_z_equals_zero_inside_the_box(w1, w2, b):
    line = neuron.decision_line(w1, w2, b)
    if w1 == 0 and w2 == 0:
        assert line.empty
        return
    for x1, x2 in zip(line["x1"], line["x2"]):
        assert POINT[0] - 1e-9 <= x1 <= POINT[1] + 1e-9 and POINT[0] - 1e-9 <= x2 <= POINT[1] + 1e-9
        assert abs(w1 * x1 + w2 * x2 + b) <= 1e-9 * max(1.0, abs(w1), abs(w2), abs(b)) * 10
    if line.empty:  # the line misses the box: z has one sign over all four corners
        corners = [w1 * x + w2 * y + b for x in POINT for y in POINT]
        assert all(c > 0 for c in corners) or all(c < 0 for c in corners) or max(map(abs, corners)) < 1e-9
    else:
        assert len(line) == 2


def test_a_small_change_moves_the_sigmoid_a_little_and_the_step_all_or_nothing():
    cfg = NeuronConfig(w1=1.0, w2=1.0, bias=-1.5, x1=1.0, x2=1.0)
    table = neuron.nudge(cfg).set_index("activation")
    assert table.loc["Step", "change"] == 0.0
    sig = lambda z: 1 / (1 + math.exp(-z))  # noqa: E731
    assert table.loc["Sigmoid", "change"] == pytest.approx(sig(0.6) - sig(0.5))
    assert table.loc["ReLU", "change"] == pytest.approx(0.1)
    edge = neuron.nudge(NeuronConfig(w1=0.45, w2=1.0, bias=-1.5, x1=1.0, x2=1.0)).set_index("activation")
    assert edge.loc["Step", "change"] == 1.0  # z from -0.05 to 0.05: the step jumps
    sweep = neuron.weight_sweep(cfg)
    step = sweep[sweep["activation"] == "Step"]
    assert set(step["output"]) == {0.0, 1.0}
    assert (np.diff(sweep[sweep["activation"] == "Sigmoid"]["output"]) > 0).all()  # smooth and increasing (x1 > 0)


def test_activation_curve_is_the_modules_own():
    curve = neuron.activation_curve("sigmoid", (-3, 3), n=7)
    torch.testing.assert_close(torch.tensor(curve["output"].to_numpy()),
                               torch.sigmoid(torch.tensor(curve["z"].to_numpy())))
    with pytest.raises(ValueError, match="Unknown activation"):
        neuron.activate("swish", torch.zeros(1))
