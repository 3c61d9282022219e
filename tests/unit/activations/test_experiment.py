"""The activations lesson's numbers against references: closed forms, finite differences, direct autograd."""
import math

import numpy as np
import pandas as pd
import pytest
import torch

from core.activations import ACTIVATIONS
from core.charts import decades
from core.lessons.activations import experiment as lesson
from core.lessons.activations import depth as deep
from core.models import MLP
from core.seeding import seeded
from tests.reference import direct_mlp_gradients

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
    df = lesson.curves((name,), -6.0, 6.0, n=241)
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
    df = lesson.curves((name,), -20.0, 20.0, n=40001)
    assert df["dy"].abs().max() == pytest.approx(ACTIVATIONS[name].max_slope, abs=1e-3)


def test_saturation_is_where_the_derivative_is_small():
    df = lesson.curves(("sigmoid", "relu", "step"), -6.0, 6.0)
    assert (df["saturated"] == (df["dy"].abs() < lesson.SATURATION)).all()
    share = lesson.saturated_share(df)
    assert share["Step"] == 1.0  # zero derivative everywhere it is defined
    assert share["ReLU"] == pytest.approx(0.5, abs=0.01)
    # sigma'(x) < 0.05  <=>  |x| > 2 arccosh(sqrt(5)) ~ 2.887: about 52% of [-6, 6]
    assert share["Sigmoid"] == pytest.approx((6 - 2.887) / 6, abs=0.01)
    # tanh'(x) < 0.05  <=>  |x| > artanh(sqrt(0.95)) ~ 2.178
    assert lesson.saturation_edge("tanh") == pytest.approx(math.atanh(math.sqrt(0.95)), abs=0.01)


def test_panel_notes_explain_the_odd_grey_regions():
    df = lesson.curves(("gelu", "silu", "leaky_relu", "sigmoid", "relu"), -6.0, 6.0)
    # GELU' = 0 at x ~ -0.752, SiLU' = 0 at x ~ -1.278: a narrow interior band around each
    assert "x ≈ -0.7" in " ".join(lesson.panel_notes(df, "gelu"))
    assert "x ≈ -1.2" in " ".join(lesson.panel_notes(df, "silu"))
    leaky = " ".join(lesson.panel_notes(df, "leaky_relu"))
    assert "slope 0.01" in leaky and "never exactly zero" in leaky
    assert lesson.panel_notes(df, "sigmoid") == [] and lesson.panel_notes(df, "relu") == []
    right = lesson.curves(("gelu", "leaky_relu"), 0.0, 6.0)  # no band and no negative side shown
    assert lesson.panel_notes(right, "gelu") == [lesson.panel_notes(df, "gelu")[0]]
    assert "normal" in lesson.panel_notes(right, "gelu")[0] and lesson.panel_notes(right, "leaky_relu") == []


def test_depth_measurement_equals_direct_autograd(mnist):
    depth, batch = 6, 32
    grads = deep.depth_gradients(("sigmoid", "relu"), depth, mnist, seed=3, width=16, batch=batch)
    x, y = mnist.x_train[:batch], mnist.y_train[:batch]
    for name, label in [("sigmoid", "Sigmoid"), ("relu", "ReLU")]:
        model = seeded(3, lambda: MLP([784] + [16] * depth + [10], name))
        direct = np.array(direct_mlp_gradients(model, x, y)[0][:depth])
        got = grads[grads["label"] == label].sort_values("layer")
        np.testing.assert_allclose(got["grad_norm"], direct, rtol=1e-5)
        np.testing.assert_allclose(got["relative"], direct / direct[-1], rtol=1e-5)
        slope = ACTIVATIONS[name].max_slope
        np.testing.assert_allclose(got["factor"], [slope ** (depth - l) for l in range(1, depth + 1)])
        np.testing.assert_allclose(got["weights_factor"], got["relative"] / got["factor"])


