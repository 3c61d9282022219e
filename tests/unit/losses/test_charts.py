"""The cost-function lesson's charts build from the lesson's frames and encode what they claim."""
import math

import altair as alt
import pytest

from core.lessons.losses import charts, neuron, softmax, surfaces
from core.lessons.losses.config import NeuronConfig, SoftmaxConfig, SurfaceConfig
from core.palette import COLORS


def layers(chart) -> list[dict]:
    spec = chart.to_dict()
    return spec.get("layer", [spec])


def full(chart) -> dict:
    """The spec with its data (Streamlit sends the 81 × 81 cells without Altair's 5,000-row check)."""
    with alt.data_transformers.disable_max_rows():
        return chart.to_dict()


def test_surface_and_slice_charts():
    grid, summaries = surfaces.surface_frames(SurfaceConfig())
    chart = charts.surface_chart(grid, "Step", (-1.0, 0.5), "sub")
    spec = full(chart)
    cells, marker = spec["layer"]
    assert cells["mark"]["type"] == "rect" and cells["encoding"]["color"]["scale"]["domain"] == [0, 0.5]
    # the sigmoid's colours span its own costs, not the step's 0–0.5 (which would make it look flat)
    sigmoid = full(charts.surface_chart(grid, "Sigmoid", (-1.0, 0.5), "sub"))["layer"][0]
    drawn = grid[grid["neuron"] == "Sigmoid"]["cost"]
    assert sigmoid["encoding"]["color"]["scale"]["domain"] == [drawn.min(), drawn.max()]
    assert len(spec["datasets"][cells["data"]["name"]]) == surfaces.DRAWN ** 2
    assert marker["mark"]["shape"] == "cross"
    cut = surfaces.slice_frame(SurfaceConfig())
    spec = charts.slice_chart(cut, 0.5, list(surfaces.NEURONS)).to_dict()
    assert spec["encoding"]["color"]["scale"]["range"] == [COLORS["Step"], COLORS["Sigmoid"]]


def test_neuron_softmax_and_gradient_charts(small):
    frame = neuron.run(NeuronConfig())
    order = list(neuron.COSTS.values())
    assert charts.neuron_chart(frame, order).to_dict()["encoding"]["y"]["scale"]["domain"] == [0, 1]
    assert charts.neuron_gradient_chart(frame, order).to_dict()["encoding"]["y"]["scale"]["type"] == "log"
    table = softmax.worked(SoftmaxConfig()).table
    bars = layers(charts.softmax_chart(table, 3))[0]
    assert bars["encoding"]["color"]["scale"]["range"][0] == "#000000"  # the true class: black against grey
    grad = charts.gradient_chart(small.gradients, list(small.runs)).to_dict()
    assert grad["encoding"]["y"]["scale"]["type"] == "log"
    assert grad["encoding"]["color"]["scale"]["domain"] == list(small.runs)
    assert isinstance(charts.start_chart(small.start), alt.LayerChart)
    floor = softmax.softmax_then_ce_floor()
    bug = charts.bug_loss_chart(small.steps, list(small.runs), floor).to_dict()
    guides = [row for rows in bug["datasets"].values() for row in rows if "text" in row]
    assert sorted(row["v"] for row in guides) == pytest.approx([0.0, floor, math.log(10)])
    assert any(f"{floor:.4f}" in row["text"] for row in guides)


def test_accuracy_keeps_the_shared_axis_and_gives_long_names_room(small):
    spec = charts.accuracy(small.epochs, list(small.runs)).to_dict()
    line = spec["layer"][0]
    assert line["encoding"]["y"]["scale"]["domain"] == [0, 1]  # core.charts' 0-100% axis, chance line layered
    assert line["encoding"]["color"]["legend"]["columns"] == 1 and spec["height"] == charts.TALL
