"""The regularization lesson, section 2: a network that overfits (Nielsen, Neural Networks and Deep
Learning, ch. 3), trained behind its button with live training and validation curves; one click replays
Nielsen's whole recipe (400 epochs)."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

import core.format as fmt
from core.data import Dataset
from core.lessons.regularization import charts, story
from core.lessons.regularization.config import (HIDDEN, IMAGES, NET_BATCH, NET_EPOCHS, NET_LR, NIELSEN_LAMBDA,
                                                PRESETS, OverfitConfig)
from core.lessons.regularization.experiment import L2, PLAIN, NetworkResult, overfit
from core.losses import LOSSES
from ui.controls import training_controls
from ui.layout import run_table, show_chart
from ui.outcome import show_outcomes
from ui.page import LessonPage
from ui.sections.regularization.common import live_history, preset, start_requested
from ui.training import train_or_last

ORDER = [PLAIN, L2]
GUESS = -(math.log(0.1) + 9 * math.log(0.9))  # the cost of predicting 0.1 on every output (the classes' share)
GUESS_LINE = (GUESS, f"guessing 0.1 everywhere: {GUESS:.2f}")
SECTION = "overfit"
RECIPE = OverfitConfig(**{k.removeprefix("net_"): v for k, v in PRESETS["nielsen"].items()})
STEP_SECONDS = 0.00065  # measured: one step of [784, 30, 10] at batch 10 with its share of validations, one CPU thread


def latex_number(v: float) -> str:
    """A number for st.latex: 1000 -> 1{,}000, 0.0001 -> 10^{-4}, 5e-05 -> 5 \\cdot 10^{-5}, 0.1 -> 0.1."""
    if v != 0 and (abs(v) < 1e-3 or abs(v) >= 1e6):
        mantissa, exponent = f"{v:.2e}".split("e")
        mantissa = mantissa.rstrip("0").rstrip(".")
        power = rf"10^{{{int(exponent)}}}"
        return power if mantissa == "1" else rf"{mantissa} \cdot {power}"
    return f"{v:,.10g}".replace(",", "{,}")


def estimate(config: OverfitConfig, n: int) -> float:
    """Rough seconds to train both runs on one CPU thread (for the prompt only)."""
    steps = math.ceil(n / min(config.batch_size, n)) * config.epochs
    return steps * STEP_SECONDS * (2 if config.l2 > 0 else 1)


def controls(page: LessonPage, n_max: int) -> bool:
    k = page.key

    def above() -> None:
        a, b, c = st.columns(3)
        a.slider("Training images", IMAGES[0], min(IMAGES[1], n_max), step=100, key=k("net_images"),
                 help=f"The first images of the training set; {n_max:,} is all of them.")
        b.number_input("Hidden units", *HIDDEN, key=k("net_hidden"))
        c.number_input("L2 strength λ (Nielsen's)", *NIELSEN_LAMBDA, key=k("net_l2"), step=0.05, format="%.3f",
                       help="0 trains only the plain network. PyTorch's weight decay is λ/n (n = training images).")

    clicked = training_controls(
        page, ("epochs", "lr", "batch_size"), limits={"epochs": NET_EPOCHS, "lr": NET_LR, "batch_size": NET_BATCH},
        keys={"epochs": "net_epochs", "lr": "net_lr", "batch_size": "net_batch_size"},
        labels={"lr": "Learning rate η"}, button="Train the network", above=above,
        options={"lr": {"step": 0.05, "format": "%.3f"}})
    recipe = PRESETS["nielsen"]
    st.button(f"Replay Nielsen's recipe: {recipe['net_images']:,} images, [784, {recipe['net_hidden']}, 10], "
              f"batch {recipe['net_batch_size']}, η {recipe['net_lr']}, {recipe['net_epochs']} epochs, with and "
              f"without L2 λ = {recipe['net_l2']}", icon=":material/replay:", key=k("replay"),
              on_click=preset(page, "nielsen", SECTION))
    return clicked or start_requested(page, SECTION)


def render(page: LessonPage, config: OverfitConfig | None, error: str | None, data: Dataset, seed: int) -> None:
    st.header("2. A network that overfits")
    st.markdown(
        "Nielsen's experiment (*Neural Networks and Deep Learning*, ch. 3): a network of 30 sigmoid units, "
        "[784, 30, 10], with weights and biases drawn from N(0, 1), trained by plain SGD on only the first "
        "1,000 training images with a cross-entropy on each sigmoid output. The inputs are pixel intensities in "
        "[0, 1], as in his data. Every few steps the network is measured on its own training images and on the "
        f"{len(data.y_val):,} validation images it never trains on.")
    st.info("**Predict before you press Train:** the network will classify its 1,000 training images almost "
            "perfectly. What will it score on images it has never seen, and will its cost on them keep falling "
            "as long as training goes on?", icon=":material/psychology:")
    clicked = controls(page, len(data.y_train))
    if config is None:
        st.error(error, icon=":material/error:")
        return
    n = min(config.images, len(data.y_train))
    key = ("regularization.overfit", config, seed, page.device, data.name, data.source)
    result = train_or_last(
        page.key(SECTION), key, clicked,
        lambda live: overfit(config, data, seed, on_progress=live_history(live, ORDER, page.big, GUESS_LINE, "Cost")),
        ORDER, page.big, f"Press **Train the network** (about {fmt.seconds(estimate(config, n))} of CPU time), or "
        f"replay Nielsen's 400 epochs (about {fmt.seconds(estimate(RECIPE, 1000))}).")
    if result is None:
        return
    show(page, result)


def show(page: LessonPage, result: NetworkResult) -> None:
    order = [r for r in ORDER if r in result.runs]
    evals = result.evals
    left, right = st.columns(2)
    loss_title = LOSSES["bce_sigmoid"].label
    with left:
        show_chart(charts.history_chart(evals, "loss", order, "Cost: training (solid) and validation (dashed)",
                                        GUESS_LINE, loss_title), evals, "overfit-cost", page.big)
    with right:
        show_chart(charts.history_chart(evals, "accuracy", order, "Accuracy: training (solid) and validation (dashed)"),
                   evals, "overfit-accuracy", page.big, key="csv-overfit-accuracy")
    table = result.table.set_index("run")
    plain = table.loc[PLAIN]
    a, b, c, d = st.columns(4)
    a.metric("Training accuracy", fmt.percent(plain["train_acc"]))
    b.metric("Validation accuracy", fmt.percent(plain["val_acc"]))
    c.metric("Generalisation gap", fmt.points(plain["train_acc"], plain["val_acc"])
             if math.isfinite(plain["gap"]) else fmt.MISSING,
             help="Training accuracy − validation accuracy, at the end of training.")
    d.metric("Lowest validation cost", f"epoch {fmt.number(plain['best_loss_epoch'])}" if math.isfinite(
        plain["best_loss_epoch"]) else fmt.MISSING,
             delta=f"+{fmt.percent(plain['rise'], 0)} since" if math.isfinite(plain["rise"]) else None,
             delta_color="inverse")
    st.caption(f"Numbers of the network without regularization (the first row below) at its last validation; "
               f"trained on {result.images:,} images.")
    run_table(summary_frame(result))
    show_outcomes(result)
    for line in story.overfit_takeaways(result):
        st.markdown(f"- {line}")
    cfg = result.config
    st.latex(r"C = C_0 + \frac{\lambda}{2n}\sum_w w^2")
    st.latex(r"C_0 = -\frac1n \sum_{x,j} \big[y_j \ln a_j + (1-y_j)\ln(1-a_j)\big]")
    st.latex(r"\frac{\partial C}{\partial w} = \frac{\partial C_0}{\partial w} + \frac{\lambda}{n}\,w")
    st.latex(r"\texttt{weight\_decay} = \frac{\lambda}{n} = "
             rf"\frac{{{latex_number(cfg.l2)}}}{{{latex_number(result.images)}}} = "
             rf"{latex_number(cfg.weight_decay(result.images))}")
    st.caption("Nielsen's L2 term adds λ/(2n)·Σw² to the cost (weights only, not biases), so each step shrinks every "
               "weight by η·λ/n: the same as PyTorch's SGD with weight_decay = λ/n on the weights. For his λ = 0.1 "
               "and n = 1,000 that is 10⁻⁴.")
    reference(result)


def summary_frame(result: NetworkResult) -> pd.DataFrame:
    t = result.table
    return pd.DataFrame({
        "network": t["run"], "training acc.": [fmt.percent(v) for v in t["train_acc"]],
        "validation acc.": [fmt.percent(v) for v in t["val_acc"]],
        "gap": [fmt.points(a, b) if math.isfinite(a - b) else fmt.MISSING
                for a, b in zip(t["train_acc"], t["val_acc"])],
        "training cost": fmt.fixed(t["train_loss"], 3), "validation cost": fmt.fixed(t["val_loss"], 3),
        "lowest val. cost at epoch": fmt.fixed(t["best_loss_epoch"], 2),
        "val. cost rise since": [fmt.percent(v, 0) for v in t["rise"]],
        "best val. acc.": [fmt.percent(v) for v in t["best_acc"]],
        "seconds": fmt.fixed([r.seconds for r in result.runs.values()], 1)})


def reference(result: NetworkResult) -> None:
    cfg, table = result.config, result.table.set_index("run")
    same = cfg == RECIPE
    with st.expander("Nielsen's numbers beside ours"):
        st.markdown(
            "- **Nielsen** (MNIST's 10,000 test images): accuracy peaks at **82.27%** without regularization and "
            "**87.1%** with L2 λ = 0.1, after 400 epochs; the test cost is lowest near epoch 15.\n"
            "- **Reference, this app's bundled data** (2,000 validation images): validation cost lowest near epoch "
            "16, then rising; validation accuracy plateaus near **85.5%**; L2 λ = 0.1 lifts it to about **89.4%**.\n"
            + (f"- **This run** (Nielsen's recipe, seed as in the sidebar): plain {fmt.percent(table.loc[PLAIN, 'val_acc'])} "
               f"(lowest validation cost at epoch {table.loc[PLAIN, 'best_loss_epoch']:.0f})"
               + (f", L2 {fmt.percent(table.loc[L2, 'val_acc'])}" if L2 in table.index else "") + "."
               if same else "- **This run** is not Nielsen's recipe: press *Replay Nielsen's recipe* to compare."))
        st.caption(
            "Nielsen's numbers are lower than the reference because his test set is another set of images. The "
            "inputs here are intensities in [0, 1] as in his data: the normalised pixels the other lessons use "
            "(mean 0, variance 1) are about three times larger, and with N(0, 1) weights they would push the "
            "sigmoids deeper into saturation than in his experiment.")
