"""The batch-norm lesson's charts: finite values only and a word for what is left out (issue 14,
findings 3 and 6), whole-step axes, one container-wide chart per panel (issue 20: phones)."""
import json
import math

import pandas as pd
import torch

from core.lessons.batchnorm import charts, experiment, modes


def data_values(chart) -> list[dict]:
    spec = chart.to_dict()
    return [row for rows in spec.get("datasets", {}).values() for row in rows]


def all_finite(rows: list[dict], fields: list[str]) -> bool:
    return all(isinstance(r[f], (int, float)) and math.isfinite(r[f]) for r in rows for f in fields if f in r)


def axes(spec) -> list[dict]:
    """Every x/y encoding of a (layered) spec."""
    found = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("x", "y") and isinstance(value, dict) and "field" in value:
                    found.append(value)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
    walk(spec)
    return found


def test_step_axes_count_whole_steps(trained):
    _, result = trained
    for chart in (charts.bands_chart(result.bands, 1, "Sigmoid"), charts.running_chart(result.running, 1, "mean")):
        steps = [a for a in axes(chart.to_dict()) if a["field"] == "step"]
        assert steps and all(a["axis"]["format"] == ",d" and a["axis"]["tickMinStep"] == 1 for a in steps)


def test_panels_are_single_container_wide_charts_not_facets(trained):
    _, result = trained
    model = modes.trained_bn_model(result)
    built = [charts.histogram_chart(result.histograms, result.snapshot_steps[-1], 1, "Sigmoid"),
             charts.gamma_beta_chart(modes.gamma_beta(model), "gamma"),
             charts.gamma_beta_chart(modes.gamma_beta(model), "beta")]
    for chart in built:
        spec = chart.to_dict()
        assert "facet" not in json.dumps({k: v for k, v in spec.items() if k != "datasets"})
        assert spec["width"] == "container"


def notes(chart) -> dict[int, list[str]]:
    """Each snapshot's title (a Vega expression indexing a list of them by the slider), as lines."""
    expr = chart.to_dict()["title"]["text"]["expr"]
    listed, index = expr.rsplit("[", 1)
    assert index == charts.SCRUB + "]"
    return dict(enumerate(json.loads(listed)))


def test_the_histogram_says_how_much_is_not_finite_and_draws_only_finite_bins():
    g = torch.Generator().manual_seed(0)
    half = torch.randn(64, 8, generator=g)
    half[:16] = float("inf")
    samples = {"Without BN": [(1, 1, half), (1, 2, torch.full((64, 8), float("nan")))],
               "With BN": [(1, 1, torch.randn(64, 8, generator=g)), (1, 2, torch.full((64, 8), float("nan")))]}
    hist = experiment.histograms(samples)
    partly = charts.histogram_chart(hist, 1, 1, "ReLU")
    # padded to layer 2's four lines: the panels side by side keep their plots level
    assert notes(partly) == {0: ["Hidden layer 1 · step 1", "Without BN: 25.0% of values NaN or ∞", " ", " "]}
    assert all_finite(data_values(partly), ["lo", "hi", "share"])
    empty = charts.histogram_chart(hist, 1, 2, "ReLU")
    # said in the title, one line each, so a phone shows it whole
    assert notes(empty) == {0: ["Hidden layer 2 · step 1", "no finite value to draw", "Without BN: every value NaN or ∞",
                                "With BN: every value NaN or ∞"]}


def test_the_histogram_holds_every_snapshot_and_its_slider_starts_at_the_step_asked(trained):
    _, result = trained
    steps = result.snapshot_steps
    chart = charts.histogram_chart(result.histograms, steps[1], 2, "Sigmoid")
    spec = chart.to_dict()
    param = next(p for p in spec["params"] if p["name"] == charts.SCRUB)
    assert param["value"] == 1 and param["bind"]["min"] == 0 and param["bind"]["max"] == len(steps) - 1
    bars = [r for r in data_values(chart) if "share" in r]
    assert sorted({r["snapshot"] for r in bars}) == list(range(len(steps)))
    assert {r["step"] for r in bars if r["snapshot"] == 1} == {steps[1]}
    assert [lines[0] for _, lines in sorted(notes(chart).items())] == [f"Hidden layer 2 · step {s:,}" for s in steps]
    assert json.dumps(spec["layer"]).count(f"datum.snapshot == {charts.SCRUB}") == 1  # that snapshot's bars only
    last = charts.histogram_chart(result.histograms, 10**9, 2, "Sigmoid").to_dict()  # a step not recorded
    assert next(p for p in last["params"] if p["name"] == charts.SCRUB)["value"] == len(steps) - 1


