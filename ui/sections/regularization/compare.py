"""The regularization lesson, section 3: regularizers side by side, one network per regularizer with the
same seed, initial weights and batches; one-click presets for the reference network and the two traps."""
from __future__ import annotations

import math

import pandas as pd
import streamlit as st

import core.format as fmt
from core.data import Dataset
from core.lessons.regularization import charts, story
from core.lessons.regularization.config import (ACTIVITY, DEPTH, DROPOUT, EPOCHS, EVALS_PER_EPOCH, IMAGES,
                                                INPUT_NOISE, MAX_NORM, PATIENCE, PRESETS, REGULARIZERS, WEIGHT_DECAY,
                                                WIDTH, CompareConfig, RegularizationView)
from core.lessons.regularization.experiment import NetworkResult, compare
from core.losses import LOSSES
from ui.controls import training_controls
from ui.layout import run_table, show_chart
from ui.outcome import show_outcomes
from ui.page import LessonPage
from ui.sections.regularization.common import cpu_seconds, live_history, preset, start_requested
from ui.training import train_or_last

ORDER = list(REGULARIZERS.values())
SECTION = "compare"
GUESS_LINE = (math.log(10), f"guessing: ln 10 ≈ {math.log(10):.2f}")
MONITOR_NAMES = {"val_acc": "validation accuracy", "val_loss": "validation loss"}


def estimate(config: CompareConfig, n: int) -> float:
    """Rough seconds for the seven runs on one CPU thread (see common.cpu_seconds)."""
    steps = math.ceil(n / min(config.batch_size, n)) * config.epochs
    passes = config.epochs * (3 * n + config.evals * (2000 + n))
    return len(REGULARIZERS) * cpu_seconds(config.sizes, steps, passes)


def setting_of(config: CompareConfig, key: str) -> str:
    """Each regularizer's strength in words, for the table."""
    return {"none": "—", "weight_decay": f"λ = {config.weight_decay:g}", "dropout": f"p = {config.dropout:g} (drop)",
            "noise": f"σ = {config.noise:g}", "max_norm": f"c = {config.max_norm:g}",
            "activity": f"λ = {config.activity:g}",
            "early_stopping": f"patience {config.patience}, {MONITOR_NAMES[config.monitor]}"
                              + (", best restored" if config.restore else "")}[key]


def controls(page: LessonPage, n_max: int) -> bool:
    k = page.key

    def above() -> None:
        a, b, c = st.columns(3)
        a.slider("Training images", IMAGES[0], min(IMAGES[1], n_max), step=100, key=k("images"))
        b.number_input("Width (units per hidden layer)", *WIDTH, key=k("width"), step=16)
        c.slider("Hidden layers", *DEPTH, key=k("depth"))
        a, b, c = st.columns(3)
        a.number_input("Weight decay λ", *WEIGHT_DECAY, key=k("weight_decay"), step=0.001, format="%.4f",
                       help="torch.optim.SGD's weight_decay, on weights only: each step adds λ·w to the gradient.")
        b.slider("Dropout p (probability of dropping)", *DROPOUT, step=0.05, key=k("dropout"),
                 help="PyTorch's nn.Dropout(p) drops a unit with probability p. Srivastava et al. (2014) and "
                      "Hinton's course speak of the keep probability 1 − p: their 0.8 for inputs is p = 0.2 here.")
        c.slider("Input noise σ", *INPUT_NOISE, step=0.1, key=k("noise"),
                 help="Gaussian noise added to the normalised pixels in train mode (a pixel's spread is 1).")
        a, b, c = st.columns(3)
        a.number_input("Max-norm c", *MAX_NORM, key=k("max_norm"), step=0.1, format="%.2f",
                       help="After each step, every unit's incoming weight vector is scaled back to norm ≤ c.")
        b.number_input("Activity penalty λ", *ACTIVITY, key=k("activity"), step=0.0005, format="%.4f",
                       help="Adds λ · Σ_layers mean over the batch of Σ_units |h| to the loss (L1 on activations).")
        c.slider("Validations per epoch", *EVALS_PER_EPOCH, key=k("evals"))
        a, b, c = st.columns(3)
        a.number_input("Early stopping: patience (validations)", *PATIENCE, key=k("patience"))
        b.selectbox("Early stopping watches", list(MONITOR_NAMES), key=k("monitor"), format_func=MONITOR_NAMES.get)
        c.toggle("Restore the best weights", key=k("restore"))

    clicked = training_controls(page, ("lr", "momentum", "epochs", "batch_size"), limits={"epochs": EPOCHS},
                                button="Train the seven networks", above=above)
    st.markdown("Two traps this section can show, one click each (the click sets the widgets and trains): "
                "**dropout with a large step** — learning rate 0.1 with momentum 0.9, as the advice to give dropout "
                "networks 10–100 times the learning rate would have it; and **early stopping on the validation "
                "loss** while the page reports accuracy: the loss turns up epochs before the accuracy stops "
                "improving.")
    a, b, c, d = st.columns(4)
    ref = PRESETS["reference"]
    a.button("Reference network", key=k("preset_reference"), icon=":material/science:", width="stretch",
             on_click=preset(page, "reference", SECTION),
             help=f"784-{ref['width']}-{ref['width']}-10, {ref['epochs']} epochs, the other settings at their "
                  "defaults: the network of the reference numbers, about "
                  f"{fmt.seconds(estimate(RegularizationView().replace(**ref).compare, 1000))} of CPU time.")
    b.button("Trap: dropout, fast", key=k("preset_trap_dropout"), icon=":material/warning:", width="stretch",
             on_click=preset(page, "trap_dropout", SECTION),
             help="Learning rate 0.1 with momentum 0.9, as the advice to give dropout networks a 10–100 times larger "
                  "learning rate and high momentum would have it.")
    c.button("Trap: stop on the loss", key=k("preset_trap_loss"), icon=":material/warning:", width="stretch",
             on_click=preset(page, "trap_val_loss", SECTION),
             help="Early stopping watches the validation loss (patience 2) while the page reports accuracy.")
    d.button("Back to the defaults", key=k("preset_defaults"), icon=":material/restart_alt:", width="stretch",
             on_click=preset(page, "compare_defaults", SECTION))
    return clicked or start_requested(page, SECTION)


