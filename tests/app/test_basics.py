"""The basics page, run through the real entrypoint by Streamlit's AppTest."""
import json
import re
from tests.app.conftest import frames, unreadable

PAGE = "basics.py"
SMALL_CLASSIFIER = {"mlp_epochs": "1", "mlp_batch_size": "512"}


def charts(at) -> list[str]:
    """Each chart's title text (top-level or of its first panel)."""
    titles = []
    for chart in at.get("vega_lite_chart"):
        spec = json.loads(chart.proto.spec)
        title = spec.get("title") or (spec.get("vconcat") or [{}])[0].get("title", "")
        titles.append(title.get("text", "") if isinstance(title, dict) else title)
    return titles


def text(at) -> str:
    """Everything the page says in words (markdown, captions, callouts)."""
    parts = [e.value for kind in ("markdown", "caption", "success", "warning", "info", "error") for e in getattr(at, kind)]
    return " ".join(parts)


def button(at, label: str):
    return [b for b in at.button if b.label == label][0]


def assert_clean(at) -> None:
    assert not at.exception
    assert not re.search(r"\b(nan|None|inf)\b", text(at))  # (ui.outcome's "became NaN or infinite" is words)
    assert not unreadable(at), unreadable(at)


def test_first_visit_draws_every_part_and_trains_the_adder(app):
    at = app(PAGE).run()
    assert_clean(at)
    assert not at.main.error and not at.main.warning  # nothing wrong with the defaults
    titles = charts(at)
    assert titles == ["The weighted sum z", "The activation: Step", "The output Step(z)", "A small change of w₁",
                      "AND: the line after each update", "Two sigmoid neurons, then one", "What the output neuron sees",
                      "Sum of three: mean squared error", "Predictions on 200 validation triples"]
    words = text(at)
    assert "= 0.5" in " ".join(l.value for l in at.latex)  # z at the picked point (1, 1): 1 + 1 - 1.5
    assert "epoch **6**" in words  # AND, the reference
    table = frames(at)[1].set_index("gate")  # the perceptron's table of every gate
    assert table.loc["NAND"].tolist()[:3] == ["4", "6", "6"] and table.loc["XOR"].iloc[0] == "never"
    assert "Solved" in words and "Step 1 of 3,200" in words and "**3,200 optimizer steps**" in words
    assert any(s.value.startswith("**Converged.**") for s in at.success)
    assert "Dead ReLU units" in words
    assert any("Press **Train the classifier**" in i.value for i in at.info)  # heavy: not on a first visit
    assert at.metric[0].value == "0.892"  # the query (0.2, 0.3, 0.4) at seed 0
    assert at.query_params["gate"] == "and" and at.query_params["step"] == "1"
    assert any(t.startswith("What to notice") for t in [h.value for h in at.subheader])


def test_the_neuron_follows_its_sliders(app):
    at = app(PAGE).run()
    at.slider(key="basics.w1").set_value(-2.0).run()
    at.selectbox(key="basics.activation").set_value("sigmoid").run()
    at.number_input(key="basics.x2").set_value(0.5).run()
    assert_clean(at)
    assert at.query_params["w1"] == "-2.0" and at.query_params["activation"] == "sigmoid"
    tex = " ".join(l.value for l in at.latex)
    assert "(-2)(1) + (1)(0.5) + (-1.5) = -3" in tex and r"\mathrm{Sigmoid}(-3) = 0.0474" in tex
    assert "The output Sigmoid(z)" in charts(at)


def test_perceptron_gates_and_start(app):
    at = app(PAGE).run()
    at.radio(key="basics.gate").set_value("xor").run()
    assert_clean(at)
    assert "**4 errors** in epoch 100" in text(at) and at.query_params["gate"] == "xor"
    at.radio(key="basics.gate").set_value("nand").run()
    assert "Floating point decided update 15" in text(at)
    at.radio(key="basics.start").set_value("neuron").run()
    assert_clean(at)
    assert "starting from the neuron's w₁, w₂, b" in text(at) and at.query_params["start"] == "neuron"


def test_step_mode_advances_and_is_in_the_url(app):
    at = app(PAGE).run()
    button(at, "Take one step").click().run()
    assert "Step 2 of 3,200" in text(at) and at.query_params["step"] == "2"
    button(at, "Take 10 steps").click().run()
    assert "Step 12 of 3,200" in text(at) and at.query_params["step"] == "12"
    forward = frames(at)[2]
    assert len(forward) == 32 and list(forward.columns[:4]) == ["row", "a", "b", "c"]
    params = frames(at)[3]
    assert len(params) == 21 and list(params.columns) == ["parameter", "before", "gradient", "lr × gradient", "after"]
    button(at, "Start over").click().run()
    assert "Step 1 of 3,200" in text(at)
    assert_clean(at)


def test_a_link_past_the_last_step_shows_the_last(app):
    at = app(PAGE, batch_size="1000", step="150").run()
    assert_clean(at)
    assert "Step 100 of 100" in text(at) and at.query_params["step"] == "100"
    assert button(at, "Take one step").disabled


