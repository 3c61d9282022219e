"""The transfer lesson, section 4: how many labelled images transfer saves. The controls, the sweep of
K (trained on Train, shared by every session), the chart of test accuracy against K, the detail at the
slider's K, and a callout for every method with runs that failed."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import core.format as fmt
from core.charts import loss_chart, presenter
from core.lessons.transfer import charts, experiment
from core.lessons.transfer.config import (FEATURE_LR, K_CHOICES, K_LIMITS, LIMITS, METHODS, PRESETS, SEEDS,
                                          TransferConfig, preset_label)
from core.lessons.transfer.digits import Digits
from core.lessons.transfer.experiment import SweepResult
from core.lessons.transfer.pretrain import Pretrained
from core.outcome import DID_NOT_TRAIN, DIVERGED
from ui.controls import training_controls
from ui.layout import run_table, show_chart
from ui.outcome import RunOutcome, show_outcome
from ui.page import LessonPage
from ui.training import train_or_last

WIDGETS = ("k", "ks", "seeds", "epochs", "batch_size", "lr", "momentum", "feature_lr")


def widget_values(config: TransferConfig) -> dict:
    return {f: list(getattr(config, f)) if f == "ks" else getattr(config, f) for f in WIDGETS}


def config_from_widgets(page: LessonPage) -> TransferConfig:
    """The config the widgets hold (raises ValueError for a combination the config rejects)."""
    values = {f: st.session_state[page.key(f)] for f in WIDGETS}
    return TransferConfig(**{**values, "ks": tuple(sorted(values["ks"]))})


def apply_preset(page: LessonPage, name: str) -> None:
    """A preset's settings into the widgets, and a Train press (on_click: before the widgets are drawn)."""
    for key, value in widget_values(TransferConfig(**PRESETS[name])).items():
        st.session_state[page.key(key)] = value
    st.session_state[page.key("_train")] = True


def controls(page: LessonPage) -> bool:
    """The sweep's controls in the training box; True when Train (or a preset) was pressed."""
    k = page.key

    def above() -> None:
        st.slider("Labelled images per class, K", *K_LIMITS, key=k("k"),
                  help="The detailed comparison below; this K is always part of the sweep.")
        a, b, c = st.columns([3, 1, 1])
        a.multiselect("Also sweep K =", K_CHOICES, key=k("ks"), help="The chart's other values of K.")
        b.slider("Seeds", *SEEDS, key=k("seeds"), help="Runs per K and method: each seed draws its own K "
                                                      "images per class, its own new layer and its own batches.")
        c.number_input("Feature lr (× lr)", *FEATURE_LR, key=k("feature_lr"), step=0.05, format="%.3f",
                       help="In 'Fine-tune, smaller feature lr' the pretrained layers learn at this share of "
                            "the learning rate; the new last layer at the full rate.")

    clicked = training_controls(page, ("epochs", "lr", "momentum", "batch_size"), limits=LIMITS,
                                labels={"epochs": "Epochs (passes over the 10·K images)"}, above=above)
    preset = st.session_state.pop(k("_train"), False)
    left, right = st.columns(2)
    left.button(f"Default view: {preset_label('default')}", on_click=apply_preset, args=(page, "default"),
                icon=":material/restart_alt:", width="stretch")
    right.button(f"Reference: {preset_label('reference')}", on_click=apply_preset, args=(page, "reference"),
                 icon=":material/science:", width="stretch")
    return clicked or preset


def failures(result: SweepResult) -> None:
    """One callout per method with runs that diverged or did not train: the first such run, and how many."""
    runs = result.runs
    for method, label in METHODS.items():
        bad = runs[(runs["method"] == method) & runs["outcome"].isin([DIVERGED, DID_NOT_TRAIN])]
        if bad.empty:
            continue
        first = bad.iloc[0]
        more = f", and {len(bad) - 1} more of its {int((runs['method'] == method).sum())} runs" if len(bad) > 1 else ""
        step = int(first["headline"].rsplit(" ", 1)[-1]) if first["outcome"] == DIVERGED else None
        show_outcome(RunOutcome(f"{label} (K = {first['k']}, seed {first['seed']}{more})", first["outcome"], step,
                                first["explanation"]))


