"""The regularization page, run through the real entrypoint by Streamlit's AppTest."""
import re

import pytest

from core.lessons.regularization import config as lesson_config
from tests.app.conftest import frames, percents, unreadable

PAGE = "regularization.py"
# small settings for the trained sections, so every click trains in a few seconds
NET = {"net_images": "200", "net_epochs": "2", "net_batch_size": "20"}
COMPARE = {"images": "200", "width": "16", "epochs": "2"}
DATA = {"data_sizes": "100,300", "data_steps": "50"}


@pytest.fixture(autouse=True)
def no_cached_runs():
    """Each test starts with no trained result in the server-wide cache, so what it sees is its own."""
    from ui.runner import run_cache

    run_cache().clear()


def charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def text(at) -> str:
    """Everything the page wrote in the main area: markdown, captions, callouts, metrics and tables."""
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "error", "success") for e in getattr(at.main, kind)]
    parts += [str(m.value) for m in at.main.metric] + [df.to_string() for df in frames(at)]
    return " ".join(parts)


def click(at, label: str):
    return [b for b in at.button if b.label.startswith(label)][0].click().run()


def assert_clean(at) -> None:
    assert not at.exception
    shown = text(at)
    assert not re.search(r"\bnan\b|\bNone\b", shown), shown[:500]
    assert not unreadable(at), unreadable(at)


def test_first_visit_fits_curves_instantly_and_waits_for_train(app):
    at = app(PAGE).run()
    assert_clean(at)
    assert at.title[0].value == "Overfitting and regularization"
    # curve fit, error against M, error against ln λ (in its expander), and the 4 dropout heatmaps
    assert charts(at) == 7
    metrics = {m.label: m.value for m in at.main.metric}
    assert metrics["Training RMS error"] == "0.000" and metrics["Test RMS error"] == "0.740"
    assert metrics["Largest |coefficient|"] == "330,000"
    shown = text(at)
    assert "test error is lowest at **M = 5**" in shown
    assert "Press **Train the network**" in shown and "Press **Train the seven networks**" in shown
    assert "Press **Train the learning curves**" in shown
    assert "at initialisation" in shown  # the dropout view before the comparison is trained
    assert any("Sample 0 lies within" in c.value for c in at.caption)  # the reference numbers, computed
    assert at.query_params["degree"] == "9" and at.query_params["width"] == "128"


@pytest.mark.parametrize("widget, key, value, param, shown", [
    ("slider", "degree", 3, "degree", "3"),
    ("slider", "points", 50, "points", "50"),
    ("toggle", "ridge", True, "ridge", "true"),
    ("number_input", "sample", 4, "sample", "4"),
    ("slider", "net_images", 2000, "net_images", "2000"),
    ("number_input", "net_l2", 0.5, "net_l2", "0.5"),
    ("number_input", "net_epochs", 100, "net_epochs", "100"),
    ("slider", "dropout", 0.3, "dropout", "0.3"),
    ("selectbox", "monitor", "val_loss", "monitor", "val_loss"),
    ("number_input", "lr", 0.05, "lr", "0.05"),
    ("text_input", "data_sizes", "100, 8000", "data_sizes", "100,8000"),
    ("selectbox", "data_regularizer", "noise", "data_regularizer", "noise"),
])
def test_each_control_changes_the_view_without_error(app, widget, key, value, param, shown):
    at = app(PAGE).run()
    getattr(at, widget)(key=f"regularization.{key}").set_value(value).run()
    assert_clean(at)
    assert not at.main.error
    assert at.query_params[param] == shown


def test_the_ridge_penalty_tames_the_degree_9_fit(app):
    at = app(PAGE, ridge="true").run()
    assert_clean(at)
    metrics = {m.label: m.value for m in at.main.metric}
    assert metrics["Training RMS error"] == "0.176" and metrics["Test RMS error"] == "0.451"
    assert "The penalty ln λ = −18 shrinks them" in text(at)


def test_nielsens_network_trains_and_shows_training_against_validation(app):
    at = app(PAGE, **NET).run()
    click(at, "Train the network")
    assert_clean(at)
    assert charts(at) == 9  # + cost and accuracy, training (solid) against validation (dashed)
    tables = [d for d in frames(at) if "network" in d.columns and "gap" in d.columns]
    runs = tables[0].set_index("network")
    assert list(runs.index) == ["No regularization", "L2 weight decay"]
    assert percents(runs["training acc."]).notna().all()
    labels = [m.label for m in at.main.metric]
    assert "Generalisation gap" in labels and "Lowest validation cost" in labels
    assert any(r"\texttt{weight\_decay}" in l.value and r"= 5 \cdot 10^{-4}" in l.value for l in at.latex)  # 0.1/200


