"""The real thing: torchvision's densenet121 (Huang et al. 2017, "Densely Connected Convolutional
Networks"), with the same recipe applied, and why a 28×28 digit does not fit it.

- `build` makes it with ImageNet weights when they are in torch's hub cache or can be downloaded
  (not offline), else with random weights (`weights=None`), and says which;
- `stages` computes the side of every stage's feature map from the architecture (conv0 7×7 stride 2,
  pool0 3×3 stride 2, three transitions with a 2×2 average pool; the dense blocks keep the size), the
  shape arithmetic that explains the failure; `measured` reads the same sides off the real model;
- `report` applies the recipe (freeze, new classifier for 10 classes, optimizer of the trainable
  parameters), counts the parameters, records the errors torch raises on a (1, 3, 28, 28) and a
  (1, 1, 32, 32) input, and checks one real training step on 32×32 three-channel digits.
"""
from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

import pandas as pd
import torch
from torch import nn
from torch.nn import functional as F

from core.data import CLASSES, Dataset, socket_timeout
from core.lessons.transfer.recipe import counts, freeze, replace_head, step_check, trainable
from core.seeding import seeded
from core.training import TrainSettings, make_optimizer

# densenet121's configuration (torchvision.models.densenet121): growth rate, layers per dense block,
# channels after the stem; each transition halves the channels and the side
GROWTH, BLOCKS, STEM_CHANNELS = 32, (6, 12, 24, 16), 64
IMAGENET_CLASSES, FEATURES = 1000, 1024
MIN_SIDE = 29  # the smallest square input (torchvision's weights record min_size (29, 29))
DOWNLOAD_TIMEOUT_S = 10
IMAGENET_MEAN, IMAGENET_STD = (0.485, 0.456, 0.406), (0.229, 0.224, 0.225)


def _weights():
    from torchvision.models import DenseNet121_Weights  # imported lazily: only this section needs torchvision

    return DenseNet121_Weights.DEFAULT


def weights_file() -> Path:
    """Where torch's hub cache keeps the ImageNet weights (torch.hub.get_dir()/checkpoints/densenet121-*.pth)."""
    return Path(torch.hub.get_dir()) / "checkpoints" / Path(urlparse(_weights().url).path).name


@dataclass
class Build:
    model: nn.Module
    pretrained: bool  # ImageNet weights (True) or random ones (False)
    note: str  # one sentence for the screen: which weights, and why
    seconds: float


def build(offline: bool, seed: int = 0) -> Build:
    """densenet121 with ImageNet weights from the hub cache, else downloaded unless `offline`, else
    random (`weights=None`, initialised from `seed`). A failed download falls back to random weights."""
    from torchvision import models

    start = time.perf_counter()
    path = weights_file()
    reason = "offline mode is on (`make run OFFLINE=0` downloads them once, 31 MB)"
    fetched = False
    if not path.is_file() and not offline:
        try:  # into the hub cache, hash checked; outside the model-building lock (it may take a while)
            with socket_timeout(DOWNLOAD_TIMEOUT_S):
                _weights().get_state_dict(progress=False, check_hash=True)
            fetched = True
        except Exception as exc:  # no network, a timeout, a partial file: all mean "random weights"
            reason = f"the download failed ({type(exc).__name__})"
    if path.is_file():  # built under core.seeding's lock: its initial weights, replaced, draw from torch's RNG
        model = seeded(seed, lambda: models.densenet121(weights=_weights()))
        how = "downloaded into" if fetched else "from"
        return Build(model, True, f"ImageNet weights, {how} torch's hub cache ({path}).", time.perf_counter() - start)
    model = seeded(seed, lambda: models.densenet121(weights=None))
    return Build(model, False, f"Random weights (`weights=None`): the ImageNet weights are not in torch's hub cache "
                               f"({path}) and {reason}.", time.perf_counter() - start)


# ---------------------------------------------------------------- shape arithmetic

def conv_side(side: int, kernel: int, stride: int, padding: int) -> int:
    """Output side of a convolution or pooling: floor((side + 2·padding − kernel) / stride) + 1."""
    return math.floor((side + 2 * padding - kernel) / stride) + 1


def stages(side: int, channels: int = 3) -> pd.DataFrame:
    """The feature map after each stage of densenet121's `features` for a square input of `side`
    pixels, from the architecture alone: stage, operation, channels, side, fits (side >= 1). After the
    first stage that does not fit, the rest are not computed (side NaN). Raises ValueError for side < 1."""
    if side < 1:
        raise ValueError(f"The input side must be at least 1 pixel (got {side}).")
    rows = [{"stage": "input", "operation": f"{channels} × {side} × {side} image", "channels": channels, "side": side}]
    s, c = side, STEM_CHANNELS
    plan = [("conv0", "7×7 convolution, stride 2, padding 3", lambda s: conv_side(s, 7, 2, 3), STEM_CHANNELS),
            ("pool0", "3×3 max-pool, stride 2, padding 1", lambda s: conv_side(s, 3, 2, 1), STEM_CHANNELS)]
    for i, layers in enumerate(BLOCKS, 1):
        c_out = c + layers * GROWTH
        plan.append((f"denseblock{i}", f"{layers} dense layers (+{GROWTH} channels each; 3×3, padding 1: same side)",
                     lambda s: s, c_out))
        c = c_out
        if i < len(BLOCKS):
            c = c // 2
            plan.append((f"transition{i}", "1×1 convolution (halves the channels), 2×2 average pool, stride 2",
                         lambda s: conv_side(s, 2, 2, 0), c))
    plan.append(("pool", "ReLU, then adaptive average pool to 1 × 1 (the classifier's 1,024 inputs)",
                 lambda s: 1, FEATURES))
    fits = True
    for name, operation, rule, ch in plan:
        s = rule(s) if fits else math.nan
        ok = fits and s >= 1
        rows.append({"stage": name, "operation": operation, "channels": ch, "side": s if fits else math.nan})
        fits = ok
    frame = pd.DataFrame(rows)
    frame["fits"] = frame["side"] >= 1
    return frame


