"""The momentum page, run through the real entrypoint by Streamlit's AppTest."""
from tests.app.conftest import frames, percents, unreadable
import pytest

from core.lessons.momentum.config import MomentumConfig

PAGE = "momentum.py"


def chart_count(at) -> int:
    return len(at.get("vega_lite_chart"))


def text_of(elements) -> str:
    return " ".join(e.value for e in elements)


def test_defaults_show_paths_outcomes_and_the_update_rule(app):
    at = app(PAGE).run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Momentum"
    assert at.selectbox(key="momentum.surface").value == "two_minima"
    assert at.text_input(key="momentum.momenta").value == "0, 0.5, 0.9"
    assert chart_count(at) == 3  # the surface with its paths, loss per step, the regime map
    table = frames(at)[0]
    assert list(table["run"]) == ["β = 0", "β = 0.5", "β = 0.9"]
    assert list(table["ended in"]) == ["local minimum", "global minimum", "global minimum"]
    assert list(table["escaped the saddle"].str[:3]) == ["nev", "yes", "yes"]  # momentum rolls through the pass
    notes = text_of(at.markdown)
    assert "on a two-parameter tensor" in notes
    assert "through the pass by the saddle point" in notes and "Too much momentum overshoots" in notes
    # the page states the lesson's claims from its own numbers
    assert "**β = 0** stayed in the local minimum" in notes
    assert "**β = 0.9** reached the global minimum but overshot and oscillated" in notes
    latex = text_of(at.latex)
    assert r"v \leftarrow \beta\, v + g" in latex and r"v \leftarrow \beta\, v - \eta\, g" in latex
    assert "stays within" in text_of(at.caption)  # the two forms checked against each other, live
    assert any("Press **Train**" in i.value for i in at.info)
    assert at.query_params["surface"] == "two_minima" and at.query_params["momenta"] == "0.0,0.5,0.9"


@pytest.mark.parametrize("widget, key, value, param, shown", [
    ("text_input", "momenta", "0, 0.8, 0.95, 0.99", "momenta", "0.0,0.8,0.95,0.99"),
    ("toggle", "nesterov", True, "nesterov", "true"),
    ("number_input", "lr", 0.02, "lr", "0.02"),
    ("number_input", "steps", 400, "steps", "400"),
    ("number_input", "x0", 1.5, "x0", "1.5"),
    ("number_input", "y0", -1.0, "y0", "-1.0"),
    ("number_input", "train_lr", 0.05, "train_lr", "0.05"),
    ("number_input", "epochs", 2, "epochs", "2"),
    ("number_input", "batch_size", 128, "batch_size", "128"),
])
def test_each_control_changes_the_view_without_error(app, widget, key, value, param, shown):
    at = app(PAGE).run()
    getattr(at, widget)(key=f"momentum.{key}").set_value(value).run()
    assert not at.exception and not at.error
    assert at.query_params[param] == shown
    assert chart_count(at) == 3


@pytest.mark.parametrize("surface", ["saddle", "plateau", "valley", "rosenbrock", "lesson"])
def test_choosing_a_surface_brings_its_own_start_and_story(app, surface):
    from core.lessons.momentum.surfaces import SURFACES

    at = app(PAGE).run()
    at.selectbox(key="momentum.surface").set_value(surface).run()
    assert not at.exception and not at.error
    s = SURFACES[surface]
    assert at.number_input(key="momentum.lr").value == s.lr
    assert at.number_input(key="momentum.x0").value == s.start[0]
    assert at.query_params["surface"] == surface and at.query_params["steps"] == str(s.steps)
    assert chart_count(at) == (4 if s.dim == 1 else 3)  # 1-D adds position vs step
    assert at.number_input(key="momentum.y0").disabled == (s.dim == 1)
    assert (frames(at)[0]["diverged"] == "no").all()


def test_lesson_curve_from_the_url(app):
    at = app(PAGE, surface="lesson").run()
    assert not at.exception and not at.warning
    table = frames(at)[0]
    assert list(table["ended in"]) == ["stalled at the saddle", "local minimum", "global minimum"]
    assert list(table["escaped the saddle"].str[:3]) == ["no", "yes", "yes"]
    assert "stalled at the saddle point" in text_of(at.markdown)


def test_lesson_curve_intro_speaks_of_one_parameter(app):
    at = app(PAGE, surface="lesson").run()
    notes = text_of(at.markdown)
    assert "on a one-parameter tensor" in notes and "two-parameter" not in notes


