"""Every valid setting runs (issue 14): for every lesson, whatever a link carries is read into a config,
and everything its page computes for that config (shrunk to the cheapest config on the same code
paths) runs on a small slice of MNIST without raising; and every training run, at any learning rate,
either finishes with finite losses or says at which step it diverged."""
import importlib
import inspect
import math
import typing

import pytest
from hypothesis import given, settings, strategies as st

from core.lessons import LESSON_PACKAGES
from core.models import MLP
from core.outcome import DIVERGED, classify
from core.seeding import seeded
from core.training import TrainSettings, train
from tests.property.strategies import query_params


def lesson_parts(lesson: str):
    """The lesson's config class (the one its run_all takes), shrink and run_all."""
    config = importlib.import_module(f"core.lessons.{lesson}.config")
    experiment = importlib.import_module(f"core.lessons.{lesson}.experiment")
    cls = next(iter(typing.get_type_hints(experiment.run_all).values()))
    return cls, config.shrink, experiment.run_all


def test_every_lesson_can_run_everything_its_page_computes():
    for lesson in LESSON_PACKAGES:
        cls, shrink, run_all = lesson_parts(lesson)
        assert inspect.signature(run_all).parameters.keys() >= {"data", "seed"}, lesson
        assert isinstance(shrink(cls()), cls), lesson


@pytest.mark.parametrize("lesson", LESSON_PACKAGES)
@settings(max_examples=4)
@given(data=st.data())
def test_any_link_runs_every_experiment_of_its_lesson(mnist, lesson, data):
    cls, shrink, run_all = lesson_parts(lesson)
    config, _ = cls.from_query(data.draw(query_params(cls)))
    seed = data.draw(st.integers(0, 2**31 - 1), label="seed")
    run_all(shrink(config), mnist.subset(300, 100), seed)


@settings(max_examples=30)
@given(lr=st.floats(1e-4, 100.0), momentum=st.sampled_from([0.0, 0.9]), batch_size=st.integers(1, 300),
       activation=st.sampled_from(["relu", "sigmoid", "tanh"]), loss=st.sampled_from(["cross_entropy", "mse_softmax_sum"]))
def test_a_run_finishes_with_finite_losses_or_says_where_it_diverged(mnist, lr, momentum, batch_size, activation, loss):
    data = mnist.subset(300, 100)
    model = seeded(0, lambda: MLP([784, 16, 16, 10], activation))
    run = train(model, data, TrainSettings(epochs=2, batch_size=batch_size, lr=lr, momentum=momentum), loss=loss)
    steps = 2 * math.ceil(300 / batch_size)
    if run.diverged_at is None:
        assert len(run.steps) == steps and run.steps["loss"].map(math.isfinite).all()
        assert run.epochs[["train_loss", "val_loss", "val_acc"]].map(math.isfinite).all().all()
        assert len(run.epochs) == 2
    else:
        assert classify(run).kind == DIVERGED
        assert 1 <= run.diverged_at <= steps
        assert len(run.steps) == run.diverged_at - 1  # the losses before it, all finite
        assert run.steps["loss"].map(math.isfinite).all()
