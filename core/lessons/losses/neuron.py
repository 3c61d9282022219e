"""One sigmoid neuron learning slowly (Nielsen, *Neural Networks and Deep Learning*, ch. 3).

A neuron with one input learns to turn input x = 1 into output y = 0, starting from weight w0 and bias
b0 (Nielsen: w0 = b0 = 2, output σ(4) = 0.98). With the quadratic cost C = (a − y)²/2 the gradient
∂C/∂w = (a − y) σ′(z) x carries the factor σ′(z), which is tiny where the neuron is saturated, so it
hardly moves for the first ~150 epochs at η = 0.15; with the cross-entropy C = −[y ln a + (1 − y)
ln(1 − a)] the gradient is (a − y) x, largest when the neuron is most wrong. Both runs train through
`core.training.train` (plain SGD on the one example: one step per epoch of his) with the losses
`quadratic_binary` and `bce` of `core.losses`; a probe records the neuron at every step.
"""
from __future__ import annotations

import math

import pandas as pd
import torch
from torch import nn

from core.data import Dataset
from core.lessons.losses.config import NEURON_EPOCHS, NeuronConfig
from core.models import MLP
from core.probes import Probe
from core.training import TrainSettings, train

COSTS = {"quadratic_binary": "Quadratic cost", "bce": "Cross-entropy"}  # core.losses name -> label
X, Y = 1.0, 0.0  # Nielsen's one training example


class NeuronProbe(Probe):
    """At every step, before the update: the neuron's pre-activation z (the training forward pass, via a
    hook), its weight, bias and their gradients (after backward, before the optimizer's step)."""

    def attach(self, model: nn.Module, total_steps: int) -> None:
        self.linear = model.linears[0]
        self.rows: list[dict] = []
        self._handle = self.linear.register_forward_hook(self._hook)

    def _hook(self, _module, _inputs, output):
        if self.active and output.requires_grad:
            self._z = output.detach()[0, 0].item()

    def after_backward(self) -> None:
        if self.active:
            self.rows.append({"step": self.step + 1, "z": self._z, "w": self.linear.weight.item(),
                              "b": self.linear.bias.item(), "grad_w": self.linear.weight.grad.item(),
                              "grad_b": self.linear.bias.grad.item()})

    def detach(self) -> None:
        self._handle.remove()

    def frame(self, steps_done: int) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=["step", "z", "w", "b", "grad_w", "grad_b"])


def one_example(epochs: int) -> Dataset:
    """Nielsen's training set, the single input x = 1 with target y = 0, repeated `epochs` times
    ((epochs, 1) float32, on the CPU), so that one engine epoch of batches of one is `epochs` of his
    epochs (every row is the same example, so the shuffled order changes nothing) without validating
    after each step; validation is the one example."""
    x, y = torch.full((epochs, 1), X), torch.full((epochs, 1), Y)
    return Dataset("neuron", "generated", "One example: input 1, target 0.", x, y, x[:1], y[:1], ())


def build(w0: float, b0: float) -> MLP:
    """A single Linear(1, 1) (no hidden layer: the costs apply the sigmoid), weight w0 and bias b0."""
    model = MLP([1, 1])
    with torch.no_grad():
        model.linears[0].weight.fill_(w0)
        model.linears[0].bias.fill_(b0)
    return model


def cost_value(cost: str, a: float, y: float = Y) -> float:
    """Nielsen's costs of one output a for target y: (a − y)²/2, or −[y ln a + (1 − y) ln(1 − a)]."""
    if cost == "quadratic_binary":
        return 0.5 * (a - y) ** 2
    return -(y * math.log(a) + (1 - y) * math.log1p(-a)) if 0 < a < 1 else math.inf


def train_neuron(config: NeuronConfig, cost: str, epochs: int = NEURON_EPOCHS) -> pd.DataFrame:
    """Train the neuron with one cost ('quadratic_binary' or 'bce') for `epochs` epochs; one row per
    epoch 0..epochs: epoch, cost (its label), w, b, z, output a = σ(z), the cost C and ∂C/∂w at those
    weights (epoch 0 is the start; the last row is after the last step, its gradient computed there)."""
    model = build(config.w0, config.b0)
    probe = NeuronProbe()
    settings = TrainSettings(epochs=1, batch_size=1, lr=config.eta, momentum=0.0, log_every=max(1, epochs))
    train(model, one_example(epochs), settings, seed=0, label=COSTS[cost], probes=[probe], loss=cost)
    rows = probe.frame(epochs)
    w, b = model.linears[0].weight.item(), model.linears[0].bias.item()
    a = 1 / (1 + math.exp(-(w * X + b)))
    last = {"step": epochs + 1, "z": w * X + b, "w": w, "b": b,
            "grad_w": (a - Y) * (a * (1 - a) if cost == "quadratic_binary" else 1.0) * X}
    frame = pd.concat([rows, pd.DataFrame([last])], ignore_index=True)
    frame["epoch"] = frame["step"] - 1
    frame["a"] = 1 / (1 + (-frame["z"]).map(math.exp))
    frame["C"] = [cost_value(cost, a) for a in frame["a"]]
    frame["cost"] = COSTS[cost]
    return frame[["epoch", "cost", "w", "b", "z", "a", "C", "grad_w"]]


def run(config: NeuronConfig, epochs: int = NEURON_EPOCHS) -> pd.DataFrame:
    """Both costs from the same start and learning rate, stacked (see `train_neuron`)."""
    return pd.concat([train_neuron(config, cost, epochs) for cost in COSTS], ignore_index=True)


def output_at(frame: pd.DataFrame, cost: str, epoch: int) -> float:
    """The output a of the run with that cost label after `epoch` epochs."""
    return float(frame.loc[(frame["cost"] == cost) & (frame["epoch"] == epoch), "a"].iloc[0])


def steepest_epoch(frame: pd.DataFrame, cost: str, column: str = "C") -> int:
    """The epoch whose step lowered `column` (the cost C, or the output a) of the run with that cost
    label the most: where it learned fastest."""
    run_ = frame[frame["cost"] == cost].sort_values("epoch")
    drop = -run_[column].diff().to_numpy()[1:]
    return int(run_["epoch"].iloc[int(drop.argmax()) + 1])
