"""The CNN lesson's numbers against references: torch's conv2d and max_pool2d, the size formula,
autograd for receptive fields, and a real training run on the bundled data."""
import dataclasses
import itertools
import math

import altair as alt
import numpy as np
import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from core.lessons.cnn import arithmetic, charts, experiment as lesson
from core.models import MLP, LessonCNN, count_parameters


def spec(chart) -> dict:
    """The chart's Vega-Lite spec (Streamlit, too, lifts Altair's 5,000-row guard)."""
    with alt.data_transformers.disable_max_rows():
        return chart.to_dict()


@pytest.mark.parametrize("c_in, c_out, n, k, stride, padding", [
    (1, 1, 28, 3, 1, 0), (1, 1, 28, 5, 2, 2), (3, 2, 11, 3, 2, 1), (2, 3, 9, 5, 1, 4), (16, 4, 14, 5, 3, 0),
    (1, 1, 5, 5, 1, 0), (2, 2, 7, 3, 4, 3),
])
def test_convolution_equals_torch_conv2d(c_in, c_out, n, k, stride, padding):
    g = torch.Generator().manual_seed(c_in * 100 + n)
    x = torch.randn(c_in, n, n, generator=g, dtype=torch.float64)
    w = torch.randn(c_out, c_in, k, k, generator=g, dtype=torch.float64)
    b = torch.randn(c_out, generator=g, dtype=torch.float64)
    out, partials = arithmetic.convolve(x, w, stride, padding, bias=b)
    ref = F.conv2d(x[None], w, b, stride=stride, padding=padding)[0]
    assert out.shape == ref.shape
    torch.testing.assert_close(out, ref)
    # the per-input-channel terms add up to the output (plus the bias)
    torch.testing.assert_close(partials.sum(1) + b[:, None, None], ref)
    for c in range(c_in):
        torch.testing.assert_close(partials[:, c], F.conv2d(x[None, c:c + 1], w[:, c:c + 1], stride=stride,
                                                            padding=padding)[0])


@pytest.mark.parametrize("name", list(arithmetic.KERNELS))
def test_every_preset_on_a_digit_matches_conv2d(mnist, name):
    image = mnist.pixels(mnist.x_val[3, 0])
    kernel = arithmetic.KERNELS[name].tensor()
    out, _ = arithmetic.convolve(image[None], kernel[None, None], 1, 1)
    torch.testing.assert_close(out, F.conv2d(image[None, None], kernel[None, None], padding=1)[0])


def test_output_size_formula_matches_torch_over_a_grid():
    for n, k, s, p in itertools.product([1, 4, 7, 28], [1, 2, 3, 5, 7], [1, 2, 3, 4], [0, 1, 2, 3]):
        if k > n + 2 * p:
            with pytest.raises(ValueError, match="larger than the padded"):
                arithmetic.output_size(n, k, s, p)
            continue
        expected = math.floor((n + 2 * p - k) / s) + 1
        assert arithmetic.output_size(n, k, s, p) == expected
        side = F.conv2d(torch.zeros(1, 1, n, n), torch.zeros(1, 1, k, k), stride=s, padding=p).shape[-1]
        assert side == expected, (n, k, s, p)
        out, _ = arithmetic.convolve(torch.zeros(1, n, n), torch.zeros(1, 1, k, k), s, p)
        assert out.shape[-1] == expected


def test_max_pool_equals_torch_and_its_size_formula():
    x = torch.randn(3, 13, 13, generator=torch.Generator().manual_seed(1))
    for m in (1, 2, 3, 4, 6, 13):
        pooled = arithmetic.max_pool(x, m)
        torch.testing.assert_close(pooled, F.max_pool2d(x[None], m)[0])
        assert pooled.shape[-1] == arithmetic.pool_output_size(13, m) == 13 // m
    with pytest.raises(ValueError, match="larger than the 13×13"):
        arithmetic.max_pool(x, 14)


def test_bad_geometry_is_explained_not_raised_deep_inside():
    assert arithmetic.geometry_problem(28, 3, 1, 0, 2) is None
    assert "stride must be at least 1" in arithmetic.geometry_problem(28, 3, 0, 0, 1)
    assert "larger than the padded 4×4" in arithmetic.geometry_problem(4, 5, 1, 0, 1)
    assert "max-pool window" in arithmetic.geometry_problem(28, 5, 8, 0, 8)  # 28 -> 3, pool 8
    with pytest.raises(ValueError):
        arithmetic.explain(torch.zeros(4, 4), torch.zeros(5, 5), 1, 0, 1)


