"""The basics lesson's state: one flat, URL-serialisable `BasicsConfig` for the whole page, and the
parts each experiment is keyed by (`NeuronConfig`, `PerceptronConfig`, `SumConfig`,
`ClassifierConfig`), with the limits the widgets use and the sum-of-three presets.

`shrink(config)` gives the cheapest config that still runs every code path (for the app-wide
property tests).
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

from core.config import Config, check_range
from core.data import GATES
from core.training import TrainSettings, check_train_limits

# ---------------------------------------------------------------- 1. one neuron
NEURON_ACTIVATIONS = ("step", "sigmoid", "tanh", "relu")
WEIGHT = (-5.0, 5.0)  # the weight and bias sliders
POINT = (-2.0, 2.0)  # the input plane drawn, and the range of the picked point

# ---------------------------------------------------------------- 2. the perceptron
PERCEPTRON_GATES = tuple(GATES)  # "and", "or", "nand", "xor"
STARTS = ("zeros", "neuron")  # zero initial weights, or the neuron's weights from part 1
PERCEPTRON_LR = (0.001, 10.0)
PERCEPTRON_EPOCHS = 100  # the rule runs until an error-free epoch, or this many epochs

# ---------------------------------------------------------------- 3. the training loop, sum of three
N_TRAIN, N_VAL = 1000, 200  # random triples for training and validation
SUM_SIZES = (3, 4, 1)  # 3 inputs -> 4 ReLU -> 1
SUM_LIMITS: dict[str, tuple[float, float]] = {"lr": (0.0001, 10.0), "epochs": (1, 500), "batch_size": (1, N_TRAIN)}
INPUT = (-100.0, 100.0)  # the range the triples are drawn from lies inside this
QUERY = (-1000.0, 1000.0)  # the prediction box's three numbers
AUTORUN_STEPS = 5_000  # a first visit (or a link) trains without a click only up to this many steps
MAX_STEP = 5_000  # the step mode goes this far at most (a link to step k replays k steps: about 2 s at 5,000)

# ---------------------------------------------------------------- 4. a real classifier
CLASSIFIER_SIZES = (784, 512, 512, 10)  # the PyTorch quickstart's network
CLASSIFIER_LIMITS: dict[str, tuple[float, float]] = {"lr": (0.0001, 10.0), "epochs": (1, 20), "batch_size": (8, 1024)}
# the PyTorch quickstart (pytorch.org/tutorials/beginner/basics/quickstart_tutorial.html): SGD lr 1e-3,
# batch size 64, 5 epochs over FashionMNIST's 60,000 training images, pixels in [0, 1] (ToTensor)
QUICKSTART = {"lr": 1e-3, "batch_size": 64, "epochs": 5, "n_train": 60_000}


@dataclass(frozen=True)
class NeuronConfig(Config):
    """One neuron with two inputs: weights w1, w2, bias, activation, and the input point (x1, x2) worked through."""

    w1: float = 1.0
    w2: float = 1.0
    bias: float = -1.5
    activation: str = "step"
    x1: float = 1.0
    x2: float = 1.0

    def validate(self) -> None:
        if self.activation not in NEURON_ACTIVATIONS:
            raise ValueError(f"Activation must be one of {', '.join(NEURON_ACTIVATIONS)} (got '{self.activation}').")
        for name, value, limits in (("Weight w₁", self.w1, WEIGHT), ("Weight w₂", self.w2, WEIGHT),
                                    ("Bias b", self.bias, WEIGHT), ("Input x₁", self.x1, POINT),
                                    ("Input x₂", self.x2, POINT)):
            check_range(name, value, *limits)


@dataclass(frozen=True)
class PerceptronConfig(Config):
    """Rosenblatt's rule on one gate: learning rate η and the initial weights (w1, w2, b)."""

    gate: str = "and"
    lr: float = 0.1
    initial: tuple[float, ...] = (0.0, 0.0, 0.0)

    def validate(self) -> None:
        if self.gate not in PERCEPTRON_GATES:
            raise ValueError(f"Gate must be one of {', '.join(PERCEPTRON_GATES)} (got '{self.gate}').")
        check_range("Perceptron learning rate", self.lr, *PERCEPTRON_LR)
        if len(self.initial) != 3 or not all(math.isfinite(v) for v in self.initial):
            raise ValueError("The initial weights are three finite numbers: w₁, w₂ and b.")


