"""The transfer page, run through the real entrypoint by Streamlit's AppTest."""
import json

import pytest

from core.lessons.transfer import experiment
from core.lessons.transfer.config import shrink
from tests.app.conftest import frames, unreadable

PAGE = "transfer.py"
SMALL = {"k": "2", "ks": "", "epochs": "2"}  # one K: 12 small runs


def chart_titles(at) -> list[str]:
    titles = []
    for chart in at.get("vega_lite_chart"):
        title = json.loads(chart.proto.spec).get("title", "")
        titles.append(title.get("text", "") if isinstance(title, dict) else title)
    return titles


def all_text(at) -> str:
    parts = [e.value for kind in ("markdown", "caption", "info", "warning", "success", "error") for e in getattr(at, kind)]
    parts += [str(m.value) for m in at.metric] + [d.to_csv() for d in frames(at)]
    return " ".join(parts)


def no_missing_words(at) -> None:
    text = all_text(at)
    assert "nan" not in text.replace("nana", "").split() and " nan" not in text and "None" not in text
    assert not unreadable(at), unreadable(at)


def test_first_visit_trains_the_default_sweep_and_shows_the_lesson(app):
    at = app(PAGE).run(timeout=600)  # pretraining and the sweep: a minute alone, more on a busy machine
    assert not at.exception and not at.error
    assert at.title[0].value == "Transfer learning"
    titles = chart_titles(at)
    assert titles == ["Zero-shot: what the MNIST network says",
                      "Test accuracy against K", "K = 5 labelled images per class",
                      "Training loss at K = 5, seed 0"]
    metrics = {m.label: m.value for m in at.metric}
    assert float(metrics["Accuracy on MNIST's validation images"].rstrip("%")) > 96
    assert 55 < float(metrics["Accuracy on the held-out digits"].rstrip("%")) < 80
    assert metrics["Trainable parameters"] == "15,690" and metrics["Frozen parameters"] == "13,248"
    assert any("every frozen tensor has no gradient and is exactly as it was" in s.value for s in at.success)
    text = all_text(at)
    assert "domain shift" in text and "from scratch" in text and "shrinks as K grows" in text
    assert "K = 1, 5, 10 × 3 seeds × 4 methods = 36 networks" in text
    assert any("def freeze" in c.value for c in at.code) and any('if method == "frozen"' in c.value for c in at.code)
    assert at.query_params["k"] == "5" and at.query_params["ks"] == "1,10"
    no_missing_words(at)


@pytest.mark.parametrize("widget, key, value, param, shown", [
    ("slider", "k", 1, "k", "1"),
    ("number_input", "epochs", 1, "epochs", "1"),
    ("number_input", "feature_lr", 0.5, "feature_lr", "0.5"),
])
def test_each_control_changes_the_view_and_trains_on_train(app, widget, key, value, param, shown):
    at = app(PAGE, **SMALL).run()
    getattr(at, widget)(key=f"transfer.{key}").set_value(value).run()
    assert not at.exception and not at.error
    assert at.query_params[param] == shown
    assert any("last run" in c.value for c in at.caption)  # the old sweep stays until Train
    [b for b in at.button if b.label == "Train"][0].click().run()
    assert not at.exception and not any("last run" in c.value for c in at.caption)
    no_missing_words(at)


def test_the_sweep_values_and_the_presets(app, monkeypatch):
    calls = []
    original = experiment.sweep
    monkeypatch.setattr(experiment, "sweep", lambda config, *a, **kw: calls.append(config)
                        or original(shrink(config), *a, **kw))
    at = app(PAGE, **SMALL).run()
    at.multiselect(key="transfer.ks").select(1).run()
    [b for b in at.button if b.label == "Train"][0].click().run()
    assert calls[-1].sweep == (1, 2) and not at.exception and at.query_params["ks"] == "1"
    [b for b in at.button if b.label.startswith("Reference:")][0].click().run()
    assert not at.exception
    assert calls[-1].k == 5 and calls[-1].seeds == 5 and calls[-1].epochs == 40 and calls[-1].ks == ()
    assert at.slider(key="transfer.seeds").value == 5 and at.query_params["epochs"] == "40"


def test_divergence_is_reported_and_the_page_still_draws(app):
    at = app(PAGE, k="2", ks="", epochs="5", lr="90", momentum="0.99", batch_size="4").run()
    assert not at.exception
    warned = " ".join(w.value for w in at.warning)
    assert "diverged at step" in warned or "did not train" in warned
    assert "Test accuracy against K" in chart_titles(at)
    no_missing_words(at)


def test_hostile_url_is_reported_and_defaults_used(app):
    at = app(PAGE, k="0", ks="7,abc", seeds="99", feature_lr="-1", epochs="1e12", batch_size="x", extra="1").run(timeout=600)
    assert not at.exception
    warned = " ".join(w.value for w in at.warning)
    for name in ("k=", "ks=", "seeds=", "feature_lr=", "epochs=", "batch_size=", "extra"):
        assert name in warned
    assert at.slider(key="transfer.k").value == 5 and at.slider(key="transfer.seeds").value == 3


def test_a_link_to_a_big_sweep_waits_for_train(app, monkeypatch):
    calls = []
    monkeypatch.setattr(experiment, "sweep", lambda *a, **kw: calls.append(1))
    at = app(PAGE, k="100", ks="50", seeds="3", epochs="10").run()
    assert not at.exception and calls == []
    assert any("larger than the presets" in i.value for i in at.info)
    assert any("Zero-shot" in t for t in chart_titles(at))  # the rest of the lesson is there


def test_densenet_is_built_on_demand(app):
    at = app(PAGE, **SMALL).run()
    assert not any("densenet121's weights here" in w.value for w in at.warning)
    [b for b in at.button if b.label.startswith("Build densenet121")][0].click().run()
    assert not at.exception
    assert any("random, not pretrained" in w.value for w in at.warning)  # offline: said plainly
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Trainable after the recipe (10 classes)"] == "10,250"
    assert metrics["Of all parameters"] == "6,964,106"
    text = all_text(at)
    assert "Output size is too small" in text and "to have 3 channels, but got 1 channels" in text
    assert "242 of densenet121's 242 batch-norm running statistics moved" in text
