"""The activations lesson's experiments against references: closed forms, finite differences, and
training runs that share their start and batches."""
import math

import numpy as np
import pytest
import torch

from core.activations import ACTIVATIONS
from core.lessons.activations import experiment, story
from core.lessons.activations.config import ActivationsConfig

_sig = lambda x: 1 / (1 + np.exp(-x))  # noqa: E731
_erf = np.vectorize(math.erf)
_phi = lambda x: np.exp(-x ** 2 / 2) / np.sqrt(2 * np.pi)  # noqa: E731
_Phi = lambda x: 0.5 * (1 + _erf(x / np.sqrt(2)))  # noqa: E731

# f and f' written out by hand (the formulas the page shows), independent of the torch modules
CLOSED_FORM = {
    "step": (lambda x: (x > 0) * 1.0, lambda x: 0 * x),
    "sigmoid": (_sig, lambda x: _sig(x) * (1 - _sig(x))),
    "tanh": (lambda x: (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x)), lambda x: 4 / (np.exp(x) + np.exp(-x)) ** 2),
    "relu": (lambda x: np.maximum(0, x), lambda x: (x > 0) * 1.0),
    "leaky_relu": (lambda x: np.maximum(0.01 * x, x), lambda x: np.where(x > 0, 1.0, 0.01)),
    "elu": (lambda x: np.where(x > 0, x, np.exp(np.minimum(x, 0)) - 1), lambda x: np.where(x > 0, 1.0, np.exp(np.minimum(x, 0)))),
    "gelu": (lambda x: x * _Phi(x), lambda x: _Phi(x) + x * _phi(x)),
    "silu": (lambda x: x * _sig(x), lambda x: _sig(x) * (1 + x * (1 - _sig(x)))),
    "softplus": (lambda x: np.log1p(np.exp(x)), _sig),
}


def test_every_activation_has_a_closed_form_reference():
    assert set(CLOSED_FORM) == set(ACTIVATIONS)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_curves_match_the_closed_form_and_central_differences(name):
    act = ACTIVATIONS[name]
    df = experiment.curves((name,), -6.0, 6.0, n=241)
    x = df["x"].to_numpy()
    away = np.all([np.abs(x - k) > 1e-3 for k in act.kinks] or [np.full(len(df), True)], axis=0)
    f, df_dx = CLOSED_FORM[name]
    np.testing.assert_allclose(df["y"], f(x), rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(df["dy"][away], df_dx(x[away]), rtol=1e-9, atol=1e-12)
    h = 1e-5
    xt = torch.tensor(x[away], dtype=torch.float64)
    module = act.make()
    numeric = ((module(xt + h) - module(xt - h)) / (2 * h)).numpy()
    np.testing.assert_allclose(df["dy"][away], numeric, atol=1e-5)  # O(h) at ELU's x=0


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_max_slope_is_the_supremum_of_the_derivative(name):
    df = experiment.curves((name,), -20.0, 20.0, n=40001)
    assert df["dy"].abs().max() == pytest.approx(ACTIVATIONS[name].max_slope, abs=1e-3)


def test_saturation_is_where_the_derivative_is_small():
    df = experiment.curves(("sigmoid", "relu", "step"), -6.0, 6.0)
    assert (df["saturated"] == (df["dy"].abs() < experiment.SATURATION)).all()
    share = experiment.saturated_share(df)
    assert share["Step"] == 1.0  # zero derivative everywhere it is defined
    assert share["ReLU"] == pytest.approx(0.5, abs=0.01)
    # sigma'(x) < 0.05  <=>  |x| > 2 arccosh(sqrt(5)) ~ 2.887: about 52% of [-6, 6]
    assert share["Sigmoid"] == pytest.approx((6 - 2.887) / 6, abs=0.01)
    # tanh'(x) < 0.05  <=>  |x| > artanh(sqrt(0.95)) ~ 2.178
    assert experiment.saturation_edge("tanh") == pytest.approx(math.atanh(math.sqrt(0.95)), abs=0.01)


def test_compare_uses_the_same_start_and_batches(mnist, monkeypatch):
    """Record what every run starts from and sees: the same initial weights and the same batches."""
    data = mnist.subset(256, 64)
    real_train = experiment.train
    starts, batches = {}, {}

    def recording_train(model, data, settings, **kwargs):
        label = kwargs["label"]
        starts[label] = {k: v.clone() for k, v in model.state_dict().items()}
        batches[label] = []
        model.register_forward_pre_hook(
            lambda m, args: batches[label].append(args[0].clone()) if m.training else None)
        return real_train(model, data, settings, **kwargs)

    monkeypatch.setattr(experiment, "train", recording_train)
    cfg = ActivationsConfig(functions=("relu", "sigmoid", "step"), epochs=2, hidden=(32, 16), batch_size=32)
    result = experiment.train_compare(cfg, data, seed=5)
    assert list(starts) == ["ReLU", "Sigmoid", "Step"] == list(result.runs)
    ref_start, ref_batches = starts["ReLU"], batches["ReLU"]
    assert len(ref_batches) == 2 * 256 // 32
    assert not torch.equal(ref_batches[0], ref_batches[8])  # epoch 2 reshuffles
    for label in ("Sigmoid", "Step"):
        assert starts[label].keys() == ref_start.keys()
        assert all(torch.equal(starts[label][k], ref_start[k]) for k in ref_start)
        assert len(batches[label]) == len(ref_batches)
        assert all(torch.equal(a, b) for a, b in zip(batches[label], ref_batches))
    assert set(result.steps["run"]) == {"ReLU", "Sigmoid", "Step"}


def test_step_network_learns_only_in_its_output_layer(mnist):
    data = mnist.subset(512, 256)
    cfg = ActivationsConfig(functions=("step", "relu"), epochs=1, hidden=(32, 16))
    result = experiment.train_compare(cfg, data, seed=0)
    moved = result.moved.set_index(["activation", "layer"])["change"]
    assert moved["Step", 1] == 0 and moved["Step", 2] == 0 and moved["Step", 3] > 0
    assert moved["ReLU", 1] > 0 and moved["ReLU", 2] > 0
    note = story.step_training_note(result)
    assert f"{result.runs['Step'].final_val_acc:.1%}" in note and "did not move at all" in note
    assert all(run.state_dict is None for run in result.runs.values())  # the cache keeps no weights
    assert story.step_training_note(experiment.train_compare(cfg.replace(functions=("relu",)), data, 0)) is None


def test_defaults_show_the_textbook_result(mnist):
    """With the page's defaults the sigmoid network learns slowest; ReLU and tanh pass 90%."""
    result = experiment.train_compare(ActivationsConfig(), mnist, seed=0)
    acc = result.summary("activation").set_index("activation")["val. accuracy"]
    assert acc["Sigmoid"] < acc["Tanh"] - 0.05 and acc["Sigmoid"] < acc["ReLU"] - 0.05
    assert acc["ReLU"] > 0.9 and acc["Tanh"] > 0.9