def summary_table(result: SweepResult) -> pd.DataFrame:
    """Per K and method: mean, spread and seeds, through core.format ('—' for a K where no run finished)."""
    s = result.summary()
    return pd.DataFrame({
        "K": s["k"], "training": s["label"], "mean test accuracy": [fmt.percent(v) for v in s["mean"]],
        "lowest seed": [fmt.percent(v) for v in s["min"]], "highest seed": [fmt.percent(v) for v in s["max"]],
        "std (points)": fmt.fixed(s["std"] * 100, 1), "seeds": [f"{n} of {r}" for n, r in zip(s["n"], s["runs"])]})


def render(page: LessonPage, config: TransferConfig, digits: Digits, pre: Pretrained, data_key: tuple,
           zero_shot: float) -> SweepResult | None:
    """Section 4; returns the sweep on screen (None until one is trained)."""
    big = page.big
    st.header("4. How many labelled images does the pretrained network save?")
    st.markdown(
        "Four ways to learn the digits from **K labelled images per class**, each trained with the same SGD "
        "settings on the same K images for a given seed and tested on the same held-out digits:\n"
        "- **From scratch**: a new lesson CNN, random weights;\n"
        "- **Frozen + new head**: the pretrained network frozen, only the new last layer trained;\n"
        "- **Fine-tune all**: the pretrained network with a new last layer, every parameter trained;\n"
        "- **Fine-tune, smaller feature lr**: the same, the pretrained layers at a fraction of the learning rate.")
    st.info("**Predict before you press Train:** with 5 images per class, which of the four comes out on "
            "top, and by how much? And with 100 per class?", icon=":material/psychology:")
    clicked = controls(page)
    images, steps = experiment.total_work(config)
    n_runs = len(config.sweep) * config.seeds * len(METHODS)
    st.caption(f"This sweep: K = {', '.join(map(str, config.sweep))} × {config.seeds} seeds × {len(METHODS)} methods "
               f"= {n_runs} networks trained, {images:,} training images and {steps:,} steps in all. Each run "
               f"passes {config.epochs} times over its 10·K images (the engine sees them as one long shuffled epoch "
               f"and tests once, at the end).")
    done: list[dict] = []

    def live_sweep(_latest, slot) -> None:
        if done:
            runs = pd.DataFrame(done)
            partial = SweepResult(runs, config=config)
            slot.altair_chart(presenter(charts.sweep_chart(partial.summary(), runs, zero_shot, config.k), big),
                              width="stretch")

    key = ("transfer.sweep", config, page.settings.seed, *data_key)
    result = train_or_last(
        page.name, key, clicked,
        lambda live: experiment.sweep(config, digits, pre, page.settings.seed, on_progress=live, on_run=done.append),
        charts.ORDER, big, "Press **Train** to train the sweep with these settings." if experiment.light(config) else
        "Press **Train** to train this sweep: it is larger than the presets, so it waits for a click.",
        extra=live_sweep, autorun=experiment.light(config))
    if result is None:
        return None
    shown = result.config
    show_chart(charts.sweep_chart(result.summary(), result.runs, zero_shot, shown.k), result.runs, "k-sweep", big)
    failures(result)
    st.subheader(f"At K = {shown.k}: every seed")
    # side by side on a screen; one under the other on a projector, where four long labels need the width
    left, right = (st.container(), st.container()) if big else st.columns(2)
    with left:
        show_chart(charts.detail_chart(result.runs, shown.k, zero_shot), result.runs[result.runs["k"] == shown.k],
                   "k-detail", big)
    with right:
        if len(result.curves):
            show_chart(loss_chart(result.curves, title=f"Training loss at K = {shown.k}, seed {result.seed}",
                                  order=charts.ORDER), result.curves, "k-training-loss", big)
    with st.expander("Every K and method: mean and spread"):
        run_table(summary_table(result))
    return result
