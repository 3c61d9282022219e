"""The engine's options beyond plain SGD on cross-entropy: other losses and targets, batch norm's
batches, weight decay, max-norm, the activity penalty, validation every k steps, early stopping."""
import math

import numpy as np
import pytest
import torch
from torch import nn

from core.data import logic_gate, sum_of_three
from core.models import MLP
from core.seeding import seeded
from core.training import (ENGINE_LIMITS, TRAIN_LIMITS, TrainSettings, batch_sizes, check_train_limits,
                           evaluate, make_optimizer, train)


def mlp(sizes=(784, 32, 10), seed=0, **kw):
    return seeded(seed, lambda: MLP(list(sizes), "relu", **kw))


def test_regression_targets_train_with_mse():
    data = sum_of_three(n_train=512, n_val=128)
    model = mlp((3, 8, 1))
    r = train(model, data, TrainSettings(epochs=30, batch_size=32, lr=0.01, momentum=0.9), loss="mse")
    assert r.diverged_at is None and r.loss == "mse"
    assert r.epochs["val_loss"].iloc[-1] < 0.01 < r.epochs["val_loss"].iloc[0] * 10
    assert r.epochs["val_acc"].isna().all()  # no accuracy for a regression
    x = torch.tensor([[0.2, 0.3, 0.4]])
    assert model.eval()(x).item() == pytest.approx(0.9, abs=0.05)


def test_binary_targets_train_with_bce_and_report_accuracy():
    data = logic_gate("or")
    model = seeded(0, lambda: MLP([2, 1], "sigmoid"))
    r = train(model, data, TrainSettings(epochs=300, batch_size=4, lr=1.0, momentum=0.0, log_every=1000), loss="bce")
    assert r.final_val_acc == 1.0


