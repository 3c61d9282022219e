"""One epoch of the lessons' MLP two ways, side by side in one process.

1. The loop a student writes (pytorch/examples mnist/main.py): a torchvision MNIST Dataset with
   ToTensor + Normalize, a DataLoader(batch_size=64, shuffle=True), loss.item() every 10 batches.
2. The core engine: on-device tensors, seeded index batches, fused SGD, gradient probes on.

Same model (784-50-50-10 sigmoid), same optimizer (SGD lr 0.01, momentum 0.9), same data (the
bundled MNIST training split). Each is warmed up for one epoch, then timed over `reps` epochs;
the median epoch counts.
"""
from __future__ import annotations

import gzip
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader, Subset
from torchvision import datasets, transforms

from core.data import BUNDLED_DIR, BUNDLED_VAL, SPLIT_SEED, load_dataset
from core.models import MLP, LessonCNN
from core.probes import GradNormProbe
from core.seeding import seeded
from core.training import TrainSettings, train

SIZES = [784, 50, 50, 10]
SETTINGS = TrainSettings(epochs=1, batch_size=64, lr=0.01, momentum=0.9, log_every=25)


class BundledMNIST(datasets.MNIST):
    """torchvision's MNIST class reading only the bundled t10k files (train=False)."""

    resources = [("t10k-images-idx3-ubyte.gz", ""), ("t10k-labels-idx1-ubyte.gz", "")]


def student_dataset(root: Path) -> Subset:
    raw = root / "BundledMNIST" / "raw"
    raw.mkdir(parents=True, exist_ok=True)
    for name in ("t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"):
        with gzip.open(BUNDLED_DIR / f"{name}.gz") as src, open(raw / name, "wb") as dst:
            shutil.copyfileobj(src, dst)
    tf = transforms.Compose([transforms.ToTensor(), transforms.Normalize((0.1307,), (0.3081,))])
    full = BundledMNIST(str(root), train=False, transform=tf)
    perm = torch.randperm(len(full), generator=torch.Generator().manual_seed(SPLIT_SEED))
    return Subset(full, perm[: len(full) - BUNDLED_VAL].tolist())  # the engine's training split


def student_epoch(model, loader, optimizer) -> int:
    model.train()
    seen = 0
    for batch_idx, (data, target) in enumerate(loader):
        optimizer.zero_grad()
        loss = F.cross_entropy(model(data), target)
        loss.backward()
        optimizer.step()
        if batch_idx % 10 == 0:
            loss.item()
        seen += len(target)
    return seen


def bench_mlp(reps: int = 5) -> dict:
    data = load_dataset("mnist", "cpu", offline=True)
    with tempfile.TemporaryDirectory() as tmp:
        loader = DataLoader(student_dataset(Path(tmp)), batch_size=64, shuffle=True)
        model = seeded(0, lambda: MLP(SIZES, "sigmoid"))
        opt = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
        student_epoch(model, loader, opt)  # warm-up
        student, engine = [], []
        for rep in range(reps):  # interleaved, so machine noise hits both alike
            t = time.perf_counter()
            n = student_epoch(model, loader, opt)
            student.append(n / (time.perf_counter() - t))
            m = seeded(0, lambda: MLP(SIZES, "sigmoid"))
            if rep == 0:
                train(m, data, SETTINGS, seed=0, probes=[GradNormProbe()])  # warm-up
            r = train(m, data, SETTINGS, seed=rep, probes=[GradNormProbe()])
            engine.append(r.samples_per_s)
    s, e = statistics.median(student), statistics.median(engine)
    return {"dataloader_samples_per_s": s, "engine_samples_per_s": e, "mlp_speedup": e / s}


def bench_cnn() -> dict:
    data = load_dataset("mnist", "cpu", offline=True).subset(2048)
    m = seeded(0, LessonCNN)
    train(m, data.subset(256), SETTINGS, seed=0)  # warm-up
    r = train(m, data, SETTINGS.replace(lr=0.05), seed=0)
    return {"cnn_samples_per_s": r.samples_per_s}
