"""The initialization lesson against references: direct autograd, the schemes' formulas, the papers."""
import numpy as np
import pytest
import torch

from core.initializers import INIT_SCHEMES
from core.lessons.initialization import experiment as lesson
from core.lessons.initialization import health
from core.lessons.initialization import symmetry
from tests.reference import direct_mlp_gradients


@pytest.mark.parametrize("scheme", ["default", "uniform", "xavier_uniform", "he_normal"])
def test_per_layer_gradients_equal_direct_autograd(mnist, scheme):
    cfg = lesson.InitConfig(schemes=(scheme,), activation="tanh", depth=5, width=32)
    snap = lesson.at_init(cfg, mnist, seed=4)
    backprop, weight = direct_mlp_gradients(lesson.build(cfg, scheme, 4), mnist.x_train[:lesson.PROBE_BATCH],
                                    mnist.y_train[:lesson.PROBE_BATCH])
    g = snap.gradients
    np.testing.assert_allclose(g[g["kind"] == "backprop"].sort_values("layer")["grad_norm"], backprop, rtol=1e-5)
    np.testing.assert_allclose(g[g["kind"] == "weight"].sort_values("layer")["grad_norm"], weight, rtol=1e-5)


@pytest.mark.parametrize("scheme", [s for s in INIT_SCHEMES])
def test_stated_numbers_match_the_built_weights(scheme):
    cfg = lesson.InitConfig(schemes=(scheme,), depth=3, width=256)
    row = lesson.scheme_numbers(cfg).iloc[0]
    w = lesson.build(cfg, scheme, 0).linears[1].weight.detach()  # a hidden 256 x 256 layer
    if row["kind"] == "bound":
        assert w.abs().max().item() <= row["hidden layers"] + 1e-7
    if row["kind"] == "value":
        assert (w == row["hidden layers"]).all()
    assert w.std().item() == pytest.approx(row["std (hidden)"], rel=0.05, abs=1e-9)


def test_glorot_preset_standard_init_shrinks_the_gradient_xavier_keeps_it(mnist):
    """Glorot & Bengio 2010, deep tanh. Measured (seed 0, bundled data): ||dL/ds_1|| / ||dL/ds_10||
    is 4.7e-3 with the standard U[-1/sqrt(n), 1/sqrt(n)] and 0.23 with Xavier uniform (~50x)."""
    cfg = lesson.PRESETS["glorot"].config
    ratio = lesson.gradient_ratio(lesson.at_init(cfg, mnist, seed=0).gradients, cfg.depth)
    standard, xavier = ratio["PyTorch default"], ratio["Xavier uniform"]
    assert standard < 0.02 and 0.1 < xavier < 2
    assert xavier / standard > 20


def test_he_preset_xavier_collapses_he_keeps_scale_and_trains(mnist):
    """He et al. 2015, 30-layer ReLU. Measured (seed 0): the first/last hidden-layer gradient ratio is
    2.9e-5 with Xavier normal and 0.70 with He normal; after 3 epochs Xavier is still at chance
    (10.5%) while He reaches ~74% validation accuracy."""
    preset = lesson.PRESETS["he"]
    cfg = preset.config
    snap = lesson.at_init(cfg, mnist, seed=0)
    ratio = lesson.gradient_ratio(snap.gradients, cfg.depth)
    assert ratio["Xavier normal"] < 1e-3
    assert 0.3 < ratio["He normal"] < 3
    std = snap.activations.pivot_table(index="label", columns="layer", values="std")
    assert std.loc["Xavier normal", cfg.depth] < 1e-3 * std.loc["Xavier normal", 1]  # halves every layer
    assert 0.2 < std.loc["He normal", cfg.depth] / std.loc["He normal", 1] < 5  # keeps its scale
    acc = lesson.train_schemes(cfg, mnist, seed=0).summary("init").set_index("init")["val. accuracy"]
    assert acc["Xavier normal"] < 0.2 and acc["He normal"] > 0.6


@pytest.mark.parametrize("activation, random, width", [("tanh", "Xavier uniform", 64), ("relu", "He uniform", 16)])
def test_symmetry_experiment_equal_weights_move_but_stay_identical(mnist, activation, random, width):
    """Measured (seed 0, bundled data, tanh): every equal-weight layer moved (max |dW| 1.5e-3 to 4.9e-2) while
    its 64 neurons stayed bit-identical; Xavier's neurons differ by up to 0.67. 20% vs 89% accuracy."""
    sym = symmetry.experiment(activation, depth=10, width=width, data=mnist, seed=0)
    assert (sym.depth, sym.width, sym.steps) == (4, width, 100)
    table = sym.table.set_index(["initialization", "layer"])
    eq, rnd = table.loc[symmetry.EQUAL], table.loc[random]
    assert (eq["max |ΔW|"] > 1e-4).all()  # the weights did train ...
    assert (eq["max difference between neurons"] == 0).all() and (eq["distinct neurons"] == 1).all()  # ... alike
    assert (eq["mean |cos|"] > 0.999).all()
    assert (rnd["distinct neurons"] == width).all() and (rnd["max difference between neurons"] > 0.1).all()
    assert sym.accuracy[random] > sym.accuracy[symmetry.EQUAL]
    assert "identical bit for bit" in symmetry.experiment_sentence(sym)


