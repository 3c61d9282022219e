"""The activations lesson's sentences are read from the numbers on screen, discuss only the selected
functions, and say what became of each training run."""
import math
import re

import pytest

import core.format as fmt
from core.lessons.activations import depth, experiment, story

UNREADABLE = re.compile(r"(?<![A-Za-z])nan(?![A-Za-z])|\bNone\b|—%|(\d)\1{7}")


def test_panel_notes_explain_the_odd_grey_regions():
    df = experiment.curves(("gelu", "silu", "leaky_relu", "sigmoid", "relu"), -6.0, 6.0)
    # GELU' = 0 at x ~ -0.752, SiLU' = 0 at x ~ -1.278: a narrow interior band around each
    assert "x ≈ −0.7" in " ".join(story.panel_notes(df, "gelu"))
    assert "x ≈ −1.2" in " ".join(story.panel_notes(df, "silu"))
    leaky = " ".join(story.panel_notes(df, "leaky_relu"))
    assert "slope 0.01" in leaky and "never exactly zero" in leaky
    assert story.panel_notes(df, "sigmoid") == [] and story.panel_notes(df, "relu") == []
    right = experiment.curves(("gelu", "leaky_relu"), 0.0, 6.0)  # no band and no negative side shown
    assert story.panel_notes(right, "gelu") == [story.panel_notes(df, "gelu")[0]]
    assert "normal" in story.panel_notes(right, "gelu")[0] and story.panel_notes(right, "leaky_relu") == []


def test_the_sigmoid_line_reads_the_measurement_and_only_selected_functions_are_discussed(mnist):
    grads = depth.depth_gradients(("sigmoid",), 10, mnist, seed=0, init="he_normal")
    rel = grads[grads["layer"] == 1]["relative"].iloc[0]
    (line,) = story.slope_lines(("sigmoid",), grads, 10, "He normal")
    assert "at most ¼" in line and fmt.chance(0.25 ** 9) in line and story.fraction(rel) in line
    relu = depth.depth_gradients(("relu",), 10, mnist, seed=0)
    lines = story.takeaways(relu, 10, "default", "PyTorch default", ("relu",), None)
    assert not any("sigmoid" in l.lower() or "tanh" in l.lower() for l in lines)  # not on screen: not discussed


def test_relu_loses_more_gradient_than_tanh_under_the_default_and_he_fixes_it(mnist):
    """Measured (seed 0, width 64, depth 10, 256 images): per layer the back-propagated gradient keeps
    0.14x (sigmoid), 0.55x (tanh) and 0.41x (ReLU) under PyTorch's default, as predicted by
    sqrt(n Var(W) E[f'^2]) (0.14, 0.56, 0.41; closed forms sqrt(1/3) = 0.58 near 0 for tanh, sqrt(1/6) = 0.41
    for ReLU); with He uniform ReLU keeps 1.01x."""
    order = ["Sigmoid", "Tanh", "ReLU"]
    grads = depth.depth_gradients(("sigmoid", "tanh", "relu"), 10, mnist, seed=0)
    measured = {label: depth.per_layer(grads, label) for label in order}
    predicted = {label: depth.per_layer(grads, label, "predicted_step") for label in order}
    assert measured["ReLU"] == pytest.approx(math.sqrt(1 / 6), rel=0.05)
    assert measured["Sigmoid"] < measured["ReLU"] < measured["Tanh"] < math.sqrt(1 / 3)
    for label in order:
        assert measured[label] == pytest.approx(predicted[label], rel=0.05), label
    line = story.relu_tanh_line(grads, order, "default", "PyTorch default")
    assert "0.41× of the gradient per layer, less than tanh's 0.55×" in line and "He initialization" in line
    table = story.prediction_table(grads, order).set_index("function")
    assert table.loc["ReLU"].tolist() == ["0.41×", "0.41×"]
    he = depth.depth_gradients(("relu",), 10, mnist, seed=0, init="he_uniform")
    assert depth.per_layer(he, "ReLU") == pytest.approx(1.0, abs=0.1)
    assert "ReLU passes on 1× of the gradient per layer" in story.relu_tanh_line(he, ["ReLU"], "he_uniform", "He uniform")


def test_the_sqrt5_spread_reproduces(mnist):
    """fastai's "why sqrt(5)" (course-v3, 02a_why_sqrt5.ipynb): one conv + ReLU, std 0.37 (default) vs 1.02
    (Kaiming). Here (seed 0): after layer 1, std 0.324 vs 0.794 (0.41x); layer 1 -> 2 under the default
    0.44x, under Kaiming 1.03x; the gradient 0.41x per layer (Kaiming 1.01x)."""
    spread = depth.relu_spread(mnist, seed=0)
    default = spread[spread["init"] == "default"].set_index("layer")
    kaiming = spread[spread["init"] == "he_uniform"].set_index("layer")
    assert default.loc[1, "std"] / kaiming.loc[1, "std"] == pytest.approx(0.41, abs=0.05)
    assert 0.35 < default.loc[2, "ratio"] < 0.5 and 0.9 < kaiming.loc[2, "ratio"] < 1.15
    assert default["std"].iloc[-1] > 0.03  # the biases' floor: the forward signal stops shrinking
    box = story.sqrt5_reproduction(spread)
    assert box.reproduces is True and "(0.41×)" in box.measured and "0.41× per layer" in box.measured


def test_training_takeaway_reads_each_runs_outcome(mnist):
    from core.lessons.activations.config import ActivationsConfig

    small = mnist.subset(512, 256)
    stuck = experiment.train_compare(ActivationsConfig(functions=("sigmoid", "relu"), lr=0.0001, momentum=0.0,
                                                       epochs=1), small, seed=0)
    text = story.training_takeaway(stuck)
    assert "no network learned" in text and "**Sigmoid** and **ReLU** did not train" in text
    assert "highest" not in text and "fastest" not in text  # nothing learned, so nothing "learned fastest"
    mixed = experiment.train_compare(ActivationsConfig(functions=("relu", "tanh"), lr=100.0, epochs=1), small, 0)
    text = story.training_takeaway(mixed)
    assert "**ReLU** diverged at step" in text and not UNREADABLE.search(text)
    fine = experiment.train_compare(ActivationsConfig(functions=("tanh", "relu"), lr=0.05, epochs=1), small, 0)
    acc = {label: run.final_val_acc for label, run in fine.runs.items()}
    high, low = max(acc, key=acc.get), min(acc, key=acc.get)
    text = story.training_takeaway(fine)
    assert f"**{high}** ended highest ({fmt.percent(acc[high])} validation accuracy after 1 epoch)" in text
    assert f"**{low}** lowest ({fmt.percent(acc[low])})" in text


def test_the_prompt_names_the_selected_functions():
    assert "Sigmoid, Tanh or ReLU" in story.predict_prompt(["Sigmoid", "Tanh", "ReLU"], 5)
    assert "will the ReLU network learn in 1 epoch?" in story.predict_prompt(["ReLU"], 1)


def test_coinciding_dashed_lines_are_named(mnist):
    grads = depth.depth_gradients(("tanh", "relu", "sigmoid"), 5, mnist, seed=0)
    note = story.overlap_note(grads, ["Tanh", "ReLU", "Sigmoid"])
    assert "the dashed lines of Tanh and ReLU lie on top of each other" in note and "Sigmoid" not in note
