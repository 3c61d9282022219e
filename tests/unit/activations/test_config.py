"""The activations lesson's config: URL round trip, clear errors, exactly the widgets' ranges."""
import pytest

from core.lessons.activations.config import LIMITS, ActivationsConfig


def test_config_round_trips_and_rejects_nonsense():
    cfg = ActivationsConfig(functions=("gelu", "step"), x_min=-3, x_max=8, depth=20,
                                   depth_init="he_normal", hidden=(128, 64), lr=0.05, epochs=2)
    assert ActivationsConfig.from_query(cfg.to_query()) == (cfg, [])
    bad, messages = ActivationsConfig.from_query(
        {"functions": "sigmoid,swish", "depth": "500", "hidden": "50,abc", "lr": "nan"})
    assert bad == ActivationsConfig()
    joined = " ".join(messages)
    for name in ("functions", "depth", "hidden", "lr"):
        assert name in joined
    with pytest.raises(ValueError, match="at least one"):
        ActivationsConfig(functions=())
    with pytest.raises(ValueError, match="0.5"):
        ActivationsConfig(x_min=1, x_max=1.2)


@pytest.mark.parametrize("limit", ["depth", "lr", "momentum", "epochs", "batch_size"])
def test_config_accepts_exactly_the_widget_ranges(limit):
    low, high = LIMITS[limit]
    assert ActivationsConfig(**{limit: low}) and ActivationsConfig(**{limit: high})
    step = 1 if isinstance(low, int) else 1e-6
    for outside in (low - step, high + step):
        with pytest.raises(ValueError):
            ActivationsConfig(**{limit: outside})


def test_config_accepts_exactly_the_x_slider_range():
    low, high = LIMITS["x"]
    assert ActivationsConfig(x_min=low, x_max=high)
    assert ActivationsConfig(x_min=high - 0.5, x_max=high)
    for bad in ({"x_min": low - 0.5}, {"x_max": high + 0.5}, {"x_min": -30.0}):
        with pytest.raises(ValueError, match="between -20 and 20"):
            ActivationsConfig(**bad)


def test_shrink_keeps_the_code_paths_and_run_all_runs_them(mnist):
    """For the app-wide property tests: the shrunk config is valid, cheaper, and every experiment the page
    runs for it runs (here on 300 images, with the step function and a diverging learning rate)."""
    from core.lessons.activations import experiment
    from core.lessons.activations.config import ActivationsConfig, shrink

    config = ActivationsConfig(functions=("step", "relu"), depth=30, hidden=(512, 256), epochs=50, lr=100.0)
    small = shrink(config)
    assert small.functions == config.functions and small.lr == config.lr and small.depth_init == config.depth_init
    assert small.epochs == 1 and max(small.hidden) <= 16 and small.depth <= 4
    experiment.run_all(small, mnist.subset(300, 100), seed=0)
