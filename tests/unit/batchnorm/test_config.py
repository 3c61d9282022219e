"""The batch-norm lesson's config and view: round trips, clear errors, the view is not the training key."""
import pytest

from core.lessons.batchnorm.config import BNConfig, BNView, pick_step


def test_config_rejects_nonsense_and_round_trips():
    cfg = BNConfig(activation="tanh", depth=5, width=64, lr=0.1, batch_size=128)
    assert BNConfig.from_query(cfg.to_query()) == (cfg, [])
    for bad, message in [({"activation": "gelu"}, "Activation"), ({"batch_size": 1}, "Batch size"),
                         ({"depth": 11}, "Depth"), ({"width": 5000}, "Width"), ({"epochs": 31}, "Epochs"),
                         ({"lr": 1e-5}, "Learning rate"), ({"momentum": 1.0}, "Momentum")]:
        with pytest.raises(ValueError, match=message):
            BNConfig(**bad)


def test_view_round_trips_and_is_not_the_training_key():
    cfg = BNConfig(depth=4, width=16)
    view = BNView.of(cfg, step=37, layer=2)
    assert BNView.from_query(view.to_query()) == (view, [])
    assert view.training == cfg == BNView.of(cfg, step=1, layer=4).training
    with pytest.raises(ValueError, match="Layer"):
        BNView.of(cfg, layer=11)


def test_pick_step():
    steps = [1, 10, 20, 30]
    assert pick_step(steps, 0) == 30  # 0: the last
    assert pick_step(steps, 14) == 10 and pick_step(steps, 16) == 20
    assert pick_step(steps, 10**6) == 30
