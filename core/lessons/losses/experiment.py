"""The cost-function lesson's MNIST experiment: one network per cost, everything else the same.

The network is the 784-100-10 MLP with a sigmoid hidden layer; every run starts from the same initial
weights (the same seed, `core.seeding.seeded`), sees the same batches in the same order and trains
with plain SGD (no momentum) at the same learning rate, through `core.training.train` with a cost of
`core.losses`. Only the cost differs. A `GradNormProbe(backprop=True)` measures the back-propagated
gradient that reaches the output layer, ‖∂C/∂z‖ over the batch for the output pre-activations z: the
factor σ′(z) of the quadratic cost on sigmoid outputs shows up there as numbers.

The issue's reference (784-100 sigmoid-10, SGD lr 0.1, batch 64, 5 epochs, 8,000 images, seed 0) was
measured on pixels in [0, 1], Nielsen's inputs (`inputs="pixels"`): on the app's standardised pixels
the hidden layer learns much faster and the costs end closer together.

`run_all(view, data, seed)` runs every computation the page makes, for the app-wide property tests.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import pandas as pd
import torch

from core.compare import CompareResult
from core.data import Dataset
from core.lessons.losses import neuron, softmax, surfaces
from core.lessons.losses.config import HIDDEN, REFERENCE_LOSS, CompareConfig, LossesView
from core.losses import LOSSES
from core.models import MLP
from core.probes import GradNormProbe
from core.seeding import seeded
from core.training import Progress, train

SATURATED_SLOPE = 0.01  # an output whose σ′(z) is below this (|z| > 4.6) is saturated
GRADIENT_POINTS = 400  # probed steps per run, at most


def label(name: str) -> str:
    return LOSSES[name].label


def prepare(data: Dataset, inputs: str) -> Dataset:
    """The images as the experiment feeds them: pixels back in [0, 1] ("pixels", Nielsen's inputs) or
    as loaded (standardised: mean 0 and standard deviation 1 over the training pixels)."""
    if inputs == "standardised":
        return data
    return Dataset(data.name, data.source, data.note, data.pixels(data.x_train), data.y_train,
                   data.pixels(data.x_val), data.y_val, data.classes)


def build(config: CompareConfig, seed: int) -> MLP:
    """The 784-100-10 sigmoid MLP from `seed`, its output layer's initial weights multiplied by
    config.output_scale (×30 saturates the output sigmoids)."""
    model = seeded(seed, lambda: MLP([784, HIDDEN, 10], "sigmoid"))
    with torch.no_grad():
        model.linears[-1].weight.mul_(config.output_scale)
    return model


@torch.no_grad()
def starting_outputs(model: MLP, x: torch.Tensor) -> pd.DataFrame:
    """The untrained network's output pre-activations z on images x, per output unit: its mean, 5th and
    95th percentile over the images, σ′ at the mean, and the share of images on which the unit is
    saturated (σ′(z) < SATURATED_SLOPE)."""
    was = model.training
    model.eval()
    z = model(x).double().cpu()
    model.train(was)
    slope = torch.sigmoid(z) * torch.sigmoid(-z)
    low, high = torch.quantile(z, torch.tensor([0.05, 0.95], dtype=torch.float64), dim=0)
    mean = z.mean(0)
    return pd.DataFrame({"unit": np.arange(z.shape[1]), "z_mean": mean.numpy(), "z_p5": low.numpy(),
                         "z_p95": high.numpy(), "slope_at_mean": (torch.sigmoid(mean) * torch.sigmoid(-mean)).numpy(),
                         "saturated": (slope < SATURATED_SLOPE).double().mean(0).numpy()})


@dataclass
class LossesResult(CompareResult):
    """The runs (keyed by the costs' labels, in the page's order) and what the page draws from them."""

    gradients: pd.DataFrame = field(default_factory=pd.DataFrame)  # run, step, epoch, grad_norm
    start: pd.DataFrame = field(default_factory=pd.DataFrame)  # see starting_outputs
    config: CompareConfig | None = None  # what was trained (a page may show the result of older settings)
    names: dict[str, str] = field(default_factory=dict)  # label -> core.losses name

    def run_of(self, name: str):
        """The run trained with the cost of that core.losses name, or None if it was not trained."""
        return self.runs.get(label(name))


def output_gradients(run, steps_per_epoch: int) -> pd.DataFrame:
    """The probe's back-propagated ‖∂C/∂z‖ of the last Linear layer's output, per probed step."""
    frame = run.probes["GradNormProbe"]
    last = frame["layer"].max()
    out = frame[(frame["kind"] == "backprop") & (frame["layer"] == last)][["step", "grad_norm"]].copy()
    out = out[np.isfinite(out["grad_norm"])]
    out["epoch"] = out["step"] / steps_per_epoch
    return out.assign(run=run.label).reset_index(drop=True)


def compare(config: CompareConfig, data: Dataset, seed: int,
            on_progress: Callable[[Progress], None] | None = None) -> LossesResult:
    """Train one network per cost of config (in the page's order) and collect the runs, the gradient at
    the output layer and the network's starting outputs. The cross-entropy run keeps its final weights.
    Raises core.budget.TooMuchTraining before any step if all the runs together exceed the budget."""
    fed = prepare(data, config.inputs)
    settings = config.train_settings()
    per_epoch = -(-len(fed.y_train) // min(config.batch_size, len(fed.y_train)))
    every = max(1, per_epoch * config.epochs // GRADIENT_POINTS)
    names = config.ordered
    runs, gradients = {}, []
    for i, name in enumerate(names):
        probe = GradNormProbe(every, backprop=True)
        run = train(build(config, seed), fed, settings, seed=seed, label=label(name), probes=[probe],
                    on_progress=on_progress, keep_weights=name == REFERENCE_LOSS, run_index=i, n_runs=len(names),
                    loss=name)
        runs[run.label] = run
        gradients.append(output_gradients(run, per_epoch))
    start = starting_outputs(build(config, seed).to(fed.device), fed.x_val)
    return LossesResult(runs, gradients=pd.concat(gradients, ignore_index=True), start=start, config=config,
                        names={label(n): n for n in names})


def trained_reference(result: LossesResult, seed: int) -> MLP:
    """The cross-entropy network at the end of its run (on the CPU)."""
    model = build(result.config, seed)
    model.load_state_dict(result.run_of(REFERENCE_LOSS).state_dict)
    return model


def batch_check(result: LossesResult, data: Dataset, seed: int, n: int = 8) -> softmax.IdentityCheck:
    """PyTorch's losses on the first n validation images, through the trained cross-entropy network."""
    fed = prepare(data, result.config.inputs)
    with torch.no_grad():
        logits = trained_reference(result, seed).eval()(fed.x_val[:n].cpu())
    return softmax.identity_check(logits, fed.y_val[:n].cpu())


def run_all(view: LossesView, data: Dataset, seed: int) -> None:
    """Every computation the page makes for `view` (see config.shrink for a cheap one): both cost
    surfaces and autograd's verdicts, the one-neuron runs, the softmax, the MNIST runs and the
    identity check on their batch."""
    surfaces.surface_frames(view.surface)
    surfaces.slice_frame(view.surface)
    surfaces.autograd_verdicts(view.surface)
    neuron.run(view.neuron)
    softmax.worked(view.softmax)
    result = compare(view.compare, data, seed)
    batch_check(result, data, seed)
