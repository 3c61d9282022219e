"""What became of a training run, in one word and one sentence: the verdict every page shows the same way.

- **diverged**: the loss became NaN or infinite at some step; the engine stopped the run there.
- **did not train**: it stayed finite but learned nothing: validation accuracy within CHANCE_MARGIN of
  chance (1/C for C classes) while the loss stayed near its chance level (within LOSS_MARGIN of ln C
  for cross-entropy) or did not fall below where it started. NaN is not the only way to fail.
- **stopped early**: early stopping ended it (a success: it stopped when validation stopped improving).
- **finished**: it ran all its epochs and learned.

A run refused by the training budget never starts; pages report that from core.budget.TooMuchTraining.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from core.format import number, percent
from core.losses import CLASSIFICATION, get_loss
from core.training import TrainResult

CHANCE_MARGIN = 0.05  # accuracy at most 1/C + 5 points: "at chance"
LOSS_MARGIN = 0.1  # cross-entropy within 0.1 of ln C: "at the guessing level"
FELL = 0.95  # a loss that ends below 95% of its first value has fallen

DIVERGED, DID_NOT_TRAIN, STOPPED_EARLY, FINISHED = "diverged", "did not train", "stopped early", "finished"


@dataclass(frozen=True)
class RunOutcome:
    kind: str  # one of DIVERGED, DID_NOT_TRAIN, STOPPED_EARLY, FINISHED
    headline: str  # for a table's status column: "diverged at step 37"
    explanation: str  # one sentence for a callout; empty for a run that finished and learned

    @property
    def failed(self) -> bool:
        return self.kind in (DIVERGED, DID_NOT_TRAIN)


def chance_accuracy(classes: int) -> float:
    return 1.0 / classes


def classify(run: TrainResult, classes: int = 10) -> RunOutcome:
    """The outcome of one run (see the module docstring for the rules); `classes` is C, for chance."""
    if run.diverged_at:
        return RunOutcome(DIVERGED, f"diverged at step {run.diverged_at}",
                          "the loss became NaN or infinite, so that run stopped there. Try a smaller learning rate.")
    loss = get_loss(run.loss)
    if loss.kind == CLASSIFICATION and len(run.epochs):
        acc = run.final_val_acc
        val_loss = float(run.epochs["val_loss"].iloc[-1])
        first = float(run.steps["loss"].iloc[0]) if len(run.steps) else math.nan
        chance = chance_accuracy(classes)
        guessing = math.log(classes)
        at_chance = acc <= chance + CHANCE_MARGIN
        if loss.name == "cross_entropy":
            stuck = val_loss >= guessing - LOSS_MARGIN or not val_loss < FELL * first
        else:
            stuck = not val_loss < FELL * first or at_chance
        if at_chance and stuck:
            level = (f"its validation loss ended at {number(val_loss)} (guessing: ln {classes} ≈ {number(guessing)})"
                     if loss.name == "cross_entropy" else f"its loss went from {number(first)} to {number(val_loss)}")
            return RunOutcome(DID_NOT_TRAIN, "did not train",
                              f"it never diverged, but it learned nothing: validation accuracy {percent(acc)} is "
                              f"chance for {classes} classes ({percent(chance, 0)}) and {level}.")
    if run.stopped_at:
        best = run.best or {}
        at = f" (the best validation was at step {int(best['step']):,})" if "step" in best else ""
        restored = "; the weights of the best validation were restored" if run.restored else ""
        return RunOutcome(STOPPED_EARLY, f"stopped early after step {run.stopped_at:,}",
                          f"validation stopped improving{at}{restored}.")
    return RunOutcome(FINISHED, "finished", "")
