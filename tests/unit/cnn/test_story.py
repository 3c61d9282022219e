"""The CNN lesson's sentences are read from the networks and the table they describe."""
import torch

from core.lessons.cnn import arithmetic, experiment, inspection, story


def test_before_training_the_sentences_ask_for_a_run():
    start = experiment.build_cnn("plain", 0).conv1.weight.detach()
    table = inspection.parameter_comparison(None)
    cnn_row, mlp_row = table.iloc[0], table.iloc[2]
    lines = story.takeaways(inspection.receptive_fields(experiment.build_cnn("plain", 0)), start, None, None,
                            cnn_row, mlp_row, "plain")
    assert len(lines) == 5
    assert "Each conv1 unit sees a 5×5 patch of the image, each conv2 unit 14×14" in lines[2]
    assert lines[1].endswith(story.kernel_takeaway(start, None)) and "After training" in lines[1]
    assert lines[3] == story.training_takeaway(None) and "Press **Train**" in lines[3]
    ratio = mlp_row["parameters"] / cnn_row["parameters"]
    assert lines[4] == (f"The CNN without batch norm has {cnn_row['parameters']:,} parameters, the MLP "
                        f"{mlp_row['parameters']:,} ({ratio:.1f}× as many). Train both to compare their accuracy.")


def test_kernel_sentences_tell_smooth_change_from_noise():
    noise = torch.randn(16, 1, 5, 5, generator=torch.Generator().manual_seed(0))
    blob = arithmetic.KERNELS["gaussian5"].tensor()[None, None].expand(16, 1, 5, 5)
    smooth = noise + 10 * blob / blob.max()
    assert "smooth blobs, bars" in story.kernel_change_caption(noise, smooth)
    assert "still mostly noise" in story.kernel_change_caption(noise, noise + 0.1 * torch.randn_like(noise))
    assert story.kernel_takeaway(noise, smooth).startswith("Training made conv1's random kernels smoother")
    assert story.kernel_takeaway(noise, noise).startswith("conv1's kernels are still close to random")


def _rows(cnn_acc, mlp_acc, cnn_epochs=2, mlp_epochs=10):
    import pandas as pd

    table = inspection.parameter_comparison(None)
    cnn, mlp = table.iloc[0].copy(), table.iloc[2].copy()
    cnn["val. accuracy"], mlp["val. accuracy"] = cnn_acc, mlp_acc
    cnn["epochs"], mlp["epochs"] = cnn_epochs, mlp_epochs
    cnn["seconds"], mlp["seconds"] = 8.0, 3.0
    return cnn, mlp


def test_lecun_1998_beside_ours_reads_the_run():
    import math

    cnn, mlp = _rows(0.975, 0.962)
    item = story.lecun_reproduction(cnn, mlp, "plain")
    assert item.reproduces is True and "0.95%" in item.published and "3.05%" in item.published
    assert "266,610" in item.published  # 784-300-100-10, counted on our own MLP of those sizes
    assert "2.50% for the CNN, 3.80% for the MLP" in item.measured
    assert "the MLP made 10 passes over the training images, the CNN 2 (the MLP 5× as many)" in item.measured
    from core.format import seconds
    assert f"{seconds(8.0)} for the CNN against {seconds(3.0)} for the MLP (the CNN took longer" in item.measured
    worse = story.lecun_reproduction(*_rows(0.95, 0.96), "plain")
    assert worse.reproduces is False and "did not beat" in worse.note
    untrained = story.lecun_reproduction(*_rows(math.nan, math.nan, None, None), "bn")
    assert untrained.reproduces is None and "Press **Train**" in untrained.measured
    assert story.budget_sentence(*_rows(math.nan, math.nan, None, None)) == ""


def test_a_run_that_diverged_before_its_first_validation_is_said_so():
    import math

    cnn, mlp = _rows(math.nan, 0.96, cnn_epochs=0)
    item = story.lecun_reproduction(cnn, mlp, "plain")
    assert item.reproduces is None and "nan" not in item.measured.lower()
    assert story.budget_sentence(cnn, mlp) == ""
    assert "nan" not in story.parameter_takeaway(cnn, mlp, "plain").lower()


def test_the_parameter_takeaway_draws_no_conclusion_from_a_network_at_chance():
    at_chance = story.parameter_takeaway(*_rows(0.098, 0.97), "plain")
    assert "did not train" in at_chance and "right assumption" not in at_chance
    assert "9.8%" in at_chance and "2 epochs" in at_chance and "10 epochs" in at_chance  # units on both counts
    both = story.parameter_takeaway(*_rows(0.975, 0.97), "plain")
    assert "right assumption" in both and "did not train" not in both and "97.5%" in both
