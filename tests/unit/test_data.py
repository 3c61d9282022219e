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


def test_successful_download_is_used(monkeypatch):
    fake = (torch.zeros(6, 28, 28, dtype=torch.uint8), torch.arange(6) % 10,
            torch.zeros(4, 28, 28, dtype=torch.uint8), torch.arange(4))
    monkeypatch.setattr(data_mod, "download_torchvision", lambda name, root=None: fake)
    data_mod._load_uint8.cache_clear()
    try:
        ds = load_dataset("fashion_mnist", "cpu", offline=False)
    finally:
        data_mod._load_uint8.cache_clear()
    assert ds.source == "download" and ds.name == "fashion_mnist" and len(ds.y_train) == 6
    assert ds.classes[0] == "T-shirt"


def test_unknown_dataset_is_a_clear_error():
    with pytest.raises(ValueError, match="Unknown dataset"):
        load_dataset("cifar", "cpu", offline=True)
