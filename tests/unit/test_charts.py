"""core.charts: shared builders and presenter mode."""
import altair as alt
import pandas as pd
from hypothesis import given, strategies as st

from core.charts import coinciding, decades, presenter, wrap_text

FRAME = pd.DataFrame({"x": [1, 2], "y": [3, 4]})


def test_presenter_mode_enlarges_every_text_of_a_chart():
    chart = alt.Chart(FRAME).mark_line().encode(x="x", y="y").properties(
        title=alt.Title("Loss", subtitle="per step"))
    assert presenter(chart, False) is chart
    config = presenter(chart, True).to_dict()["config"]
    assert config["axis"]["labelFontSize"] == 18 and config["axis"]["titleFontSize"] == 20
    assert config["title"]["fontSize"] == 24 and config["title"]["subtitleFontSize"] == 18
    assert config["legend"]["labelFontSize"] == 18 and config["header"]["labelFontSize"] == 18


def test_presenter_mode_wraps_long_titles_grows_the_chart_and_leaves_the_one_it_was_given():
    long = "SGD, lr = 0.05 · darker = higher loss · □ start · ✚ critical points · click the map"
    chart = alt.Chart(FRAME).mark_line().encode(x="x", y="y").properties(
        title=alt.Title("Running mean vs population mean, layer 3", subtitle=long), height=400, width="container")
    spec = presenter(chart, True).to_dict()
    assert spec["title"]["text"] == ["Running mean vs population mean,", "layer 3"]
    assert spec["title"]["subtitle"] == ["SGD, lr = 0.05 · darker = higher loss",
                                         "□ start · ✚ critical points · click the map"]
    assert spec["height"] == 500 and spec["padding"]["top"] > 0
    original = chart.to_dict()  # the caller's (perhaps cached) chart is untouched
    assert original["title"]["subtitle"] == long and original["height"] == 400 and "padding" not in original
    image = presenter(alt.Chart(FRAME).mark_rect().properties(title="Input", width=200, height=200), True)
    assert image.to_dict()["height"] == 200 and image.to_dict()["title"]["text"] == "Input"  # stays square


def test_titles_break_at_separators_then_words_and_short_ones_stay_whole():
    assert wrap_text("per step", 45) == "per step"
    assert wrap_text("one colour scale for all panels, so the terms and sums compare directly", 45) == [
        "one colour scale for all panels,", "so the terms and sums compare directly"]
    words = "the quick brown fox jumps over the lazy dog and then runs far away home"
    assert all(len(line) <= 45 for line in wrap_text(words, 45)) and " ".join(wrap_text(words, 45)) == words
    assert wrap_text("x" * 60, 45) == "x" * 60  # one long word: left whole


def test_decades_span_the_positive_values():
    assert decades(pd.Series([0.002, 0.5, 30.0])) == [100.0, 10.0, 1.0, 0.1, 0.01, 0.001]
    assert decades(pd.Series([0.0, -1.0])) is None
    assert len(decades(pd.Series([1e-20, 1e5]))) <= 8


def test_run_legends_wrap_into_rows_of_three():
    from core.charts import loss_chart
    steps = pd.DataFrame({"step": [1] * 6, "loss": [1.0] * 6, "run": list("abcdef")})
    legend = loss_chart(steps).to_dict()["layer"][0]["encoding"]["color"]["legend"]
    assert legend["columns"] == 3
    two = loss_chart(steps.head(2)).to_dict()["layer"][0]["encoding"]["color"]["legend"]
    assert two["columns"] == 2


def test_accuracy_legend_keeps_its_defaults_unless_a_chart_asks_for_more_room():
    from core.charts import accuracy_chart
    epochs = pd.DataFrame({"epoch": [1, 1], "val_acc": [0.5, 0.6], "val_loss": [1.0, 0.9],
                           "run": ["MSE on softmax, summed over outputs", "Cross-entropy"]})
    legend = lambda chart: chart.to_dict()["layer"][0]["encoding"]["color"]["legend"]  # noqa: E731
    assert legend(accuracy_chart(epochs))["labelLimit"] == 200
    assert legend(accuracy_chart(epochs, label_limit=400))["labelLimit"] == 400
    assert legend(accuracy_chart(epochs))["columns"] == 2
    assert legend(accuracy_chart(epochs, legend_columns=1))["columns"] == 1


