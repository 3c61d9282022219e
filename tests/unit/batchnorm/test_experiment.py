"""The batch-norm lesson's experiment: shared histogram bins, identical starts, the defaults' result."""
import numpy as np
import torch

from core.lessons.batchnorm import experiment
from core.lessons.batchnorm.config import BNConfig


def test_histograms_share_bins_per_layer_and_sum_to_one(trained):
    cfg, result = trained
    h = result.histograms
    for (layer, step), group in h.groupby(["layer", "step"]):
        by_run = {run: g[["lo", "hi"]].to_numpy() for run, g in group.groupby("run")}
        assert set(by_run) == {"Without BN", "With BN"}
        np.testing.assert_array_equal(by_run["Without BN"], by_run["With BN"])
    np.testing.assert_allclose(h.groupby(["run", "layer", "step"])["share"].sum(), 1.0)
    assert result.snapshot_steps[0] == 1 and len(result.snapshot_steps) >= 10
    assert set(result.bands["layer"]) == {1, 2}


def test_bins_cover_both_networks_on_a_wide_layer():
    """Width 400: each network records over a million values per layer. The shared bins must come from
    both (the BN values, all near 10, were once all clipped into the last bin of the plain run's range)."""
    g = torch.Generator().manual_seed(0)
    samples = {"Without BN": [(s, 1, torch.randn(128, 400, generator=g)) for s in range(1, 21)],
               "With BN": [(s, 1, 10 + torch.randn(128, 400, generator=g)) for s in range(1, 21)]}
    h = experiment.histograms(samples)
    assert h["lo"].min() < -2 and h["hi"].max() > 12
    for run, group in h.groupby("run"):
        assert group.groupby("step")["share"].max().max() < 0.2, run  # spread over many bins, not piled up


def test_both_networks_start_from_identical_linear_weights():
    cfg = BNConfig(depth=3, width=16)
    plain, norm = experiment.build(cfg, False, 7), experiment.build(cfg, True, 7)
    for a, b in zip(plain.linears, norm.linears, strict=True):
        assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)
    assert not torch.equal(experiment.build(cfg, True, 8).linears[0].weight, norm.linears[0].weight)


def test_defaults_bn_trains_where_the_plain_network_does_not(mnist):
    """Defaults (sigmoid, 3 x 100, lr 1.0, momentum 0.9, 3 epochs), seed 0, bundled data. Measured:
    without BN 8.8% validation accuracy (stuck, inputs to the last sigmoid layer near -20), with BN 91.1%."""
    result = experiment.train_pair(BNConfig(), mnist, seed=0)
    acc = result.summary("network").set_index("network")["val. accuracy"]
    assert acc["With BN"] > 0.85 and acc["With BN"] > acc["Without BN"] + 0.3


