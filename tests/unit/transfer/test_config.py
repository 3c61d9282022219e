"""The transfer lesson's config: round trips, clear errors, presets and the shrunken config are valid,
and any URL gives a valid config plus messages."""
import pytest
from hypothesis import given, settings, strategies as st

from core.lessons.transfer.config import (K_CHOICES, K_LIMITS, PRESETS, SEEDS, TransferConfig, preset_label,
                                          shrink)


def test_round_trip_and_the_sweep_always_holds_the_slider_k():
    cfg = TransferConfig(k=7, ks=(1, 20), seeds=4, epochs=10, batch_size=32, lr=0.02, momentum=0.5, feature_lr=0.3)
    assert TransferConfig.from_query(cfg.to_query()) == (cfg, [])
    assert cfg.sweep == (1, 7, 20)
    assert TransferConfig(k=5, ks=(5, 1)).sweep == (1, 5)
    assert TransferConfig(ks=()).sweep == (5,)


@pytest.mark.parametrize("bad, message", [
    ({"k": 0}, "Images per class"), ({"k": 101}, "Images per class"), ({"ks": (7,)}, "sweep's K values"),
    ({"ks": (5, 5)}, "once"), ({"seeds": 2}, "Seeds"), ({"seeds": 11}, "Seeds"), ({"epochs": 51}, "Epochs"),
    ({"batch_size": 0}, "Batch size"), ({"lr": 1e-5}, "Learning rate"), ({"momentum": 1.0}, "Momentum"),
    ({"feature_lr": 0.0}, "Feature learning rate"), ({"feature_lr": float("nan")}, "Feature learning rate"),
])
def test_rejects_nonsense_with_a_clear_message(bad, message):
    with pytest.raises(ValueError, match=message):
        TransferConfig(**bad)


def test_presets_train_on_a_first_visit_and_big_sweeps_wait_for_train():
    from core.lessons.transfer.experiment import light, total_work

    for name in PRESETS:
        assert light(TransferConfig(**PRESETS[name])), name
    # 10·(1 + 5 + 10)·20 images and (13 + 63 + 125) steps of 16, × 3 seeds × 4 methods
    assert total_work(TransferConfig()) == (38_400, 2_412)
    assert not light(TransferConfig(epochs=40, batch_size=1))
    assert not light(TransferConfig(k=100, seeds=3))


def test_presets_and_shrink():
    assert TransferConfig(**PRESETS["default"]) == TransferConfig()  # the first view is the default preset
    ref = TransferConfig(**PRESETS["reference"])
    assert ref.sweep == (5,) and ref.seeds == 5
    assert preset_label("default") == "K = 1, 5, 10 · 3 seeds · 20 epochs"
    small = shrink(TransferConfig(k=50, ks=(100,), seeds=10, epochs=50))
    assert small.seeds == SEEDS[0] >= 3 and small.epochs == 1 and small.sweep == (1,)


@settings(max_examples=60, deadline=None)
@given(st.dictionaries(st.sampled_from(["k", "ks", "seeds", "epochs", "batch_size", "lr", "momentum", "feature_lr",
                                        "other"]), st.text(max_size=12), max_size=6))
def test_any_query_gives_a_valid_config(query):
    cfg, messages = TransferConfig.from_query(query)
    assert K_LIMITS[0] <= cfg.k <= K_LIMITS[1] and set(cfg.ks) <= set(K_CHOICES)
    assert isinstance(messages, list)
