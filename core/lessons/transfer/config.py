"""The transfer lesson's state: `TransferConfig` (the K-shot comparison and its sweep of K, and the
training settings every run shares), its limits (the widgets' ranges too), the presets, and the
four ways of training compared (`METHODS`)."""
from __future__ import annotations

from dataclasses import dataclass

from core.config import Config, check_range
from core.training import TRAIN_LIMITS, TrainSettings, check_train_limits

# the four ways of training on the new task: key -> label (core.palette colours, chart legends)
METHODS = {
    "scratch": "From scratch",
    "frozen": "Frozen + new head",
    "finetune": "Fine-tune all",
    "finetune_small": "Fine-tune, smaller feature lr",
}
TRANSFER = ("frozen", "finetune", "finetune_small")  # the methods that start from the pretrained network

K_LIMITS = (1, 100)  # labelled images per class: the digits' pool holds 100 of each
K_CHOICES = (1, 2, 3, 5, 10, 20, 50, 100)  # the values the sweep may include (the slider's K is added)
SEEDS = (3, 10)  # each K and method is trained this many times (seeds seed, seed + 1, ...)
EPOCHS = (1, 50)
BATCH_SIZE = (1, 1024)
FEATURE_LR = (0.001, 1.0)  # the smaller learning rate of the features, as a share of the head's
LIMITS = {**TRAIN_LIMITS, "epochs": EPOCHS, "batch_size": BATCH_SIZE}
# a sweep a link opens is trained without a click only up to about the presets' size (each about 40,000
# training images, 2,500 steps: 20 s of one CPU core); a bigger one waits for Train
AUTORUN_IMAGES, AUTORUN_STEPS = 50_000, 5_000


@dataclass(frozen=True)
class TransferConfig(Config):
    """The page's whole state, and the sweep's cache key.

    - `k`: labelled images per class of the detailed comparison (the slider); always in the sweep;
    - `ks`: the other K values of the sweep (from K_CHOICES);
    - `seeds`: runs per K and method, with seeds seed, seed + 1, ... (each draws its own K images
      per class, initialises its own new layer and shuffles its own batches);
    - `epochs`, `batch_size`, `lr`, `momentum`: SGD, the same for every run of every method;
    - `feature_lr`: in "Fine-tune, smaller feature lr", the features learn at feature_lr × lr.
    """

    k: int = 5
    ks: tuple[int, ...] = (1, 10)
    seeds: int = 3
    epochs: int = 20
    batch_size: int = 16
    lr: float = 0.01
    momentum: float = 0.9
    feature_lr: float = 0.1

    def validate(self) -> None:
        check_range("Images per class K", self.k, *K_LIMITS)
        if len(set(self.ks)) != len(self.ks):
            raise ValueError("Each K of the sweep can be given once.")
        for k in self.ks:
            if k not in K_CHOICES:
                raise ValueError(f"The sweep's K values are chosen from {', '.join(map(str, K_CHOICES))} (got {k}).")
        check_range("Seeds", self.seeds, *SEEDS)
        check_range("Feature learning rate (share of the head's)", self.feature_lr, *FEATURE_LR)
        check_train_limits(self.train_settings(), LIMITS)

    @property
    def sweep(self) -> tuple[int, ...]:
        """Every K trained, ascending: the sweep's values and the slider's K."""
        return tuple(sorted({*self.ks, self.k}))

    def train_settings(self) -> TrainSettings:
        """What each run trains with: `epochs` passes over its 10·K images (see experiment.kshot_data)."""
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr, momentum=self.momentum,
                             log_every=10)


# "default": the page's first view, a sweep that takes seconds; "reference": the measurement
# (K = 5, mean of 5 seeds) alone, trained twice as long (40 epochs: from scratch is still learning at 20)
PRESETS = {
    "default": {"k": 5, "ks": (1, 10), "seeds": 3, "epochs": 20},
    "reference": {"k": 5, "ks": (), "seeds": 5, "epochs": 40},
}


def preset_label(name: str) -> str:
    """'K = 1, 5, 10 · 3 seeds · 20 epochs' for a preset."""
    c = TransferConfig(**PRESETS[name])
    return f"K = {', '.join(map(str, c.sweep))} · {c.seeds} seeds · {c.epochs} epochs"


def shrink(config: TransferConfig) -> TransferConfig:
    """The cheapest config that runs the same code paths (every method on the fewest seeds, one epoch of
    K = 1, the recipe's check): for the app-wide property tests."""
    return config.replace(k=1, ks=(), seeds=SEEDS[0], epochs=1)