@pytest.mark.parametrize("n", [1, 2, 7, 64, 65, 129, 8001])
@pytest.mark.parametrize("bs", [2, 3, 19, 64, 128])
def test_batch_norm_never_gets_a_one_example_batch(n, bs):
    sizes = batch_sizes(n, bs, batch_norm=True) if n > 1 else None
    if n == 1:
        with pytest.raises(ValueError, match="at least 2"):
            batch_sizes(n, bs, batch_norm=True)
        return
    assert sum(sizes) == n and min(sizes) >= 2 and max(sizes) <= bs + 1
    assert batch_sizes(n, bs) == [min(bs, n)] * (n // min(bs, n)) + ([n % bs] if n % min(bs, n) else [])


def test_batch_norm_with_batches_of_one_is_refused_with_a_message():
    with pytest.raises(ValueError, match="batch size of at least 2"):
        batch_sizes(100, 1, batch_norm=True)
    assert batch_sizes(100, 1) == [1] * 100


def test_a_lone_last_example_is_trained_with_the_batch_before_it(mnist):
    """8,000 images in batches of 19 leave one image: batch norm used to raise on it."""
    data = mnist.subset(77, 64)  # 77 = 4 x 19 + 1
    r = train(mlp(batch_norm=True), data, TrainSettings(epochs=2, batch_size=19), seed=0)
    assert r.diverged_at is None and len(r.steps) == 2 * 4 and r.samples_seen == 2 * 77


def test_weight_decay_applies_to_weights_not_biases():
    model = mlp(batch_norm=True)
    opt = make_optimizer(model.parameters(), TrainSettings(weight_decay=0.01))
    decayed = {id(p) for g in opt.param_groups if g["weight_decay"] > 0 for p in g["params"]}
    assert decayed == {id(l.weight) for l in model.linears}


def test_weight_decay_shrinks_the_weights(mnist):
    data = mnist.subset(512, 128)
    plain = train(mlp(), data, TrainSettings(epochs=3), keep_weights=True)
    decayed = train(mlp(), data, TrainSettings(epochs=3, weight_decay=0.05), keep_weights=True)
    norm = lambda r: sum(r.state_dict[f"linears.{i}.weight"].norm() ** 2 for i in range(2)) ** 0.5
    assert norm(decayed) < 0.9 * norm(plain)


def test_max_norm_caps_every_units_incoming_weights(mnist):
    r = train(mlp(), mnist.subset(512, 128), TrainSettings(epochs=2, lr=0.5, max_norm=0.5), keep_weights=True)
    for i in range(2):
        assert r.state_dict[f"linears.{i}.weight"].norm(dim=1).max().item() <= 0.5 + 1e-5


def test_activity_penalty_changes_the_training_but_not_the_reported_loss(mnist):
    data = mnist.subset(256, 64)
    plain = train(mlp(), data, TrainSettings(epochs=1), keep_weights=True)
    penalised = train(mlp(), data, TrainSettings(epochs=1, activity_l1=0.01), keep_weights=True)
    assert plain.steps["loss"].iloc[0] == penalised.steps["loss"].iloc[0]  # the same first batch and weights
    assert not torch.equal(plain.state_dict["linears.0.weight"], penalised.state_dict["linears.0.weight"])


def test_validation_every_k_steps_and_on_the_training_set(mnist):
    data = mnist.subset(640, 128)  # 10 steps per epoch
    r = train(mlp(), data, TrainSettings(epochs=2, eval_every=4, eval_train=True))
    assert r.evals["step"].tolist() == [4, 8, 10, 12, 16, 20]  # every 4th step, and each epoch end
    assert r.evals["epoch"].tolist() == pytest.approx([0.4, 0.8, 1.0, 1.2, 1.6, 2.0])
    assert r.evals["train_acc"].between(0, 1).all() and r.evals["val_acc"].between(0, 1).all()
    assert r.epochs["step"].tolist() == [10, 20]  # the epoch rows are still there
    last = r.evals.iloc[-1]
    assert (last["val_loss"], last["val_acc"]) == (r.epochs["val_loss"].iloc[-1], r.epochs["val_acc"].iloc[-1])


def test_early_stopping_restores_the_weights_of_the_best_validation(mnist):
    data = mnist.subset(500, 500)
    settings = TrainSettings(epochs=40, batch_size=10, lr=0.5, momentum=0.9, eval_every=25, patience=4,
                             monitor="val_loss", restore_best=True)
    model = mlp((784, 30, 10))
    r = train(model, data, settings, keep_weights=True)
    assert r.stopped_at is not None and r.stopped_at < 40 * 50 and r.restored
    assert r.status == f"stopped early after step {r.stopped_at}"
    best = r.evals.loc[r.evals["val_loss"].idxmin()]
    assert r.best["step"] == best["step"] and r.stopped_at == r.evals["step"].iloc[-1]
    assert (r.evals["step"] > best["step"]).sum() == 4  # patience: four validations without a new best
    val_loss, val_acc = evaluate(model, data.x_val, data.y_val)
    assert val_loss == pytest.approx(best["val_loss"], rel=1e-6) and val_acc == best["val_acc"] == r.final_val_acc


def test_dropout_masks_repeat_with_the_seed(mnist):
    data = mnist.subset(256, 64)
    a = train(mlp(dropout=0.5), data, TrainSettings(epochs=1), seed=3)
    b = train(mlp(dropout=0.5), data, TrainSettings(epochs=1), seed=3)
    c = train(mlp(dropout=0.5), data, TrainSettings(epochs=1), seed=4)
    assert a.steps["loss"].tolist() == b.steps["loss"].tolist() != c.steps["loss"].tolist()


def test_engine_limits_are_wider_than_the_lessons_widgets():
    TrainSettings(epochs=100, batch_size=1000, lr=0.01)  # the sum-of-three lesson's full-batch run
    with pytest.raises(ValueError, match="Epochs"):
        check_train_limits(TrainSettings(epochs=100))
    check_train_limits(TrainSettings(epochs=100), {**TRAIN_LIMITS, "epochs": (1, 200)})
    for name, (low, high) in TRAIN_LIMITS.items():
        assert ENGINE_LIMITS[name][0] <= low and high <= ENGINE_LIMITS[name][1]
    with pytest.raises(ValueError, match="monitors"):
        TrainSettings(monitor="train_loss")
    with pytest.raises(ValueError, match="Weight decay"):
        TrainSettings(weight_decay=math.nan)


def test_evaluation_runs_in_bounded_batches_with_the_same_result(mnist):
    """evaluate() never sends more than EVAL_BATCH examples through the network at once (memory: the
    CNN's feature maps of 2,000 images cost ~190 MB), and the chunking does not change the result."""
    from core.models import LessonCNN
    from core.training import EVAL_BATCH

    model = seeded(0, LessonCNN)
    seen = []
    model.conv1.register_forward_hook(lambda m, args, out: seen.append(len(args[0])))
    x, y = mnist.x_val[:EVAL_BATCH * 2 + 7], mnist.y_val[:EVAL_BATCH * 2 + 7]
    chunked = evaluate(model, x, y)
    assert seen == [EVAL_BATCH, EVAL_BATCH, 7]
    whole = evaluate(model, x, y, batch_size=len(x))
    assert chunked[1] == whole[1] and chunked[0] == pytest.approx(whole[0], rel=1e-5)
