"""The regularization lesson's state.

Four experiments, each with its own frozen config (and cache key), and the page's URL state that
holds them all, `RegularizationView`:

- `CurveConfig`: Bishop's polynomial curve fitting (degree M, N points, ridge ln λ, the noise sample);
- `OverfitConfig`: Nielsen's network that overfits 1,000 images, with and without L2 (ch. 3);
- `CompareConfig`: regularizers side by side on one MLP (weight decay, dropout, input noise,
  max-norm, activity penalty, early stopping), and the dropout layer looked at;
- `DataConfig`: validation accuracy against the number of training images, plain and regularized.

Every limit below is also the range of the page's widget for that field, so a value a link sets is
never outside its widget. `PRESETS` are the one-click settings (Nielsen's recipe, the reference
comparison, the traps), as changes to the view's fields.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, fields

from core.config import Config, check_range
from core.data import SAMPLE_TRAIN
from core.models import validate_sizes
from core.training import MONITORS, TRAIN_LIMITS, TrainSettings, check_train_limits

# ---------------------------------------------------------------- 1. curve fitting
NOISE = 0.3  # σ of the targets' noise (Bishop §1.1)
DEGREE = (0, 15)
POINTS = (2, 100)
LN_LAMBDA = (-40.0, 5.0)

# ---------------------------------------------------------------- 2. a network that overfits (Nielsen)
MAX_IMAGES = SAMPLE_TRAIN  # every training image the lessons have (the bundled split and a download alike)
IMAGES = (100, MAX_IMAGES)
HIDDEN = (5, 200)
NET_EPOCHS = (1, 400)  # Nielsen trains 400
NET_BATCH = (1, 1000)
NET_LR = (0.001, 10.0)
NIELSEN_LAMBDA = (0.0, 50.0)
EVALS_TARGET = 150  # validations a run aims at: several per epoch for a short run, one per epoch for a long one
MAX_EVALS_PER_EPOCH = 5

# ---------------------------------------------------------------- 3. regularizers side by side
WIDTH = (16, 1024)
DEPTH = (1, 4)
EPOCHS = (1, 100)
WEIGHT_DECAY = (0.0, 0.1)
DROPOUT = (0.0, 0.9)
INPUT_NOISE = (0.0, 3.0)
MAX_NORM = (0.1, 10.0)
ACTIVITY = (0.0, 0.01)
PATIENCE = (1, 50)
EVALS_PER_EPOCH = (1, 10)

# ---------------------------------------------------------------- 5. more data
MAX_SIZES = 8
DATA_STEPS = (50, 5000)
REGULARIZERS = {  # key -> label (the colour of the run in core.palette)
    "none": "No regularization", "weight_decay": "L2 weight decay", "dropout": "Dropout", "noise": "Input noise",
    "max_norm": "Max-norm", "activity": "Activity penalty", "early_stopping": "Early stopping"}
DATA_REGULARIZERS = ("weight_decay", "dropout", "noise", "max_norm", "activity")


@dataclass(frozen=True)
class CurveConfig(Config):
    """Fit a polynomial of degree M to N noisy points of sin(2πx); with `ridge`, penalise λ/2‖w‖²."""

    degree: int = 9
    points: int = 10
    ridge: bool = False
    ln_lambda: float = -18.0
    sample: int = 0  # which draw of the noise (training and test noise both follow it)

    def validate(self) -> None:
        check_range("Degree M", self.degree, *DEGREE)
        check_range("Training points N", self.points, *POINTS)
        check_range("ln λ", self.ln_lambda, *LN_LAMBDA)
        check_range("Noise sample", self.sample, 0, 999)

    @property
    def penalty(self) -> float | None:
        """ln λ when the ridge penalty is on, else None (plain least squares)."""
        return self.ln_lambda if self.ridge else None


@dataclass(frozen=True)
class OverfitConfig(Config):
    """Nielsen's network [784, hidden, 10] of sigmoids, N(0, 1) initial weights, per-output cross-entropy,
    plain SGD on the first `images` training images (pixel intensities in [0, 1], as his data), once
    without regularization and, with `l2` λ > 0, once with his L2 term λ/(2n)Σw²."""

    images: int = 1000
    hidden: int = 30
    epochs: int = 60
    batch_size: int = 10
    lr: float = 0.5
    l2: float = 0.1  # Nielsen's λ; the optimizer's weight decay is λ/n

    def validate(self) -> None:
        check_range("Training images", self.images, *IMAGES)
        check_range("Hidden units", self.hidden, *HIDDEN)
        check_range("Nielsen's λ", self.l2, *NIELSEN_LAMBDA)
        check_range("Batch size", self.batch_size, *NET_BATCH)
        check_train_limits(self.train_settings(0.0, 1000),
                           {"epochs": NET_EPOCHS, "batch_size": NET_BATCH, "lr": NET_LR})

    @property
    def sizes(self) -> list[int]:
        return [784, self.hidden, 10]

    def weight_decay(self, n: int) -> float:
        """Nielsen's C = C0 + λ/(2n) Σw² gives each weight the gradient λ/n · w: weight decay λ/n."""
        return self.l2 / n

    def eval_every(self, n: int) -> int:
        """Validation interval in steps for n training images: about EVALS_TARGET validations over the
        run, at least one per epoch (the engine always validates at an epoch's end), at most
        MAX_EVALS_PER_EPOCH; 0 when once per epoch is enough."""
        per_epoch = math.ceil(n / max(1, min(self.batch_size, n)))
        wanted = min(MAX_EVALS_PER_EPOCH, per_epoch, math.ceil(EVALS_TARGET / self.epochs))
        return 0 if wanted <= 1 else math.ceil(per_epoch / wanted)

    def train_settings(self, l2: float, n: int) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, momentum=0.0,
                             weight_decay=l2 / n, eval_every=self.eval_every(n), eval_train=True,
                             log_every=10_000)


