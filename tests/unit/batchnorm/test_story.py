"""The batch-norm lesson's sentences quote the run they are computed from, and say what became of a run
that diverged or did not train (never "nan%")."""
import math
import re

import pytest

import core.format as fmt
from core.lessons.batchnorm import story

UNREADABLE = re.compile(r"(?<![A-Za-z])nan(?![A-Za-z])|\bNone\b|—%|(\d)\1{7}")


def test_takeaways_and_caption_quote_the_run(trained):
    cfg, result = trained
    acc = result.summary("network").set_index("network")["val. accuracy"]
    end = story.final_bands(result, 2)
    assert list(end.index) == ["Without BN", "With BN"] and set(end.columns) >= {"p15", "p50", "p85", "flat"}
    lines = story.takeaways(result, 2, 0.1234, "Sigmoid", 64)
    assert f"learning rate {fmt.number(cfg.lr)}" in lines[0]
    assert f"**{fmt.percent(acc['Without BN'])}**" in lines[0] and f"**{fmt.percent(acc['With BN'])}**" in lines[0]
    text = " ".join(lines)
    assert (f"{fmt.percent(end.loc['Without BN', 'flat'], 0)} of the plain network's inputs to the Sigmoid in "
            "hidden layer 2") in text
    assert story.FLAT_PART["sigmoid"] in text and f"median ends at {fmt.number(end.loc['With BN', 'p50'])}" in text
    assert "differ by 0.123 on average over 64 validation images" in text
    caption = story.bands_caption(result, 2)
    assert caption.count("middle 70% of inputs") == 2 and f"[{fmt.number(end.loc['With BN', 'p15'])}, " in caption


def test_a_diverged_pair_is_said_to_have_diverged_never_nan(diverged):
    """Issue 14, finding 2: a run that diverged before its first validation has no accuracy and no loss."""
    cfg, result = diverged
    lines = story.takeaways(result, 3, None, "ReLU", 64)
    text = " ".join(lines) + story.bands_caption(result, 3)
    assert not UNREADABLE.search(text), text
    assert "the plain network diverged at step" in lines[0] and "before its first validation" in lines[0]
    assert "Neither network learned" in text and "no trained network to compare" in text
    assert "median ends at" not in text  # a blown-up run says nothing about where γ and β put the inputs
    box = story.ioffe_reproduction(result)
    assert box.reproduces is False and not UNREADABLE.search(box.measured + box.note)


def test_small_batches_are_named_as_batch_norms_failure_mode(trained):
    from dataclasses import replace

    _, result = trained
    tiny = type(result)(result.runs, result.histograms, result.bands, result.running,
                        replace(result.config, batch_size=2))
    text = story.modes_line(tiny, 0.9, 2)
    assert "always −1 and +1" in text and "failure mode" in text
    assert "failure mode" not in story.modes_line(result, 0.1, 64)


def test_the_prompt_asks_for_a_prediction_about_the_learning_rate_in_the_controls():
    assert "Then try a learning rate of 1" in story.predict_prompt(0.1)
    assert "Then try 0.1" in story.predict_prompt(1.0)


@pytest.mark.parametrize("value, text", [(1e-5, "10^{-5}"), (-0.42561, "-0.4256"), (1234567.0, r"1.23\cdot 10^{6}"),
                                         (math.nan, r"\text{not finite}"), (0.0, "0.0000")])
def test_latex_numbers_are_short(value, text):
    assert story.tex(value) == text
