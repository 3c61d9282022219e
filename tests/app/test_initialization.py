"""The initialization page, run through the real entrypoint by Streamlit's AppTest."""
import re

import pytest

from tests.app.conftest import frames, numbers, unreadable

PAGE = "initialization.py"
SMALL = {"schemes": "xavier_uniform", "depth": "3", "width": "16", "epochs": "1"}  # trains in about a second


def charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def text(at, kind: str) -> str:
    return " ".join(e.value for e in getattr(at, kind))


def at_init_view(at) -> tuple:
    """What the at-initialization part shows: the verdict table, the formula cards' numbers, chart data."""
    specs = tuple(c.proto.spec for c in at.get("vega_lite_chart"))
    return frames(at)[0].to_json(), text(at, "caption"), specs


def ratios(column) -> "pd.Series":
    """The verdict table's ratio column ("36×", "0.23×", "1 in 210", "1.8 × 10¹⁶×", "—") back as numbers."""
    import pandas as pd

    def value(text: str) -> float:
        if text == "—":
            return float("nan")
        if text.startswith("1 in "):
            return 1 / value(text[5:] + "×")
        text = text.rstrip("×").replace(",", "").replace("−", "-")
        if " × 10" in text:
            mantissa, power = text.split(" × 10")
            return float(mantissa) * 10 ** int(power.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
        if text.startswith("10") and len(text) > 2:
            return 10 ** int(text[2:].translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
        return float(text)
    return pd.Series(column).map(value)


def train(at):
    [b for b in at.button if b.label == "Train"][0].click().run()
    assert not at.exception
    return at


def test_defaults_show_gradients_verdicts_and_formulas(app):
    at = app(PAGE).run()
    assert not at.exception
    assert at.title[0].value == "Weight initialization"
    # two gradient charts, one box plot per scheme (six), spread, saturation
    assert charts(at) == 10
    table = frames(at)[0].set_index("scheme")
    ratio = ratios(table["ratio ‖∂L/∂s‖"])
    assert ratio.isna()["All equal (1)"]  # 0 / 0: no gradient reached any hidden layer
    assert ratio["PyTorch default"] < 0.01 < ratio["Xavier uniform"]
    assert table.loc["PyTorch default", "ratio ‖∂L/∂s‖"] == "1 in 210"  # a tiny ratio a student can read
    assert table.loc["Uniform [-1, 1]", "verdict"] == "exploding, saturated"
    assert table.loc["Xavier uniform", "verdict"] == table.loc["He uniform", "verdict"] == "healthy"
    # the equal-weights line is missing from the log charts: the page says where and why
    warned = text(at, "warning")
    assert "**All equal (1)**: the gradient reaching hidden layers 1–10 is exactly 0" in warned
    assert "saturated at ±1" in warned and "**Uniform [-1, 1]** explodes" in warned
    assert len(at.latex) == 6  # one formula per selected scheme, beside its measured verdict
    assert r"W,\ b\sim U" in " ".join(l.value for l in at.latex)  # PyTorch's default keeps a random bias
    assert "a = 0.125" in text(at, "caption")  # 1/sqrt(64), PyTorch default's hidden-layer bound
    notice = text(at, "markdown")
    assert "Healthy at initialization for this network: **Xavier uniform** (ratio 0.23×), **He uniform**" in notice
    assert "boxes pressed against −1 and +1" in text(at, "caption")
    # said once, under the box plots, not repeated in the takeaways (issue 20)
    assert (text(at, "caption") + notice).count("boxes pressed against") == 1
    assert "lines of All equal (1) and Uniform [-1, 1] lie on top of each other" in text(at, "caption")
    assert any("Press **Train**" in i.value for i in at.info)
    assert any("**Predict before you press Train:**" in i.value for i in at.info)
    # the papers' results beside ours: Glorot measured live, He waiting for its preset to be trained
    assert "[Glorot & Bengio 2010, §4.2.2, Figure 7]" in notice and "**reproduced here**" in notice
    assert "**not measured yet**" in notice and "Press **He et al. 2015: 30-layer ReLU**" in text(at, "caption")
    assert at.query_params["depth"] == "10" and "he_uniform" in at.query_params["schemes"]
    assert not unreadable(at), unreadable(at)


def test_sigmoid_wording_names_its_own_flat_parts(app):
    at = app(PAGE, activation="sigmoid").run()
    assert not at.exception
    assert "pressed against 0 or 1" in text(at, "caption") and "±1" not in text(at, "caption")
    assert "saturated at 0 or 1" in text(at, "warning")
    assert "No selected scheme is healthy" in text(at, "markdown")


@pytest.mark.parametrize("widget, key, value, param, shown", [
    ("multiselect", "schemes", ["xavier_normal", "he_normal"], "schemes", "xavier_normal,he_normal"),
    ("selectbox", "activation", "relu", "activation", "relu"),
    ("selectbox", "activation", "sigmoid", "activation", "sigmoid"),
    ("slider", "depth", 30, "depth", "30"),
    ("number_input", "width", 16, "width", "16"),
])
def test_each_architecture_control_changes_the_measurements(app, widget, key, value, param, shown):
    at = app(PAGE).run()
    before = at_init_view(at)
    getattr(at, widget)(key=f"initialization.{key}").set_value(value).run()
    assert not at.exception and not at.error
    assert at.query_params[param] == shown
    after = at_init_view(at)
    assert after[0] != before[0] and after[2] != before[2]  # other verdicts/ratios, other chart data
    if key == "width":
        assert after[1] != before[1]  # the formulas' evaluated bounds follow the width


@pytest.mark.parametrize("key, value, param, shown", [
    ("lr", 0.1, "lr", "0.1"),
    ("momentum", 0.5, "momentum", "0.5"),
    ("epochs", 2, "epochs", "2"),
    ("batch_size", 128, "batch_size", "128"),
])
def test_each_training_control_changes_the_trained_numbers(app, key, value, param, shown):
    at = train(app(PAGE, **SMALL).run())
    before = frames(at)[1]
    at.number_input(key=f"initialization.{key}").set_value(value).run()
    assert not at.exception and not at.error
    assert at.query_params[param] == shown
    assert "Showing the last run" in text(at, "caption")  # a nudge keeps the old run until Train
    after = frames(train(at))[1]
    assert after.loc[0, "val. loss"] != before.loc[0, "val. loss"]
    assert after.loc[0, "train loss (last epoch)"] != before.loc[0, "train loss (last epoch)"]


@pytest.mark.parametrize("preset, expected", [
    ("glorot", {"activation": "tanh", "depth": 10, "width": 64, "lr": 0.01, "momentum": 0.9, "epochs": 2,
                "batch_size": 64, "schemes": ["default", "xavier_uniform"]}),
    ("he", {"activation": "relu", "depth": 30, "width": 64, "lr": 0.005, "momentum": 0.9, "epochs": 3,
            "batch_size": 64, "schemes": ["xavier_normal", "he_normal"]}),
])
def test_presets_set_every_control(app, preset, expected):
    at = app(PAGE, width="32", lr="0.2", momentum="0.5", epochs="5", batch_size="256").run()
    at.button(key=f"preset-{preset}").click().run()
    assert not at.exception
    widgets = {"activation": at.selectbox, "depth": at.slider, "schemes": at.multiselect}
    for key, value in expected.items():
        assert widgets.get(key, at.number_input)(key=f"initialization.{key}").value == value, key
    assert at.query_params["schemes"] == ",".join(expected["schemes"])
    assert at.query_params["width"] == "64" and at.query_params["epochs"] == str(expected["epochs"])


def test_train_shows_comparison_heatmap_and_honest_symmetry(app):
    at = train(app(PAGE, schemes="equal,xavier_uniform", depth="4", width="32", epochs="1").run())
    summary = frames(at)[1]
    assert list(summary["initialization"]) == ["All equal (1)", "Xavier uniform"]
    # the page's own equal run is saturated: its hidden weights never moved, and the page says so
    assert "**All equal (1)**'s hidden weights never moved: max |ΔW| = 0 in all 4 hidden layers" in text(at, "markdown")
    # the dedicated experiment: equal weights that did move yet stayed identical, next to Xavier's distinct neurons
    sym = frames(at)[2].set_index(["initialization", "layer"])
    tiny = ["max |ΔW|", "max difference between neurons"]
    assert sym[tiny].map(lambda v: "e-" not in v and "e−" not in v).all().all()  # 4.89 × 10⁻², not 4.89e-02
    sym[tiny] = sym[tiny].apply(numbers)
    equal, xavier = sym.loc["Equal (1/n_in)"], sym.loc["Xavier uniform"]
    assert len(equal) == 4 and (equal["max |ΔW|"] > 1e-4).all()
    assert (equal["max difference between neurons"] == 0).all() and (equal["distinct neurons"] == 1).all()
    assert (xavier["distinct neurons"] == 32).all() and (xavier["max difference between neurons"] > 0.1).all()
    assert "identical bit for bit" in text(at, "markdown")
    # gradients (2), two box plots, spread, saturation, loss, accuracy, two heatmaps, two cosine maps
    assert charts(at) == 12


def test_relu_equal_weights_explosion_is_explained_and_linked_to_divergence(app):
    at = app(PAGE, activation="relu", schemes="equal,he_uniform", epochs="1").run()
    # 2.3e+08 or 2.4e+08: float32 sums of such large numbers differ a little from one CPU to another
    assert re.search(r"\*\*All equal \(1\)\*\* explodes towards the input: \|\|dL/ds₁\|\| = 2\.[345]\d* × 10⁸",
                     text(at, "warning"))
    table = frames(at)[0].set_index("scheme")
    assert table.loc["All equal (1)", "ratio ‖∂L/∂s‖"] == "1.8 × 10¹⁶×"  # text: st.dataframe cannot format > 2^53
    assert table.loc["All equal (1)", "verdict"] == "exploding, spread grows"
    train(at)
    assert "All equal (1) diverged at step 2" in text(at, "warning")
    assert "**All equal (1)** was already exploding at initialization" in text(at, "markdown")
    assert "**All equal (1)** diverged at step 2: its weights are no longer finite" in text(at, "markdown")
    assert "All equal (1) diverged at step 2: its panel stops there" in text(at, "caption")
    assert not unreadable(at), unreadable(at)


def test_runs_that_did_not_train_are_said_so(app):
    at = train(app(PAGE, schemes="scaled_uniform,xavier_uniform", depth="4", width="16", epochs="1").run())
    status = frames(at)[1].set_index("initialization")["status"]
    assert status["Uniform / n_in"] == "did not train"
    assert "**Uniform / n_in** did not train" in text(at, "markdown")
    assert not unreadable(at), unreadable(at)


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
