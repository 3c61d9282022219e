import math

import pytest
import torch
from torch import nn

from core.initializers import INIT_SCHEMES, init_layer, scheme_bound
from core.models import MAX_LAYERS, MAX_WIDTH, MLP, LessonCNN, ResidualMLP, count_parameters
from core.seeding import seeded


def test_mlp_is_built_from_sizes_with_modulelist():
    m = MLP([784, 50, 50, 10], "sigmoid")
    assert isinstance(m.linears, nn.ModuleList)
    assert [(l.in_features, l.out_features) for l in m.linears] == [(784, 50), (50, 50), (50, 10)]
    assert all(isinstance(a, nn.Sigmoid) for a in m.acts) and len(m.acts) == 2
    assert m(torch.randn(5, 1, 28, 28)).shape == (5, 10)


def test_mlp_batch_norm_sits_between_linear_and_activation():
    m = MLP([784, 32, 10], "relu", batch_norm=True)
    assert isinstance(m.norms[0], nn.BatchNorm1d) and m.norms[0].num_features == 32
    x = torch.randn(8, 784)
    expected = m.linears[1](m.acts[0](m.norms[0](m.linears[0](x))))
    assert torch.allclose(m(x), expected)


@pytest.mark.parametrize("sizes,match", [([784], "at least"), ([784, 0, 10], "positive"),
                                         ([784, MAX_WIDTH + 1, 10], "limited"),
                                         ([784] + [8] * MAX_LAYERS + [10], "At most")])
def test_unbuildable_sizes_are_clear_errors(sizes, match):
    with pytest.raises(ValueError, match=match):
        MLP(sizes)


def test_cnn_shapes_and_parameter_count():
    cnn = LessonCNN()
    assert cnn(torch.randn(2, 1, 28, 28)).shape == (2, 10)
    expected = (16 * 25 + 16) + (32 * 16 * 25 + 32) + (32 * 7 * 7 * 10 + 10)
    assert count_parameters(cnn) == expected
    assert isinstance(LessonCNN(batch_norm=True).bn1, nn.BatchNorm2d)


def test_same_seed_same_weights_different_seed_different():
    a = seeded(3, lambda: MLP([784, 50, 10], "relu"))
    b = seeded(3, lambda: MLP([784, 50, 10], "tanh"))  # the activation has no parameters
    c = seeded(4, lambda: MLP([784, 50, 10], "relu"))
    assert all(torch.equal(p, q) for p, q in zip(a.parameters(), b.parameters()))
    assert not torch.equal(a.linears[0].weight, c.linears[0].weight)


@pytest.mark.parametrize("scheme", list(INIT_SCHEMES))
def test_init_schemes_respect_their_bound_and_variance(scheme):
    layer = nn.Linear(400, 300)
    torch.manual_seed(0)
    init_layer(layer, scheme)
    w = layer.weight.detach()
    kind, value = scheme_bound(scheme, 400, 300)
    if kind == "value":
        assert torch.all(w == value)
    elif kind == "bound":
        assert w.abs().max() <= value
        assert w.abs().max() > 0.98 * value  # the samples reach the bound
        assert w.var().item() == pytest.approx(value ** 2 / 3, rel=0.03)  # Var U[-a,a] = a^2/3
    else:
        assert w.std().item() == pytest.approx(value, rel=0.03)
        assert abs(w.mean().item()) < 0.01 * value * 10
    if scheme == "normal":  # Nielsen's large initializer: the biases are N(0, 1) too
        assert layer.bias.std().item() == pytest.approx(1.0, rel=0.15)
    elif scheme != "default":
        assert torch.all(layer.bias == 0)


def test_he_and_xavier_match_closed_forms():
    assert scheme_bound("he_uniform", 64, 64)[1] == pytest.approx(math.sqrt(6 / 64))
    assert scheme_bound("xavier_uniform", 784, 50)[1] == pytest.approx(math.sqrt(6 / 834))


def test_dropout_is_off_in_eval_mode_and_scales_by_one_over_keep_in_train_mode():
    from core.models import SeededDropout

    drop = SeededDropout(0.25, seed=1)
    x = torch.ones(200, 300)
    out = drop.train()(x)
    kept = drop.last_mask
    assert out.unique().tolist() == pytest.approx([0.0, 1 / 0.75])  # survivors scaled by 1 / (1 - p)
    assert torch.equal(out == 0, kept == 0)
    assert kept.mean().item() == pytest.approx(0.75, abs=0.01)
    assert torch.equal(drop.eval()(x), x)  # no dropout at prediction time
    again = SeededDropout(0.25, seed=1).train()(x)
    assert torch.equal(again, out)  # its own seeded generator: the same masks


def test_input_noise_only_while_training():
    model = seeded(0, lambda: MLP([4, 3, 2], "relu", input_noise=0.5))
    x = torch.zeros(2, 4)
    assert not torch.equal(model.train()(x), model.train()(x))
    assert torch.equal(model.eval()(x), model.eval()(x))


def test_residual_mlp_has_the_plain_mlps_weights_and_adds_the_skip():
    from core.models import ResidualMLP, hidden_layers

    sizes = [784, 16, 16, 16, 10]
    plain = seeded(5, lambda: MLP(sizes, "tanh"))
    res = seeded(5, lambda: ResidualMLP(sizes, "tanh", branch_scale=0.5))
    assert all(torch.equal(p, q) for p, q in zip(plain.parameters(), res.parameters()))
    x = torch.randn(8, 784)
    h1 = torch.tanh(plain.linears[0](x))
    h2 = h1 + 0.5 * torch.tanh(plain.linears[1](h1))
    h3 = h2 + 0.5 * torch.tanh(plain.linears[2](h2))
    assert torch.allclose(res(x), plain.linears[3](h3), atol=1e-6)
    assert torch.allclose(hidden_layers(res, x)[2][1], h3, atol=1e-6)
    assert not torch.allclose(plain(x), res(x))


def test_sixty_four_hidden_layers_build_and_the_limit_is_exact():
    """The residual lesson's deepest network: 64 hidden layers + the output layer = 65 Linear layers."""
    sizes = [784] + [8] * 64 + [10]
    assert len(sizes) - 1 == MAX_LAYERS
    for model in (MLP(sizes), ResidualMLP(sizes, branch_scale=0.125)):
        assert len(model.linears) == 65 and model(torch.randn(2, 784)).shape == (2, 10)
    with pytest.raises(ValueError, match="At most 65 layers"):
        MLP([784] + [8] * 65 + [10])
