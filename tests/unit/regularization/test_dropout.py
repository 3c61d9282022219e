"""Dropout made visible: the mask and the 1/(1 − p) scaling in train mode, and no dropout in eval mode."""
import pytest
import torch

from core.lessons.regularization import dropout
from core.lessons.regularization.config import CompareConfig
from core.lessons.regularization.experiment import build
from core.models import MLP
from core.seeding import seeded


def test_dropout_is_off_in_eval_mode():
    """In eval mode the dropout network computes exactly what the same weights compute without dropout
    layers, on every call; in train mode it does not."""
    config = CompareConfig(width=64, dropout=0.5)
    with_dropout = build(config, "dropout", seed=3)
    without = build(config, "none", seed=3)
    x = torch.randn(32, 1, 28, 28, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        with_dropout.eval(), without.eval()
        assert torch.equal(with_dropout(x), without(x)) and torch.equal(with_dropout(x), with_dropout(x))
        with_dropout.train()
        assert not torch.allclose(with_dropout(x), without(x))


@pytest.mark.parametrize("p", [0.2, 0.5, 0.8])
def test_the_mask_drops_about_p_and_the_survivors_are_scaled_by_one_over_one_minus_p(p):
    model = seeded(0, lambda: MLP([784, 256, 256, 10], "relu", dropout=p))
    x = torch.randn(64, 1, 28, 28, generator=torch.Generator().manual_seed(1))
    v = dropout.view(model, x, layer=1, seed=5, trained=False)
    n = 64 * 256
    assert abs(v.dropped_share - p) < 4 * (p * (1 - p) / n) ** 0.5  # four binomial standard deviations
    assert v.scaling_exact and v.scale == pytest.approx(1 / (1 - p))
    f = v.frame
    assert (f.loc[f["kept"] == 0, "train"] == 0).all()
    kept = f[f["kept"] == 1]
    torch.testing.assert_close(torch.tensor(kept["train"].values), torch.tensor(kept["h"].values / (1 - p)))
    # eval mode: hidden layer 1's output is h itself, and it is repeatable; train-mode masks are fresh draws
    assert (f["eval"] == f["h"]).all() and v.eval_repeatable and v.train_masks_differ
    # the scaling keeps the layer's mean: within a few standard errors of the mean before dropout
    assert v.mean_train == pytest.approx(v.mean_h, rel=0.1)


def test_the_view_is_seeded_and_leaves_the_model_untouched():
    model = seeded(0, lambda: MLP([784, 32, 32, 10], "relu", dropout=0.5))
    before = {k: t.clone() for k, t in model.state_dict().items()}
    x = torch.randn(16, 1, 28, 28, generator=torch.Generator().manual_seed(2))
    a = dropout.view(model, x, layer=2, seed=9, trained=False)
    b = dropout.view(model, x, layer=2, seed=9, trained=False)
    assert a.frame.equals(b.frame)
    assert not a.frame.equals(dropout.view(model, x, layer=2, seed=10, trained=False).frame)
    assert all(torch.equal(before[k], t) for k, t in model.state_dict().items()) and model.training


def test_p_zero_keeps_everything_and_a_missing_layer_is_refused():
    model = seeded(0, lambda: MLP([784, 16, 10], "relu", dropout=0.0))
    x = torch.randn(8, 1, 28, 28)
    v = dropout.view(model, x, layer=1, seed=0, trained=False)
    assert v.dropped_share == 0 and (v.frame["train"] == v.frame["h"]).all()
    with pytest.raises(ValueError, match="hidden layers 1 to 1"):
        dropout.view(model, x, layer=2, seed=0, trained=False)


def test_view_of_uses_the_trained_dropout_network_when_there_is_one(small):
    from core.lessons.regularization.experiment import compare

    config = CompareConfig(width=32, epochs=1, images=200)
    result = compare(config, small, seed=0)
    trained = dropout.view_of(result, config, small, seed=0)
    untrained = dropout.view_of(None, config, small, seed=0)
    assert trained.trained and not untrained.trained
    assert not trained.frame["h"].equals(untrained.frame["h"])
    assert trained.batch == config.batch_size and trained.units == 32
