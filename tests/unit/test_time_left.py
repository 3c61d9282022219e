"""ui.live.time_left: the estimate of the time left shown beside every training progress bar."""
from ui import live


def test_extrapolates_from_the_time_so_far(monkeypatch):
    monkeypatch.setattr(live.time, "monotonic", lambda: 130.0)
    assert live.time_left(100.0, 0.25) == " · about 1 min 30 s left"  # 30 s for a quarter: 90 s more
    assert live.time_left(100.0, 0.5) == " · about 30 s left"


def test_says_nothing_before_it_can_tell_or_when_done(monkeypatch):
    monkeypatch.setattr(live.time, "monotonic", lambda: 100.5)
    assert live.time_left(100.0, 0.5) == ""  # under a second
    monkeypatch.setattr(live.time, "monotonic", lambda: 200.0)
    assert live.time_left(100.0, 0.01) == "" and live.time_left(100.0, 1.0) == ""
