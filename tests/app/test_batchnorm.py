"""The batch-norm page, run through the real entrypoint by Streamlit's AppTest."""
import pytest

PAGE = "batchnorm.py"
SMALL = {"depth": "2", "width": "32", "epochs": "1"}


def charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def test_first_visit_trains_the_defaults_and_shows_everything(app):
    at = app(PAGE).run()
    assert not at.exception
    acc = at.dataframe[0].value.set_index("network")["val. accuracy"]
    assert acc["With BN"] > acc["Without BN"] + 0.3  # the default shows the lesson's point
    # loss, accuracy, histograms, bands, train-vs-eval, running mean, running var, gamma/beta
    assert charts(at) == 8
    assert any(r"\hat x_1" in l.value for l in at.latex)
    assert "reached" in " ".join(m.value for m in at.markdown)


@pytest.mark.parametrize("widget, key, value, param, shown", [
    ("selectbox", "activation", "relu", "activation", "relu"),
    ("selectbox", "activation", "tanh", "activation", "tanh"),
    ("slider", "depth", 4, "depth", "4"),
    ("number_input", "width", 16, "width", "16"),
    ("number_input", "lr", 0.05, "lr", "0.05"),
    ("number_input", "momentum", 0.0, "momentum", "0.0"),
    ("number_input", "epochs", 2, "epochs", "2"),
    ("number_input", "batch_size", 32, "batch_size", "32"),
])
def test_each_control_changes_the_view_without_error(app, widget, key, value, param, shown):
    at = app(PAGE, **SMALL).run()
    getattr(at, widget)(key=f"batchnorm.{key}").set_value(value).run()
    assert not at.exception and not at.error
    assert at.query_params[param] == shown
    assert any("last run" in c.value for c in at.caption)  # old result kept until Train
    [b for b in at.button if b.label == "Train"][0].click().run()
    assert not at.exception and not any("last run" in c.value for c in at.caption)


def test_snapshot_slider_and_layer_choice(app):
    at = app(PAGE, **SMALL).run()
    slider = at.select_slider[0]
    slider.set_value(slider.options[0]).run()
    assert not at.exception
    at.selectbox(key="batchnorm.layer").set_value(1).run()
    assert not at.exception and charts(at) == 8


def test_fewer_layers_after_retraining_keeps_a_valid_layer_choice(app):
    at = app(PAGE, depth="3", width="16", epochs="1").run()
    at.selectbox(key="batchnorm.layer").set_value(3).run()
    at.slider(key="batchnorm.depth").set_value(1).run()
    [b for b in at.button if b.label == "Train"][0].click().run()
    assert not at.exception
    assert at.selectbox(key="batchnorm.layer").value == 1


def test_hostile_url_is_reported_and_defaults_used(app):
    at = app(PAGE, activation="swish", depth="99", batch_size="1", epochs="1").run()
    assert not at.exception
    warned = " ".join(w.value for w in at.warning)
    for name in ("activation", "depth", "batch_size"):
        assert f"{name}=" in warned
    assert at.slider(key="batchnorm.depth").value == 3


def test_divergence_is_reported_and_the_page_still_draws(app):
    at = app(PAGE, activation="relu", depth="2", width="32", epochs="1", lr="90", momentum="0.99").run()
    assert not at.exception
    assert any("Without BN diverged at step" in w.value for w in at.warning)
    status = at.dataframe[0].value.set_index("network")["status"]
    assert status["Without BN"].startswith("diverged") and status["With BN"] == "finished"
    assert charts(at) == 8
