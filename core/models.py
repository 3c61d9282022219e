"""The lessons' models: an MLP built from a list of layer sizes (optionally with batch norm, dropout,
input noise, or residual connections), and the lesson CNN.

Dropout and input noise draw from their own seeded generators (`reseed`, which `core.training.train`
calls with the run's seed), not from torch's global RNG: the server trains several sessions' runs in
threads of one process, and a shared RNG would make the same seed give different numbers.
"""
from __future__ import annotations

import math
from typing import Sequence

import torch
from torch import nn

from core.activations import derivative, get_activation
from core.initializers import init_layer

MAX_WIDTH = 2048  # largest hidden layer the app will build
MAX_LAYERS = 65  # most Linear layers in one MLP (the residual lesson's depth 64: 64 hidden + output)


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


class SeededDropout(nn.Module):
    """nn.Dropout with its own generator: in train mode each input is zeroed with probability p (the
    *drop* probability; Srivastava et al. 2014 write the keep probability 1 − p) and the survivors are
    scaled by 1/(1 − p), so eval mode (identity) sees the same expected values. `last_mask` holds the
    keep mask of the latest train-mode forward pass, shape of the input, 1 = kept."""

    def __init__(self, p: float = 0.5, seed: int = 0):
        super().__init__()
        if not 0.0 <= p < 1.0:
            raise ValueError(f"The dropout probability must be in [0, 1) (got {p:g}).")
        self.p, self.seed = float(p), seed
        self._generators: dict[torch.device, torch.Generator] = {}
        self.last_mask: torch.Tensor | None = None

    def reseed(self, seed: int) -> None:
        self.seed, self._generators = seed, {}

    def _generator(self, device: torch.device) -> torch.Generator:
        if device not in self._generators:
            self._generators[device] = torch.Generator(device=device).manual_seed(self.seed)
        return self._generators[device]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.p == 0:
            return x
        keep = torch.empty_like(x).bernoulli_(1.0 - self.p, generator=self._generator(x.device))
        self.last_mask = keep.detach()
        return x * keep / (1.0 - self.p)

    def extra_repr(self) -> str:
        return f"p={self.p:g}"


class GaussianNoise(nn.Module):
    """Adds N(0, σ²) noise to its input in train mode (input-noise regularization, Bishop 1995); the
    identity in eval mode. Its own seeded generator, as SeededDropout."""

    def __init__(self, sigma: float = 0.0, seed: int = 0):
        super().__init__()
        if not (sigma >= 0.0 and math.isfinite(sigma)):
            raise ValueError(f"The input noise σ must be a finite number ≥ 0 (got {sigma}).")
        self.sigma, self.seed = float(sigma), seed
        self._generators: dict[torch.device, torch.Generator] = {}

    reseed = SeededDropout.reseed
    _generator = SeededDropout._generator

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.training or self.sigma == 0:
            return x
        noise = torch.empty_like(x).normal_(0.0, 1.0, generator=self._generator(x.device))
        return x + self.sigma * noise

    def extra_repr(self) -> str:
        return f"sigma={self.sigma:g}"


def reseed(model: nn.Module, seed: int) -> None:
    """Restart every SeededDropout and GaussianNoise of `model` from `seed`."""
    for m in model.modules():
        if isinstance(m, (SeededDropout, GaussianNoise)):
            m.reseed(seed)


class MLP(nn.Module):
    """sizes=[784, 50, 50, 10] -> Linear(784,50) [BN] act [dropout], Linear(50,50) [BN] act [dropout],
    Linear(50,10). With `input_noise` σ > 0, Gaussian noise is added to the (flattened) input in train mode.

    `linears[l]` outputs the pre-activation s_l of layer l; `acts[l]` its activation; `drops[l]` the
    dropout after it. The input is flattened, so MNIST batches of shape (B, 1, 28, 28) go in as they are.
    Dropout, noise and activations have no parameters: the same seed gives the same initial weights
    whatever they are set to.
    """

    def __init__(self, sizes: Sequence[int], activation: str = "relu", batch_norm: bool = False,
                 init: str = "default", dropout: float = 0.0, input_noise: float = 0.0):
        super().__init__()
        validate_sizes(sizes)
        act = get_activation(activation)
        self.sizes = tuple(int(s) for s in sizes)
        self.activation = activation
        self.noise = GaussianNoise(input_noise)
        self.linears = nn.ModuleList(nn.Linear(a, b) for a, b in zip(self.sizes[:-1], self.sizes[1:]))
        n_hidden = len(self.linears) - 1
        self.norms = nn.ModuleList(
            (nn.BatchNorm1d(n) if batch_norm else nn.Identity()) for n in self.sizes[1:-1])
        self.acts = nn.ModuleList(act.make() for _ in range(n_hidden))
        self.drops = nn.ModuleList(SeededDropout(dropout) for _ in range(n_hidden))
        for layer in self.linears:
            init_layer(layer, init)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.noise(x.flatten(1))
        for linear, norm, act, drop in zip(self.linears, self.norms, self.acts, self.drops):
            x = drop(act(norm(linear(x))))
        return self.linears[-1](x)


class ResidualMLP(MLP):
    """The MLP with identity skips: every hidden layer whose input and output widths match computes
    h ← h + α · f(BN(W h + b)) instead of h ← f(BN(W h + b)) (He et al. 2016's identity shortcut, the
    branch scaled by α, e.g. 1/√depth). The first hidden layer (784 → width) has no skip. Built from the
    same seed, it has exactly the initial weights of the plain MLP of the same sizes."""

    def __init__(self, sizes: Sequence[int], activation: str = "relu", batch_norm: bool = False,
                 init: str = "default", dropout: float = 0.0, input_noise: float = 0.0,
                 branch_scale: float = 1.0):
        super().__init__(sizes, activation, batch_norm, init, dropout, input_noise)
        if not (math.isfinite(branch_scale) and branch_scale > 0):
            raise ValueError(f"The branch scale must be a positive number (got {branch_scale}).")
        self.branch_scale = float(branch_scale)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.noise(x.flatten(1))
        for linear, norm, act, drop in zip(self.linears, self.norms, self.acts, self.drops):
            branch = drop(act(norm(linear(x))))
            x = x + self.branch_scale * branch if branch.shape == x.shape else branch
        return self.linears[-1](x)


@torch.no_grad()
def hidden_layers(model: MLP, x: torch.Tensor) -> list[tuple[torch.Tensor, torch.Tensor, torch.Tensor]]:
    """Each hidden layer's pre-activation s_l, output h_l and slope f'(s_l) on x (the slope by
    autograd through the model's own activation, in float32), in eval mode: nothing in the model changes.
    h_l = f(s_l), or for a ResidualMLP's skipped layers h_{l-1} + α f(s_l)."""
    was_training = model.training
    model.eval()
    out, h = [], x.flatten(1)
    scale = model.branch_scale if isinstance(model, ResidualMLP) else None
    try:
        for linear, norm, act in zip(model.linears, model.norms, model.acts):
            s = norm(linear(h))
            f, slope = derivative(act, s)
            h = h + scale * f if scale is not None and f.shape == h.shape else f
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
