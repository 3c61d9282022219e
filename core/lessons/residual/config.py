"""The residual lesson's state: `ResidualConfig` (the experiment, its cache key and the page's URL
state), the limits its widgets use, the presets that reproduce the issue's reference numbers in one
click (`PRESETS`), and `shrink` for the app-wide property tests.

"Depth" is the number of hidden layers L. The network is 784 → width (hidden layer 1, no skip: its
input and output widths differ) → width → … → width (hidden layers 2 … L, each with a skip in the
residual network) → 10, so L + 1 Linear layers in all.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import core.format as fmt
from core.config import Config, check_range
from core.models import validate_sizes
from core.training import OPTIMIZERS, TRAIN_LIMITS, TrainSettings, check_train_limits

ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu")
ACTIVATION_NAMES = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}
OPTIMIZER_NAMES = {"sgd": "SGD with momentum", "adam": "Adam"}
# the residual branch's scale α: 1, or 1/√L (L hidden layers), which keeps the sum of L branches' variance bounded
SCALES = ("one", "inv_sqrt_depth")
SCALE_NAMES = {"one": "α = 1", "inv_sqrt_depth": "α = 1/√depth"}

# (low, high) of each numeric setting: the config checks them and the page's widgets use them
DEPTH = (2, 64)
WIDTH = (4, 256)
EPOCHS = (1, 20)
SEEDS = (1, 5)
BATCH_SIZE = (2, TRAIN_LIMITS["batch_size"][1])  # batch norm cannot normalise a batch of one example
LIMITS: dict[str, tuple[float, float]] = {**TRAIN_LIMITS, "epochs": EPOCHS, "batch_size": BATCH_SIZE}
# what a first visit (or a shared link) trains without a click: optimizer steps and multiply-adds over all
# runs. The default view is 1,250 steps and 2e10; each ReLU preset 3,750 steps and 1.5e10.
AUTORUN_STEPS, AUTORUN_WORK = 4_000, 1e11


@dataclass(frozen=True)
class ResidualConfig(Config):
    """One comparison: a plain MLP and the same MLP with identity skips, same seed, initial weights and
    batches, trained `seeds` times (seeds s, s + 1, …: the spread of a result that swings with the seed).
    The defaults are the issue's first reference: sigmoid, width 64, depth 10, SGD 0.1 / 0.9, 5 epochs."""

    activation: str = "sigmoid"
    depth: int = 10
    width: int = 64
    scale: str = "one"
    batch_norm: bool = False
    optimizer: str = "sgd"
    lr: float = 0.1
    momentum: float = 0.9
    epochs: int = 5
    batch_size: int = 64
    seeds: int = 1

    def validate(self) -> None:
        if self.activation not in ACTIVATION_CHOICES:
            raise ValueError(f"Activation must be one of {', '.join(ACTIVATION_CHOICES)} (got '{self.activation}').")
        if self.scale not in SCALES:
            raise ValueError(f"Branch scale must be one of {', '.join(SCALES)} (got '{self.scale}').")
        if self.optimizer not in OPTIMIZERS:
            raise ValueError(f"Optimizer must be one of {', '.join(OPTIMIZERS)} (got '{self.optimizer}').")
        check_range("Depth", self.depth, *DEPTH)
        check_range("Width", self.width, *WIDTH)
        check_range("Seeds", self.seeds, *SEEDS)
        validate_sizes(self.sizes)
        check_train_limits(self.train_settings(), LIMITS)

    @property
    def sizes(self) -> list[int]:
        """[784, width × depth, 10]."""
        return [784] + [self.width] * self.depth + [10]

    @property
    def alpha(self) -> float:
        """The branch scale α of h ← h + α·f(W h + b): 1, or 1/√depth."""
        return 1.0 if self.scale == "one" else 1.0 / math.sqrt(self.depth)

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, momentum=self.momentum,
                             optimizer=self.optimizer, log_every=25)

    def cost(self, n_train: int) -> tuple[int, float]:
        """(optimizer steps, multiply-adds forward and backward) of the whole experiment on n_train images:
        2 networks × seeds runs; a Linear layer a → b costs a·b per image forward, about 3× that with the backward."""
        steps = math.ceil(n_train / min(self.batch_size, n_train)) * self.epochs
        macs = sum(a * b for a, b in zip(self.sizes[:-1], self.sizes[1:]))
        runs = 2 * self.seeds
        return steps * runs, 3.0 * macs * n_train * self.epochs * runs

    def light(self, n_train: int) -> bool:
        """Whether the experiment is small enough to train on a first visit without a click (the default
        view and the presets are): at most AUTORUN_STEPS steps and AUTORUN_WORK multiply-adds."""
        steps, work = self.cost(n_train)
        return steps <= AUTORUN_STEPS and work <= AUTORUN_WORK

    def describe(self) -> str:
        """'Sigmoid, width 64, depth 10, α = 1, SGD with momentum (lr 0.1, momentum 0.9), 5 epochs'."""
        opt = (f"SGD with momentum (learning rate {fmt.number(self.lr)}, momentum {self.momentum:g})"
               if self.optimizer == "sgd" else f"Adam (learning rate {fmt.number(self.lr)})")
        bn = ", batch norm" if self.batch_norm else ""
        return (f"{ACTIVATION_NAMES[self.activation]}, width {self.width}, depth {self.depth}{bn}, "
                f"{SCALE_NAMES[self.scale]}, {opt}, {self.epochs} epoch{'s' * (self.epochs > 1)}, "
                f"batch size {self.batch_size}")


