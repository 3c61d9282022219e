"""Probes read a model while it trains, through hooks, without changing what they measure.

They record on the training forward/backward passes that happen anyway: no extra forward pass
(which would move batch-norm running statistics), no extra batches. Values stay on the device
in preallocated buffers and reach the host only when the run finishes, so probing adds no
per-step host synchronisation.
"""
from __future__ import annotations

import pandas as pd
import torch
from torch import nn


def probe_layers(model: nn.Module) -> list[tuple[str, nn.Module]]:
    """The layers a probe reports on: every Linear and Conv2d, in forward order."""
    return [(name, m) for name, m in model.named_modules() if isinstance(m, (nn.Linear, nn.Conv2d))]


class Probe:
    """Base class. The engine calls attach() once, then record hooks are active on probe steps."""

    def __init__(self, every: int = 1):
        self.every = max(1, int(every))
        self.active = False
        self.step = 0

    def attach(self, model: nn.Module, total_steps: int) -> None: ...

    def begin_step(self, step: int) -> None:
        self.step = step
        self.active = step % self.every == 0

    def after_backward(self) -> None: ...

    def detach(self) -> None: ...

    def frame(self, steps_done: int) -> pd.DataFrame:
        raise NotImplementedError


def norm_dtype(device: torch.device) -> torch.dtype:
    """Gradient norms are summed in float64 (MPS has none: float32 there). In float32 the squares of
    entries below ~1e-23 underflow, and a vanishing gradient of 1e-27 would read as exactly 0."""
    return torch.float32 if device.type == "mps" else torch.float64


class GradNormProbe(Probe):
    """Per-layer gradient norms: ||dL/dW_l|| of each layer's weight and, with backprop=True, the
    back-propagated ||dL/ds_l|| of each layer's output (its pre-activation), via tensor hooks."""

    def __init__(self, every: int = 1, backprop: bool = False):
        super().__init__(every)
        self.backprop = backprop
        self._handles: list = []

    def attach(self, model: nn.Module, total_steps: int) -> None:
        self.layers = probe_layers(model)
        self.weights = [m.weight for _, m in self.layers]
        device = self.weights[0].device
        self.dtype = norm_dtype(device)
        rows = (total_steps + self.every - 1) // self.every
        self.weight_buf = torch.full((rows, len(self.layers)), float("nan"), device=device, dtype=self.dtype)
        if self.backprop:
            self.backprop_buf = torch.full_like(self.weight_buf, float("nan"))
            for i, (_, module) in enumerate(self.layers):
                self._handles.append(module.register_forward_hook(self._output_hook(i)))

    def _output_hook(self, index: int):
        def hook(_module, _inputs, output):
            if self.active and output.requires_grad:
                row = self.step // self.every

                def record(grad: torch.Tensor) -> None:  # returns None: the gradient is unchanged
                    self.backprop_buf[row, index] = torch.linalg.vector_norm(grad.detach(), dtype=self.dtype)

                output.register_hook(record)
        return hook

    def after_backward(self) -> None:
        if self.active:
            grads = [w.grad for w in self.weights]
            self.weight_buf[self.step // self.every] = torch.stack(torch._foreach_norm(grads, 2, dtype=self.dtype))

    def detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()

    def frame(self, steps_done: int) -> pd.DataFrame:
        rows = (steps_done + self.every - 1) // self.every
        kinds = [("weight", self.weight_buf)] + ([("backprop", self.backprop_buf)] if self.backprop else [])
        frames = []
        for kind, buf in kinds:
            values = buf[:rows].cpu().numpy()
            for i, (name, _) in enumerate(self.layers):
                frames.append(pd.DataFrame({
                    "step": [r * self.every + 1 for r in range(rows)],
                    "layer": i + 1, "name": name, "kind": kind, "grad_norm": values[:, i]}))
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["step", "layer", "name", "kind", "grad_norm"])


class ActivationProbe(Probe):
    """Samples of each Linear/Conv layer's output (pre-activation) on probe steps: the first
    `n_samples` rows of the training batch, as the training forward pass computed them."""

    def __init__(self, every: int = 50, n_samples: int = 128):
        super().__init__(every)
        self.n_samples = n_samples
        self._handles: list = []
        self.samples: list[tuple[int, int, str, torch.Tensor]] = []

    def attach(self, model: nn.Module, total_steps: int) -> None:
        self.layers = probe_layers(model)
        for i, (name, module) in enumerate(self.layers):
            self._handles.append(module.register_forward_hook(self._hook(i, name)))

    def _hook(self, index: int, name: str):
        def hook(module, _inputs, output):
            if self.active and module.training:
                self.samples.append((self.step + 1, index + 1, name, output[: self.n_samples].detach().flatten().clone()))
        return hook

    def detach(self) -> None:
        for h in self._handles:
            h.remove()
        self._handles.clear()

    def frame(self, steps_done: int) -> pd.DataFrame:
        frames = [pd.DataFrame({"step": step, "layer": layer, "name": name, "value": values.cpu().numpy()})
                  for step, layer, name, values in self.samples]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["step", "layer", "name", "value"])
