"""The momentum lesson's state: `MomentumConfig` (a surface, or a formula of the student's own with its
view, the β values, the surface run's settings with its gradient noise, and the MNIST run's), and its
limits, which are the widgets' ranges too."""
from __future__ import annotations

import math
from dataclasses import dataclass

from core.config import Config, check_range
from core.lessons.momentum.formulas import (CHOICES, CUSTOM, CUSTOM_DEFAULT, CUSTOM_VIEW, check_formula, check_view,
                                            surface_for)
from core.lessons.momentum.surfaces import START_LIMIT, Surface
from core.training import TrainSettings, check_train_limits


MAX_RUNS = 6  # momentum values compared at once


MAX_STEPS = 3000


LR_LIMITS = (0.00001, 10.0)  # the surfaces' learning rate, for config and widget
NOISE_LIMIT = 1000.0  # σ of the gradient noise (the lab quartic's slope at its start is 592)


def beta_label(beta: float) -> str:
    return f"β = {beta:g}"


@dataclass(frozen=True)
class MomentumConfig(Config):
    surface: str = "two_minima"
    momenta: tuple[float, ...] = (0.0, 0.5, 0.9)
    nesterov: bool = False
    lr: float = 0.05
    steps: int = 200
    x0: float = 2.0
    y0: float = 0.0
    train_lr: float = 0.01
    epochs: int = 3
    batch_size: int = 64
    formula: str = CUSTOM_DEFAULT  # used when surface == "custom"
    x_view: tuple[float, ...] = CUSTOM_VIEW  # the custom formula's view (low, high)
    y_view: tuple[float, ...] = CUSTOM_VIEW
    noise: float = 0.0  # σ: σ·N(0, 1) added to each gradient, seeded by the page's seed

    def validate(self) -> None:
        if self.surface not in CHOICES:
            raise ValueError(f"Unknown surface '{self.surface}'. Choose one of {', '.join(CHOICES)}.")
        check_formula(self.formula)  # even unused, a formula from a link is one the box would accept
        check_view("x", tuple(self.x_view))
        check_view("y", tuple(self.y_view))
        if self.surface == CUSTOM:
            self.the_surface  # "not finite on the view" (FormulaError is a ValueError)
        if not math.isfinite(self.noise):
            raise ValueError("Gradient noise σ must be a finite number.")
        check_range("Gradient noise σ", self.noise, 0.0, NOISE_LIMIT)
        if not self.momenta:
            raise ValueError("Give at least one momentum value β, e.g. 0, 0.5, 0.9.")
        if len(self.momenta) > MAX_RUNS:
            raise ValueError(f"Compare at most {MAX_RUNS} momentum values at once (got {len(self.momenta)}).")
        for beta in self.momenta:
            if not math.isfinite(beta):
                raise ValueError("Momentum values must be finite numbers.")
            check_range("Momentum β", beta, 0.0, 0.999)
        if len({beta_label(b) for b in self.momenta}) != len(self.momenta):
            raise ValueError("Each momentum value can be given once.")
        check_range("Learning rate", self.lr, *LR_LIMITS)  # NaN fails it too
        check_range("Steps", self.steps, 1, MAX_STEPS)
        for name, value in (("Start x", self.x0), ("Start y", self.y0)):
            if not math.isfinite(value):
                raise ValueError(f"{name} must be a finite number.")
            check_range(name, value, -START_LIMIT, START_LIMIT)
        for beta in self.momenta:
            check_train_limits(self.train_settings(beta))  # the network's learning rate, epochs, batch size

    @classmethod
    def for_surface(cls, key: str, **changes) -> "MomentumConfig":
        """The defaults with this surface's own start, learning rate and number of steps."""
        return cls(**{"surface": key, **surface_for(key).preset, **changes})

    @classmethod
    def from_query(cls, params, ignore=()):
        """As Config.from_query, but a surface named in the URL brings its own start, learning rate
        and steps, unless the URL gives those too."""
        config, messages = super().from_query(params, ignore)
        given = set(params)
        if "surface" in given and config.surface != cls.surface:
            rejected = {k for k in given if any(m.startswith(f"Ignored URL parameter {k}=") for m in messages)}
            config = config.replace(**{k: v for k, v in config.the_surface.preset.items()
                                       if k not in given or k in rejected})
        return config, messages

    def train_settings(self, beta: float) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.train_lr,
                             momentum=beta, nesterov=self.nesterov and beta > 0, log_every=25)

    @property
    def the_surface(self) -> Surface:
        """The surface this config names (built from the formula for "custom"; cached)."""
        return surface_for(self.surface, self.formula, tuple(self.x_view), tuple(self.y_view))

    @property
    def start(self) -> tuple[float, ...]:
        return (self.x0,) if self.the_surface.dim == 1 else (self.x0, self.y0)

    @property
    def labels(self) -> list[str]:
        return [beta_label(b) for b in self.momenta]


def shrink(config: MomentumConfig) -> MomentumConfig:
    """The cheapest config that runs the same code paths (for the app-wide property tests): the same surface,
    formula, view, β values, Nesterov, noise and start, at most 30 steps on the surface, and one epoch of
    the network with the largest batch its widget allows."""
    from core.training import TRAIN_LIMITS

    return config.replace(steps=min(config.steps, 30), epochs=1,
                          batch_size=max(config.batch_size, TRAIN_LIMITS["batch_size"][1]))
