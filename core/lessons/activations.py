"""Lesson: activation functions, their derivatives, and what they do to learning.

- `curves`: f(x) and f'(x) from torch.autograd on the very modules the MLPs use.
- `depth_gradients`: how a gradient shrinks through L layers: the bound (max f')^(L-l) and the
  measured ||dL/ds_l|| of a real, randomly initialised depth-L MLP on an MNIST batch.
- `train_compare`: the same MLP trained once per activation: same seed, batches, initial weights.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import altair as alt
import pandas as pd
import torch

from core.activations import ACTIVATIONS, get_activation
from core.config import Config, check_range
from core.data import Dataset
from core.gradients import layer_gradients
from core.initializers import INIT_SCHEMES
from core.charts import decades
from core.lessons.compare import CompareResult
from core.models import MLP, validate_sizes
from core.palette import color_scale
from core.seeding import seeded
from core.training import Progress, TrainResult, TrainSettings, train

SATURATION = 0.05  # |f'(x)| below this counts as saturated
DEPTH_WIDTH = 64
DEPTH_BATCH = 256


@dataclass(frozen=True)
class ActivationsConfig(Config):
    functions: tuple[str, ...] = ("sigmoid", "tanh", "relu")
    x_min: float = -6.0
    x_max: float = 6.0
    depth: int = 10
    depth_init: str = "default"
    hidden: tuple[int, ...] = (50, 50)
    lr: float = 0.01
    momentum: float = 0.9
    epochs: int = 5
    batch_size: int = 64

    def validate(self) -> None:
        if not self.functions:
            raise ValueError("Choose at least one activation function.")
        for name in self.functions:
            get_activation(name)
        if len(set(self.functions)) != len(self.functions):
            raise ValueError("Each activation function can be chosen once.")
        check_range("x from", self.x_min, -50, 50)
        check_range("x to", self.x_max, -50, 50)
        if self.x_max - self.x_min < 0.5:
            raise ValueError("The x-range must span at least 0.5.")
        check_range("Depth", self.depth, 1, 30)
        if self.depth_init not in INIT_SCHEMES:
            raise ValueError(f"Unknown initialization '{self.depth_init}'.")
        if not self.hidden:
            raise ValueError("Give at least one hidden layer size, e.g. 50, 50.")
        validate_sizes([784, *self.hidden, 10])
        self.train_settings()  # validates lr, momentum, epochs, batch size

    def train_settings(self) -> TrainSettings:
        return TrainSettings(epochs=self.epochs, batch_size=self.batch_size, lr=self.lr,
                             momentum=self.momentum, log_every=25)

    @property
    def labels(self) -> list[str]:
        return [ACTIVATIONS[f].label for f in self.functions]


# ---------------------------------------------------------------- curves

def curves(functions: tuple[str, ...], x_min: float, x_max: float, n: int = 601) -> pd.DataFrame:
    """Long frame: function, label, x, y = f(x), dy = f'(x) by autograd, saturated = |f'| < 0.05."""
    frames = []
    for name in functions:
        act = get_activation(name)
        x = torch.linspace(x_min, x_max, n, dtype=torch.float64, requires_grad=True)
        y = act.make()(x)
        (dy,) = torch.autograd.grad(y.sum(), x)
        frames.append(pd.DataFrame({
            "function": name, "label": act.label, "x": x.detach().numpy(), "y": y.detach().numpy(),
            "dy": dy.numpy(), "saturated": dy.abs().numpy() < SATURATION}))
    return pd.concat(frames, ignore_index=True)


def saturated_share(df: pd.DataFrame) -> pd.Series:
    """Fraction of the plotted x-range where each function is saturated, by label."""
    return df.groupby("label", sort=False)["saturated"].mean()


def curves_chart(df: pd.DataFrame, field: str, title: str, order: list[str]) -> alt.Chart:
    """All selected functions' f (field='y') or f' (field='dy') overlaid, values on hover."""
    hover = alt.selection_point(fields=["x"], nearest=True, on="pointerover", empty=False)
    base = alt.Chart(df).encode(
        x=alt.X("x:Q", title="x"),
        color=alt.Color("label:N", scale=color_scale(order), title="Function",
                        legend=alt.Legend(orient="bottom")))
    lines = base.mark_line(strokeWidth=2.5).encode(y=alt.Y(f"{field}:Q", title=title))
    points = base.mark_point(size=60, filled=True).encode(
        y=f"{field}:Q", opacity=alt.condition(hover, alt.value(1), alt.value(0)),
        tooltip=[alt.Tooltip("label:N", title="function"), alt.Tooltip("x:Q", format=".2f"),
                 alt.Tooltip("y:Q", title="f(x)", format=".4f"), alt.Tooltip("dy:Q", title="f'(x)", format=".4f")],
    ).add_params(hover)
    rule = alt.Chart(df).mark_rule(color="#999").encode(x="x:Q").transform_filter(hover)
    layers = [lines, points, rule]
    if field == "dy":
        band = alt.Chart(pd.DataFrame({"lo": [-SATURATION], "hi": [SATURATION]})).mark_rect(
            color="#bbb", opacity=0.35).encode(y="lo:Q", y2="hi:Q")
        layers.insert(0, band)
    heading = alt.Title(title, subtitle=f"grey band: saturated, |f'(x)| < {SATURATION}") if field == "dy" else title
    return alt.layer(*layers).properties(title=heading, height=360, width="container")


def function_panel(df: pd.DataFrame, label: str) -> alt.Chart:
    """One function: f solid, f' dashed, saturated x-regions (|f'| < 0.05) shaded grey."""
    one = df[df["label"] == label]
    step = float(one["x"].diff().median())
    long = one.melt(id_vars=["x", "saturated"], value_vars=["y", "dy"], var_name="curve", value_name="value")
    long["curve"] = long["curve"].map({"y": "f(x)", "dy": "f'(x)"})
    shade = alt.Chart(one[one["saturated"]].assign(x2=lambda d: d["x"] + step)).mark_rect(
        color="#d9d9d9", opacity=0.6).encode(x="x:Q", x2="x2:Q", tooltip=[alt.Tooltip("x:Q", format=".2f")])
    lines = alt.Chart(long).mark_line(strokeWidth=2.5).encode(
        x=alt.X("x:Q", title="x"), y=alt.Y("value:Q", title=None),
        color=alt.value(color_scale([label]).range[0]),
        strokeDash=alt.StrokeDash("curve:N", title=None, legend=alt.Legend(orient="bottom"),
                                  scale=alt.Scale(domain=["f(x)", "f'(x)"], range=[[1, 0], [6, 4]])),
        tooltip=["curve:N", alt.Tooltip("x:Q", format=".2f"), alt.Tooltip("value:Q", format=".4f")])
    return (shade + lines).properties(title=label, height=300,
                                      width="container")


# ---------------------------------------------------------------- through depth

def depth_model(name: str, depth: int, seed: int, width: int = DEPTH_WIDTH, init: str = "default") -> MLP:
    return seeded(seed, lambda: MLP([784] + [width] * depth + [10], name, init=init))


def depth_gradients(functions: tuple[str, ...], depth: int, data: Dataset, seed: int,
                    width: int = DEPTH_WIDTH, batch: int = DEPTH_BATCH, init: str = "default") -> pd.DataFrame:
    """Per hidden layer l = 1..L: measured ||dL/ds_l|| and its ratio to the top hidden layer's,
    beside the activation-only bound (max f')^(L-l), for a freshly initialised depth-L MLP."""
    x, y = data.x_train[:batch], data.y_train[:batch]
    frames = []
    for name in functions:
        act = get_activation(name)
        model = depth_model(name, depth, seed, width, init).to(data.device)
        grads = layer_gradients(model, x, y).query("kind == 'backprop' and layer <= @depth")
        norms = grads.sort_values("layer")["grad_norm"].to_numpy()
        top = norms[-1]
        layers = range(1, depth + 1)
        frames.append(pd.DataFrame({
            "function": name, "label": act.label, "layer": list(layers), "grad_norm": norms,
            "relative": norms / top if top > 0 else norms * 0.0,
            "bound": [act.max_slope ** (depth - l) for l in layers]}))
    return pd.concat(frames, ignore_index=True)


def depth_chart(df: pd.DataFrame, order: list[str]) -> alt.Chart:
    """Log-scale: measured gradient norm relative to the top hidden layer (solid) and the bound (dashed)."""
    shown = df[(df["relative"] > 0) & (df["bound"] > 0)]
    long = pd.concat([
        shown.assign(series="measured ||dL/ds_l|| / ||dL/ds_L||", value=shown["relative"]),
        shown.assign(series="bound (max f')^(L-l)", value=shown["bound"]),
    ])
    color = alt.Color("label:N", scale=color_scale(order), title="Function", legend=alt.Legend(orient="bottom"))
    return alt.Chart(long).mark_line(point=True, strokeWidth=2.5).encode(
        x=alt.X("layer:Q", title="Hidden layer l (1 = next to the input)", axis=alt.Axis(tickMinStep=1)),
        y=alt.Y("value:Q", scale=alt.Scale(type="log"), title="Gradient relative to layer L (log)",
                axis=alt.Axis(values=decades(long["value"]) or alt.Undefined, format=".0e")),
        color=color,
        strokeDash=alt.StrokeDash("series:N", legend=None,
                                  scale=alt.Scale(range=[[6, 4], [1, 0]])),
        tooltip=["label:N", "layer:Q", "series:N", alt.Tooltip("value:Q", format=".3e"),
                 alt.Tooltip("grad_norm:Q", title="||dL/ds_l||", format=".3e")],
    ).properties(title=alt.Title("How much gradient reaches each layer",
                                 subtitle="solid: measured in a real network · dashed: bound (max f')^(L-l)"),
                height=460, width="container")


# ---------------------------------------------------------------- training

def train_compare(config: ActivationsConfig, data: Dataset, seed: int,
                  on_progress: Callable[[Progress], None] | None = None) -> CompareResult:
    """Train 784 -> hidden -> 10 once per selected activation, same seed, batches and initial weights."""
    sizes = [784, *config.hidden, 10]
    settings = config.train_settings()
    runs = {}
    for i, name in enumerate(config.functions):
        label = ACTIVATIONS[name].label
        model = seeded(seed, lambda: MLP(sizes, name))
        runs[label] = train(model, data, settings, seed=seed, label=label, on_progress=on_progress,
                            run_index=i, n_runs=len(config.functions))
    return CompareResult(runs)