def test_valley_story_and_nesterov_explained(app):
    at = app(PAGE, surface="valley").run()
    assert not at.exception and not at.warning
    assert "escaped the saddle" not in frames(at)[0]  # the valley has no saddle
    notes = text_of(at.markdown)
    assert "η·λ = 1.80" in notes and "each plain step overshoots the floor" in notes
    assert not any("Nesterov's limit" in i.value for i in at.info)
    at.toggle(key="momentum.nesterov").set_value(True).run()
    assert not at.exception
    assert "β = 0.5 diverged at step" in text_of(at.warning)
    said = " ".join(i.value for i in at.info)
    assert "Why the Nesterov runs behave so" in said and "not below Nesterov's limit 1.500" in said
    assert list(frames(at)[0]["ended in"]) == ["no minimum yet", "— (diverged)", "— (diverged)"]


def test_saddle_column_hidden_when_no_run_comes_near(app):
    at = app(PAGE, y0="1.5").run()
    assert not at.exception
    assert "escaped the saddle" not in frames(at)[0]
    assert not any("Escaped the saddle" in c.value for c in at.caption)


def test_diverging_learning_rate_is_reported_and_charts_still_drawn(app):
    at = app(PAGE, lr="3").run()
    assert not at.exception and not at.error
    warned = text_of(at.warning)
    assert "β = 0 diverged at step" in warned and "β = 0.9 diverged at step" in warned
    assert chart_count(at) == 3
    assert frames(at)[0]["diverged"].str.startswith("at step").all()
    assert not unreadable(at), unreadable(at)


@pytest.mark.parametrize("value, message", [
    ("", "at least one momentum value"),
    ("0, fast", "must be a number; separate them with commas"),
    ("0, 1.5", "between 0 and 0.999"),
    ("0, 0.5, 0.5", "once"),
    ("0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6", "at most 6"),
])
def test_bad_momentum_values_get_a_message_not_a_traceback(app, value, message):
    at = app(PAGE).run()
    at.text_input(key="momentum.momenta").set_value(value).run()
    assert not at.exception
    assert any(message in e.value for e in at.error)


def test_hostile_url_is_reported_and_defaults_used(app):
    at = app(PAGE, surface="moon", momenta="0,x", lr="nan", steps="-5", x0="zz", y0="1e9", nesterov="maybe",
             epochs="abc").run()
    assert not at.exception and not at.error
    warned = text_of(at.warning)
    for name in ("surface", "momenta", "lr", "steps", "x0", "y0", "nesterov", "epochs"):
        assert f"{name}=" in warned
    assert at.selectbox(key="momentum.surface").value == "two_minima"
    assert chart_count(at) == 3


def test_train_compares_every_momentum_value(app):
    at = app(PAGE, epochs="1").run()
    at.button[0].click().run()
    assert not at.exception
    assert len(frames(at)) == 2  # outcomes on the surface, then the training summary
    table = frames(at)[1]
    assert list(table["momentum"]) == ["β = 0", "β = 0.5", "β = 0.9"]
    assert (table["status"] == "finished").all() and (percents(table["val. accuracy"]) > 0.3).all()
    assert chart_count(at) == 5
    acc = percents(table.set_index("momentum")["val. accuracy"])
    notes = text_of(at.markdown)  # the takeaway reads the run
    assert f"validation accuracy after 1 epoch: **β = 0** {acc['β = 0']:.1%}, **β = 0.5**" in notes
    # moving the surface controls keeps the training result as it is
    at.number_input(key="momentum.steps").set_value(100).run()
    assert len(frames(at)) == 2 and not any("last run" in c.value for c in at.caption)
    # changing a training setting keeps the old result on screen, labelled, until Train is pressed
    at.number_input(key="momentum.epochs").set_value(2).run()
    assert not at.exception and len(frames(at)) == 2
    assert any("last run" in c.value for c in at.caption)


def test_a_repeated_list_parameter_is_read_as_a_list(app):
    """?momenta=0&momenta=0.9, the form Streamlit's own list widgets write, is the list (0, 0.9)."""
    at = app(PAGE)
    at.query_params["momenta"] = ["0", "0.9"]
    at.run()
    assert not at.exception and not at.warning
    assert at.text_input(key="momentum.momenta").value == "0, 0.9"