def smallest_side() -> int:
    """The smallest square input every stage fits, found from `stages`."""
    return next(s for s in range(1, 1000) if stages(s)["fits"].all())


@torch.no_grad()
def measured(model: nn.Module, side: int, channels: int = 3) -> pd.DataFrame:
    """The side of each stage of the real model's `features` on a zero image (eval mode), by forward
    hooks: stage, channels, side; the stage that raises is listed with side NaN and the rest are not."""
    rows, handles = [], []
    for name, module in model.features.named_children():
        if name.startswith(("conv", "pool", "denseblock", "transition")):
            handles.append(module.register_forward_hook(
                lambda _m, _i, out, n=name: rows.append({"stage": n, "channels": out.shape[1], "side": out.shape[-1]})))
    was = model.training
    model.eval()
    try:
        model(torch.zeros(1, channels, side, side))
    except RuntimeError:
        done = {r["stage"] for r in rows}
        failed = next(n for n, _ in model.features.named_children()
                      if n.startswith(("conv", "pool", "denseblock", "transition")) and n not in done)
        rows.append({"stage": failed, "channels": math.nan, "side": math.nan})
    finally:
        model.train(was)
        for h in handles:
            h.remove()
    return pd.DataFrame(rows)


@torch.no_grad()
def error_on(model: nn.Module, shape: tuple[int, ...]) -> str | None:
    """The message of the RuntimeError torch raises on a zero input of `shape` (eval mode), None if it runs."""
    was = model.training
    model.eval()
    try:
        model(torch.zeros(shape))
        return None
    except RuntimeError as exc:
        return str(exc).strip().splitlines()[0]
    finally:
        model.train(was)


def to_densenet_input(pixels: torch.Tensor, side: int = 32, imagenet: bool = False) -> torch.Tensor:
    """MNIST-style images (N, 1, 28, 28) in [0, 1] as densenet121 takes them: upsampled (bilinear) to
    side × side, the grey channel repeated into three; with `imagenet`, normalised by ImageNet's channel
    statistics (as the pretrained weights expect). Returns (N, 3, side, side)."""
    x = F.interpolate(pixels, size=(side, side), mode="bilinear", align_corners=False).repeat(1, 3, 1, 1)
    if imagenet:
        mean = torch.tensor(IMAGENET_MEAN, device=x.device).view(1, 3, 1, 1)
        std = torch.tensor(IMAGENET_STD, device=x.device).view(1, 3, 1, 1)
        x = (x - mean) / std
    return x


# ---------------------------------------------------------------- the recipe on densenet121

@dataclass
class Report:
    """What the page shows about densenet121 (the model itself is not kept: it holds 32 MB)."""

    pretrained: bool
    note: str
    build_seconds: float
    total_before: int  # parameters as built, with the 1000-class ImageNet classifier
    counts: dict[str, int]  # after freezing and replacing the classifier for 10 classes
    classifier_before: str
    classifier_after: str
    errors: dict[str, str | None]  # input shape (as text) -> torch's error message, None if it runs
    shapes: dict[int, pd.DataFrame]  # side -> measured(model, side)
    check: pd.DataFrame = field(default_factory=pd.DataFrame)  # step_check's table, one training step
    bn_buffers_changed: int = 0  # BatchNorm running statistics that moved during that step
    bn_buffers: int = 0
    batch: int = 0


def report(offline: bool, pixels: torch.Tensor, labels: torch.Tensor, seed: int = 0, side: int = 32) -> Report:
    """Build densenet121 (see `build`), apply the recipe for 10 classes, and check one training step
    (SGD, lr 0.01, momentum 0.9) on `pixels` (N, 1, 28, 28) in [0, 1] with `labels`, upsampled to
    `side` × `side` with three channels. Everything on the CPU."""
    made = build(offline, seed)
    model = made.model
    total_before = sum(p.numel() for p in model.parameters())
    before = repr(model.classifier)
    errors = {"(1, 3, 28, 28)": error_on(model, (1, 3, 28, 28)), "(1, 1, 32, 32)": error_on(model, (1, 1, 32, 32)),
              f"(1, 3, {side}, {side})": error_on(model, (1, 3, side, side))}
    shapes = {s: measured(model, s) for s in (28, side)}
    freeze(model)
    seeded(seed, lambda: replace_head(model, "classifier", 10))
    settings = TrainSettings(epochs=1, batch_size=len(labels), lr=0.01, momentum=0.9)
    x = to_densenet_input(pixels, side, imagenet=made.pretrained)
    data = Dataset("digits", "scikit-learn", "", x, labels, x[:0], labels[:0], CLASSES["digits"])
    buffers = {n: b.clone() for n, b in model.named_buffers() if "running" in n}
    table, _ = step_check(model, data, settings, lambda params: make_optimizer(trainable(params), settings), seed)
    moved = sum(not torch.equal(b, dict(model.named_buffers())[n]) for n, b in buffers.items())
    return Report(made.pretrained, made.note, made.seconds, total_before, counts(model), before,
                  repr(model.classifier), errors, shapes, table, moved, len(buffers), len(labels))
