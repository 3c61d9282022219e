"""The momentum lesson's charts: the step scrubber, the click-to-start selection, the click segments."""
import math

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
    assert charts.loss_chart(paths, cfg.labels).to_dict()["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
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


def _step_axes(spec) -> list[dict]:
    """Every x encoding on `step` in a chart spec, layers included."""
    found = []
    for part in [spec, *spec.get("layer", [])]:
        x = part.get("encoding", {}).get("x", {})
        if x.get("field") == "step":
            found.append(x)
    return found


def test_a_run_that_diverges_within_a_step_has_whole_number_step_ticks():
    """Issue 14: a path that diverges at once left 'Loss versus step' with ticks 0.1, 0.2, ...: every step axis
    has integer ticks."""
    config = preset("lesson", lr=10.0)
    surface = config.the_surface
    paths = experiment.paths_frame(experiment.trajectories(config), surface)
    assert paths.groupby("run").size().min() <= 2  # diverged within a step or two
    for chart in (charts.loss_chart(paths, config.labels), charts.position_chart(paths, surface, config.labels)):
        axes = _step_axes(chart.to_dict())
        assert axes and all(x["axis"]["tickMinStep"] == 1 and x["axis"]["format"] == ",d" for x in axes)
    assert len(charts.loss_chart(paths, config.labels).to_dict()["layer"]) == 2  # short runs get points too


def test_loss_axis_title_fits_a_projector_and_no_minimum_means_a_linear_loss():
    config = preset("two_minima")
    paths = experiment.paths_frame(experiment.trajectories(config), config.the_surface)
    y = charts.loss_chart(paths, config.labels).to_dict()["layer"][0]["encoding"]["y"]
    assert len(y["title"]) <= 24  # "Loss above the global minimum (log)" was cut in presenter mode
    cubic = preset("lab_cubic")
    paths = experiment.paths_frame(experiment.trajectories(cubic), cubic.the_surface)
    assert paths["gap"].isna().all()
    y = charts.loss_chart(paths, cubic.labels, log=False).to_dict()["layer"][0]["encoding"]["y"]
    assert y["field"] == "loss" and "type" not in y.get("scale", {})


def test_beta_0_and_0_5_are_far_apart_in_hue_and_lightness():
    from core.palette import COLORS

    def lab(hex_color):
        r, g, b = (int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5))
        lin = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in (r, g, b)]
        xyz = [sum(m * c for m, c in zip(row, lin)) / n for row, n in zip(
            [(0.4124, 0.3576, 0.1805), (0.2126, 0.7152, 0.0722), (0.0193, 0.1192, 0.9505)], (0.95047, 1, 1.08883))]
        f = [v ** (1 / 3) if v > 0.008856 else 7.787 * v + 16 / 116 for v in xyz]
        return 116 * f[1] - 16, math.degrees(math.atan2(200 * (f[1] - f[2]), 500 * (f[0] - f[1]))) % 360

    (l0, h0), (l5, h5) = lab(COLORS["β = 0"]), lab(COLORS["β = 0.5"])
    assert abs(l0 - l5) >= 30
    assert min(abs(h0 - h5), 360 - abs(h0 - h5)) >= 60


def test_regime_chart_marks_every_run():
    from core.lessons.momentum import regimes

    config = preset("two_minima")
    runs = experiment.trajectories(config)
    placed = regimes.run_regimes(experiment.outcomes(runs, config.the_surface), runs, config.the_surface,
                                 config.lr, False)
    marks = regimes.points_frame(placed)
    assert len(marks) == 2 * len(config.momenta)  # steepest and flattest curvature of each run's minimum
    spec = charts.regime_chart(regimes.regime_map(rows=10, cols=100), marks, config.labels, "SGD").to_dict()
    assert len(spec["layer"]) == 4 and spec["layer"][0]["encoding"]["color"]["scale"]["domain"] == list(
        regimes.REGIMES)