def test_decades_cover_the_data_with_few_ticks():
    assert decades(pd.Series([0.003, 1.0, 0.0])) == [1.0, 0.1, 0.01, 0.001]
    assert decades(pd.Series([0.0])) is None
    ticks = decades(pd.Series([1e-30, 1.0]))
    assert len(ticks) <= 8 and ticks[0] == 1.0 and ticks[-1] <= 1e-28


def test_coinciding_lines_are_grouped_and_others_are_not():
    frame = pd.DataFrame({"layer": [1, 2, 3] * 4, "run": ["a"] * 3 + ["b"] * 3 + ["c"] * 3 + ["d"] * 3,
                          "v": [0.5, 0.5, 0.5, 0.501, 0.499, 0.5, 0.1, 0.2, 0.3, 0.5, 0.5, float("nan")]})
    assert coinciding(frame, "layer", "v", "run") == [["a", "b", "d"]]  # d's missing point is left out
    assert coinciding(frame.query("run != 'b' and run != 'd'"), "layer", "v", "run") == []
    logs = pd.DataFrame({"layer": [1, 2, 1, 2], "run": ["a", "a", "b", "b"], "v": [1e-8, 1.0, 1.1e-8, 1.0]})
    assert coinciding(logs, "layer", "v", "run", log=True) == [["a", "b"]]
    assert coinciding(logs, "layer", "v", "run") == [["a", "b"]]  # on a linear axis 1e-8 and 1.1e-8 agree too
    assert coinciding(pd.DataFrame({"layer": [1], "run": ["a"], "v": [float("inf")]}), "layer", "v", "run") == []
    one_point = pd.DataFrame({"layer": [1, 2, 3, 3], "run": ["a", "a", "a", "b"], "v": [0.1, 0.2, 0.3, 0.3]})
    assert coinciding(one_point, "layer", "v", "run") == []  # a single shared point is no line on a line


def test_presenter_mode_enlarges_text_drawn_inside_a_chart():
    """Notes on reference lines, counts in cells: an explicit small font size is raised to 16 px for a
    projector (configure_text alone does not override it); the chart on screens keeps its own."""
    import altair as alt
    import pandas as pd

    from core.charts import PRESENTER_MARK_TEXT, presenter

    df = pd.DataFrame({"x": [1], "y": [2], "t": ["guessing: ln 10 ≈ 2.30"]})
    base = alt.Chart(df).mark_line().encode(x="x:Q", y="y:Q")
    note = alt.Chart(df).mark_text(fontSize=11).encode(x="x:Q", y="y:Q", text="t:N")
    chart = alt.hconcat(alt.layer(base, note), alt.layer(base, note).properties(title="b"))
    big = presenter(chart, True).to_dict()
    sizes = [layer["mark"]["fontSize"] for panel in big["hconcat"] for layer in panel["layer"]
             if isinstance(layer["mark"], dict) and layer["mark"].get("type") == "text"]
    assert sizes == [PRESENTER_MARK_TEXT, PRESENTER_MARK_TEXT]
    small = chart.to_dict()  # the screen's chart is untouched
    assert small["hconcat"][0]["layer"][1]["mark"]["fontSize"] == 11


@given(st.integers(1, 12))
def test_legend_rows_are_as_even_as_can_be(n):
    """At most three labels a row in as few rows as that allows, and no wider than those rows need
    (4 labels as 2 + 2, not 3 + 1)."""
    from core.charts import LEGEND_COLUMNS, balanced_columns

    columns = balanced_columns(n)
    rows = -(-n // columns)
    assert 1 <= columns <= LEGEND_COLUMNS and rows == -(-n // LEGEND_COLUMNS)
    assert (columns - 1) * rows < n  # one column fewer would need another row
