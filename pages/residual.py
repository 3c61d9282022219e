"""Lesson page: vanishing gradients and residual connections (/residual)."""
import pandas as pd
import streamlit as st

from core.charts import accuracy_chart, loss_chart
from core.lessons.residual import charts, experiment, paths, story
from core.lessons.residual.config import (ACTIVATION_CHOICES, ACTIVATION_NAMES, BATCH_SIZE, DEPTH, EPOCHS,
                                          OPTIMIZER_NAMES, PRESETS, SCALE_NAMES, SCALES, SEEDS, WIDTH,
                                          ResidualConfig)
from core.training import OPTIMIZERS
from ui import presets
from ui.controls import training_controls
from ui.layout import data_table, run_table, show_chart, takeaways
from ui.outcome import show_outcomes
from ui.page import open_page
from ui.reproduced import reproduced
from ui.runner import cached_result
from ui.state import initial_config, remember, seed_widgets
from ui.training import summary_table, train_or_last

page = open_page("residual")
PAGE, settings, big, k = page.name, page.settings, page.big, page.key
device, data = page.device, page.data
FIELDS = ("activation", "depth", "width", "scale", "batch_norm", "optimizer", "lr", "momentum", "epochs",
          "batch_size", "seeds")
ORDER = experiment.ORDER


def train_key(config: ResidualConfig) -> tuple:
    return ("residual.train", config, settings.seed, device, data.name, data.source)


def train_now() -> None:
    """A preset trains on the rerun its click starts: one click."""
    st.session_state[f"_train.{PAGE}"] = True


start = initial_config(PAGE, ResidualConfig)
seed_widgets(PAGE, {f: getattr(start, f) for f in FIELDS})
presets.hold(page)

st.title("Vanishing gradients and residual connections")
st.markdown(
    "**The question.** If more layers can represent more, why does a deeper plain network often train "
    "worse, and how does adding each layer's input to its output fix it?")
st.markdown(
    "Stack more layers and a plain network can get *worse*. Back-propagation multiplies the gradient by "
    "one Jacobian per layer on its way to the input, so in a deep network the gradient reaching the early "
    "layers can become vanishingly small: they stop learning. You see it as **a loss that falls very "
    "slowly** and **early-layer gradients that are tiny**. A residual connection adds each layer's output "
    "to its input, h ← h + α·f(W h + b): the sum's derivative is I + α·∂f/∂h, so the gradient also "
    "arrives on a path where nothing multiplies it down. Below, a plain MLP and the same MLP with skips "
    "— same seed, same initial weights, same batches — train side by side.")

st.markdown("**Reproduce a reference in one click** (measured on the bundled 8,000 / 2,000 images, 5 epochs)")
presets.preset_buttons(page, PRESETS, lambda p: {f: getattr(p.config, f) for f in FIELDS}, lambda p: p.reference,
                       then=train_now)


def architecture() -> None:
    """The networks' shape and the optimizer, in the training box above the training settings."""
    a, b, c = st.columns(3)
    a.selectbox("Activation", ACTIVATION_CHOICES, key=k("activation"), format_func=ACTIVATION_NAMES.get)
    b.slider("Depth (hidden layers)", *DEPTH, key=k("depth"))
    c.number_input("Width (units per hidden layer)", *WIDTH, key=k("width"))
    a, b, c, d = st.columns(4)
    a.selectbox("Residual branch scale α", SCALES, key=k("scale"), format_func=SCALE_NAMES.get,
                help="h ← h + α·f(W h + b). With α = 1/√depth the sum of the branches keeps a bounded variance.")
    b.selectbox("Optimizer", OPTIMIZERS, key=k("optimizer"), format_func=OPTIMIZER_NAMES.get)
    c.number_input("Seeds", *SEEDS, key=k("seeds"),
                   help="Train each network with seeds s, s + 1, … (s: the sidebar's seed) and show the spread.")
    d.toggle("Batch norm", key=k("batch_norm"), help="BatchNorm1d between each Linear layer and its activation.")
    st.caption("Depth counts hidden layers: 784 → width (hidden layer 1, no skip: its input and output sizes "
               "differ) → width → … → width (hidden layers 2 to depth, each with a skip in the residual "
               "network) → 10. That is depth + 1 Linear layers.")


