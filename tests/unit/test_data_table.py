"""ui.layout.data_table in presenter mode: an HTML table whose cells read as the column_config formats."""
import math

import pandas as pd
import streamlit as st

from core.settings import GlobalSettings
from ui import layout


def test_presenter_mode_writes_the_configured_formats(monkeypatch):
    shown = []
    monkeypatch.setattr(layout.st, "session_state", {"settings": GlobalSettings(presenter=True)})
    monkeypatch.setattr(layout.st, "table", lambda df, **kw: shown.append(df))
    monkeypatch.setattr(layout.st, "dataframe", lambda *a, **kw: shown.append("grid"))
    df = pd.DataFrame({"run": ["a", "b"], "acc": [0.9134, math.nan], "params": [28938, 235146],
                       "seconds": [7.44, -1.0], "std": [0.000123, 2.5], "hidden": [1, 2]})
    layout.data_table(df, column_config={
        "acc": st.column_config.NumberColumn("val. accuracy", format="percent"),
        "params": st.column_config.NumberColumn(format="localized"),
        "seconds": st.column_config.NumberColumn(format="%.1f"), "hidden": None})
    table = shown[0]
    assert list(table.columns) == ["run", "val. accuracy", "params", "seconds", "std"]
    assert table["val. accuracy"].tolist() == ["91.3%", "—"]
    assert table["params"].tolist() == ["28,938", "235,146"]
    assert table["seconds"].tolist() == ["7.4", "−1.0"]
    assert "nan" not in " ".join(table["std"]).lower()


def test_outside_presenter_mode_it_is_the_data_grid(monkeypatch):
    calls = []
    monkeypatch.setattr(layout.st, "session_state", {"settings": GlobalSettings(presenter=False)})
    monkeypatch.setattr(layout.st, "dataframe", lambda df, **kw: calls.append(kw))
    layout.data_table(pd.DataFrame({"a": [1]}), height=420)
    assert calls == [{"column_config": None, "hide_index": True, "height": 420}]


def test_a_long_table_keeps_its_scroll_box_in_presenter_mode(monkeypatch):
    import contextlib

    boxes = []
    monkeypatch.setattr(layout.st, "session_state", {"settings": GlobalSettings(presenter=True)})
    monkeypatch.setattr(layout.st, "table", lambda df, **kw: None)
    monkeypatch.setattr(layout.st, "container", lambda **kw: boxes.append(kw) or contextlib.nullcontext())
    layout.data_table(pd.DataFrame({"a": range(64)}), height=420)  # /batchnorm's 64 worked examples
    assert boxes == [{"height": round(420 * layout.PRESENTER_TABLE_SCALE)}]
    layout.data_table(pd.DataFrame({"a": range(3)}))
    assert len(boxes) == 1  # a short table has no box
