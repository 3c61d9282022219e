"""Rosenblatt's perceptron on the logic gates, and the two-layer sigmoid network that solves XOR.

The perceptron rule (Rosenblatt 1958; Minsky & Papert 1969 for XOR) is not gradient descent: for each
example in turn, ŷ = step(w·x + b) with step(z) = 1 if z > 0 else 0, then

    w ← w + η (y − ŷ) x,    b ← b + η (y − ŷ),

so nothing changes when the example is right. `perceptron` runs it with torch tensors (float32, torch's
default) over the four rows in truth-table order until an epoch without an error, or PERCEPTRON_EPOCHS
epochs. With η = 0.1 and zero initial weights: AND has its first error-free epoch at epoch 6, OR and NAND
at epoch 4, XOR never (4 errors in each epoch from the third on).

NAND's 4 depends on floating point: `exact_perceptron` runs the same rule in exact rational arithmetic
(fractions.Fraction), where NAND needs 6 epochs. At update 15, float32 computes
z = −0.2 + 0.2 as 1.5·10⁻⁸ > 0 instead of 0, the step fires, and an error never happens.

With zero initial weights every weight is η times a whole number, so in exact arithmetic η only
rescales w·x + b and never moves the line: the epochs do not depend on η.
"""
from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Callable

import numpy as np
import pandas as pd
import torch

from core.data import GATE_INPUTS, GATES, logic_gate
from core.lessons.basics.config import PERCEPTRON_EPOCHS, PerceptronConfig
from core.lessons.basics.neuron import decision_line, segment
from core.models import MLP
from core.seeding import seeded
from core.training import Progress, TrainResult, TrainSettings, train

BOX = (-0.5, 1.5)  # the plane the gates are drawn on
THRESHOLDS = (">", ">=")  # step(z) = 1 if z > 0 (Rosenblatt's, used here) or if z >= 0
DTYPE = torch.float32


def fire(z, threshold: str = ">"):
    """The perceptron's step: 1 where z > 0 (or z ≥ 0 with threshold '>='), else 0, in z's type."""
    if threshold not in THRESHOLDS:
        raise ValueError(f"The threshold is one of {', '.join(THRESHOLDS)} (got '{threshold}').")
    if isinstance(z, torch.Tensor):
        return ((z > 0) if threshold == ">" else (z >= 0)).to(z.dtype)
    return type(z)(int(z > 0 if threshold == ">" else z >= 0))


@dataclass
class PerceptronRun:
    """Every update of the rule, as tidy DataFrames.

    `updates`: one row per update (1-based `update`; row 0 holds the initial weights): epoch, sample
    (1-4, truth-table order), x1, x2, target y, z, predicted ŷ, error y − ŷ, the weights w1, w2, b after
    the update and before it (w1_before, ...), and `mistakes` (1 for an error). `epochs`: epoch, errors,
    and the weights at its end. `lines`: the decision line after each update (update, end (0, 1), x1, x2;
    no rows for an update whose w₁ = w₂ = 0)."""

    config: PerceptronConfig
    threshold: str
    updates: pd.DataFrame
    epochs: pd.DataFrame
    lines: pd.DataFrame
    converged_at: int | None  # the first error-free epoch; None if none within the epochs run

    @property
    def last_update(self) -> int:
        return int(self.updates["update"].max())

    @property
    def final(self) -> tuple[float, float, float]:
        row = self.updates.iloc[-1]
        return float(row["w1"]), float(row["w2"]), float(row["b"])

    @property
    def final_errors(self) -> int:
        return int(self.epochs["errors"].iloc[-1])


