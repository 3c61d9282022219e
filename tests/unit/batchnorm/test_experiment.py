"""The batch-norm lesson against references: numpy statistics, PyTorch's own BN, an unprobed run."""
import numpy as np
import pytest
import torch

from core.lessons.batchnorm import experiment as lesson
from core.lessons.batchnorm import modes
from core.training import TrainSettings, train


@pytest.fixture(scope="module")
def small(mnist):
    return mnist.subset(1024, 256)


@pytest.fixture(scope="module")
def trained(small):
    cfg = lesson.BNConfig(depth=2, width=32, epochs=1, lr=0.5)
    return cfg, lesson.train_pair(cfg, small, seed=0)


def test_worked_example_equals_numpy_and_the_train_mode_pass(trained, small):
    """Layer 2, so the layer below must be normalised with the batch's own statistics, as in training."""
    cfg, result = trained
    model = modes.trained_bn_model(result)
    x = small.x_val[:64]
    w = modes.worked_example(model, x, layer=2, unit=3)
    sd = {k: v.double().numpy() for k, v in result.runs["With BN"].state_dict.items()}
    s1 = x.flatten(1).double().numpy() @ sd["linears.0.weight"].T + sd["linears.0.bias"]
    z1 = (s1 - s1.mean(0)) / np.sqrt(s1.var(0) + 1e-5) * sd["norms.0.weight"] + sd["norms.0.bias"]
    s2 = (1 / (1 + np.exp(-z1))) @ sd["linears.1.weight"].T + sd["linears.1.bias"]
    unit = s2[:, 2]
    np.testing.assert_allclose(w["table"]["s"], unit, rtol=1e-4, atol=1e-5)
    assert w["mean"] == pytest.approx(np.mean(unit), rel=1e-4, abs=1e-6)
    assert w["var"] == pytest.approx(np.var(unit), rel=1e-4)  # biased, as BN normalises with
    y = (unit[0] - unit.mean()) / np.sqrt(unit.var() + 1e-5) * sd["norms.1.weight"][2] + sd["norms.1.bias"][2]
    assert w["y"] == pytest.approx(y, rel=1e-4, abs=1e-5)
    # the same number as the page's train-mode scatter for example 1, unit 3 (PyTorch's BatchNorm1d)
    te = modes.train_vs_eval(model, x, layer=2)
    assert w["y"] == pytest.approx(te.query("example == 1 and unit == 3")["train"].item(), rel=1e-4, abs=1e-5)
    np.testing.assert_allclose(w["table"]["y"], te.query("unit == 3")["train"], rtol=1e-4, atol=1e-4)


