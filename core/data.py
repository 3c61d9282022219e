"""MNIST / FashionMNIST as normalised tensors on the training device.

Online, torchvision downloads the full datasets into data/cache/ (git-ignored), and the lessons
train on a fixed random 8,000 of the official training images, validated on 2,000 of the test
images. Offline, or when the download fails for any reason, MNIST falls back to the bundled sample
in data/mnist/: the 10,000 official MNIST test images, split deterministically into 8,000 train /
2,000 validation. Same sizes either way, so every lesson's default run takes seconds on a 2-core
CPU and the server holds a few MB per dataset, not the full 200 MB. `load_dataset(..., sample=False)`
gives a script the full sets. The returned `Dataset.note` says which data is in use.
"""
from __future__ import annotations

import contextlib
import functools
import gzip
import math
import os
import socket
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch

DATA_DIR = Path(__file__).resolve().parent.parent / "data"
BUNDLED_DIR = DATA_DIR / "mnist"
CACHE_DIR = DATA_DIR / "cache"
SPLIT_SEED = 20_101  # fixed: the bundled train/validation split never depends on the user's seed
BUNDLED_VAL = 2_000
SAMPLE_TRAIN, SAMPLE_VAL = 8_000, 2_000  # what the lessons use of a downloaded dataset
DOWNLOAD_TIMEOUT_S = 10

DATASETS = {"mnist": "MNIST", "fashion_mnist": "FashionMNIST"}  # the sidebar's image datasets
# (mean, std) of the training pixels in [0, 1]; scikit-learn's digits are normalised as MNIST, so a
# network trained on MNIST sees them on the scale it was trained on
NORMALISATION = {"mnist": (0.1307, 0.3081), "fashion_mnist": (0.2860, 0.3530), "digits": (0.1307, 0.3081)}
CLASSES = {
    "mnist": tuple(str(i) for i in range(10)),
    "fashion_mnist": ("T-shirt", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt",
                      "Sneaker", "Bag", "Ankle boot"),
    "digits": tuple(str(i) for i in range(10)),
}


@dataclass(frozen=True, eq=False)
class Dataset:
    """Train/validation tensors on one device. Images are (N, 1, 28, 28) float32, normalised, with
    class indices (N,) int64; the small tabular sets (`logic_gate`, `sum_of_three`) hold (N, k) float32
    inputs and (N, 1) float32 targets."""

    name: str  # the dataset actually in use: "mnist" or "fashion_mnist"
    source: str  # "download" or "bundled"
    note: str  # one sentence for the screen: what data this is and why
    x_train: torch.Tensor
    y_train: torch.Tensor
    x_val: torch.Tensor
    y_val: torch.Tensor
    classes: tuple[str, ...]

    @property
    def device(self) -> torch.device:
        return self.x_train.device

    def subset(self, n_train: int | None = None, n_val: int | None = None) -> "Dataset":
        """The first n examples of each split (the order is already shuffled and fixed)."""
        return Dataset(self.name, self.source, self.note,
                       self.x_train[:n_train], self.y_train[:n_train],
                       self.x_val[:n_val], self.y_val[:n_val], self.classes)

    def pixels(self, images: torch.Tensor) -> torch.Tensor:
        """Undo the normalisation: images back to [0, 1] pixel intensities (image datasets only)."""
        mean, std = NORMALISATION[self.name]
        return images * std + mean

    def to(self, device: str | torch.device) -> "Dataset":
        """The same data on another device."""
        return Dataset(self.name, self.source, self.note, self.x_train.to(device), self.y_train.to(device),
                       self.x_val.to(device), self.y_val.to(device), self.classes)


class DownloadError(RuntimeError):
    pass


def read_idx(path: Path) -> np.ndarray:
    """Read a (gzip-compressed) IDX file as a uint8 numpy array of its stated shape."""
    opener = gzip.open if path.suffix == ".gz" else open
    with opener(path, "rb") as f:
        raw = f.read()
    if raw[0] != 0 or raw[1] != 0 or raw[2] != 0x08:
        raise ValueError(f"{path.name} is not an unsigned-byte IDX file")
    ndim = raw[3]
    shape = tuple(int.from_bytes(raw[4 + 4 * i: 8 + 4 * i], "big") for i in range(ndim))
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * ndim).reshape(shape)


