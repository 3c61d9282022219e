"""The activations lesson's numbers against references: finite differences, hand-written autograd."""
import numpy as np
import pandas as pd
import pytest
import torch

from core.activations import ACTIVATIONS
from core.charts import decades
from core.lessons import activations as lesson
from core.models import MLP
from core.seeding import seeded
from tests.reference import direct_mlp_gradients


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_autograd_derivative_matches_central_differences(name):
    act = ACTIVATIONS[name]
    df = lesson.curves((name,), -6.0, 6.0, n=241)
    away = np.all([np.abs(df["x"] - k) > 1e-3 for k in act.kinks] or [np.full(len(df), True)], axis=0)
    x = torch.tensor(df["x"][away].to_numpy(), dtype=torch.float64)
    h = 1e-5
    f = act.make()
    numeric = ((f(x + h) - f(x - h)) / (2 * h)).numpy()
    np.testing.assert_allclose(df["dy"][away], numeric, atol=1e-5)  # O(h) at ELU's x=0
    np.testing.assert_allclose(df["y"], f(torch.tensor(df["x"].to_numpy())).numpy())


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


def test_depth_measurement_equals_direct_autograd(mnist):
    depth, batch = 6, 32
    grads = lesson.depth_gradients(("sigmoid", "relu"), depth, mnist, seed=3, width=16, batch=batch)
    x, y = mnist.x_train[:batch], mnist.y_train[:batch]
    for name, label in [("sigmoid", "Sigmoid"), ("relu", "ReLU")]:
        model = seeded(3, lambda: MLP([784] + [16] * depth + [10], name))
        direct = np.array(direct_mlp_gradients(model, x, y)[0][:depth])
        got = grads[grads["label"] == label].sort_values("layer")
        np.testing.assert_allclose(got["grad_norm"], direct, rtol=1e-5)
        np.testing.assert_allclose(got["relative"], direct / direct[-1], rtol=1e-5)
        slope = ACTIVATIONS[name].max_slope
        np.testing.assert_allclose(got["bound"], [slope ** (depth - l) for l in range(1, depth + 1)])


def test_sigmoid_gradient_vanishes_with_depth_and_stays_under_its_bound(mnist):
    grads = lesson.depth_gradients(("sigmoid",), 10, mnist, seed=0)
    rel = grads.sort_values("layer")["relative"].to_numpy()
    assert rel[-1] == 1.0 and rel[0] < 1e-4
    assert np.all(np.diff(rel) > 0)  # grows towards the output layer
    # the activation bound alone is 0.25^(L-l); the weights shrink it further at default init
    assert np.all(rel <= grads.sort_values("layer")["bound"].to_numpy() * 1.01)


def test_step_function_passes_no_gradient(mnist):
    grads = lesson.depth_gradients(("step",), 4, mnist, seed=0)
    assert (grads.query("layer < 4")["grad_norm"] == 0).all()
    chart = lesson.depth_chart(grads, ["Step"])  # nothing to draw on a log scale, but no crash
    assert chart.to_dict()


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


def test_compare_uses_the_same_start_and_batches(mnist):
    data = mnist.subset(512, 256)
    cfg = lesson.ActivationsConfig(functions=("relu", "leaky_relu"), epochs=1, hidden=(32,))
    result = lesson.train_compare(cfg, data, seed=5)
    relu, leaky = result.runs["ReLU"], result.runs["Leaky ReLU"]
    # Leaky ReLU with slope 0.01 is nearly ReLU: same weights and batches give nearly the same losses
    np.testing.assert_allclose(relu.steps["loss"].iloc[0], leaky.steps["loss"].iloc[0], rtol=1e-2)
    assert list(result.summary("activation")["activation"]) == ["ReLU", "Leaky ReLU"]
    assert set(result.steps["run"]) == {"ReLU", "Leaky ReLU"}


def test_defaults_show_the_textbook_result(mnist):
    """With the page's defaults the sigmoid network learns slowest; ReLU and tanh pass 90%."""
    result = lesson.train_compare(lesson.ActivationsConfig(), mnist, seed=0)
    acc = result.summary("activation").set_index("activation")["val. accuracy"]
    assert acc["Sigmoid"] < acc["Tanh"] - 0.05 and acc["Sigmoid"] < acc["ReLU"] - 0.05
    assert acc["ReLU"] > 0.9 and acc["Tanh"] > 0.9