@dataclass(frozen=True)
class CompareConfig(Config):
    """One MLP [784, width × depth, 10] of ReLUs trained once per regularizer, with the same seed,
    initial weights and batches; `layer` is the hidden layer whose dropout mask is shown."""

    images: int = 1000
    width: int = 128  # the reference network is 512 wide (PRESETS["reference"]): about 5 times the work
    depth: int = 2
    lr: float = 0.01
    momentum: float = 0.9
    epochs: int = 30
    batch_size: int = 32
    weight_decay: float = 0.005
    dropout: float = 0.5  # PyTorch's p: the probability of *dropping* a unit
    noise: float = 1.0  # σ of the Gaussian noise on the (normalised) input pixels
    max_norm: float = 1.0
    activity: float = 0.001
    patience: int = 5  # validations without a new best before early stopping stops
    monitor: str = "val_acc"
    restore: bool = True
    evals: int = 1  # validations per epoch (every run)
    layer: int = 1

    def validate(self) -> None:
        check_range("Training images", self.images, *IMAGES)
        check_range("Width", self.width, *WIDTH)
        check_range("Depth", self.depth, *DEPTH)
        check_range("Weight decay λ", self.weight_decay, *WEIGHT_DECAY)
        check_range("Dropout p", self.dropout, *DROPOUT)
        check_range("Input noise σ", self.noise, *INPUT_NOISE)
        check_range("Max-norm c", self.max_norm, *MAX_NORM)
        check_range("Activity penalty λ", self.activity, *ACTIVITY)
        check_range("Patience", self.patience, *PATIENCE)
        check_range("Validations per epoch", self.evals, *EVALS_PER_EPOCH)
        if self.monitor not in MONITORS:
            raise ValueError(f"Early stopping monitors one of {', '.join(MONITORS)} (got '{self.monitor}').")
        if not 1 <= self.layer <= self.depth:
            raise ValueError(f"The dropout view shows a hidden layer from 1 to {self.depth} (got {self.layer}).")
        validate_sizes(self.sizes)
        check_range("Batch size", self.batch_size, *TRAIN_LIMITS["batch_size"])
        check_train_limits(self.base_settings(1000), {**TRAIN_LIMITS, "epochs": EPOCHS})

    @property
    def sizes(self) -> list[int]:
        return [784] + [self.width] * self.depth + [10]

    @property
    def training(self) -> "CompareConfig":
        """The part that is trained (the cache key): the layer looked at is set to 1."""
        return self if self.layer == 1 else self.replace(layer=1)

    def eval_every(self, n: int) -> int:
        per_epoch = math.ceil(n / max(1, min(self.batch_size, n)))
        return 0 if self.evals <= 1 or per_epoch <= 1 else math.ceil(per_epoch / min(self.evals, per_epoch))

    def base_settings(self, n: int) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, momentum=self.momentum,
                             eval_every=self.eval_every(n), eval_train=True, log_every=50)

    def model_options(self, regularizer: str) -> dict:
        """MLP keyword arguments of one regularizer's network."""
        return {"dropout": {"dropout": self.dropout}, "noise": {"input_noise": self.noise}}.get(regularizer, {})

    def train_settings(self, regularizer: str, n: int) -> TrainSettings:
        """The base settings plus one regularizer's own (see REGULARIZERS)."""
        extra = {"weight_decay": {"weight_decay": self.weight_decay}, "max_norm": {"max_norm": self.max_norm},
                 "activity": {"activity_l1": self.activity},
                 "early_stopping": {"patience": self.patience, "monitor": self.monitor,
                                    "restore_best": self.restore}}.get(regularizer, {})
        return self.base_settings(n).replace(**extra)


