"""All-equal weights: every neuron of a layer gets the same gradient and stays a copy, measured."""
import pytest
import torch

from core.lessons.initialization import experiment, story, symmetry
from core.lessons.initialization.config import InitConfig


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
    assert "identical bit for bit" in story.experiment_sentence(sym)


def test_page_equal_run_is_reported_as_frozen_moved_or_diverged(mnist):
    """With every weight 1, tanh saturates (no hidden weight moves) and ReLU diverges at step 2; ReLU with
    lr 0.001 trains, and its layers keep one distinct neuron."""
    data = mnist.subset(1024, 256)
    for activation, depth, expected in [("tanh", 4, "never moved"), ("relu", 10, "diverged at step 2")]:
        cfg = InitConfig(schemes=("equal",), activation=activation, depth=depth, width=64, epochs=1)
        run = experiment.train_schemes(cfg, data, seed=0).runs["All equal (1)"]
        moved = symmetry.equal_run(run.state_dict)
        if activation == "tanh":
            assert (moved["max |ΔW|"].iloc[:-1] == 0).all() and moved["max |ΔW|"].iloc[-1] > 0
        assert expected in story.equal_run_sentence(run.state_dict, run.diverged_at, "All equal (1)")
    cfg = InitConfig(schemes=("equal",), activation="relu", depth=3, width=16, lr=0.001, epochs=1)
    run = experiment.train_schemes(cfg, data, seed=0).runs["All equal (1)"]
    moved = symmetry.equal_run(run.state_dict)
    assert (moved["max |ΔW|"] > 0).all() and (moved["distinct neurons"].iloc[:-1] == 1).all()
    assert "moved in 3 of 3 layers" in story.equal_run_sentence(run.state_dict, run.diverged_at, "x")


def test_distinct_neurons_and_cosine_on_known_matrices():
    w = torch.tensor([[1.0, 2.0], [1.0, 2.0], [-1.0, 0.5]])
    assert symmetry.distinct_neurons(w) == 2
    assert symmetry.distinct_neurons(w, torch.tensor([0.0, 1.0, 0.0])) == 3  # the bias tells them apart
    cos = symmetry.cosine_matrix(w).set_index(["i", "j"])["cosine"]
    assert cos[(1, 2)] == pytest.approx(1.0) and cos[(1, 3)] == pytest.approx(0.0, abs=1e-12)
