"""The loss slice of Li et al. (2018): filter-normalised directions, and L(θ + t·d) against a model moved by hand."""
import numpy as np
import pytest
import torch

from core.lessons.residual import landscape
from core.models import MLP, ResidualMLP
from core.seeding import seeded
from core.training import evaluate


def model(residual: bool = False, seed: int = 0):
    sizes = [784, 16, 16, 16, 10]
    return seeded(seed, (lambda: ResidualMLP(sizes, "relu", True)) if residual else (lambda: MLP(sizes, "relu", True)))


def test_direction_rows_have_the_models_row_norms_and_biases_stay():
    m = model(residual=True)
    d = landscape.filter_normalized_direction(m, seed=5)
    for name, p in m.named_parameters():
        if p.dim() < 2:  # biases, batch norm's gamma and beta
            assert torch.count_nonzero(d[name]) == 0, name
        else:
            torch.testing.assert_close(d[name].norm(dim=1), p.detach().norm(dim=1), rtol=1e-5, atol=1e-7)


def test_same_draws_for_two_networks_of_the_same_shapes():
    a, b = model(False, 0), model(True, 1)  # different weights, same shapes
    da, db = landscape.filter_normalized_direction(a, 9), landscape.filter_normalized_direction(b, 9)
    for name, p in a.named_parameters():
        if p.dim() >= 2:  # the same unit vectors, each row scaled by its own network's row norm
            ua, ub = da[name] / da[name].norm(dim=1, keepdim=True), db[name] / db[name].norm(dim=1, keepdim=True)
            torch.testing.assert_close(ua, ub)
    assert not torch.equal(landscape.filter_normalized_direction(a, 10)["linears.0.weight"], da["linears.0.weight"])


def test_slice_matches_a_model_moved_by_hand_and_leaves_the_model_alone(mnist):
    m = model(residual=True)
    x, y = mnist.x_train[:300], mnist.y_train[:300]
    d = landscape.filter_normalized_direction(m, 0)
    before = {k: v.clone() for k, v in m.state_dict().items()}
    s = landscape.loss_slice(m, x, y, d, points=5)
    assert s["t"].tolist() == [-1.0, -0.5, 0.0, 0.5, 1.0]
    assert all(torch.equal(before[k], v) for k, v in m.state_dict().items())
    loss0, acc0 = evaluate(m, x, y)
    assert s.loc[2, "loss"] == pytest.approx(loss0, rel=1e-6) and s.loc[2, "accuracy"] == acc0
    moved = model(residual=True)
    moved.load_state_dict(m.state_dict())
    with torch.no_grad():
        for name, p in moved.named_parameters():
            p.add_(-0.5 * d[name])
    assert s.loc[1, "loss"] == pytest.approx(evaluate(moved, x, y)[0], rel=1e-5)
    assert np.isfinite(s["loss"]).all()
