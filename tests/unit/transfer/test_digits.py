"""The new task: scikit-learn's digits preprocessed like MNIST, split once into a pool and a held-out test
set, K images per class drawn from the pool; and the measurements set beside MNIST, against numpy."""
import numpy as np
import pytest
import torch

from core.data import NORMALISATION
from core.lessons.transfer import digits as d


def test_preprocessing_gives_28_by_28_images_in_0_1_on_mnists_scale(digits):
    assert digits.pixels.shape == (1797, 1, 28, 28) and digits.pixels.dtype == torch.float32
    assert digits.pixels.min().item() >= 0.0 and digits.pixels.max().item() <= 1.0
    assert digits.pixels.max().item() > 0.99  # full ink reaches 1
    mean, std = NORMALISATION["mnist"]
    torch.testing.assert_close(digits.x, (digits.pixels - mean) / std)
    # the digit sits in the 20 x 20 box, 4 empty pixels all round, as MNIST's
    assert digits.pixels[..., :4, :].abs().sum() == 0 and digits.pixels[..., 24:].abs().sum() == 0


def test_pool_and_test_split_everything_once_the_same_way_every_time(digits):
    pool = torch.cat(digits.pool)
    assert len(pool) == 1000 and len(digits.test) == 797
    assert sorted(torch.cat([pool, digits.test]).tolist()) == list(range(1797))  # disjoint and complete
    for c, members in enumerate(digits.pool):
        assert (digits.y[members] == c).all()
    per_class = torch.bincount(digits.y_test, minlength=10)
    assert per_class.min() == 74 and per_class.max() == 83
    d.load_digits.cache_clear()
    again = d.load_digits("cpu")
    assert torch.equal(again.test, digits.test)  # fixed: never the user's seed


def test_draw_k_per_class_nested_and_seeded(digits):
    five = d.draw(digits, 5, seed=3)
    assert len(five) == 50 and torch.equal(torch.bincount(digits.y[five]), torch.full((10,), 5))
    assert set(five.tolist()) <= set(torch.cat(digits.pool).tolist())
    twenty = d.draw(digits, 20, seed=3)
    assert set(five.tolist()) <= set(twenty.tolist())  # a larger K only adds images
    assert torch.equal(five, d.draw(digits, 5, seed=3)) and not torch.equal(five, d.draw(digits, 5, seed=4))
    assert len(d.draw(digits, 100, seed=0)) == 1000
    for bad in (0, 101):
        with pytest.raises(ValueError, match="K must be"):
            d.draw(digits, bad, 0)


def test_kshot_data_repeats_the_images_once_per_epoch(digits):
    data = d.kshot_data(digits, 3, seed=1, epochs=4)
    chosen = d.draw(digits, 3, seed=1)
    assert len(data.y_train) == 120
    counts = torch.bincount(torch.cat([chosen] * 4))
    assert torch.equal(data.x_train, digits.x[chosen.repeat(4)])
    assert counts[chosen].eq(4).all()
    assert torch.equal(data.x_val, digits.x_test) and len(data.y_val) == 797


def test_measurements_against_numpy(digits):
    rng = np.random.default_rng(0)
    imgs = (rng.random((5, 1, 28, 28)) * (rng.random((5, 1, 28, 28)) > 0.7)).astype(np.float32)
    imgs64 = imgs.astype(np.float64)
    t = torch.from_numpy(imgs)
    rows, cols = np.indices((28, 28))
    mass = imgs64[:, 0].sum((1, 2))
    r = ((imgs64[:, 0] * rows).sum((1, 2)) / mass).mean()
    c = ((imgs64[:, 0] * cols).sum((1, 2)) / mass).mean()
    assert d.centre_of_mass(t) == pytest.approx((r, c), rel=1e-9)
    one = torch.zeros(1, 1, 28, 28)
    one[0, 0, 10, 6:15] = 1.0
    assert d.ink_width(one) == 9
    table = d.compare_to_mnist(t, digits.pixels).set_index("measurement")
    assert table.loc["mean pixel", "MNIST"] == pytest.approx(imgs.mean(), rel=1e-5)
    assert table.loc["pixels above 0.5", "scikit-learn digits"] == pytest.approx(
        (digits.pixels > 0.5).float().mean().item())


def test_examples_one_image_per_class_and_set_as_one_picture(digits, mnist):
    ex = d.examples(mnist.pixels(mnist.x_val), mnist.y_val, digits)
    assert list(ex) == ["MNIST", "scikit-learn digits"] and ex["MNIST"].shape == (10, 28, 28)
    first_three = int((digits.y_test == 3).nonzero()[0])
    assert torch.equal(ex["scikit-learn digits"][3], digits.pixels[digits.test][first_three, 0])
    grid = d.example_grid(ex, gap=2)
    assert grid.shape == (2 * 30 - 2, 10 * 30 - 2) and grid.min() >= 0 and grid.max() <= 1
    np.testing.assert_allclose(grid[30:58, 90:118], 1 - ex["scikit-learn digits"][3].numpy())  # ink is dark
    assert (grid[28:30] == 1).all() and (grid[:, 28:30] == 1).all()  # white gaps
