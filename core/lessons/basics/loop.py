"""The training loop made visible, one mini-batch at a time, on the 3 → 4 ReLU → 1 sum-of-three network.

`one_step` is the loop's body exactly as the page prints it (forward pass, loss, zero_grad, backward
pass, optimizer step). `SteppedTraining` feeds it the very batches core.training.train would (the
same seeded permutation per epoch, the same batch sizes, the same optimizer from make_optimizer), so
after k steps its weights are the engine's after k steps (tests/unit/basics/test_loop.py checks it).
Each step's `StepRecord` holds what the page shows: the batch, every forward number, the loss, each
parameter's value before the step, its gradient read from autograd after `loss.backward()`, and its
value after `optimizer.step()`. `chain_rule` derives the same gradients by hand, for the derivation.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass

import pandas as pd
import torch

from core.data import Dataset, sum_of_three
from core.lessons.basics.config import N_TRAIN, N_VAL, SUM_SIZES, SumConfig
from core.losses import get_loss
from core.models import MLP
from core.seeding import seeded
from core.training import batch_sizes, make_optimizer

LOSS = "mse"
PARAMETERS = ("linears.0.weight", "linears.0.bias", "linears.1.weight", "linears.1.bias")
SYMBOLS = {"linears.0.weight": "W1", "linears.0.bias": "b1", "linears.1.weight": "W2", "linears.1.bias": "b2"}


def sum_data(config: SumConfig, seed: int, device: str | torch.device = "cpu") -> Dataset:
    """The 1,000 training and 200 validation triples from [low, high), drawn from the seed."""
    return sum_of_three(N_TRAIN, N_VAL, config.low, config.high, seed, device)


def build_sum_model(seed: int) -> MLP:
    """3 → 4 ReLU → 1 with PyTorch's default initialization, from the seed."""
    return seeded(seed, lambda: MLP(SUM_SIZES, "relu"))


def one_step(model, optimizer, loss_fn, x, y):
    """One step on x (B, 3), y (B, 1).
    Returns ŷ (B, 1), the loss, every w.grad."""
    y_hat = model(x)          # forward pass
    loss = loss_fn(y_hat, y)  # one number
    optimizer.zero_grad()     # clear old grads
    loss.backward()           # backward pass
    grads = {name: w.grad.clone()
             for name, w in model.named_parameters()}
    optimizer.step()          # w ← w − lr·w.grad
    return y_hat.detach(), loss.detach(), grads


@dataclass
class StepRecord:
    """One optimizer step. Tensors are float32 on the CPU, shapes for a batch of B triples:
    x (B, 3), y (B, 1), s (B, 4) hidden pre-activations, h (B, 4) = ReLU(s), y_hat (B, 1);
    before / grads / after: parameter name -> tensor of its shape."""

    step: int  # 1-based, counted over the whole run
    epoch: int  # 1-based
    batch: int  # 1-based, within the epoch
    indices: torch.Tensor  # (B,) rows of the training set
    x: torch.Tensor
    y: torch.Tensor
    s: torch.Tensor
    h: torch.Tensor
    y_hat: torch.Tensor
    loss: float
    before: dict[str, torch.Tensor]
    grads: dict[str, torch.Tensor]
    after: dict[str, torch.Tensor]
    lr: float

    def parameters(self) -> pd.DataFrame:
        """One row per weight and bias: parameter (W1[1,2]: row 1, column 2, 1-based), before, gradient,
        lr_grad (lr × gradient), after, and check (before − lr × gradient, computed here in float32)."""
        rows = []
        for name in PARAMETERS:
            symbol = SYMBOLS[name]
            before, grad, after = self.before[name], self.grads[name], self.after[name]
            for index in itertools.product(*(range(n) for n in before.shape)):
                label = f"{symbol}[{','.join(str(i + 1) for i in index)}]"
                g = grad[index]
                rows.append({"parameter": label, "before": float(before[index]), "gradient": float(g),
                             "lr_grad": float(self.lr * g), "after": float(after[index]),
                             "check": float(before[index] - torch.tensor(self.lr, dtype=g.dtype) * g)})
        return pd.DataFrame(rows)

    def forward_table(self) -> pd.DataFrame:
        """One row per example of the batch: row, a, b, c, s1..s4, h1..h4, y_hat, y, error."""
        table = pd.DataFrame({"row": self.indices.numpy() + 1, "a": self.x[:, 0].numpy(), "b": self.x[:, 1].numpy(),
                              "c": self.x[:, 2].numpy()})
        for j in range(self.s.shape[1]):
            table[f"s{j + 1}"] = self.s[:, j].numpy()
        for j in range(self.h.shape[1]):
            table[f"h{j + 1}"] = self.h[:, j].numpy()
        table["y_hat"] = self.y_hat[:, 0].numpy()
        table["y"] = self.y[:, 0].numpy()
        table["error"] = table["y_hat"] - table["y"]
        return table