def test_presets_and_train_show_which_outcome_happened(app):
    at = app(PAGE, seed="1").run()  # a seed of its own: no other test has trained these runs
    button(at, "Full batch").click().run()
    assert at.number_input(key="basics.batch_size").value == 1000
    assert any("last run" in c.value for c in at.caption)  # the old run stays until Train
    button(at, "Train all the steps").click().run()
    assert_clean(at)
    assert any(w.value.startswith("**Not converged yet.** After only 100 optimizer steps") for w in at.warning)
    button(at, "Inputs in [0, 10)").click().run()
    button(at, "Train all the steps").click().run()
    assert any(w.value.startswith("**The network predicts the mean.**") for w in at.warning)
    assert "4 of 4" in text(at) and at.query_params["high"] == "10.0"


def test_an_inconsistent_range_is_said_in_place_and_the_rest_keeps_working(app):
    at = app(PAGE).run()
    at.number_input(key="basics.low").set_value(5.0).run()
    assert not at.exception
    assert any("low end below its high end" in e.value for e in at.main.error)
    assert len(charts(at)) == 9 and at.query_params["low"] == "0.0"  # the link keeps the last valid range
    assert "Step 1 of 3,200" in text(at)
    at.number_input(key="basics.high").set_value(10.0).run()
    assert not at.main.error and at.query_params["low"] == "5.0" and at.query_params["high"] == "10.0"


def test_the_prediction_box(app):
    at = app(PAGE).run()
    at.number_input(key="basics.q1").set_value(1.0).run()
    assert_clean(at)
    assert at.query_params["q1"] == "1.0"
    assert abs(float(at.metric[0].value) - 1.7) < 0.05 and any("True sum 1.7" in c.value for c in at.caption)


def test_divergence_is_reported_and_the_page_still_draws(app):
    at = app(PAGE, lr="5", high="10", epochs="3").run()
    assert_clean(at)
    assert any("Sum of three diverged at step" in w.value for w in at.warning)
    assert "Sum of three: mean squared error" in charts(at)


def test_a_link_asking_for_too_many_steps_waits_for_train_and_is_refused(app):
    at = app(PAGE, batch_size="1", epochs="500", step="5000").run()
    assert_clean(at)
    assert "**500,000 optimizer steps**" in text(at) and "Step 5,000 of 500,000" in text(at)
    assert "One step at a time goes up to step 5,000" in text(at) and button(at, "Take one step").disabled
    assert any("Press **Train all the steps** to train 500,000 steps" in i.value for i in at.info)  # no autorun
    button(at, "Train all the steps").click().run()
    assert_clean(at)
    refused = " ".join(e.value for e in at.main.error)
    assert "500,000 training steps" in refused and "shared server" in refused


def test_the_classifier_trains_behind_its_button(app):
    at = app(PAGE, mlp_lr="0.001", **SMALL_CLASSIFIER).run()
    assert "**16 optimizer steps**" in text(at)
    button(at, "Train the classifier").click().run()
    assert_clean(at)
    titles = charts(at)
    assert "Training loss" in titles and "Validation accuracy" in titles and "Confusion matrix" in titles
    words = text(at)
    assert "This run took **16 optimizer steps**" in words and "100× less than at 0.1" in words
    assert "most confident mistakes" in words
    assert len(titles) == 13  # the 9 of the default view, loss, accuracy, confusion matrix, mistakes
    summary = [d for d in frames(at) if "status" in d.columns][0]
    # 16 steps at the quickstart's learning rate learn nothing, and the shared outcome callout says so
    assert summary["status"].iloc[0] == "did not train" and summary["network"].iloc[0] == "784-512-512-10 MLP"
    assert any("784-512-512-10 MLP did not train" in w.value for w in at.warning)


def test_hostile_url_is_reported_and_defaults_used(app):
    at = app(PAGE, gate="xnor", low="5", high="1", step="-3", activation="<script>", q1="1e9", w1="abc",
             standardise="maybe", mlp_epochs="0").run()
    assert_clean(at)
    warned = " ".join(w.value for w in at.main.warning)
    for name in ("gate", "step", "activation", "q1", "w1", "standardise", "mlp_epochs"):
        assert f"{name}=" in warned
    assert "low=" in warned or "high=" in warned
    assert at.radio(key="basics.gate").value == "and" and at.slider(key="basics.w1").value == 1.0
    assert len(charts(at)) == 9


def test_a_link_round_trips(app):
    at = app(PAGE, w1="-2.0", gate="or", activation="relu", step="5", lr="0.02", batch_size="100", epochs="20",
             perceptron_lr="0.5").run()
    assert_clean(at)
    assert at.slider(key="basics.w1").value == -2.0 and at.radio(key="basics.gate").value == "or"
    assert at.number_input(key="basics.lr").value == 0.02 and at.number_input(key="basics.perceptron_lr").value == 0.5
    assert "Step 5 of 200" in text(at) and "epoch **4**" in text(at)
    for key, value in (("w1", "-2.0"), ("gate", "or"), ("activation", "relu"), ("step", "5"), ("epochs", "20")):
        assert at.query_params[key] == value
