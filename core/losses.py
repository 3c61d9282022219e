"""The loss functions the lessons train with, selectable by name in `core.training.train`.

Every loss takes the model's raw output (logits, shape (B, C), or a prediction, shape (B, 1)) and
the batch's targets, and returns one number: the cost of the batch. Where a loss adds up several
outputs, its `reduction` says how, because it changes the gradient: the quadratic cost of the
course material (Nielsen, *Neural Networks and Deep Learning*, eq. 6) sums the squared error over
the outputs and averages over the batch, while `nn.MSELoss()` also averages over the outputs,
which divides the gradient by the number of classes.

Two deliberate bugs are here too, so the cost-function lesson can train them and show their numbers:
softmax before `CrossEntropyLoss` (a loss that cannot go below ln(e + C − 1) − 1) and `NLLLoss` on
probabilities instead of log-probabilities (a negative loss).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F

Tensor = torch.Tensor

CLASSIFICATION, BINARY, REGRESSION = "classification", "binary", "regression"


@dataclass(frozen=True)
class Loss:
    """A named cost. `kind` says what the targets are: class indices (classification, (B,) int64),
    0/1 labels of one output (binary, (B, 1) float) or numbers (regression, (B, k) float)."""

    name: str
    label: str  # for legends and axis titles
    fn: Callable[[Tensor, Tensor], Tensor]  # (output, target) -> scalar
    kind: str
    reduction: str  # in words: how the per-output, per-example terms become one number
    formula: str  # LaTeX of the cost of a batch of m examples

    def __call__(self, output: Tensor, target: Tensor) -> Tensor:
        return self.fn(output, target)

    def correct(self, output: Tensor, target: Tensor) -> Tensor:
        """Number of correctly classified examples (a 0-dim tensor); NaN for a regression loss."""
        if self.kind == CLASSIFICATION:
            return (output.argmax(1) == target).sum()
        if self.kind == BINARY:
            return ((output > 0).to(target.dtype) == target).all(dim=-1).sum()
        return torch.tensor(float("nan"), device=output.device)


def one_hot(target: Tensor, classes: int, dtype: torch.dtype) -> Tensor:
    return F.one_hot(target, classes).to(dtype)


def _sum_outputs_mean_batch(a: Tensor, y: Tensor) -> Tensor:
    return ((a - y) ** 2).sum(dim=1).mean()


def _mse_softmax_sum(out: Tensor, target: Tensor) -> Tensor:
    return _sum_outputs_mean_batch(torch.softmax(out, 1), one_hot(target, out.shape[1], out.dtype))


def _mse_softmax_mean(out: Tensor, target: Tensor) -> Tensor:
    return F.mse_loss(torch.softmax(out, 1), one_hot(target, out.shape[1], out.dtype))


def _mse_sigmoid_sum(out: Tensor, target: Tensor) -> Tensor:
    return _sum_outputs_mean_batch(torch.sigmoid(out), one_hot(target, out.shape[1], out.dtype))


def _bce_per_output(out: Tensor, target: Tensor) -> Tensor:
    y = one_hot(target, out.shape[1], out.dtype)
    return F.binary_cross_entropy_with_logits(out, y, reduction="sum") / out.shape[0]


def _softmax_then_ce(out: Tensor, target: Tensor) -> Tensor:
    return F.cross_entropy(torch.softmax(out, 1), target)


def _nll_on_probabilities(out: Tensor, target: Tensor) -> Tensor:
    return F.nll_loss(torch.softmax(out, 1), target)


LOSSES: dict[str, Loss] = {loss.name: loss for loss in [
    Loss("cross_entropy", "Cross-entropy", F.cross_entropy, CLASSIFICATION,
         "mean over the batch (nn.CrossEntropyLoss())",
         r"C = -\frac1m \sum_{i=1}^m \ln \operatorname{softmax}(z_i)_{y_i}"),
    Loss("mse_softmax_sum", "MSE on softmax, summed over outputs", _mse_softmax_sum, CLASSIFICATION,
         "squared error summed over the 10 outputs, mean over the batch (the course's quadratic cost)",
         r"C = \frac1m \sum_{i=1}^m \sum_{j} \big(\operatorname{softmax}(z_i)_j - [j = y_i]\big)^2"),
    Loss("mse_softmax_mean", "MSE on softmax, nn.MSELoss()", _mse_softmax_mean, CLASSIFICATION,
         "mean over the 10 outputs and over the batch (nn.MSELoss()): the summed cost / 10",
         r"C = \frac{1}{10\,m} \sum_{i=1}^m \sum_{j} \big(\operatorname{softmax}(z_i)_j - [j = y_i]\big)^2"),
    Loss("mse_sigmoid_sum", "MSE on sigmoid outputs", _mse_sigmoid_sum, CLASSIFICATION,
         "squared error summed over the 10 outputs, mean over the batch",
         r"C = \frac1m \sum_{i=1}^m \sum_{j} \big(\sigma(z_{ij}) - [j = y_i]\big)^2"),
    Loss("bce_sigmoid", "Cross-entropy per output (sigmoid)", _bce_per_output, CLASSIFICATION,
         "binary cross-entropy summed over the 10 outputs, mean over the batch (Nielsen, ch. 3)",
         r"C = -\frac1m \sum_{i=1}^m \sum_j \big[y_{ij} \ln \sigma(z_{ij}) + (1 - y_{ij}) \ln (1 - \sigma(z_{ij}))\big]"),
    Loss("softmax_then_ce", "Bug: softmax before CrossEntropyLoss", _softmax_then_ce, CLASSIFICATION,
         "mean over the batch; the softmax is applied twice",
         r"C = -\frac1m \sum_{i=1}^m \ln \operatorname{softmax}\big(\operatorname{softmax}(z_i)\big)_{y_i}"),
    Loss("nll_on_probabilities", "Bug: NLLLoss on probabilities", _nll_on_probabilities, CLASSIFICATION,
         "mean over the batch of −p(true class): not a log-likelihood",
         r"C = -\frac1m \sum_{i=1}^m \operatorname{softmax}(z_i)_{y_i}"),
    Loss("bce", "Binary cross-entropy", F.binary_cross_entropy_with_logits, BINARY,
         "mean over the batch (nn.BCEWithLogitsLoss())",
         r"C = -\frac1m \sum_{i=1}^m \big[y_i \ln \sigma(z_i) + (1 - y_i) \ln (1 - \sigma(z_i))\big]"),
    Loss("mse", "Mean squared error", F.mse_loss, REGRESSION,
         "mean over the batch and the outputs (nn.MSELoss())",
         r"C = \frac1m \sum_{i=1}^m (\hat y_i - y_i)^2"),
    Loss("mse_binary", "Mean squared error on sigmoid", lambda out, y: F.mse_loss(torch.sigmoid(out), y), BINARY,
         "mean over the batch (nn.MSELoss() on σ(z))",
         r"C = \frac1m \sum_{i=1}^m (\sigma(z_i) - y_i)^2"),
    Loss("quadratic_binary", "Quadratic cost", lambda out, y: 0.5 * F.mse_loss(torch.sigmoid(out), y), BINARY,
         "half the squared error, mean over the batch (Nielsen's quadratic cost, ch. 1 eq. 6 and ch. 3)",
         r"C = \frac{1}{2m} \sum_{i=1}^m (\sigma(z_i) - y_i)^2"),
]}


def get_loss(loss: str | Loss) -> Loss:
    """The Loss of that name (a Loss passes through); ValueError naming the choices otherwise."""
    if isinstance(loss, Loss):
        return loss
    try:
        return LOSSES[loss]
    except KeyError:
        raise ValueError(f"Unknown loss '{loss}'. Choose one of: {', '.join(LOSSES)}.") from None
