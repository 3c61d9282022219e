"""Lesson page: batch normalization, layer by layer (/batchnorm)."""
import streamlit as st

import core.format as fmt
from core.lessons.batchnorm import charts, experiment, modes, story
from core.lessons.batchnorm.config import (ACTIVATION_CHOICES, BATCH_SIZE, EPOCHS, PRESETS, BNConfig, BNView,
                                           pick_step)
from core.lessons.batchnorm.story import tex
from ui import presets
from ui.animation import play_button
from ui.controls import training_controls
from ui.layout import data_table, show_chart, takeaways, verification
from ui.page import open_page
from ui.reproduced import reproduced
from ui.runner import derived
from ui.state import initial_config, remember, seed_widgets
from ui.training import show_comparison, train_or_last

page = open_page("batchnorm")
PAGE, settings, big, k = page.name, page.settings, page.big, page.key
device, data = page.device, page.data
FIELDS = ("activation", "depth", "width", "lr", "momentum", "epochs", "batch_size")
NAMES = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}
SCATTER = (64, 32)  # examples x units drawn in the train-vs-eval scatter
GRID = 3  # histogram panels per row (a phone stacks them)


start = initial_config(PAGE, BNView)
seed_widgets(PAGE, {f: getattr(start, f) for f in FIELDS})
presets.hold(page)

st.title("Batch normalization")
st.markdown(
    "**The question.** In a deep network every layer's input is the output of the layers below, and it "
    "changes whenever they learn. Does normalising each unit's input over the mini-batch make a network "
    "train better, and is that really why it works?")
st.markdown(
    "**Batch normalization** (Ioffe & Szegedy 2015) re-centres and re-scales each unit's input over the "
    "mini-batch, then lets the network learn the scale γ and shift β it actually wants. Its authors "
    "explained its success by a smaller *internal covariate shift*: each layer's input distribution stays "
    "put while the layers below learn. Later work doubts that this is the reason: Santurkar et al. (2018) "
    "added noise that shifted the distributions again and batch norm still helped; they point instead to a "
    "smoother loss landscape, which lets a network take larger steps. Below, two identical MLPs (same seed, "
    "same batches, same initial weights) train side by side, one with BatchNorm1d between each Linear layer "
    "and its activation; watch both the distributions and the learning rate each network copes with.")

st.markdown("**Reproduce a finding in one click**")
presets.preset_buttons(page, PRESETS, lambda p: {f: getattr(p.config, f) for f in FIELDS}, lambda p: p.finding)


def architecture() -> None:
    """The networks' shape, in the training box above the training settings."""
    a, b, c = st.columns(3)
    a.selectbox("Activation", ACTIVATION_CHOICES, key=k("activation"), format_func=NAMES.get)
    b.slider("Depth (hidden layers)", 1, 10, key=k("depth"))
    c.number_input("Width (units per hidden layer)", 2, 1024, key=k("width"))


st.info(story.predict_prompt(st.session_state[k("lr")]), icon=":material/psychology:")
clicked = training_controls(
    page, limits={"epochs": EPOCHS, "batch_size": BATCH_SIZE}, above=architecture,
    options={"lr": {"step": 0.1, "help": "At 1.0 the plain sigmoid network does not train; the BN network copes."},
             "batch_size": {"help": "Batch norm needs batches large enough for their mean and variance to mean "
                                    "something: at 2, each unit's normalised input is always −1 or +1."}})
presets.settled(page)  # the last widgets a preset sets are drawn

try:
    config = BNConfig(**{f: st.session_state[k(f)] for f in FIELDS})
except ValueError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()
# the view (snapshot, layer) rides along in the URL but is not part of the experiment's cache key
remember(PAGE, BNView.of(config, st.session_state.get(k("step"), start.step),
                                st.session_state.get(k("layer"), start.layer)), settings)

key = ("batchnorm.train", config, settings.seed, device, data.name, data.source)
result = train_or_last(
    PAGE, key, clicked, lambda live: experiment.train_pair(config, data, settings.seed, on_progress=live),
    charts.ORDER, big, "Press **Train** to train both networks (a few seconds on a CPU).", autorun=True)
if result is None:
    st.stop()
show_comparison(result, "network", big)
trained = result.config  # the settings of the run on screen (the last one, until Train is pressed)
act = NAMES[trained.activation]

# ------------------------------------------------------------------ view: snapshot and layer
steps, layers = result.snapshot_steps, sorted(result.bands["layer"].unique().tolist())
new_run = st.session_state.get(f"_steps.{PAGE}", steps) != steps  # another run: show its end
st.session_state[f"_steps.{PAGE}"] = steps
st.session_state[k("step")] = pick_step(steps, 0 if new_run else st.session_state.get(k("step"), start.step))
wanted = st.session_state.get(k("layer"), start.layer)
if wanted and wanted not in layers:
    st.caption(f"This network has no hidden layer {wanted}; showing layer {layers[-1]}.")
st.session_state[k("layer")] = wanted if wanted in layers else layers[-1]

# ------------------------------------------------------------------ distributions
st.header("What each layer's activation sees")
st.markdown(f"The inputs to every hidden layer's {act}, for both networks on the same bins; move the slider "
            "under the first chart, or press Play, to go through training (in your browser: every recorded "
            "snapshot is already here). Outliers are counted in the outer bins.")
step = st.session_state[k("step")]  # the snapshot a link opens at
play_button(charts.SCRUB, sync=True)
for row in range(0, len(layers), GRID):
    for column, l in zip(st.columns(GRID), layers[row:row + GRID]):
        with column:
            show_chart(charts.histogram_chart(result.histograms, step, l, act),
                       result.histograms[result.histograms["layer"] == l], f"activation-input-histograms-layer-{l}",
                       big)
