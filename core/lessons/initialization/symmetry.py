"""Symmetry: with all-equal weights every neuron of a layer gets the same gradient and stays a copy.

The page's own "All equal (1)" run rarely shows it: with every weight 1 a unit sums its inputs, so
the pre-activations reach |s| ≈ 64 and tanh/sigmoid saturate (exactly zero gradient: nothing moves),
while ReLU explodes. `experiment` therefore trains a small network whose weights all start at the
small constant 1/n_in (biases 0), which does train, next to a random scheme, and measures per layer
how far the weights moved and how far apart the neurons are. `equal_run` checks the page's run;
the sentences are in `story`.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from core.data import Dataset
from core.initializers import INIT_SCHEMES
from core.models import MLP
from core.seeding import seeded
from core.training import TrainSettings, train

DEPTH, WIDTH = 4, 64  # at most this many hidden layers of at most this many units
STEPS = 100  # SGD steps of the experiment (one pass over STEPS * batch images)
SETTINGS = TrainSettings(epochs=1, batch_size=64, lr=0.1, momentum=0.9, log_every=STEPS)
RANDOM_FOR = {"tanh": "xavier_uniform", "sigmoid": "xavier_uniform", "relu": "he_uniform"}
EQUAL = "Equal (1/n_in)"


def distinct_neurons(weight: torch.Tensor, bias: torch.Tensor | None = None, tol: float = 1e-6) -> int:
    """How many different neurons (rows of W, with their bias) a layer has, up to `tol` relative."""
    rows = weight if bias is None else torch.cat([weight, bias[:, None]], dim=1)
    rows = rows.double()
    scale = rows.abs().max().clamp_min(1e-30)
    return int(np.unique(np.round((rows / scale).numpy() / tol), axis=0).shape[0])


def cosine_matrix(weight: torch.Tensor) -> pd.DataFrame:
    """Pairwise cosine similarity of a layer's neuron weight vectors, long: i, j, cosine."""
    w = weight.double()
    unit = w / w.norm(dim=1, keepdim=True).clamp_min(1e-30)
    sim = (unit @ unit.T).numpy()
    n = sim.shape[0]
    i, j = np.meshgrid(np.arange(1, n + 1), np.arange(1, n + 1), indexing="ij")
    return pd.DataFrame({"i": i.ravel(), "j": j.ravel(), "cosine": sim.ravel()})


def layer_table(before: dict[str, torch.Tensor], after: dict[str, torch.Tensor], depth: int) -> pd.DataFrame:
    """Per hidden layer: how far its weights moved (max |ΔW|), how far apart its neurons are (max over
    neurons of |row_i − row_1|, weights and bias), distinct neurons, mean |cosine| between neurons."""
    rows = []
    for l in range(depth):
        w0, w, b = before[f"linears.{l}.weight"], after[f"linears.{l}.weight"], after[f"linears.{l}.bias"]
        full = torch.cat([w, b[:, None]], dim=1).double()
        cos = cosine_matrix(w)
        off = cos[cos["i"] != cos["j"]]["cosine"].abs()
        finite = bool(torch.isfinite(full).all())
        rows.append({"layer": l + 1, "neurons": w.shape[0], "max |ΔW|": (w - w0).abs().max().item(),
                     "max difference between neurons": (full - full[:1]).abs().max().item(),
                     "distinct neurons": distinct_neurons(w, b) if finite else None,
                     "mean |cos|": float(off.mean()) if len(off) else 1.0})
    return pd.DataFrame(rows)


@dataclass
class SymmetryResult:
    table: pd.DataFrame  # initialization, layer, neurons, max |ΔW|, max difference between neurons, ...
    cosines: dict[str, pd.DataFrame]  # label -> first hidden layer's cosine matrix after training
    accuracy: dict[str, float]  # label -> validation accuracy after the experiment
    diverged: dict[str, int | None]
    activation: str
    depth: int
    width: int
    steps: int


def experiment(activation: str, depth: int, width: int, data: Dataset, seed: int) -> SymmetryResult:
    """Train min(depth, DEPTH) hidden layers of min(width, WIDTH) units for STEPS steps twice, on the same
    batches: every weight = 1/n_in (biases 0), and the random scheme made for `activation`."""
    depth, width = min(depth, DEPTH), min(width, WIDTH)
    sizes = [784] + [width] * depth + [10]
    n_train = min(len(data.y_train), STEPS * SETTINGS.batch_size)
    subset = data.subset(n_train)
    tables, cosines, accuracy, diverged = [], {}, {}, {}
    for label, scheme in [(EQUAL, "equal"), (INIT_SCHEMES[RANDOM_FOR[activation]].label, RANDOM_FOR[activation])]:
        model = seeded(seed, lambda: MLP(sizes, activation, init=scheme))
        if scheme == "equal":
            with torch.no_grad():
                for linear in model.linears:
                    linear.weight.fill_(1.0 / linear.in_features)
        before = {k: v.detach().cpu().clone() for k, v in model.state_dict().items()}
        run = train(model, subset, SETTINGS, seed=seed, label=label, keep_weights=True)
        tables.append(layer_table(before, run.state_dict, depth).assign(initialization=label))
        cosines[label] = cosine_matrix(run.state_dict["linears.0.weight"])
        accuracy[label], diverged[label] = run.final_val_acc, run.diverged_at
    table = pd.concat(tables, ignore_index=True)
    table = table[["initialization"] + [c for c in table.columns if c != "initialization"]]
    steps = -(-n_train // SETTINGS.batch_size)
    return SymmetryResult(table, cosines, accuracy, diverged, activation, depth, width, steps)


def equal_run(state_dict: dict[str, torch.Tensor]) -> pd.DataFrame:
    """For the page's trained "All equal (1)" network (every weight started at 1, biases at 0): per layer,
    output layer included, max |W − 1| and distinct neurons (None where the weights are not finite)."""
    rows, l = [], 0
    while f"linears.{l}.weight" in state_dict:
        w, b = state_dict[f"linears.{l}.weight"], state_dict[f"linears.{l}.bias"]
        finite = bool(torch.isfinite(w).all() and torch.isfinite(b).all())
        rows.append({"layer": l + 1, "max |ΔW|": (w - 1).abs().max().item() if finite else float("nan"),
                     "distinct neurons": distinct_neurons(w, b) if finite else None})
        l += 1
    return pd.DataFrame(rows)


