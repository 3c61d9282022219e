"""Every lesson page, opened from a few dozen random links drawn like the config properties' (unknown
and repeated keys, empty values, huge or negative numbers, nan, inf, unicode, very long strings):
no exception on the page, ever. The training budget is made tiny here, so a link asking for a long run
shows the refusal (a path of its own) instead of training for minutes."""
import importlib

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

import core.budget
from tests.property.strategies import config_classes, query_params
from ui.course import available_lessons

LESSONS = [lesson for lesson in available_lessons()]


def page_config_class(lesson):
    """The config class a page reads its link into: the one of its package whose name the page uses."""
    classes = [c for c in config_classes() if c.__module__ == f"core.lessons.{lesson.url_path}.config"]
    page_text = (importlib.import_module("ui.course").PAGES_DIR / lesson.file).read_text()
    used = [c for c in classes if c.__name__ in page_text]
    return (used or classes)[-1]


def pretrained(app) -> None:
    """The transfer page's pretrained network (seed 0, this machine's CPU, bundled MNIST) in the
    server-wide cache under the page's own key, trained once with the real budget."""
    from core.data import load_dataset
    from core.lessons.transfer.pretrain import PRETRAIN, pretrain
    from ui.runner import run_cache

    mnist = load_dataset("mnist", "cpu", offline=True)
    key = ("transfer.pretrain", PRETRAIN, 0, "cpu", mnist.name, mnist.source)
    run_cache().get_or_run(key, lambda: pretrain(mnist, 0))


@pytest.mark.parametrize("lesson", LESSONS, ids=lambda l: l.url_path)
@settings(max_examples=20, suppress_health_check=[HealthCheck.function_scoped_fixture])  # `app` is a factory
@given(data=st.data())
def test_a_random_link_never_shows_an_exception(app, monkeypatch, lesson, data):
    if lesson.url_path == "transfer":  # its fixed MNIST pretraining is over the tiny budget: train it once,
        pretrained(app)                 # with the real one, so the links reach the rest of the page
    monkeypatch.setattr(core.budget, "MAX_WORK", 2e9)  # a few hundred thousand images through a small net
    monkeypatch.setattr(core.budget, "MAX_STEPS", 400)
    params = data.draw(query_params(page_config_class(lesson)))
    at = app(lesson.file)
    for key, value in params.items():
        at.query_params[key] = value
    at.run()
    assert not at.exception, (params, [e.message for e in at.exception])
    if lesson.url_path == "transfer" and "seed" not in params:  # the cached pretraining was found
        assert any("pretrained on MNIST" in h.value for h in at.header), params
