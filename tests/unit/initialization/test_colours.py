"""Issue 20: pairs the initialization and batch-norm lessons compare are far apart in hue and lightness (CIELAB)."""
import math

import pytest

from core.palette import COLORS


def lab(hex_colour: str) -> tuple[float, float, float]:
    """sRGB (D65) to CIELAB, the standard formulas."""
    rgb = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in rgb]
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883
    f = [t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116 for t in (x, y, z)]
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def test_lab_of_known_colours():
    assert lab("#FFFFFF") == pytest.approx((100, 0, 0), abs=0.1)
    assert lab("#000000") == pytest.approx((0, 0, 0), abs=0.1)


@pytest.mark.parametrize("a, b", [("Uniform [-1, 1]", "Xavier uniform"), ("PyTorch default", "Xavier uniform"),
                                  ("Xavier normal", "He normal"), ("Uniform [-1, 1]", "Uniform / n_in"),
                                  ("Xavier uniform", "He uniform")])
def test_compared_pairs_are_far_apart(a, b):
    la, lb = lab(COLORS[a]), lab(COLORS[b])
    assert math.dist(la, lb) > 35, (a, b)  # ΔE*ab: about 2.3 is just noticeable
    assert abs(la[0] - lb[0]) > 9, (a, b)  # lightness apart too, for grey-scale print and colour-blind eyes


def test_the_default_views_six_schemes_are_all_distinguishable():
    labels = ["All equal (1)", "Uniform [-1, 1]", "Uniform / n_in", "PyTorch default", "Xavier uniform", "He uniform"]
    for i, a in enumerate(labels):
        for b in labels[i + 1:]:
            assert math.dist(lab(COLORS[a]), lab(COLORS[b])) > 35, (a, b)


def test_the_batch_norm_pair_is_opposite_in_hue():
    """Vermillion and blue, as every without/with pair of the app (residual connections, the quadratic
    cost): lightness alike (ΔL* 8), hue opposite, ΔE*ab 115."""
    plain, norm = lab(COLORS["Without BN"]), lab(COLORS["With BN"])
    assert math.dist(plain, norm) > 90
    hue = [math.degrees(math.atan2(c[2], c[1])) % 360 for c in (plain, norm)]
    assert min(abs(hue[0] - hue[1]), 360 - abs(hue[0] - hue[1])) > 120