class SteppedTraining:
    """The sum-of-three run advanced one step at a time, batch for batch the run core.training.train
    makes with the same config, data and seed."""

    def __init__(self, config: SumConfig, data: Dataset, seed: int):
        self.config, self.data, self.seed = config, data, seed
        settings = config.train_settings()
        self.model = build_sum_model(seed).to(data.device).train()
        self.optimizer = make_optimizer(self.model.parameters(), settings)
        self.loss_fn = get_loss(LOSS)
        self.lr = settings.lr
        self.sizes = batch_sizes(len(data.y_train), settings.batch_size)
        self.starts = [0, *itertools.accumulate(self.sizes)]
        self.generator = torch.Generator().manual_seed(seed)  # as core.training.train: one permutation per epoch
        self.order: torch.Tensor | None = None
        self.taken = 0
        self.last: StepRecord | None = None
        self.total = len(self.sizes) * settings.epochs

    def step(self) -> StepRecord:
        """Take the next step and return its record; ValueError once the run's last step is taken."""
        if self.taken >= self.total:
            raise ValueError(f"The run has only {self.total:,} steps.")
        epoch, b = divmod(self.taken, len(self.sizes))
        if b == 0:
            self.order = torch.randperm(len(self.data.y_train), generator=self.generator).to(self.data.device)
        idx = self.order[self.starts[b]:self.starts[b + 1]]
        x, y = self.data.x_train.index_select(0, idx), self.data.y_train.index_select(0, idx)
        before = {n: p.detach().clone() for n, p in self.model.named_parameters()}
        with torch.no_grad():
            s = self.model.linears[0](x)
            h = self.model.acts[0](s)
        y_hat, loss, grads = one_step(self.model, self.optimizer, self.loss_fn, x, y)
        self.taken += 1
        after = {n: p.detach().clone() for n, p in self.model.named_parameters()}
        cpu = lambda d: {n: t.cpu() for n, t in d.items()}  # noqa: E731
        self.last = StepRecord(self.taken, epoch + 1, b + 1, idx.cpu(), x.cpu(), y.cpu(), s.cpu(), h.cpu(),
                               y_hat.cpu(), float(loss), cpu(before), cpu(grads), cpu(after), self.lr)
        return self.last

    def advance_to(self, k: int) -> StepRecord:
        """Take steps until `k` are taken and return the record of step k. Raises ValueError unless
        1 ≤ k ≤ total and k ≥ the steps already taken (a step cannot be undone: start a new one)."""
        if not 1 <= k <= self.total or k < max(1, self.taken):
            raise ValueError(f"Step {k} cannot be reached from step {self.taken} in a run of {self.total:,} steps.")
        while self.taken < k:
            self.step()
        return self.last


def chain_rule(record: StepRecord) -> dict[str, torch.Tensor]:
    """The step's gradients by hand, in float64, from the forward numbers and the weights before the step:
    L = (1/B) Σ (ŷ − y)², so ∂L/∂ŷ = 2(ŷ − y)/B; ∂L/∂W2 = (∂L/∂ŷ)ᵀ h, ∂L/∂b2 = Σ ∂L/∂ŷ;
    ∂L/∂h = ∂L/∂ŷ W2, ∂L/∂s = ∂L/∂h ⊙ [s > 0] (ReLU's slope); ∂L/∂W1 = (∂L/∂s)ᵀ x, ∂L/∂b1 = Σ ∂L/∂s.
    Returns parameter name -> gradient, shaped as the parameter."""
    x, y, s, h = (t.double() for t in (record.x, record.y, record.s, record.h))
    w2 = record.before["linears.1.weight"].double()
    y_hat = h @ w2.T + record.before["linears.1.bias"].double()
    d_out = 2 * (y_hat - y) / len(y)  # (B, 1)
    d_s = (d_out @ w2) * (s > 0).double()  # (B, 4)
    return {"linears.0.weight": d_s.T @ x, "linears.0.bias": d_s.sum(0),
            "linears.1.weight": d_out.T @ h, "linears.1.bias": d_out.sum(0)}


def dead_units(model: MLP, x: torch.Tensor) -> list[int]:
    """The hidden ReLU units (1-based) whose output is 0 for every row of x: their gradient is 0 for every
    example, so no step can bring them back."""
    with torch.no_grad():
        h = model.acts[0](model.linears[0](x))
    return [j + 1 for j in range(h.shape[1]) if bool((h[:, j] <= 0).all())]


def predict(model: MLP, triple: tuple[float, float, float]) -> float:
    """ŷ for one triple (a, b, c)."""
    with torch.no_grad():
        device = next(model.parameters()).device
        return float(model(torch.tensor([triple], dtype=torch.float32, device=device))[0, 0])
