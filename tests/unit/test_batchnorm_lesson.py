"""The batch-norm lesson against references: numpy statistics, PyTorch's own BN, an unprobed run."""
import numpy as np
import pytest
import torch

from core.lessons import batchnorm as lesson
from core.training import train


@pytest.fixture(scope="module")
def small(mnist):
    return mnist.subset(1024, 256)


@pytest.fixture(scope="module")
def trained(small):
    cfg = lesson.BNConfig(depth=2, width=32, epochs=1, lr=0.5)
    return cfg, lesson.train_pair(cfg, small, seed=0)


def test_worked_example_equals_numpy_and_torch(trained, small):
    cfg, result = trained
    model = lesson.trained_bn_model(result)
    x = small.x_val[:64]
    w = lesson.worked_example(model, x, layer=1, unit=3)
    lin = model.linears[0]
    s = x.flatten(1).double().numpy() @ lin.weight.detach().double().numpy().T + lin.bias.detach().double().numpy()
    unit = s[:, 2]
    assert w["mean"] == pytest.approx(np.mean(unit), rel=1e-5)
    assert w["var"] == pytest.approx(np.var(unit), rel=1e-5)  # biased, as BN normalises with
    # PyTorch's BatchNorm1d in train mode gives the same y for the first example
    bn = torch.nn.BatchNorm1d(32)
    bn.load_state_dict(model.norms[0].state_dict())
    bn.train()
    with torch.no_grad():
        y = bn(lin(x.flatten(1)))[0, 2].item()
    assert w["y"] == pytest.approx(y, rel=1e-4, abs=1e-5)


def test_eval_mode_uses_running_statistics(trained, small):
    _, result = trained
    model = lesson.trained_bn_model(result)
    x = small.x_val[:64]
    te = lesson.train_vs_eval(model, x, layer=1)
    bn, lin = model.norms[0], model.linears[0]
    with torch.no_grad():
        s = lin(x.flatten(1))
        by_running = (s - bn.running_mean) / torch.sqrt(bn.running_var + bn.eps) * bn.weight + bn.bias
        by_batch = (s - s.mean(0)) / torch.sqrt(s.var(0, unbiased=False) + bn.eps) * bn.weight + bn.bias
    np.testing.assert_allclose(te["eval"], by_running.flatten().numpy(), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(te["train"], by_batch.flatten().numpy(), rtol=1e-4, atol=1e-5)
    # and the train-mode pass happened on a copy: the model's running statistics did not move
    assert torch.equal(bn.running_mean, result.runs["With BN"].state_dict["norms.0.running_mean"])


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


def test_gamma_beta_start_at_one_and_zero(small):
    model = lesson.build(lesson.BNConfig(depth=2, width=8), True, 0)
    params = lesson.gamma_beta(model)
    assert (params.query("parameter == 'gamma'")["value"] == 1).all()
    assert (params.query("parameter == 'beta'")["value"] == 0).all()
    assert len(params) == 2 * 2 * 8


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
                         ({"depth": 11}, "Depth"), ({"width": 5000}, "Width")]:
        with pytest.raises(ValueError, match=message):
            lesson.BNConfig(**bad)
