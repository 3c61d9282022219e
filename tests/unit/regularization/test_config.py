"""The regularization lesson's state: the experiments' configs, the page's view in the URL, presets, shrink."""
from dataclasses import fields

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.lessons.regularization.config import (DATA_REGULARIZERS, PARTS, PRESETS, REGULARIZERS, CompareConfig,
                                                CurveConfig, DataConfig, OverfitConfig, RegularizationView, shrink,
                                                view_field)
from core.settings import GLOBAL_KEYS


def test_the_view_round_trips_through_the_url():
    view = RegularizationView(degree=3, ridge=True, ln_lambda=-7.5, net_images=2000, net_l2=0.5, width=64,
                              depth=3, layer=3, dropout=0.3, monitor="val_loss", data_sizes=(100, 8000),
                              data_regularizer="noise")
    assert RegularizationView.from_query(view.to_query()) == (view, [])


def test_the_view_is_its_parts():
    view = RegularizationView(net_lr=2.0, lr=0.05, net_epochs=7, epochs=9)
    assert view.overfit.lr == 2.0 and view.compare.lr == 0.05
    assert view.overfit.epochs == 7 and view.compare.epochs == 9
    assert RegularizationView.of({name: view.part(name) for name in PARTS}) == view
    for name, cls in PARTS.items():
        assert {view_field(name, f.name) for f in fields(cls)} <= {f.name for f in fields(RegularizationView)}
    assert not set(RegularizationView().to_query()) & set(GLOBAL_KEYS)  # no clash with the sidebar's keys


@pytest.mark.parametrize("params, field", [
    ({"degree": "16"}, "degree"), ({"points": "1"}, "points"), ({"ln_lambda": "nan"}, "ln_lambda"),
    ({"net_images": "50"}, "net_images"), ({"net_epochs": "401"}, "net_epochs"), ({"net_l2": "-1"}, "net_l2"),
    ({"width": "4096"}, "width"), ({"dropout": "1"}, "dropout"), ({"monitor": "train_loss"}, "monitor"),
    ({"lr": "0.00001"}, "lr"), ({"epochs": "101"}, "epochs"), ({"data_sizes": "10,100"}, "data_sizes"),
    ({"data_regularizer": "early_stopping"}, "data_regularizer"), ({"data_sizes": "100,100"}, "data_sizes"),
])
def test_values_outside_the_widgets_are_rejected_with_a_message(params, field):
    view, messages = RegularizationView.from_query(params)
    assert view == RegularizationView() and any(f"{field}=" in m for m in messages)


def test_a_layer_beyond_the_depth_is_refused_but_kept_with_a_deep_enough_network():
    with pytest.raises(ValueError, match="hidden layer from 1 to 2"):
        CompareConfig(depth=2, layer=3)
    view, messages = RegularizationView.from_query({"layer": "3", "depth": "3"})
    assert (view.layer, view.depth, messages) == (3, 3, [])  # accepted whatever the order


def test_nielsens_weight_decay_is_lambda_over_n():
    """C = C0 + λ/(2n)Σw²: each weight's gradient gains λ/n · w, i.e. weight decay λ/n."""
    assert OverfitConfig(l2=0.1).weight_decay(1000) == pytest.approx(1e-4)
    assert OverfitConfig(l2=0.1).train_settings(0.1, 1000).weight_decay == pytest.approx(1e-4)


