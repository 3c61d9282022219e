"""Train versus eval mode of the batch-norm lesson's trained network, against numpy and PyTorch's BN."""
import numpy as np
import pytest
import torch

from core.lessons.batchnorm import experiment, modes
from core.lessons.batchnorm.config import BNConfig


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
    te = modes.train_vs_eval(experiment.build(BNConfig(depth=1, width=100), True, 0), torch.randn(300, 784), 1)
    assert len(te) == 300 * 100
    shown = modes.first(te, 64, 32)
    assert len(shown) == 64 * 32 and shown["example"].max() == 64 and shown["unit"].max() == 32


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
