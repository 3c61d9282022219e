"""The pretrained network of our own: the lesson CNN trained on all ten MNIST digits, once per server
and seed (the page shares it across sessions), then measured as it is on the new task (zero-shot).

Why not a committed checkpoint: pretraining takes seconds on a CPU (2 epochs of the 8,000 bundled
training images), follows the sidebar's seed and device like every other run of the app, and needs
no rebuild script to keep in step with core.models.LessonCNN.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import pandas as pd
import torch

from core.data import Dataset
from core.lessons.transfer.digits import Digits
from core.models import LessonCNN
from core.seeding import seeded
from core.training import EVAL_BATCH, Progress, TrainResult, TrainSettings, evaluate, train

# the CNN lesson's default training (about 97% on MNIST's validation images)
PRETRAIN = TrainSettings(epochs=2, batch_size=64, lr=0.01, momentum=0.9, log_every=10)
LABEL = "Pretraining on MNIST"


@dataclass
class Pretrained:
    """The pretrained weights (CPU), the run that produced them, and what it was trained on."""

    state_dict: dict[str, torch.Tensor]
    run: TrainResult
    seed: int
    dataset: tuple[str, str]  # (Dataset.name, Dataset.source)
    n_train: int

    @property
    def mnist_accuracy(self) -> float:
        """Accuracy on MNIST's validation images after pretraining (NaN if the run diverged)."""
        return self.run.final_val_acc

    def model(self) -> LessonCNN:
        """A fresh copy of the pretrained network, in eval mode (built under core.seeding's lock)."""
        model = seeded(0, LessonCNN)
        model.load_state_dict(self.state_dict)
        return model.eval()


def pretrain(mnist: Dataset, seed: int, on_progress: Callable[[Progress], None] | None = None,
             settings: TrainSettings = PRETRAIN) -> Pretrained:
    """Train the lesson CNN (initialised from `seed`) on `mnist` with `settings` (default PRETRAIN)."""
    model = seeded(seed, LessonCNN)
    run = train(model, mnist, settings, seed=seed, label=LABEL, on_progress=on_progress, keep_weights=True)
    return Pretrained(run.state_dict, run, seed, (mnist.name, mnist.source), len(mnist.y_train))


@dataclass
class ZeroShot:
    """The pretrained network, old last layer and all, on the digits' test set: accuracy, loss and the
    confusion counts (true label, predicted label, count)."""

    accuracy: float
    loss: float
    confusion: pd.DataFrame
    n: int

    def most_confused(self) -> tuple[int, int, int] | None:
        """(true, predicted, count) of the most frequent mistake, None if there is none."""
        wrong = self.confusion[self.confusion["true"] != self.confusion["predicted"]]
        if wrong.empty or wrong["count"].max() == 0:
            return None
        row = wrong.loc[wrong["count"].idxmax()]
        return int(row["true"]), int(row["predicted"]), int(row["count"])


@torch.no_grad()
def zero_shot(pretrained: Pretrained, digits: Digits) -> ZeroShot:
    """The MNIST network as it is on the digits' held-out test set: no image of the new set seen."""
    model = pretrained.model().to(digits.device)
    x, y = digits.x_test, digits.y_test
    loss, acc = evaluate(model, x, y)
    pred = torch.cat([model(x[i:i + EVAL_BATCH]).argmax(1) for i in range(0, len(x), EVAL_BATCH)])
    counts = torch.zeros(10, 10, dtype=torch.long)
    for t, p in zip(y.cpu().tolist(), pred.cpu().tolist()):
        counts[t, p] += 1
    confusion = pd.DataFrame([{"true": t, "predicted": p, "count": int(counts[t, p])}
                              for t in range(10) for p in range(10)])
    return ZeroShot(acc, loss, confusion, len(y))
