"""densenet121: the shape arithmetic against the real model, the recipe's counts (10,250 trainable of
6,964,106), the error torch raises on a 28×28 digit, and which weights it is built with."""
import math

import pytest
import torch

from core.lessons.transfer import densenet


@pytest.fixture(scope="module")
def report(digits):
    pick = digits.test[:4]
    return densenet.report(offline=True, pixels=digits.pixels[pick], labels=digits.y[pick], seed=0)


def test_recipe_counts_and_the_28_by_28_error(report):
    assert not report.pretrained and "Random weights" in report.note and "offline" in report.note
    assert report.total_before == 7_978_856
    assert report.counts == {"trainable": 10_250, "frozen": 6_953_856, "total": 6_964_106}
    assert "in_features=1024, out_features=1000" in report.classifier_before
    assert "in_features=1024, out_features=10" in report.classifier_after
    assert report.errors["(1, 3, 28, 28)"] == ("Given input size: (512x1x1). Calculated output size: (512x0x0). "
                                               "Output size is too small")
    assert "expected input[1, 1, 32, 32] to have 3 channels, but got 1 channels" in report.errors["(1, 1, 32, 32)"]
    assert report.errors["(1, 3, 32, 32)"] is None


def test_one_step_moves_the_new_classifier_only_but_batch_norm_statistics_drift(report):
    table = report.check
    frozen, head = table[~table["trainable"]], table[table["trainable"]]
    assert list(head["name"]) == ["classifier.weight", "classifier.bias"]
    assert not frozen["has_gradient"].any() and (frozen["largest_change"] == 0).all()
    assert head["has_gradient"].all() and (head["largest_change"] > 0).all()
    assert report.bn_buffers == 242 and report.bn_buffers_changed == 242  # 121 BN layers in train mode


@pytest.mark.parametrize("side", [28, 32])
def test_arithmetic_matches_the_real_model(report, side):
    computed = densenet.stages(side).set_index("stage")
    for row in report.shapes[side].itertuples():
        if math.isnan(row.side):  # the stage that raised: the arithmetic says it does not fit
            assert not computed.loc[row.stage, "fits"]
        else:
            assert computed.loc[row.stage, "side"] == row.side and computed.loc[row.stage, "channels"] == row.channels


def test_the_smallest_input_is_torchvisions_min_size():
    from torchvision.models import DenseNet121_Weights

    assert densenet.smallest_side() == densenet.MIN_SIDE == DenseNet121_Weights.DEFAULT.meta["min_size"][0]
    assert densenet.stages(28)["fits"].tolist()[-3:] == [False, False, False]
    s224 = densenet.stages(224).set_index("stage")["side"]
    assert s224["denseblock4"] == 7 and s224["conv0"] == 112  # ImageNet's 7×7 last map
    assert densenet.stages(32).set_index("stage")["side"]["transition3"] == 1
    with pytest.raises(ValueError):
        densenet.stages(0)


def test_conv_side_formula_against_torch():
    for side in (1, 7, 28, 29, 32, 33):
        x = torch.zeros(1, 1, side, side)
        assert densenet.conv_side(side, 7, 2, 3) == torch.nn.Conv2d(1, 1, 7, 2, 3)(x).shape[-1]
        assert densenet.conv_side(side, 3, 2, 1) == torch.nn.MaxPool2d(3, 2, 1)(x).shape[-1]
        if side >= 2:
            assert densenet.conv_side(side, 2, 2, 0) == torch.nn.AvgPool2d(2)(x).shape[-1]


def test_weights_from_the_hub_cache_are_used_and_said(tmp_path, monkeypatch):
    """A file where torch's hub cache keeps densenet121's ImageNet weights is loaded (no download)."""
    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))
    state = densenet.build(offline=True, seed=5).model.state_dict()
    path = densenet.weights_file()
    assert path.parent == tmp_path / "checkpoints" and path.name.startswith("densenet121-")
    path.parent.mkdir(parents=True)
    torch.save(state, path)
    built = densenet.build(offline=True, seed=0)
    assert built.pretrained and "hub cache" in built.note
    assert torch.equal(built.model.features.conv0.weight, state["features.conv0.weight"])


def test_a_failed_download_falls_back_to_random_weights(tmp_path, monkeypatch):
    from torchvision.models import DenseNet121_Weights

    monkeypatch.setattr(torch.hub, "get_dir", lambda: str(tmp_path))

    def no_network(self, *args, **kwargs):
        raise OSError("network is unreachable")

    monkeypatch.setattr(DenseNet121_Weights, "get_state_dict", no_network)
    built = densenet.build(offline=False, seed=0)
    assert not built.pretrained and "download failed (OSError)" in built.note


def test_digits_as_densenet_takes_them(digits):
    x = densenet.to_densenet_input(digits.pixels[:3], 32)
    assert x.shape == (3, 3, 32, 32) and torch.equal(x[:, 0], x[:, 2])
    normed = densenet.to_densenet_input(digits.pixels[:3], 32, imagenet=True)
    torch.testing.assert_close(normed[:, 1], (x[:, 1] - 0.456) / 0.224)