def test_tiny_gradients_are_measured_not_rounded_to_zero(mnist):
    """At depth 30 the sigmoid's layer-1 gradient is ~1e-27: float32 squares would underflow to 0."""
    grads = deep.depth_gradients(("sigmoid",), 30, mnist, seed=0)
    model = deep.depth_model("sigmoid", 30, 0)
    pre, h = [], mnist.x_train[:deep.DEPTH_BATCH].flatten(1)
    for i, lin in enumerate(model.linears):
        s = lin(h)
        s.retain_grad()
        pre.append(s)
        h = model.acts[i](s) if i < len(model.acts) else s
    torch.nn.functional.cross_entropy(h, mnist.y_train[:deep.DEPTH_BATCH]).backward()
    direct = [p.grad.double().norm().item() for p in pre[:30]]
    got = grads.sort_values("layer")["grad_norm"].to_numpy()
    assert got[0] > 0
    np.testing.assert_allclose(got, direct, rtol=1e-6)
    assert deep.zero_gradient_notes(grads, ["Sigmoid"]) == []


def test_sigmoid_gradient_vanishes_with_depth_under_its_activation_factor_at_default_init(mnist):
    grads = deep.depth_gradients(("sigmoid",), 10, mnist, seed=0)
    rel = grads.sort_values("layer")["relative"].to_numpy()
    assert rel[-1] == 1.0 and rel[0] < 1e-4
    assert np.all(np.diff(rel) > 0)  # grows towards the output layer
    # PyTorch's default weights shrink it further than the activation factor 0.25^(L-l) alone
    assert np.all(rel <= grads.sort_values("layer")["factor"].to_numpy() * 1.01)


@pytest.mark.parametrize("name, init", [("sigmoid", "he_normal"), ("relu", "uniform")])
def test_the_activation_factor_is_no_bound_when_weights_are_large(mnist, name, init):
    """The page must not call the dashed line a bound: larger weights lift the gradient above it."""
    grads = deep.depth_gradients((name,), 10, mnist, seed=0, init=init)
    first = grads[grads["layer"] == 1].iloc[0]
    assert first["relative"] > 2 * first["factor"] and first["weights_factor"] > 2
    assert "weights' factor" in deep.depth_caption(grads, [ACTIVATIONS[name].label], 10)


def test_step_function_passes_no_gradient(mnist):
    grads = deep.depth_gradients(("step",), 4, mnist, seed=0)
    assert (grads["grad_norm"] == 0).all()
    chart = deep.depth_chart(grads, ["Step"])  # nothing to draw on a log scale, but no crash
    assert chart.to_dict()
    (note,) = deep.zero_gradient_notes(grads, ["Step"])
    assert "derivative is exactly 0" in note and "none reaches any hidden layer" in note
    assert "no gradient at all" in deep.depth_caption(grads, ["Step"], 4)


def test_saturated_sigmoid_and_tanh_pass_exactly_zero_gradient_and_say_why(mnist):
    """All-equal weights push every top-layer pre-activation to |s| >= 64, where f'(s) is exactly 0 in float32."""
    grads = deep.depth_gradients(("sigmoid", "tanh", "relu"), 5, mnist, seed=0, init="equal")
    order = ["Sigmoid", "Tanh", "ReLU"]
    zero = grads[grads["label"] != "ReLU"]
    assert (zero["grad_norm"] == 0).all() and (zero.query("layer == 5")["zero_share"] == 1).all()
    notes = deep.zero_gradient_notes(grads, order)
    assert len(notes) == 2 and all("saturated" in n and "exactly 0" in n for n in notes)
    caption = deep.depth_caption(grads, order, 5)
    assert "0.0e+00" not in caption and caption.count("no gradient at all") == 2


def test_overflowing_networks_are_named(mnist):
    grads = deep.depth_gradients(("relu", "sigmoid"), 30, mnist, seed=0, init="equal")
    assert deep.overflow_labels(grads) == ["ReLU"]
    assert "no finite gradient" in deep.depth_caption(grads, ["ReLU", "Sigmoid"], 30)


def test_sigmoid_takeaway_reads_the_measurement(mnist):
    grads = deep.depth_gradients(("sigmoid",), 10, mnist, seed=0, init="he_normal")
    rel = grads[grads["layer"] == 1]["relative"].iloc[0]
    text = deep.sigmoid_takeaway(grads, 10, "He normal")
    assert "at most 1/4" in text and f"{0.25 ** 9:.1e}" in text and f"{rel:.1e}" in text
    assert "select the sigmoid" in deep.sigmoid_takeaway(grads[grads["function"] != "sigmoid"], 10, "He normal")


def test_decades_cover_the_data_with_few_ticks():
    assert decades(pd.Series([0.003, 1.0, 0.0])) == [1.0, 0.1, 0.01, 0.001]
    assert decades(pd.Series([0.0])) is None
    ticks = decades(pd.Series([1e-30, 1.0]))
    assert len(ticks) <= 8 and ticks[0] == 1.0 and ticks[-1] <= 1e-28


