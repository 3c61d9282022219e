"""The batch-norm lesson's experiment: shared histogram bins, identical starts, the defaults' result."""
import numpy as np
import pytest
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


def test_defaults_reproduce_ioffe_and_szegedy_figure_1(mnist):
    """Defaults (sigmoid, 3 x 100, lr 0.1, momentum 0.9, batches of 64, 3 epochs), seed 0, bundled data.
    Measured: without BN 85.9% validation accuracy, with BN 90.5%; the median input to hidden layer 3's
    sigmoid ranges over 1.88 without BN and 0.115 with BN (Ioffe & Szegedy 2015, Figure 1 b, c)."""
    from core.lessons.batchnorm import story

    result = experiment.train_pair(BNConfig(), mnist, seed=0)
    acc = result.summary("network").set_index("network")["val. accuracy"]
    assert acc["With BN"] > 0.88 and acc["Without BN"] > 0.8 and acc["With BN"] > acc["Without BN"] + 0.02
    plain, norm = story.drift(result, "Without BN", 3), story.drift(result, "With BN", 3)
    assert plain["range"] > 1.0 and norm["range"] < 0.3 and norm["relative"] < 0.1 * plain["relative"]
    box = story.ioffe_reproduction(result)
    assert box.reproduces is True and "85.9% without BN, 90.5% with BN" in box.measured


def test_at_learning_rate_1_bn_trains_where_the_plain_network_does_not(mnist):
    """The old default, lr 1.0 (the "A learning rate of 1" preset), seed 0: without BN 8.8% validation
    accuracy (inputs to the last sigmoid layer near -20: did not train), with BN 91.1%. The paper's
    comparison of two learning networks is then not what is on screen, and the box says so."""
    from core.lessons.batchnorm import story
    from core.lessons.batchnorm.config import PRESETS

    result = experiment.train_pair(PRESETS["large_lr"].config, mnist, seed=0)
    acc = result.summary("network").set_index("network")["val. accuracy"]
    assert acc["With BN"] > 0.85 and acc["With BN"] > acc["Without BN"] + 0.3
    assert result.summary("network").set_index("network").loc["Without BN", "status"] == "did not train"
    assert story.final_bands(result, 3).loc["Without BN", "p50"] < -10
    lines = story.takeaways(result, 3, 0.2, "Sigmoid", 64)
    assert "did not train" in lines[0] and "learning rate's" in lines[1] and "Santurkar" in lines[1]
    box = story.ioffe_reproduction(result)
    assert box.reproduces is False and "the plain network did not train" in box.note
    assert "steady, but dead" in box.note


def test_a_layer_whose_values_are_all_nan_keeps_its_place_and_says_so():
    """Issue 14, finding 6: a layer whose recorded values are all NaN or infinite used to vanish from the
    histograms, and the share of non-finite values was never recorded."""
    g = torch.Generator().manual_seed(0)
    finite = torch.randn(64, 8, generator=g)
    half = finite.clone()
    half[:32] = float("nan")
    samples = {"Without BN": [(1, 1, finite), (1, 2, torch.full((64, 8), float("inf"))), (2, 1, half),
                              (2, 2, torch.full((64, 8), float("nan")))],
               "With BN": [(1, 1, finite), (1, 2, torch.full((64, 8), float("nan"))), (2, 1, finite),
                           (2, 2, torch.full((64, 8), float("nan")))]}
    h = experiment.histograms(samples)
    assert set(h["layer"]) == {1, 2}
    layer2 = h[h["layer"] == 2]
    assert (layer2["nonfinite"] == 1).all() and layer2["lo"].isna().all() and (layer2["share"] == 0).all()
    by = h[h["layer"] == 1].groupby(["run", "step"])["nonfinite"].first()
    assert by[("Without BN", 2)] == 0.5 and by[("With BN", 2)] == 0 and by[("Without BN", 1)] == 0
    np.testing.assert_allclose(h[h["layer"] == 1].groupby(["run", "step"])["share"].sum(), 1.0)


def test_a_diverged_pair_records_where_its_values_stopped_being_finite(diverged):
    cfg, result = diverged
    assert all(run.diverged_at and not len(run.epochs) for run in result.runs.values())
    assert {"nonfinite"} <= set(result.bands.columns) and {"nonfinite"} <= set(result.histograms.columns)
    assert set(result.histograms["layer"]) == {1, 2, 3}  # no layer vanished
    finite = result.bands.dropna(subset=["p50"])
    assert np.isfinite(finite[["p15", "p50", "p85"]].to_numpy()).all()


@pytest.mark.parametrize("batch_size", [2, 4, 19, 256, 4096])
def test_every_batch_size_the_widget_allows_runs_every_part_of_the_page(small, batch_size):
    """Issue 14, finding 1: on 257 training images, batches of 2, 4 and 256 leave a lone last example,
    19 a short one, 4096 is larger than the data set; everything the page computes (run_all: the pair,
    train vs eval and the worked example on a validation batch of `batch_size`, charts, sentences) runs."""
    from core.lessons.batchnorm.config import shrink

    experiment.run_all(shrink(BNConfig(batch_size=batch_size)), small.subset(257, 64), seed=0)