@dataclass(frozen=True)
class Preset:
    label: str
    reference: str  # the numbers, measured on the bundled data (8,000 / 2,000 images, 5 epochs)
    config: ResidualConfig


RELU = dict(activation="relu", width=16, optimizer="adam", lr=1e-3, momentum=0.9, epochs=5, batch_size=64)
PRESETS: dict[str, Preset] = {
    "sigmoid": Preset(
        "Sigmoid · depth 10",
        "Width 64, SGD 0.1 / 0.9. Reference: plain 10.8% (chance), first-layer gradient near 10⁻⁹; residual 89%.",
        ResidualConfig(activation="sigmoid", depth=10, width=64, optimizer="sgd", lr=0.1, momentum=0.9, epochs=5)),
    "relu8": Preset(
        "ReLU · depth 8",
        "Width 16, Adam 10⁻³, 3 seeds. Reference: plain between about 50% and 75%, depending on the seed.",
        ResidualConfig(depth=8, seeds=3, **RELU)),
    "relu32": Preset(
        "ReLU · depth 32 · α = 1",
        "Width 16, Adam 10⁻³, 3 seeds. Reference: plain at chance; residual unscaled explodes (gradient norms "
        "in the hundreds), 30–55%.",
        ResidualConfig(depth=32, scale="one", seeds=3, **RELU)),
    "relu32_scaled": Preset(
        "ReLU · depth 32 · α = 1/√32",
        "Width 16, Adam 10⁻³, 3 seeds. Reference: plain at chance; residual with branches scaled by 1/√depth "
        "about 91%.",
        ResidualConfig(depth=32, scale="inv_sqrt_depth", seeds=3, **RELU)),
}


def shrink(config: ResidualConfig) -> ResidualConfig:
    """The cheapest config that runs the same code paths as `config` (same activation, scale, batch
    norm and optimizer): 1 epoch, width 8, depth at most 3 (hidden layers 2
    and 3 have skips), batches of at least 64, at most 2 seeds (1, or more than 1: the spread's code path)."""
    return config.replace(epochs=1, width=8, depth=min(config.depth, 3), seeds=min(config.seeds, 2),
                          batch_size=max(config.batch_size, 64))
