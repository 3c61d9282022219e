"""Shared by the regularization lesson's tests: small slices of the bundled MNIST sample."""
import pytest


@pytest.fixture(scope="module")
def small(mnist):
    return mnist.subset(400, 400)
