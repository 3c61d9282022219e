"""The sum-of-three and classifier runs against the issue's reference numbers (seeds 0-4, the app's own code)."""
import numpy as np
import pytest

from core.lessons.basics import experiment, story
from core.lessons.basics.config import SUM_PRESETS, BasicsConfig, ClassifierConfig, SumConfig, shrink

QUERY = (0.2, 0.3, 0.4)


@pytest.fixture(scope="module")
def minibatch():
    return experiment.train_sum(SumConfig(**SUM_PRESETS["mini-batches of 32"]), seed=0)


def test_batch_32_predicts_the_sum(minibatch):
    """Issue 15: batch 32 converges to 0.900 ± 0.01 (here 0.892 at seed 0)."""
    assert minibatch.predict(QUERY) == pytest.approx(0.9, abs=0.02)
    assert minibatch.val_mse < 1e-3 and len(minibatch.run.steps) == 3200
    assert story.sum_verdict(minibatch, QUERY).kind == story.CONVERGED
    assert minibatch.dead_after == [3]  # one of the four units never fires on positive triples


def test_full_batch_is_only_100_steps_and_has_not_converged():
    """Issue 15: full batch for 100 epochs is only 100 steps; (0.2, 0.3, 0.4) gives 1.25-1.43 over seeds
    (here 1.18-1.39 over seeds 0-4: far from 0.9 for every seed, still learning)."""
    config = SumConfig(**SUM_PRESETS["full batch"])
    predictions, kinds = [], []
    for seed in range(5):
        result = experiment.train_sum(config, seed)
        assert len(result.run.steps) == 100
        predictions.append(result.predict(QUERY))
        kinds.append(story.sum_verdict(result, QUERY).kind)
    assert 1.1 < min(predictions) and max(predictions) < 1.45
    assert kinds.count(story.LEARNING) >= 4  # one seed starts with 3 dead units and only predicts the mean


def test_inputs_up_to_10_kill_most_relus_in_3_of_5_seeds():
    """Issue 15: inputs in [0, 10) at lr 0.01 kill most ReLUs in 3 of 5 seeds and the network predicts the mean."""
    config = SumConfig(**SUM_PRESETS["inputs in [0, 10)"])
    dead_and_mean = 0
    for seed in range(5):
        result = experiment.train_sum(config, seed)
        spread = result.val["y_hat"].std()
        if len(result.dead_after) == 4:
            assert spread < 1e-3 and result.predict(QUERY) == pytest.approx(result.target_mean, abs=0.5)
            assert story.sum_verdict(result, QUERY).kind == story.CONSTANT
            dead_and_mean += 1
    assert dead_and_mean == 3


def test_a_large_learning_rate_diverges_and_says_so():
    result = experiment.train_sum(SumConfig(lr=5.0, epochs=3, batch_size=32, high=10.0), seed=0)
    assert result.run.diverged_at is not None and np.isnan(result.val["y_hat"]).all()
    verdict = story.sum_verdict(result, QUERY)
    assert verdict.kind == story.DIVERGED and str(result.run.diverged_at) in verdict.text


def test_the_quickstarts_learning_rate_is_too_small_for_625_steps(mnist):
    """Issue 15: lr 1e-3 reaches only about 20% on 8,000 images in 5 epochs (625 steps); 0.1 about 91%.
    Pixels in [0, 1], as the quickstart's ToTensor gives them (standardised pixels: 65% and 95%)."""
    slow = experiment.train_classifier(ClassifierConfig(lr=1e-3), mnist, seed=0)
    fast = experiment.train_classifier(ClassifierConfig(lr=0.1), mnist, seed=0)
    assert len(slow.run.steps) == len(fast.run.steps) == 625
    assert 0.12 < slow.run.final_val_acc < 0.35
    assert fast.run.final_val_acc > 0.89
    note = story.classifier_note(slow)
    assert "625" in note and "4,690" in note and "100× less" in note
    assert fast.confusion["count"].sum() == 2000
    diagonal = fast.confusion[fast.confusion["true"] == fast.confusion["predicted"]]["count"].sum()
    assert diagonal / 2000 == pytest.approx(fast.run.final_val_acc)
    wrong = fast.predictions[fast.predictions["pred"] != fast.predictions["label"]]
    assert set(fast.wrong_images) == set(wrong["index"]) and next(iter(fast.wrong_images.values())).shape == (28, 28)


def test_run_all_on_a_shrunk_config(mnist):
    experiment.run_all(shrink(BasicsConfig(gate="xor", step=50)), mnist.subset(300, 100), seed=1)


def test_the_budget_allows_every_classifier_the_widgets_can_ask_for():
    """784-512-512-10 on 8,000 images: even 20 epochs in batches of 8 (20,000 steps) is within core.budget."""
    import torch

    from core.budget import check_budget
    from core.lessons.basics.config import CLASSIFIER_LIMITS

    model = experiment.build_classifier(0)
    epochs, smallest = CLASSIFIER_LIMITS["epochs"][1], CLASSIFIER_LIMITS["batch_size"][0]
    config = ClassifierConfig(epochs=epochs, batch_size=smallest)
    check_budget(model, torch.zeros(1, 1, 28, 28), 8000 * epochs, config.steps(8000))
