"""The CNN lesson's experiment: the lesson CNN (core.models.LessonCNN) trained with and without batch
norm, same seed, same batches, same initial weights; plus an MLP baseline for the parameter count.

The config (`CNNConfig`) is in `config`, the explainer's arithmetic in `arithmetic`, what the trained
networks look like inside in `inspection`, the charts in `charts`, the sentences in `story`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import torch
from torch import nn

from core.compare import CompareResult
from core.data import DATASETS, Dataset
from core.lessons.cnn.config import NETWORKS, CNNConfig
from core.models import MLP, LessonCNN
from core.seeding import seeded
from core.training import Progress, TrainResult, TrainSettings, train

MLP_SIZES = (784, 256, 128, 10)
# The MLP baseline trains with its own, well-tuned settings: it needs more epochs than the CNN to
# come close, and each of its epochs is ~20x cheaper.
MLP_SETTINGS = TrainSettings(epochs=10, batch_size=64, lr=0.05, momentum=0.9, log_every=25)
MLP_LABEL = "MLP baseline"
# Seconds on a 2-core CPU, fitted to the default Train action on the bundled data (2 CNNs x 2 epochs
# x 8,000 images, then the MLP's 10 epochs: 10.9-12.8 s in all at load average 2): per training image
# per CNN epoch (with that epoch's validation), per MLP training image, and the fixed rest (models, predictions).
CPU_S_PER_CNN_IMAGE, CPU_S_PER_MLP_IMAGE, CPU_S_FIXED = 2.5e-4, 3.2e-5, 1.0


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




def run_all(config: CNNConfig, data: Dataset, seed: int) -> None:
    """Every experiment the CNN page runs for `config` (on any data given, of 28 x 28 images): the
    explainer's convolution and the channel demo on its image, training both CNNs and the MLP, then the
    inspected network's feature maps for the chosen image and for a drawn digit. Returns nothing."""
    from core.lessons.cnn import arithmetic, drawing, inspection
    from core.lessons.cnn.config import IMAGE_SIZE

    n = len(data.y_val)
    image, _ = inspection.validation_image(data, min(config.index, n - 1))
    if not arithmetic.geometry_problem(IMAGE_SIZE, config.kernel_tensor().shape[-1], config.stride,
                                       config.padding, config.pool):
        arithmetic.explain(image, config.kernel_tensor(), config.stride, config.padding, config.pool)
    if not arithmetic.geometry_problem(IMAGE_SIZE, 3, config.stride, config.padding, 1):
        planes, _ = arithmetic.channel_inputs(image, config.in_channels)
        arithmetic.channel_demo(planes, config.channel_grid(), config.stride, config.padding)
    result = train_compare(config, data, seed)
    run = result.run(config.network)
    model = build_cnn(config.network, seed) if run.diverged_at or not is_finite(run.state_dict) else \
        load_cnn(config.network, run.state_dict)
    inspection.feature_maps(model, data.x_val[min(config.image, n - 1)].cpu())
    inspection.parameter_comparison(result, seed)
    stroke = np.full((280, 280, 4), 255, dtype=np.uint8)
    stroke[40:240, 130:150, :3] = 0  # a drawn "1"
    inspection.feature_maps(model, drawing.network_input(drawing.read_drawing(stroke), data.name))
