"""The initialization lesson's state: `InitConfig`, its limits, and the presets that reproduce a
paper's finding in one click (`PRESETS`)."""
from __future__ import annotations

from dataclasses import dataclass, replace

from core.config import Config, check_range
from core.initializers import INIT_SCHEMES
from core.models import validate_sizes
from core.training import TRAIN_LIMITS, TrainSettings, check_train_limits


ACTIVATION_CHOICES = ("sigmoid", "tanh", "relu")


EPOCHS = (1, 30)  # for config and widget; the other training limits are the shared TRAIN_LIMITS


@dataclass(frozen=True)
class InitConfig(Config):
    schemes: tuple[str, ...] = ("equal", "uniform", "scaled_uniform", "default", "xavier_uniform", "he_uniform")
    activation: str = "tanh"
    depth: int = 10
    width: int = 64
    lr: float = 0.01
    momentum: float = 0.9
    epochs: int = 2
    batch_size: int = 64

    def validate(self) -> None:
        if not self.schemes:
            raise ValueError("Choose at least one initialization scheme.")
        for s in self.schemes:
            if s not in INIT_SCHEMES:
                raise ValueError(f"Unknown initialization '{s}'. Choose from: {', '.join(INIT_SCHEMES)}.")
        if len(set(self.schemes)) != len(self.schemes):
            raise ValueError("Each initialization scheme can be chosen once.")
        if self.activation not in ACTIVATION_CHOICES:
            raise ValueError(f"Activation must be one of {', '.join(ACTIVATION_CHOICES)} (got '{self.activation}').")
        check_range("Depth", self.depth, 2, 30)
        check_range("Width", self.width, 2, 1024)
        check_range("Epochs", self.epochs, *EPOCHS)
        validate_sizes(self.sizes)
        check_train_limits(self.train_settings(), {**TRAIN_LIMITS, "epochs": EPOCHS})

    @property
    def sizes(self) -> list[int]:
        return [784] + [self.width] * self.depth + [10]

    @property
    def labels(self) -> list[str]:
        return [INIT_SCHEMES[s].label for s in self.schemes]

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                             momentum=self.momentum, log_every=25)


@dataclass(frozen=True)
class Preset:
    label: str
    finding: str
    config: InitConfig


PRESETS = {
    "glorot": Preset(
        "Glorot & Bengio 2010: deep tanh",
        "With the standard initialization U[-1/√n, 1/√n] the back-propagated gradient shrinks layer "
        "by layer towards the input; with Xavier it keeps about the same scale across layers.",
        InitConfig(schemes=("default", "xavier_uniform"), activation="tanh", depth=10, width=64,
                   lr=0.01, momentum=0.9, epochs=2)),
    "he": Preset(
        "He et al. 2015: 30-layer ReLU",
        "With Xavier the ReLU activations halve their variance at every layer and training stalls "
        "at chance; He's factor 2 keeps their scale and the network trains.",
        InitConfig(schemes=("xavier_normal", "he_normal"), activation="relu", depth=30, width=64,
                   lr=0.005, momentum=0.9, epochs=3)),
}


def shrink(config: InitConfig) -> InitConfig:
    """The cheapest config on the same code paths, for the app-wide property tests: one epoch, at most 4
    hidden layers of at most 16 units; the schemes, activation and training settings unchanged."""
    return replace(config, depth=min(config.depth, 4), width=min(config.width, 16), epochs=1)