def render(page: LessonPage, config: CompareConfig | None, error: str | None, data: Dataset,
           seed: int) -> NetworkResult | None:
    st.header("3. Regularizers side by side")
    st.markdown(
        "The same ReLU network trained seven times on the same 1,000 images, with the same seed, initial "
        "weights and batches; each run adds one regularizer. **Weight decay** pulls every weight towards 0; "
        "**dropout** zeroes a random share p of the hidden units at every step (PyTorch's p is the *drop* "
        "probability: the seed material, like Srivastava et al., speaks of the *keep* probability 1 − p); **input "
        "noise** adds Gaussian noise to every pixel; **max-norm** caps each unit's incoming weights at norm c; the "
        "**activity penalty** adds the hidden activations' size to the loss; **early stopping** watches the "
        "validation set and stops when it no longer improves.")
    st.info("**Predict before you press Train:** which regularizers will beat the plain network on the validation "
            "images, and which will change almost nothing?", icon=":material/psychology:")
    clicked = controls(page, len(data.y_train))
    if config is None:
        st.error(error, icon=":material/error:")
        return None
    n = min(config.images, len(data.y_train))
    sizes = "-".join(map(str, config.sizes))
    st.caption(f"The default network is {sizes} so that the seven runs take seconds; the reference network, "
               "784-512-512-10, is one click away (*Reference network*: about four times the time).")
    key = ("regularization.compare", config, seed, page.device, data.name, data.source)
    result = train_or_last(
        page.key(SECTION), key, clicked,
        lambda live: compare(config, data, seed, on_progress=live_history(
            live, ORDER, page.big, GUESS_LINE, LOSSES["cross_entropy"].label)),
        ORDER, page.big, f"Press **Train the seven networks** ({sizes}, {config.epochs} epochs: about "
        f"{fmt.seconds(estimate(config, n))} of CPU time).")
    if result is not None:
        show(page, result)
    return result


def show(page: LessonPage, result: NetworkResult) -> None:
    cfg: CompareConfig = result.config
    evals, table = result.evals, result.table
    diff = charts.difference_frame(evals, ORDER[0])
    left, right = st.columns(2)
    with left:
        show_chart(charts.validation_chart(evals, ORDER, "Validation accuracy"), evals, "regularizers-validation",
                   page.big)
    with right:
        show_chart(charts.difference_chart(diff, ORDER, ORDER[0], "Gain over no regularization"), diff,
                   "regularizers-gain", page.big)
    show_chart(charts.gap_chart(table, ORDER, "Training against validation accuracy"), table, "regularizers-gap",
               page.big)
    run_table(summary_frame(result))
    st.caption(f"{'-'.join(map(str, cfg.sizes))} ReLU network, {result.images:,} training images, SGD lr "
               f"{fmt.number(cfg.lr)}, momentum {cfg.momentum:g}, batch {cfg.batch_size}, {cfg.epochs} epochs, cross-entropy. "
               "Accuracies of the final weights (for early stopping with restore: the best validation's weights — "
               "chosen on the same validation images, so an optimistic number). ‖W‖: the norm of all weights; "
               f"active: the share of hidden ReLU outputs above 0 on {500:,} validation images.")
    show_outcomes(result)
    for line in story.compare_takeaways(result):
        st.markdown(f"- {line}")


def summary_frame(result: NetworkResult) -> pd.DataFrame:
    cfg: CompareConfig = result.config
    t = result.table.merge(result.stats, on="run", how="left") if len(result.stats) else result.table
    summary = result.summary("run").set_index("run")
    return pd.DataFrame({
        "regularizer": t["run"], "setting": [setting_of(cfg, k) for k in REGULARIZERS],
        "validation acc.": [fmt.percent(v) for v in t["val_acc"]],
        "training acc.": [fmt.percent(v) for v in t["train_acc"]],
        "gap": [fmt.points(a, b) if math.isfinite(a - b) else fmt.MISSING
                for a, b in zip(t["train_acc"], t["val_acc"])],
        "best val. acc. (epoch)": [f"{fmt.percent(a)} ({e:.1f})" if math.isfinite(a) else fmt.MISSING
                                   for a, e in zip(t["best_acc"], t["best_acc_epoch"])],
        "‖W‖": fmt.fixed(t.get("weight_norm", pd.Series([math.nan] * len(t))), 2),
        "active": [fmt.percent(v, 0) for v in t.get("active", pd.Series([math.nan] * len(t)))],
        "status": [summary.loc[r, "status"] for r in t["run"]],
        "seconds": fmt.fixed([r.seconds for r in result.runs.values()], 1)})