def test_formula_box_draws_your_own_surface_and_refuses_hostile_input(app):
    at = app(PAGE).run()
    at.selectbox(key="momentum.surface").set_value("custom").run()
    assert not at.exception and not at.error
    box = at.text_input(key="momentum.formula")
    assert "x**2 + y - 11" in box.value  # Himmelblau's function to start from
    captions = " ".join(c.value for c in at.caption)
    assert "Found numerically on the view:" in captions and captions.count("global minimum at") == 4
    box.set_value("x**2 + 10*y**2").run()
    assert not at.exception and not at.error
    assert any("x^{2} + 10 y^{2}" in l.value for l in at.latex)
    assert at.query_params["formula"] == "x**2 + 10*y**2" and chart_count(at) == 3
    for hostile, message in [("__import__('os')", "Only these functions can be called"),
                             ("().__class__", "is not allowed"),
                             ("x" * 10_000, "Unknown name 'xxxx"),  # the box keeps its first 200 characters
                             ("1/0", "divides by zero"), ("x**x**x**x", "exponent must be a number"),
                             ("log(x) + y", "not finite everywhere on the view")]:
        at.text_input(key="momentum.formula").set_value(hostile).run()
        assert not at.exception, hostile
        assert any(message in e.value for e in at.error), (hostile, [e.value for e in at.error])
        assert chart_count(at) == 0
    at.text_input(key="momentum.formula").set_value("w**4 - 2*w**2").run()
    assert not at.exception and not at.error and chart_count(at) == 4  # a curve: position per step too


def test_a_hostile_formula_in_a_link_is_ignored_with_a_message(app):
    for hostile, message in [("x" * 10_000, "too long"), ("__import__('os')", "Only these functions"),
                             ("1/0", "divides by zero")]:
        at = app(PAGE, surface="custom", formula=hostile).run()
        assert not at.exception and not at.error
        assert any("Ignored URL parameter formula=" in w.value and message in w.value for w in at.warning)
        assert at.text_input(key="momentum.formula").value == MomentumConfig().formula


@pytest.mark.parametrize("surface, momenta, ended", [
    ("lab_cubic", "0, 0.9", None),
    ("lab_quartic", "0, 0.5, 0.9, 0.99", ["local minimum", "local minimum", "global minimum", "no minimum yet"]),
])
def test_the_course_labs_polynomials(app, surface, momenta, ended):
    at = app(PAGE).run()
    at.selectbox(key="momentum.surface").set_value(surface).run()
    assert not at.exception and not at.error
    assert at.text_input(key="momentum.momenta").value == momenta
    table = frames(at)[0]
    if ended:
        assert list(table["ended in"]) == ended
    else:  # w³ has no minimum: plain SGD crawls towards the saddle, β = 0.9 passes it
        assert list(table["final position"]) == ["(1.735)", "(−4.1)"]
        assert "above global min" not in table
        assert any("no minimum in view" in i.value for i in at.info)
    notes = text_of(at.markdown)
    assert "Momentum with Different Polynomials" in notes and "· **reproduced here**" in notes


def test_gradient_noise_changes_the_paths_and_the_seed_repeats_them(app):
    at = app(PAGE).run()
    plain = frames(at)[0]["final position"].tolist()
    at.number_input(key="momentum.noise").set_value(1.0).run()
    assert not at.exception and not at.error and at.query_params["noise"] == "1.0"
    noisy = frames(at)[0]["final position"].tolist()
    assert noisy != plain
    assert any("σ·N(0, 1) with σ = 1 is added to every gradient" in c.value for c in at.caption)
    at.number_input(key="g.seed").set_value(3).run()
    other = frames(at)[0]["final position"].tolist()
    assert other != noisy
    at.number_input(key="g.seed").set_value(0).run()
    assert frames(at)[0]["final position"].tolist() == noisy


def test_the_regime_map_checks_the_closed_form_against_the_runs(app):
    at = app(PAGE).run()
    notes = text_of(at.markdown)
    assert "Goh, “Why Momentum Really Works”, Distill 2017" in notes
    assert notes.count("(as predicted)") == 3 and "not as predicted" not in notes
    assert any(r"\eta\lambda < 2(1 + \beta)" in l.value for l in at.latex)


def test_a_run_that_diverges_within_a_step_is_said_so_everywhere(app):
    at = app(PAGE, surface="lesson", lr="10").run()
    assert not at.exception and not at.error
    words = text_of([*at.markdown, *at.caption, *at.info, *at.warning])
    assert "β = 0 diverged at step 2" in words  # one update, then the next leaves the surface
    assert "nan" not in words.lower().replace("nance", "").replace("became nan or infinite", "") and "None" not in words
    assert chart_count(at) == 4


def test_a_network_that_diverges_before_its_first_validation_is_said_so(app):
    at = app(PAGE, train_lr="100", momenta="0,0.99", epochs="1").run()
    at.button[0].click().run()
    assert not at.exception and not at.error
    words = text_of([*at.markdown, *at.caption, *at.info, *at.warning])
    assert "diverged" in words
    assert "nan" not in words.lower().replace("nance", "").replace("became nan or infinite", "") and "None" not in words
    table = frames(at)[1]
    assert not table.astype(str).apply(lambda c: c.str.lower().isin(["nan", "none"])).any().any()
