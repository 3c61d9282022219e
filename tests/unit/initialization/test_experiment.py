"""The initialization lesson's experiments against references: direct autograd, the schemes' formulas,
the papers."""
import pandas as pd
import numpy as np
import pytest
import torch

from core.initializers import INIT_SCHEMES
from core.lessons.initialization import experiment, story
from core.lessons.initialization.config import PRESETS, InitConfig
from tests.reference import direct_mlp_gradients


@pytest.mark.parametrize("scheme", ["default", "uniform", "xavier_uniform", "he_normal"])
def test_per_layer_gradients_equal_direct_autograd(mnist, scheme):
    cfg = InitConfig(schemes=(scheme,), activation="tanh", depth=5, width=32)
    snap = experiment.at_init(cfg, mnist, seed=4)
    backprop, weight = direct_mlp_gradients(experiment.build(cfg, scheme, 4), mnist.x_train[:experiment.PROBE_BATCH],
                                    mnist.y_train[:experiment.PROBE_BATCH])
    g = snap.gradients
    np.testing.assert_allclose(g[g["kind"] == "backprop"].sort_values("layer")["grad_norm"], backprop, rtol=1e-5)
    np.testing.assert_allclose(g[g["kind"] == "weight"].sort_values("layer")["grad_norm"], weight, rtol=1e-5)


@pytest.mark.parametrize("scheme", [s for s in INIT_SCHEMES])
def test_stated_numbers_match_the_built_weights(scheme):
    cfg = InitConfig(schemes=(scheme,), depth=3, width=256)
    row = experiment.scheme_numbers(cfg).iloc[0]
    w = experiment.build(cfg, scheme, 0).linears[1].weight.detach()  # a hidden 256 x 256 layer
    if row["kind"] == "bound":
        assert w.abs().max().item() <= row["hidden layers"] + 1e-7
    if row["kind"] == "value":
        assert (w == row["hidden layers"]).all()
    assert w.std().item() == pytest.approx(row["std (hidden)"], rel=0.05, abs=1e-9)


def test_glorot_preset_standard_init_shrinks_the_gradient_xavier_keeps_it(mnist):
    """Glorot & Bengio 2010, deep tanh. Measured (seed 0, bundled data): ||dL/ds_1|| / ||dL/ds_10||
    is 4.7e-3 with the standard U[-1/sqrt(n), 1/sqrt(n)] and 0.23 with Xavier uniform (~50x)."""
    cfg = PRESETS["glorot"].config
    ratio = experiment.gradient_ratio(experiment.at_init(cfg, mnist, seed=0).gradients, cfg.depth)
    standard, xavier = ratio["PyTorch default"], ratio["Xavier uniform"]
    assert standard < 0.02 and 0.1 < xavier < 2
    assert xavier / standard > 20


def test_he_preset_xavier_collapses_he_keeps_scale_and_trains(mnist):
    """He et al. 2015, 30-layer ReLU. Measured (seed 0): the first/last hidden-layer gradient ratio is
    2.9e-5 with Xavier normal and 0.70 with He normal; after 3 epochs Xavier is still at chance
    (10.5%) while He reaches ~74% validation accuracy."""
    preset = PRESETS["he"]
    cfg = preset.config
    snap = experiment.at_init(cfg, mnist, seed=0)
    ratio = experiment.gradient_ratio(snap.gradients, cfg.depth)
    assert ratio["Xavier normal"] < 1e-3
    assert 0.3 < ratio["He normal"] < 3
    std = snap.activations.pivot_table(index="label", columns="layer", values="std")
    assert std.loc["Xavier normal", cfg.depth] < 1e-3 * std.loc["Xavier normal", 1]  # halves every layer
    assert 0.2 < std.loc["He normal", cfg.depth] / std.loc["He normal", 1] < 5  # keeps its scale
    result = experiment.train_schemes(cfg, mnist, seed=0)
    summary = result.summary("init").set_index("init")
    assert summary.loc["Xavier normal", "val. accuracy"] < 0.2 and summary.loc["He normal", "val. accuracy"] > 0.6
    assert summary.loc["Xavier normal", "status"] == "did not train" and summary.loc["He normal", "status"] == "finished"
    # the page's "reproduced here" box reads this very run (issue 21)
    box = story.he_reproduction(snap.gradients, cfg.depth, result, preset.label)
    assert box.reproduces is True and "Xavier did not train" in box.measured and "He learned" in box.measured


