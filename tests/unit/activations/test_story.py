"""The activations lesson's sentences are read from the numbers on screen."""
from core.lessons.activations import depth, experiment, story


def test_panel_notes_explain_the_odd_grey_regions():
    df = experiment.curves(("gelu", "silu", "leaky_relu", "sigmoid", "relu"), -6.0, 6.0)
    # GELU' = 0 at x ~ -0.752, SiLU' = 0 at x ~ -1.278: a narrow interior band around each
    assert "x ≈ -0.7" in " ".join(story.panel_notes(df, "gelu"))
    assert "x ≈ -1.2" in " ".join(story.panel_notes(df, "silu"))
    leaky = " ".join(story.panel_notes(df, "leaky_relu"))
    assert "slope 0.01" in leaky and "never exactly zero" in leaky
    assert story.panel_notes(df, "sigmoid") == [] and story.panel_notes(df, "relu") == []
    right = experiment.curves(("gelu", "leaky_relu"), 0.0, 6.0)  # no band and no negative side shown
    assert story.panel_notes(right, "gelu") == [story.panel_notes(df, "gelu")[0]]
    assert "normal" in story.panel_notes(right, "gelu")[0] and story.panel_notes(right, "leaky_relu") == []


def test_sigmoid_takeaway_reads_the_measurement(mnist):
    grads = depth.depth_gradients(("sigmoid",), 10, mnist, seed=0, init="he_normal")
    rel = grads[grads["layer"] == 1]["relative"].iloc[0]
    text = story.sigmoid_takeaway(grads, 10, "He normal")
    assert "at most 1/4" in text and f"{0.25 ** 9:.1e}" in text and f"{rel:.1e}" in text
    assert "select the sigmoid" in story.sigmoid_takeaway(grads[grads["function"] != "sigmoid"], 10, "He normal")
