"""The cost-function lesson's state: one frozen config per part of the page (`SurfaceConfig`,
`NeuronConfig`, `SoftmaxConfig`, `CompareConfig`: each its experiment's cache key) and `LossesView`,
the page's whole state in the URL, with the limits the widgets use and the presets."""
from __future__ import annotations

from dataclasses import dataclass, fields

from core.config import Config, check_range
from core.losses import LOSSES
from core.training import TRAIN_LIMITS, TrainSettings, check_train_limits

# ---------------------------------------------------------------- 1. the flat cost
GATE_CHOICES = ("and", "or", "nand")  # gates one neuron can compute (XOR is not one of them)
SPAN = 2.0  # the weight grid covers [-SPAN, SPAN]^2
GRID = 401  # points per axis: the reference numbers are measured on this grid
BIAS = (-3.0, 3.0)


@dataclass(frozen=True)
class SurfaceConfig(Config):
    """A two-input neuron on a gate's truth table: weights (w1, w2) over the grid, bias fixed at `bias`;
    (w1, w2) is also the point where autograd is asked for the gradient."""

    gate: str = "and"
    bias: float = -1.5
    w1: float = -1.0
    w2: float = 0.5

    def validate(self) -> None:
        if self.gate not in GATE_CHOICES:
            raise ValueError(f"Gate must be one of {', '.join(GATE_CHOICES)} (got '{self.gate}').")
        check_range("Bias", self.bias, *BIAS)
        check_range("Weight w1", self.w1, -SPAN, SPAN)
        check_range("Weight w2", self.w2, -SPAN, SPAN)


# ---------------------------------------------------------------- 2. one neuron learning slowly
NEURON_EPOCHS = 300  # Nielsen's figures run 300 epochs
START = (-5.0, 5.0)  # w0 and b0
ETA = (0.001, 2.0)
NIELSEN_ETA = 0.15  # quadratic cost (Nielsen, ch. 3)
NIELSEN_CE_ETA = 0.005  # the learning rate Nielsen used for his cross-entropy figures


@dataclass(frozen=True)
class NeuronConfig(Config):
    """Nielsen's sigmoid neuron with one input: x = 1, target y = 0, starting weight w0 and bias b0,
    trained by plain SGD with learning rate eta for NEURON_EPOCHS epochs of that one example."""

    w0: float = 2.0
    b0: float = 2.0
    eta: float = NIELSEN_ETA

    def validate(self) -> None:
        check_range("Starting weight w", self.w0, *START)
        check_range("Starting bias b", self.b0, *START)
        check_range("Learning rate η", self.eta, *ETA)


# ---------------------------------------------------------------- 3. softmax
CLASSES = 10
LOGIT = (-10.0, 10.0)
TEMPERATURE = (0.1, 10.0)
DEFAULT_LOGITS = (-1.2, 0.3, 1.1, 3.2, -0.8, 1.9, -2.0, 0.4, 2.5, 0.1)


@dataclass(frozen=True)
class SoftmaxConfig(Config):
    """Ten logits z, a temperature T (softmax(z / T)) and the true class y."""

    logits: tuple[float, ...] = DEFAULT_LOGITS
    temperature: float = 1.0
    target: int = 3

    def validate(self) -> None:
        if len(self.logits) != CLASSES:
            raise ValueError(f"Give exactly {CLASSES} logits, one per class (got {len(self.logits)}).")
        for i, z in enumerate(self.logits):
            check_range(f"Logit z{i}", z, *LOGIT)  # NaN fails it too
        check_range("Temperature T", self.temperature, *TEMPERATURE)
        check_range("True class", self.target, 0, CLASSES - 1)


