"""The MNIST comparison of costs: same start for every cost, the gradient probe against autograd, and
the issue's reference numbers at a fixed seed (orderings and margins)."""
import math

import numpy as np
import pytest
import torch

from core.lessons.losses import experiment
from core.lessons.losses.config import CompareConfig
from core.lessons.losses.softmax import softmax_then_ce_floor
from core.losses import LOSSES


def acc(result, name):
    return result.run_of(name).final_val_acc


def test_reference_cross_entropy_beats_the_quadratic_cost_and_nn_mseloss_stays_at_chance(reference):
    """Issue reference (784-100 sigmoid-10, SGD lr 0.1, batch 64, 5 epochs, 8,000 images, seed 0):
    cross-entropy about 88%, MSE on softmax summed over outputs about 59%, nn.MSELoss()'s mean about 11%.
    Measured here (bundled sample, pixels in [0, 1]): 87.8%, 63.5%, 13.6%."""
    ce, summed, mean = (acc(reference, n) for n in ("cross_entropy", "mse_softmax_sum", "mse_softmax_mean"))
    assert ce == pytest.approx(0.88, abs=0.03)
    assert ce >= summed + 0.15
    assert 0.45 < summed < 0.75
    assert mean < 0.2


def test_reference_the_bugs(reference):
    """Softmax before CrossEntropyLoss never goes below ln(e + 9) − 1 = 1.4612 and learns slower than
    cross-entropy; NLLLoss on probabilities gives a negative loss. Measured: lowest batch losses 2.126 and
    −0.307; 21.8% and 21.0% against 87.8% after 5 epochs."""
    floor = softmax_then_ce_floor()
    double, nll = reference.run_of("softmax_then_ce"), reference.run_of("nll_on_probabilities")
    assert double.steps["loss"].min() >= floor and double.epochs["val_loss"].min() >= floor
    assert (nll.steps["loss"] < 0).all() and nll.steps["loss"].min() < -0.2
    ce = reference.run_of("cross_entropy").epochs["val_acc"].to_numpy()
    for bug in (double, nll):
        assert (bug.epochs["val_acc"].to_numpy() < ce - 0.3).all()


def test_reference_nn_mseloss_gradient_is_a_tenth_of_the_summed_one(reference):
    """Same network, same first batch: the mean over the 10 outputs divides the gradient by exactly 10."""
    first = reference.gradients.groupby("run")["grad_norm"].first()
    assert first[LOSSES["mse_softmax_mean"].label] == pytest.approx(first[LOSSES["mse_softmax_sum"].label] / 10,
                                                                     rel=1e-5)


def test_saturated_output_layer(saturated):
    """Issue reference (output layer's initial weights ×30, seed 0): MSE on sigmoid outputs stays at chance
    (about 10%) while cross-entropy reaches about 92%.

    Cross-entropy reaches 92% here at seed 0 and 1. Whether MSE on sigmoid outputs stays at chance depends
    on the largest starting output: a unit saturated near 1 on every image wins every argmax, and its
    gradient (a − y)σ′(z) is tiny. The engine's MLP does not draw the same seed-0 weights as a plain
    nn.Sequential (its PyTorch default initialisation runs twice: in nn.Linear and in init_layer), and its
    seed-0 network ×30 has its largest output at z ≈ 6.3 only (σ′ ≈ 0.002): MSE escapes, to 74%. At seed 1
    the largest starts at z ≈ 20.7 (σ′ ≈ 10⁻⁹) and it stays at 10.5% for 5 epochs: the issue's case.
    (An nn.Sequential built after torch.manual_seed(0) gives 9.6% and 92.5%, the issue's numbers.)"""
    for seed, result in saturated.items():
        assert acc(result, "cross_entropy") == pytest.approx(0.92, abs=0.03)
        top = result.start["z_mean"].max()
        if top > 10:
            assert acc(result, "mse_sigmoid_sum") < 0.2
        assert acc(result, "mse_sigmoid_sum") < acc(result, "cross_entropy") - 0.1
    assert saturated[1].start["z_mean"].max() > 10 and acc(saturated[1], "mse_sigmoid_sum") < 0.2
    assert saturated[0].start["z_mean"].max() < 10 and acc(saturated[0], "mse_sigmoid_sum") > 0.5
    assert saturated[1].start["saturated"].mean() > 0.4


