"""Shared by the batch-norm lesson's tests: a small data set and a pair of networks trained on it."""
import pytest

from core.lessons.batchnorm import experiment
from core.lessons.batchnorm.config import BNConfig


@pytest.fixture(scope="module")
def small(mnist):
    return mnist.subset(1024, 256)


@pytest.fixture(scope="module")
def trained(small):
    cfg = BNConfig(depth=2, width=32, epochs=1, lr=0.5)
    return cfg, experiment.train_pair(cfg, small, seed=0)


@pytest.fixture(scope="module")
def diverged(small):
    """Both networks blow up (ReLU at learning rate 100, 3 hidden layers), before their first validation:
    measured, the plain one at step 5, the BN one at step 15."""
    cfg = BNConfig(activation="relu", depth=3, width=32, epochs=1, lr=100.0)
    return cfg, experiment.train_pair(cfg, small, seed=0)
