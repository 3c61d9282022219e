"""The batch-norm lesson's sentences quote the run they are computed from."""
from core.lessons.batchnorm import story


def test_takeaways_and_caption_quote_the_run(trained):
    cfg, result = trained
    acc = result.summary("network").set_index("network")["val. accuracy"]
    end = story.final_bands(result, 2)
    assert list(end.index) == ["Without BN", "With BN"] and set(end.columns) >= {"p15", "p50", "p85", "flat"}
    lines = story.takeaways(result, 2, 0.1234, "Sigmoid")
    assert f"learning rate {cfg.lr:g}" in lines[0]
    assert f"**{acc['Without BN']:.1%}**" in lines[0] and f"**{acc['With BN']:.1%}**" in lines[0]
    assert f"{end.loc['Without BN', 'flat']:.0%} of the plain network's inputs to the Sigmoid in hidden layer 2" in lines[1]
    assert story.FLAT_PART["sigmoid"] in lines[1] and f"median ends at {end.loc['With BN', 'p50']:.2f}" in lines[2]
    assert "differ by 0.123 on average" in lines[3]
    caption = story.bands_caption(result, 2)
    assert caption.count("middle 70% of inputs") == 2 and f"[{end.loc['With BN', 'p15']:.2f}, " in caption
