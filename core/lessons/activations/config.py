"""The activations lesson's state: `ActivationsConfig`, and the limits (`LIMITS`) it checks, which
are the page's widget ranges too."""
from __future__ import annotations

from dataclasses import dataclass, replace

from core.activations import ACTIVATIONS, get_activation
from core.config import Config, check_range
from core.initializers import INIT_SCHEMES
from core.models import validate_sizes
from core.training import TRAIN_LIMITS, TrainSettings


# (low, high) of every numeric setting: the config checks them and the page's widgets use them,
# so a value the config accepts (from a URL, say) can never be outside a widget's range.
LIMITS: dict[str, tuple[float, float]] = {"x": (-20.0, 20.0), "depth": (1, 30), **TRAIN_LIMITS}


@dataclass(frozen=True)
class ActivationsConfig(Config):
    functions: tuple[str, ...] = ("sigmoid", "tanh", "relu")
    x_min: float = -6.0
    x_max: float = 6.0
    depth: int = 10
    depth_init: str = "default"
    hidden: tuple[int, ...] = (50, 50)
    lr: float = 0.01
    momentum: float = 0.9
    epochs: int = 5
    batch_size: int = 64

    def validate(self) -> None:
        if not self.functions:
            raise ValueError("Choose at least one activation function.")
        for name in self.functions:
            get_activation(name)
        if len(set(self.functions)) != len(self.functions):
            raise ValueError("Each activation function can be chosen once.")
        check_range("x from", self.x_min, *LIMITS["x"])
        check_range("x to", self.x_max, *LIMITS["x"])
        if self.x_max - self.x_min < 0.5:
            raise ValueError("The x-range must span at least 0.5.")
        check_range("Depth", self.depth, *LIMITS["depth"])
        if self.depth_init not in INIT_SCHEMES:
            raise ValueError(f"Unknown initialization '{self.depth_init}'.")
        if not self.hidden:
            raise ValueError("Give at least one hidden layer size, e.g. 50, 50.")
        validate_sizes([784, *self.hidden, 10])
        check_range("Learning rate", self.lr, *LIMITS["lr"])
        check_range("Momentum", self.momentum, *LIMITS["momentum"])
        check_range("Epochs", self.epochs, *LIMITS["epochs"])
        check_range("Batch size", self.batch_size, *LIMITS["batch_size"])
        self.train_settings()

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                             momentum=self.momentum, log_every=25)

    @property
    def labels(self) -> list[str]:
        return [ACTIVATIONS[f].label for f in self.functions]


def shrink(config: ActivationsConfig) -> ActivationsConfig:
    """The cheapest config on the same code paths, for the app-wide property tests: one epoch, hidden
    layers of at most 16 units, a depth chart of at most 4 layers; the functions, x-range, initialization
    and training settings unchanged."""
    return replace(config, epochs=1, hidden=tuple(min(h, 16) for h in config.hidden), depth=min(config.depth, 4))
