"""The residual lesson's charts: log axes that leave out what a log axis cannot draw, the right series."""
import pandas as pd

from core.lessons.residual import charts, paths


def encoding(spec: dict) -> dict:
    """A chart's encoding, or its first layer's."""
    return spec["encoding"] if "encoding" in spec else spec["layer"][0]["encoding"]


def data_of(chart) -> pd.DataFrame:
    spec = chart.to_dict()
    return pd.DataFrame(next(iter(spec["datasets"].values())))


def test_gradient_charts_draw_positive_norms_on_log_axes(trained):
    cfg, result = trained
    grads = result.grads.copy()
    grads.loc[grads.index[:3], "grad_norm"] = 0.0  # an exact zero cannot go on a log axis
    for chart in (charts.over_training_chart(grads), charts.profile_chart(grads, "backprop", cfg.depth),
                  charts.profile_chart(grads, "weight", cfg.depth)):
        spec = chart.to_dict()
        assert encoding(spec)["y"]["scale"]["type"] == "log"
        assert (data_of(chart)["grad_norm"] > 0).all()
    domain = charts.heat_domain(grads)
    w = grads[(grads["kind"] == "weight") & (grads["grad_norm"] > 0)]["grad_norm"]
    assert domain == [w.min(), w.max()]
    for network in ("Plain", "Residual"):  # one colour scale for both networks' charts
        heat = charts.heat_chart(grads, network, domain)
        scale = heat.to_dict()["encoding"]["color"]["scale"]
        assert scale["type"] == "log" and scale["domain"] == domain
        assert set(data_of(heat)["network"]) == {network} and (data_of(heat)["grad_norm"] > 0).all()


def test_first_and_last_and_profile_pick_the_right_rows(trained):
    cfg, result = trained
    fl = charts.first_and_last(result.grads)
    assert set(fl["layer"]) == {1, cfg.depth + 1} and set(fl["kind"]) == {"weight"}
    prof = charts.profile(result.grads, "backprop")
    steps = result.grads["step"]
    assert set(prof["when"]) == set(charts.WHEN)
    assert set(prof[prof["when"] == "at initialization"]["step"]) == {1}
    assert set(prof[prof["when"] == "after training"]["step"]) == {steps.max()}


def test_paths_chart_shows_one_moment(trained):
    cfg, result = trained
    shown = paths.long(result.paths)
    chart = charts.paths_chart(shown, "after training", cfg.depth)
    d = data_of(chart)
    assert set(d["when"]) == {"after training"} and set(d["network"]) == {"Plain", "Residual"}
    assert set(d[d["network"] == "Plain"]["path"]) == {paths.TOTAL}


def test_spread_and_slice_charts(trained):
    _, result = trained
    spread = charts.spread_chart(result.seeds).to_dict()
    assert spread["layer"][-1]["encoding"]["x"]["scale"]["domain"] == [0, 1]
    sl = charts.slice_chart(result.slice).to_dict()
    assert sl["layer"][0]["encoding"]["y"]["scale"]["type"] == "log"
    assert any(layer.get("mark", {}).get("type") == "rule" for layer in sl["layer"])
