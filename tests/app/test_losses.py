"""The cost-function page, run through the real entrypoint by Streamlit's AppTest."""
import pytest

from tests.app.conftest import frames, percents, unreadable

PAGE = "losses.py"
# four costs, one epoch of large batches: every section draws, in a few seconds
SMALL = {"losses": "cross_entropy,mse_softmax_sum,softmax_then_ce,nll_on_probabilities", "epochs": "1",
         "batch_size": "256"}
CHARTS = 10  # 2 surfaces, slice, neuron output and gradient, softmax, accuracy, gradient, bug loss and accuracy


def charts(at) -> int:
    return len(at.get("vega_lite_chart"))


def text(at) -> str:
    return " ".join(m.value for m in at.markdown) + " " + " ".join(c.value for c in at.caption)


def table(at, first_column: str):
    return next(d for d in frames(at) if d.columns[0] == first_column)


@pytest.fixture
def counted(monkeypatch):
    """Count the MNIST trainings the page starts."""
    from core.lessons.losses import experiment
    calls = []
    original = experiment.compare
    monkeypatch.setattr(experiment, "compare", lambda *a, **kw: calls.append(1) or original(*a, **kw))
    return calls


def test_first_visit_shows_every_part_with_its_numbers(app):
    at = app(PAGE, **SMALL).run()
    assert not at.exception and not at.main.error
    assert charts(at) == CHARTS
    shown = text(at)
    # 1. the flat cost, measured on the 401 x 401 grid, and autograd's verdicts
    assert "**3 values (0, 0.25, 0.5)**" in shown and "**0.40%** change it" in shown
    verdicts = table(at, "output a written as").set_index("output a written as")["torch.autograd.grad(C, w)"]
    assert "not implemented" in verdicts["torch.heaviside(z, torch.tensor(0.))"]
    assert "does not have a grad_fn" in verdicts["(z > 0).float()"]
    assert table(at, "output a written as").set_index("output a written as").loc[
        "(z > 0).float()", "a.grad_fn"] == "— (not in the graph)"  # PyTorch's None, said in words
    # 2. Nielsen's neuron and his observations beside ours
    assert "after 150 epochs the output is **0.933**" in shown and shown.count("reproduced here") == 2
    # 3. softmax: the probabilities sum to 1, the cross-entropy of the true class
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Sum of the probabilities"] == "1.000000" and metrics["Cross-entropy of class 3"] == "0.7365"
    assert any(r"-\ln p_{3}" in l.value for l in at.latex)
    # 4. MNIST: cross-entropy ahead of the quadratic cost; reductions said
    summary = table(at, "cost").set_index("cost")
    acc = percents(summary["val. accuracy"])
    assert acc["Cross-entropy"] > acc["MSE on softmax, summed over outputs"] + 0.1
    assert "summed over the 10 outputs" in summary.loc["MSE on softmax, summed over outputs", "reduction"]
    assert "Bug" not in " ".join(summary.index)  # the bugs have their own section
    # 5. the bugs and the identity on the batch
    assert metrics["CrossEntropyLoss(z, y)"] == metrics["NLLLoss(LogSoftmax(z), y)"]
    assert float(metrics["Bug 2: NLL(softmax(z), y)"]) < 0
    assert float(metrics["Bug 1: CE(softmax(z), y)"]) >= 1.4612
    assert "never below ln(e + 9) − 1 = 1.4612" in shown
    assert "What to notice" in [s.value for s in at.subheader]
    assert "None" not in shown and "nan" not in shown.lower().replace("nanmean", "")
    # the whole state is in the URL
    assert at.query_params["gate"] == "and" and at.query_params["epochs"] == "1"
    assert at.query_params["logits"].count(",") == 9


EDITS = [  # widget, key, value, URL parameter, its text there
    ("selectbox", "gate", "or", "gate", "or"),
    ("slider", "bias", -0.5, "bias", "-0.5"),
    ("slider", "w1", 1.25, "w1", "1.25"),
    ("slider", "eta", 0.5, "eta", "0.5"),
    ("slider", "w0", -1.0, "w0", "-1.0"),
    ("slider", "z3", -4.0, "logits", "-1.2,0.3,1.1,-4.0,-0.8,1.9,-2.0,0.4,2.5,0.1"),
    ("slider", "temperature", 5.0, "temperature", "5.0"),
    ("selectbox", "target", 8, "target", "8"),
]


