"""The transfer lesson's experiment: with K labelled digits per class, four ways of training the lesson
CNN, each over several seeds and a sweep of K.

- From scratch: a new lesson CNN, every parameter trained;
- Frozen + new head: the pretrained network with every parameter frozen and a new last layer, the
  only thing the optimizer gets;
- Fine-tune all: the pretrained network with a new last layer, every parameter trained;
- Fine-tune, smaller feature lr: the same, with the features at `feature_lr` × the head's rate.

Every run goes through core.training.train with the same settings (SGD, the config's epochs, batch
size, learning rate and momentum) on the same K images per class for a given seed, and is tested on
the digits' fixed held-out test set. The pretrained network is in `pretrain`, the data in `digits`,
the recipe in `recipe`, densenet121 in `densenet`, the charts in `charts`, the sentences in `story`.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field
from typing import Callable

import pandas as pd

from core.budget import check_budget
from core.data import CLASSES, Dataset
from core.lessons.transfer.config import AUTORUN_IMAGES, AUTORUN_STEPS, METHODS, TransferConfig
from core.lessons.transfer.digits import Digits, draw, kshot_data, load_digits
from core.lessons.transfer.pretrain import Pretrained, pretrain, zero_shot
from core.lessons.transfer.recipe import counts, prepare, step_check
from core.models import LessonCNN
from core.outcome import classify
from core.seeding import seeded
from core.training import Progress, train

RUN_COLUMNS = ["k", "method", "label", "seed", "test_acc", "test_loss", "outcome", "headline", "explanation",
               "steps", "seconds", "device"]


@dataclass
class SweepResult:
    """Every run of the sweep (`runs`: one row per K, method and seed, see RUN_COLUMNS), and the training
    loss per step of the slider's K for its first seed (`curves`: run (the method's label), step, loss)."""

    runs: pd.DataFrame
    curves: pd.DataFrame = field(default_factory=lambda: pd.DataFrame(columns=["run", "step", "loss"]))
    config: TransferConfig | None = None
    seed: int = 0

    def summary(self) -> pd.DataFrame:
        """Per K and method: mean, std, min and max test accuracy over the runs that finished a test
        (`n` of `runs`; a diverged run has none), and `failed` (runs that diverged or did not train)."""
        rows = []
        for (k, method), g in self.runs.groupby(["k", "method"], sort=True):
            acc = g["test_acc"].dropna()
            rows.append({"k": int(k), "method": method, "label": METHODS[method],
                         "mean": acc.mean() if len(acc) else math.nan,
                         "std": acc.std(ddof=1) if len(acc) > 1 else math.nan,
                         "min": acc.min() if len(acc) else math.nan, "max": acc.max() if len(acc) else math.nan,
                         "n": len(acc), "runs": len(g),
                         "failed": int(g["outcome"].isin(["diverged", "did not train"]).sum())})
        return pd.DataFrame(rows)

    def at(self, k: int) -> pd.DataFrame:
        """The summary rows of one K, indexed by method key (in METHODS order)."""
        s = self.summary()
        return s[s["k"] == k].set_index("method").reindex([m for m in METHODS if m in set(s["method"])])


def total_work(config: TransferConfig, n_methods: int = len(METHODS)) -> tuple[int, int]:
    """(training images, optimizer steps) of the whole sweep: every K, seed and method."""
    images = steps = 0
    for k in config.sweep:
        n = 10 * k * config.epochs
        images += n * config.seeds * n_methods
        steps += math.ceil(n / min(config.batch_size, n)) * config.seeds * n_methods
    return images, steps


def light(config: TransferConfig) -> bool:
    """Whether the sweep is small enough to train on a first visit without a click (AUTORUN_*)."""
    images, steps = total_work(config)
    return images <= AUTORUN_IMAGES and steps <= AUTORUN_STEPS


def sweep(config: TransferConfig, digits: Digits, pretrained: Pretrained, seed: int,
          on_progress: Callable[[Progress], None] | None = None,
          on_run: Callable[[dict], None] | None = None) -> SweepResult:
    """Train every method on K images per class for every K of `config.sweep` and seeds seed, seed + 1,
    ... (config.seeds of them), and test each run on the held-out digits. `on_progress` gets every
    run's progress (run_index / n_runs count the whole sweep), `on_run` each finished run's row.
    Raises core.budget.TooMuchTraining, before any run, if the whole sweep exceeds the budget."""
    images, steps = total_work(config)
    check_budget(seeded(0, LessonCNN).to(digits.device), digits.x[:1], images, steps)
    settings = config.train_settings()
    engine = settings.replace(epochs=1)  # the data repeat the images `epochs` times (kshot_data)
    n_runs = len(config.sweep) * config.seeds * len(METHODS)
    rows, curves, index = [], [], 0
    for k in config.sweep:
        for i in range(config.seeds):
            s = seed + i
            data = kshot_data(digits, k, s, config.epochs)
            for method, label in METHODS.items():
                model, optimizer = prepare(method, pretrained.state_dict, s, settings, config.feature_lr)
                report = None if on_progress is None else (
                    lambda p, j=index: on_progress(dataclasses.replace(p, run_index=j, n_runs=n_runs)))
                run = train(model, data, engine, seed=s, label=label, on_progress=report, optimizer=optimizer)
                verdict = classify(run, len(data.classes))
                row = {"k": k, "method": method, "label": label, "seed": s, "test_acc": run.final_val_acc,
                       "test_loss": float(run.epochs["val_loss"].iloc[-1]) if len(run.epochs) else math.nan,
                       "outcome": verdict.kind, "headline": verdict.headline, "explanation": verdict.explanation,
                       "steps": len(run.steps), "seconds": run.seconds, "device": run.device}
                rows.append(row)
                if k == config.k and i == 0:
                    curves.append(run.steps[["step", "loss"]].assign(run=label))
                if on_run is not None:
                    on_run(row)
                index += 1
    curve = pd.concat(curves, ignore_index=True) if curves else pd.DataFrame(columns=["step", "loss", "run"])
    return SweepResult(pd.DataFrame(rows, columns=RUN_COLUMNS), curve, config, seed)


# ---------------------------------------------------------------- the recipe, checked

def recipe_check(config: TransferConfig, digits: Digits, pretrained: Pretrained, seed: int
                 ) -> tuple[pd.DataFrame, dict[str, int], float]:
    """The recipe on the pretrained network (frozen, new head, optimizer of the trainable parameters),
    one real training step on a batch of the slider's K images per class (at most the batch size), and
    the check: per parameter tensor, gradient and largest change (recipe.step_check); with the counts."""
    model, optimizer = prepare("frozen", pretrained.state_dict, seed, config.train_settings(), config.feature_lr)
    chosen = draw(digits, config.k, seed)[: config.batch_size]
    data = Dataset("digits", "scikit-learn", "", digits.x[chosen], digits.y[chosen], digits.x_test[:0],
                   digits.y_test[:0], CLASSES["digits"])
    table, loss = step_check(model.to(digits.device), data, config.train_settings(), optimizer, seed)
    return table, counts(model), loss


# ---------------------------------------------------------------- for the app-wide property tests

def run_all(config: TransferConfig, data: Dataset, seed: int) -> None:
    """Everything the page computes for `config`, pretrained on `data` (MNIST, any size): the pretrained
    network, its zero-shot accuracy, the sweep and the recipe's check (densenet121 is built on demand
    only, and its arithmetic does not depend on the config)."""
    digits = load_digits(str(data.device))
    pretrained = pretrain(data, seed)
    zero_shot(pretrained, digits)
    sweep(config, digits, pretrained, seed)
    recipe_check(config, digits, pretrained, seed)