def test_every_cost_starts_from_the_same_network_and_batches(mnist):
    config = CompareConfig(losses=("cross_entropy", "mse_softmax_sum"), output_scale=3.0)
    a, b = experiment.build(config, 5), experiment.build(config, 5)
    for p, q in zip(a.parameters(), b.parameters(), strict=True):
        assert torch.equal(p, q)
    plain = experiment.build(config.replace(output_scale=1.0), 5)
    assert torch.equal(a.linears[-1].weight, 3.0 * plain.linears[-1].weight)
    assert torch.equal(a.linears[0].weight, plain.linears[0].weight)


def test_inputs_are_pixels_in_0_1_or_as_loaded(mnist):
    fed = experiment.prepare(mnist, "pixels")
    assert fed.x_train.min() >= -1e-6 and fed.x_train.max() <= 1 + 1e-6
    assert abs(fed.x_train.mean().item() - 0.13) < 0.02
    assert experiment.prepare(mnist, "standardised") is mnist


def test_probe_measures_the_output_gradient_autograd_gives(mnist):
    """The probe's first value: ‖∂C/∂z‖ of the output pre-activations on the first batch, by autograd."""
    data = mnist.subset(256, 64)
    config = CompareConfig(losses=("cross_entropy", "mse_sigmoid_sum"), epochs=1, batch_size=64)
    result = experiment.compare(config, data, seed=3)
    fed = experiment.prepare(data, "pixels")
    order = torch.randperm(256, generator=torch.Generator().manual_seed(3))[:64]  # the engine's first batch
    for name in config.losses:
        model = experiment.build(config, 3)
        z = model(fed.x_train[order])
        z.retain_grad()
        LOSSES[name](z, fed.y_train[order]).backward()
        probed = result.gradients[result.gradients["run"] == LOSSES[name].label]["grad_norm"].iloc[0]
        assert probed == pytest.approx(torch.linalg.vector_norm(z.grad).item(), rel=1e-5)


def test_starting_outputs_summarise_the_untrained_network(mnist):
    config = CompareConfig(output_scale=30.0)
    model = experiment.build(config, 1)
    x = experiment.prepare(mnist, "pixels").x_val[:300]
    start = experiment.starting_outputs(model, x)
    with torch.no_grad():
        z = model(x).double()
    np.testing.assert_allclose(start["z_mean"], z.mean(0).numpy(), rtol=1e-9)
    slope = torch.sigmoid(z) * torch.sigmoid(-z)
    np.testing.assert_allclose(start["saturated"], (slope < 0.01).double().mean(0).numpy())
    assert ((start["z_p5"] <= start["z_mean"]) & (start["z_mean"] <= start["z_p95"])).all()
    assert model.training  # measured in eval mode, then put back


def test_identity_on_the_trained_network(small, mnist):
    check = experiment.batch_check(small, mnist.subset(1024, 256), seed=0, n=8)
    assert check.gap < 1e-5 and check.nll_on_probabilities < 0
    assert len(check.table) == 8 and math.isfinite(check.cross_entropy)
    assert check.softmax_then_ce >= softmax_then_ce_floor()


def test_run_all_runs_every_part_of_the_page(mnist, monkeypatch):
    """run_all (for the app-wide property tests) on the cheapest view: every computation the page makes."""
    from core.lessons.losses import neuron, softmax, surfaces
    from core.lessons.losses.config import LossesView, shrink
    called = []
    for module, name in ((surfaces, "surface_frames"), (surfaces, "autograd_verdicts"), (neuron, "run"),
                         (softmax, "worked"), (experiment, "compare"), (experiment, "batch_check")):
        original = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _o=original, _n=name, **kw: called.append(_n) or _o(*a, **kw))
    assert experiment.run_all(shrink(LossesView()), mnist.subset(256, 64), seed=0) is None
    assert set(called) == {"surface_frames", "autograd_verdicts", "run", "worked", "compare", "batch_check"}
