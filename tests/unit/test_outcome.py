"""core.outcome: one verdict per run, from the run's own numbers."""
import math

import pandas as pd

from core.models import MLP
from core.outcome import DID_NOT_TRAIN, DIVERGED, FINISHED, STOPPED_EARLY, classify
from core.seeding import seeded
from core.training import TrainResult, TrainSettings, train


def run_with(val_acc, val_loss, first_loss=2.3, loss="cross_entropy", **kw) -> TrainResult:
    steps = pd.DataFrame({"step": [1, 2], "epoch": [1, 1], "loss": [first_loss, first_loss]})
    epochs = pd.DataFrame({"epoch": [1], "step": [2], "train_loss": [val_loss], "val_loss": [val_loss],
                           "val_acc": [val_acc]})
    return TrainResult("run", "cpu", steps, epochs, loss=loss, **kw)


def test_a_finite_run_at_chance_did_not_train():
    out = classify(run_with(0.098, 2.302))
    assert out.kind == DID_NOT_TRAIN and out.failed and "9.8%" in out.explanation and "ln 10" in out.explanation
    assert classify(run_with(0.11, 2.9)).kind == DID_NOT_TRAIN  # loss above its start
    assert classify(run_with(0.13, 2.1)).kind == FINISHED  # learning, slowly: loss well below ln 10
    assert classify(run_with(0.95, 0.2)).kind == FINISHED


def test_other_losses_judge_by_accuracy_and_the_fall_of_the_loss():
    assert classify(run_with(0.10, 0.9, first_loss=0.9, loss="mse_softmax_sum")).kind == DID_NOT_TRAIN
    assert classify(run_with(0.59, 0.5, first_loss=0.9, loss="mse_softmax_sum")).kind == FINISHED


def test_divergence_and_early_stopping_are_named_with_their_step():
    out = classify(run_with(math.nan, math.nan, diverged_at=37))
    assert out.kind == DIVERGED and out.headline == "diverged at step 37"
    out = classify(run_with(0.9, 0.3, stopped_at=400, best={"step": 300, "val_acc": 0.91}, restored=True))
    assert out.kind == STOPPED_EARLY and "step 300" in out.explanation and "restored" in out.explanation


def test_a_real_run_with_a_tiny_learning_rate_did_not_train(mnist):
    model = seeded(0, lambda: MLP([784, 32, 10], "sigmoid"))
    r = train(model, mnist.subset(512, 256), TrainSettings(epochs=1, lr=0.0001, momentum=0.0))
    assert classify(r).kind == DID_NOT_TRAIN
