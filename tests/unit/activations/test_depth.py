"""The activations lesson through depth: measured gradients against direct autograd, and what the
page says about them (captions, zero-gradient notes)."""
import numpy as np
import pytest
import torch

from core.activations import ACTIVATIONS
from core.lessons.activations import charts, depth, story
from core.models import MLP
from core.seeding import seeded
from tests.reference import direct_mlp_gradients


def test_depth_measurement_equals_direct_autograd(mnist):
    L, batch = 6, 32
    grads = depth.depth_gradients(("sigmoid", "relu"), L, mnist, seed=3, width=16, batch=batch)
    x, y = mnist.x_train[:batch], mnist.y_train[:batch]
    for name, label in [("sigmoid", "Sigmoid"), ("relu", "ReLU")]:
        model = seeded(3, lambda: MLP([784] + [16] * L + [10], name))
        direct = np.array(direct_mlp_gradients(model, x, y)[0][:L])
        got = grads[grads["label"] == label].sort_values("layer")
        np.testing.assert_allclose(got["grad_norm"], direct, rtol=1e-5)
        np.testing.assert_allclose(got["relative"], direct / direct[-1], rtol=1e-5)
        slope = ACTIVATIONS[name].max_slope
        np.testing.assert_allclose(got["factor"], [slope ** (L - l) for l in range(1, L + 1)])
        np.testing.assert_allclose(got["weights_factor"], got["relative"] / got["factor"])


def test_tiny_gradients_are_measured_not_rounded_to_zero(mnist):
    """At depth 30 the sigmoid's layer-1 gradient is ~1e-27: float32 squares would underflow to 0."""
    grads = depth.depth_gradients(("sigmoid",), 30, mnist, seed=0)
    model = depth.depth_model("sigmoid", 30, 0)
    pre, h = [], mnist.x_train[:depth.DEPTH_BATCH].flatten(1)
    for i, lin in enumerate(model.linears):
        s = lin(h)
        s.retain_grad()
        pre.append(s)
        h = model.acts[i](s) if i < len(model.acts) else s
    torch.nn.functional.cross_entropy(h, mnist.y_train[:depth.DEPTH_BATCH]).backward()
    direct = [p.grad.double().norm().item() for p in pre[:30]]
    got = grads.sort_values("layer")["grad_norm"].to_numpy()
    assert got[0] > 0
    np.testing.assert_allclose(got, direct, rtol=1e-6)
    assert story.zero_gradient_notes(grads, ["Sigmoid"]) == []


def test_sigmoid_gradient_vanishes_with_depth_under_its_activation_factor_at_default_init(mnist):
    grads = depth.depth_gradients(("sigmoid",), 10, mnist, seed=0)
    rel = grads.sort_values("layer")["relative"].to_numpy()
    assert rel[-1] == 1.0 and rel[0] < 1e-4
    assert np.all(np.diff(rel) > 0)  # grows towards the output layer
    # PyTorch's default weights shrink it further than the activation factor 0.25^(L-l) alone
    assert np.all(rel <= grads.sort_values("layer")["factor"].to_numpy() * 1.01)


@pytest.mark.parametrize("name, init", [("sigmoid", "he_normal"), ("relu", "uniform")])
def test_the_activation_factor_is_no_bound_when_weights_are_large(mnist, name, init):
    """The page must not call the dashed line a bound: larger weights lift the gradient above it."""
    grads = depth.depth_gradients((name,), 10, mnist, seed=0, init=init)
    first = grads[grads["layer"] == 1].iloc[0]
    assert first["relative"] > 2 * first["factor"] and first["weights_factor"] > 2
    assert "weights' factor" in story.depth_caption(grads, [ACTIVATIONS[name].label], 10)


def test_step_function_passes_no_gradient(mnist):
    grads = depth.depth_gradients(("step",), 4, mnist, seed=0)
    assert (grads["grad_norm"] == 0).all()
    chart = charts.depth_chart(grads, ["Step"])  # nothing to draw on a log scale, but no crash
    assert chart.to_dict()
    (note,) = story.zero_gradient_notes(grads, ["Step"])
    assert "derivative is exactly 0" in note and "none reaches any hidden layer" in note
    assert "no gradient at all" in story.depth_caption(grads, ["Step"], 4)


def test_saturated_sigmoid_and_tanh_pass_exactly_zero_gradient_and_say_why(mnist):
    """All-equal weights push every top-layer pre-activation to |s| >= 64, where f'(s) is exactly 0 in float32."""
    grads = depth.depth_gradients(("sigmoid", "tanh", "relu"), 5, mnist, seed=0, init="equal")
    order = ["Sigmoid", "Tanh", "ReLU"]
    zero = grads[grads["label"] != "ReLU"]
    assert (zero["grad_norm"] == 0).all() and (zero.query("layer == 5")["zero_share"] == 1).all()
    notes = story.zero_gradient_notes(grads, order)
    assert len(notes) == 2 and all("saturated" in n and "exactly 0" in n for n in notes)
    caption = story.depth_caption(grads, order, 5)
    assert "0.0e+00" not in caption and caption.count("no gradient at all") == 2


def test_overflowing_networks_are_named(mnist):
    grads = depth.depth_gradients(("relu", "sigmoid"), 30, mnist, seed=0, init="equal")
    assert depth.overflow_labels(grads) == ["ReLU"]
    assert "no finite gradient" in story.depth_caption(grads, ["ReLU", "Sigmoid"], 30)