def test_explainer_frames_hold_the_computation(mnist):
    image = mnist.pixels(mnist.x_val[0, 0])
    kernel = arithmetic.KERNELS["sobel_x"].tensor()
    ex = arithmetic.explain(image, kernel, stride=2, padding=1, pool=2)
    assert ex.out_size == arithmetic.output_size(28, 3, 2, 1) == 14 and ex.pooled_size == 7
    assert len(ex.image) == 30 * 30 and ex.image["padding"].sum() == 30 * 30 - 28 * 28
    ref = F.conv2d(image[None, None], kernel[None, None], stride=2, padding=1)[0, 0]
    grid = ex.output.pivot(index="r", columns="c", values="v").to_numpy()
    np.testing.assert_allclose(grid, ref.numpy(), atol=1e-4)
    # each output cell's window: its top-left corner moves by the stride in the padded input
    cell = ex.output.query("r == 3 and c == 5").iloc[0]
    assert (cell["r0"], cell["r1"], cell["c0"], cell["c1"]) == (6, 9, 10, 13)
    window = torch.nn.functional.pad(image, (1, 1, 1, 1))[6:9, 10:13]
    assert cell["v"] == pytest.approx(float((window * kernel).sum()), abs=1e-4)
    pooled = ex.pooled.pivot(index="r", columns="c", values="v").to_numpy()
    np.testing.assert_allclose(pooled, F.max_pool2d(ref[None, None], 2)[0, 0].numpy(), atol=1e-4)
    assert spec(charts.explainer_chart(ex))


def test_channel_demo_terms_add_up(mnist):
    images = mnist.pixels(mnist.x_val[:3, 0])
    grid = arithmetic.resize_grid([["sobel_x", "sobel_y"], ["box_blur", "outline"]], 2, 3)
    assert grid[0][:2] == ["sobel_x", "sobel_y"] and len(grid[0]) == 3 and len(grid) == 2
    demo = arithmetic.channel_demo(images, grid, 1, 1)
    weight = torch.stack([torch.stack([arithmetic.KERNELS[n].tensor() for n in row]) for row in grid])
    ref = F.conv2d(images[None], weight, padding=1)[0]
    for o in range(2):
        terms = demo.terms[demo.terms["out"] == o + 1]
        total = terms[terms["term"] > 0].groupby(["r", "c"])["v"].sum().to_numpy()
        sums = terms[terms["term"] == 0].sort_values(["r", "c"])["v"].to_numpy()
        np.testing.assert_allclose(sums, ref[o].flatten().numpy(), atol=1e-3)
        np.testing.assert_allclose(total, sums, atol=2e-3)  # values are rounded to 4 decimals
    assert len(demo.panels) == 2 * 4 and demo.panels[3] == "out 1 = sum"
    assert spec(charts.channel_chart(demo))


def test_channel_inputs_are_one_image_and_its_edge_maps(mnist):
    image = mnist.pixels(mnist.x_val[4, 0])
    planes, labels = arithmetic.channel_inputs(image, 3)
    assert planes.shape == (3, 28, 28) and torch.equal(planes[0], image)
    for plane, name in zip(planes[1:], ("sobel_x", "sobel_y")):
        ref = F.conv2d(image[None, None], arithmetic.KERNELS[name].tensor()[None, None], padding=1)[0, 0].relu()
        torch.testing.assert_close(plane, ref / ref.max())
    assert planes.min() >= 0 and planes[1:].amax(dim=(1, 2)).tolist() == [1.0, 1.0]
    assert labels[1].startswith("left edges") and len(arithmetic.channel_inputs(image, 1)[1]) == 1
    with pytest.raises(ValueError, match="1 to 3 input channels"):
        arithmetic.channel_inputs(image, 4)


