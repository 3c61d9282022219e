"""ui.presets: a preset's values hold until a script run has drawn them (a click carrying the browser's
old widget values must not undo half of a preset)."""
import pytest

from ui import presets


class Page:
    name = "initialization"

    def key(self, widget: str) -> str:
        return f"{self.name}.{widget}"


@pytest.fixture
def session(monkeypatch):
    state: dict = {}
    monkeypatch.setattr(presets.st, "session_state", state)
    return state


def test_a_preset_holds_against_stale_browser_values_until_drawn(session):
    page = Page()
    session.update({"initialization.depth": 6, "initialization.lr": 0.01})
    presets.choose(page, {"depth": 30, "lr": 0.1})
    assert session["initialization.depth"] == 30 and session["initialization.lr"] == 0.1
    # Train pressed before the preset's run drew the learning rate: the browser sends the old value
    session["initialization.lr"] = 0.01
    presets.hold(page)  # the next run, before its widgets
    assert session["initialization.lr"] == 0.1 and session["initialization.depth"] == 30
    presets.settled(page)  # that run drew them all
    session["initialization.lr"] = 0.5  # the student's own change from now on
    presets.hold(page)
    assert session["initialization.lr"] == 0.5


def test_then_runs_after_the_values_are_set(session):
    seen = []
    presets.choose(Page(), {"depth": 3}, then=lambda: seen.append(dict(session)))
    assert seen and seen[0]["initialization.depth"] == 3


def test_nothing_pending_changes_nothing(session):
    session["initialization.lr"] = 0.2
    presets.hold(Page())
    presets.settled(Page())
    assert session == {"initialization.lr": 0.2}