@functools.lru_cache(maxsize=1)
def load_bundled_mnist() -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """The bundled 10k MNIST test images split 8,000 / 2,000 by a fixed seeded permutation (uint8)."""
    images = torch.from_numpy(read_idx(BUNDLED_DIR / "t10k-images-idx3-ubyte.gz").copy())
    labels = torch.from_numpy(read_idx(BUNDLED_DIR / "t10k-labels-idx1-ubyte.gz").astype(np.int64))
    perm = torch.randperm(len(labels), generator=torch.Generator().manual_seed(SPLIT_SEED))
    images, labels = images[perm], labels[perm]
    n_train = len(labels) - BUNDLED_VAL
    return images[:n_train], labels[:n_train], images[n_train:], labels[n_train:]


@contextlib.contextmanager
def socket_timeout(seconds: float):
    """Every socket opened meanwhile gives up after `seconds` (downloads through torchvision, torch.hub)."""
    old = socket.getdefaulttimeout()
    socket.setdefaulttimeout(seconds)
    try:
        yield
    finally:
        socket.setdefaulttimeout(old)


def download_torchvision(name: str, root: Path = CACHE_DIR):
    """Full train and test splits through torchvision (uint8 tensors); DownloadError on failure."""
    import torchvision  # imported lazily: the offline path does not need it

    cls = getattr(torchvision.datasets, DATASETS[name])
    try:
        with socket_timeout(DOWNLOAD_TIMEOUT_S), open(os.devnull, "w") as devnull, \
                contextlib.redirect_stdout(devnull), contextlib.redirect_stderr(devnull):
            train = cls(root=str(root), train=True, download=True)
            test = cls(root=str(root), train=False, download=True)
    except Exception as exc:  # no network, a mirror down, a partial file: all mean "use the sample"
        raise DownloadError(f"{DATASETS[name]} could not be downloaded ({type(exc).__name__})") from exc
    return train.data, train.targets, test.data, test.targets


def offline_requested() -> bool:
    return os.environ.get("DLVL_OFFLINE", "").strip().lower() in {"1", "true", "yes"}


def _sample(images: torch.Tensor, labels: torch.Tensor, n: int | None, seed: int):
    """A fixed random n of the examples (all of them, unshuffled, when n is None or larger)."""
    if n is None or n >= len(labels):
        return images, labels
    keep = torch.randperm(len(labels), generator=torch.Generator().manual_seed(seed))[:n]
    return images[keep].clone(), labels[keep].clone()  # clone: the full set can be freed


@functools.lru_cache(maxsize=4)
def _load_uint8(name: str, offline: bool, sample: bool = True):
    """(tensors, actual name, source, note), cached per process: a failed download is tried once."""
    if name not in DATASETS:
        raise ValueError(f"Unknown dataset '{name}'. Choose one of: {', '.join(DATASETS)}.")
    reason = "offline mode is on"
    if not offline:
        try:
            xtr, ytr, xte, yte = download_torchvision(name)
        except DownloadError as exc:
            reason = str(exc)
        else:
            n_train, n_test = len(ytr), len(yte)
            xtr, ytr = _sample(xtr, ytr, SAMPLE_TRAIN if sample else None, SPLIT_SEED)
            xte, yte = _sample(xte, yte, SAMPLE_VAL if sample else None, SPLIT_SEED + 1)
            if len(ytr) < n_train:
                note = (f"{DATASETS[name]}, downloaded: a fixed random {len(ytr):,} of its {n_train:,} training "
                        f"images, validated on {len(yte):,} of its {n_test:,} test images, so every run takes "
                        "seconds.")
            else:
                note = f"Full {DATASETS[name]}: {n_train:,} training and {n_test:,} validation images."
            return (xtr, ytr, xte, yte), name, "download", note
    tensors = load_bundled_mnist()
    what = "" if name == "mnist" else f"{DATASETS[name]} is not available, so this uses "
    note = (f"Offline: {what}the bundled MNIST sample ({len(tensors[1]):,} training / "
            f"{len(tensors[3]):,} validation images from the MNIST test set), because {reason}.")
    return tensors, "mnist", "bundled", note


