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
