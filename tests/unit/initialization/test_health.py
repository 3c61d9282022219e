"""The initialization lesson's verdicts at initialization (the papers' numbers), and the sentences
that explain them."""
import pytest

import core.format as fmt
from core.lessons.initialization import experiment, health, story
from core.lessons.initialization.config import InitConfig


def test_verdicts_default_tanh_view(mnist):
    """Default view (tanh, 10 x 64, seed 0): equal weights get exactly 0 gradient in every hidden layer (tanh'
    underflows at |s| = 64); U[-1, 1] explodes (ratio 36) with 62% saturated; Xavier (0.23) and He (1.05) pass."""
    cfg = InitConfig()
    snap = experiment.at_init(cfg, mnist, seed=0)
    v = health.diagnose(snap.gradients, snap.activations, cfg.activation, cfg.depth, cfg.labels)
    equal = v.loc["All equal (1)"]
    assert equal["zero layers"] == tuple(range(1, 11)) and equal["blocked"] == 10
    assert equal["median |s|"] == pytest.approx(64, rel=0.05) and equal["verdict"].startswith("no gradient")
    assert v.loc["Uniform [-1, 1]", "verdict"] == "exploding, saturated" and v.loc["Uniform [-1, 1]", "ratio"] > 10
    assert v.loc["PyTorch default", "verdict"] == "vanishing"
    assert v.loc["Xavier uniform", "verdict"] == v.loc["He uniform", "verdict"] == "healthy"
    notes = " ".join(story.problem_notes(v, cfg.activation, cfg.depth))
    assert "**All equal (1)**: the gradient reaching hidden layers 1–10 is exactly 0" in notes
    assert "tanh′(s)" in notes and "**Uniform [-1, 1]** explodes" in notes
    text = story.healthy_sentence(v, cfg.activation) + story.problem_sentence(v)
    assert "**Xavier uniform** (ratio 0.23×), **He uniform** (ratio 1.1×)" in text
    assert "**Uniform [-1, 1]** — exploding, saturated (ratio 36×; 62% of units saturated" in text
    assert "**PyTorch default** — vanishing (ratio 1 in 210)" in text  # a tiny ratio said so a student can read it


def test_verdicts_relu_explosion_and_activation_wording(mnist):
    """ReLU: equal weights explode (||dL/ds_1|| = 2.3e8 to 2.5e8, x64 per layer: float32 sums of such large
    numbers differ by a few percent from one CPU to another); Xavier fades (He 2015); He passes.
    The saturation wording follows the activation: ±1 for tanh, 0 or 1 for sigmoid, none for ReLU."""
    cfg = InitConfig(activation="relu")
    snap = experiment.at_init(cfg, mnist, seed=0)
    v = health.diagnose(snap.gradients, snap.activations, "relu", cfg.depth, cfg.labels)
    assert v.loc["All equal (1)", "first"] > 1e7 and v.loc["All equal (1)", "verdict"] == "exploding, spread grows"
    assert v.loc["Xavier uniform", "verdict"] == "vanishing, spread collapses"
    assert v.loc["He uniform", "verdict"] == "healthy"
    first = v.loc["All equal (1)", "first"]
    assert 2.2e8 < first < 2.6e8
    assert f"**All equal (1)** explodes towards the input: ||dL/ds₁|| = {fmt.number(first)}" in " ".join(
        story.problem_notes(v, "relu", cfg.depth))
    sig = experiment.at_init(InitConfig(activation="sigmoid"), mnist, seed=0).activations
    assert "0 or 1" in story.look_sentence(sig, "sigmoid") and "±1" not in story.look_sentence(sig, "sigmoid")
    assert "−1 and +1" in story.look_sentence(snap.activations.assign(saturated=0.0), "tanh")
    assert "cannot saturate" in story.look_sentence(snap.activations, "relu")