def test_kernel_tables_round_trip_and_reject_empty_cells():
    values = tuple(float(v) for v in range(25))
    table = arithmetic.kernel_table(values)
    assert table.shape == (5, 5) and list(table.columns) == ["1", "2", "3", "4", "5"]
    assert arithmetic.kernel_from_table(table) == values
    table.iloc[1, 2] = np.nan
    with pytest.raises(ValueError, match="row 2, column 3 is empty"):
        arithmetic.kernel_from_table(table)
    table.iloc[1, 2] = -100.0  # the config's limit itself is fine
    assert arithmetic.kernel_from_table(table)[7] == -100.0
    table.iloc[1, 2] = 200.0
    with pytest.raises(ValueError, match="row 2, column 3 is 200: enter a number between -100 and 100"):
        arithmetic.kernel_from_table(table)
    with pytest.raises(ValueError, match="9 .* or 25"):
        arithmetic.square((1.0, 2.0))
    grid = [["sobel_x", "box_blur"], ["identity", "emboss"]]
    channels = arithmetic.channel_table(grid)
    assert arithmetic.grid_from_table(channels) == grid
    channels.iloc[1, 0] = None
    with pytest.raises(ValueError, match="output channel 2, input channel 1"):
        arithmetic.grid_from_table(channels)


def test_config_round_trips_and_rejects_nonsense():
    cfg = lesson.CNNConfig(index=17, kernel="custom", custom=tuple(float(i % 3 - 1) for i in range(25)), stride=2,
                           padding=3, pool=3, in_channels=3, out_channels=1,
                           channel_kernels=("emboss", "identity", "sharpen"), epochs=1, lr=0.05, network="bn",
                           image=42)
    assert lesson.CNNConfig.from_query(cfg.to_query()) == (cfg, [])
    assert cfg.kernel_tensor().shape == (5, 5)
    # the custom values may come before or after kernel=custom in a link
    params = {"custom": "1,2,3,4,5,6,7,8,9", "kernel": "custom"}
    assert lesson.CNNConfig.from_query(params)[0].kernel_tensor()[2, 2] == 9
    bad, messages = lesson.CNNConfig.from_query(
        {"stride": "0", "kernel": "wavelet", "custom": "1,2,nan", "pool": "99", "channel_kernels": "gaussian5",
         "lr": "-1", "index": "abc", "network": "resnet"})
    assert bad == lesson.CNNConfig()
    joined = " ".join(messages)
    for name in ("stride", "kernel", "custom", "pool", "channel_kernels", "lr", "index", "network"):
        assert f"{name}=" in joined
    with pytest.raises(ValueError, match="Stride must be between 1"):
        lesson.CNNConfig(stride=0)
    for bad_value in (float("inf"), 200.0):
        with pytest.raises(ValueError, match="Custom kernel values must be numbers between -100 and 100"):
            lesson.CNNConfig(kernel="custom", custom=(bad_value,) + (0.0,) * 8)
    # beside a preset the custom values are kept (a link carries them) but unused, so not range-checked...
    beside = lesson.CNNConfig(kernel="sobel_x", custom=(200.0,) + (0.0,) * 8)
    assert beside.kernel_tensor()[0, 0] == -1
    assert arithmetic.custom_problem(beside.custom) and arithmetic.custom_problem(arithmetic.IDENTITY3) is None
    with pytest.raises(ValueError, match="9 .* or 25"):  # ...but always 9 or 25 of them: the table needs that
        lesson.CNNConfig(custom=(1.0, 2.0))
    # any channel counts work with any list of channel kernels: it cycles
    grid = lesson.CNNConfig(in_channels=3, out_channels=3).channel_grid()  # cell 8 -> 8 % 4 = 0
    assert len(grid) == 3 and grid[2][2] == "sobel_x" and grid[0][1] == "sobel_y"


def test_receptive_fields_match_autograd(mnist):
    model = lesson.build_cnn("plain", 0).double()
    fields = lesson.receptive_fields(model)
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
    model = lesson.build_cnn("bn", 0)
    stats = model.bn1.running_mean.clone()
    maps, probs = lesson.feature_maps(model, mnist.x_val[5])
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
    assert abs(lesson.neighbour_correlation(noise)) < 0.1
    assert lesson.neighbour_correlation(arithmetic.KERNELS["gaussian5"].tensor()[None, None]) > 0.5