def test_page_equal_run_is_reported_as_frozen_moved_or_diverged(mnist):
    """With every weight 1, tanh saturates (no hidden weight moves) and ReLU diverges at step 2; ReLU with
    lr 0.001 trains, and its layers keep one distinct neuron."""
    data = mnist.subset(1024, 256)
    for activation, depth, expected in [("tanh", 4, "never moved"), ("relu", 10, "diverged at step 2")]:
        cfg = lesson.InitConfig(schemes=("equal",), activation=activation, depth=depth, width=64, epochs=1)
        run = lesson.train_schemes(cfg, data, seed=0).runs["All equal (1)"]
        moved = symmetry.equal_run(run.state_dict)
        if activation == "tanh":
            assert (moved["max |ΔW|"].iloc[:-1] == 0).all() and moved["max |ΔW|"].iloc[-1] > 0
        assert expected in symmetry.equal_run_sentence(run.state_dict, run.diverged_at, "All equal (1)")
    cfg = lesson.InitConfig(schemes=("equal",), activation="relu", depth=3, width=16, lr=0.001, epochs=1)
    run = lesson.train_schemes(cfg, data, seed=0).runs["All equal (1)"]
    moved = symmetry.equal_run(run.state_dict)
    assert (moved["max |ΔW|"] > 0).all() and (moved["distinct neurons"].iloc[:-1] == 1).all()
    assert "moved in 3 of 3 layers" in symmetry.equal_run_sentence(run.state_dict, run.diverged_at, "x")


def test_verdicts_default_tanh_view(mnist):
    """Default view (tanh, 10 x 64, seed 0): equal weights get exactly 0 gradient in every hidden layer (tanh'
    underflows at |s| = 64); U[-1, 1] explodes (ratio 36) with 62% saturated; Xavier (0.23) and He (1.05) pass."""
    cfg = lesson.InitConfig()
    snap = lesson.at_init(cfg, mnist, seed=0)
    v = health.diagnose(snap.gradients, snap.activations, cfg.activation, cfg.depth, cfg.labels)
    equal = v.loc["All equal (1)"]
    assert equal["zero layers"] == tuple(range(1, 11)) and equal["blocked"] == 10
    assert equal["median |s|"] == pytest.approx(64, rel=0.05) and equal["verdict"].startswith("no gradient")
    assert v.loc["Uniform [-1, 1]", "verdict"] == "exploding, saturated" and v.loc["Uniform [-1, 1]", "ratio"] > 10
    assert v.loc["PyTorch default", "verdict"] == "vanishing"
    assert v.loc["Xavier uniform", "verdict"] == v.loc["He uniform", "verdict"] == "healthy"
    notes = " ".join(health.problem_notes(v, cfg.activation, cfg.depth))
    assert "**All equal (1)**: the gradient reaching hidden layers 1–10 is exactly 0" in notes
    assert "tanh′(s)" in notes and "**Uniform [-1, 1]** explodes" in notes
    text = health.healthy_sentence(v, cfg.activation) + health.problem_sentence(v)
    assert "**Xavier uniform** (ratio 0.23), **He uniform** (ratio 1.1)" in text
    assert "**Uniform [-1, 1]** — exploding, saturated (ratio 36; 62% of units saturated" in text


def test_verdicts_relu_explosion_and_activation_wording(mnist):
    """ReLU: equal weights explode (||dL/ds_1|| = 2.3e8, x64 per layer); Xavier fades (He 2015); He passes.
    The saturation wording follows the activation: ±1 for tanh, 0 or 1 for sigmoid, none for ReLU."""
    cfg = lesson.InitConfig(activation="relu")
    snap = lesson.at_init(cfg, mnist, seed=0)
    v = health.diagnose(snap.gradients, snap.activations, "relu", cfg.depth, cfg.labels)
    assert v.loc["All equal (1)", "first"] > 1e7 and v.loc["All equal (1)", "verdict"] == "exploding, spread grows"
    assert v.loc["Xavier uniform", "verdict"] == "vanishing, spread collapses"
    assert v.loc["He uniform", "verdict"] == "healthy"
    assert "**All equal (1)** explodes towards the input: ||dL/ds₁|| = 2.3e+08" in " ".join(
        health.problem_notes(v, "relu", cfg.depth))
    sig = lesson.at_init(lesson.InitConfig(activation="sigmoid"), mnist, seed=0).activations
    assert "0 or 1" in health.look_sentence(sig, "sigmoid") and "±1" not in health.look_sentence(sig, "sigmoid")
    assert "−1 and +1" in health.look_sentence(snap.activations.assign(saturated=0.0), "tanh")
    assert "cannot saturate" in health.look_sentence(snap.activations, "relu")


