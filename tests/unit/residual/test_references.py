"""The issue's reference numbers, measured on the bundled data (8,000 / 2,000 images, 5 epochs) with the
page's own experiment, at fixed seeds. What we measured (seeds 0, 1, 2; batch size 64; 1 CPU thread) is
in each docstring; the margins are the issue's where ours agree, and honest bounds where they do not."""
import pandas as pd
import pytest

from core.gradients import layer_gradients
from core.lessons.residual import experiment, paths
from core.lessons.residual.config import PRESETS, ResidualConfig
from core.probes import GradNormProbe
from core.training import train

PROBE = 256  # training images the at-initialization gradients are measured on


def per_layer(config: ResidualConfig, residual: bool, seed: int, mnist):
    """layer_gradients of a fresh network on the first PROBE training images: layer x kind -> norm."""
    g = layer_gradients(experiment.build(config, residual, seed), mnist.x_train[:PROBE], mnist.y_train[:PROBE])
    return g.pivot(index="layer", columns="kind", values="grad_norm")


def test_at_init_the_residual_first_layer_gets_1e4_times_the_plain_ones(mnist):
    """Sigmoid, width 64, depth 10, seed 0. Measured: ‖∂L/∂W₁‖ plain 6.5e-9, residual 2.3 (ratio ~3e8);
    ‖∂L/∂s₁‖ plain 7e-10 (the issue: "near 1e-9"), residual 0.024."""
    cfg = ResidualConfig()
    plain, res = per_layer(cfg, False, 0, mnist), per_layer(cfg, True, 0, mnist)
    for kind in ("weight", "backprop"):
        assert res.loc[1, kind] >= 1e4 * plain.loc[1, kind], kind
    assert 1e-11 < plain.loc[1, "backprop"] < 1e-8


def test_default_training_residual_beats_plain_by_40_points(mnist):
    """Defaults (the sigmoid reference), seed 0. Measured: plain 10.5% (chance; the issue: 10.8%), its
    ‖∂L/∂W₁‖ between 6e-9 and 2e-8 throughout; residual 87.6% (the issue: 89%)."""
    result = experiment.train_pair(ResidualConfig(), mnist, seed=0)
    acc = result.summary("network").set_index("network")["val. accuracy"]
    assert acc["Residual"] >= acc["Plain"] + 0.40
    assert acc["Plain"] <= 0.15 and acc["Residual"] >= 0.85
    g = result.grads
    plain_w1 = g[(g["network"] == "Plain") & (g["kind"] == "weight") & (g["layer"] == 1)]["grad_norm"]
    res_w1 = g[(g["network"] == "Residual") & (g["kind"] == "weight") & (g["layer"] == 1)]["grad_norm"]
    assert plain_w1.max() < 1e-6 and res_w1.median() > 1e-2


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_inv_sqrt_depth_keeps_depth_32_relu_gradients_within_10x_of_the_last_layers(mnist, seed):
    """ReLU, width 16, depth 32, at initialization. With α = 1/√32, the gradient reaching every hidden layer's
    output, ‖∂L/∂h_l‖, is within 1.6× of the last hidden layer's, and every skipped layer's back-propagated
    ‖∂L/∂s_l‖ (l = 2 … 32) within 2× of layer 32's (measured). With α = 1 both grow towards the input:
    ‖∂L/∂h_1‖ is 340–740× ‖∂L/∂h_32‖. (Layer 1, 784 → 16, has no skip, and its ‖∂L/∂s_1‖ is 8–14× layer 32's.)"""
    for name, within in (("relu32_scaled", True), ("relu32", False)):
        cfg = PRESETS[name].config
        model = experiment.build(cfg, True, seed)
        total = paths.path_gradients(model, mnist.x_train[:PROBE], mnist.y_train[:PROBE])["total"]
        stream = total / total.iloc[-1]
        back = per_layer(cfg, True, seed, mnist)["backprop"]
        skipped = back.loc[2:cfg.depth] / back.loc[cfg.depth]
        if within:
            assert stream.between(0.1, 10).all() and skipped.between(0.1, 10).all()
        else:
            assert stream.max() > 100 and skipped.max() > 10


@pytest.fixture(scope="module")
def relu(mnist):
    """The ReLU presets' runs (width 16, Adam 1e-3, 5 epochs, seeds 0, 1, 2), each network trained as the
    page trains it (experiment.build, the preset's settings, the gradient probe), but each distinct run
    once: the plain network at depth 8 and 32, the residual one at depth 32 with α = 1 and α = 1/√32.
    Returns {(network, depth, scale): seeds frame rows}."""
    runs = {}
    for name, networks in (("relu8", (False,)), ("relu32", (False, True)), ("relu32_scaled", (True,))):
        cfg = PRESETS[name].config
        for residual in networks:
            rows = []
            for seed in range(cfg.seeds):
                probe = GradNormProbe(experiment.probe_every(cfg, len(mnist.y_train)), backprop=True)
                run = train(experiment.build(cfg, residual, seed), mnist, cfg.train_settings(), seed=seed,
                            probes=[probe])
                rows.append(experiment.seed_row(experiment.LABELS[residual], seed, run,
                                                run.probes["GradNormProbe"]))
            runs[(experiment.LABELS[residual], cfg.depth, cfg.scale)] = pd.DataFrame(rows)
    return runs


def test_relu_depth_8_plain_trains_partly_and_varies_with_the_seed(relu):
    """The issue: between about 50% and 75%, varying with the seed. Measured: 76.4%, 66.1%, 83.6% (eight
    seeds: 66–84%; with batches of 128 instead of 64: 60.7%, 44.7%, 77.1%)."""
    plain = relu[("Plain", 8, "one")]["val_acc"]
    assert plain.between(0.4, 0.9).all() and plain.max() - plain.min() > 0.1


def test_relu_depth_32_plain_stays_at_chance(relu):
    """The issue: chance. Measured: 10.5% on every seed, ‖∂L/∂W₁‖ about 1e-13 to 1e-12 at step 1."""
    plain = relu[("Plain", 32, "one")]
    assert (plain["val_acc"] <= 0.15).all() and (plain["first_weight"] < 1e-9).all()


def test_relu_depth_32_unscaled_residual_explodes_and_scaled_trains(relu):
    """The issue: unscaled, gradient norms in the hundreds and 30–55%; scaled by 1/√depth about 91%.
    Measured: unscaled ‖∂L/∂W_l‖ up to 2,800–5,700 at step 1 and 10.5%, 28.7%, 10.5% (the signal explodes,
    the first steps' losses are 100–800 and most ReLUs die); scaled 90.2%, 90.6%, 90.2%."""
    unscaled, scaled = relu[("Residual", 32, "one")], relu[("Residual", 32, "inv_sqrt_depth")]
    assert (unscaled["max_weight"] > 100).all() and (unscaled["val_acc"] < 0.55).all()
    assert (scaled["val_acc"] >= 0.87).all() and scaled["val_acc"].min() > unscaled["val_acc"].max() + 0.3
    assert (scaled["max_weight"] < 100).all()