def perceptron(config: PerceptronConfig, threshold: str = ">", max_epochs: int = PERCEPTRON_EPOCHS,
               dtype: torch.dtype = DTYPE) -> PerceptronRun:
    """Run the perceptron rule (module docstring) on config.gate's truth table, one example at a time in
    truth-table order, until an error-free epoch or `max_epochs`. Raises ValueError for a bad threshold."""
    data = logic_gate(config.gate)
    x, y = data.x_train.to(dtype), data.y_train[:, 0].to(dtype)
    lr = torch.tensor(config.lr, dtype=dtype)
    w = torch.tensor(config.initial[:2], dtype=dtype)
    b = torch.tensor(config.initial[2], dtype=dtype)
    rows = [{"update": 0, "epoch": 0, "sample": 0, "x1": np.nan, "x2": np.nan, "target": np.nan, "z": np.nan,
             "predicted": np.nan, "error": np.nan, "w1_before": np.nan, "w2_before": np.nan, "b_before": np.nan,
             "w1": float(w[0]), "w2": float(w[1]), "b": float(b), "mistakes": 0}]
    epochs, converged_at, update = [], None, 0
    for epoch in range(1, max_epochs + 1):
        errors = 0
        for i in range(len(y)):
            z = x[i] @ w + b
            y_hat = fire(z, threshold)
            error = y[i] - y_hat
            before = (float(w[0]), float(w[1]), float(b))
            w = w + lr * error * x[i]
            b = b + lr * error
            update += 1
            errors += int(error != 0)
            rows.append({"update": update, "epoch": epoch, "sample": i + 1, "x1": float(x[i, 0]),
                         "x2": float(x[i, 1]), "target": float(y[i]), "z": float(z), "predicted": float(y_hat),
                         "error": float(error), "w1_before": before[0], "w2_before": before[1],
                         "b_before": before[2], "w1": float(w[0]), "w2": float(w[1]), "b": float(b),
                         "mistakes": int(error != 0)})
        epochs.append({"epoch": epoch, "errors": errors, "w1": float(w[0]), "w2": float(w[1]), "b": float(b)})
        if errors == 0:
            converged_at = epoch
            break
    updates = pd.DataFrame(rows)
    ends = [(r["update"], end, x1, x2) for r in rows
            for end, (x1, x2) in enumerate(segment(r["w1"], r["w2"], r["b"], BOX) or ())]
    lines = pd.DataFrame(ends, columns=["update", "end", "x1", "x2"])
    return PerceptronRun(config, threshold, updates, pd.DataFrame(epochs), lines, converged_at)


def exact_perceptron(config: PerceptronConfig, threshold: str = ">",
                     max_epochs: int = PERCEPTRON_EPOCHS) -> tuple[int | None, list[int], list[Fraction]]:
    """The same rule in exact rational arithmetic: η and the initial weights are read as the decimals they
    are written as (0.1 is exactly 1/10). Returns (first error-free epoch or None, every update's ŷ, every
    update's z)."""
    lr = Fraction(repr(config.lr))
    w1, w2, b = (Fraction(repr(float(v))) for v in config.initial)
    targets = GATES[config.gate]
    predicted, zs = [], []
    for epoch in range(1, max_epochs + 1):
        errors = 0
        for (a, c), y in zip(GATE_INPUTS, targets):
            a, c = Fraction(int(a)), Fraction(int(c))
            z = w1 * a + w2 * c + b
            y_hat = int(z > 0) if threshold == ">" else int(z >= 0)
            error = y - y_hat
            w1, w2, b = w1 + lr * error * a, w2 + lr * error * c, b + lr * error
            errors += error != 0
            predicted.append(y_hat)
            zs.append(z)
        if errors == 0:
            return epoch, predicted, zs
    return None, predicted, zs


@dataclass(frozen=True)
class RoundingEffect:
    """Where floating point and exact arithmetic first disagree on an update's ŷ."""

    update: int
    epoch: int
    sample: int
    z_float: float
    z_exact: Fraction
    exact_converged_at: int | None


def rounding_effect(run: PerceptronRun) -> RoundingEffect | None:
    """The first update whose step decision differs from exact arithmetic's (None if they agree on every
    update and on the epoch of convergence)."""
    exact_epoch, predicted, zs = exact_perceptron(run.config, run.threshold, int(run.epochs["epoch"].max()))
    shown = run.updates[run.updates["update"] > 0]
    for row, y_hat, z in zip(shown.itertuples(), predicted, zs):
        if int(row.predicted) != y_hat:
            return RoundingEffect(int(row.update), int(row.epoch), int(row.sample), float(row.z), z,
                                  exact_perceptron(run.config, run.threshold)[0])
    return None


def gate_table(lr: float, initial: tuple[float, ...]) -> pd.DataFrame:
    """For every gate, the first error-free epoch (None: not within PERCEPTRON_EPOCHS) three ways: float32
    with z > 0 (the page's rule), exact arithmetic with z > 0, and float32 with z ≥ 0; and the errors in
    the last epoch run. Columns gate, float_gt, exact_gt, float_ge, last_errors, epochs_run."""
    rows = []
    for gate in GATES:
        config = PerceptronConfig(gate, lr, tuple(initial))
        run = perceptron(config)
        rows.append({"gate": gate.upper(), "float_gt": run.converged_at,
                     "exact_gt": exact_perceptron(config)[0], "float_ge": perceptron(config, ">=").converged_at,
                     "last_errors": run.final_errors, "epochs_run": int(run.epochs["epoch"].max())})
    return pd.DataFrame(rows)


