"""More data: validation accuracy against the number of training images, plain and regularized."""
import math

import pytest

from core.lessons.regularization.config import CompareConfig, DataConfig
from core.lessons.regularization.experiment import epochs_for, more_data


@pytest.mark.parametrize("steps, images, batch, epochs", [(600, 100, 32, 150), (600, 8000, 32, 3), (50, 200, 64, 13),
                                                           (600, 1000, 32, 19), (1, 10, 32, 1)])
def test_every_network_gets_at_least_the_steps_in_whole_epochs(steps, images, batch, epochs):
    assert epochs_for(steps, images, batch) == epochs
    per_epoch = math.ceil(images / min(batch, images))
    assert epochs * per_epoch >= steps and (epochs - 1) * per_epoch < steps


def test_more_images_more_validation_accuracy_and_a_smaller_gap(mnist):
    """Seed 0, 784-32-32-10, 300 steps: the plain network's validation accuracy grows from 100 to 4,000
    images and its gap to the training images shrinks."""
    net = CompareConfig(width=32, batch_size=32)
    result = more_data(DataConfig(sizes=(100, 4000), regularizer="noise", steps=300), net, mnist, seed=0)
    t = result.table
    assert list(t["images"]) == [100, 100, 4000, 4000] and set(t["run"]) == {"No regularization", "Input noise"}
    assert (t["steps"] >= 300).all() and (t["status"] == "finished").all()
    plain = t[t["run"] == "No regularization"].set_index("images")
    assert plain.loc[4000, "val_acc"] > plain.loc[100, "val_acc"] + 0.05
    gap = plain["train_acc"] - plain["val_acc"]
    assert gap[4000] < gap[100]


def test_sizes_beyond_the_data_are_cut_to_all_of_it(small):
    result = more_data(DataConfig(sizes=(100, 8000), regularizer="weight_decay", steps=50),
                       CompareConfig(width=16), small, seed=0)
    assert sorted(set(result.table["images"])) == [100, len(small.y_train)]
