"""Fixed-size charts are drawn as SVG, where Vega's gradients break once the page's address changes
(vega/vega#3948): their continuous colour legends are drawn as swatches (ui.layout._swatches, applied
when a chart's spec is converted)."""
import altair as alt
import pandas as pd

from core.charts import on_canvas
from ui.layout import _as_svg, _swatches

FRAME = pd.DataFrame({"x": [0, 1, 0, 1], "y": [0, 0, 1, 1], "z": [-1.0, 0.5, 2.0, 4.0], "kind": list("abab")})


def legends(spec: dict) -> list:
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "encoding":
                    found.extend((channel, field.get("legend", {})) for channel, field in value.items()
                                 if channel in ("color", "fill", "stroke") and isinstance(field, dict))
                if key not in ("datasets", "data"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(spec)
    return found


def test_continuous_colour_legends_become_swatches_and_the_rest_is_left_alone():
    heat = alt.Chart(FRAME).mark_rect().encode(x="x:O", y="y:O", color=alt.Color("z:Q", legend=alt.Legend(
        orient="bottom", type="gradient", gradientLength=200)))
    dots = alt.Chart(FRAME).mark_point().encode(x="x:Q", y="y:Q", stroke=alt.Stroke("kind:N"),
                                                 fill=alt.Fill("z:Q", legend=None))
    spec = (heat | dots).to_dict()
    drawn = _as_svg(_swatches(spec))
    assert drawn["usermeta"]["embedOptions"]["renderer"] == "svg"
    assert dict(legends(drawn)) == {"color": {"orient": "bottom", "type": "symbol", "gradientLength": 200,
                                              "symbolType": "square", "tickCount": 4,
                                              "columns": 3},
                                    "stroke": {}, "fill": None}  # nominal and hidden legends unchanged
    assert legends(spec)[0][1]["type"] == "gradient"  # the spec passed in (perhaps cached) is not modified
    assert drawn["datasets"] is spec["datasets"]


def test_a_chart_on_canvas_keeps_its_gradient():
    heat = on_canvas(alt.Chart(FRAME).mark_rect().encode(x="x:O", y="y:O", color="z:Q"))
    drawn = _as_svg(_swatches(heat.to_dict()))
    assert drawn["usermeta"]["embedOptions"]["renderer"] == "canvas"
    assert legends(drawn) == [("color", {})]
