"""What several of the momentum lesson's test modules share: the surfaces, autograd's gradient on one,
the presets, a bare quadratic, and the outcomes of a config's runs by label."""
import numpy as np
import torch

from core.lessons.momentum import experiment, surfaces
from core.lessons.momentum.config import MomentumConfig


KEYS = list(surfaces.SURFACES)


def grad(surface, w: np.ndarray) -> np.ndarray:
    x = torch.tensor(w, dtype=torch.float64, requires_grad=True)
    (g,) = torch.autograd.grad(surface(x), x)
    return g.numpy()


def preset(key, **changes):
    return MomentumConfig.for_surface(key, **changes)


def quadratic(curvature: float = 1.0):
    """L(x) = curvature x^2 / 2 (no place in SURFACES; built directly)."""
    return surfaces.Surface("q", "q", 1, lambda w: 0.5 * curvature * w[..., 0] ** 2, "", "", (-1, 1), None,
                            (surfaces.CriticalPoint("global minimum", (0.0,)),), (1.0, 0.0), 0.1, 10,
                            radius=0.1, tol=0.01, shade=1.0, top=1.0)


def outcome_map(config):
    surface = surfaces.SURFACES[config.surface]
    return {o.label: o for o in experiment.outcomes(experiment.trajectories(config), surface)}