def test_slopes_and_saturation_stats_match_autograd(mnist):
    cfg = InitConfig(schemes=("uniform",), activation="tanh", depth=3, width=32)
    model = experiment.build(cfg, "uniform", 0)
    x = mnist.x_train[:64]
    s1 = model.linears[0](x.flatten(1)).detach().requires_grad_()
    (slope,) = torch.autograd.grad(torch.tanh(s1).sum(), s1)
    layers = experiment.hidden_layers(model, x)
    torch.testing.assert_close(layers[0][0], s1.detach())
    torch.testing.assert_close(layers[0][2], slope)
    assert (slope == 0).any()  # U[-1, 1] saturates some units of layer 1 completely
    stats = experiment.activation_stats("tanh", layers)
    assert stats.loc[0, "zero slope"] == pytest.approx((slope == 0).double().mean().item())
    assert stats.loc[0, "median |s|"] == pytest.approx(s1.abs().median().item())


def test_training_gradient_norms_equal_direct_autograd(mnist):
    """The heatmap's ||dL/ds_l|| at training steps 1 and 2 equal a hand-written retain_grad pass on the same
    weights (full batch, so the engine's batch order cannot matter; step 2 after one SGD-momentum update)."""
    data = mnist.subset(256, 64)
    cfg = InitConfig(schemes=("xavier_uniform",), activation="tanh", depth=4, width=16, lr=0.05,
                            momentum=0.9, epochs=2, batch_size=256)
    result = experiment.train_schemes(cfg, data, seed=3)
    heat = experiment.gradient_heat({k: r.probes["GradNormProbe"] for k, r in result.runs.items()})
    assert sorted(heat["step"].unique()) == [1, 2]
    model = experiment.build(cfg, "xavier_uniform", 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
    for step in (1, 2):
        optimizer.zero_grad()
        backprop, _ = direct_mlp_gradients(model, data.x_train, data.y_train)
        optimizer.step()
        recorded = heat[heat["step"] == step].sort_values("layer")["grad_norm"]
        np.testing.assert_allclose(recorded, backprop, rtol=1e-4)


def test_probing_activations_leaves_the_model_unchanged(mnist):
    cfg = InitConfig(schemes=("default",), depth=3, width=8)
    model = experiment.build(cfg, "default", 0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    hidden = experiment.hidden_activations(model, mnist.x_train[:32])
    assert len(hidden) == 3 and model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_heatmap_records_every_layer_over_training(mnist):
    cfg = InitConfig(schemes=("xavier_uniform",), depth=4, width=16, epochs=1)
    data = mnist.subset(1280, 256)
    result = experiment.train_schemes(cfg, data, seed=0)
    heat = experiment.gradient_heat({k: r.probes["GradNormProbe"] for k, r in result.runs.items()})
    assert set(heat["layer"]) == {1, 2, 3, 4, 5}
    assert heat["step"].nunique() == 20  # 20 steps, probed every step (fewer than HEAT_COLUMNS)
    assert (heat["grad_norm"] > 0).all()




def test_a_layer_no_gradient_reached_stays_a_blank_row_of_the_heatmap():
    """All-equal weights: only the output layer's norm is non-zero, so the frame holds one layer; the chart
    still has a row per layer (the page's sentence speaks of blank rows), not one band over the whole panel."""
    rows = [{"kind": "backprop", "step": s, "layer": l, "grad_norm": 0.1 if l == 4 else 0.0}
            for s in (1, 2, 3) for l in (1, 2, 3, 4)]
    frames = {"All equal (1)": pd.DataFrame(rows)}
    heat = experiment.gradient_heat(frames)
    assert set(heat["layer"]) == {4} and experiment.heat_layers(frames) == (1, 2, 3, 4)
    from core.lessons.initialization import charts
    spec = charts.heat_chart(heat, "All equal (1)", charts.heat_domain(heat), experiment.heat_layers(frames)).to_dict()
    assert spec["encoding"]["y"]["scale"]["domain"] == [4, 3, 2, 1]  # four rows, top layer first
