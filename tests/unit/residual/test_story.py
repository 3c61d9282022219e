"""The residual lesson's sentences quote the run they are computed from."""
import math

import pandas as pd

import core.format as fmt
from core.lessons.residual import paths, story
from core.lessons.residual.experiment import ResidualResult


def test_step_one_is_the_recorded_first_step(trained):
    _, result = trained
    one = story.step_one(result)
    g = result.grads[result.grads["step"] == 1]
    top = g["layer"].max()
    for network in ("Plain", "Residual"):
        n = g[g["network"] == network]
        first = n[(n["kind"] == "backprop") & (n["layer"] == 1)]["grad_norm"].item()
        output = n[(n["kind"] == "backprop") & (n["layer"] == top)]["grad_norm"].item()
        assert one.loc[network, "first"] == first and one.loc[network, "ratio"] == first / output
        assert one.loc[network, "weight"] == n[(n["kind"] == "weight") & (n["layer"] == 1)]["grad_norm"].item()


def test_diagnosis_and_takeaways_quote_the_run(trained):
    cfg, result = trained
    one = story.step_one(result)
    lines = story.diagnosis(result)
    assert lines[0].startswith("**Plain**") and lines[1].startswith("**Residual**")
    for line, network in zip(lines, ("Plain", "Residual")):
        assert fmt.number(one.loc[network, "first"]) in line and fmt.number(one.loc[network, "weight"]) in line
        first_loss = result.runs[network].steps["loss"].iloc[0]
        assert f"from {fmt.number(first_loss)} at step 1" in line
    points = story.takeaways(result)
    assert cfg.describe() in points[0]
    for network in ("Plain", "Residual"):  # two seeds: mean and range
        accs = result.seeds[result.seeds["network"] == network]["val_acc"]
        assert f"mean {fmt.percent(accs.mean())} ({fmt.percent(accs.min())}–{fmt.percent(accs.max())} over seeds 3–4)" \
            in points[0]
    assert story.paths_sentence(result) not in points  # said under its chart, not repeated in what to notice


def test_the_sentences_follow_the_numbers():
    assert story.shrink_words(1e-8) == "1 in 100 million of the output layer's"
    assert story.shrink_words(0.5) == "0.5× the output layer's" and story.shrink_words(0.0).startswith("exactly 0")
    assert story.shrink_words(math.nan).startswith("—")


def test_paths_sentence_quotes_the_gain(trained):
    _, result = trained
    text = story.paths_sentence(result, "at initialization")
    p = story.split(result, "at initialization")
    for network in ("Plain", "Residual"):
        assert f"passes on {fmt.ratio(paths.gain(p[p['network'] == network]))} per layer" in text


def test_slice_sentence_calls_a_plateau_flat():
    flat = pd.DataFrame({"t": [-1.0, 0.0, 1.0], "loss": [2.3027, 2.3026, 2.3027], "accuracy": 0.1, "network": "Plain"})
    curved = pd.DataFrame({"t": [-1.0, 0.0, 1.0], "loss": [3.0, 0.3, 5.0], "accuracy": 0.5, "network": "Residual"})
    result = ResidualResult({}, slice=pd.concat([flat, curved], ignore_index=True))
    text = story.slice_sentence(result)
    assert "plain network's loss goes from 2.3 at t = 0 to 2.3 at the worse end — flat at the guessing level" in text
    assert "residual network's loss goes from 0.3 at t = 0 to 5 at the worse end." in text
    assert story.slice_sentence(ResidualResult({})).startswith("No loss slice")


def test_spread_sentence_counts_failures(trained):
    _, result = trained
    text = story.spread_sentence(result)
    assert text.startswith("Over 2 seeds")
    one = ResidualResult(result.runs, config=result.config, seeds=result.seeds[result.seeds["seed"] == 3])
    assert story.spread_sentence(one) is None


def test_he_reproduction_waits_for_both_depths_and_judges_ours(trained):
    _, result = trained
    waiting = story.he_reproduction(None, result)
    assert waiting.reproduces is None and "ReLU · depth 8" in waiting.note
    assert "27.94%" in waiting.published and "25.03%" in waiting.published

    def fake(depth: int, plain: float, res: float) -> ResidualResult:
        seeds = pd.DataFrame({"network": ["Plain", "Residual"], "seed": [0, 0], "val_acc": [plain, res]})
        return ResidualResult({}, config=result.config.replace(depth=depth), seeds=seeds)

    good = story.he_reproduction(fake(8, 0.7, 0.9), fake(32, 0.1, 0.9))
    assert good.reproduces is True and "plain depth 8 70.0%, plain depth 32 10.0%" in good.measured
    assert story.he_reproduction(fake(8, 0.7, 0.9), fake(32, 0.8, 0.9)).reproduces is False


def test_a_diverged_pair_is_said_so(small):
    from core.lessons.residual import experiment
    from core.lessons.residual.config import ResidualConfig
    result = experiment.train_pair(ResidualConfig(activation="relu", depth=4, width=32, epochs=1, lr=50,
                                                  momentum=0.99), small, 0)
    points = story.takeaways(result)
    assert all(r.diverged_at for r in result.runs.values())
    assert "no accuracy (it diverged before its first validation)" in points[0]
    assert points[1].startswith("Plain and Residual diverged on the first seed")
    assert not any("nan" in p.lower() for p in points)
