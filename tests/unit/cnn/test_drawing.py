"""A digit drawn on the canvas: read as MNIST's were, then read by the lesson CNN."""
import numpy as np
import pytest
import torch

from core.data import NORMALISATION
from core.lessons.cnn import drawing, experiment, inspection
from core.preprocess import center_of_mass


def canvas_stroke(h=280, w=280, dark_on_light=True) -> np.ndarray:
    """A synthetic RGBA canvas: a '7' drawn with thick strokes off-centre (top-right), as the canvas returns it."""
    ink = np.zeros((h, w), dtype=bool)
    ink[30:52, 120:260] = True  # the bar
    for r in range(52, 230):  # the diagonal, 22 pixels thick
        c = 260 - (r - 52) * 0.6
        ink[r, int(c) - 22:int(c)] = True
    rgba = np.zeros((h, w, 4), dtype=np.uint8)
    rgba[..., 3] = 255
    paper, pen = (255, 0) if dark_on_light else (0, 255)
    rgba[..., :3] = paper
    rgba[ink, :3] = pen
    return rgba


@pytest.mark.parametrize("dark_on_light", [True, False])
def test_a_drawn_stroke_becomes_a_centred_28x28_digit(dark_on_light):
    pixels = drawing.read_drawing(canvas_stroke(dark_on_light=dark_on_light))
    assert pixels.shape == (28, 28) and pixels.dtype == torch.float32
    assert pixels.min() >= 0 and pixels.max() <= 1 and pixels.max() > 0.9  # ink is bright, paper is 0
    rows = torch.nonzero(pixels.sum(1) > 0.05).flatten()
    cols = torch.nonzero(pixels.sum(0) > 0.05).flatten()
    assert max(rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1) == 20  # the longer side fills the 20 x 20 box
    r, c = center_of_mass(pixels)
    assert abs(r - 14) <= 0.5 and abs(c - 14) <= 0.5  # centred by its centre of mass, wherever it was drawn


def test_an_empty_canvas_or_no_image_is_nothing_drawn():
    blank = np.full((280, 280, 4), 255, dtype=np.uint8)
    assert drawing.read_drawing(blank) is None
    assert drawing.read_drawing(None) is None
    transparent = np.zeros((280, 280, 4), dtype=np.uint8)
    assert drawing.read_drawing(transparent) is None


def test_a_malformed_image_is_refused():
    with pytest.raises(ValueError, match="RGBA"):
        drawing.read_drawing(np.zeros((280, 280)))


def test_the_network_reads_the_drawing_normalised_like_its_training_images():
    pixels = drawing.read_drawing(canvas_stroke())
    x = drawing.network_input(pixels)
    mean, std = NORMALISATION["mnist"]
    assert x.shape == (1, 28, 28) and torch.allclose(x[0] * std + mean, pixels)
    maps, probs = inspection.feature_maps(experiment.build_cnn("plain", 0), x)
    assert maps["conv1"].shape == (16, 28, 28) and maps["pool2"].shape == (32, 7, 7)
    assert probs.sum().item() == pytest.approx(1.0, abs=1e-5)
    frame = drawing.guess_frame(probs, [str(i) for i in range(10)])
    assert (frame["kind"] == drawing.GUESS).sum() == 1
    assert frame.loc[frame["kind"] == drawing.GUESS, "class"].item() == str(int(probs.argmax()))
