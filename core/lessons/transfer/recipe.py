"""The transfer-learning recipe, on real models: freeze every parameter, replace the last layer with a
new one for the new classes, and give the optimizer only the parameters that still require gradients.
`prepare` builds each of the lesson's four ways of training from it; `step_check` runs one real
training step and reports, parameter by parameter, which received a gradient and which changed.

The page shows the source of `freeze`, `replace_head`, `trainable` and `prepare` as they are, so the
code on screen is the code that ran.
"""
from __future__ import annotations

from typing import Callable

import pandas as pd
import torch
from torch import nn

from core.data import Dataset
from core.models import LessonCNN
from core.seeding import seeded
from core.training import TrainSettings, make_optimizer, train

OptimizerBuilder = Callable[[list[nn.Parameter]], torch.optim.Optimizer]


def freeze(model: nn.Module) -> None:
    for p in model.parameters():
        p.requires_grad = False  # no gradient is computed for it, so no optimizer can move it


def replace_head(model: nn.Module, name: str, classes: int) -> nn.Linear:
    old = getattr(model, name)  # the pretrained last layer, e.g. Linear(1568 -> 10)
    new = nn.Linear(old.in_features, classes)  # new, random, and requires_grad=True by default
    setattr(model, name, new)
    return new


def trainable(params) -> list[nn.Parameter]:
    return [p for p in params if p.requires_grad]


def pretrained_cnn(state_dict: dict[str, torch.Tensor]) -> LessonCNN:
    """The lesson CNN with the pretrained weights (a fresh copy: the shared weights are never trained). Built
    under core.seeding's lock like every model: its throw-away initial weights draw from torch's global RNG."""
    model = seeded(0, LessonCNN)
    model.load_state_dict(state_dict)
    return model


def prepare(method: str, pretrained: dict[str, torch.Tensor], seed: int, settings: TrainSettings,
            feature_lr: float) -> tuple[nn.Module, OptimizerBuilder | None]:
    """The model and optimizer builder (for core.training.train; None: the engine's SGD on every
    parameter) of one method. The new last layer, and the whole network from scratch, are initialised
    from `seed`. Raises KeyError for an unknown method."""
    if method == "scratch":
        return seeded(seed, LessonCNN), None
    model = pretrained_cnn(pretrained)
    if method == "frozen":
        freeze(model)
        seeded(seed, lambda: replace_head(model, "fc", 10))
        return model, lambda params: make_optimizer(trainable(params), settings)
    seeded(seed, lambda: replace_head(model, "fc", 10))
    if method == "finetune":
        return model, lambda params: make_optimizer(trainable(params), settings)
    if method == "finetune_small":
        head = list(model.fc.parameters())
        features = [p for p in model.parameters() if all(p is not h for h in head)]
        return model, lambda params: torch.optim.SGD(
            [{"params": features, "lr": feature_lr * settings.lr}, {"params": head}],
            lr=settings.lr, momentum=settings.momentum)
    raise KeyError(f"Unknown method '{method}'.")


# ---------------------------------------------------------------- counting and checking

def parameter_table(model: nn.Module) -> pd.DataFrame:
    """One row per parameter tensor: name, shape, parameters (count), trainable (requires_grad)."""
    return pd.DataFrame([{"name": n, "shape": " × ".join(map(str, p.shape)), "parameters": p.numel(),
                          "trainable": p.requires_grad} for n, p in model.named_parameters()])


def counts(model: nn.Module) -> dict[str, int]:
    """{'trainable': ..., 'frozen': ..., 'total': ...} parameter counts."""
    table = parameter_table(model)
    trainable_n = int(table.loc[table["trainable"], "parameters"].sum())
    total = int(table["parameters"].sum())
    return {"trainable": trainable_n, "frozen": total - trainable_n, "total": total}


def step_check(model: nn.Module, data: Dataset, settings: TrainSettings, optimizer: OptimizerBuilder | None,
               seed: int) -> tuple[pd.DataFrame, float]:
    """Train `model` for exactly one step (one batch: all of data's training images) with
    core.training.train, and compare every parameter before and after. Returns (the parameter table
    plus `gradient` (the norm of its .grad after the step, NaN where .grad is None), `has_gradient`,
    `largest_change` (max |after - before|)), and the step's loss)."""
    before = {n: p.detach().clone() for n, p in model.named_parameters()}
    one = settings.replace(epochs=1, batch_size=len(data.y_train))
    run = train(model, data, one, seed=seed, optimizer=optimizer)
    table = parameter_table(model)
    params = dict(model.named_parameters())
    table["has_gradient"] = [params[n].grad is not None for n in table["name"]]
    table["gradient"] = [params[n].grad.norm().item() if params[n].grad is not None else float("nan")
                         for n in table["name"]]
    table["largest_change"] = [(params[n].detach() - before[n]).abs().max().item() for n in table["name"]]
    loss = float(run.steps["loss"].iloc[0]) if len(run.steps) else float("nan")
    return table, loss
