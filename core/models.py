"""The lessons' models: an MLP built from a list of layer sizes, and the lesson CNN."""
from __future__ import annotations

from typing import Sequence

import torch
from torch import nn

from core.activations import derivative, get_activation
from core.initializers import init_layer

MAX_WIDTH = 2048  # largest hidden layer the app will build
MAX_LAYERS = 40  # most Linear layers in one MLP


def validate_sizes(sizes: Sequence[int]) -> None:
    """Raise ValueError with a readable message if an MLP layer list is not buildable here."""
    if len(sizes) < 2:
        raise ValueError("An MLP needs at least an input and an output size.")
    if len(sizes) - 1 > MAX_LAYERS:
        raise ValueError(f"At most {MAX_LAYERS} layers are supported (got {len(sizes) - 1}).")
    for s in sizes:
        if int(s) != s or s < 1:
            raise ValueError(f"Layer sizes must be positive integers (got {s}).")
    hidden = list(sizes[1:-1])
    if hidden and max(hidden) > MAX_WIDTH:
        raise ValueError(f"Hidden layers are limited to {MAX_WIDTH} units (got {max(hidden)}).")


class MLP(nn.Module):
    """sizes=[784, 50, 50, 10] -> Linear(784,50) [BN] act, Linear(50,50) [BN] act, Linear(50,10).

    `linears[l]` outputs the pre-activation s_l of layer l; `acts[l]` its activation. The input is
    flattened, so MNIST batches of shape (B, 1, 28, 28) go in as they are.
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", batch_norm: bool = False,
                 init: str = "default"):
        super().__init__()
        validate_sizes(sizes)
        act = get_activation(activation)
        self.sizes = tuple(int(s) for s in sizes)
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(self.sizes[:-1], self.sizes[1:]))
        n_hidden = len(self.linears) - 1
        self.norms = nn.ModuleList(
            (nn.BatchNorm1d(n) if batch_norm else nn.Identity()) for n in self.sizes[1:-1])
        self.acts = nn.ModuleList(act.make() for _ in range(n_hidden))
        for layer in self.linears:
            init_layer(layer, init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = x.flatten(1)
        for linear, norm, act in zip(self.linears, self.norms, self.acts):
            x = act(norm(linear(x)))
        return self.linears[-1](x)


@torch.no_grad()
def hidden_layers(model: MLP, x: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Each hidden layer's pre-activation s_l, output f(s_l) and slope f'(s_l) on x (the slope by
    autograd through the model's own activation, in float32), in eval mode: nothing in the model changes."""
    was_training = model.training
    model.eval()
    out, h = [], x.flatten(1)
    try:
        for linear, norm, act in zip(model.linears, model.norms, model.acts):
            s = norm(linear(h))
            h, slope = derivative(act, s)
            out.append((s, h, slope))
    finally:
        model.train(was_training)
    return out


class LessonCNN(nn.Module):
    """conv 1->16 5x5 pad 2, [BN], ReLU, max-pool 2, conv 16->32 5x5 pad 2, [BN], ReLU, max-pool 2,
    linear 32*7*7 -> 10. Named stages so probes can read every feature map."""

    def __init__(self, batch_norm: bool = False):
        super().__init__()
        self.conv1 = nn.Conv2d(1, 16, 5, padding=2)
        self.bn1 = nn.BatchNorm2d(16) if batch_norm else nn.Identity()
        self.relu1 = nn.ReLU()
        self.pool1 = nn.MaxPool2d(2)
        self.conv2 = nn.Conv2d(16, 32, 5, padding=2)
        self.bn2 = nn.BatchNorm2d(32) if batch_norm else nn.Identity()
        self.relu2 = nn.ReLU()
        self.pool2 = nn.MaxPool2d(2)
        self.fc = nn.Linear(32 * 7 * 7, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.pool1(self.relu1(self.bn1(self.conv1(x))))
        x = self.pool2(self.relu2(self.bn2(self.conv2(x))))
        return self.fc(x.flatten(1))


def count_parameters(model: nn.Module) -> int:
    return sum(p.numel() for p in model.parameters())