@dataclass(frozen=True)
class DataConfig(Config):
    """Validation accuracy against the number of training images: the network of `CompareConfig` with
    no regularization and with one (`regularizer`, at its strength there), each trained for the same
    number of `steps` whatever the number of images."""

    sizes: tuple[int, ...] = (100, 250, 500, 1000, 2000, 4000, 8000)
    regularizer: str = "noise"  # the one that helped most in the default comparison
    steps: int = 600

    def validate(self) -> None:
        if not self.sizes:
            raise ValueError("Give at least one number of training images, e.g. 100, 1000, 8000.")
        if len(self.sizes) > MAX_SIZES:
            raise ValueError(f"Compare at most {MAX_SIZES} numbers of training images (got {len(self.sizes)}).")
        if len(set(self.sizes)) != len(self.sizes):
            raise ValueError("Each number of training images can be given once.")
        for n in self.sizes:
            check_range("Training images", n, *IMAGES)
        if self.regularizer not in DATA_REGULARIZERS:
            raise ValueError(f"The regularized network uses one of {', '.join(DATA_REGULARIZERS)} "
                             f"(got '{self.regularizer}').")
        check_range("Steps per network", self.steps, *DATA_STEPS)


# ---------------------------------------------------------------- the page's URL state
# view field -> (experiment, its field): the page's fields are flat and prefixed where two experiments
# share a name; lr, momentum, epochs and batch_size are the comparison's (the shared training controls)
PARTS: dict[str, type[Config]] = {"curve": CurveConfig, "overfit": OverfitConfig, "compare": CompareConfig,
                                  "data": DataConfig}
PREFIX = {"curve": "", "overfit": "net_", "compare": "", "data": "data_"}


