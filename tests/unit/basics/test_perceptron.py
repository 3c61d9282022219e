"""Rosenblatt's perceptron on the gates: the issue's reference epochs, XOR's failure, the exact-arithmetic
check, and the two-layer network that solves XOR."""
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from core.data import GATE_INPUTS, GATES
from core.lessons.basics import perceptron as P
from core.lessons.basics.config import PerceptronConfig


def reference_rule(gate: str, lr: float, epochs: int = 100, threshold: str = ">") -> tuple[int | None, list[int]]:
    """The rule written out with numpy float32 scalars: (first error-free epoch, errors per epoch)."""
    w = np.zeros(2, dtype=np.float32)
    b = np.float32(0)
    lr = np.float32(lr)
    per_epoch = []
    for epoch in range(1, epochs + 1):
        errors = 0
        for x, y in zip(np.array(GATE_INPUTS, dtype=np.float32), GATES[gate]):
            z = np.float32(x[0] * w[0] + x[1] * w[1]) + b
            y_hat = int(z > 0 if threshold == ">" else z >= 0)
            if y != y_hat:
                errors += 1
                w = (w + lr * np.float32(y - y_hat) * x).astype(np.float32)
                b = np.float32(b + lr * np.float32(y - y_hat))
        per_epoch.append(errors)
        if errors == 0:
            return epoch, per_epoch
    return None, per_epoch


@pytest.mark.parametrize("gate, epoch", [("and", 6), ("or", 4), ("nand", 4)])
def test_the_issues_reference_epochs(gate, epoch):
    """lr 0.1, zero initial weights, samples in truth-table order, step(z) = 1 for z > 0 (issue 15)."""
    run = P.perceptron(PerceptronConfig(gate, 0.1))
    assert run.converged_at == epoch
    assert run.epochs["errors"].iloc[-1] == 0 and (run.epochs["errors"].iloc[:-1] > 0).all()
    assert run.last_update == 4 * epoch
    assert (run.converged_at, run.epochs["errors"].tolist()) == reference_rule(gate, 0.1)


def test_xor_never_converges():
    run = P.perceptron(PerceptronConfig("xor", 0.1))
    assert run.converged_at is None and len(run.epochs) == 100 and run.last_update == 400
    assert run.final_errors == 4
    assert (run.epochs["errors"] >= 1).all()
    assert run.epochs["errors"].tolist() == reference_rule("xor", 0.1)[1]


def test_the_rule_changes_weights_only_on_mistakes():
    run = P.perceptron(PerceptronConfig("and", 0.1))
    u = run.updates[run.updates["update"] > 0]
    right = u["error"] == 0
    assert (u.loc[right, "w1"] == u.loc[right, "w1_before"]).all() and (u.loc[right, "b"] == u.loc[right, "b_before"]).all()
    wrong = u[~right]
    np.testing.assert_allclose(wrong["w1"], wrong["w1_before"] + 0.1 * wrong["error"] * wrong["x1"], atol=1e-7)
    np.testing.assert_allclose(wrong["b"], wrong["b_before"] + 0.1 * wrong["error"], atol=1e-7)
    assert (u["predicted"] == (u["z"] > 0)).all()
    # the decision line of every update satisfies its weights' equation
    merged = run.lines.merge(run.updates[["update", "w1", "w2", "b"]], on="update", suffixes=("", "_w"))
    assert np.allclose(merged["w1"] * merged["x1"] + merged["w2"] * merged["x2"] + merged["b"], 0, atol=1e-6)


def test_the_threshold_convention_matters():
    """With z >= 0 instead, AND needs 4 epochs and NAND 6: the page states its convention."""
    assert P.perceptron(PerceptronConfig("and", 0.1), ">=").converged_at == 4
    assert P.perceptron(PerceptronConfig("nand", 0.1), ">=").converged_at == 6
    assert P.perceptron(PerceptronConfig("or", 0.1), ">=").converged_at == 4
    with pytest.raises(ValueError, match="threshold"):
        P.fire(0.0, "=>")


def test_nands_epoch_4_is_a_rounding_error():
    """Exactly, NAND needs 6 epochs; float32 gets 4 because z = -0.2 + 0.2 comes out 1.5e-8 > 0 at update 15."""
    run = P.perceptron(PerceptronConfig("nand", 0.1))
    effect = P.rounding_effect(run)
    assert effect is not None and (effect.update, effect.epoch, effect.sample) == (15, 4, 3)
    assert effect.z_exact == 0 and 0 < effect.z_float < 1e-6
    assert effect.exact_converged_at == 6
    assert P.exact_perceptron(PerceptronConfig("nand", 0.1))[0] == 6
    for gate in ("and", "or", "xor"):  # the other gates' runs agree with exact arithmetic update for update
        assert P.rounding_effect(P.perceptron(PerceptronConfig(gate, 0.1))) is None
    table = P.gate_table(0.1, (0.0, 0.0, 0.0)).set_index("gate")
    assert table.loc["NAND", "float_gt"] == 4 and table.loc["NAND", "exact_gt"] == 6
    assert table.loc["AND", "float_ge"] == 4 and np.isnan(table.loc["XOR", "exact_gt"])
    assert table.loc["XOR", "last_errors"] == 4 and table.loc["XOR", "epochs_run"] == 100


@settings(max_examples=40, deadline=None)
@given(st.sampled_from(list(GATES)), st.integers(1, 1000))
def test_from_zero_weights_the_learning_rate_does_not_matter_in_exact_arithmetic(gate, thousandths):
    lr = thousandths / 1000
    assert P.exact_perceptron(PerceptronConfig(gate, lr))[0] == P.exact_perceptron(PerceptronConfig(gate, 1.0))[0]


def test_exact_arithmetic_reads_decimals_exactly():
    epoch, predicted, zs = P.exact_perceptron(PerceptronConfig("and", 0.1, (0.3, -0.2, 0.1)), max_epochs=1)
    assert zs[0] == Fraction(1, 10) and predicted[0] == 1


def test_two_sigmoid_layers_solve_xor():
    net = P.train_xor(0)
    assert net.solved and net.run.diverged_at is None
    out = net.rows["output"].to_numpy()
    assert out[[1, 2]].min() > 0.9 and out[[0, 3]].max() < 0.1
    assert len(P.hidden_lines(net)) == 4  # both hidden neurons' lines cross the plane
    # in the hidden layer's outputs (0, 1) and (1, 0) are one point, on the other side of the output line
    h = net.rows[["h1", "h2"]].to_numpy()
    assert np.linalg.norm(h[1] - h[2]) < 0.05
    v1, v2, c = net.output_weights
    side = np.sign(h @ np.array([v1, v2]) + c)
    assert side[1] == side[2] != side[0] == side[3]


def test_xor_network_solves_for_several_seeds():
    assert sum(P.train_xor(seed).solved for seed in range(1, 6)) == 5
