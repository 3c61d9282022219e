"""The transfer lesson's sentences follow the numbers whichever way they go, never 'nan'; its charts keep
the course's conventions (0-100% accuracy with the 10% chance line, the palette's colours)."""
import math

import pandas as pd

from core.lessons.transfer import charts, story
from core.lessons.transfer.config import METHODS, TransferConfig
from core.lessons.transfer.experiment import RUN_COLUMNS, SweepResult
from core.palette import COLORS

COUNTS = {"trainable": 15_690, "frozen": 13_248, "total": 28_938}


def sweep(means: dict[int, dict[str, float]], config=None, failed=()) -> SweepResult:
    """Three seeds per K and method at mean ± 0.01; (k, method) in `failed` diverged on every seed."""
    rows = []
    for k, by_method in means.items():
        for method, acc in by_method.items():
            for seed, delta in enumerate((-0.01, 0.0, 0.01)):
                bad = (k, method) in failed
                rows.append({"k": k, "method": method, "label": METHODS[method], "seed": seed,
                             "test_acc": math.nan if bad else acc + delta, "test_loss": math.nan if bad else 0.5,
                             "outcome": "diverged" if bad else "finished",
                             "headline": "diverged at step 3" if bad else "finished",
                             "explanation": "the loss became NaN" if bad else "", "steps": 10, "seconds": 0.1,
                             "device": "cpu"})
    config = config or TransferConfig(k=5, ks=tuple(k for k in means if k != 5))
    return SweepResult(pd.DataFrame(rows, columns=RUN_COLUMNS), config=config)


TYPICAL = {1: {"scratch": 0.45, "frozen": 0.63, "finetune": 0.57, "finetune_small": 0.62},
           5: {"scratch": 0.76, "frozen": 0.88, "finetune": 0.86, "finetune_small": 0.87},
           10: {"scratch": 0.86, "frozen": 0.91, "finetune": 0.90, "finetune_small": 0.91}}


def text(points: list[str]) -> str:
    joined = " ".join(points)
    assert "nan" not in joined.lower() and "None" not in joined
    return joined


def test_typical_run():
    said = text(story.takeaways(sweep(TYPICAL), 0.69, 0.972, 797, COUNTS, 8000))
    assert "97.2%" in said and "69.0%" in said and "domain shift" in said
    assert "**Frozen + new head**, reached **88.0%**" in said and "12 points ahead of **from scratch** (76.0%)" in said
    assert "shrinks as K grows: 18 points at K = 1, 5 points at K = 10" in said
    assert "15,690 of 28,938" in said and "2 points ahead of fine-tune all" in said
    assert "At K = 1 the new head (63.0%) does worse than the old MNIST head" in said and "8,000 MNIST" in said


def test_when_scratch_wins_it_says_so():
    odd = {1: {"scratch": 0.60, "frozen": 0.62, "finetune": 0.61, "finetune_small": 0.61},
           5: {"scratch": 0.95, "frozen": 0.80, "finetune": 0.85, "finetune_small": 0.90}}
    said = text(story.takeaways(sweep(odd), 0.5, 0.97, 797, COUNTS, 8000))
    assert "5 points behind **from scratch**" in said
    assert "shrinks as K grows: 2 points at K = 1, −5 points at K = 5" in said
    assert "does worse than the old MNIST head" not in said  # 62% beats a 50% zero-shot


def test_when_the_gap_grows_it_says_so():
    odd = {1: {"scratch": 0.60, "frozen": 0.61, "finetune": 0.60, "finetune_small": 0.60},
           5: {"scratch": 0.70, "frozen": 0.80, "finetune": 0.75, "finetune_small": 0.78}}
    said = text(story.takeaways(sweep(odd), 0.5, 0.97, 797, COUNTS, 8000))
    assert "did not shrink as K grew: 1 point at K = 1, 10 points at K = 5" in said and "borrowed" not in said


def test_a_method_whose_runs_all_diverged_is_left_out_not_called_nan():
    result = sweep(TYPICAL, failed={(5, "finetune"), (1, "finetune"), (10, "finetune")})
    said = text(story.takeaways(result, 0.69, 0.97, 797, COUNTS, 8000))
    assert "fine-tune all (" not in said
    assert result.summary().query("method == 'finetune'")["failed"].eq(3).all()


def test_reference_table_only_with_k5():
    table = story.reference_table(sweep(TYPICAL), 0.69)
    assert list(table["reference"]) == ["63%", "83.2% (5 seeds)", "90.8% (5 seeds)", "89.3% (5 seeds)"]
    assert table["here"].iloc[1].startswith("76.0% (3 seeds, 75.0% to 77.0%)")
    without = {k: v for k, v in TYPICAL.items() if k != 5}
    assert story.reference_table(sweep(without, TransferConfig(k=1, ks=(10,))), 0.69) is None


def test_sweep_chart_conventions():
    result = sweep(TYPICAL)
    spec = charts.sweep_chart(result.summary(), result.runs, 0.69, 5).to_dict()
    layers = spec["layer"]
    encodings = [l.get("encoding", {}) for l in layers] + [l2.get("encoding", {}) for l in layers
                                                            for l2 in l.get("layer", [])]
    y_domains = [e["y"]["scale"]["domain"] for e in encodings if "y" in e and "scale" in e["y"]]
    assert y_domains and all(d == [0, 1] for d in y_domains)
    x = next(e["x"] for e in encodings if "x" in e and e["x"].get("field") == "k")
    assert x["scale"]["type"] == "log" and x["axis"]["values"] == [1, 5, 10]
    colors = next(e["color"] for e in encodings if "color" in e and "legend" in e["color"]
                  and e["color"]["legend"] is not None)
    assert colors["scale"]["range"] == [COLORS[label] for label in METHODS.values()]
    # no layer turns the shared colour legend off (Vega-Lite would then draw none at all)
    assert all(e["color"].get("legend", {}) is not None for e in encodings if "color" in e)
    # its symbols are solid, not the first layer's faint band (opacity 0.15)
    assert colors["legend"]["symbolOpacity"] == 1 and colors["legend"]["symbolType"] == "circle"
    guides = [d for d in spec["datasets"].values() if d and "text" in d[0]]
    assert {g["text"] for d in guides for g in d} >= {"chance: 10%", "MNIST network as it is: 69%"}


def test_detail_and_other_charts_build():
    result = sweep(TYPICAL)
    spec = charts.detail_chart(result.runs, 5, 0.69).to_dict()
    assert spec["title"]["text"] == "K = 5 labelled images per class"
    confusion = pd.DataFrame([{"true": t, "predicted": p, "count": int(t == p) * 70} for t in range(10) for p in range(10)])
    assert charts.confusion_chart(confusion).to_dict()["layer"]


def test_points_are_said_as_points():
    """A difference of two shares (a head start) in percentage points."""
    assert story.signed_points(0.031) == "3.1 points" and story.signed_points(0.01) == "1 point"
