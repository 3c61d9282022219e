"""core.charts: shared builders and presenter mode."""
import altair as alt
import pandas as pd

from core.charts import decades, presenter

FRAME = pd.DataFrame({"x": [1, 2], "y": [3, 4]})


def test_presenter_mode_enlarges_every_text_of_a_chart():
    chart = alt.Chart(FRAME).mark_line().encode(x="x", y="y").properties(
        title=alt.Title("Loss", subtitle="per step"))
    assert presenter(chart, False) is chart
    config = presenter(chart, True).to_dict()["config"]
    assert config["axis"]["labelFontSize"] == 18 and config["axis"]["titleFontSize"] == 20
    assert config["title"]["fontSize"] == 24 and config["title"]["subtitleFontSize"] == 18
    assert config["legend"]["labelFontSize"] == 18 and config["header"]["labelFontSize"] == 18


def test_decades_span_the_positive_values():
    assert decades(pd.Series([0.002, 0.5, 30.0])) == [100.0, 10.0, 1.0, 0.1, 0.01, 0.001]
    assert decades(pd.Series([0.0, -1.0])) is None
    assert len(decades(pd.Series([1e-20, 1e5]))) <= 8