@dataclass(frozen=True)
class RegularizationView(Config):
    """The whole page's state, one flat dataclass for the URL: the four experiments' fields."""

    # 1. curve fitting
    degree: int = CurveConfig.degree
    points: int = CurveConfig.points
    ridge: bool = CurveConfig.ridge
    ln_lambda: float = CurveConfig.ln_lambda
    sample: int = CurveConfig.sample
    # 2. a network that overfits
    net_images: int = OverfitConfig.images
    net_hidden: int = OverfitConfig.hidden
    net_epochs: int = OverfitConfig.epochs
    net_batch_size: int = OverfitConfig.batch_size
    net_lr: float = OverfitConfig.lr
    net_l2: float = OverfitConfig.l2
    # 3. regularizers side by side, 4. dropout made visible
    images: int = CompareConfig.images
    width: int = CompareConfig.width
    depth: int = CompareConfig.depth
    lr: float = CompareConfig.lr
    momentum: float = CompareConfig.momentum
    epochs: int = CompareConfig.epochs
    batch_size: int = CompareConfig.batch_size
    weight_decay: float = CompareConfig.weight_decay
    dropout: float = CompareConfig.dropout
    noise: float = CompareConfig.noise
    max_norm: float = CompareConfig.max_norm
    activity: float = CompareConfig.activity
    patience: int = CompareConfig.patience
    monitor: str = CompareConfig.monitor
    restore: bool = CompareConfig.restore
    evals: int = CompareConfig.evals
    layer: int = CompareConfig.layer
    # 5. more data
    data_sizes: tuple[int, ...] = DataConfig.sizes
    data_regularizer: str = DataConfig.regularizer
    data_steps: int = DataConfig.steps

    def validate(self) -> None:
        for part in PARTS:
            self.part(part)  # each experiment's config validates its own fields

    @classmethod
    def of(cls, parts: dict[str, Config]) -> "RegularizationView":
        """The view holding these experiments' configs (by PARTS name; a missing one keeps its defaults)."""
        return cls(**{view_field(name, f.name): getattr(part, f.name) for name, part in parts.items()
                      for f in fields(part)})

    def part(self, name: str) -> Config:
        """One experiment's config from the view's fields (ValueError if they do not make one)."""
        cls, prefix = PARTS[name], PREFIX[name]
        return cls(**{f.name: getattr(self, prefix + f.name) for f in fields(cls)})

    @property
    def curve(self) -> CurveConfig:
        return self.part("curve")

    @property
    def overfit(self) -> OverfitConfig:
        return self.part("overfit")

    @property
    def compare(self) -> CompareConfig:
        return self.part("compare")

    @property
    def data(self) -> DataConfig:
        return self.part("data")


def view_field(part: str, name: str) -> str:
    """The view's (and widget's) name of an experiment's field: ('overfit', 'lr') -> 'net_lr'."""
    return PREFIX[part] + name


# ---------------------------------------------------------------- one-click settings
PRESETS: dict[str, dict] = {
    # Nielsen, Neural Networks and Deep Learning, ch. 3: network2.py's overfitting run, 400 epochs
    "nielsen": {"net_images": 1000, "net_hidden": 30, "net_epochs": 400, "net_batch_size": 10, "net_lr": 0.5,
                "net_l2": 0.1},
    # the reference network, 784-512-512-10 on 1,000 images, for 30 epochs
    "reference": {**{f.name: getattr(RegularizationView, f.name) for f in fields(CompareConfig) if f.name != "layer"},
                  "width": 512, "epochs": 30},
    # back to the comparison's defaults
    "compare_defaults": {f.name: getattr(RegularizationView, f.name) for f in fields(CompareConfig) if f.name != "layer"},
    # trap 1: dropout with a learning rate and momentum that plain SGD survives
    "trap_dropout": {"lr": 0.1, "momentum": 0.9},
    # trap 2: early stopping that watches the validation loss while the page reports accuracy
    "trap_val_loss": {"monitor": "val_loss", "patience": 2, "restore": True},
}


def shrink(view: RegularizationView) -> RegularizationView:
    """The cheapest view that runs every code path of the page: one epoch of a small network on 200
    images, a few numbers of images for a few steps; the curve settings stay (they cost nothing)."""
    return view.replace(net_images=200, net_hidden=10, net_epochs=1, net_batch_size=50, images=200, width=32,
                        depth=min(view.depth, 2), layer=min(view.layer, min(view.depth, 2)), epochs=1,
                        batch_size=64, patience=1, evals=2, data_sizes=(100, 200), data_steps=50)
