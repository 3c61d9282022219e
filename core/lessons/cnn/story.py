"""The CNN lesson's sentences, computed from the networks and the run on screen (never a canned
claim): what training did to conv1's kernels, what batch norm changed, what the parameter count
bought, and the takeaways."""
from __future__ import annotations

import pandas as pd
import torch

from core.format import percent, ratio, seconds
from core.lessons.cnn.config import IN_WORDS, NETWORKS
from core.lessons.cnn.experiment import MLP_SIZES, CNNTraining
from core.outcome import CHANCE_MARGIN, DID_NOT_TRAIN, DIVERGED, chance_accuracy, classify
from core.reproduction import Reproduction
from core.lessons.cnn.inspection import neighbour_correlation


def kernel_change_caption(w_before: torch.Tensor, w_after: torch.Tensor) -> str:
    """How far training moved conv1's (16, 1, 5, 5) weights, and whether the change is smooth (strokes) or noise."""
    change = float((w_after - w_before).norm() / w_before.norm())
    smooth = neighbour_correlation(w_after - w_before)
    return (
        f"Training moved conv1's weights by {change:.0%} of their initial size (relative norm). Neighbouring "
        f"weights now correlate at {neighbour_correlation(w_after):.2f}, and the change itself at "
        f"{smooth:.2f}: "
        + ("the updates are smooth blobs, bars and orange-beside-blue edges, the patterns of strokes, laid "
           "over the random start." if smooth > 0.3 else
           "the updates are still mostly noise; more epochs let the stroke patterns emerge.")
        + " Each colour scale is centred on 0; their ranges differ.")


def training_takeaway(result: CNNTraining | None) -> str:
    """What this page's own training run showed (not a canned claim): each CNN's outcome
    (core.outcome.classify: diverged, did not train, or its numbers)."""
    if result is None:
        return ("Press **Train** to see what batch norm changes: same weights, same batches, only the "
                "normalization differs.")
    runs = {n: result.run(n) for n in ("plain", "bn")}
    outcomes = {n: classify(r, len(result.classes)) for n, r in runs.items()}
    diverged = [NETWORKS[n] for n, o in outcomes.items() if o.kind == DIVERGED or not len(runs[n].epochs)]
    if diverged:
        return (f"In the run above, {' and '.join(diverged)} diverged: the learning rate is too large for it. "
                "Batch norm usually tolerates larger learning rates; try 0.1 with and without it.")
    stuck = [NETWORKS[n] for n, o in outcomes.items() if o.kind == DID_NOT_TRAIN]
    if stuck:
        return (f"In the run above, {' and '.join(stuck)} did not train: accuracy stayed near chance "
                f"({percent(chance_accuracy(len(result.classes)), 0)}). Try a larger learning rate or more epochs.")
    plain, bn = runs["plain"], runs["bn"]
    loss = {n: float(r.epochs["train_loss"].iloc[0]) for n, r in runs.items()}
    return (f"In the run above, the first epoch's mean training loss was **{loss['bn']:.3f} with batch norm** "
            f"and {loss['plain']:.3f} without; final validation accuracy {percent(bn.final_val_acc)} with, "
            f"{percent(plain.final_val_acc)} without.")


def parameter_takeaway(cnn_row: pd.Series, mlp_row: pd.Series, network: str, classes: int = 10) -> str:
    """The inspected CNN (`cnn_row`, network "plain" or "bn") against the MLP, rows of
    `inspection.parameter_comparison`; a network whose accuracy stayed near chance (core.outcome's
    margin) is said not to have trained, and no conclusion is drawn from it."""
    cnn = f"The CNN {IN_WORDS[network]}"
    times = f"{mlp_row['parameters'] / cnn_row['parameters']:.1f}×"
    if pd.isna(cnn_row["val. accuracy"]) or pd.isna(mlp_row["val. accuracy"]):
        return (f"{cnn} has {cnn_row['parameters']:,} parameters, the MLP {mlp_row['parameters']:,} ({times} as "
                "many). Train both to compare their accuracy.")
    near = chance_accuracy(classes) + CHANCE_MARGIN
    stuck = [name for name, row in ((cnn, cnn_row), ("the MLP", mlp_row)) if row["val. accuracy"] <= near]
    if stuck:
        verdict = (f"{' and '.join(stuck)} did not train (accuracy near chance, "
                   f"{percent(chance_accuracy(classes), 0)}), so this run says nothing about weight sharing.")
    elif cnn_row["val. accuracy"] >= mlp_row["val. accuracy"]:
        verdict = "sharing weights across positions is the right assumption for images."
    else:
        verdict = "here the MLP is ahead: give the CNN more epochs or a better learning rate."
    epochs, mlp_epochs = int(cnn_row["epochs"]), int(mlp_row["epochs"])
    return (f"{cnn} reached **{percent(cnn_row['val. accuracy'])}** in {epochs} epoch{'s' if epochs > 1 else ''} "
            f"with {cnn_row['parameters']:,} parameters; the MLP, with {times} as many, reached "
            f"{percent(mlp_row['val. accuracy'])} in {mlp_epochs} epoch{'s' if mlp_epochs > 1 else ''}: {verdict}")


