"""The batch-norm page, run through the real entrypoint by Streamlit's AppTest."""
import json

import pytest

from tests.app.conftest import frames, percents, unreadable

PAGE = "batchnorm.py"
SMALL = {"depth": "2", "width": "32", "epochs": "1"}


def charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def train(at):
    [b for b in at.button if b.label == "Train"][0].click().run()
    assert not at.exception
    return at


def test_first_visit_trains_the_defaults_and_shows_everything(app):
    at = app(PAGE).run()
    assert not at.exception
    acc = percents(frames(at)[0].set_index("network")["val. accuracy"])
    assert acc["With BN"] > acc["Without BN"] + 0.02  # the default (learning rate 0.1) shows the paper's picture
    # loss, accuracy, three histograms, bands, train-vs-eval, running mean, running var, gamma, beta
    assert charts(at) == 11
    assert any(r"\hat x_1" in l.value for l in at.latex)
    text = " ".join(m.value for m in at.markdown)
    assert "reached" in text and "with BN" in text and "median ends at" in text
    assert "**Predict before you press Train:**" in " ".join(i.value for i in at.info)
    assert "Santurkar et al. (2018)" in text and "**reproduced here**" in text  # the hedge and the paper's box
    # the scatter is capped at 64 images x 32 units and says so
    assert any("first 64 images × first 32 units (2,048 of 6,400 points)" in c.value for c in at.caption)
    assert not unreadable(at)


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


def snapshot_shown(at) -> list[int]:
    """The snapshot index each histogram chart opens at (its in-browser slider's starting value)."""
    specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
    return [p["value"] for s in specs for p in s.get("params", []) if p["name"] == "bn_snapshot"]


def test_view_round_trips_through_the_url_and_never_retrains(app, monkeypatch):
    from core.lessons.batchnorm import experiment as lesson
    runs = []
    original = lesson.train_pair
    monkeypatch.setattr(lesson, "train_pair", lambda *a, **kw: runs.append(original(*a, **kw)) or runs[-1])
    at = app(PAGE, **{**SMALL, "depth": "3"}, seed="4242", step="7", layer="2").run()
    assert not at.exception and not at.main.warning
    steps = runs[-1].snapshot_steps
    nearest = min(steps, key=lambda s: abs(s - 7))  # the recorded step nearest the link's
    assert snapshot_shown(at) == [steps.index(nearest)] * 3  # every layer's histogram opens there
    assert at.selectbox(key="batchnorm.layer").value == 2  # neither the first option nor the default (last)
    assert at.query_params["step"] == str(nearest) and at.query_params["layer"] == "2"
    assert any("Unit 1 of hidden layer 2" in m.value for m in at.markdown)
    trained = len(runs)
    at.selectbox(key="batchnorm.layer").set_value(3).run()
    assert not at.exception and charts(at) == 11  # three histograms (one per layer) among them
    assert at.query_params["step"] == str(nearest) and at.query_params["layer"] == "3"
    assert any("Unit 1 of hidden layer 3" in m.value for m in at.markdown)  # the worked example follows
    assert len(runs) == trained  # moving the view reused the run: the same result, not the "last run"
    assert not any("last run" in c.value for c in at.caption)


def test_fewer_layers_after_retraining_keeps_a_valid_layer_choice(app):
    at = app(PAGE, depth="3", width="16", epochs="1").run()
    at.selectbox(key="batchnorm.layer").set_value(3).run()
    at.slider(key="batchnorm.depth").set_value(1).run()
    [b for b in at.button if b.label == "Train"][0].click().run()
    assert not at.exception
    assert at.selectbox(key="batchnorm.layer").value == 1


def test_hostile_url_is_reported_and_defaults_used(app):
    at = app(PAGE, activation="swish", depth="99", batch_size="1", epochs="1", step="abc", layer="12").run()
    assert not at.exception
    warned = " ".join(w.value for w in at.warning)
    for name in ("activation", "depth", "batch_size", "step", "layer"):
        assert f"{name}=" in warned
    assert at.slider(key="batchnorm.depth").value == 3


def test_divergence_is_reported_and_the_page_still_draws(app):
    at = app(PAGE, activation="relu", depth="2", width="32", epochs="1", lr="90", momentum="0.99").run()
    assert not at.exception
    assert any("Without BN diverged at step" in w.value for w in at.warning)
    status = frames(at)[0].set_index("network")["status"]
    # the BN network stays finite at learning rate 90 but learns nothing: it is called so, not "finished"
    assert status["Without BN"].startswith("diverged") and status["With BN"] == "did not train"
    assert any("With BN did not train" in w.value for w in at.warning)
    # loss, accuracy, two histograms, bands; BN's running variance overflowed to inf, so no train vs eval
    assert charts(at) == 5
    assert any("The BN network did not train, and some of its weights or running statistics are no longer finite"
               in w.value for w in at.warning)
    assert not unreadable(at)


def test_a_pair_that_diverged_before_validating_is_told_in_words_never_nan(app):
    """Issue 14, finding 2: /batchnorm?lr=100&activation=relu&epochs=1 showed a TypeError (then "nan%")."""
    at = app(PAGE, lr="100", activation="relu", epochs="1").run()
    assert not at.exception
    assert not unreadable(at), unreadable(at)
    text = " ".join(m.value for m in at.markdown)
    assert "the plain network diverged at step" in text and "before its first validation" in text
    assert any("no trained network to compare in train and eval mode" in w.value for w in at.warning)
    assert "**not reproduced here**" in text


def test_a_batch_size_that_leaves_one_example_trains(app):
    """Issue 14, finding 1: 8,000 images in batches of 19 leave a last batch of one image, which batch norm
    cannot normalise (ValueError: Expected more than 1 value per channel when training)."""
    at = app(PAGE, batch_size="19", epochs="1").run()
    assert not at.exception and not at.main.error
    assert frames(at)[0].set_index("network").loc["With BN", "status"] == "finished"
    assert any("19 validation images" in c.value for c in at.caption)  # train vs eval on a batch of 19
    assert not unreadable(at)


def test_at_learning_rate_1_the_gap_is_put_down_to_the_learning_rate(app):
    at = app(PAGE, depth="2", width="32", epochs="1").run()
    at.button(key="preset-large_lr").click().run()
    assert at.number_input(key="batchnorm.lr").value == 1.0 and at.number_input(key="batchnorm.width").value == 100
    at.number_input(key="batchnorm.width").set_value(32)  # the preset's learning rate on a smaller network
    at.number_input(key="batchnorm.epochs").set_value(1)
    at = train(at)
    status = frames(at)[0].set_index("network")["status"]
    assert status["Without BN"] == "did not train"
    text = " ".join(m.value for m in at.markdown)
    assert "the plain network did not train" in text and "learning rate's" in text
    assert "**not reproduced here**" in text and "Then try 0.1" in " ".join(i.value for i in at.info)
    assert not unreadable(at)
