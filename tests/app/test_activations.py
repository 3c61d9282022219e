"""The activations page, run through the real entrypoint by Streamlit's AppTest."""
import pytest

from tests.app.conftest import frames, summary, percents, unreadable

PAGE = "activations.py"


def chart_count(at) -> int:
    return len(at.get("vega_lite_chart"))


def test_defaults_show_curves_formulas_and_depth(app):
    at = app(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Activation functions"
    assert at.multiselect(key="activations.functions").value == ["sigmoid", "tanh", "relu"]
    # f, f', three function panels, the depth chart
    assert chart_count(at) == 6
    latex = " ".join(l.value for l in at.latex)
    assert r"\sigma'(x)" in latex and r"\tanh'(x)" in latex and "ReLU" in latex
    assert any("Press **Train**" in i.value for i in at.info)
    assert any("**Predict before you press Train:**" in i.value for i in at.info)
    assert at.query_params["functions"] == "sigmoid,tanh,relu"  # the view is a link
    text = " ".join(m.value for m in at.markdown)
    # the tension a sharp student raises is answered, with this page's own numbers, and the box reproduces
    assert "ReLU passes on 0.41× of the gradient per layer, less than tanh's 0.55×" in text
    assert "**reproduced here**" in text and "Why sqrt(5)?" in text
    assert not any(h.value.startswith("Why the step function") for h in at.header)  # step is not selected
    assert not unreadable(at), unreadable(at)


@pytest.mark.parametrize("widget, key, value, shown", [
    ("multiselect", "functions", ["step", "gelu", "softplus", "elu", "silu", "leaky_relu"],
     {"functions": "step,gelu,softplus,elu,silu,leaky_relu"}),
    ("slider", "x_range", (-2.0, 12.0), {"x_min": "-2.0", "x_max": "12.0"}),
    ("slider", "depth", 25, {"depth": "25"}),
    ("selectbox", "depth_init", "he_normal", {"depth_init": "he_normal"}),
    ("text_input", "hidden", "128, 64, 32", {"hidden": "128,64,32"}),
    ("number_input", "lr", 0.05, {"lr": "0.05"}),
    ("number_input", "momentum", 0.0, {"momentum": "0.0"}),
    ("number_input", "epochs", 2, {"epochs": "2"}),
    ("number_input", "batch_size", 256, {"batch_size": "256"}),
])
def test_each_control_changes_the_view_without_error(app, widget, key, value, shown):
    at = app(PAGE).run()
    getattr(at, widget)(key=f"activations.{key}").set_value(value).run()
    assert not at.exception and not at.error
    for param, text in shown.items():
        assert at.query_params[param] == text


def widget_values(at) -> dict:
    """What each control of the page shows, by its name."""
    return {name: getattr(at, kind)(key=f"activations.{name}").value
            for kind, name in [("multiselect", "functions"), ("slider", "x_range"), ("slider", "depth"),
                               ("selectbox", "depth_init"), ("text_input", "hidden"), ("number_input", "lr"),
                               ("number_input", "momentum"), ("number_input", "epochs"),
                               ("number_input", "batch_size")]}


@pytest.mark.parametrize("query", [
    {"x_min": "-20", "x_max": "20", "depth": "30", "lr": "100", "momentum": "0.999", "epochs": "50",
     "batch_size": "4096"},
    {"x_min": "-20", "x_max": "-19.5", "depth": "1", "lr": "0.0001", "momentum": "0", "epochs": "1",
     "batch_size": "1"},
])
def test_every_value_the_config_accepts_opens_in_the_widgets(app, query):
    """The widgets' ranges are the config's: its extreme values open the page without an exception."""
    at = app(PAGE, **query).run()
    assert not at.exception and not at.warning and not at.error
    shown = widget_values(at)
    assert shown["x_range"] == (float(query["x_min"]), float(query["x_max"]))
    assert shown["depth"] == int(query["depth"]) and shown["lr"] == float(query["lr"])
    assert shown["momentum"] == float(query["momentum"]) and shown["epochs"] == int(query["epochs"])
    assert shown["batch_size"] == int(query["batch_size"])
    assert chart_count(at) == 6


def test_values_beyond_the_widget_ranges_are_reported_not_raised(app):
    at = app(PAGE, x_min="-30", depth="31", lr="0.00005", momentum="1", epochs="51", batch_size="4097").run()
    assert not at.exception
    warned = " ".join(w.value for w in at.warning)
    for name in ("x_min", "depth", "lr", "momentum", "epochs", "batch_size"):
        assert f"{name}=" in warned
    assert widget_values(at)["x_range"] == (-6.0, 6.0)


def test_a_link_restores_the_view(app):
    at = app(PAGE, functions="gelu,step", depth="20", x_min="-3", depth_init="he_normal", hidden="32,16").run()
    assert not at.exception and not at.warning
    shown = widget_values(at)
    assert shown["functions"] == ["gelu", "step"] and shown["x_range"] == (-3.0, 6.0)
    assert shown["depth"] == 20 and shown["depth_init"] == "he_normal" and shown["hidden"] == "32, 16"
    assert chart_count(at) == 5  # f, f', two function panels, the depth chart
    latex = " ".join(l.value for l in at.latex)
    assert r"\mathrm{GELU}" in latex and "H'(x)" in latex and r"\operatorname{erf}" in latex
    caption = " ".join(c.value for c in at.caption)
    assert "x ∈ [−3, 6]" in caption and "layer 20's gradient" in caption
    assert any(h.value.startswith("Why the step function") for h in at.header)  # step is selected
    assert any("**Step**" in i.value and "derivative is exactly 0" in i.value for i in at.info)
    assert at.query_params["depth"] == "20" and at.query_params["x_min"] == "-3.0"


def test_an_all_zero_gradient_is_explained(app):
    at = app(PAGE, functions="sigmoid,tanh,relu", depth_init="equal").run()
    assert not at.exception
    notes = [i.value for i in at.info if "saturated" in i.value]
    assert len(notes) == 2 and any("**Sigmoid**" in n for n in notes) and any("**Tanh**" in n for n in notes)
    assert not any("0.0e+00" in c.value for c in at.caption)


def test_the_depth_text_does_not_call_the_activation_factor_a_bound(app):
    at = app(PAGE, depth_init="he_normal").run()
    text = " ".join(m.value for m in at.markdown)
    assert "can raise or lower" in text and "shrink it by at most" not in text
    assert "shrinks the gradient at least fourfold" not in text and "at most ¼" in text
    latex = " ".join(l.value for l in at.latex)
    assert r"\partial \mathcal{L}" in latex and r"\partial L" not in latex
    caption = " ".join(c.value for c in at.caption)
    assert "Sigmoid: layer 1 receives" in caption and "weights' factor" in caption


def test_train_compares_every_selected_activation(app):
    at = app(PAGE, epochs="2").run()
    at.button[0].click().run()
    assert not at.exception
    table = summary(at)
    assert list(table["activation"]) == ["Sigmoid", "Tanh", "ReLU"]
    assert (table["status"] == "finished").all() and (percents(table["val. accuracy"]) > 0.2).all()
    notes = " ".join(m.value for m in at.markdown)
    acc = percents(table.set_index("activation")["val. accuracy"])
    assert f"**{acc.idxmin()}** lowest" in notes and f"**{acc.idxmax()}** ended highest" in notes  # read from the run
    assert not unreadable(at)
    # moving a control the training does not depend on keeps the result as it is
    at.slider(key="activations.depth").set_value(4).run()
    assert len([f for f in frames(at) if "status" in f.columns]) == 1 and not any("last run" in c.value for c in at.caption)
    # changing a training setting keeps the old result on screen, labelled, until Train is pressed
    at.number_input(key="activations.epochs").set_value(3).run()
    assert not at.exception and len([f for f in frames(at) if "status" in f.columns]) == 1
    assert any("last run" in c.value for c in at.caption)


def test_a_step_network_is_not_read_as_trained(app):
    at = app(PAGE, functions="step,relu", epochs="1").run()
    at.button[0].click().run()
    assert not at.exception
    acc = percents(summary(at).set_index("activation")["val. accuracy"])["Step"]
    (note,) = [i.value for i in at.info if "step network still reached" in i.value]
    assert f"{acc:.1%}" in note and "did not move at all" in note and "output layer" in note


def test_diverging_learning_rate_is_reported(app):
    at = app(PAGE, functions="relu", lr="50", momentum="0.99", epochs="1").run()
    at.button[0].click().run()
    assert not at.exception
    assert any("diverged at step" in w.value for w in at.warning)
    assert summary(at)["status"].str.startswith("diverged").all()
    assert not unreadable(at), unreadable(at)
    notes = " ".join(m.value for m in at.markdown)
    assert "no network learned: **ReLU** diverged at step" in notes


def test_runs_that_did_not_train_are_not_ranked(app):
    at = app(PAGE, functions="sigmoid,relu", lr="0.0001", momentum="0", epochs="1").run()
    at.button[0].click().run()
    assert not at.exception
    assert (summary(at)["status"] == "did not train").all()
    notes = " ".join(m.value for m in at.markdown)
    assert "no network learned: **Sigmoid** and **ReLU** did not train" in notes
    assert "highest" not in notes and "fastest" not in notes
    assert not unreadable(at), unreadable(at)


def test_hostile_url_is_reported_and_defaults_used(app):
    at = app(PAGE, functions="sigmoid,swish", depth="9999", hidden="50,abc", lr="nan", x_min="zz").run()
    assert not at.exception
    warned = " ".join(w.value for w in at.warning)
    for name in ("functions", "depth", "hidden", "lr", "x_min"):
        assert f"{name}=" in warned
    assert at.multiselect(key="activations.functions").value == ["sigmoid", "tanh", "relu"]
    assert chart_count(at) == 6


@pytest.mark.parametrize("widget, key, value, message", [
    ("multiselect", "functions", [], "at least one activation"),
    ("text_input", "hidden", "50, abc", "must be a whole number"),
    ("text_input", "hidden", "100000", "limited to 2048"),
    ("slider", "x_range", (1.0, 1.0), "0.5"),
])
def test_bad_input_gets_a_message_not_a_traceback(app, widget, key, value, message):
    at = app(PAGE).run()
    getattr(at, widget)(key=f"activations.{key}").set_value(value).run()
    assert not at.exception
    assert any(message in e.value for e in at.error)
