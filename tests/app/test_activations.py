"""The activations page, run through the real entrypoint by Streamlit's AppTest."""
import pytest

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
    assert at.query_params["functions"] == "sigmoid,tanh,relu"  # the view is a link


@pytest.mark.parametrize("widget, key, value, param, shown", [
    ("multiselect", "functions", ["step", "gelu", "softplus", "elu", "silu", "leaky_relu"], "functions",
     "step,gelu,softplus,elu,silu,leaky_relu"),
    ("slider", "x_range", (-2.0, 12.0), "x_max", "12.0"),
    ("slider", "depth", 25, "depth", "25"),
    ("selectbox", "depth_init", "he_normal", "depth_init", "he_normal"),
    ("text_input", "hidden", "128, 64, 32", "hidden", "128,64,32"),
    ("number_input", "lr", 0.05, "lr", "0.05"),
    ("number_input", "momentum", 0.0, "momentum", "0.0"),
    ("number_input", "epochs", 2, "epochs", "2"),
    ("number_input", "batch_size", 256, "batch_size", "256"),
])
def test_each_control_changes_the_view_without_error(app, widget, key, value, param, shown):
    at = app(PAGE).run()
    getattr(at, widget)(key=f"activations.{key}").set_value(value).run()
    assert not at.exception and not at.error
    assert at.query_params[param] == shown


def test_train_compares_every_selected_activation(app):
    at = app(PAGE, epochs="2").run()
    at.button[0].click().run()
    assert not at.exception
    table = at.dataframe[0].value
    assert list(table["activation"]) == ["Sigmoid", "Tanh", "ReLU"]
    assert (table["status"] == "finished").all() and (table["val. accuracy"] > 0.2).all()
    notes = " ".join(m.value for m in at.markdown)
    assert "**Sigmoid** learned slowest" in notes  # the takeaway reads the run, not a script
    # moving a control the training does not depend on keeps the result as it is
    at.slider(key="activations.depth").set_value(4).run()
    assert len(at.dataframe) == 1 and not any("last run" in c.value for c in at.caption)
    # changing a training setting keeps the old result on screen, labelled, until Train is pressed
    at.number_input(key="activations.epochs").set_value(3).run()
    assert not at.exception and len(at.dataframe) == 1
    assert any("last run" in c.value for c in at.caption)


def test_diverging_learning_rate_is_reported(app):
    at = app(PAGE, functions="relu", lr="50", momentum="0.99", epochs="1").run()
    at.button[0].click().run()
    assert not at.exception
    assert any("diverged at step" in w.value for w in at.warning)
    assert at.dataframe[0].value["status"].str.startswith("diverged").all()


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