# ---------------------------------------------------------------- 4. MNIST, one network per cost
MAIN_LOSSES = ("cross_entropy", "mse_softmax_sum", "mse_softmax_mean", "mse_sigmoid_sum", "bce_sigmoid")
BUG_LOSSES = ("softmax_then_ce", "nll_on_probabilities")
LOSS_CHOICES = MAIN_LOSSES + BUG_LOSSES
REFERENCE_LOSS = "cross_entropy"
INPUTS = {"pixels": "Pixels in [0, 1] (as Nielsen)", "standardised": "Standardised (mean 0, std 1)"}
HIDDEN = 100  # the network: 784 -> 100 sigmoid -> 10
SCALE = (0.1, 100.0)  # factor on the output layer's initial weights
SATURATED_SCALE = 30.0
EPOCHS = (1, 20)  # each run is a few tenths of a second per epoch, and there are up to seven
BATCH_SIZE = (8, 1024)
LIMITS = {**TRAIN_LIMITS, "epochs": EPOCHS, "batch_size": BATCH_SIZE}


@dataclass(frozen=True)
class CompareConfig(Config):
    """One 784-100-10 sigmoid MLP per cost in `losses`, same seed, initial weights and batches, plain SGD
    (no momentum); `output_scale` multiplies the output layer's initial weights; `inputs` says how the
    pixels are scaled."""

    losses: tuple[str, ...] = LOSS_CHOICES
    inputs: str = "pixels"
    output_scale: float = 1.0
    lr: float = 0.1
    epochs: int = 2
    batch_size: int = 64

    def validate(self) -> None:
        for name in self.losses:
            if name not in LOSS_CHOICES:
                raise ValueError(f"Unknown cost '{name}'. Choose from: {', '.join(LOSS_CHOICES)}.")
        if len(set(self.losses)) != len(self.losses):
            raise ValueError("Each cost can be chosen once.")
        if REFERENCE_LOSS not in self.losses:
            raise ValueError("Keep cross-entropy among the costs: every other cost is compared with it.")
        if self.inputs not in INPUTS:
            raise ValueError(f"Inputs must be one of {', '.join(INPUTS)} (got '{self.inputs}').")
        check_range("Output-layer weight scale", self.output_scale, *SCALE)
        check_train_limits(self.train_settings(), LIMITS)

    @property
    def ordered(self) -> tuple[str, ...]:
        """The chosen costs in the page's order (LOSS_CHOICES), whatever order they were given in."""
        return tuple(name for name in LOSS_CHOICES if name in self.losses)

    @property
    def labels(self) -> list[str]:
        return [LOSSES[name].label for name in self.ordered]

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, momentum=0.0, log_every=25)


# The reference run (784-100 sigmoid-10, SGD lr 0.1, batch 64, 5 epochs, seed 0), and the
# saturated start: the output layer's initial weights x30.
REFERENCE = CompareConfig(losses=LOSS_CHOICES, epochs=5)
SATURATED = CompareConfig(losses=("cross_entropy", "mse_sigmoid_sum", "bce_sigmoid"), output_scale=SATURATED_SCALE,
                          epochs=5)


# ---------------------------------------------------------------- the page's state
PARTS = (SurfaceConfig, NeuronConfig, SoftmaxConfig, CompareConfig)


@dataclass(frozen=True)
class LossesView(SurfaceConfig, NeuronConfig, SoftmaxConfig, CompareConfig):
    """Everything on the page, flat, for the URL: each part's fields, checked by that part."""

    def validate(self) -> None:
        for part in PARTS:
            self._part(part)

    def _part(self, cls):
        return cls(**{f.name: getattr(self, f.name) for f in fields(cls)})

    @classmethod
    def of(cls, *parts: Config) -> LossesView:
        values = {}
        for part in parts:
            values.update({f.name: getattr(part, f.name) for f in fields(part)})
        return cls(**values)

    @property
    def surface(self) -> SurfaceConfig:
        return self._part(SurfaceConfig)

    @property
    def neuron(self) -> NeuronConfig:
        return self._part(NeuronConfig)

    @property
    def softmax(self) -> SoftmaxConfig:
        return self._part(SoftmaxConfig)

    @property
    def compare(self) -> CompareConfig:
        return self._part(CompareConfig)


def shrink(config: LossesView) -> LossesView:
    """The cheapest view that runs every code path of the page: one epoch of large batches, the same
    costs (all seven when it had them, so the bug section runs too), everything else unchanged."""
    return config.replace(epochs=1, batch_size=BATCH_SIZE[1])
