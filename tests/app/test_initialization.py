"""The initialization page, run through the real entrypoint by Streamlit's AppTest."""
import pytest

PAGE = "initialization.py"


def charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def test_defaults_show_gradients_activations_and_formulas(app):
    at = app(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Weight initialization"
    # two gradient charts, box plots, spread, saturation
    assert charts(at) == 5
    ratios = at.dataframe[0].value.set_index("scheme")
    assert ratios.loc["PyTorch default"].iloc[0] < 0.01 < ratios.loc["Xavier uniform"].iloc[0]
    assert len(at.latex) == 6  # one formula per selected scheme
    assert any("Press **Train**" in i.value for i in at.info)
    assert at.query_params["depth"] == "10" and "he_uniform" in at.query_params["schemes"]


@pytest.mark.parametrize("widget, key, value, param, shown", [
    ("multiselect", "schemes", ["xavier_normal", "he_normal"], "schemes", "xavier_normal,he_normal"),
    ("selectbox", "activation", "relu", "activation", "relu"),
    ("selectbox", "activation", "sigmoid", "activation", "sigmoid"),
    ("slider", "depth", 30, "depth", "30"),
    ("number_input", "width", 16, "width", "16"),
    ("number_input", "lr", 0.1, "lr", "0.1"),
    ("number_input", "momentum", 0.5, "momentum", "0.5"),
    ("number_input", "epochs", 1, "epochs", "1"),
    ("number_input", "batch_size", 128, "batch_size", "128"),
])
def test_each_control_changes_the_view_without_error(app, widget, key, value, param, shown):
    at = app(PAGE).run()
    getattr(at, widget)(key=f"initialization.{key}").set_value(value).run()
    assert not at.exception and not at.error
    assert at.query_params[param] == shown


@pytest.mark.parametrize("preset, activation, depth, schemes", [
    ("glorot", "tanh", 10, ["default", "xavier_uniform"]),
    ("he", "relu", 30, ["xavier_normal", "he_normal"]),
])
def test_presets_set_every_control(app, preset, activation, depth, schemes):
    at = app(PAGE).run()
    at.button(key=f"preset-{preset}").click().run()
    assert not at.exception
    assert at.selectbox(key="initialization.activation").value == activation
    assert at.slider(key="initialization.depth").value == depth
    assert at.multiselect(key="initialization.schemes").value == schemes
    assert at.query_params["schemes"] == ",".join(schemes)


def test_train_shows_comparison_heatmap_and_symmetry(app):
    at = app(PAGE, schemes="equal,xavier_uniform", depth="4", width="32", epochs="1").run()
    train = [b for b in at.button if b.label == "Train"][0]
    train.click().run()
    assert not at.exception
    summary = at.dataframe[1].value
    assert list(summary["initialization"]) == ["All equal (1)", "Xavier uniform"]
    distinct = at.dataframe[2].value.set_index("initialization")
    assert (distinct.loc["All equal (1)"] == 1).all() and (distinct.loc["Xavier uniform"] == 32).all()
    # gradients, activations (5), loss, accuracy, heatmap, two cosine maps
    assert charts(at) == 10


def test_hostile_url_is_reported_and_defaults_used(app):
    at = app(PAGE, schemes="xavier,he", depth="-3", width="1e9", activation="swish", lr="inf").run()
    assert not at.exception
    warned = " ".join(w.value for w in at.warning)
    for name in ("schemes", "depth", "width", "activation", "lr"):
        assert f"{name}=" in warned
    assert at.slider(key="initialization.depth").value == 10


def test_no_scheme_selected_is_a_message(app):
    at = app(PAGE).run()
    at.multiselect(key="initialization.schemes").set_value([]).run()
    assert not at.exception
    assert any("at least one initialization" in e.value for e in at.error)