def load_dataset(name: str = "mnist", device: str | torch.device = "cpu", offline: bool | None = None,
                 sample: bool = True) -> Dataset:
    """Load a dataset as normalised float tensors on `device`, falling back to the bundled sample.
    A downloaded dataset is cut to the lessons' fixed sample unless `sample` is False."""
    offline = offline_requested() if offline is None else offline
    (xtr, ytr, xva, yva), actual, source, note = _load_uint8(name, offline, sample)
    mean, std = NORMALISATION[actual]
    device = torch.device(device)

    def prep(images: torch.Tensor) -> torch.Tensor:
        x = images.to(device=device, dtype=torch.float32).div_(255.0)
        return x.sub_(mean).div_(std).unsqueeze(1)

    return Dataset(actual, source, note, prep(xtr), ytr.to(device), prep(xva), yva.to(device),
                   CLASSES[actual])


# ---------------------------------------------------------------- small tabular data sets

GATE_INPUTS = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))  # truth-table order
GATES = {"and": (0, 0, 0, 1), "or": (0, 1, 1, 1), "nand": (1, 1, 1, 0), "xor": (0, 1, 1, 0)}


def logic_gate(gate: str, device: str | torch.device = "cpu") -> Dataset:
    """A logic gate's truth table: inputs (4, 2) and targets (4, 1) in {0, 1}, float32, rows in
    truth-table order (00, 01, 10, 11). Training and validation are the same four rows.
    Raises ValueError for a gate not in GATES."""
    if gate not in GATES:
        raise ValueError(f"Unknown gate '{gate}'. Choose one of: {', '.join(GATES)}.")
    x = torch.tensor(GATE_INPUTS, dtype=torch.float32, device=device)
    y = torch.tensor(GATES[gate], dtype=torch.float32, device=device)[:, None]
    return Dataset(gate, "generated", f"The {gate.upper()} gate's truth table: 4 examples.", x, y, x, y, ("0", "1"))


def sum_of_three(n_train: int = 1000, n_val: int = 200, low: float = 0.0, high: float = 1.0, seed: int = 0,
                 device: str | torch.device = "cpu") -> Dataset:
    """Triples (a, b, c) drawn uniformly from [low, high) with target a + b + c: inputs (n, 3) and
    targets (n, 1), float32, from a generator seeded by `seed` (training and validation drawn apart).
    Raises ValueError for an empty range or sizes below 1."""
    if not (math.isfinite(low) and math.isfinite(high) and high > low):
        raise ValueError(f"The input range needs low < high (got [{low:g}, {high:g})).")
    if n_train < 1 or n_val < 1:
        raise ValueError("Sum of three needs at least one training and one validation example.")
    g = torch.Generator().manual_seed(seed)
    x = low + (high - low) * torch.rand(n_train + n_val, 3, generator=g)
    y = x.sum(1, keepdim=True)
    note = (f"{n_train:,} random triples from [{low:g}, {high:g}) and their sums for training, {n_val:,} more "
            "for validation.")
    return Dataset("sum_of_three", "generated", note, x[:n_train].to(device), y[:n_train].to(device),
                   x[n_train:].to(device), y[n_train:].to(device), ())


# ---------------------------------------------------------------- scikit-learn's digits

DIGITS_SIDE = 20  # MNIST's digits were scaled to fit a 20 x 20 box, then centred in 28 x 28


@functools.lru_cache(maxsize=1)
def digits_pixels() -> tuple[torch.Tensor, torch.Tensor]:
    """scikit-learn's handwritten digits (1,797 images of 8 x 8 from the UCI optdigits set, shipped in
    the package: no download), preprocessed like MNIST: scaled from 0-16 to [0, 1], upsampled
    (bilinear) to 20 x 20 and padded with 4 zero pixels on each side to 28 x 28. Returns images
    (1797, 1, 28, 28) float32 in [0, 1] and labels (1797,) int64."""
    from sklearn.datasets import load_digits  # imported lazily: only the transfer lesson needs it

    digits = load_digits()
    x = torch.from_numpy(digits.images.astype(np.float32) / 16.0)[:, None]
    x = torch.nn.functional.interpolate(x, size=(DIGITS_SIDE, DIGITS_SIDE), mode="bilinear", align_corners=False)
    pad = (28 - DIGITS_SIDE) // 2
    x = torch.nn.functional.pad(x.clamp(0.0, 1.0), (pad, pad, pad, pad))
    return x, torch.from_numpy(digits.target.astype(np.int64))


def normalise(name: str, pixels: torch.Tensor) -> torch.Tensor:
    """Images in [0, 1] to the normalised scale the lessons train on (NORMALISATION[name])."""
    mean, std = NORMALISATION[name]
    return (pixels - mean) / std
