"""The basics lesson's experiments, each a plain function of (config, data, seed, on_progress):

- `train_sum`: the 3 → 4 ReLU → 1 network learning a + b + c through core.training.train (MSE, plain
  SGD), with its dead ReLU units before and after and its validation predictions;
- `train_classifier`: the PyTorch quickstart's 784-512-512-10 ReLU MLP with cross-entropy and plain
  SGD on the sidebar's dataset, with its validation predictions, confusion matrix and mistakes;
- `run_all`: every experiment the page runs for a config (for the app-wide property tests).

The neuron (`neuron`), the perceptron and the XOR network (`perceptron`) and the step mode (`loop`)
have their own modules.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
import torch

from core.data import Dataset
from core.lessons.basics.config import CLASSIFIER_SIZES, BasicsConfig, ClassifierConfig, SumConfig
from core.lessons.basics.loop import LOSS, SteppedTraining, build_sum_model, dead_units, predict, sum_data
from core.lessons.basics.neuron import plane
from core.lessons.basics.perceptron import gate_table, perceptron, rounding_effect, train_xor
from core.lessons.cnn.experiment import predictions
from core.models import MLP
from core.seeding import seeded
from core.training import Progress, TrainResult, train

SUM_LABEL = "Sum of three"
CLASSIFIER_LABEL = "784-512-512-10 MLP"


# ---------------------------------------------------------------- the sum of three

@dataclass
class SumResult:
    """One run of the sum-of-three network: the run itself (MSE per step, validation MSE per epoch), the
    dead hidden units before and after training (1-based), validation predictions (`val`: a, b, c, y,
    y_hat), the final weights, and the targets' mean and variance (the loss of always predicting the mean)."""

    config: SumConfig
    seed: int
    run: TrainResult
    dead_before: list[int]
    dead_after: list[int]
    val: pd.DataFrame
    target_mean: float
    target_var: float

    def model(self) -> MLP:
        """The trained network (on the CPU)."""
        model = build_sum_model(self.seed)
        model.load_state_dict(self.run.state_dict)
        return model

    def predict(self, triple: tuple[float, float, float]) -> float:
        return predict(self.model(), triple)

    @property
    def val_mse(self) -> float:
        return float(self.run.epochs["val_loss"].iloc[-1]) if len(self.run.epochs) else float("nan")


def train_sum(config: SumConfig, seed: int, on_progress: Callable[[Progress], None] | None = None,
              device: str = "cpu") -> SumResult:
    """Train the sum-of-three network on triples drawn from the seed (core.data.sum_of_three), initial
    weights from the same seed. Raises core.budget.TooMuchTraining for a run over the budget."""
    data = sum_data(config, seed, device)
    model = build_sum_model(seed)
    before = dead_units(model, data.x_train)
    run = train(model, data, config.train_settings(), seed=seed, label=SUM_LABEL, loss=LOSS,
                on_progress=on_progress, keep_weights=True)
    model = model.cpu()
    with torch.no_grad():
        y_hat = model(data.x_val.cpu())[:, 0].numpy() if run.diverged_at is None else np.full(len(data.y_val), np.nan)
    x, y = data.x_val.cpu().numpy(), data.y_val.cpu()[:, 0].numpy()
    val = pd.DataFrame({"a": x[:, 0], "b": x[:, 1], "c": x[:, 2], "y": y, "y_hat": y_hat})
    after = dead_units(model, data.x_train.cpu()) if run.diverged_at is None else []
    targets = data.y_train.cpu()[:, 0].double()
    return SumResult(config, seed, run, before, after, val, float(targets.mean()), float(targets.var(unbiased=False)))


def stepper(config: SumConfig, seed: int) -> SteppedTraining:
    """The step mode's run: the same data, initial weights and batches as train_sum's."""
    return SteppedTraining(config, sum_data(config, seed), seed)


# ---------------------------------------------------------------- the quickstart's classifier

