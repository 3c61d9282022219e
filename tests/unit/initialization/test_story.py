"""The initialization lesson's companions to its charts and its "reproduced here" boxes: Glorot & Bengio
2010 and He et al. 2015 measured with the app's own code, coinciding lines named, each run's outcome read."""
import math
import re

import pandas as pd
import pytest

from core.lessons.initialization import experiment, story
from core.lessons.initialization.config import PRESETS, InitConfig

UNREADABLE = re.compile(r"(?<![A-Za-z])nan(?![A-Za-z])|\bNone\b|—%|(\d)\1{7}")


def test_glorot_and_bengio_reproduce_at_initialization(mnist):
    """The Glorot preset (tanh, 10 x 64), seed 0: per layer the back-propagated gradient keeps 0.55x with
    PyTorch's default (the paper's standard U[-1/sqrt(n), 1/sqrt(n)]; n Var(W) = 1/3 predicts 0.58x near 0)
    and 0.85x with Xavier (n Var(W) = 1, less tanh's slope)."""
    cfg = PRESETS["glorot"].config
    grads = experiment.at_init(cfg, mnist, seed=0).gradients
    default = experiment.per_layer(grads, "PyTorch default", cfg.depth)
    xavier = experiment.per_layer(grads, "Xavier uniform", cfg.depth)
    assert default == pytest.approx(0.55, abs=0.04) and default < math.sqrt(1 / 3)
    assert xavier == pytest.approx(0.85, abs=0.05)
    box = story.glorot_reproduction(grads, cfg.depth, cfg.width)
    assert box.reproduces is True and "0.55× with PyTorch's default" in box.measured and "0.85× with Xavier" in box.measured


def test_he_et_al_box_before_the_preset_is_trained(mnist):
    """The He preset (ReLU, 30 x 64), seed 0, at initialization: the gradient keeps 0.70x per layer with
    Xavier normal (sqrt(1/2) predicted: ReLU halves it) and 0.99x with He normal. Until the preset is
    trained the box says what to press (the trained box: test_experiment's He preset test)."""
    cfg = PRESETS["he"].config
    grads = experiment.at_init(cfg, mnist, seed=0).gradients
    assert experiment.per_layer(grads, "Xavier normal", cfg.depth) == pytest.approx(math.sqrt(0.5), abs=0.04)
    assert experiment.per_layer(grads, "He normal", cfg.depth) == pytest.approx(1.0, abs=0.08)
    untrained = story.he_reproduction(grads, cfg.depth, None, PRESETS["he"].label)
    assert untrained.reproduces is None and "Press **He et al. 2015: 30-layer ReLU**" in untrained.note
    assert "Training: not run yet." in untrained.measured


def test_coinciding_lines_are_named_and_a_single_shared_point_is_not(mnist):
    snap = experiment.at_init(InitConfig(), mnist, seed=0)
    back = snap.gradients[snap.gradients["kind"] == "backprop"]
    assert story.overlap_note(back, "grad_norm", "back-propagated gradient", log=True) is None
    note = story.overlap_note(snap.activations[snap.activations["std"] > 0], "std", "spread", log=True)
    assert note == "On the spread chart the lines of All equal (1) and Uniform [-1, 1] lie on top of each other."


def test_heat_caption_says_why_cells_are_blank():
    gaps = pd.DataFrame({"run": ["a", "b"], "zero": [12, 0], "nonfinite": [0, 3], "cells": [40, 40]})
    text = story.heat_caption(gaps)
    assert "a: blank at 12 cells where exactly zero gradient" in text and "b: blank at 3 cells where the gradient was not a finite" in text
    assert story.heat_caption(gaps.assign(zero=0, nonfinite=0)).startswith("Every cell holds")


def test_sentences_of_a_diverged_and_a_stuck_run_read_their_outcomes(mnist):
    small = mnist.subset(512, 256)
    cfg = InitConfig(schemes=("equal", "he_uniform"), activation="relu", depth=10, width=64, epochs=1)
    result = experiment.train_schemes(cfg, small, seed=0)
    snap = experiment.at_init(cfg, small, seed=0)
    from core.lessons.initialization import health
    v = health.diagnose(snap.gradients, snap.activations, cfg.activation, cfg.depth, cfg.labels)
    lines = story.takeaways(v, cfg.activation, cfg.labels, None, result)
    text = " ".join(lines)
    assert "**All equal (1)** diverged at step" in text and not UNREADABLE.search(text)
    assert not any("Xavier" in l for l in lines)  # Xavier is not selected: not discussed
    stuck = experiment.train_schemes(InitConfig(schemes=("scaled_uniform",), depth=4, width=16, epochs=1), small, 0)
    assert "no network learned: **Uniform / n_in** did not train" in story.training_line(stuck)