def kernel_takeaway(w_before: torch.Tensor, w_after: torch.Tensor | None) -> str:
    """Whether training made conv1's kernels smoother (None: not trained, or no finite weights)."""
    if w_after is None:
        return "After training, compare conv1's kernels with these hand-made detectors."
    before, after = neighbour_correlation(w_before), neighbour_correlation(w_after)
    if after < before + 0.1:
        return (f"conv1's kernels are still close to random (neighbour correlation {before:.2f} → {after:.2f}): "
                "train longer, or with a larger learning rate, to see detectors form.")
    return (f"Training made conv1's random kernels smoother (neighbour correlation {before:.2f} → {after:.2f}): "
            "blob, bar and edge detectors like the hand-made ones, found from the data alone.")


def takeaways(fields: dict[str, int], w_before: torch.Tensor, w_after: torch.Tensor | None,
              result: CNNTraining | None, cnn_row: pd.Series, mlp_row: pd.Series, network: str) -> list[str]:
    """The page's "what to notice": `fields` from `inspection.receptive_fields`, conv1's weights before
    and after training (None: none to show), the run (None: not trained), and the parameter rows."""
    return [
        "The output size is ⌊(n + 2p − k)/s⌋ + 1: with stride 1, padding p = (k − 1)/2 keeps the size (that is "
        "why the lesson CNN pads its 5×5 convolutions by 2), while stride 2 or a 2×2 max-pool halves it.",
        "Edge kernels give signed outputs (orange and blue on the two sides of a stroke); blurs only average. "
        + kernel_takeaway(w_before, w_after),
        f"Each conv1 unit sees a {fields['conv1']}×{fields['conv1']} patch of the image, each conv2 unit "
        f"{fields['conv2']}×{fields['conv2']}, each unit after the second pooling {fields['pool2']}×{fields['pool2']}: "
        "deeper channels respond to larger parts of the digit, strokes combining into shapes.",
        training_takeaway(result),
        parameter_takeaway(cnn_row, mlp_row, network),
    ]


# ---------------------------------------------------------------- reproduced here

LECUN_URL = "http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf"
LECUN_MLP = (784, 300, 100, 10)  # the paper's 3-layer fully connected network, 300 + 100 hidden units


def lecun_mlp_parameters() -> int:
    """Weights and biases of the paper's 784-300-100-10 network, counted on our own MLP of those sizes."""
    from core.models import MLP, count_parameters

    return count_parameters(MLP(list(LECUN_MLP), "relu"))


def budget_sentence(cnn_row: pd.Series, mlp_row: pd.Series) -> str:
    """How the two training budgets differ (rows of inspection.parameter_comparison, once trained)."""
    if any(pd.isna(row["epochs"]) or not row["epochs"] for row in (cnn_row, mlp_row)):
        return ""  # not trained, or a run that diverged before its first validation
    cnn_epochs, mlp_epochs = int(cnn_row["epochs"]), int(mlp_row["epochs"])
    passes = (f"the MLP made {mlp_epochs} passes over the training images, the CNN {cnn_epochs}"
              + (f" (the MLP {ratio(mlp_epochs / cnn_epochs)} as many)" if mlp_epochs != cnn_epochs else ""))
    slower = "the CNN" if cnn_row["seconds"] > mlp_row["seconds"] else "the MLP"
    return (f"The two were not trained on equal budgets: {passes}; in time, {seconds(cnn_row['seconds'])} for the "
            f"CNN against {seconds(mlp_row['seconds'])} for the MLP ({slower} took longer: a convolution costs more "
            "arithmetic per parameter than a fully connected layer).")


def lecun_reproduction(cnn_row: pd.Series, mlp_row: pd.Series, network: str) -> Reproduction:
    """LeCun et al. 1998: a convolutional network, sharing its weights, needs far fewer parameters than a
    fully connected one for a lower error on MNIST. Ours: the CNN on screen against the MLP baseline,
    measured on the page's validation images (None until trained)."""
    cnn = f"the CNN {IN_WORDS[network]}"
    counts = (f"{cnn} has {cnn_row['parameters']:,} parameters, the MLP {'-'.join(map(str, MLP_SIZES))} "
              f"{mlp_row['parameters']:,} ({ratio(mlp_row['parameters'] / cnn_row['parameters'])} as many)")
    trained = not (pd.isna(cnn_row["val. accuracy"]) or pd.isna(mlp_row["val. accuracy"]))
    if trained:
        cnn_err, mlp_err = 1 - cnn_row["val. accuracy"], 1 - mlp_row["val. accuracy"]
        measured = (f"{counts}. Validation error after training: {percent(cnn_err, 2)} for the CNN, "
                    f"{percent(mlp_err, 2)} for the MLP. " + budget_sentence(cnn_row, mlp_row))
        verdict = bool(cnn_err < mlp_err and cnn_row["parameters"] < mlp_row["parameters"])
    else:
        measured = f"{counts}. Press **Train** to measure both errors."
        verdict = None
    return Reproduction(
        "LeCun, Bottou, Bengio & Haffner 1998, “Gradient-based learning applied to document recognition”, "
        "§II.B and §III.C", "Weight sharing lets a convolutional network learn MNIST with far fewer free "
        "parameters than a fully connected network, and with a lower test error.",
        f"LeNet-5: 0.95% test error with about 60,000 trainable parameters; a fully connected 784-300-100-10 "
        f"network: 3.05% with {lecun_mlp_parameters():,} weights and biases (the paper's networks trained on "
        "60,000 images, tested on 10,000).",
        measured, verdict,
        "Ours train on the bundled 8,000 images and are tested on 2,000, for a few epochs, so both errors are "
        "higher than the paper's; the claim is the comparison, not the numbers."
        + ("" if verdict is not False else " Here the CNN did not beat the MLP: train it for more epochs."),
        LECUN_URL)
