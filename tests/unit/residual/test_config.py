"""The residual lesson's config: round trips, clear errors, presets, the branch scale, shrink."""
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.lessons.residual.config import (DEPTH, PRESETS, SCALES, WIDTH, ResidualConfig, shrink)
from core.models import MAX_LAYERS


def test_config_round_trips_and_rejects_nonsense():
    cfg = ResidualConfig(activation="relu", depth=64, width=16, scale="inv_sqrt_depth", batch_norm=True,
                         optimizer="adam", lr=0.001, epochs=2, batch_size=128, seeds=3)
    assert ResidualConfig.from_query(cfg.to_query()) == (cfg, [])
    for bad, message in [({"activation": "gelu"}, "Activation"), ({"depth": 1}, "Depth"), ({"depth": 65}, "Depth"),
                         ({"width": 3}, "Width"), ({"width": 257}, "Width"), ({"scale": "half"}, "Branch scale"),
                         ({"optimizer": "rmsprop"}, "Optimizer"), ({"seeds": 0}, "Seeds"), ({"seeds": 6}, "Seeds"),
                         ({"epochs": 21}, "Epochs"), ({"batch_size": 1}, "Batch size"), ({"lr": 1e-5}, "Learning rate"),
                         ({"momentum": 1.0}, "Momentum")]:
        with pytest.raises(ValueError, match=message):
            ResidualConfig(**bad)


def test_the_deepest_network_fits_the_models_layer_limit():
    assert len(ResidualConfig(depth=DEPTH[1]).sizes) - 1 == DEPTH[1] + 1 <= MAX_LAYERS


def test_branch_scale_and_description():
    assert ResidualConfig(scale="one", depth=32).alpha == 1.0
    assert ResidualConfig(scale="inv_sqrt_depth", depth=32).alpha == pytest.approx(1 / math.sqrt(32))
    text = ResidualConfig(optimizer="adam", lr=0.001).describe()
    assert "Adam (learning rate 0.001)" in text and "momentum" not in text
    assert ResidualConfig().train_settings().optimizer == "sgd"
    assert ResidualConfig(optimizer="adam").train_settings().optimizer == "adam"


def test_presets_are_the_issues_references():
    sig = PRESETS["sigmoid"].config
    assert (sig.activation, sig.width, sig.depth, sig.optimizer, sig.lr, sig.momentum, sig.epochs) == \
        ("sigmoid", 64, 10, "sgd", 0.1, 0.9, 5)
    assert sig == ResidualConfig()  # the default view is the first reference
    for name, depth, scale in [("relu8", 8, "one"), ("relu32", 32, "one"), ("relu32_scaled", 32, "inv_sqrt_depth")]:
        c = PRESETS[name].config
        assert (c.activation, c.width, c.depth, c.scale, c.optimizer, c.lr, c.epochs, c.seeds) == \
            ("relu", 16, depth, scale, "adam", 0.001, 5, 3)


@settings(max_examples=60, deadline=None)
@given(st.sampled_from(["sigmoid", "tanh", "relu"]), st.integers(*DEPTH), st.integers(*WIDTH),
       st.sampled_from(SCALES), st.booleans(), st.sampled_from(["sgd", "adam"]), st.integers(1, 20),
       st.integers(2, 4096), st.integers(1, 5))
def test_shrink_keeps_the_code_paths_and_is_valid(activation, depth, width, scale, bn, optimizer, epochs, bs, seeds):
    cfg = ResidualConfig(activation=activation, depth=depth, width=width, scale=scale, batch_norm=bn,
                         optimizer=optimizer, epochs=epochs, batch_size=bs, seeds=seeds)
    small = shrink(cfg)
    assert (small.activation, small.scale, small.batch_norm, small.optimizer) == (activation, scale, bn, optimizer)
    assert small.epochs == 1 and small.width == 8 and 2 <= small.depth <= 3 and (small.seeds > 1) == (seeds > 1)
    assert ResidualConfig.from_query(small.to_query()) == (small, [])


def test_the_default_and_the_presets_train_on_a_first_visit_and_big_ones_wait():
    assert ResidualConfig().cost(8000) == (1250, pytest.approx(3 * (784 * 64 + 9 * 64 * 64 + 640) * 8000 * 5 * 2))
    assert all(p.config.light(8000) for p in PRESETS.values())
    assert not ResidualConfig(depth=64, width=256).light(8000)
    assert not ResidualConfig(seeds=5, epochs=20).light(8000)
