"""A drawn digit prepared like MNIST: 20 x 20 bounding box, aspect kept, centre of mass at the centre."""
import numpy as np
import pytest
import torch

from core.preprocess import center_of_mass, ink_from_rgba, mnist_style


def stroke_image(h=280, w=280) -> np.ndarray:
    """A synthetic '1': a thick vertical stroke drawn off-centre in the top-left of a big canvas."""
    img = np.zeros((h, w), dtype=np.float32)
    img[20:180, 40:60] = 1.0
    img[20:40, 20:60] = 1.0  # its flag
    return img


def test_a_drawn_stroke_becomes_a_centred_28x28_digit():
    out = mnist_style(stroke_image())
    assert out.shape == (28, 28) and out.dtype == torch.float32
    assert 0.0 <= out.min() and out.max() <= 1.0
    rows = torch.nonzero(out.sum(1) > 0.05).flatten()
    cols = torch.nonzero(out.sum(0) > 0.05).flatten()
    assert rows[-1] - rows[0] + 1 == 20  # the longer side (the stroke's height) is 20 pixels
    assert cols[-1] - cols[0] + 1 == pytest.approx(5, abs=1)  # 40 / 160 of it: the aspect ratio is kept
    r, c = center_of_mass(out)
    assert abs(r - 14) <= 0.5 and abs(c - 14) <= 0.5


def test_nothing_drawn_gives_none_and_position_does_not_matter():
    assert mnist_style(np.zeros((100, 100))) is None
    a = mnist_style(stroke_image())
    b = mnist_style(np.roll(stroke_image(), (70, 150), axis=(0, 1)))
    assert torch.allclose(a, b)


def test_canvas_pixels_light_on_dark_and_dark_on_light_give_the_same_ink():
    ink = stroke_image(50, 50)
    light_on_dark = np.zeros((50, 50, 4), np.uint8)
    light_on_dark[..., :3] = (ink * 255).astype(np.uint8)[..., None]
    light_on_dark[..., 3] = 255
    dark_on_light = light_on_dark.copy()
    dark_on_light[..., :3] = 255 - dark_on_light[..., :3]
    assert np.allclose(ink_from_rgba(light_on_dark), ink, atol=1e-2)
    assert np.allclose(ink_from_rgba(dark_on_light), ink, atol=1e-2)


def test_mnist_digits_prepared_again_come_out_as_they_were(mnist):
    """The preprocessing is MNIST's own: applied to MNIST digits it changes (almost) nothing."""
    pixels = mnist.pixels(mnist.x_val[:200, 0]).clamp(0, 1)
    again = torch.stack([mnist_style(p) for p in pixels])
    corr = [torch.corrcoef(torch.stack([a.flatten(), b.flatten()]))[0, 1].item() for a, b in zip(pixels, again)]
    assert sum(corr) / len(corr) > 0.99