def test_charts_of_a_diverged_pair_hold_only_finite_values(diverged):
    cfg, result = diverged
    for layer in (1, 2, 3):
        for step in result.snapshot_steps:
            rows = data_values(charts.histogram_chart(result.histograms, step, layer, "ReLU"))
            assert all_finite(rows, ["lo", "hi", "share"])
        assert all_finite(data_values(charts.bands_chart(result.bands, layer, "ReLU")), ["p15", "p50", "p85"])
        for stat in ("mean", "var"):
            assert all_finite(data_values(charts.running_chart(result.running, layer, stat)), ["value"])
    assert not modes.is_finite(modes.trained_bn_model(result))  # the page shows no train-vs-eval for it


def test_the_bn_networks_own_parts_are_blue_shades(trained):
    _, result = trained
    spec = charts.running_chart(result.running, 1, "var").to_dict()
    assert spec["encoding"]["color"]["scale"]["scheme"]["name"] == "blues"
    params = modes.gamma_beta(modes.trained_bn_model(result))
    layered = charts.gamma_beta_chart(params, "beta").to_dict()
    assert any(layer.get("encoding", {}).get("color", {}).get("scale", {}).get("scheme", {}).get("name") == "blues"
               for layer in layered["layer"])
    te = modes.train_vs_eval(modes.trained_bn_model(result), torch.randn(8, 784), 1)
    assert charts.train_eval_chart(te, 1).to_dict()["layer"][1]["mark"]["color"] == "#0072B2"


def test_a_run_blowing_up_does_not_squeeze_the_others_into_one_bin_or_line(diverged):
    """Issue 14, finding 3, for this lesson's own charts: the plain ReLU network's inputs reach 1e29 before
    it diverges; the bins and the bands' axis stay within 50 x the first snapshot's largest |input|, and
    what lies beyond is said."""
    cfg, result = diverged
    h = result.histograms
    first = h[h["step"] == h["step"].min()]
    assert (h["hi"].dropna().abs() < 1e6).all() and (h["lo"].dropna().abs() < 1e6).all()
    notes = [charts.nonfinite_note(h, step, 1) for step in result.snapshot_steps]
    assert any("beyond the axis" in n for n in notes) and any("NaN or ∞" in n for n in notes)
    spec = charts.bands_chart(result.bands, 1, "ReLU").to_dict()
    assert "are cut off (a run blowing up)" in " ".join(spec["title"]["subtitle"])
    domain = [l for l in spec["layer"] if "scale" in l["encoding"].get("y", {})][0]["encoding"]["y"]["scale"]["domain"]
    assert max(abs(d) for d in domain) <= charts.band_limit(result.bands[result.bands["layer"] == 1])
    assert first["share"].sum() > 0


def test_value_axes_are_written_short():
    small, huge = pd.Series([-8.0, 10.0]), pd.Series([2e26, -1.0])
    assert charts.value_axis(small).to_dict().get("format") is None  # Vega's own: "10", not "1e+1"
    assert charts.value_axis(small, huge).to_dict()["format"] == "~e"  # not 27 digits


def test_the_running_estimate_is_the_solid_line_as_the_subtitle_says(trained):
    _, result = trained
    spec = charts.running_chart(result.running, 1, "mean").to_dict()
    dash = spec["encoding"]["strokeDash"]["scale"]
    solid = dash["domain"][dash["range"].index([1, 0])]
    assert solid.startswith("running") and "solid: running estimate" in " ".join(spec["title"]["subtitle"])
