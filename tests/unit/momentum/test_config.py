"""The momentum lesson's config: URL round trip, clear errors, a surface bringing its own preset."""
import math

import pytest

from core.lessons.momentum import surfaces
from core.lessons.momentum.config import MomentumConfig
from tests.unit.momentum.helpers import preset


def test_config_round_trips_and_rejects_nonsense():
    cfg = MomentumConfig(surface="valley", momenta=(0.0, 0.8, 0.99), nesterov=True, lr=0.12, steps=321,
                                x0=-3.0, y0=1.25, train_lr=0.02, epochs=2, batch_size=128)
    assert MomentumConfig.from_query(cfg.to_query()) == (cfg, [])
    bad, messages = MomentumConfig.from_query(
        {"surface": "moon", "momenta": "0,x", "lr": "nan", "steps": "-5", "x0": "zz", "nesterov": "maybe"})
    assert bad == MomentumConfig()
    joined = " ".join(messages)
    for name in ("surface", "momenta", "lr", "steps", "x0", "nesterov"):
        assert f"{name}=" in joined
    for changes, message in [
        (dict(momenta=()), "at least one"), (dict(momenta=(0.1,) * 2), "once"),
        (dict(momenta=tuple(i / 10 for i in range(7))), "at most 6"), (dict(momenta=(1.0,)), "0.999"),
        (dict(momenta=(math.nan,)), "finite"), (dict(lr=0.0), "Learning rate"), (dict(steps=0), "Steps"),
        (dict(x0=10.5), "Start x"), (dict(y0=math.inf), "Start y"), (dict(train_lr=-1.0), "Learning rate"),
        (dict(epochs=0), "Epochs"), (dict(surface="moon"), "Unknown surface"),
    ]:
        with pytest.raises(ValueError, match=message):
            MomentumConfig(**changes)


def test_a_surface_in_the_url_brings_its_own_start_unless_the_url_gives_one():
    cfg, messages = MomentumConfig.from_query({"surface": "rosenbrock"})
    assert messages == [] and cfg == preset("rosenbrock")
    cfg, _ = MomentumConfig.from_query({"surface": "rosenbrock", "lr": "0.001", "x0": "0.5"})
    assert (cfg.lr, cfg.x0, cfg.y0, cfg.steps) == (0.001, 0.5, 1.0, 500)
    cfg, messages = MomentumConfig.from_query({"surface": "saddle", "lr": "abc"})
    assert cfg.lr == surfaces.SURFACES["saddle"].lr and "lr=" in messages[0]
    cfg, messages = MomentumConfig.from_query({"surface": "saddle", "lr": "0.02", "train_lr": "x"})
    assert cfg.lr == 0.02 and len(messages) == 1  # a bad train_lr does not throw away the good lr


def test_shrink_and_run_all_on_a_few_hundred_images():
    from core.data import load_dataset
    from core.lessons.momentum import experiment
    from core.lessons.momentum.config import shrink

    small = shrink(MomentumConfig.for_surface("custom", noise=0.5, nesterov=True))
    assert small.steps <= 30 and small.epochs == 1 and small.formula == MomentumConfig().formula
    data = load_dataset("mnist", offline=True).subset(300, 100)
    assert experiment.run_all(small, data, seed=0) is None