def test_eval_mode_uses_running_statistics(trained, small):
    _, result = trained
    model = modes.trained_bn_model(result)
    x = small.x_val[:64]
    te = modes.train_vs_eval(model, x, layer=1)
    bn, lin = model.norms[0], model.linears[0]
    with torch.no_grad():
        s = lin(x.flatten(1))
        by_running = (s - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight + bn.bias
        by_batch = (s - s.mean(0)) / torch.sqrt(s.var(0, unbiased=False) + bn.eps) * bn.weight + bn.bias
    np.testing.assert_allclose(te["eval"], by_running.flatten().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(te["train"], by_batch.flatten().numpy(), rtol=1e-4, atol=1e-5)
    # and the train-mode passes happened on copies: the model's running statistics did not move
    modes.worked_example(model, x, layer=2)
    for l in range(2):
        assert torch.equal(model.norms[l].running_mean, result.runs["With BN"].state_dict[f"norms.{l}.running_mean"])


def test_scatter_sample_is_capped():
    te = modes.train_vs_eval(lesson.build(lesson.BNConfig(depth=1, width=100), True, 0), torch.randn(300, 784), 1)
    assert len(te) == 300 * 100
    shown = modes.first(te, 64, 32)
    assert len(shown) == 64 * 32 and shown["example"].max() == 64 and shown["unit"].max() == 32


def test_probing_leaves_running_statistics_and_training_unchanged(trained, small):
    cfg, result = trained
    plain = train(lesson.build(cfg, True, 0), small, cfg.train_settings(), seed=0, keep_weights=True)
    probed = result.runs["With BN"]
    for name in ("running_mean", "running_var"):
        for l in range(cfg.depth):
            assert torch.equal(probed.state_dict[f"norms.{l}.{name}"], plain.state_dict[f"norms.{l}.{name}"])
    np.testing.assert_array_equal(probed.steps["loss"], plain.steps["loss"])  # no extra batches either


def test_running_statistics_converge_to_the_population(mnist):
    """Measured (seed 0, 4000 images, 2 epochs): the running mean is 1.8 population standard deviations
    off after the first step and 0.09 at the end; the running variance is off by a factor 90, then 4%."""
    data = mnist.subset(4000, 500)
    r = lesson.train_pair(lesson.BNConfig(depth=2, width=32, epochs=2, lr=0.5), data, seed=0).running
    mean_gap = ((r["running_mean"] - r["population_mean"]).abs() / np.sqrt(r["population_var"])).groupby(r["step"]).mean()
    var_gap = (r["running_var"] / r["population_var"] - 1).abs().groupby(r["step"]).mean()
    assert mean_gap.iloc[0] > 1 and mean_gap.iloc[-1] < 0.2
    assert var_gap.iloc[0] > 10 and var_gap.iloc[-1] < 0.2


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
    h = lesson.histograms(samples)
    assert h["lo"].min() < -2 and h["hi"].max() > 12
    for run, group in h.groupby("run"):
        assert group.groupby("step")["share"].max().max() < 0.2, run  # spread over many bins, not piled up


def test_trained_gamma_beta_are_the_models_and_moved(trained):
    cfg, result = trained
    state = result.runs["With BN"].state_dict
    params = modes.gamma_beta(modes.trained_bn_model(result))
    assert len(params) == 2 * cfg.depth * cfg.width
    for l in range(1, cfg.depth + 1):
        for name, key in (("gamma", "weight"), ("beta", "bias")):
            shown = params.query("layer == @l and parameter == @name").sort_values("unit")["value"].to_numpy()
            np.testing.assert_array_equal(shown, state[f"norms.{l - 1}.{key}"].numpy())
    moved = params.assign(start=(params["parameter"] == "gamma").astype(float))
    assert ((moved["value"] - moved["start"]).abs() > 1e-4).mean() > 0.9  # training changed nearly all of them


def test_both_networks_start_from_identical_linear_weights():
    cfg = lesson.BNConfig(depth=3, width=16)
    plain, norm = lesson.build(cfg, False, 7), lesson.build(cfg, True, 7)
    for a, b in zip(plain.linears, norm.linears, strict=True):
        assert torch.equal(a.weight, b.weight) and torch.equal(a.bias, b.bias)
    assert not torch.equal(lesson.build(cfg, True, 8).linears[0].weight, norm.linears[0].weight)


def test_bands_and_flat_share_equal_numpy_on_the_recorded_values(small):
    probe = lesson.ActInputProbe(every=3, activation="sigmoid")
    train(lesson.build(lesson.BNConfig(depth=2, width=16), False, 0), small,
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
    assert lesson.flat_share(x, "sigmoid") == pytest.approx(2 / 6)  # |x| > 3.64
    assert lesson.flat_share(x, "tanh") == pytest.approx(4 / 6)  # |x| > 1.82
    assert lesson.flat_share(x, "relu") == pytest.approx(3 / 6)  # x <= 0
    assert lesson.flat_share(torch.tensor([float("nan"), -5.0, 0.0]), "sigmoid") == pytest.approx(1 / 2)


@pytest.mark.parametrize("name", lesson.ACTIVATION_CHOICES)
def test_relative_slope_is_the_autograd_slope_of_the_models_activation(name):
    from core.activations import ACTIVATIONS
    x = torch.linspace(-8, 8, 1601, dtype=torch.float64, requires_grad=True)
    slope, = torch.autograd.grad(ACTIVATIONS[name].make()(x).sum(), x)
    np.testing.assert_allclose(lesson.RELATIVE_SLOPE[name](x.detach()), slope / ACTIVATIONS[name].max_slope, atol=1e-9)


def test_defaults_bn_trains_where_the_plain_network_does_not(mnist):
    """Defaults (sigmoid, 3 x 100, lr 1.0, momentum 0.9, 3 epochs), seed 0, bundled data. Measured:
    without BN 8.8% validation accuracy (stuck, inputs to the last sigmoid layer near -20), with BN 91.1%."""
    result = lesson.train_pair(lesson.BNConfig(), mnist, seed=0)
    acc = result.summary("network").set_index("network")["val. accuracy"]
    assert acc["With BN"] > 0.85 and acc["With BN"] > acc["Without BN"] + 0.3


def test_config_rejects_nonsense_and_round_trips():
    cfg = lesson.BNConfig(activation="tanh", depth=5, width=64, lr=0.1, batch_size=128)
    assert lesson.BNConfig.from_query(cfg.to_query()) == (cfg, [])
    for bad, message in [({"activation": "gelu"}, "Activation"), ({"batch_size": 1}, "Batch size"),
                         ({"depth": 11}, "Depth"), ({"width": 5000}, "Width"), ({"epochs": 31}, "Epochs"),
                         ({"lr": 1e-5}, "Learning rate"), ({"momentum": 1.0}, "Momentum")]:
        with pytest.raises(ValueError, match=message):
            lesson.BNConfig(**bad)


def test_view_round_trips_and_is_not_the_training_key():
    cfg = lesson.BNConfig(depth=4, width=16)
    view = lesson.BNView.of(cfg, step=37, layer=2)
    assert lesson.BNView.from_query(view.to_query()) == (view, [])
    assert view.training == cfg == lesson.BNView.of(cfg, step=1, layer=4).training
    with pytest.raises(ValueError, match="Layer"):
        lesson.BNView.of(cfg, layer=11)


def test_pick_step():
    steps = [1, 10, 20, 30]
    assert lesson.pick_step(steps, 0) == 30  # 0: the last
    assert lesson.pick_step(steps, 14) == 10 and lesson.pick_step(steps, 16) == 20
    assert lesson.pick_step(steps, 10**6) == 30
