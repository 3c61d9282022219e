"""Softmax worked through against numpy and autograd, and PyTorch's loss identities and bugs."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F
from hypothesis import given, settings
from hypothesis import strategies as st

from core.lessons.losses import softmax
from core.lessons.losses.config import LOGIT, TEMPERATURE, SoftmaxConfig
from core.losses import LOSSES

logits = st.lists(st.floats(*LOGIT), min_size=10, max_size=10).map(tuple)


@settings(max_examples=40, deadline=None)
@given(z=logits, t=st.floats(*TEMPERATURE), y=st.integers(0, 9))
def test_worked_softmax_equals_numpy(z, t, y):
    result = softmax.worked(SoftmaxConfig(logits=z, temperature=t, target=y))
    s = np.array(z) / t
    p = np.exp(s - s.max()) / np.exp(s - s.max()).sum()
    table = result.table
    np.testing.assert_allclose(table["p"], p, rtol=1e-9, atol=1e-300)
    assert result.total == pytest.approx(1.0, abs=1e-12)
    assert result.loss == pytest.approx(-math.log(p[y]) if p[y] > 0 else math.inf, rel=1e-9)
    assert result.by_hand == pytest.approx(result.loss, rel=1e-9, abs=1e-12)
    grad = p.copy()
    grad[y] -= 1
    np.testing.assert_allclose(table["grad"], grad / t, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(table["log_p"], s - s.max() - np.log(np.exp(s - s.max()).sum()), atol=1e-9)


def test_temperature_flattens_and_sharpens():
    z = (0.0, 1.0, 2.0, 3.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0)
    p = {t: softmax.worked(SoftmaxConfig(logits=z, temperature=t, target=3)).table["p"].max() for t in (0.1, 1, 10)}
    assert p[0.1] > 0.99 and p[1] > p[10] and p[10] < 0.2


def test_floor_of_softmax_before_cross_entropy():
    floor = softmax.softmax_then_ce_floor()
    assert floor == pytest.approx(1.4612, abs=5e-5)
    y = torch.arange(10)
    perfect = 1e4 * F.one_hot(y, 10).double()
    assert LOSSES["softmax_then_ce"](perfect, y).item() == pytest.approx(floor, abs=1e-9)


@settings(max_examples=30, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.1, 20))
def test_identity_holds_and_the_bugs_have_their_signs(seed, scale):
    g = torch.Generator().manual_seed(seed)
    z, y = torch.randn(8, 10, generator=g) * scale, torch.randint(0, 10, (8,), generator=g)
    check = softmax.identity_check(z, y)
    assert check.gap < 1e-5
    assert check.cross_entropy == pytest.approx(F.cross_entropy(z, y).item(), rel=1e-6)
    assert -1 <= check.nll_on_probabilities < 0
    assert check.nll_on_probabilities == pytest.approx(-check.mean_p_target, rel=1e-5)
    assert check.softmax_then_ce >= softmax.softmax_then_ce_floor() - 1e-6
    np.testing.assert_allclose(check.table["log_p_target"], np.log(check.table["p_target"]), rtol=1e-4, atol=1e-5)