# ---------------------------------------------------------------- two layers of sigmoid neurons solve XOR

XOR_SIZES = (2, 2, 1)  # 2 inputs -> 2 sigmoid neurons -> 1 sigmoid neuron
# plain SGD on the whole truth table each step; binary cross-entropy on the output neuron's z (its
# sigmoid is the neuron's output). Measured: seeds 0-19 all classify the four rows right within 550 steps.
XOR_SETTINGS = TrainSettings(epochs=600, batch_size=4, lr=5.0, momentum=0.0, log_every=100)
XOR_LOSS = "bce"
XOR_GRID = 41


@dataclass
class XorNet:
    """The trained two-layer network: its run, the four rows through it (`rows`: x1, x2, target, h1, h2,
    output), the hidden neurons' weights (`hidden`: neuron, w1, w2, b), the output neuron's (v1, v2, c), the
    output over the plane (`grid`: x1, x2, output) and whether all four rows are classified right."""

    run: TrainResult
    rows: pd.DataFrame
    hidden: pd.DataFrame
    output_weights: tuple[float, float, float]
    grid: pd.DataFrame
    solved: bool


def build_xor(seed: int) -> MLP:
    return seeded(seed, lambda: MLP(XOR_SIZES, "sigmoid"))


def train_xor(seed: int, on_progress: Callable[[Progress], None] | None = None) -> XorNet:
    """Train the 2-2-1 sigmoid network on XOR with torch.optim.SGD through core.training (XOR_SETTINGS)."""
    data = logic_gate("xor")
    model = build_xor(seed)
    run = train(model, data, XOR_SETTINGS, seed=seed, label="Two-layer network", loss=XOR_LOSS,
                on_progress=on_progress)
    model.eval()
    with torch.no_grad():
        h = torch.sigmoid(model.linears[0](data.x_train))
        out = torch.sigmoid(model(data.x_train))[:, 0]
        axis = torch.linspace(BOX[0], BOX[1], XOR_GRID)
        g1, g2 = torch.meshgrid(axis, axis, indexing="xy")
        points = torch.stack([g1.flatten(), g2.flatten()], 1)
        grid = pd.DataFrame({"x1": points[:, 0].numpy(), "x2": points[:, 1].numpy(),
                             "output": torch.sigmoid(model(points))[:, 0].numpy()})
    weight, bias = model.linears[0].weight.detach(), model.linears[0].bias.detach()
    v, c = model.linears[1].weight.detach()[0], model.linears[1].bias.detach()[0]
    rows = pd.DataFrame({"x1": data.x_train[:, 0].numpy(), "x2": data.x_train[:, 1].numpy(),
                         "target": data.y_train[:, 0].numpy(), "h1": h[:, 0].numpy(), "h2": h[:, 1].numpy(),
                         "output": out.numpy()})
    hidden = pd.DataFrame({"neuron": [1, 2], "w1": weight[:, 0].numpy(), "w2": weight[:, 1].numpy(),
                           "b": bias.numpy()})
    solved = bool(run.diverged_at is None and ((out > 0.5).float() == data.y_train[:, 0]).all())
    return XorNet(run, rows, hidden, (float(v[0]), float(v[1]), float(c)), grid, solved)


def hidden_lines(net: XorNet) -> pd.DataFrame:
    """Each hidden neuron's decision line w·x + b = 0 on the gates' plane: neuron, end, x1, x2."""
    parts = [decision_line(r.w1, r.w2, r.b, BOX).assign(neuron=f"hidden neuron {int(r.neuron)}")
             for r in net.hidden.itertuples()]
    parts = [p.assign(end=range(len(p))) for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["x1", "x2", "neuron", "end"])


def output_line(net: XorNet) -> pd.DataFrame:
    """The output neuron's decision line v·h + c = 0 in the hidden neurons' plane (h1, h2) ∈ [0, 1]²."""
    v1, v2, c = net.output_weights
    return decision_line(v1, v2, c, (0.0, 1.0)).rename(columns={"x1": "h1", "x2": "h2"})
