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
