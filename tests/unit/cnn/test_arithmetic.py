"""The convolution explainer's arithmetic against references: torch's conv2d and max_pool2d, the
output-size formula, and the frames the explainer draws."""
import itertools
import json
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from core.lessons.cnn import arithmetic, charts
from tests.unit.cnn.helpers import spec


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
    drawn = spec(charts.explainer_chart(ex))
    slide = [p for p in drawn.get("params", []) if p.get("name") == charts.SLIDE]  # Altair lifts params to the top
    assert slide and slide[0]["value"] == 0 and slide[0]["bind"]["max"] == 14 * 14 - 1  # every output cell
    # the slid window is the output cell's: row-major index r * 14 + c
    assert json.dumps(drawn).count(f"datum.r * 14 + datum.c == {charts.SLIDE}") == 2  # its window and its cell


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


def test_explainer_on_a_phone_wraps_two_panels_a_row_within_its_width(mnist):
    image = mnist.pixels(mnist.x_val[0, 0])
    ex = arithmetic.explain(image, arithmetic.KERNELS["sobel_x"].tensor(), stride=1, padding=0, pool=2)
    wide, phone = spec(charts.explainer_chart(ex)), spec(charts.explainer_chart(ex, **charts.PHONE))
    assert len(wide["hconcat"]) == 4 and "columns" not in wide  # a screen: one row, as before
    assert phone["columns"] == 2 and len(phone["concat"]) == 4  # input | kernel, output | pooled
    widths = [max(part.get("width", 0) for part in panel.get("layer", [panel])) for panel in phone["concat"]]
    rows = [widths[i] + widths[i + 1] + phone["spacing"] for i in (0, 2)]
    assert max(rows) <= 390 - 2 * 16  # a 390 px phone's content width
    slides = [p for p in phone.get("params", []) if p.get("name") == charts.SLIDE]
    assert slides and slides[0]["bind"]["max"] == 26 * 26 - 1  # the same sliding kernel