def test_small_model_controls_redraw_without_training(app, counted):
    at = app(PAGE, **SMALL).run()
    trained = len(counted)
    for widget, key, value, param, shown in EDITS:
        getattr(at, widget)(key=f"losses.{key}").set_value(value).run()
        assert not at.exception and not at.main.error, key
        assert at.query_params[param] == shown
        assert charts(at) == CHARTS
    assert len(counted) == trained  # the MNIST result is reused, never retrained
    assert "The bias is fixed at b = −0.5" in text(at)
    assert {m.label for m in at.metric} >= {"Cross-entropy of class 8"}


def test_softmax_numbers_follow_the_sliders(app):
    at = app(PAGE, **SMALL, logits="0,0,0,0,0,0,0,0,0,0", target="2").run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Cross-entropy of class 2"] == "2.3026"  # ln 10: a uniform guess
    at.slider(key="losses.z2").set_value(10.0).run()
    at.slider(key="losses.temperature").set_value(0.1).run()
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Cross-entropy of class 2"] == "0.0000" and metrics["Sum of the probabilities"] == "1.000000"


def test_training_controls_keep_the_last_run_until_train(app, counted):
    at = app(PAGE, **SMALL).run()  # trained now, or earlier in this process (the run cache is server-wide)
    before = len(counted)
    at.number_input(key="losses.lr").set_value(0.35).run()
    assert not at.exception and at.query_params["lr"] == "0.35"
    assert any("last run" in c.value for c in at.caption) and len(counted) == before
    [b for b in at.button if b.label == "Train"][0].click().run()
    assert not at.exception and not any("last run" in c.value for c in at.caption) and len(counted) == before + 1
    assert "learning rate (0.35)" in text(at)


def test_presets_train_at_once_and_saturation_is_explained(app, monkeypatch):
    from core.lessons.losses.config import REFERENCE, SATURATED
    monkeypatch.setattr("ui.sections.losses.compare.SATURATED", SATURATED.replace(epochs=1, batch_size=512))
    monkeypatch.setattr("ui.sections.losses.compare.REFERENCE", REFERENCE.replace(epochs=1, batch_size=512))
    at = app(PAGE, **SMALL).run()
    next(b for b in at.button if b.label.startswith("Saturate")).click().run()
    assert not at.exception and not at.main.error
    assert at.query_params["output_scale"] == "30.0"
    assert at.number_input(key="losses.output_scale").value == 30.0
    shown = text(at)
    assert "Output-layer weights ×30" in shown and "The largest output, unit" in shown
    # the untrained outputs against the saturation band; no bug runs, so no bug charts
    assert charts(at) == CHARTS + 1 - 2
    summary = table(at, "cost")
    assert list(summary["cost"]) == ["Cross-entropy", "MSE on sigmoid outputs", "Cross-entropy per output (sigmoid)"]
    assert any("Add the two bugs" in i.value for i in at.main.info)
    next(b for b in at.button if b.label.startswith("Reproduce the reference")).click().run()
    assert not at.exception and at.query_params["output_scale"] == "1.0" and at.query_params["batch_size"] == "512"
    assert len(table(at, "cost")) == 5 and charts(at) == CHARTS  # all seven costs, the bugs in their section


def test_a_learning_rate_that_ruins_training_is_reported(app):
    at = app(PAGE, **SMALL, lr="100").run()
    assert not at.exception
    warned = " ".join(w.value for w in at.main.warning)
    assert "Cross-entropy did not train" in warned and "Bug: NLLLoss on probabilities did not train" in warned
    assert charts(at) == CHARTS
    assert not unreadable(at), unreadable(at)


def test_dropping_cross_entropy_is_refused_and_the_page_keeps_working(app):
    at = app(PAGE, **SMALL).run()
    at.multiselect(key="losses.losses").unselect("cross_entropy").run()
    assert not at.exception
    assert any("Keep cross-entropy" in e.value for e in at.main.error)
    assert charts(at) >= 6 and "What to notice" in [s.value for s in at.subheader]
    assert at.query_params["losses"].startswith("cross_entropy")  # the URL keeps the last valid choice


def test_hostile_url_is_reported_and_defaults_used(app):
    at = app(PAGE, **SMALL, logits="1,2,abc", gate="xor", target="99", eta="-1", inputs="<script>",
             output_scale="1e9", temperature="nan").run()
    assert not at.exception
    warned = " ".join(w.value for w in at.main.warning)
    for name in ("logits", "gate", "target", "eta", "inputs", "output_scale", "temperature"):
        assert f"{name}=" in warned
    assert at.selectbox(key="losses.gate").value == "and" and at.slider(key="losses.eta").value == 0.15
    assert charts(at) == CHARTS