@pytest.mark.parametrize("epochs, batch, evals", [(60, 10, 3), (400, 10, 1), (1, 10, 5), (30, 1000, 1)])
def test_validations_per_epoch(epochs, batch, evals):
    cfg = OverfitConfig(epochs=epochs, batch_size=batch)
    per_epoch = -(-1000 // batch)
    every = cfg.eval_every(1000)
    got = 1 if every == 0 else -(-per_epoch // every)
    assert got == evals


def test_each_regularizer_gets_only_its_own_setting():
    cfg = CompareConfig()
    plain = cfg.train_settings("none", 1000)
    assert (plain.weight_decay, plain.max_norm, plain.activity_l1, plain.patience) == (0, 0, 0, 0)
    assert cfg.train_settings("weight_decay", 1000).weight_decay == cfg.weight_decay
    assert cfg.train_settings("max_norm", 1000).max_norm == cfg.max_norm
    assert cfg.train_settings("activity", 1000).activity_l1 == cfg.activity
    stop = cfg.train_settings("early_stopping", 1000)
    assert (stop.patience, stop.monitor, stop.restore_best) == (cfg.patience, cfg.monitor, cfg.restore)
    assert cfg.model_options("dropout") == {"dropout": cfg.dropout}
    assert cfg.model_options("noise") == {"input_noise": cfg.noise} and cfg.model_options("none") == {}
    assert set(DATA_REGULARIZERS) < set(REGULARIZERS)


def test_presets_are_valid_views():
    for name, changes in PRESETS.items():
        view = RegularizationView().replace(**changes)
        assert view.validate() is None, name
    assert PRESETS["reference"]["width"] == 512 and CompareConfig().width == 128
    trap = RegularizationView().replace(**PRESETS["trap_dropout"])
    assert (trap.lr, trap.momentum) == (0.1, 0.9)
    assert RegularizationView().replace(**PRESETS["trap_val_loss"]).monitor == "val_loss"
    back = RegularizationView(width=512, lr=0.1).replace(**PRESETS["compare_defaults"])
    assert back.compare == CompareConfig()


def test_shrink_is_cheap_and_valid():
    small = shrink(RegularizationView(depth=4, layer=4))
    assert small.net_epochs == 1 and small.epochs == 1 and small.width <= 32 and small.layer <= small.depth
    assert small.data_sizes == (100, 200) and small.data_steps == 50


@settings(max_examples=60, deadline=None)
@given(degree=st.integers(-5, 20), points=st.integers(-5, 200), width=st.integers(0, 3000),
       depth=st.integers(0, 6), layer=st.integers(-1, 7), lr=st.floats(allow_nan=True, allow_infinity=True),
       sizes=st.lists(st.integers(-10, 10_000), max_size=10), batch=st.integers(-5, 5000),
       net_batch=st.integers(-5, 5000), evals=st.integers(-2, 20))
def test_any_url_gives_a_valid_view_and_messages(degree, points, width, depth, layer, lr, sizes, batch, net_batch,
                                                 evals):
    params = {"degree": str(degree), "points": str(points), "width": str(width), "depth": str(depth),
              "layer": str(layer), "lr": str(lr), "data_sizes": ",".join(map(str, sizes)), "batch_size": str(batch),
              "net_batch_size": str(net_batch), "evals": str(evals)}
    view, messages = RegularizationView.from_query(params)
    view.validate()
    assert isinstance(messages, list)
    for name in PARTS:
        view.part(name).validate()


def test_data_config_checks_its_list():
    with pytest.raises(ValueError, match="at least one"):
        DataConfig(sizes=())
    with pytest.raises(ValueError, match="at most 8"):
        DataConfig(sizes=tuple(range(100, 1000, 100)))
    assert CurveConfig(ridge=True, ln_lambda=-3.0).penalty == -3.0 and CurveConfig().penalty is None


@pytest.mark.parametrize("params", [{"batch_size": "0"}, {"net_batch_size": "0"}, {"batch_size": "-3"},
                                    {"net_batch_size": "1e9"}])
def test_a_batch_size_of_zero_is_a_message_not_a_crash(params):
    view, messages = RegularizationView.from_query(params)
    assert view == RegularizationView() and len(messages) == 1 and "Batch size" in messages[0]


def test_run_all_runs_every_experiment_of_a_shrunk_view(small, monkeypatch):
    """For the app-wide property tests: run_all(shrink(view)) goes through every experiment the page runs."""
    from core.lessons.regularization import dropout, experiment

    called = []
    for name in ("curve_fit", "overfit", "compare", "more_data"):
        original = getattr(experiment, name)
        monkeypatch.setattr(experiment, name, lambda *a, _f=original, _n=name, **kw: called.append(_n) or _f(*a, **kw))
    original_view = dropout.view_of
    monkeypatch.setattr(dropout, "view_of", lambda *a, **kw: called.append("dropout") or original_view(*a, **kw))
    experiment.run_all(shrink(RegularizationView(depth=3, layer=3)), small, seed=0)
    assert called == ["curve_fit", "overfit", "compare", "dropout", "more_data"]
