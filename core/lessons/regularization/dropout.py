"""Dropout made visible: one batch through the dropout network in train mode and in eval mode.

In train mode each hidden unit's output h is kept with probability 1 − p (the mask) and the kept ones
are scaled by 1/(1 − p), so the layer's expected output equals h; in eval mode dropout is the identity.
PyTorch's p is the probability of *dropping* a unit; Srivastava et al. (2014) write p for the
probability of *keeping* one (their p = 0.5 for hidden units is the same either way, their p = 0.8 for
inputs is PyTorch's p = 0.2). Everything runs on a copy of the model under no_grad.
"""
from __future__ import annotations

from copy import deepcopy
from dataclasses import dataclass

import numpy as np
import pandas as pd
import torch

from core.data import Dataset
from core.lessons.regularization.config import REGULARIZERS, CompareConfig
from core.models import MLP, reseed

SHOWN_EXAMPLES, SHOWN_UNITS = 16, 32  # the heatmaps' size: first examples of the batch x first units


@dataclass(frozen=True)
class DropoutView:
    """One batch through hidden layer `layer`'s dropout, in both modes."""

    p: float
    layer: int
    trained: bool  # the trained dropout network (False: the network at initialisation)
    batch: int  # examples in the batch
    units: int  # units in the layer
    frame: pd.DataFrame  # example, unit, h, kept, train, eval (first SHOWN_EXAMPLES x SHOWN_UNITS)
    dropped_share: float  # share of the batch's units dropped (about p)
    mean_h: float  # mean of h over the batch (train-mode pass)
    mean_train: float  # mean of the train-mode output over the batch (about mean_h: the 1/(1 − p) scaling)
    mean_eval: float  # mean of the eval-mode output over the batch
    eval_repeatable: bool  # two eval-mode passes gave identical outputs
    train_masks_differ: bool  # two train-mode passes drew different masks (p > 0)
    scaling_exact: bool  # train output == h · mask / (1 − p) to float32 rounding, for every value

    @property
    def scale(self) -> float:
        return 1.0 / (1.0 - self.p)


@torch.no_grad()
def pass_through(model: MLP, x: torch.Tensor, layer: int, train_mode: bool) -> tuple[torch.Tensor, torch.Tensor,
                                                                                      torch.Tensor | None]:
    """(input of hidden `layer`'s dropout h, its output, its keep mask or None) for batch x, on `model`
    as it is (the caller sets the mode on a copy). Raises ValueError for a layer the model lacks."""
    if not 1 <= layer <= len(model.drops):
        raise ValueError(f"The network has hidden layers 1 to {len(model.drops)} (got {layer}).")
    drop = model.drops[layer - 1]
    seen = {}

    def hook(_module, inputs, output):
        seen["h"], seen["out"] = inputs[0].detach().clone(), output.detach().clone()

    handle = drop.register_forward_hook(hook)
    try:
        model.train(train_mode)
        drop.last_mask = None
        model(x)
    finally:
        handle.remove()
    return seen["h"], seen["out"], drop.last_mask


def view(model: MLP, x: torch.Tensor, layer: int, seed: int, trained: bool) -> DropoutView:
    """The batch x through a copy of `model` (its dropout generators started from `seed`): train mode
    twice, eval mode twice, hidden `layer`'s dropout watched. Raises ValueError for a layer the model lacks."""
    if not 1 <= layer <= len(model.drops):
        raise ValueError(f"The network has hidden layers 1 to {len(model.drops)} (got {layer}).")
    copy = deepcopy(model)
    reseed(copy, seed)
    p = copy.drops[layer - 1].p
    h, out, mask = pass_through(copy, x, layer, True)
    _, _, mask2 = pass_through(copy, x, layer, True)
    _, ev, _ = pass_through(copy, x, layer, False)
    _, ev2, _ = pass_through(copy, x, layer, False)
    kept = mask if mask is not None else torch.ones_like(h)
    expected = h * kept / (1.0 - p)
    n, units = h.shape
    e, u = min(n, SHOWN_EXAMPLES), min(units, SHOWN_UNITS)
    frame = pd.DataFrame({
        "example": np.repeat(np.arange(1, e + 1), u), "unit": np.tile(np.arange(1, u + 1), e),
        "h": h[:e, :u].flatten().numpy(), "kept": kept[:e, :u].flatten().numpy().astype(int),
        "train": out[:e, :u].flatten().numpy(), "eval": ev[:e, :u].flatten().numpy()})
    return DropoutView(
        p=p, layer=layer, trained=trained, batch=n, units=units, frame=frame,
        dropped_share=float(1 - kept.mean()), mean_h=float(h.mean()), mean_train=float(out.mean()),
        mean_eval=float(ev.mean()), eval_repeatable=bool(torch.equal(ev, ev2)),
        train_masks_differ=bool(mask is not None and mask2 is not None and not torch.equal(mask, mask2)),
        scaling_exact=bool(torch.allclose(out, expected, rtol=1e-6, atol=1e-6)))


def view_of(result, config: CompareConfig, data: Dataset, seed: int) -> DropoutView:
    """The dropout view of the comparison's dropout network: trained, from `result` (a NetworkResult of
    core.lessons.regularization.experiment.compare) when it holds finite weights, else at initialisation;
    the batch is the first `config.batch_size` training images."""
    from core.lessons.regularization.experiment import build

    model = build(config, "dropout", seed)
    run = result.runs.get(REGULARIZERS["dropout"]) if result is not None else None
    trained = run is not None and run.state_dict is not None and not run.diverged_at and all(
        torch.isfinite(v).all() for v in run.state_dict.values() if v.is_floating_point())
    if trained:
        model.load_state_dict(run.state_dict)
    x = data.x_train[: config.batch_size].cpu()
    return view(model.cpu(), x, config.layer, seed, trained)
