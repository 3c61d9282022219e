"""A training budget per experiment, so one link or one click cannot occupy a shared server for hours.

The work of an experiment is its multiply-adds: forward ones per image (counted with hooks on one
image), times three for the backward pass, times the images it trains on, times its runs. The
limits allow every lesson's defaults many times over and stop what would take more than a few
minutes on a 2-core CPU (a 2-core machine does about 25 billion multiply-adds a second here).
"""
from __future__ import annotations

import math

import torch
from torch import nn

MAX_WORK = 4e12  # multiply-adds (forward + backward) over all runs of one experiment on a CPU
GPU_FACTOR = 25  # a GPU does the same work many times faster
MAX_STEPS = 150_000  # optimizer steps over all runs: per-step overhead dominates small batches


class TooMuchTraining(ValueError):
    """An experiment over the budget; the message says what to reduce."""


@torch.no_grad()
def forward_macs(model: nn.Module, example: torch.Tensor) -> int:
    """Multiply-adds of one forward pass of a single example through every Linear and Conv2d."""
    total = 0

    def count(module: nn.Module, _inputs, output: torch.Tensor) -> None:
        nonlocal total
        if isinstance(module, nn.Linear):
            total += module.in_features * module.out_features
        else:  # Conv2d: each output value sums (in_channels / groups) * kernel area products
            per_output = module.in_channels // module.groups * math.prod(module.kernel_size)
            total += output[0].numel() * per_output

    handles = [m.register_forward_hook(count) for m in model.modules() if isinstance(m, (nn.Linear, nn.Conv2d))]
    was_training = model.training
    model.eval()  # eval mode: batch norm takes one example and its running statistics stay put
    try:
        model(example[:1])
    finally:
        model.train(was_training)
        for h in handles:
            h.remove()
    return total


def check_budget(model: nn.Module, example: torch.Tensor, images_per_run: int, steps_per_run: int,
                 n_runs: int = 1) -> None:
    """Raise TooMuchTraining if `n_runs` runs like this one would exceed the budget."""
    steps = steps_per_run * n_runs
    if steps > MAX_STEPS:
        raise TooMuchTraining(
            f"That is {steps:,} training steps ({n_runs} network{'s' * (n_runs > 1)} × {steps_per_run:,}), more "
            f"than the {MAX_STEPS:,} one experiment may take on this shared server. Use a larger batch "
            "size, fewer epochs or fewer networks.")
    limit = MAX_WORK * (GPU_FACTOR if example.device.type == "cuda" else 1)
    macs = forward_macs(model, example)
    work = 3 * macs * images_per_run * n_runs
    if work > limit:
        raise TooMuchTraining(
            f"That is about {work / 1e12:,.1f} trillion multiply-adds ({n_runs} network{'s' * (n_runs > 1)} × "
            f"{images_per_run:,} training images × {macs / 1e6:,.2f} million per image, forward and back), "
            f"more than the {limit / 1e12:g} trillion one experiment may take on this shared server "
            f"({example.device.type.upper()}). Use fewer epochs, fewer or smaller layers, or fewer networks.")
