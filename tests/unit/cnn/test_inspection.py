"""Inside the CNN lesson's networks, against references: autograd for receptive fields, a manual
forward pass for the feature maps, counted parameters."""
import pandas as pd
import pytest
import torch

from core.lessons.cnn import arithmetic, charts, experiment, inspection
from core.models import MLP, LessonCNN, count_parameters
from tests.unit.cnn.helpers import spec


def test_receptive_fields_match_autograd(mnist):
    model = experiment.build_cnn("plain", 0).double()
    fields = inspection.receptive_fields(model)
    assert (fields["conv1"], fields["pool1"], fields["conv2"], fields["pool2"]) == (5, 6, 14, 16)
    maps = {}
    hooks = [getattr(model, n).register_forward_hook(lambda _m, _i, o, n=n: maps.__setitem__(n, o))
             for n in ("conv1", "conv2")]
    x = torch.randn(1, 1, 28, 28, dtype=torch.float64, requires_grad=True)
    model(x)
    for h in hooks:
        h.remove()
    for name, (r, c) in (("conv1", (10, 10)), ("conv2", (6, 6))):
        (grad,) = torch.autograd.grad(maps[name][0, :, r, c].sum(), x, retain_graph=True)
        rows, cols = grad[0, 0].abs().gt(0).nonzero().unbind(1)
        assert rows.max() - rows.min() + 1 == fields[name] and cols.max() - cols.min() + 1 == fields[name]


def test_feature_maps_come_from_hooks_in_eval_mode(mnist):
    model = experiment.build_cnn("bn", 0)
    stats = model.bn1.running_mean.clone()
    maps, probs = inspection.feature_maps(model, mnist.x_val[5])
    assert torch.equal(model.bn1.running_mean, stats) and model.training  # nothing updated, mode restored
    shapes = {name: tuple(t.shape) for name, t in maps.items()}
    assert shapes["relu1"] == (16, 28, 28) and shapes["pool1"] == (16, 14, 14)
    assert shapes["relu2"] == (32, 14, 14) and shapes["pool2"] == (32, 7, 7)
    model.eval()
    with torch.no_grad():
        x = mnist.x_val[5:6]
        manual = model.pool1(model.relu1(model.bn1(model.conv1(x))))
        torch.testing.assert_close(maps["pool1"], manual[0])
        torch.testing.assert_close(probs, torch.softmax(model(x), 1)[0])
    assert probs.sum().item() == pytest.approx(1.0)
    df = arithmetic.stack_frame(maps["relu2"])
    assert len(df) == 32 * 14 * 14 and df["v"].min() >= 0
    assert spec(charts.feature_grid_chart(df, "conv2", px=50))


def test_neighbour_correlation_tells_noise_from_smooth_kernels():
    noise = torch.randn(64, 1, 5, 5, generator=torch.Generator().manual_seed(0))
    assert abs(inspection.neighbour_correlation(noise)) < 0.1
    assert inspection.neighbour_correlation(arithmetic.KERNELS["gaussian5"].tensor()[None, None]) > 0.5


def test_parameter_counts_and_layer_table():
    table = inspection.layer_table(LessonCNN())
    assert list(table["layer"]) == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "fc"]
    assert list(table["parameters"]) == [16 * 26, 0, 0, 32 * (16 * 25 + 1), 0, 0, 10 * (32 * 49 + 1)]
    assert table["parameters"].sum() == count_parameters(LessonCNN())
    assert table.set_index("layer").loc["pool2", "output shape"] == "32 × 7 × 7"
    params = inspection.parameter_comparison(None).set_index("network")["parameters"]
    assert params["CNN without BN"] == 28_938 and params["CNN with BN"] == 28_938 + 2 * (16 + 32)
    assert params["MLP 784-256-128-10"] == count_parameters(MLP(experiment.MLP_SIZES)) > 8 * 28_938


def test_misclassified_are_the_wrong_ones_most_confident_first():
    preds = pd.DataFrame({"index": range(5), "label": [1, 2, 3, 4, 5], "pred": [1, 7, 3, 9, 0],
                          "confidence": [0.9, 0.6, 0.8, 0.95, 0.6], "p_true": 0.1})
    wrong = inspection.misclassified(preds)
    assert list(wrong["index"]) == [3, 1, 4]
    assert list(inspection.misclassified(preds, 2)["index"]) == [3, 1]
    frame = inspection.misclassified_frame(wrong, torch.rand(5, 28, 28), [str(i) for i in range(10)])
    assert len(frame) == 3 * 784 and frame["caption"].iloc[0] == "#3: 4 → 9 (95%)"
    assert spec(charts.misclassified_chart(frame))
