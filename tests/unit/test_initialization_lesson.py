"""The initialization lesson against references: direct autograd, the schemes' formulas, the papers."""
import numpy as np
import pytest
import torch

from core.initializers import INIT_SCHEMES
from core.lessons import initialization as lesson
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


def test_equal_weights_never_break_symmetry(mnist):
    data = mnist.subset(1024, 256)
    cfg = lesson.InitConfig(schemes=("equal", "default"), activation="relu", depth=3, width=16,
                            lr=0.001, epochs=1)
    result = lesson.train_schemes(cfg, data, seed=0)
    sym = lesson.symmetry(result).set_index(["run", "layer"])
    assert (sym.loc["All equal (1)", "distinct"] == 1).all()
    assert (sym.loc["All equal (1)", "mean |cos|"] > 0.999).all()
    assert (sym.loc["PyTorch default", "distinct"] == 16).all()
    # the weights did change (it trained), they just changed identically
    assert not torch.equal(result.runs["All equal (1)"].state_dict["linears.0.weight"],
                           torch.ones(16, 784))


def test_distinct_neurons_and_cosine_on_known_matrices():
    w = torch.tensor([[1.0, 2.0], [1.0, 2.0], [-1.0, 0.5]])
    assert lesson.distinct_neurons(w) == 2
    assert lesson.distinct_neurons(w, torch.tensor([0.0, 1.0, 0.0])) == 3  # the bias tells them apart
    cos = lesson.cosine_matrix(w).set_index(["i", "j"])["cosine"]
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
