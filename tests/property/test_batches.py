"""Batch norm never receives a one-example batch: for every batch size the widgets allow and every
dataset length (the bundled 8,000, a full download's 60,000, a lesson's subset), no optimizer step
trains a model with batch norm on a single example."""
import torch
from hypothesis import given, settings, strategies as st
from torch import nn

from core.models import MLP, LessonCNN
from core.seeding import seeded
from core.training import TRAIN_LIMITS, TrainSettings, batch_sizes, train

WIDGET_BATCH = st.integers(int(TRAIN_LIMITS["batch_size"][0]), int(TRAIN_LIMITS["batch_size"][1]))


@given(n=st.integers(2, 70_000), batch_size=WIDGET_BATCH)
def test_with_batch_norm_no_batch_holds_one_example_and_every_example_is_used(n, batch_size):
    if batch_size < 2:
        return  # refused with a message instead (next test)
    sizes = batch_sizes(n, batch_size, batch_norm=True)
    assert sum(sizes) == n and min(sizes) >= 2 and max(sizes) <= max(batch_size, 3)


@given(n=st.integers(1, 70_000))
def test_batches_of_one_with_batch_norm_are_refused_with_a_message(n):
    try:
        batch_sizes(n, 1, batch_norm=True)
    except ValueError as exc:
        assert "at least 2" in str(exc)
    else:
        raise AssertionError("a batch of one example reached batch norm")


@settings(max_examples=25)
@given(n=st.integers(2, 200), batch_size=st.integers(2, 256), conv=st.booleans())
def test_no_training_step_hands_batch_norm_a_single_example(mnist, n, batch_size, conv):
    model = seeded(0, lambda: LessonCNN(batch_norm=True) if conv else MLP([784, 8, 10], "relu", batch_norm=True))
    seen = []
    for m in model.modules():
        if isinstance(m, nn.modules.batchnorm._BatchNorm):
            m.register_forward_pre_hook(lambda mod, inputs: seen.append(inputs[0].shape[0]) if mod.training else None)
    run = train(model, mnist.subset(n, 16), TrainSettings(epochs=1, batch_size=batch_size, lr=0.01))
    assert run.diverged_at is None and seen and min(seen) >= 2
    assert run.samples_seen == n
