"""What every lesson page draws through ui/: the training controls and the outcome of a run."""
from streamlit.testing.v1 import AppTest

from core.training import TRAIN_LIMITS


def controls_script():
    import streamlit as st

    from core.settings import GlobalSettings
    from ui.controls import training_controls
    from ui.page import LessonPage

    page, other = LessonPage("demo", GlobalSettings(), "cpu"), LessonPage("other", GlobalSettings(), "cpu")
    for name, value in {"lr": 0.01, "momentum": 0.9, "epochs": 3, "batch_size": 64}.items():
        st.session_state.setdefault(page.key(name), value)
    for name, value in {"train_lr": 0.02, "epochs": 3}.items():
        st.session_state.setdefault(other.key(name), value)
    st.session_state["clicked"] = training_controls(page)
    st.session_state["other"] = training_controls(
        other, ("lr", "epochs"), limits={"epochs": (1, 30)}, labels={"lr": "Learning rate (network)"},
        keys={"lr": "train_lr"}, options={"lr": {"help": "Mind the step."}}, button="Train again",
        above=lambda: st.caption("above the row"), lead=lambda column: column.caption("first column"))


def test_training_controls_take_their_ranges_from_train_limits_and_a_lessons_own():
    at = AppTest.from_function(controls_script, default_timeout=30).run()
    assert not at.exception
    by_key = {w.key: w for w in at.number_input}
    for name in ("lr", "momentum", "epochs", "batch_size"):
        widget = by_key[f"demo.{name}"]
        assert (widget.min, widget.max) == TRAIN_LIMITS[name]
    assert [w.label for w in at.number_input][:4] == ["Learning rate", "Momentum", "Epochs", "Batch size"]
    assert by_key["demo.lr"].format == "%.4f" and by_key["demo.lr"].step == 0.005
    assert by_key["demo.momentum"].step == 0.1
    other = by_key["other.train_lr"]
    assert other.label == "Learning rate (network)" and other.value == 0.02 and other.help == "Mind the step."
    assert (at.number_input[-1].label, at.number_input[-1].max) == ("Epochs", 30)
    assert [c.value for c in at.caption] == ["above the row", "first column"]
    assert [b.label for b in at.button] == ["Train", "Train again"]
    assert at.session_state["clicked"] is False
    at.button[0].click().run()
    assert at.session_state["clicked"] is True and at.session_state["other"] is False


def outcome_script():
    import pandas as pd

    from core.budget import TooMuchTraining
    from core.compare import CompareResult
    from core.training import TrainResult
    from ui.outcome import DIVERGED, RunOutcome, show_outcome, show_outcomes, show_refusal

    def run(label, diverged_at=None):
        return TrainResult(label, "cpu", pd.DataFrame(), pd.DataFrame(), diverged_at=diverged_at)

    show_outcomes(CompareResult({"β = 0": run("β = 0"), "β = 0.9": run("β = 0.9", 37)}))
    show_outcome(RunOutcome("The network with batch norm", DIVERGED, 5), "so there is nothing to show.")
    show_refusal(TooMuchTraining("This asks for too much training."))


def test_one_callout_per_run_that_did_not_finish_and_one_for_a_refusal():
    at = AppTest.from_function(outcome_script, default_timeout=30).run()
    assert not at.exception
    assert [w.value for w in at.warning] == [
        "β = 0.9 diverged at step 37: the loss became NaN or infinite, so that run stopped there. Try a "
        "smaller learning rate.",
        "The network with batch norm diverged at step 5: so there is nothing to show."]
    assert [w.icon for w in at.warning] == [":material/warning:"] * 2
    assert [(e.value, e.icon) for e in at.error] == [("This asks for too much training.",
                                                      ":material/hourglass_disabled:")]


def reproduced_script():
    from core.reproduction import Reproduction
    from ui.reproduced import reproduced

    reproduced([Reproduction("He et al. 2015", "ReLU nets need twice the variance.", "30 layers train",
                             "30 layers: 91.2%", True, url="https://arxiv.org/abs/1502.01852"),
                Reproduction("Ioffe & Szegedy 2015", "BN keeps percentiles steady.", "Fig. 1", "drifts by 0.4", False,
                             note="Our network is smaller.")])


def test_reproduced_boxes_state_source_numbers_and_verdict():
    at = AppTest.from_function(reproduced_script, default_timeout=30).run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "[He et al. 2015](https://arxiv.org/abs/1502.01852) · **reproduced here**" in text
    assert "Ioffe & Szegedy 2015 · **not reproduced here**" in text and "**Here, live:** drifts by 0.4" in text
    assert [c.value for c in at.caption] == ["Our network is smaller."]


def live_script():
    import pandas as pd
    import streamlit as st

    from core.training import Progress
    from ui.live import LiveTraining

    steps = pd.DataFrame({"step": [1, 2], "epoch": [1, 1], "loss": [0.9, 0.8]})
    epochs = pd.DataFrame({"epoch": [1], "step": [2], "train_loss": [0.85], "val_loss": [0.8], "val_acc": [0.5]})
    options = st.session_state.get("options", {})
    live = LiveTraining(["MSE"], **options)
    live(Progress("MSE", 2, 2, 1, steps, epochs))


def test_live_loss_chart_takes_a_lessons_title_and_guessing_line():
    """By default the live loss chart is a cross-entropy chart with the ln 10 line; a lesson whose runs
    train other costs names its axis and drops the line (train_or_last's live_options reach here)."""
    import json

    def loss_spec(at) -> dict:
        specs = [json.loads(c.proto.spec) for c in at.get("vega_lite_chart")]
        return next(spec for spec in specs if spec.get("title") == "Training loss")

    at = AppTest.from_function(live_script, default_timeout=30).run()
    assert not at.exception
    spec = loss_spec(at)
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Cross-entropy loss"
    assert len(spec["layer"]) == 3  # raw, moving average, and the ln 10 guide
    at = AppTest.from_function(live_script, default_timeout=30)
    at.session_state["options"] = {"loss_title": "Training loss (each run's own cost)", "classes": None}
    at.run()
    assert not at.exception
    spec = loss_spec(at)
    assert spec["layer"][0]["encoding"]["y"]["title"] == "Training loss (each run's own cost)"
    assert len(spec["layer"]) == 2  # no guessing line
