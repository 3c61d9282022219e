"""The cost-function lesson's configs: round trips through the URL, clear errors, the page's view
split into its parts, presets and shrink."""
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.lessons.losses.config import (BATCH_SIZE, BIAS, EPOCHS, ETA, GATE_CHOICES, INPUTS, LIMITS, LOGIT,
                                        LOSS_CHOICES, REFERENCE, SATURATED, SCALE, SPAN, START, TEMPERATURE,
                                        CompareConfig, LossesView, NeuronConfig, SoftmaxConfig, SurfaceConfig, shrink)


def test_view_round_trips_and_splits_into_its_parts():
    view = LossesView(gate="nand", bias=0.5, w1=1.25, w0=-1.0, eta=0.5, logits=tuple(range(10)), temperature=2.5,
                      target=7, losses=("mse_sigmoid_sum", "cross_entropy"), inputs="standardised",
                      output_scale=30.0, lr=0.2, epochs=3, batch_size=32)
    assert LossesView.from_query(view.to_query()) == (view, [])
    assert view.surface == SurfaceConfig(gate="nand", bias=0.5, w1=1.25)
    assert view.neuron == NeuronConfig(w0=-1.0, eta=0.5)
    assert view.softmax == SoftmaxConfig(logits=tuple(float(i) for i in range(10)), temperature=2.5, target=7)
    assert view.compare.ordered == ("cross_entropy", "mse_sigmoid_sum")  # the page's order, not the link's
    assert LossesView.of(view.surface, view.neuron, view.softmax, view.compare) == view


@pytest.mark.parametrize("bad, message", [
    ({"gate": "xor"}, "Gate"), ({"bias": 4.0}, "Bias"), ({"w1": 2.5}, "w1"), ({"w2": float("nan")}, "w2"),
    ({"w0": 9.0}, "weight"), ({"eta": 0.0}, "η"), ({"logits": (1.0, 2.0)}, "10 logits"),
    ({"logits": (11.0,) + (0.0,) * 9}, "z0"), ({"temperature": 0.0}, "Temperature"), ({"target": 10}, "True class"),
    ({"losses": ("mse_sigmoid_sum",)}, "Keep cross-entropy"), ({"losses": ("cross_entropy", "hinge")}, "Unknown cost"),
    ({"losses": ("cross_entropy", "cross_entropy")}, "once"), ({"inputs": "raw"}, "Inputs"),
    ({"output_scale": 0.0}, "scale"), ({"epochs": 21}, "Epochs"), ({"batch_size": 4}, "Batch size"),
    ({"lr": 0.00005}, "Learning rate"),
])
def test_bad_values_are_refused_with_their_name(bad, message):
    with pytest.raises(ValueError, match=message):
        LossesView(**bad)


def test_hostile_link_keeps_the_defaults_and_says_why():
    config, messages = LossesView.from_query({"logits": "1,2,x", "losses": "nll_on_probabilities", "epochs": "1e9",
                                              "target": "3", "bias": "-2"})
    assert config == LossesView(target=3, bias=-2.0)
    assert len(messages) == 3 and all(m.startswith("Ignored URL parameter") for m in messages)


def test_presets_and_shrink():
    assert REFERENCE.train_settings().momentum == 0  # plain SGD, as the reference
    assert (REFERENCE.lr, REFERENCE.batch_size, REFERENCE.epochs, REFERENCE.output_scale) == (0.1, 64, 5, 1.0)
    assert REFERENCE.losses == LOSS_CHOICES and REFERENCE.inputs == "pixels"
    assert SATURATED.output_scale == 30 and "mse_sigmoid_sum" in SATURATED.losses
    small = shrink(LossesView())
    assert small.epochs == 1 and small.losses == LOSS_CHOICES and small.surface == LossesView().surface
    assert CompareConfig(losses=("cross_entropy",)).labels == ["Cross-entropy"]


views = st.builds(
    LossesView, gate=st.sampled_from(GATE_CHOICES), bias=st.floats(*BIAS), w1=st.floats(-SPAN, SPAN),
    w2=st.floats(-SPAN, SPAN), w0=st.floats(*START), b0=st.floats(*START), eta=st.floats(*ETA),
    logits=st.lists(st.floats(*LOGIT), min_size=10, max_size=10).map(tuple), temperature=st.floats(*TEMPERATURE),
    target=st.integers(0, 9),
    losses=st.lists(st.sampled_from(LOSS_CHOICES[1:]), unique=True).map(lambda l: ("cross_entropy", *l)),
    inputs=st.sampled_from(list(INPUTS)), output_scale=st.floats(*SCALE), lr=st.floats(*LIMITS["lr"]),
    epochs=st.integers(*EPOCHS), batch_size=st.integers(*BATCH_SIZE))


@settings(max_examples=60, deadline=None)
@given(views)
def test_any_valid_view_round_trips_through_the_url(view):
    assert LossesView.from_query(view.to_query()) == (view, [])
    assert LossesView.of(view.surface, view.neuron, view.softmax, view.compare) == view
    assert shrink(view).compare.train_settings().epochs == 1
