"""Nielsen's network that overfits (Neural Networks and Deep Learning, ch. 3), reproduced on the bundled
data: [784, 30, 10] sigmoids, N(0, 1) weights, per-output cross-entropy, 1,000 images, batch 10, η 0.5."""
import math

import pytest
import torch

from core.lessons.regularization.config import PRESETS, OverfitConfig
from core.lessons.regularization.experiment import L2, PLAIN, build_nielsen, overfit, pixel_data

RECIPE = OverfitConfig(**{k.removeprefix("net_"): v for k, v in PRESETS["nielsen"].items()})
EPOCHS = 200  # the claims below are settled by epoch 200 (Nielsen trains 400: the button replays that)


@pytest.fixture(scope="module")
def recipe(mnist):
    """Measured (seed 0, CPU, 200 epochs, 22 s of CPU): plain: training accuracy 100%, validation cost
    lowest at epoch 13 (1.072) and 32% higher by epoch 200, validation accuracy 85.35% (between 84.95% and
    85.8% from epoch 40 on); L2 (λ = 0.1): 88.75%. At 400 epochs: 85.45% and 88.6% (seed 1: 85.8% and 89.4%)."""
    return overfit(RECIPE.replace(epochs=EPOCHS), mnist, seed=0)


def test_the_recipe_is_nielsens():
    assert (RECIPE.images, RECIPE.sizes, RECIPE.batch_size, RECIPE.lr, RECIPE.epochs, RECIPE.l2) == (
        1000, [784, 30, 10], 10, 0.5, 400, 0.1)
    model = build_nielsen(RECIPE, seed=0)
    w = torch.cat([p.detach().flatten() for p in model.parameters()])
    assert w.mean().abs() < 0.01 and w.std() == pytest.approx(1.0, abs=0.01)  # N(0, 1) weights and biases
    settings = RECIPE.train_settings(RECIPE.l2, 1000)
    assert settings.momentum == 0 and settings.weight_decay == pytest.approx(1e-4)  # λ/n: Nielsen's L2 term


def test_nielsens_inputs_are_pixel_intensities(mnist):
    d = pixel_data(mnist, 1000)
    assert len(d.y_train) == 1000 and len(d.y_val) == len(mnist.y_val)
    assert float(d.x_train.min()) == pytest.approx(0.0, abs=1e-6) and float(d.x_train.max()) == pytest.approx(
        1.0, abs=1e-6)


def test_training_accuracy_reaches_100_percent_and_the_validation_cost_turns_up(recipe):
    """The issue: training accuracy reaches 100%; validation cost lowest near epoch 16, then rising by at
    least 20%, while the validation accuracy plateaus near 85.5%."""
    plain = recipe.table.set_index("run").loc[PLAIN]
    assert plain["train_acc"] == 1.0
    assert plain["best_loss_epoch"] < 30
    assert plain["rise"] >= 0.20
    assert 0.84 <= plain["val_acc"] <= 0.87
    evals = recipe.runs[PLAIN].evals
    late = evals[evals["epoch"] >= 100]
    assert late["val_acc"].between(0.84, 0.87).all()  # a plateau, not a collapse
    # training cost keeps falling while the validation cost rises
    first, last = evals.iloc[len(evals) // 2], evals.iloc[-1]
    assert last["train_eval_loss"] < first["train_eval_loss"] and last["val_loss"] > first["val_loss"]


def test_l2_lifts_validation_accuracy_by_at_least_two_points(recipe):
    table = recipe.table.set_index("run")
    assert table.loc[L2, "val_acc"] >= table.loc[PLAIN, "val_acc"] + 0.02
    assert table.loc[L2, "val_acc"] >= 0.875  # the reference: about 89.4% (after 400 epochs)
    assert table.loc[L2, "rise"] < table.loc[PLAIN, "rise"]  # its validation cost barely turns up


def test_a_short_run_validates_several_times_an_epoch(small):
    cfg = OverfitConfig(images=200, epochs=3, batch_size=10, l2=0.0)
    result = overfit(cfg, small, seed=0)
    assert list(result.runs) == [PLAIN]  # λ = 0: only the plain network
    evals = result.runs[PLAIN].evals
    assert len(evals) == 3 * 5 and evals["train_acc"].notna().all()  # 5 a epoch (at most MAX_EVALS_PER_EPOCH)
    assert math.isclose(evals["epoch"].iloc[-1], 3.0)
