"""core.losses against the formulas written out by hand, and the two bugs' closed-form floors."""
import math

import pytest
import torch
import torch.nn.functional as F

from core.losses import LOSSES, get_loss

torch.manual_seed(0)
Z = torch.randn(16, 10, dtype=torch.float64) * 3
Y = torch.randint(0, 10, (16,))
ONE_HOT = F.one_hot(Y, 10).double()


def test_quadratic_cost_sums_over_outputs_and_nn_mseloss_divides_by_ten():
    p = torch.softmax(Z, 1)
    summed = ((p - ONE_HOT) ** 2).sum(1).mean()
    assert LOSSES["mse_softmax_sum"](Z, Y).item() == pytest.approx(summed.item(), rel=1e-12)
    assert LOSSES["mse_softmax_mean"](Z, Y).item() == pytest.approx(summed.item() / 10, rel=1e-12)
    assert LOSSES["mse_softmax_mean"](Z, Y).item() == pytest.approx(torch.nn.MSELoss()(p, ONE_HOT).item())


def test_per_output_cross_entropy_is_nielsens_cost():
    a = torch.sigmoid(Z)
    by_hand = -(ONE_HOT * torch.log(a) + (1 - ONE_HOT) * torch.log(1 - a)).sum(1).mean()
    assert LOSSES["bce_sigmoid"](Z, Y).item() == pytest.approx(by_hand.item(), rel=1e-9)


def test_cross_entropy_is_log_softmax_then_nll():
    assert LOSSES["cross_entropy"](Z, Y).item() == pytest.approx(
        F.nll_loss(F.log_softmax(Z, 1), Y).item(), rel=1e-12)


def test_softmax_before_cross_entropy_cannot_fall_below_its_floor():
    """softmax of probabilities in [0, 1]: the best case is p = one-hot, giving ln(e + 9) - 1 = 1.4612."""
    floor = math.log(math.e + 9) - 1
    assert floor == pytest.approx(1.4612, abs=1e-4)
    perfect = 1e6 * ONE_HOT  # as confident and right as a network can be
    assert LOSSES["softmax_then_ce"](perfect, Y).item() == pytest.approx(floor, abs=1e-9)
    assert LOSSES["softmax_then_ce"](Z, Y).item() > floor


def test_nll_on_probabilities_is_negative():
    assert -1 <= LOSSES["nll_on_probabilities"](Z, Y).item() < 0


def test_binary_and_regression_losses_and_their_accuracy():
    out = torch.tensor([[2.0], [-1.0], [0.5], [-3.0]])
    y = torch.tensor([[1.0], [0.0], [0.0], [0.0]])
    bce = get_loss("bce")
    assert bce.correct(out, y).item() == 3
    assert bce(out, y).item() == pytest.approx(torch.nn.BCEWithLogitsLoss()(out, y).item())
    mse = get_loss("mse")
    assert mse(out, y).item() == pytest.approx(((out - y) ** 2).mean().item())
    assert math.isnan(mse.correct(out, y).item())
    assert get_loss("cross_entropy").correct(Z, Z.argmax(1)).item() == 16


def test_unknown_loss_names_the_choices():
    with pytest.raises(ValueError, match="cross_entropy"):
        get_loss("hinge")


def test_nielsens_quadratic_cost_has_the_half_and_the_sigma_prime_factor():
    """C = (σ(z) − y)²/2 (Nielsen, ch. 3): ∂C/∂z = (a − y) σ′(z), the factor that slows a saturated neuron."""
    z = torch.tensor([[4.0], [-1.0], [0.3]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[0.0], [1.0], [0.0]], dtype=torch.float64)
    loss = get_loss("quadratic_binary")
    a = torch.sigmoid(z.detach())
    assert loss(z, y).item() == pytest.approx((0.5 * (a - y) ** 2).mean().item(), rel=1e-12)
    (grad,) = torch.autograd.grad(loss(z, y), z)
    torch.testing.assert_close(grad, (a - y) * a * (1 - a) / 3)
    assert loss.kind == "binary" and loss.correct(z, y).item() == 0  # outputs 4 > 0 -> 1, -1 -> 0, 0.3 -> 1
