"""Softmax and cross-entropy, number by number, and PyTorch's identities between its losses.

softmax(z / T)_j = e^{z_j / T} / Σ_k e^{z_k / T} turns ten scores (logits) into probabilities that
sum to 1; the cross-entropy of the true class y is −ln softmax(z / T)_y, and its gradient with respect
to the logits is (p − onehot(y)) / T. In PyTorch, `nn.CrossEntropyLoss` takes the logits (no softmax
before it) and equals `nn.NLLLoss` after `nn.LogSoftmax`; NLLLoss itself only picks −input[y], so fed
probabilities it returns −p_y, a negative number that is no log-likelihood.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch
import torch.nn.functional as F
from torch import nn

from core.lessons.losses.config import SoftmaxConfig


@dataclass(frozen=True)
class SoftmaxResult:
    """One softmax worked through. `table` has one row per class: class, z, scaled (z / T), exp
    (e^{z/T − max}, the numerically safe form), p, log_p and grad (∂CE/∂z_j by autograd)."""

    table: pd.DataFrame
    total: float  # Σ p_j
    loss: float  # −ln p_y, by F.cross_entropy
    by_hand: float  # −ln(exp_y / Σ exp), from the table
    shift: float  # max_j z_j / T, subtracted before exponentiating
    target: int
    temperature: float


def worked(config: SoftmaxConfig) -> SoftmaxResult:
    """The softmax of config.logits / T, its logarithm, the cross-entropy of the true class and its
    gradient, all in float64 by torch (the gradient by autograd)."""
    z = torch.tensor(config.logits, dtype=torch.float64, requires_grad=True)
    scaled = z / config.temperature
    loss = F.cross_entropy(scaled[None], torch.tensor([config.target]))
    (grad,) = torch.autograd.grad(loss, z)
    s = scaled.detach()
    shift = s.max().item()
    e = torch.exp(s - shift)
    p = torch.softmax(s, 0)
    table = pd.DataFrame({"class": np.arange(len(config.logits)), "z": z.detach().numpy(), "scaled": s.numpy(),
                          "exp": e.numpy(), "p": p.numpy(), "log_p": torch.log_softmax(s, 0).numpy(),
                          "grad": grad.numpy()})
    by_hand = -math.log(e[config.target].item() / e.sum().item())
    return SoftmaxResult(table, p.sum().item(), loss.item(), by_hand, shift, config.target, config.temperature)


# ---------------------------------------------------------------- the identity and the two bugs

def softmax_then_ce_floor(classes: int = 10) -> float:
    """The lowest value CrossEntropyLoss can take when it is given probabilities instead of logits: the
    best case is p = onehot(y), whose second softmax gives e / (e + C − 1), so the loss is
    −ln(e / (e + C − 1)) = ln(e + C − 1) − 1 (1.4612 for C = 10)."""
    return math.log(math.e + classes - 1) - 1


@dataclass(frozen=True)
class IdentityCheck:
    """PyTorch's losses on one batch of logits z and targets y (mean over the batch), and per example
    (`table`: example, target, predicted, p_target, log_p_target)."""

    cross_entropy: float  # nn.CrossEntropyLoss()(z, y)
    log_softmax_nll: float  # nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), y)
    nll_on_probabilities: float  # nn.NLLLoss()(softmax(z), y): the bug, −mean p_y
    softmax_then_ce: float  # nn.CrossEntropyLoss()(softmax(z), y): the other bug
    mean_p_target: float
    table: pd.DataFrame

    @property
    def gap(self) -> float:
        """|CrossEntropyLoss − NLLLoss(LogSoftmax)|: rounding only."""
        return abs(self.cross_entropy - self.log_softmax_nll)


@torch.no_grad()
def identity_check(logits: torch.Tensor, target: torch.Tensor) -> IdentityCheck:
    """Check CrossEntropyLoss = NLLLoss ∘ LogSoftmax on logits (B, C) and class indices (B,), and
    compute the two bugs on the same batch, with PyTorch's own modules."""
    z, y = logits.detach().float().cpu(), target.cpu()
    p = torch.softmax(z, 1)
    log_p = nn.LogSoftmax(dim=1)(z)
    rows = pd.DataFrame({"example": np.arange(1, len(y) + 1), "target": y.numpy(), "predicted": z.argmax(1).numpy(),
                         "p_target": p[torch.arange(len(y)), y].numpy(),
                         "log_p_target": log_p[torch.arange(len(y)), y].numpy()})
    return IdentityCheck(
        cross_entropy=nn.CrossEntropyLoss()(z, y).item(),
        log_softmax_nll=nn.NLLLoss()(log_p, y).item(),
        nll_on_probabilities=nn.NLLLoss()(p, y).item(),
        softmax_then_ce=nn.CrossEntropyLoss()(p, y).item(),
        mean_p_target=float(rows["p_target"].mean()),
        table=rows)
