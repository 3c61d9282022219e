"""The residual page, run through the real entrypoint by Streamlit's AppTest."""
import re

import pytest

from tests.app.conftest import frames, percents, unreadable

PAGE = "residual.py"
SMALL = {"depth": "3", "width": "16", "epochs": "1"}  # trains in about a second
CHARTS = 10  # loss, first/last gradient, accuracy, two per-layer profiles, two heatmaps, two split charts, loss slice


def charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def text(at) -> str:
    """Everything the page wrote, for checks that no None or nan reached the screen."""
    parts = [e.value for kind in ("markdown", "caption", "warning", "info", "error", "latex") for e in getattr(at, kind)]
    parts += [df.to_csv() for df in frames(at)]
    return " ".join(parts)


def train(at):
    [b for b in at.button if b.label == "Train"][0].click().run()
    assert not at.exception
    return at


def clean(at) -> None:
    words = text(at).replace("NaN or infinite", "")  # core.outcome's words for a diverged run
    assert not re.search(r"\bnan\b|\bNone\b|\binf\b", words, re.IGNORECASE), re.findall(r".{40}\b(?:nan|None)\b.{20}", words)
    assert not unreadable(at), unreadable(at)


def test_first_visit_trains_the_default_reference_and_shows_everything(app):
    at = app(PAGE).run()
    assert not at.exception and not at.main.error
    assert at.title[0].value == "Vanishing gradients and residual connections"
    acc = percents(frames(at)[0].set_index("network")["val. accuracy"])
    assert acc["Residual"] >= acc["Plain"] + 0.4 and acc["Plain"] <= 0.15  # the sigmoid reference
    assert charts(at) == CHARTS
    words = text(at)
    assert "a vanishing gradient: the first layer barely moves" in words
    assert "Plain did not train" in " ".join(w.value for w in at.warning)
    assert any(r"I + \alpha" in l.value for l in at.latex)
    assert "not measured yet" in words and "27.94%" in words  # He et al. waits for the two presets
    assert "Spread over" not in words  # one seed: no spread section
    assert at.query_params["depth"] == "10" and at.query_params["activation"] == "sigmoid"
    clean(at)


@pytest.mark.parametrize("widget, key, value, param, shown", [
    ("selectbox", "activation", "relu", "activation", "relu"),
    ("slider", "depth", 5, "depth", "5"),
    ("number_input", "width", 8, "width", "8"),
    ("selectbox", "scale", "inv_sqrt_depth", "scale", "inv_sqrt_depth"),
    ("toggle", "batch_norm", True, "batch_norm", "true"),
    ("selectbox", "optimizer", "adam", "optimizer", "adam"),
    ("number_input", "lr", 0.05, "lr", "0.05"),
    ("number_input", "momentum", 0.5, "momentum", "0.5"),
    ("number_input", "epochs", 2, "epochs", "2"),
    ("number_input", "batch_size", 128, "batch_size", "128"),
])
def test_each_control_changes_the_view_without_error(app, widget, key, value, param, shown):
    at = app(PAGE, **SMALL).run()
    getattr(at, widget)(key=f"residual.{key}").set_value(value).run()
    assert not at.exception and not at.main.error
    assert at.query_params[param] == shown
    assert any("last run" in c.value for c in at.caption)  # the old result stays until Train
    train(at)
    assert not any("last run" in c.value for c in at.caption) and charts(at) == CHARTS
    clean(at)


def test_several_seeds_show_their_spread(app):
    at = app(PAGE, **SMALL, seeds="2", seed="11").run()
    assert not at.exception
    words = text(at)
    assert "Spread over 2 seeds" in " ".join(s.value for s in at.subheader)
    assert "over seeds 11–12" in words and "Over 2 seeds" in words
    assert charts(at) == CHARTS + 1
    table = frames(at)[1]
    assert sorted(zip(table["network"], table["seed"])) == [("Plain", 11), ("Plain", 12), ("Residual", 11),
                                                            ("Residual", 12)]
    clean(at)


def test_a_preset_sets_every_control_and_trains_in_one_click(app, monkeypatch):
    """The presets train 3 seeds for 5 epochs; here the experiment trains a cheap version of each (same depth,
    1 epoch of 256-image batches, width 8, 2 seeds) so that the test checks the one click, not the reference
    numbers (tests/unit/residual does)."""
    from core.lessons.residual import experiment as lesson
    from core.lessons.residual.config import PRESETS
    asked = []
    original = lesson.train_pair

    def cheap(config, *args, **kwargs):
        asked.append(config)
        return original(config.replace(epochs=1, width=8, seeds=2, batch_size=256), *args, **kwargs)

    monkeypatch.setattr(lesson, "train_pair", cheap)
    at = app(PAGE, **SMALL).run()
    at.button(key="preset-relu32").click().run()
    assert not at.exception and not at.main.error
    assert asked[-1] == PRESETS["relu32"].config
    assert at.query_params["depth"] == "32" and at.query_params["optimizer"] == "adam"
    assert at.query_params["seeds"] == "3" and at.slider(key="residual.depth").value == 32
    assert not any("last run" in c.value for c in at.caption)  # trained, not waiting for Train
    assert "Spread over" in " ".join(s.value for s in at.subheader)
    # with both depths trained, He et al.'s box compares them (here from the shrunk runs)
    assert "not measured yet" in text(at)
    at.button(key="preset-relu8").click().run()
    at.button(key="preset-relu32_scaled").click().run()
    assert not at.exception and asked[-2:] == [PRESETS["relu8"].config, PRESETS["relu32_scaled"].config]
    he = " ".join(m.value for m in at.markdown if "Here, live" in m.value)
    assert "plain depth 8" in he and "plain depth 32" in he and "residual depth 32 (α = 1/√depth)" in he


def test_a_big_link_waits_for_train_and_a_huge_one_is_refused(app):
    at = app(PAGE, depth="64", width="128", epochs="2").run()  # over the first-visit limit: no autorun
    assert not at.exception and charts(at) == 0
    assert any("Press **Train**" in i.value for i in at.main.info)
    at = app(PAGE, depth="64", width="256", epochs="20", seeds="5").run()
    train(at)
    refused = " ".join(e.value for e in at.main.error)
    assert "shared server" in refused and "multiply-adds" in refused


def test_hostile_url_is_reported_and_defaults_used(app):
    at = app(PAGE, activation="swish", depth="999", scale="half", seeds="abc", batch_size="1", batch_norm="maybe",
             optimizer="lbfgs", **{k: v for k, v in SMALL.items() if k != "depth"}).run()
    assert not at.exception
    warned = " ".join(w.value for w in at.warning)
    for name in ("activation", "depth", "scale", "seeds", "batch_size", "batch_norm", "optimizer"):
        assert f"{name}=" in warned
    assert at.slider(key="residual.depth").value == 10 and at.selectbox(key="residual.scale").value == "one"
    clean(at)


def test_divergence_is_reported_and_the_page_still_draws(app):
    at = app(PAGE, activation="relu", depth="4", width="32", epochs="1", lr="50", momentum="0.99").run()
    assert not at.exception
    status = frames(at)[0].set_index("network")["status"]
    assert status.str.startswith("diverged").any()
    assert any("diverged at step" in w.value for w in at.warning)
    assert charts(at) >= 6  # a diverged network has no weights to split or slice, the rest still draws
    clean(at)
