"""Shared by the transfer lesson's tests: the digits, the network pretrained on the bundled MNIST as the
page pretrains it (seed 0), and the page's default sweep on it."""
import pytest

from core.lessons.transfer import experiment
from core.lessons.transfer.config import TransferConfig
from core.lessons.transfer.digits import load_digits
from core.lessons.transfer.pretrain import pretrain


@pytest.fixture(scope="session")
def digits():
    return load_digits("cpu")


@pytest.fixture(scope="session")
def pretrained(mnist):
    return pretrain(mnist, seed=0)


@pytest.fixture(scope="session")
def default_sweep(digits, pretrained):
    """The page's first view: K = 1, 5, 10, 3 seeds, 20 epochs, seeds 0-2."""
    return experiment.sweep(TransferConfig(), digits, pretrained, seed=0)
