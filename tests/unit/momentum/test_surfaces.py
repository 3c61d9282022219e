"""The momentum lesson's loss surfaces: their critical points are where autograd's gradient vanishes."""
import numpy as np
import pytest
import torch

from core.lessons.momentum import surfaces
from tests.unit.momentum.helpers import KEYS, grad


@pytest.mark.parametrize("key", KEYS)
def test_critical_points_are_where_the_gradient_vanishes(key):
    surface = surfaces.SURFACES[key]
    for p in surface.points:
        np.testing.assert_allclose(grad(surface, np.array(p.at)), 0, atol=1e-9)
        if surface.dim == 2:
            h = torch.autograd.functional.hessian(surface, torch.tensor(p.at, dtype=torch.float64))
            eig = torch.linalg.eigvalsh(h)
            assert (eig > 0).all() if p.kind.endswith("minimum") else (eig[0] < 0 < eig[1])
    global_loss = min(surface.loss_at(p.at) for p in surface.points if p.kind == "global minimum")
    assert global_loss == pytest.approx(surface.global_loss)
    for p in surface.points:
        assert surface.loss_at(p.at) >= global_loss - 1e-12
        if p.kind == "local minimum":
            assert surface.loss_at(p.at) > global_loss + 0.5  # clearly shallower


def test_lesson_curve_has_a_stationary_inflection_at_its_saddle():
    surface = surfaces.SURFACES["lesson"]
    s = surfaces.LESSON_ROOTS["saddle"]
    x = torch.tensor([s], dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(surface(x), x, create_graph=True)
    (h,) = torch.autograd.grad(g.sum(), x)
    assert abs(g.item()) < 1e-12 and abs(h.item()) < 1e-9
    # downhill on both sides: a saddle point, not an extremum
    assert surface.loss_at((s - 0.3,)) > surface.loss_at((s,)) > surface.loss_at((s + 0.3,))


def test_saddle_surface_is_x2_minus_y2_near_the_origin_and_bounded_far_out():
    surface = surfaces.SURFACES["saddle"]
    for x, y in [(0.05, 0.02), (-0.03, 0.04)]:
        assert surface.loss_at((x, y)) == pytest.approx(x * x - y * y, abs=1e-6)
    grid = surfaces.surface_grid(surface)
    assert grid["loss"].min() >= -1 - 1e-9  # bounded below by the minima at y = +-sqrt(2)
