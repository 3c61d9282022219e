"""The cost-function lesson's sentences quote the results they are computed from."""
import pandas as pd
from core.format import number, percent
from core.lessons.losses import neuron, story, surfaces
from core.lessons.losses.config import GRID, NeuronConfig, SurfaceConfig
from core.losses import LOSSES


def test_surface_sentences_quote_the_grid():
    _, summaries = surfaces.surface_frames(SurfaceConfig())
    lines = story.surface_lines(summaries, GRID)
    assert "3 values (0, 0.25, 0.5)" in lines[0] and "320,800" in lines[0] and "0.40%" in lines[0]
    assert "flat almost everywhere" in lines[0]
    assert f"{summaries['Sigmoid'].n_levels:,} different values" in lines[1]
    assert story.surface_subtitle(summaries["Step"]) == ["3 values (0, 0.25, 0.5);",
                                                         "0.40% of neighbouring grid steps change it"]


def test_neuron_sentences_and_nielsens_boxes():
    frame = neuron.run(NeuronConfig())
    lines = story.neuron_lines(frame, NeuronConfig())
    assert "**0.982**" in lines[0] and "57× as large" in lines[0]
    assert lines[1].startswith("Quadratic cost: after 150 epochs the output is **0.933**")
    quad, ce = story.nielsen_reproductions(frame, neuron.run(NeuronConfig(eta=0.005)))
    assert quad.reproduces and "0.982 → 0.933 after 150 epochs" in quad.measured
    assert ce.reproduces and "fastest at epoch 1" in ce.measured


def test_comparison_and_bug_sentences_quote_the_runs(small):
    lines = story.compare_lines(small)
    ce = small.run_of("cross_entropy").final_val_acc
    assert f"**cross-entropy reached {percent(ce)}**" in lines[0]
    summed = small.run_of("mse_softmax_sum").final_val_acc
    assert any(line.startswith(f"{LOSSES['mse_softmax_sum'].label}: **{percent(summed)}**") for line in lines)
    assert "0.1 × the summed one" in lines[-1]
    bugs = story.bug_lines(small, None)
    lowest = small.run_of("softmax_then_ce").steps["loss"].min()
    assert f"**{number(lowest, digits=4)}**" in bugs[0] and "never below" in bugs[0]
    assert "**negative**" in bugs[1]


def test_saturation_sentences_follow_the_run(saturated):
    stuck, escaped = story.saturation_lines(saturated[1]), story.saturation_lines(saturated[0])
    assert "stayed at **10.5%** (chance)" in stuck[1]
    assert "reached **" in escaped[1] and "only" in escaped[1]
    top = saturated[1].start["z_mean"].max()
    assert f"starts at z ≈ {number(top)}" in stuck[0]


def test_lines_on_top_of_each_other_are_named():
    steps = list(range(0, 50, 10))
    frame = pd.DataFrame({"run": ["A"] * 5 + ["B"] * 5 + ["C"] * 5, "step": steps * 3,
                          "grad_norm": [0.114] * 5 + [0.116] * 5 + [10.0] * 5})
    assert story.gradient_overlap(frame) == ("On the gradient chart the lines of A and B lie on top of each other "
                                             "(the later drawn over the earlier).")
    assert story.gradient_overlap(frame[frame["run"] != "B"]) is None
