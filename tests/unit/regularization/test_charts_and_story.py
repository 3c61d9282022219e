"""The lesson's charts (specs, colours, fixed axes) and sentences (computed from the result they describe)."""
import json

import pandas as pd
import pytest

from core.lessons.regularization import charts, story
from core.lessons.regularization.config import REGULARIZERS, CompareConfig, CurveConfig, DataConfig, OverfitConfig
from core.lessons.regularization.experiment import L2, PLAIN, curve_fit, more_data, overfit
from core.palette import COLORS, color_scale


@pytest.fixture(scope="module")
def tiny(small):
    return overfit(OverfitConfig(images=200, epochs=2, batch_size=20, l2=0.5), small, seed=0)


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two colours (1: the same luminance, 21: black on white)."""
    def luminance(hex_color: str) -> float:
        linear = [(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
                  for c in (int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5))]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_each_regularizer_has_its_own_colour_and_the_compared_pair_differs_in_lightness():
    labels = list(REGULARIZERS.values())
    scale = color_scale(labels)
    assert len(set(scale.range)) == len(labels) and all(label in COLORS for label in labels)
    assert contrast(COLORS[PLAIN], COLORS[L2]) > 2  # compared in section 2: far apart in lightness too
    assert contrast(COLORS["Training set"], COLORS["Test set"]) > 2


def test_history_chart_draws_both_sets_on_a_fixed_accuracy_axis_with_chance(tiny):
    spec = charts.history_chart(tiny.evals, "accuracy", [PLAIN, L2], "Accuracy").to_dict()
    text = json.dumps(spec)
    assert '"domain": [0, 1]' in text and "chance: 10%" in text
    assert set(tiny.evals["set"]) == {"Training", "Validation"} and set(tiny.evals["run"]) == {PLAIN, L2}
    loss = json.dumps(charts.history_chart(tiny.evals, "loss", [PLAIN, L2], "Cost", (3.25, "guessing")).to_dict())
    assert "guessing" in loss


def test_curve_charts_clip_at_bishops_range_and_mark_the_degree():
    r = curve_fit(CurveConfig(degree=9))
    train = pd.DataFrame({"x": r.train.x.numpy(), "t": r.train.t.numpy()})
    spec = json.dumps(charts.curve_chart(r.fitted, train, "M = 9").to_dict())
    assert '"domain": [-1.5, 1.5]' in spec and "fitted polynomial" in spec
    rms = charts.rms_chart(r.by_degree, "M", "Degree M", 9, "E_RMS").to_dict()
    assert "Training set" in json.dumps(rms) and "Test set" in json.dumps(rms)


def test_overfit_sentences_follow_the_numbers(tiny):
    lines = story.overfit_takeaways(tiny)
    p = tiny.table.set_index("run").loc[PLAIN]
    assert f"{p['train_acc']:.1%}" in lines[0] and f"{p['val_acc']:.1%}" in lines[0]
    assert ("rose by" in lines[1]) == (p["rise"] >= story.NOTICEABLE_RISE)
    assert "weight decay λ/n = " in lines[2] and "0.0025" in lines[2]  # λ 0.5 over 200 images


def test_curve_sentences_follow_the_sample():
    r = curve_fit(CurveConfig(degree=9, points=10))
    lines = story.curve_takeaways(r)
    best = int(r.by_degree[r.by_degree["set"] == "Test"].set_index("M")["rms"].idxmin())
    assert f"**M = {best}**" in lines[0] and "training RMS error 0.000" in lines[1]
    ridge = story.curve_takeaways(curve_fit(CurveConfig(degree=9, ridge=True, ln_lambda=-18.0)))
    assert "ln λ = −18" in ridge[-1]


def test_data_sentences_do_not_credit_a_regularizer_that_hurt(small):
    result = more_data(DataConfig(sizes=(100, 400), regularizer="dropout", steps=60), CompareConfig(width=16),
                       small, seed=0)
    lines = " ".join(story.data_takeaways(result))
    t = result.table.set_index(["run", "images"])["val_acc"]
    diff = t[("Dropout", 100)] - t[("No regularization", 100)]
    assert ("bought nothing" in lines) == (diff <= 0)
