"""Shared by the CNN lesson's tests."""
import altair as alt


def spec(chart) -> dict:
    """The chart's Vega-Lite spec (Streamlit, too, lifts Altair's 5,000-row guard)."""
    with alt.data_transformers.disable_max_rows():
        return chart.to_dict()