def test_replaying_nielsens_recipe_sets_the_widgets_and_trains(app, monkeypatch):
    """The button applies PRESETS['nielsen'] and trains in the same click (here a shortened recipe)."""
    short = {**lesson_config.PRESETS["nielsen"], "net_epochs": 2, "net_images": 200, "net_batch_size": 50}
    monkeypatch.setitem(lesson_config.PRESETS, "nielsen", short)
    at = app(PAGE, net_epochs="5", net_lr="1.0").run()
    click(at, "Replay Nielsen's recipe")
    assert_clean(at)
    assert at.number_input(key="regularization.net_epochs").value == 2
    assert at.number_input(key="regularization.net_lr").value == 0.5
    assert at.query_params["net_epochs"] == "2"
    assert charts(at) == 9 and not any("last run" in c.value for c in at.caption)


def test_the_comparison_trains_seven_networks_and_the_dropout_view_follows(app):
    at = app(PAGE, **COMPARE).run()
    click(at, "Train the seven networks")
    assert_clean(at)
    tables = [d for d in frames(at) if "regularizer" in d.columns]
    assert list(tables[0]["regularizer"]) == list(lesson_config.REGULARIZERS.values())
    assert charts(at) == 10  # + validation accuracy, the gain over the plain network, training against validation
    shown = text(at)
    assert "Highest validation accuracy" in shown and "the trained dropout network of section 3" in shown
    at.selectbox(key="regularization.layer").set_value(2).run()
    assert_clean(at)
    assert at.query_params["layer"] == "2" and "hidden layer 2 (16 units)" in text(at)


def test_a_trap_preset_sets_its_settings_and_trains(app):
    at = app(PAGE, **COMPARE).run()
    click(at, "Trap: stop on the loss")
    assert_clean(at)
    assert at.selectbox(key="regularization.monitor").value == "val_loss"
    assert at.query_params["patience"] == "2"
    assert "Early stopping watched the validation loss" in text(at) or "Early stopping never stopped" in text(at)


def test_a_diverging_setting_is_reported_and_the_page_still_draws(app):
    at = app(PAGE, **COMPARE, lr="100", momentum="0.99").run()
    click(at, "Train the seven networks")
    assert_clean(at)
    warned = " ".join(w.value for w in at.main.warning)
    assert "diverged at step" in warned or "did not train" in warned
    tables = [d for d in frames(at) if "regularizer" in d.columns]
    assert tables[0]["status"].str.contains("diverged|did not train").any()
    assert charts(at) >= 8


def test_more_data_trains_both_networks_per_size(app):
    at = app(PAGE, **COMPARE, **DATA).run()
    click(at, "Train the learning curves")
    assert_clean(at)
    tables = [d for d in frames(at) if "training images" in d.columns]
    assert list(tables[0]["training images"]) == ["100", "100", "300", "300"]
    assert "Without regularization, validation accuracy grows" in text(at) or "changes validation accuracy" in text(at)


def test_bad_sizes_are_an_error_in_their_section_only(app):
    at = app(PAGE).run()
    at.text_input(key="regularization.data_sizes").set_value("100, lots").run()
    assert not at.exception
    assert any("whole number" in e.value for e in at.main.error)
    assert charts(at) == 7 and at.query_params["data_sizes"] == "100,250,500,1000,2000,4000,8000"


def test_hostile_url_is_reported_and_defaults_used(app):
    at = app(PAGE, degree="99", points="abc", net_images="50", data_sizes="1,2,x", layer="9", monitor="<script>",
             dropout="1.5", ln_lambda="inf", net_l2="-3").run()
    assert not at.exception
    warned = " ".join(w.value for w in at.main.warning)
    for name in ("degree", "points", "net_images", "data_sizes", "layer", "monitor", "dropout", "ln_lambda", "net_l2"):
        assert f"{name}=" in warned, name
    assert at.slider(key="regularization.degree").value == 9 and charts(at) == 7


def test_a_shared_link_reproduces_the_view(app):
    at = app(PAGE, degree="4", points="20", ridge="true", ln_lambda="-10.0", depth="3", layer="3").run()
    assert_clean(at)
    assert at.slider(key="regularization.degree").value == 4 and at.slider(key="regularization.points").value == 20
    assert at.selectbox(key="regularization.layer").value == 3
    assert at.query_params["ln_lambda"] == "-10.0" and at.query_params["layer"] == "3"
