"""Section 4 of the cost-function page: the same MNIST network trained with each cost, live, with the
gradient that reaches its output layer; presets for the issue's reference run and a saturated start."""
from __future__ import annotations

import pandas as pd
import streamlit as st

import core.format as fmt
from core.charts import presenter
from core.compare import CompareResult
from core.lessons.losses import charts, experiment, story
from core.lessons.losses.config import (BUG_LOSSES, INPUTS, LIMITS, LOSS_CHOICES, REFERENCE, SATURATED, SCALE,
                                        CompareConfig)
from core.losses import LOSSES
from ui.controls import training_controls
from ui.layout import run_table, show_chart
from ui.outcome import show_outcomes
from ui.page import LessonPage
from ui.training import train_or_last

FIELDS = ("losses", "inputs", "output_scale", "lr", "epochs", "batch_size")
TRAIN_NOW = "_train_now"  # a preset was chosen: train it without a second click


def use(page: LessonPage, preset: CompareConfig) -> None:
    """A preset's settings into the widgets (a button callback, before the widgets are drawn)."""
    for name in FIELDS:
        value = getattr(preset, name)
        st.session_state[page.key(name)] = list(value) if name == "losses" else value
    st.session_state[page.key(TRAIN_NOW)] = True


def main_runs(result: experiment.LossesResult) -> CompareResult:
    """The runs of the comparison proper (the two bugs have a section of their own)."""
    return CompareResult({lab: run for lab, run in result.runs.items() if result.names[lab] not in BUG_LOSSES})


def live_gradients(big: bool):
    """The lesson's own live view: the output-layer gradient of every run so far, under the live charts."""
    def draw(latest, slot) -> None:
        frames = []
        for lab, p in latest.items():
            probe = p.probe_frame("GradNormProbe")
            if probe is not None and len(probe):
                last = probe["layer"].max()
                g = probe[(probe["kind"] == "backprop") & (probe["layer"] == last)].dropna(subset=["grad_norm"])
                frames.append(g.assign(run=lab, epoch=0.0))
        if frames:
            gradients = pd.concat(frames, ignore_index=True)
            slot.altair_chart(presenter(charts.gradient_chart(gradients, list(latest)), big), width="stretch")
    return draw


def summary_table(result: experiment.LossesResult, runs: CompareResult) -> pd.DataFrame:
    """One row per cost: its reduction in words, accuracy, loss, output-layer gradient, status."""
    table = runs.summary("cost")
    grads = story.first_epoch_gradient(result)
    return pd.DataFrame({
        "cost": table["cost"],
        "val. accuracy": [fmt.percent(v) for v in table["val. accuracy"]],
        "‖∂C/∂z‖ at the output, 1st epoch": [fmt.number(grads.get(c)) for c in table["cost"]],
        "val. loss (its own cost)": fmt.fixed(table["val. loss"], 4),
        "status": table["status"],
        "reduction": [LOSSES[result.names[c]].reduction for c in table["cost"]]})