clicked = training_controls(
    page, limits={"epochs": EPOCHS, "batch_size": BATCH_SIZE}, above=architecture,
    options={"momentum": {"help": "SGD only: Adam keeps its own running averages (β₁ = 0.9, β₂ = 0.999)."}})
clicked = st.session_state.pop(f"_train.{PAGE}", False) or clicked
presets.settled(page)  # the last widgets a preset sets are drawn

try:
    config = ResidualConfig(**{f: st.session_state[k(f)] for f in FIELDS})
except ValueError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()
remember(PAGE, config, settings)

st.info("**Predict before you press Train:** which network learns? How large is the plain network's "
        "first-layer gradient next to its output layer's — a tenth, a thousandth, a billionth?",
        icon=":material/psychology:")


def live_gradients(latest, slot) -> None:
    """While training: the first and the output layer's gradient of the runs so far."""
    frames = [f.assign(network=label) for label, p in latest.items()
              if (f := p.probe_frame("GradNormProbe")) is not None and len(f)]
    if frames:
        slot.altair_chart(charts.over_training_chart(pd.concat(frames, ignore_index=True)), width="stretch")


def compute(live):
    def progress(p):
        if config.seeds > 1:
            live.what = f"Seed {settings.seed + p.run_index // 2} ({p.run_index // 2 + 1} of {config.seeds}): training"
        live(p)
    return experiment.train_pair(config, data, settings.seed, on_progress=progress)


n_runs = 2 * config.seeds
result = train_or_last(PAGE, train_key(config), clicked, compute, ORDER, big,
                       f"Press **Train** to train both networks ({n_runs} runs).", extra=live_gradients,
                       autorun=config.light(len(data.y_train)))
if result is None:
    st.stop()
trained = result.config

# ------------------------------------------------------------------ the run and its diagnosis
st.header("The run: loss, accuracy and the gradient per layer")
st.caption(f"{trained.describe()}; seed {result.seed}"
           + (f" (charts and table; the spread over {trained.seeds} seeds is below)." if trained.seeds > 1 else "."))
steps, epochs = result.steps, result.epochs
left, right = st.columns(2)
with left:
    if len(steps):
        show_chart(loss_chart(steps, order=ORDER), steps, "training-loss", big)
    else:
        st.info("No training loss to draw: both losses were NaN or infinite from the first step.",
                icon=":material/show_chart:")
with right:
    if len(charts.positive(charts.first_and_last(result.grads))):
        show_chart(charts.over_training_chart(result.grads), result.grads, "gradient-norms", big)
    else:
        st.info("No gradient norm to draw: none was finite and above 0.", icon=":material/show_chart:")
left, right = st.columns(2)
with left:
    if len(epochs):
        show_chart(accuracy_chart(epochs, order=ORDER), epochs, "validation-accuracy", big)
    else:
        st.info("No validation accuracy to draw: no run finished an epoch (see below).", icon=":material/show_chart:")
with right:
    st.markdown("**The signs, on this run**")
    st.markdown("\n".join(f"- {line}" for line in story.diagnosis(result)))
run_table(summary_table(result, "network"))
show_outcomes(result)

if trained.seeds > 1:
    st.subheader(f"Spread over {trained.seeds} seeds")
    left, right = st.columns([3, 2])
    with left:
        show_chart(charts.spread_chart(result.seeds), result.seeds, "spread-over-seeds", big)
    with right:
        st.markdown(story.spread_sentence(result))
        data_table(story.seed_table(result.seeds), hide_index=True, width="stretch")

st.subheader("Every layer, at initialization and at the end")
left, right = st.columns(2)
with left:
    show_chart(charts.profile_chart(result.grads, "backprop", trained.depth), result.grads,
               "backprop-per-layer", big, key="csv-backprop-per-layer")
with right:
    show_chart(charts.profile_chart(result.grads, "weight", trained.depth), result.grads,
               "weight-gradient-per-layer", big, key="csv-weight-per-layer")
