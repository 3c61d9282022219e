import hashlib
import gzip

import pytest
import torch

import core.data as data_mod
from core.data import BUNDLED_DIR, DownloadError, load_bundled_mnist, load_dataset, read_idx


def test_bundled_files_match_published_checksums():
    for name, md5 in [("t10k-images-idx3-ubyte.gz", "2646ac647ad5339dbf082846283269ea"),
                      ("t10k-labels-idx1-ubyte.gz", "27ae3e4e09519cfbb04c329615203637")]:
        with gzip.open(BUNDLED_DIR / name) as f:
            assert hashlib.md5(f.read()).hexdigest() == md5


def test_idx_reader_shapes_and_label_counts():
    images = read_idx(BUNDLED_DIR / "t10k-images-idx3-ubyte.gz")
    labels = read_idx(BUNDLED_DIR / "t10k-labels-idx1-ubyte.gz")
    assert images.shape == (10_000, 28, 28) and labels.shape == (10_000,)
    assert torch.bincount(torch.from_numpy(labels.astype("int64"))).tolist() == [
        980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]


def test_bundled_split_is_deterministic_and_disjoint():
    xtr, ytr, xva, yva = load_bundled_mnist()
    assert len(ytr) == 8_000 and len(yva) == 2_000
    load_bundled_mnist.cache_clear()
    xtr2, _, xva2, _ = load_bundled_mnist()
    assert torch.equal(xtr, xtr2) and torch.equal(xva, xva2)
    # no image appears in both splits (MNIST's test set has no exact duplicates)
    train_keys = {bytes(x.numpy()) for x in xtr[:2000]}
    assert not train_keys & {bytes(x.numpy()) for x in xva}


def test_dataset_is_normalised_float_on_device(mnist):
    assert mnist.x_train.dtype == torch.float32 and mnist.x_train.shape[1:] == (1, 28, 28)
    assert abs(mnist.x_train.mean().item()) < 0.1 and abs(mnist.x_train.std().item() - 1) < 0.1
    assert mnist.pixels(mnist.x_train).min().item() == pytest.approx(0.0, abs=1e-5)
    assert mnist.source == "bundled" and "bundled MNIST sample" in mnist.note


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_failed_download_falls_back_to_bundled_sample(monkeypatch, name):
    calls = []

    def no_network(requested, root=None):
        calls.append(requested)
        raise DownloadError(f"{requested} could not be downloaded (URLError)")

    monkeypatch.setattr(data_mod, "download_torchvision", no_network)
    data_mod._load_uint8.cache_clear()
    try:
        ds = load_dataset(name, "cpu", offline=False)
    finally:
        data_mod._load_uint8.cache_clear()
    assert calls == [name]
    assert ds.source == "bundled" and ds.name == "mnist" and len(ds.y_train) == 8_000
    assert "could not be downloaded" in ds.note
    if name == "fashion_mnist":
        assert "FashionMNIST is not available" in ds.note


def fake_download(n_train: int, n_test: int):
    """Distinct images (pixel 0 holds the index mod 256, pixel 1 the index // 256) and labels."""
    def images(n):
        x = torch.zeros(n, 28, 28, dtype=torch.uint8)
        x[:, 0, 0], x[:, 0, 1] = torch.arange(n) % 256, torch.arange(n) // 256
        return x
    return images(n_train), torch.arange(n_train) % 10, images(n_test), torch.arange(n_test) % 10


@pytest.fixture
def downloaded(monkeypatch):
    """load_dataset(offline=False) with torchvision's download replaced by `fake`."""
    def use(fake):
        monkeypatch.setattr(data_mod, "download_torchvision", lambda name, root=None: fake)
        data_mod._load_uint8.cache_clear()
    yield use
    data_mod._load_uint8.cache_clear()


def test_a_small_download_is_used_whole(downloaded):
    downloaded(fake_download(6, 4))
    ds = load_dataset("fashion_mnist", "cpu", offline=False)
    assert ds.source == "download" and ds.name == "fashion_mnist" and len(ds.y_train) == 6
    assert ds.classes[0] == "T-shirt" and ds.note.startswith("Full FashionMNIST")


def test_a_full_download_is_cut_to_the_lessons_fixed_sample(downloaded):
    downloaded(fake_download(60_000, 10_000))
    ds = load_dataset("mnist", "cpu", offline=False)
    assert len(ds.y_train) == data_mod.SAMPLE_TRAIN == 8_000 and len(ds.y_val) == data_mod.SAMPLE_VAL == 2_000
    assert "8,000 of its 60,000 training images" in ds.note and "2,000 of its 10,000 test" in ds.note
    index = lambda x: (ds.pixels(x)[:, 0, 0, 0] * 255).round() + 256 * (ds.pixels(x)[:, 0, 0, 1] * 255).round()
    train_ids = index(ds.x_train)
    assert len(set(train_ids.tolist())) == 8_000 and train_ids.max() > 50_000  # drawn from all 60,000
    data_mod._load_uint8.cache_clear()
    again = load_dataset("mnist", "cpu", offline=False)
    assert torch.equal(again.x_train, ds.x_train) and torch.equal(again.y_val, ds.y_val)  # fixed
    full = load_dataset("mnist", "cpu", offline=False, sample=False)
    assert len(full.y_train) == 60_000 and len(full.y_val) == 10_000


def test_unknown_dataset_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown dataset"):
        load_dataset("cifar", "cpu", offline=True)


def test_sklearn_digits_are_preprocessed_like_mnist():
    from core.data import digits_pixels

    x, y = digits_pixels()
    assert x.shape == (1797, 1, 28, 28) and x.dtype == torch.float32 and y.shape == (1797,)
    assert x.min().item() == 0.0 and x.max().item() <= 1.0
    assert x[:, :, :4].abs().sum() == 0 and x[:, :, -4:].abs().sum() == 0  # the 20 x 20 digit sits in 28 x 28
    assert x[:, :, 4:24, 4:24].amax(dim=(1, 2, 3)).min() > 0.5  # every digit has ink inside the box
    assert sorted(y.unique().tolist()) == list(range(10))


def test_small_tabular_datasets():
    from core.data import GATES, logic_gate, sum_of_three

    xor = logic_gate("xor")
    assert xor.x_train.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]] and xor.y_train.flatten().tolist() == [0, 1, 1, 0]
    assert set(GATES) == {"and", "or", "nand", "xor"}
    s = sum_of_three(n_train=100, n_val=10, low=0, high=10, seed=2)
    assert s.x_train.shape == (100, 3) and s.y_train.shape == (100, 1)
    assert torch.allclose(s.y_train, s.x_train.sum(1, keepdim=True))
    assert 0 <= s.x_train.min() and s.x_train.max() < 10
    assert torch.equal(sum_of_three(seed=2).x_train, sum_of_three(seed=2).x_train)
    with pytest.raises(ValueError):
        sum_of_three(low=1, high=1)