@dataclass
class ClassifierResult:
    """The classifier's run, its predictions on the validation images (cnn.experiment.predictions: index,
    label, pred, confidence, p_true), the confusion matrix (`confusion`: true, predicted, count, share of
    the true class), the pixels of its mistakes, and what it was trained on."""

    config: ClassifierConfig
    run: TrainResult
    predictions: pd.DataFrame
    confusion: pd.DataFrame
    wrong_images: dict[int, torch.Tensor]
    classes: tuple[str, ...]
    dataset: tuple[str, str]  # (Dataset.name, Dataset.source)
    n_train: int


def classifier_data(config: ClassifierConfig, data: Dataset) -> Dataset:
    """The images as the quickstart's ToTensor gives them (pixels in [0, 1]), or standardised (the data as loaded)."""
    if config.standardise:
        return data
    return Dataset(data.name, data.source, data.note, data.pixels(data.x_train), data.y_train,
                   data.pixels(data.x_val), data.y_val, data.classes)


def build_classifier(seed: int) -> MLP:
    return seeded(seed, lambda: MLP(CLASSIFIER_SIZES, "relu"))


def confusion(labels: np.ndarray, predicted: np.ndarray, classes: int) -> pd.DataFrame:
    """Long confusion matrix (scikit-learn's): true, predicted, count, share (of the true class's images)."""
    from sklearn.metrics import confusion_matrix  # imported here: a first visit trains no classifier

    matrix = confusion_matrix(labels, predicted, labels=list(range(classes)))
    totals = matrix.sum(1, keepdims=True)
    share = np.divide(matrix, totals, out=np.zeros(matrix.shape), where=totals > 0)
    t, p = np.indices(matrix.shape)
    return pd.DataFrame({"true": t.ravel(), "predicted": p.ravel(), "count": matrix.ravel(), "share": share.ravel()})


def train_classifier(config: ClassifierConfig, data: Dataset, seed: int,
                     on_progress: Callable[[Progress], None] | None = None) -> ClassifierResult:
    """Train the quickstart's MLP with cross-entropy and plain SGD (config.train_settings()). Raises
    core.budget.TooMuchTraining for a run over the budget."""
    shown = classifier_data(config, data)
    model = build_classifier(seed)
    run = train(model, shown, config.train_settings(), seed=seed, label=CLASSIFIER_LABEL, on_progress=on_progress)
    if run.diverged_at is None:
        preds = predictions(model, shown.x_val, shown.y_val)
        matrix = confusion(preds["label"].to_numpy(), preds["pred"].to_numpy(), len(data.classes))
        wrong = preds.loc[preds["pred"] != preds["label"], "index"].tolist()
        pixels = data.pixels(data.x_val[torch.tensor(wrong, dtype=torch.long, device=data.device), 0]).cpu()
        images = dict(zip(wrong, pixels))
    else:
        preds = pd.DataFrame(columns=["index", "label", "pred", "confidence", "p_true"])
        matrix = pd.DataFrame(columns=["true", "predicted", "count", "share"])
        images = {}
    return ClassifierResult(config, run, preds, matrix, images, tuple(data.classes), (data.name, data.source),
                            len(data.y_train))


# ---------------------------------------------------------------- everything the page runs

def run_all(config: BasicsConfig, data: Dataset, seed: int) -> None:
    """Every experiment the page runs for `config` (on whatever image data it is given): the neuron's plane,
    the perceptron on its gate with the exact-arithmetic check and the table of all gates, the XOR network,
    the step mode up to config.step, the sum-of-three run with its prediction, and the classifier."""
    plane(config.neuron)
    run = perceptron(config.perceptron)
    rounding_effect(run)
    gate_table(config.perceptron.lr, config.perceptron.initial)
    train_xor(seed)
    steps = stepper(config.sum, seed)
    steps.advance_to(min(config.step, steps.total))
    result = train_sum(config.sum, seed)
    if result.run.diverged_at is None:
        result.predict(config.query)
    train_classifier(config.classifier, data, seed)
