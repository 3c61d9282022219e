"""Shared by the residual lesson's tests: a small data set and a small comparison trained on it."""
import pytest

from core.lessons.residual import experiment
from core.lessons.residual.config import ResidualConfig


@pytest.fixture(scope="module")
def small(mnist):
    return mnist.subset(1024, 256)


@pytest.fixture(scope="module")
def trained(small):
    cfg = ResidualConfig(activation="sigmoid", depth=4, width=16, epochs=1, lr=0.1, seeds=2)
    return cfg, experiment.train_pair(cfg, small, seed=3)
