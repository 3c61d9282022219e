"""The basics lesson's sentences follow the runs they describe, and its charts compile with the one scrubbing
parameter that drives the perceptron figure."""
import altair as alt
import pytest
from hypothesis import given, settings, strategies as st

from core.lessons.basics import charts, neuron, perceptron as P, story
from core.lessons.basics.config import NeuronConfig, PerceptronConfig, SumConfig


def spec_text(chart: alt.TopLevelMixin) -> str:
    return str(chart.to_dict())


def test_update_texts_say_the_arithmetic():
    run = P.perceptron(PerceptronConfig("and", 0.1))
    texts = story.update_texts(run)
    assert set(texts["update"]) == set(range(run.last_update + 1)) and texts.groupby("update").size().isin([3, 4]).all()
    first = texts[texts["update"] == 1]["text"].tolist()
    assert first == ["Update 1 · epoch 1 · example (0, 0), y = 0", "z = 0·0 + 0·0 + 0 = 0 ≤ 0, so ŷ = 0",
                     "y − ŷ = 0: right, so nothing changes"]
    wrong = texts[texts["update"] == 4]["text"].tolist()[2:]
    assert wrong == ["y − ŷ = 1: w ← w + 0.1·(1)·(1, 1) = (0.1, 0.1)", "b ← b + 0.1·(1) = 0.1"]
    # short enough for the figure's text mark, which cuts a line at the plane's width (290 px at 13 px type)
    assert texts["text"].str.len().max() <= story.UPDATE_CHARS
    assert "nan" not in " ".join(texts["text"]).lower()


def test_perceptron_and_rounding_sentences_follow_the_run():
    assert "epoch **6**" in story.perceptron_verdict(P.perceptron(PerceptronConfig("and", 0.1)))
    xor = P.perceptron(PerceptronConfig("xor", 0.1))
    assert "**4 errors** in epoch 100" in story.perceptron_verdict(xor)
    nand = P.perceptron(PerceptronConfig("nand", 0.1))
    note = story.rounding_note(P.rounding_effect(nand), nand)
    assert "update 15" in note and "epoch 6, not 4" in note and "1.49 × 10⁻⁸" in note
    assert "changed nothing" in story.rounding_note(None, xor)
    assert story.line_text(0.2, 0.1, -0.2) == "0.2·x₁ + 0.1·x₂ − 0.2 = 0"
    assert story.line_text(-1.0, 0.0, 0.5) == "−1·x₁ + 0·x₂ + 0.5 = 0"


def test_steps_text():
    assert story.steps_text(SumConfig(batch_size=1000)) == \
        "100 epochs × 1 step (the whole training set in one batch) = **100 optimizer steps**"
    assert "**3,200 optimizer steps**" in story.steps_text(SumConfig(batch_size=32))
    assert story.quickstart_steps() == 4690


def test_perceptron_figure_is_driven_by_one_parameter():
    run = P.perceptron(PerceptronConfig("xor", 0.1))
    spec = charts.perceptron_chart(run, story.update_texts(run)).to_dict()
    params = spec["params"]
    assert [p["name"] for p in params] == [charts.SCRUB]
    assert params[0]["value"] == 400 and params[0]["bind"]["max"] == 400 and params[0]["bind"]["input"] == "range"
    assert str(spec).count(f"datum.update == {charts.SCRUB}") >= 4  # line, ring, words, epoch marker
    assert spec["autosize"] == {"type": "pad"}


def test_neuron_and_xor_charts_compile():
    cfg = NeuronConfig()
    grid = neuron.plane(cfg, n=11)
    line = neuron.decision_line(cfg.w1, cfg.w2, cfg.bias)
    for value in ("z", "output"):
        spec = spec_text(charts.neuron_plane_chart(grid, line, (1.0, 1.0), value, "t", "relu"))
        assert charts.PICK in spec
    net = P.train_xor(0)
    assert "hidden neuron 2" in spec_text(charts.xor_plane_chart(net.grid, P.hidden_lines(net), charts.gate_points("xor")))
    charts.hidden_space_chart(net.rows, P.output_line(net)).to_dict()
    points = charts.gate_points("xor")
    assert points["label"].tolist() == ["0", "1", "1", "0"] and points["class"].iloc[1] == "y = 1"


@pytest.mark.parametrize("name", ["step", "sigmoid", "tanh", "relu"])
def test_activation_and_sweep_charts_compile(name):
    cfg = NeuronConfig(activation=name)
    curve = neuron.activation_curve(name, (-3, 3))
    charts.activation_chart(curve, 0.5, 0.6, name).to_dict()
    charts.sweep_chart(neuron.weight_sweep(cfg), cfg.w1).to_dict()


def test_takeaways_follow_the_runs():
    table = P.gate_table(0.1, (0.0, 0.0, 0.0))
    net = P.train_xor(0)
    first, second, last = story.takeaways(table, 0.1, net, None, None, None)
    assert "AND in epoch 6, OR in epoch 4, NAND in epoch 4; for XOR it never came" in first
    assert "Floating point decided NAND's (in exact arithmetic: epoch 6)." in first
    assert second.startswith("Two layers of sigmoid neurons") and "Train the classifier" in last


@settings(max_examples=40, deadline=None)
@given(gate=st.sampled_from(["and", "or", "nand", "xor"]), lr=st.floats(0.001, 2.0),
       initial=st.tuples(*[st.floats(-2, 2, allow_subnormal=False)] * 3))
def test_every_line_of_arithmetic_fits_the_figure(gate, lr, initial):
    """Any gate, learning rate and start: each line fits the figure's text mark (only one number longer
    than a line may overrun it), and the update's lines follow one another."""
    texts = story.update_texts(P.perceptron(PerceptronConfig(gate, lr, initial)))
    long = texts[texts["text"].str.len() > story.UPDATE_CHARS]["text"]
    assert long.str.strip().str.count(" ").eq(0).all(), long.tolist()[:3]
    assert texts.groupby("update")["line"].apply(lambda s: list(s) == list(range(1, len(s) + 1))).all()
