"""The batch-norm lesson's probes against references: numpy percentiles, autograd slopes, an unprobed run."""
import numpy as np
import pytest
import torch

from core.lessons.batchnorm import experiment, probes
from core.lessons.batchnorm.config import ACTIVATION_CHOICES, BNConfig
from core.training import TrainSettings, train


def test_probing_leaves_running_statistics_and_training_unchanged(trained, small):
    cfg, result = trained
    plain = train(experiment.build(cfg, True, 0), small, cfg.train_settings(), seed=0, keep_weights=True)
    probed = result.runs["With BN"]
    for name in ("running_mean", "running_var"):
        for l in range(cfg.depth):
            assert torch.equal(probed.state_dict[f"norms.{l}.{name}"], plain.state_dict[f"norms.{l}.{name}"])
    np.testing.assert_array_equal(probed.steps["loss"], plain.steps["loss"])  # no extra batches either


def test_running_statistics_converge_to_the_population(mnist):
    """Measured (seed 0, 4000 images, 2 epochs): the running mean is 1.8 population standard deviations
    off after the first step and 0.09 at the end; the running variance is off by a factor 90, then 4%."""
    data = mnist.subset(4000, 500)
    r = experiment.train_pair(BNConfig(depth=2, width=32, epochs=2, lr=0.5), data, seed=0).running
    mean_gap = ((r["running_mean"] - r["population_mean"]).abs() / np.sqrt(r["population_var"])).groupby(r["step"]).mean()
    var_gap = (r["running_var"] / r["population_var"] - 1).abs().groupby(r["step"]).mean()
    assert mean_gap.iloc[0] > 1 and mean_gap.iloc[-1] < 0.2
    assert var_gap.iloc[0] > 10 and var_gap.iloc[-1] < 0.2


def test_bands_and_flat_share_equal_numpy_on_the_recorded_values(small):
    probe = probes.ActInputProbe(every=3, activation="sigmoid")
    train(experiment.build(BNConfig(depth=2, width=16), False, 0), small,
          TrainSettings(epochs=1, batch_size=128, lr=0.5), seed=0, probes=[probe])
    bands = probe.frame(0)
    assert len(bands) == len(probe.samples) == 2 * 3  # steps 1, 4, 7 of 8, two layers
    for (step, layer, values), row in zip(probe.samples, bands.itertuples()):
        v = values.flatten().numpy()
        assert (row.step, row.layer) == (step, layer)
        np.testing.assert_allclose([row.p15, row.p50, row.p85], np.percentile(v, [15, 50, 85]), rtol=1e-5, atol=1e-6)
        slope = 1 / (1 + np.exp(-v)) * (1 - 1 / (1 + np.exp(-v)))
        assert row.flat == pytest.approx(np.mean(slope < 0.1 * 0.25))


def test_flat_share_thresholds():
    x = torch.tensor([-5.0, -3.0, 0.0, 1.0, 2.0, 4.0])
    assert probes.flat_share(x, "sigmoid") == pytest.approx(2 / 6)  # |x| > 3.64
    assert probes.flat_share(x, "tanh") == pytest.approx(4 / 6)  # |x| > 1.82
    assert probes.flat_share(x, "relu") == pytest.approx(3 / 6)  # x <= 0
    assert probes.flat_share(torch.tensor([float("nan"), -5.0, 0.0]), "sigmoid") == pytest.approx(1 / 2)


@pytest.mark.parametrize("name", ACTIVATION_CHOICES)
def test_relative_slope_is_the_autograd_slope_of_the_models_activation(name):
    from core.activations import ACTIVATIONS
    x = torch.linspace(-8, 8, 1601, dtype=torch.float64, requires_grad=True)
    slope, = torch.autograd.grad(ACTIVATIONS[name].make()(x).sum(), x)
    np.testing.assert_allclose(probes.RELATIVE_SLOPE[name](x.detach()), slope / ACTIVATIONS[name].max_slope, atol=1e-9)
