"""The flat cost against numpy and the issue's reference numbers, and autograd's verdicts."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.lessons.losses import surfaces
from core.lessons.losses.config import BIAS, GATE_CHOICES, GRID, SPAN, SurfaceConfig


def numpy_cost(gate_targets, bias, points, neuron):
    axis = surfaces.grid_axis(points).numpy()  # the same weights (np.linspace rounds a few differently)
    w1, w2 = np.meshgrid(axis, axis)  # rows: w2, columns: w1
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=float)
    z = w1[..., None] * x[:, 0] + w2[..., None] * x[:, 1] + bias
    a = (z > 0).astype(float) if neuron == "Step" else 1 / (1 + np.exp(-z))
    return ((a - np.array(gate_targets)) ** 2).mean(-1)


@pytest.mark.parametrize("neuron", surfaces.NEURONS)
def test_cost_grid_equals_numpy(neuron):
    config = SurfaceConfig(gate="or", bias=-0.7)
    np.testing.assert_allclose(surfaces.cost_grid(config, neuron, 41).numpy(),
                               numpy_cost((0, 1, 1, 1), -0.7, 41, neuron), atol=1e-12)


def test_reference_the_step_cost_takes_three_values_and_few_steps_change_it():
    """Issue reference: over a 401×401 grid the step cost of the AND gate takes three values and 0.4% of
    neighbouring grid steps change it. Measured: bias −1.5, w in [−2, 2]: (0, 0.25, 0.5) and 0.4046%."""
    _, summaries = surfaces.surface_frames(SurfaceConfig())
    step, sigmoid = summaries["Step"], summaries["Sigmoid"]
    assert step.levels == (0.0, 0.25, 0.5)
    assert step.changed == pytest.approx(0.004, abs=0.0005) and surfaces.is_flat(step)
    assert sigmoid.changed > 0.99 and sigmoid.n_levels > 10_000 and not surfaces.is_flat(sigmoid)
    # counted by hand: pairs of neighbours along either axis that differ
    c = surfaces.cost_grid(SurfaceConfig(), "Step").numpy()
    pairs = (c[:, 1:] != c[:, :-1]).sum() + (c[1:] != c[:-1]).sum()
    assert step.changed == pairs / (2 * GRID * (GRID - 1))


def test_drawn_points_are_grid_points():
    grid, _ = surfaces.surface_frames(SurfaceConfig())
    step = grid[grid["neuron"] == "Step"]
    assert len(step) == surfaces.DRAWN ** 2 and step["w1"].min() == -SPAN and step["w1"].max() == SPAN
    full = surfaces.cost_grid(SurfaceConfig(), "Step").numpy()
    stride = (GRID - 1) // (surfaces.DRAWN - 1)
    np.testing.assert_array_equal(step["cost"].to_numpy(), full[::stride, ::stride].ravel())
    with pytest.raises(ValueError, match="grid points"):
        surfaces.surface_frames(SurfaceConfig(), points=401, drawn=70)


@settings(max_examples=25, deadline=None)
@given(gate=st.sampled_from(GATE_CHOICES), bias=st.floats(*BIAS), w1=st.floats(-SPAN, SPAN), w2=st.floats(-SPAN, SPAN))
def test_step_cost_only_counts_mistakes_and_autograd_agrees(gate, bias, w1, w2):
    config = SurfaceConfig(gate=gate, bias=bias, w1=w1, w2=w2)
    levels = set(surfaces.summarise(surfaces.cost_grid(config, "Step", 41), "Step").levels)
    assert levels <= set(surfaces.step_levels_possible())
    heaviside, comparison, step, sigmoid = surfaces.autograd_verdicts(config)
    assert heaviside.error and "not implemented" in heaviside.error and heaviside.gradient is None
    assert comparison.grad_fn == "None" and "does not have a grad_fn" in comparison.error
    assert step.gradient == (0.0, 0.0) and step.error is None
    assert heaviside.cost == comparison.cost == step.cost  # the same forward pass, three ways
    assert sigmoid.gradient == pytest.approx(surfaces.sigmoid_gradient(config), rel=1e-4, abs=1e-7)


def test_slice_is_the_grid_row_nearest_w2():
    config = SurfaceConfig(w2=0.5)
    cut = surfaces.slice_frame(config)
    row = round((0.5 + SPAN) / (2 * SPAN) * (GRID - 1))
    for neuron in surfaces.NEURONS:
        np.testing.assert_allclose(cut[cut["neuron"] == neuron]["cost"].to_numpy(),
                                   surfaces.cost_grid(config, neuron)[row].numpy(), atol=1e-12)