st.caption(r"$s_l = W_l h_{l-1} + b_l$ is layer l's pre-activation. The weight gradient "
           r"$\partial L/\partial W_l = (\partial L/\partial s_l)\, h_{l-1}^\top$ also depends on the layer's "
           "input, so layer 1 (whose input is the 784 pixels) and the output layer stand out even when the gradient "
           "flows well. Norms over one training batch, recorded by hooks during training (float64); a norm of "
           "exactly 0 cannot be drawn on a log axis.")
domain = charts.heat_domain(result.grads)
for column, network in zip(st.columns(2), ORDER):
    with column:
        show_chart(charts.heat_chart(result.grads, network, domain), result.grads, f"gradient-heatmap-{network}", big)

# ------------------------------------------------------------------ why it works
st.header("Why the skip keeps the gradient")
left, right = st.columns([2, 3])
with left:
    st.markdown("A residual layer adds its branch to its input (with batch norm, BN sits just before f):")
    st.latex(r"h_{l+1} = h_l + \alpha\, f\!\left(W_{l+1} h_l + b_{l+1}\right)")
    st.markdown(r"so, by the chain rule, with $g = \partial L/\partial h$ and $J_{l+1} = \partial f/\partial h_l$ the "
                "branch's Jacobian:")
    st.latex(r"\frac{\partial h_{l+1}}{\partial h_l} = I + \alpha\,\frac{\partial f}{\partial h_l}")
    st.latex(r"g_l = \underbrace{g_{l+1}}_{\text{skip}} + \underbrace{\alpha\, J_{l+1}^{\top} g_{l+1}}_{\text{branch}}")
    st.markdown("A plain layer has only the branch term, so the gradient reaching layer 1 is a product of "
                "Jacobians — it shrinks (or grows) geometrically with depth:")
    st.latex(r"g_1^{\text{plain}} = J_2^{\top} J_3^{\top} \cdots J_L^{\top}\, g_L")
    st.caption(r"Measured on the chart with autograd (float64, on the first 256 training images): the solid "
               r"line is $\lVert g_l\rVert$, the dashed its skip part $\lVert g_{l+1}\rVert$, the dotted its branch "
               r"part $\lVert\alpha J_{l+1}^\top g_{l+1}\rVert$.")
with right:
    shown = paths.long(result.paths)
    show_chart(charts.paths_chart(shown, "at initialization", trained.depth), shown, "gradient-paths", big)
st.markdown(story.paths_sentence(result, "at initialization"))
if (shown["when"] == "after training").any():
    left, right = st.columns([3, 2])
    with left:
        show_chart(charts.paths_chart(shown, "after training", trained.depth), shown, "gradient-paths-trained", big,
                   key="csv-paths-trained")
    with right:
        st.markdown(story.paths_sentence(result, "after training"))
with st.expander("Verification: the skip part and the branch part add up to autograd's whole gradient"):
    st.markdown(r"For each hidden layer, the vectors $g_{l+1}$ (skip) and $\alpha J_{l+1}^\top g_{l+1}$ (branch, a "
                r"vector–Jacobian product through the branch alone) are added and compared with autograd's "
                r"$\partial L/\partial h_l$ through the whole network. Relative mismatch "
                r"$\lVert \text{skip} + \text{branch} - \text{total}\rVert / \lVert\text{total}\rVert$:")
    data_table(story.paths_table(result.paths), hide_index=True, width="stretch")

reproduced([story.he_reproduction(cached_result(train_key(PRESETS["relu8"].config)),
                                  cached_result(train_key(PRESETS["relu32_scaled"].config)))])

# ------------------------------------------------------------------ loss landscape
st.header("The loss around the trained weights")
left, right = st.columns([3, 2])
with left:
    if len(result.slice):
        show_chart(charts.slice_chart(result.slice), result.slice, "loss-slice", big)
with right:
    st.latex(r"L(\theta + t\,d),\quad d_i \leftarrow \frac{d_i}{\lVert d_i\rVert}\,\lVert\theta_i\rVert")
    st.markdown("Li et al. (2018) slice the loss along a random direction d whose every filter (here: each "
                "unit's incoming weights) has the norm of the same filter of the trained weights θ, so that two "
                "networks compare fairly whatever the scale of their weights. Biases and batch norm's γ, β stay "
                f"put. Measured on {experiment.SLICE_IMAGES:,} training images in eval mode.")
    st.markdown(story.slice_sentence(result))

takeaways(story.takeaways(result))
