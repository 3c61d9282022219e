"""The identity/branch split of the gradient against numpy (a hand-written backward pass) and autograd."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.lessons.residual import paths
from core.models import MLP, ResidualMLP
from core.seeding import seeded


def sigmoid(z):
    return 1 / (1 + np.exp(-z))


def test_split_equals_a_hand_written_backward_pass():
    """Sizes 6 → 5 → 5 → 5 → 3, sigmoid, α = 0.5, batch of 4: the chain rule g_l = g_{l+1} + α J_{l+1}ᵀ g_{l+1}
    written out in numpy (float64), with J_{l+1}ᵀ g = α (g ⊙ σ'(s_{l+1})) W_{l+1}."""
    alpha = 0.5
    model = seeded(1, lambda: ResidualMLP([6, 5, 5, 5, 3], "sigmoid", branch_scale=alpha))
    x = torch.randn(4, 6, generator=torch.Generator().manual_seed(0))
    y = torch.tensor([0, 2, 1, 2])
    W = [l.weight.detach().double().numpy() for l in model.linears]
    b = [l.bias.detach().double().numpy() for l in model.linears]
    xs = x.double().numpy()
    s1 = xs @ W[0].T + b[0]; h1 = sigmoid(s1)
    s2 = h1 @ W[1].T + b[1]; h2 = h1 + alpha * sigmoid(s2)
    s3 = h2 @ W[2].T + b[2]; h3 = h2 + alpha * sigmoid(s3)
    z = h3 @ W[3].T + b[3]
    p = np.exp(z - z.max(1, keepdims=True)); p /= p.sum(1, keepdims=True)
    dz = (p - np.eye(3)[y.numpy()]) / 4
    g3 = dz @ W[3]
    branch2 = alpha * (g3 * sigmoid(s3) * (1 - sigmoid(s3))) @ W[2]
    g2 = g3 + branch2
    branch1 = alpha * (g2 * sigmoid(s2) * (1 - sigmoid(s2))) @ W[1]
    g1 = g2 + branch1
    got = paths.path_gradients(model, x, y).set_index("layer")
    norm = np.linalg.norm
    np.testing.assert_allclose(got["total"], [norm(g1), norm(g2), norm(g3)], rtol=1e-6)
    np.testing.assert_allclose(got.loc[[1, 2], "identity"], [norm(g2), norm(g3)], rtol=1e-6)
    np.testing.assert_allclose(got.loc[[1, 2], "branch"], [norm(branch1), norm(branch2)], rtol=1e-6)
    assert got.loc[[1, 2], "skip"].all() and not got.loc[3, "skip"] and math.isnan(got.loc[3, "identity"])
    assert (got.loc[[1, 2], "mismatch"] < 1e-12).all()


@pytest.mark.parametrize("batch_norm", [False, True])
@pytest.mark.parametrize("residual", [False, True])
def test_forward_layers_is_the_models_forward_and_the_parts_add_up(residual, batch_norm):
    sizes = [784, 12, 12, 12, 12, 10]
    build = (lambda: ResidualMLP(sizes, "tanh", batch_norm, branch_scale=0.3)) if residual else \
        (lambda: MLP(sizes, "tanh", batch_norm))
    model = seeded(2, build)
    x, y = torch.randn(16, 1, 28, 28), torch.arange(16) % 10
    *_, logits = paths.forward_layers(model, x)
    assert torch.allclose(logits, model(x), atol=1e-6)
    frame = paths.path_gradients(model, x, y)
    assert list(frame["layer"]) == [1, 2, 3, 4] and list(frame.columns) == paths.COLUMNS
    assert (frame["mismatch"].dropna() < 1e-10).all()
    assert frame["skip"].tolist() == [residual] * 3 + [False]
    if not residual:  # a plain layer passes the gradient only through its branch
        np.testing.assert_allclose(frame["branch"][:3], frame["total"][:3])
    # the whole gradient reaching h_L is W_outᵀ ∂L/∂logits: autograd on the model itself agrees
    logits = model(x)
    dlogits, = torch.autograd.grad(F.cross_entropy(logits, y), logits)
    assert frame["total"].iloc[-1] == pytest.approx((dlogits @ model.linears[-1].weight).norm().item(), rel=1e-5)


def test_measuring_changes_nothing_in_the_model():
    model = seeded(0, lambda: ResidualMLP([784, 8, 8, 10], "relu", batch_norm=True, branch_scale=1.0))
    before = {k: v.clone() for k, v in model.state_dict().items()}
    paths.path_gradients(model, torch.randn(32, 784), torch.arange(32) % 10)
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())
    assert all(p.grad is None for p in model.parameters()) and next(model.parameters()).dtype == torch.float32


def test_long_form_and_gain():
    frame = paths.path_gradients(seeded(0, lambda: ResidualMLP([784, 8, 8, 8, 10], "sigmoid")),
                                 torch.randn(8, 784), torch.arange(8))
    long = paths.long(frame.assign(network="Residual"))
    assert set(long["path"]) == {paths.TOTAL, paths.IDENTITY, paths.BRANCH}
    assert (long["grad_norm"] > 0).all() and len(long) == 3 + 2 * 2
    plain = paths.long(paths.path_gradients(seeded(0, lambda: MLP([784, 8, 8, 8, 10], "sigmoid")),
                                            torch.randn(8, 784), torch.arange(8)))
    assert set(plain["path"]) == {paths.TOTAL}  # its branch part is the whole gradient: drawn once
    ratios = frame["total"][:2].to_numpy() / frame["arriving"][:2].to_numpy()
    assert paths.gain(frame) == pytest.approx(math.sqrt(ratios[0] * ratios[1]))
    assert math.isnan(paths.gain(frame.assign(total=0.0)))