def test_slopes_and_saturation_stats_match_autograd(mnist):
    cfg = lesson.InitConfig(schemes=("uniform",), activation="tanh", depth=3, width=32)
    model = lesson.build(cfg, "uniform", 0)
    x = mnist.x_train[:64]
    s1 = model.linears[0](x.flatten(1)).detach().requires_grad_()
    (slope,) = torch.autograd.grad(torch.tanh(s1).sum(), s1)
    layers = lesson.hidden_layers(model, x)
    torch.testing.assert_close(layers[0][0], s1.detach())
    torch.testing.assert_close(layers[0][2], slope)
    assert (slope == 0).any()  # U[-1, 1] saturates some units of layer 1 completely
    stats = lesson.activation_stats("tanh", layers)
    assert stats.loc[0, "zero slope"] == pytest.approx((slope == 0).double().mean().item())
    assert stats.loc[0, "median |s|"] == pytest.approx(s1.abs().median().item())


def test_training_gradient_norms_equal_direct_autograd(mnist):
    """The heatmap's ||dL/ds_l|| at training steps 1 and 2 equal a hand-written retain_grad pass on the same
    weights (full batch, so the engine's batch order cannot matter; step 2 after one SGD-momentum update)."""
    data = mnist.subset(256, 64)
    cfg = lesson.InitConfig(schemes=("xavier_uniform",), activation="tanh", depth=4, width=16, lr=0.05,
                            momentum=0.9, epochs=2, batch_size=256)
    result = lesson.train_schemes(cfg, data, seed=3)
    heat = lesson.gradient_heat({k: r.probes["GradNormProbe"] for k, r in result.runs.items()})
    assert sorted(heat["step"].unique()) == [1, 2]
    model = lesson.build(cfg, "xavier_uniform", 3)
    optimizer = torch.optim.SGD(model.parameters(), lr=cfg.lr, momentum=cfg.momentum)
    for step in (1, 2):
        optimizer.zero_grad()
        backprop, _ = direct_mlp_gradients(model, data.x_train, data.y_train)
        optimizer.step()
        recorded = heat[heat["step"] == step].sort_values("layer")["grad_norm"]
        np.testing.assert_allclose(recorded, backprop, rtol=1e-4)


def test_distinct_neurons_and_cosine_on_known_matrices():
    w = torch.tensor([[1.0, 2.0], [1.0, 2.0], [-1.0, 0.5]])
    assert symmetry.distinct_neurons(w) == 2
    assert symmetry.distinct_neurons(w, torch.tensor([0.0, 1.0, 0.0])) == 3  # the bias tells them apart
    cos = symmetry.cosine_matrix(w).set_index(["i", "j"])["cosine"]
    assert cos[(1, 2)] == pytest.approx(1.0) and cos[(1, 3)] == pytest.approx(0.0, abs=1e-12)


def test_probing_activations_leaves_the_model_unchanged(mnist):
    cfg = lesson.InitConfig(schemes=("default",), depth=3, width=8)
    model = lesson.build(cfg, "default", 0)
    before = {k: v.clone() for k, v in model.state_dict().items()}
    hidden = lesson.hidden_activations(model, mnist.x_train[:32])
    assert len(hidden) == 3 and model.training
    assert all(torch.equal(before[k], v) for k, v in model.state_dict().items())


def test_heatmap_records_every_layer_over_training(mnist):
    cfg = lesson.InitConfig(schemes=("xavier_uniform",), depth=4, width=16, epochs=1)
    data = mnist.subset(1280, 256)
    result = lesson.train_schemes(cfg, data, seed=0)
    heat = lesson.gradient_heat({k: r.probes["GradNormProbe"] for k, r in result.runs.items()})
    assert set(heat["layer"]) == {1, 2, 3, 4, 5}
    assert heat["step"].nunique() == 20  # 20 steps, probed every step (fewer than HEAT_COLUMNS)
    assert (heat["grad_norm"] > 0).all()


def test_config_validation_and_round_trip():
    cfg = lesson.InitConfig(schemes=("he_normal", "equal"), activation="relu", depth=25, width=128, lr=0.2)
    assert lesson.InitConfig.from_query(cfg.to_query()) == (cfg, [])
    for bad, message in [({"schemes": ()}, "at least one"), ({"activation": "gelu"}, "Activation"),
                         ({"depth": 31}, "Depth"), ({"width": 100_000}, "Width"),
                         ({"schemes": ("xavier", )}, "Unknown initialization")]:
        with pytest.raises(ValueError, match=message):
            lesson.InitConfig(**bad)
