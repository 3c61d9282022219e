"""The momentum lesson's charts: the step scrubber, the click-to-start selection, the click segments."""
import numpy as np
import pandas as pd
import pytest

from core.lessons.momentum import charts, experiment, surfaces
from tests.unit.momentum.helpers import KEYS, preset


@pytest.mark.parametrize("key", KEYS)
def test_grid_and_charts_build(key):
    surface, cfg = surfaces.SURFACES[key], preset(key)
    grid = surfaces.surface_grid(surface)
    assert grid["band"].between(0, surfaces.BANDS - 1).all() and grid["band"].nunique() > 5
    paths = experiment.paths_frame(experiment.trajectories(cfg), surface)
    build = charts.surface_chart if surface.dim == 2 else charts.curve_chart
    spec = build(grid, paths, surface, cfg.labels, cfg.steps, "SGD").to_dict()
    params = {p["name"]: p for p in spec["params"]}
    scrub = params[charts.SCRUB]
    assert scrub["bind"]["input"] == "range" and scrub["bind"]["max"] == cfg.steps and scrub["value"] == cfg.steps
    pick = params[charts.PICK]  # Altair lifts the layer's selection to the top, naming its view
    assert pick["select"]["on"] == "click" and pick["views"] == [spec["layer"][0]["name"]]
    assert charts.loss_chart(paths, cfg.labels).to_dict()["encoding"]["y"]["scale"]["type"] == "log"
    # invisible segments over the paths (2-D) or the curve (1-D) answer a click with their midpoint
    hits = [layer for layer in spec["layer"] if layer["mark"].get("type") == "rule" and layer["mark"].get("opacity")]
    assert len(hits) == 1 and hits[0]["mark"]["opacity"] < 0.01
    segs = pd.DataFrame(spec["datasets"][hits[0]["data"]["name"]])
    y = "y" if surface.dim == 2 else "loss"
    np.testing.assert_allclose(segs["x"], (segs["x_a"] + segs["x_b"]) / 2)
    np.testing.assert_allclose(segs[y], (segs["y_a"] + segs["y_b"]) / 2)
    every = charts._stride(cfg.steps)
    kept = sum(len(set(range(0, n, every)) | {n - 1}) - 1 for n in paths.groupby("run").size())
    assert len(segs) == (kept if surface.dim == 2 else len(grid) - 1)
    if surface.dim == 1:
        pos = charts.position_chart(paths, surface, cfg.labels).to_dict()
        rules = pd.DataFrame(pos["datasets"][pos["layer"][0]["data"]["name"]])
        assert sorted(rules["x"]) == sorted(p.at[0] for p in surface.points)
        assert pos["layer"][2]["encoding"]["y"]["field"] == "x" and pos["layer"][2]["mark"]["type"] == "line"


def test_click_segments_join_consecutive_kept_points():
    frame = pd.DataFrame({"run": ["a"] * 5 + ["b"] * 3, "step": [0, 1, 2, 3, 4, 0, 1, 2],
                          "x": [0.0, 1, 2, 3, 4, 10, 11, 12], "y": [0.0, 0, 2, 2, 4, 0, 0, 0]})
    segs = charts._segments(frame, "x", "y", stride=2, by="run")
    assert list(zip(segs["run"], segs["step"], segs["step_b"])) == [("a", 0, 2), ("a", 2, 4), ("b", 0, 2)]
    assert list(segs["x"]) == [1.0, 3.0, 11.0] and list(segs["y"]) == [1.0, 3.0, 0.0]