@dataclass(frozen=True)
class SumConfig(Config):
    """The 3 → 4 ReLU → 1 network learning a + b + c: MSE, plain SGD (no momentum), triples from [low, high)."""

    lr: float = 0.01
    epochs: int = 100
    batch_size: int = 32
    low: float = 0.0
    high: float = 1.0

    def validate(self) -> None:
        check_range("Input range, low end", self.low, *INPUT)
        check_range("Input range, high end", self.high, *INPUT)
        if not self.high > self.low:
            raise ValueError(f"The input range needs its low end below its high end (got [{self.low:g}, {self.high:g})).")
        check_train_limits(self.train_settings(), SUM_LIMITS)

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, momentum=0.0,
                             log_every=min(10_000, max(1, self.steps // 40)))

    @property
    def steps_per_epoch(self) -> int:
        return math.ceil(N_TRAIN / max(1, min(self.batch_size, N_TRAIN)))

    @property
    def steps(self) -> int:
        """Optimizer steps of the whole run: epochs × ⌈1,000 / batch size⌉."""
        return self.epochs * self.steps_per_epoch


@dataclass(frozen=True)
class ClassifierConfig(Config):
    """The quickstart's 784-512-512-10 ReLU MLP: cross-entropy, plain SGD; pixels in [0, 1] as the quickstart's
    ToTensor gives them, or standardised (mean 0, variance 1) as the other lessons feed them."""

    lr: float = 0.1
    epochs: int = 5
    batch_size: int = 64
    standardise: bool = False

    def validate(self) -> None:
        check_train_limits(self.train_settings(), CLASSIFIER_LIMITS)

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, momentum=0.0, log_every=10)

    def steps(self, n_train: int) -> int:
        return self.epochs * math.ceil(n_train / max(1, min(self.batch_size, n_train)))


@dataclass(frozen=True)
class BasicsConfig(Config):
    """The page's whole state (and URL): every part's fields, flat. Field names are the URL's keys."""

    # 1. one neuron
    w1: float = 1.0
    w2: float = 1.0
    bias: float = -1.5
    activation: str = "step"
    x1: float = 1.0
    x2: float = 1.0
    # 2. the perceptron
    gate: str = "and"
    perceptron_lr: float = 0.1
    start: str = "zeros"
    # 3. the training loop
    lr: float = 0.01
    epochs: int = 100
    batch_size: int = 32
    low: float = 0.0
    high: float = 1.0
    q1: float = 0.2
    q2: float = 0.3
    q3: float = 0.4
    step: int = 1  # the step mode: steps taken
    # 4. a real classifier
    mlp_lr: float = 0.1
    mlp_epochs: int = 5
    mlp_batch_size: int = 64
    standardise: bool = False

    def validate(self) -> None:
        _ = (self.neuron, self.perceptron, self.sum, self.classifier)  # building each part checks its fields
        if self.start not in STARTS:
            raise ValueError(f"The perceptron starts from one of {', '.join(STARTS)} (got '{self.start}').")
        for name, value in (("Query a", self.q1), ("Query b", self.q2), ("Query c", self.q3)):
            check_range(name, value, *QUERY)
        check_range("Step", self.step, 1, MAX_STEP)

    @property
    def neuron(self) -> NeuronConfig:
        return NeuronConfig(self.w1, self.w2, self.bias, self.activation, self.x1, self.x2)

    @property
    def perceptron(self) -> PerceptronConfig:
        initial = (self.w1, self.w2, self.bias) if self.start == "neuron" else (0.0, 0.0, 0.0)
        return PerceptronConfig(self.gate, self.perceptron_lr, initial)

    @property
    def sum(self) -> SumConfig:
        return SumConfig(self.lr, self.epochs, self.batch_size, self.low, self.high)

    @property
    def classifier(self) -> ClassifierConfig:
        return ClassifierConfig(self.mlp_lr, self.mlp_epochs, self.mlp_batch_size, self.standardise)

    @property
    def query(self) -> tuple[float, float, float]:
        return self.q1, self.q2, self.q3


FIELDS = tuple(f.name for f in fields(BasicsConfig))

# the sum-of-three presets: the seed's code (full batch), mini-batches, and inputs ten times larger
SUM_PRESETS: dict[str, dict[str, float]] = {
    "full batch": {"batch_size": N_TRAIN, "low": 0.0, "high": 1.0, "lr": 0.01, "epochs": 100},
    "mini-batches of 32": {"batch_size": 32, "low": 0.0, "high": 1.0, "lr": 0.01, "epochs": 100},
    "inputs in [0, 10)": {"batch_size": 32, "low": 0.0, "high": 10.0, "lr": 0.01, "epochs": 100},
}


def shrink(config: BasicsConfig) -> BasicsConfig:
    """The cheapest config that runs the same code paths: 2 epochs of the sum-of-three network in batches
    of at least 100 (the step mode at most 3 steps in), 1 epoch of the classifier in batches of at least 256.
    The neuron and the perceptron are cheap as they are."""
    return config.replace(epochs=min(config.epochs, 2), batch_size=max(config.batch_size, 100),
                          step=min(config.step, 3), mlp_epochs=1, mlp_batch_size=max(config.mlp_batch_size, 256))