def test_parameter_counts_and_layer_table():
    table = lesson.layer_table(LessonCNN())
    assert list(table["layer"]) == ["conv1", "relu1", "pool1", "conv2", "relu2", "pool2", "fc"]
    assert list(table["parameters"]) == [16 * 26, 0, 0, 32 * (16 * 25 + 1), 0, 0, 10 * (32 * 49 + 1)]
    assert table["parameters"].sum() == count_parameters(LessonCNN())
    assert table.set_index("layer").loc["pool2", "output shape"] == "32 × 7 × 7"
    params = lesson.parameter_comparison(None).set_index("network")["parameters"]
    assert params["CNN without BN"] == 28_938 and params["CNN with BN"] == 28_938 + 2 * (16 + 32)
    assert params["MLP 784-256-128-10"] == count_parameters(MLP(lesson.MLP_SIZES)) > 8 * 28_938


def test_misclassified_are_the_wrong_ones_most_confident_first():
    preds = pd.DataFrame({"index": range(5), "label": [1, 2, 3, 4, 5], "pred": [1, 7, 3, 9, 0],
                          "confidence": [0.9, 0.6, 0.8, 0.95, 0.6], "p_true": 0.1})
    wrong = lesson.misclassified(preds)
    assert list(wrong["index"]) == [3, 1, 4]
    assert list(lesson.misclassified(preds, 2)["index"]) == [3, 1]
    frame = lesson.misclassified_frame(wrong, torch.rand(5, 28, 28), [str(i) for i in range(10)])
    assert len(frame) == 3 * 784 and frame["caption"].iloc[0] == "#3: 4 → 9 (95%)"
    assert spec(charts.misclassified_chart(frame))


def test_defaults_train_past_95_percent_and_batch_norm_learns_faster(mnist):
    """The page's default training on the bundled data: both CNNs beat 95% on the validation images,
    with the same initial weights; batch norm lowers the first epoch's loss; the MLP needs 8x the weights."""
    reports = []
    result = lesson.train_compare(lesson.CNNConfig(), mnist, seed=0, on_progress=reports.append)
    plain, bn = result.run("plain"), result.run("bn")
    assert plain.final_val_acc > 0.95 and bn.final_val_acc > 0.95
    # all three runs report progress, the MLP baseline last and labelled; the bar only moves forward
    assert list(dict.fromkeys(r.label for r in reports)) == ["Without BN", "With BN", lesson.MLP_LABEL]
    fractions = [r.fraction for r in reports]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert bn.epochs["train_loss"].iloc[0] < plain.epochs["train_loss"].iloc[0]
    assert plain.state_dict is not None and plain.state_dict["conv1.weight"].device.type == "cpu"
    start = lesson.build_cnn("plain", 0).state_dict()
    assert not torch.equal(plain.state_dict["conv1.weight"], start["conv1.weight"])  # it learned
    assert torch.equal(lesson.build_cnn("bn", 0).conv1.weight, start["conv1.weight"])  # same start
    preds = result.predictions["plain"]
    assert (preds["pred"] == preds["label"]).mean() == pytest.approx(plain.final_val_acc)
    # the run knows its start and its data: "before" and the mistakes do not depend on the page's settings now
    assert result.seed == 0 and result.trained_on(mnist)
    assert not result.trained_on(dataclasses.replace(mnist, source="download"))
    assert torch.equal(result.untrained("bn").conv1.weight, start["conv1.weight"])
    wrong = lesson.misclassified(preds)
    assert set(result.wrong_images["plain"]) == set(wrong["index"])
    i = int(wrong["index"].iloc[0])
    assert torch.equal(result.wrong_images["plain"][i], mnist.pixels(mnist.x_val[i, 0]))
    strip = lesson.misclassified_frame(wrong.head(3), result.wrong_images["plain"], result.classes)
    assert len(strip) == 3 * 784
    assert result.mlp.final_val_acc > 0.9
    table = lesson.parameter_comparison(result).set_index("network")
    assert table.loc["CNN without BN", "val. accuracy"] == plain.final_val_acc
    # the trained kernels are smoother than the random ones they started from
    trained = lesson.load_cnn("plain", plain.state_dict)
    smooth = lesson.neighbour_correlation
    assert smooth(trained.conv1.weight) > smooth(start["conv1.weight"]) + 0.1


def test_diverged_network_is_reported_not_shown(mnist):
    data = mnist.subset(640, 200)
    result = lesson.train_compare(lesson.CNNConfig(lr=50.0, momentum=0.99, epochs=1), data, seed=0)
    plain = result.run("plain")
    assert plain.diverged_at is not None and "plain" not in result.predictions
    table = lesson.parameter_comparison(result).set_index("network")
    assert pd.isna(table.loc["CNN without BN", "val. accuracy"])
