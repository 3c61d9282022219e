"""Shared by the cost-function lesson's tests: the issue's reference run and the saturated start,
trained once per test session on the bundled MNIST sample."""
import pytest

from core.lessons.losses import experiment
from core.lessons.losses.config import REFERENCE, SATURATED, CompareConfig


@pytest.fixture(scope="session")
def reference(mnist):
    """784-100 sigmoid-10, SGD lr 0.1, batch 64, 5 epochs, 8,000 images, seed 0: all seven costs."""
    return experiment.compare(REFERENCE, mnist, seed=0)


@pytest.fixture(scope="session")
def saturated(mnist):
    """The output layer's initial weights ×30, cross-entropy and MSE on sigmoid outputs, 5 epochs, at
    seed 0 and seed 1 (see test_experiment for why both)."""
    config = SATURATED.replace(losses=("cross_entropy", "mse_sigmoid_sum"))
    return {seed: experiment.compare(config, mnist, seed=seed) for seed in (0, 1)}


@pytest.fixture(scope="session")
def small(mnist):
    """One epoch on 1,024 images of every cost: a quick result for the charts and sentences."""
    return experiment.compare(CompareConfig(epochs=1, batch_size=128), mnist.subset(1024, 256), seed=0)
