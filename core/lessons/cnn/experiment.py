"""Lesson: convolutional networks, from a trained CNN's numbers to its feature maps.

- The config: one frozen CNNConfig for the whole page (explainer, training and inspection controls);
  the explainer's arithmetic itself lives in core.lessons.cnn.arithmetic.
- Training: the lesson CNN (core.models.LessonCNN) with and without batch norm, same seed, same
  batches, same initial weights; plus an MLP baseline for the parameter count.
- Inspection: conv1's kernels before and after training, every feature map of a chosen test image
  (read with forward hooks in eval mode), predicted probabilities, misclassified test digits.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Mapping, Sequence

import numpy as np
import pandas as pd
import torch
from torch import nn

from core.config import Config, check_range
from core.data import DATASETS, Dataset
from core.lessons.cnn.arithmetic import (CHANNEL_KERNELS, CUSTOM, IDENTITY3, KERNEL_CHOICES, KERNELS,
                                         custom_problem, grid_frame, square)
from core.compare import CompareResult
from core.models import MLP, LessonCNN, count_parameters
from core.seeding import seeded
from core.training import Progress, TrainResult, TrainSettings, train

IMAGE_SIZE = 28
MAX_INDEX = 9_999  # the largest validation set (the full MNIST test split) has 10,000 images
MAX_STRIDE = 8
MAX_PADDING = 8
MAX_POOL = 8
MAX_CHANNELS = 3  # the channel demo: up to 3 input and 3 output channels
NETWORKS = {"plain": "Without BN", "bn": "With BN"}  # chart labels (core.palette colours)
IN_WORDS = {"plain": "without batch norm", "bn": "with batch norm"}
MLP_SIZES = (784, 256, 128, 10)
# The MLP baseline trains with its own, well-tuned settings: it needs more epochs than the CNN to
# come close, and each of its epochs is ~20x cheaper.
MLP_SETTINGS = TrainSettings(epochs=10, batch_size=64, lr=0.05, momentum=0.9, log_every=25)
MLP_LABEL = "MLP baseline"
# Seconds on a 2-core CPU, fitted to the default Train action on the bundled data (2 CNNs x 2 epochs
# x 8,000 images, then the MLP's 10 epochs: 10.9-12.8 s in all at load average 2): per training image
# per CNN epoch (with that epoch's validation), per MLP training image, and the fixed rest (models, predictions).
CPU_S_PER_CNN_IMAGE, CPU_S_PER_MLP_IMAGE, CPU_S_FIXED = 2.5e-4, 3.2e-5, 1.0
STAGES = ("conv1", "bn1", "relu1", "pool1", "conv2", "bn2", "relu2", "pool2")


# ---------------------------------------------------------------- config

@dataclass(frozen=True)
class CNNConfig(Config):
    # explainer
    index: int = 0  # validation ("test") image convolved in the explainer
    kernel: str = "sobel_x"
    custom: tuple[float, ...] = IDENTITY3  # the custom kernel, row-major: 9 or 25 numbers
    stride: int = 1
    padding: int = 0
    pool: int = 2  # max-pool window (and stride); 1 = no pooling
    in_channels: int = 2
    out_channels: int = 2
    channel_kernels: tuple[str, ...] = ("sobel_x", "sobel_y", "box_blur", "box_blur")  # out-major
    # training
    epochs: int = 2
    lr: float = 0.01
    momentum: float = 0.9
    batch_size: int = 64
    # inspection
    network: str = "plain"
    image: int = 0  # validation image whose feature maps are shown

    def validate(self) -> None:
        check_range("Image index", self.index, 0, MAX_INDEX)
        check_range("Feature-map image index", self.image, 0, MAX_INDEX)
        if self.kernel not in KERNEL_CHOICES:
            raise ValueError(f"Unknown kernel '{self.kernel}'. Choose one of: {', '.join(KERNEL_CHOICES)}.")
        square(self.custom)  # always 9 or 25 numbers, so the custom table can be drawn
        if self.kernel == CUSTOM:  # the values matter only while the custom kernel is in use
            problem = custom_problem(self.custom)
            if problem:
                raise ValueError(problem)
        check_range("Stride", self.stride, 1, MAX_STRIDE)
        check_range("Padding", self.padding, 0, MAX_PADDING)
        check_range("Max-pool window", self.pool, 1, MAX_POOL)
        check_range("Input channels", self.in_channels, 1, MAX_CHANNELS)
        check_range("Output channels", self.out_channels, 1, MAX_CHANNELS)
        if not 1 <= len(self.channel_kernels) <= MAX_CHANNELS ** 2:
            raise ValueError(f"Give between 1 and {MAX_CHANNELS ** 2} channel kernels.")
        for name in self.channel_kernels:
            if name not in CHANNEL_KERNELS:
                raise ValueError(f"Channel kernels must be 3×3 presets ({', '.join(CHANNEL_KERNELS)}); "
                                 f"got '{name}'.")
        if self.network not in NETWORKS:
            raise ValueError(f"Network must be one of {', '.join(NETWORKS)} (got '{self.network}').")
        self.train_settings()  # validates lr, momentum, epochs, batch size

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                             momentum=self.momentum, log_every=10)

    def kernel_tensor(self) -> torch.Tensor:
        return square(self.custom) if self.kernel == CUSTOM else KERNELS[self.kernel].tensor()

    def channel_grid(self) -> list[list[str]]:
        """The kernel names as [out][in], cycling through `channel_kernels` (so any channel counts work)."""
        names = self.channel_kernels
        return [[names[(o * self.in_channels + c) % len(names)] for c in range(self.in_channels)]
                for o in range(self.out_channels)]


# ---------------------------------------------------------------- models and training

def build_cnn(network: str, seed: int) -> LessonCNN:
    """The lesson CNN as initialised by `seed` (conv and linear weights are the same with and without BN)."""
    return seeded(seed, lambda: LessonCNN(batch_norm=network == "bn"))


def build_mlp(seed: int) -> MLP:
    return seeded(seed, lambda: MLP(MLP_SIZES, "relu"))


def load_cnn(network: str, state_dict: dict[str, torch.Tensor]) -> LessonCNN:
    model = LessonCNN(batch_norm=network == "bn")
    model.load_state_dict(state_dict)
    return model.eval()


def is_finite(state_dict: dict[str, torch.Tensor]) -> bool:
    return all(torch.isfinite(v).all() for v in state_dict.values() if v.is_floating_point())


@torch.no_grad()
def predictions(model: nn.Module, x: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> pd.DataFrame:
    """Per validation image (eval mode): index, label, predicted class, its probability, p(true label)."""
    was = model.training
    model.eval()
    probs = torch.cat([torch.softmax(model(x[i:i + batch]), 1) for i in range(0, len(x), batch)]).cpu()
    model.train(was)
    conf, pred = probs.max(1)
    labels = y.cpu()
    return pd.DataFrame({"index": np.arange(len(labels)), "label": labels.numpy(), "pred": pred.numpy(),
                         "confidence": conf.numpy(), "p_true": probs[torch.arange(len(labels)), labels].numpy()})


@dataclass
class CNNTraining:
    """The two CNNs (CompareResult with weights kept), the MLP baseline, and what the networks were
    trained from: the seed of their initial weights, and the data their predictions were made on."""

    compare: CompareResult
    mlp: TrainResult
    predictions: dict[str, pd.DataFrame]  # network key -> predictions() frame on the run's validation images
    seed: int
    dataset: tuple[str, str]  # (Dataset.name, Dataset.source) of the data trained and predicted on
    classes: tuple[str, ...]
    wrong_images: dict[str, dict[int, torch.Tensor]]  # network key -> {index: (28, 28) pixels} of its mistakes

    def run(self, network: str) -> TrainResult:
        return self.compare.runs[NETWORKS[network]]

    def untrained(self, network: str) -> LessonCNN:
        """The network as it was before this run trained it."""
        return build_cnn(network, self.seed)

    def trained_on(self, data: Dataset) -> bool:
        return self.dataset == (data.name, data.source)


def train_compare(config: CNNConfig, data: Dataset, seed: int,
                  on_progress: Callable[[Progress], None] | None = None) -> CNNTraining:
    """The lesson CNN with and without batch norm (same seed, batches, initial weights), then the MLP
    baseline (label MLP_LABEL); progress is reported for all three runs."""
    settings = config.train_settings()
    runs, preds, wrong_images = {}, {}, {}
    n_runs = len(NETWORKS) + 1
    for i, (network, label) in enumerate(NETWORKS.items()):
        model = build_cnn(network, seed)
        runs[label] = train(model, data, settings, seed=seed, label=label, on_progress=on_progress,
                            keep_weights=True, run_index=i, n_runs=n_runs)
        if runs[label].diverged_at is None:
            preds[network] = predictions(model, data.x_val, data.y_val)
            wrong = preds[network].loc[lambda df: df["pred"] != df["label"], "index"].tolist()
            pixels = data.pixels(data.x_val[torch.tensor(wrong, dtype=torch.long, device=data.device), 0]).cpu()
            wrong_images[network] = dict(zip(wrong, pixels))  # only the mistakes: ~0.2 MB on the bundled data
    mlp = train(build_mlp(seed), data, MLP_SETTINGS, seed=seed, label=MLP_LABEL, on_progress=on_progress,
                run_index=len(NETWORKS), n_runs=n_runs)
    return CNNTraining(CompareResult(runs), mlp, preds, seed, (data.name, data.source), tuple(data.classes),
                       wrong_images)


def data_label(name: str, source: str) -> str:
    """'MNIST, bundled sample' for a (Dataset.name, Dataset.source) pair."""
    return f"{DATASETS.get(name, name)}, {'bundled sample' if source == 'bundled' else 'full download'}"


def estimated_cpu_seconds(config: CNNConfig, n_train: int) -> float:
    """Rough duration of train_compare on a 2-core CPU, from the CPU_S_* rates measured there."""
    cnn_images = len(NETWORKS) * config.epochs * n_train
    return (cnn_images * CPU_S_PER_CNN_IMAGE + MLP_SETTINGS.epochs * n_train * CPU_S_PER_MLP_IMAGE
            + CPU_S_FIXED)


# ---------------------------------------------------------------- inspection

def receptive_fields(model: LessonCNN) -> dict[str, int]:
    """Side of the input window each stage's output unit depends on, from the layers' sizes:
    r_out = r_in + (k - 1) * j_in, j_out = j_in * s (j: distance in input pixels between neighbours)."""
    r, j, out = 1, 1, {}
    for name in STAGES:
        m = getattr(model, name)
        if isinstance(m, (nn.Conv2d, nn.MaxPool2d)):
            size = m.kernel_size if isinstance(m.kernel_size, int) else m.kernel_size[0]
            step = m.stride if isinstance(m.stride, int) else m.stride[0]
            r, j = r + (size - 1) * j, j * step
        out[name] = r
    return out


def neighbour_correlation(weight: torch.Tensor) -> float:
    """Correlation between horizontally and vertically adjacent weights inside the kernels of a
    (C_out, C_in, k, k) weight: about 0 for random noise, clearly positive for smooth blobs, bars and edges."""
    w = weight.detach().double().reshape(-1, *weight.shape[-2:])
    a = torch.cat([w[:, :, :-1].flatten(), w[:, :-1, :].flatten()])
    b = torch.cat([w[:, :, 1:].flatten(), w[:, 1:, :].flatten()])
    return float(torch.corrcoef(torch.stack([a, b]))[0, 1])


@torch.no_grad()
def feature_maps(model: LessonCNN, image: torch.Tensor) -> tuple[dict[str, torch.Tensor], torch.Tensor]:
    """Every named stage's output for one (1, 28, 28) image, read by forward hooks in eval mode
    (batch norm uses its running statistics, nothing is updated), and the class probabilities."""
    was = model.training
    model.eval()
    maps: dict[str, torch.Tensor] = {}
    hooks = [getattr(model, name).register_forward_hook(
        lambda _m, _i, out, name=name: maps.__setitem__(name, out[0].detach().cpu())) for name in STAGES]
    try:
        device = next(model.parameters()).device
        probs = torch.softmax(model(image.reshape(1, 1, IMAGE_SIZE, IMAGE_SIZE).to(device)), 1)[0].cpu()
    finally:
        for h in hooks:
            h.remove()
        model.train(was)
    return maps, probs


def probabilities_frame(probs: torch.Tensor, label: int, classes: Sequence[str]) -> pd.DataFrame:
    pred = int(probs.argmax())
    kind = ["true class" if i == label else "predicted (wrong)" if i == pred else "other"
            for i in range(len(probs))]
    return pd.DataFrame({"class": list(classes), "p": probs.double().numpy().round(4), "kind": kind})


def misclassified(preds: pd.DataFrame, limit: int | None = None) -> pd.DataFrame:
    """Wrongly classified validation images, most confidently wrong first."""
    wrong = preds[preds["pred"] != preds["label"]].sort_values(["confidence", "index"], ascending=[False, True])
    return wrong.head(limit) if limit else wrong


def misclassified_frame(wrong: pd.DataFrame, pixels: torch.Tensor | Mapping[int, torch.Tensor],
                        classes: Sequence[str]) -> pd.DataFrame:
    """The images of `wrong` (rows of misclassified()) as long rows caption, index, r, c, v in [0, 1];
    `pixels[i]` is validation image i (a tensor of all of them, or CNNTraining.wrong_images)."""
    frames = [grid_frame(pixels[int(row["index"])].reshape(IMAGE_SIZE, IMAGE_SIZE), index=int(row["index"]),
                         caption=f"#{int(row['index'])}: {classes[int(row['label'])]} → "
                                 f"{classes[int(row['pred'])]} ({row['confidence']:.0%})")
              for _, row in wrong.iterrows()]
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=["caption", "r", "c", "v"])


def layer_table(model: nn.Module, input_shape: tuple[int, ...] = (1, 1, IMAGE_SIZE, IMAGE_SIZE)) -> pd.DataFrame:
    """Each leaf layer in forward order: its output shape (measured by hooks on one forward pass of
    zeros, in eval mode) and its own number of parameters."""
    rows = []
    hooks = [m.register_forward_hook(lambda mod, _i, out, name=name: rows.append({
        "layer": name, "type": type(mod).__name__, "output shape": " × ".join(map(str, out.shape[1:])),
        "parameters": sum(p.numel() for p in mod.parameters(recurse=False))}))
        for name, m in model.named_modules() if not list(m.children()) and not isinstance(m, nn.Identity)]
    was = model.training
    model.eval()
    try:
        with torch.no_grad():
            model(torch.zeros(input_shape, device=next(model.parameters()).device))
    finally:
        for h in hooks:
            h.remove()
        model.train(was)
    return pd.DataFrame(rows)


def parameter_comparison(training: CNNTraining | None, seed: int = 0) -> pd.DataFrame:
    """Parameter counts of both CNNs and the MLP baseline, with validation accuracy once trained."""
    models = {"CNN without BN": build_cnn("plain", seed), "CNN with BN": build_cnn("bn", seed),
              f"MLP {'-'.join(map(str, MLP_SIZES))}": build_mlp(seed)}
    runs = [None, None, None] if training is None else [training.run("plain"), training.run("bn"), training.mlp]
    rows = []
    for (name, model), run in zip(models.items(), runs):
        rows.append({"network": name, "parameters": count_parameters(model),
                     "epochs": None if run is None else len(run.epochs),
                     "val. accuracy": None if run is None or run.diverged_at else run.final_val_acc,
                     "seconds": None if run is None else run.seconds})
    return pd.DataFrame(rows)
