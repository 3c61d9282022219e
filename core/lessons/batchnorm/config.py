"""The batch-norm lesson's state: `BNConfig` (the experiment, and its cache key) and `BNView` (the
page's URL state: the config plus the step and layer looked at), with their own training limits."""
from __future__ import annotations

from dataclasses import dataclass, fields, replace

from core.config import Config, check_range
from core.models import validate_sizes
from core.training import TRAIN_LIMITS, TrainSettings, check_train_limits


ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu")
# its own training limits, for config and widgets: trained on a first visit, so fewer epochs; and a
# batch of one has no variance to divide by. Learning rate and momentum: the shared TRAIN_LIMITS.
EPOCHS = (1, 30)
BATCH_SIZE = (2, TRAIN_LIMITS["batch_size"][1])


@dataclass(frozen=True)
class BNConfig(Config):
    activation: str = "sigmoid"
    depth: int = 3
    width: int = 100
    lr: float = 0.1  # Ioffe & Szegedy's picture; at 1.0 the plain sigmoid network does not train
    momentum: float = 0.9
    epochs: int = 3
    batch_size: int = 64

    def validate(self) -> None:
        if self.activation not in ACTIVATION_CHOICES:
            raise ValueError(f"Activation must be one of {', '.join(ACTIVATION_CHOICES)} (got '{self.activation}').")
        check_range("Epochs", self.epochs, *EPOCHS)
        check_range("Depth", self.depth, 1, 10)
        check_range("Width", self.width, 2, 1024)
        check_range("Batch size", self.batch_size, *BATCH_SIZE)
        validate_sizes(self.sizes)
        check_train_limits(self.train_settings(), {**TRAIN_LIMITS, "epochs": EPOCHS, "batch_size": BATCH_SIZE})

    @property
    def sizes(self) -> list[int]:
        return [784] + [self.width] * self.depth + [10]

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                             momentum=self.momentum, log_every=25)


@dataclass(frozen=True)
class BNView(BNConfig):
    """The page's URL state: the training config plus what is looked at. Only the BNConfig part
    (`training`) is the experiment's cache key, so moving the view never retrains."""
    step: int = 0  # recorded step shown in the histograms; 0: the last
    layer: int = 0  # hidden layer of the bands, running statistics and worked example; 0: the last

    def validate(self) -> None:
        super().validate()
        check_range("Step", self.step, 0, 10**9)
        check_range("Layer", self.layer, 0, 10)

    @classmethod
    def of(cls, config: BNConfig, step: int = 0, layer: int = 0) -> BNView:
        return cls(**{f.name: getattr(config, f.name) for f in fields(BNConfig)}, step=step, layer=layer)

    @property
    def training(self) -> BNConfig:
        return BNConfig(**{f.name: getattr(self, f.name) for f in fields(BNConfig)})


def pick_step(steps: list[int], wanted: int) -> int:
    """The recorded step nearest to `wanted` (0: the last)."""
    return steps[-1] if wanted <= 0 else min(steps, key=lambda s: (abs(s - wanted), s))


@dataclass(frozen=True)
class Preset:
    label: str
    finding: str
    config: BNConfig


PRESETS = {
    "ioffe": Preset(
        "Ioffe & Szegedy 2015: the MNIST network",
        "3 hidden layers of 100 sigmoid units, learning rate 0.1. The paper reports that without BN the "
        "sigmoids' inputs drift as the network learns, that with BN they stay put, and that BN learns faster; "
        "the run below shows whether they do here.",
        BNConfig()),
    "large_lr": Preset(
        "A learning rate of 1",
        "The same networks with ten times larger steps: the plain network's sigmoids are pushed into their "
        "flat tails and it stops learning; the BN network copes with steps that large.",
        BNConfig(lr=1.0)),
}


def shrink(config: BNConfig) -> BNConfig:
    """The cheapest config on the same code paths, for the app-wide property tests: one epoch, at most 2
    hidden layers of at most 16 units; activation, learning rate, momentum and batch size unchanged (the
    batch size decides the last batch and the train-vs-eval batch)."""
    return replace(config, depth=min(config.depth, 2), width=min(config.width, 16), epochs=1)
