"""The initialization lesson's config: URL round trip and clear errors."""
import pytest

from core.lessons.initialization.config import InitConfig


def test_config_validation_and_round_trip():
    cfg = InitConfig(schemes=("he_normal", "equal"), activation="relu", depth=25, width=128, lr=0.2)
    assert InitConfig.from_query(cfg.to_query()) == (cfg, [])
    for bad, message in [({"schemes": ()}, "at least one"), ({"activation": "gelu"}, "Activation"),
                         ({"depth": 31}, "Depth"), ({"width": 100_000}, "Width"),
                         ({"schemes": ("xavier", )}, "Unknown initialization")]:
        with pytest.raises(ValueError, match=message):
            InitConfig(**bad)


def test_shrink_keeps_the_code_paths_and_run_all_runs_them(mnist):
    """For the app-wide property tests: the shrunk config is valid, cheaper, and every experiment the page
    runs for it runs (here on 300 images, with equal weights under ReLU, which diverge)."""
    from core.lessons.initialization import experiment
    from core.lessons.initialization.config import InitConfig, shrink

    config = InitConfig(schemes=("equal", "he_uniform"), activation="relu", depth=30, width=1024, epochs=30)
    small = shrink(config)
    assert small.schemes == config.schemes and small.activation == "relu" and small.lr == config.lr
    assert small.epochs == 1 and small.depth <= 4 and small.width <= 16
    experiment.run_all(small, mnist.subset(300, 100), seed=0)
