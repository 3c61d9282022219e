"""The basics lesson's config: URL round trip, clear errors, the parts each experiment is keyed by, shrink."""
import pytest

from core.lessons.basics.config import (N_TRAIN, SUM_PRESETS, BasicsConfig, ClassifierConfig, PerceptronConfig,
                                        SumConfig, shrink)


def test_config_round_trips_and_rejects_nonsense():
    cfg = BasicsConfig(w1=-2.5, w2=0.3, bias=1.0, activation="tanh", x1=-1.25, x2=2.0, gate="xor",
                       perceptron_lr=0.5, start="neuron", lr=0.05, epochs=7, batch_size=100, low=-3.0, high=10.0,
                       q1=1.0, q2=2.0, q3=3.0, step=42, mlp_lr=0.001, mlp_epochs=3, mlp_batch_size=256,
                       standardise=True)
    assert BasicsConfig.from_query(cfg.to_query()) == (cfg, [])
    bad, messages = BasicsConfig.from_query({"w1": "9", "activation": "gelu", "gate": "xnor", "start": "random",
                                             "low": "5", "high": "1", "batch_size": "0", "step": "0",
                                             "mlp_epochs": "50", "q1": "abc"})
    assert bad.w1 == 1.0 and bad.gate == "and" and bad.batch_size == 32
    joined = " ".join(messages)
    for name in ("w1", "activation", "gate", "start", "batch_size", "step", "mlp_epochs", "q1"):
        assert f"{name}=" in joined
    assert "low=" in joined or "high=" in joined  # the pair is inconsistent: one of the two is refused
    for bad_value, message in [({"low": 2.0, "high": 1.0}, "low end below its high end"),
                               ({"lr": 20.0}, "Learning rate"), ({"epochs": 501}, "Epochs"),
                               ({"batch_size": 1001}, "Batch size"), ({"mlp_batch_size": 4}, "Batch size"),
                               ({"bias": -5.5}, "Bias"), ({"x2": 3.0}, "Input x₂"),
                               ({"perceptron_lr": 0.0}, "Perceptron learning rate"), ({"step": 5001}, "Step")]:
        with pytest.raises(ValueError, match=message):
            BasicsConfig(**bad_value)


def test_parts_take_their_fields():
    cfg = BasicsConfig(w1=0.5, w2=-1.0, bias=0.25, start="neuron", gate="or", lr=0.02, batch_size=N_TRAIN,
                       mlp_lr=0.001, standardise=True)
    assert cfg.perceptron == PerceptronConfig("or", 0.1, (0.5, -1.0, 0.25))
    assert cfg.replace(start="zeros").perceptron.initial == (0.0, 0.0, 0.0)
    assert cfg.sum == SumConfig(lr=0.02, epochs=100, batch_size=N_TRAIN)
    assert cfg.sum.steps_per_epoch == 1 and cfg.sum.steps == 100  # the seed code's full batch: one step an epoch
    assert SumConfig(batch_size=32).steps == 100 * 32  # ceil(1000 / 32) = 32
    assert cfg.classifier == ClassifierConfig(0.001, 5, 64, True)
    assert ClassifierConfig().steps(8000) == 625
    settings = cfg.sum.train_settings()
    assert settings.momentum == 0.0 and settings.optimizer == "sgd"  # plain SGD, as the lesson says


def test_presets_are_valid_configs():
    for preset in SUM_PRESETS.values():
        SumConfig(**preset)
    assert SumConfig(**SUM_PRESETS["full batch"]).steps == 100


def test_shrink_is_cheaper_and_valid():
    for cfg in (BasicsConfig(), BasicsConfig(epochs=500, batch_size=1, step=5000, mlp_epochs=20, mlp_batch_size=8)):
        small = shrink(cfg)
        assert small.sum.steps <= 20 and small.step <= 3
        assert small.classifier.steps(8000) <= 32
        assert small.gate == cfg.gate and small.activation == cfg.activation