def render(page: LessonPage) -> tuple[CompareConfig | None, experiment.LossesResult | None]:
    k, big, data, seed = page.key, page.big, page.data, page.settings.seed
    st.header("4. On MNIST: one network, one cost at a time")
    st.markdown(
        f"The network 784 → 100 (sigmoid) → 10 trains on {len(data.y_train):,} images with plain SGD, once per "
        "cost: same seed, same initial weights, same batches, same learning rate. Only the cost differs. "
        "The quadratic costs apply a softmax or a sigmoid to the ten outputs first; cross-entropy takes the "
        "logits. Beside accuracy, the probe measures the gradient that reaches the output layer, "
        "‖∂C/∂z‖: the signal every other weight learns from.")
    st.info("**Predict before you press Train:** which cost will be ahead after two epochs? What will "
            "`nn.MSELoss()` (the same squared error, averaged over the ten outputs instead of summed) do?",
            icon=":material/psychology:")
    a, b = st.columns(2)
    # (no "Train" in these labels: they train at once, but the Train button is the one that says so)
    a.button("Reproduce the reference (5 epochs)", on_click=use, args=(page, REFERENCE), icon=":material/replay:",
             help="Sets and trains 784-100 sigmoid-10, SGD lr 0.1, batch 64, 5 epochs, all seven costs, "
                  "pixels in [0, 1]: the issue's reference run.")
    b.button("Saturate the output layer (×30)", on_click=use, args=(page, SATURATED), icon=":material/device_thermostat:",
             help="Sets and trains 5 epochs with the output layer's initial weights ×30: many output sigmoids "
                  "start in their flat tails.")

    def above() -> None:
        st.multiselect("Costs to train (cross-entropy is the reference)", LOSS_CHOICES, key=k("losses"),
                       format_func=lambda n: LOSSES[n].label)
        c, d = st.columns(2)
        c.selectbox("Inputs", list(INPUTS), key=k("inputs"), format_func=INPUTS.get,
                    help="Nielsen's network sees pixels in [0, 1]; the app's other lessons standardise them.")
        d.number_input("Output-layer initial weights ×", *SCALE, step=1.0, format="%.1f", key=k("output_scale"),
                       help="1: PyTorch's default initialisation. 30: the output sigmoids start saturated.")

    clicked = training_controls(page, ("lr", "epochs", "batch_size"), limits=LIMITS, above=above,
                                options={"lr": {"step": 0.05}})
    clicked = st.session_state.pop(k(TRAIN_NOW), False) or clicked
    try:
        config = CompareConfig(**{name: (tuple(st.session_state[k(name)]) if name == "losses"
                                         else st.session_state[k(name)]) for name in FIELDS})
    except ValueError as exc:
        st.error(str(exc), icon=":material/error:")
        return None, None
    key = ("losses.compare", config, seed, page.device, data.name, data.source)
    result = train_or_last(
        page.name, key, clicked, lambda live: experiment.compare(config, data, seed, on_progress=live),
        config.labels, big, "Press **Train** to train one network per cost (a few seconds on a CPU).",
        extra=live_gradients(big), autorun=True,
        live_options={"loss_title": "Training loss (each run's own cost)", "classes": None})
    if result is None:
        return config, None
    runs = main_runs(result)
    order = list(runs.runs)
    # full width, one above the other: the costs' names are long, and a half-width legend cuts them off
    show_chart(charts.accuracy(runs.epochs, order), runs.epochs, "validation-accuracy", big)
    shown = result.gradients[result.gradients["run"].isin(order)]
    show_chart(charts.gradient_chart(shown, order), shown, "output-layer-gradient", big)
    overlap = story.gradient_overlap(shown)
    if overlap:
        st.caption(overlap)
    run_table(summary_table(result, runs))
    show_outcomes(runs)
    st.markdown("\n".join(f"- {line}" for line in story.compare_lines(result)))
    if result.config.output_scale != 1:
        left, right = st.columns([3, 2])
        with left:
            show_chart(charts.start_chart(result.start), result.start, "starting-outputs", big)
        with right:
            st.markdown("\n".join(f"- {line}" for line in story.saturation_lines(result)))
    with st.expander("The gradient each cost sends back into the output layer"):
        st.markdown("For one example with one-hot target y, outputs z, p = softmax(z) and a = σ(z):")
        st.latex(r"\text{cross-entropy: } \frac{\partial C}{\partial z} = p - y")
        st.latex(r"\text{quadratic on softmax: } \frac{\partial C}{\partial z_j} = 2\,p_j\Big((p_j - y_j) - "
                 r"\sum_k p_k (p_k - y_k)\Big)")
        st.latex(r"\text{quadratic on sigmoid: } \frac{\partial C}{\partial z_j} = 2\,(a_j - y_j)\,\sigma'(z_j)")
        st.latex(r"\text{per-output cross-entropy: } \frac{\partial C}{\partial z_j} = a_j - y_j")
        st.markdown("The quadratic costs multiply the error by the slope of the softmax or sigmoid: small "
                    "when an output is confidently wrong. `nn.MSELoss()` divides everything by the 10 outputs "
                    "as well. Each cost is averaged over the batch, so ‖∂C/∂z‖ over a batch of m examples "
                    "carries a factor 1/m for every cost alike.")
        for name in config.ordered:
            st.markdown(f"**{LOSSES[name].label}** — {LOSSES[name].reduction}")
            st.latex(LOSSES[name].formula)
    return config, result