layer = st.selectbox("Layer for the percentile bands, running statistics and worked example", layers,
                     key=k("layer"), format_func=lambda l: f"Hidden layer {l}")
remember(PAGE, BNView.of(config, step, layer), settings)
show_chart(charts.bands_chart(result.bands, layer, act), result.bands, "percentile-bands", big)
st.caption(story.bands_caption(result, layer))

# ------------------------------------------------------------------ train vs eval
st.header("Train mode and eval mode")
st.markdown(
    "In training, BN divides by the statistics of the current mini-batch. At test time there may be a "
    "single example, so `model.eval()` switches to **running** estimates, averaged during training "
    "(PyTorch: running ← 0.9·running + 0.1·batch). Below, one validation batch goes through the trained "
    "BN network in both modes.")
batch = data.x_val[: trained.batch_size]


def inspect_trained() -> dict | None:
    """The trained BN network in both modes on the batch, its worked example and its γ, β (None when its
    weights are not finite): computed once per run and layer for every session (ui.runner.derived)."""
    model = modes.trained_bn_model(result)
    if not modes.is_finite(model):
        return None
    te = modes.train_vs_eval(model, batch, layer)
    return {"te": te, "shown": modes.first(te, *SCATTER), "gap": float((te["train"] - te["eval"]).abs().mean()),
            "worked": modes.worked_example(model, batch, layer, unit=1), "params": modes.gamma_beta(model)}


inspected = derived(("batchnorm.inspect", trained, settings.seed, device, data.name, data.source, layer),
                   inspect_trained)
gap = None
if inspected is None:
    st.warning(story.modes_line(result, None, len(batch)), icon=":material/warning:")
else:
    te, shown, gap = inspected["te"], inspected["shown"], inspected["gap"]
    left, right = st.columns(2)
    with left:
        show_chart(charts.train_eval_chart(shown, layer), shown, "train-vs-eval", big)
        st.caption(f"{len(batch)} validation images × {trained.width} units of hidden layer {layer}; the chart "
                   f"draws the first {shown['example'].max()} images × first {shown['unit'].max()} units "
                   f"({len(shown):,} of {len(te):,} points).")
    with right:
        show_chart(charts.running_chart(result.running, layer, "mean"), result.running, "running-mean", big)
    left, right = st.columns(2)
    with left:
        show_chart(charts.running_chart(result.running, layer, "var"), result.running, "running-var", big,
                   key="csv-running-var")
    with right:
        st.metric("Mean |train − eval| on this batch", fmt.number(gap))
        st.caption(f"Over all {len(te):,} values: {len(batch)} validation images × {trained.width} units.")

    # -------------------------------------------------------------- worked example
    st.subheader("One neuron, worked through")
    w = inspected["worked"]
    m, mean, var, eps = w["batch"], w["mean"], w["var"], tex(w["eps"])
    st.markdown(
        f"Unit {w['unit']} of hidden layer {layer}, in train mode on the same {m} validation images: its "
        "pre-activations s (the Linear layer's output, with the layers below normalised by this batch's own "
        "statistics, exactly as in the train-mode pass above) are listed in the table.")
    left, right = st.columns([3, 2])
    with left:
        st.latex(r"\hat x_i = \frac{s_i - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \quad "
                 r"\mu_B = \frac1m\sum_{i=1}^m s_i,\ \ \sigma_B^2 = \frac1m\sum_{i=1}^m (s_i-\mu_B)^2")
        st.latex(r"y_i = \gamma\,\hat x_i + \beta")
        with st.expander("The numbers, by hand: check them against the table"):
            s_vals = w["table"]["s"].tolist()
            shown_terms = s_vals[:2] + ([None] if m > 3 else []) + s_vals[2:][-1:]
            terms = "".join(r" + \dots" if v is None else f" {'-' if v < 0 else '+'} {tex(abs(v))}"
                            for v in shown_terms)
            st.latex(rf"\mu_B = \tfrac{{1}}{{{m}}}\left({terms.strip().removeprefix('+ ')}\right) = {tex(mean)}")
            st.latex(rf"\sigma_B^2 = \tfrac{{1}}{{{m}}}\left[({tex(s_vals[0])} - ({tex(mean)}))^2 + \dots\right] "
                     rf"= {tex(var)},\quad \epsilon = {eps}")
            st.latex(rf"\hat x_1 = \frac{{{tex(w['x1'])} - ({tex(mean)})}}{{\sqrt{{{tex(var)} + {eps}}}}} "
                     rf"= {tex(w['x_hat'])}")
            st.latex(rf"y_1 = \gamma \hat x_1 + \beta = {tex(w['gamma'])} \cdot ({tex(w['x_hat'])}) + "
                     rf"({tex(w['beta'])}) = {tex(w['y'])}")
            verification(f"Check: the scatter's train-mode value for image 1, unit {w['unit']}, computed by "
                         f"PyTorch's BatchNorm1d in float32: {fmt.number(te['train'].iloc[w['unit'] - 1], digits=5)}.",
                         big)
    with right:
        data_table(w["table"], hide_index=True, height=420, width="stretch",
                     column_config={c: st.column_config.NumberColumn(c.replace("x_hat", "x̂"), format="%.4f")
                                    for c in ("s", "x_hat", "y")})
    params = inspected["params"]
    left, right = st.columns(2)
    for column, name in zip((left, right), ("gamma", "beta")):
        with column:
            show_chart(charts.gamma_beta_chart(params, name), params, f"{name}", big, key=f"csv-{name}")

# ------------------------------------------------------------------ lesson
takeaways(story.takeaways(result, layer, gap, act, len(batch)))
reproduced([story.ioffe_reproduction(result)])