def test_config_round_trips_and_rejects_nonsense():
    cfg = lesson.ActivationsConfig(functions=("gelu", "step"), x_min=-3, x_max=8, depth=20,
                                   depth_init="he_normal", hidden=(128, 64), lr=0.05, epochs=2)
    assert lesson.ActivationsConfig.from_query(cfg.to_query()) == (cfg, [])
    bad, messages = lesson.ActivationsConfig.from_query(
        {"functions": "sigmoid,swish", "depth": "500", "hidden": "50,abc", "lr": "nan"})
    assert bad == lesson.ActivationsConfig()
    joined = " ".join(messages)
    for name in ("functions", "depth", "hidden", "lr"):
        assert name in joined
    with pytest.raises(ValueError, match="at least one"):
        lesson.ActivationsConfig(functions=())
    with pytest.raises(ValueError, match="0.5"):
        lesson.ActivationsConfig(x_min=1, x_max=1.2)


@pytest.mark.parametrize("limit", ["depth", "lr", "momentum", "epochs", "batch_size"])
def test_config_accepts_exactly_the_widget_ranges(limit):
    low, high = lesson.LIMITS[limit]
    assert lesson.ActivationsConfig(**{limit: low}) and lesson.ActivationsConfig(**{limit: high})
    step = 1 if isinstance(low, int) else 1e-6
    for outside in (low - step, high + step):
        with pytest.raises(ValueError):
            lesson.ActivationsConfig(**{limit: outside})


def test_config_accepts_exactly_the_x_slider_range():
    low, high = lesson.LIMITS["x"]
    assert lesson.ActivationsConfig(x_min=low, x_max=high)
    assert lesson.ActivationsConfig(x_min=high - 0.5, x_max=high)
    for bad in ({"x_min": low - 0.5}, {"x_max": high + 0.5}, {"x_min": -30.0}):
        with pytest.raises(ValueError, match="between -20 and 20"):
            lesson.ActivationsConfig(**bad)


def test_compare_uses_the_same_start_and_batches(mnist, monkeypatch):
    """Record what every run starts from and sees: the same initial weights and the same batches."""
    data = mnist.subset(256, 64)
    real_train = lesson.train
    starts, batches = {}, {}

    def recording_train(model, data, settings, **kwargs):
        label = kwargs["label"]
        starts[label] = {k: v.clone() for k, v in model.state_dict().items()}
        batches[label] = []
        model.register_forward_pre_hook(
            lambda m, args: batches[label].append(args[0].clone()) if m.training else None)
        return real_train(model, data, settings, **kwargs)

    monkeypatch.setattr(lesson, "train", recording_train)
    cfg = lesson.ActivationsConfig(functions=("relu", "sigmoid", "step"), epochs=2, hidden=(32, 16), batch_size=32)
    result = lesson.train_compare(cfg, data, seed=5)
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
    cfg = lesson.ActivationsConfig(functions=("step", "relu"), epochs=1, hidden=(32, 16))
    result = lesson.train_compare(cfg, data, seed=0)
    moved = result.moved.set_index(["activation", "layer"])["change"]
    assert moved["Step", 1] == 0 and moved["Step", 2] == 0 and moved["Step", 3] > 0
    assert moved["ReLU", 1] > 0 and moved["ReLU", 2] > 0
    note = lesson.step_training_note(result)
    assert f"{result.runs['Step'].final_val_acc:.1%}" in note and "did not move at all" in note
    assert all(run.state_dict is None for run in result.runs.values())  # the cache keeps no weights
    assert lesson.step_training_note(lesson.train_compare(cfg.replace(functions=("relu",)), data, 0)) is None


def test_defaults_show_the_textbook_result(mnist):
    """With the page's defaults the sigmoid network learns slowest; ReLU and tanh pass 90%."""
    result = lesson.train_compare(lesson.ActivationsConfig(), mnist, seed=0)
    acc = result.summary("activation").set_index("activation")["val. accuracy"]
    assert acc["Sigmoid"] < acc["Tanh"] - 0.05 and acc["Sigmoid"] < acc["ReLU"] - 0.05
    assert acc["ReLU"] > 0.9 and acc["Tanh"] > 0.9
