"""Lesson page: weight initialization and gradient magnitudes per layer (/initialization)."""
import pandas as pd
import streamlit as st

import core.format as fmt
from core.initializers import INIT_SCHEMES
from core.lessons.initialization import charts, experiment, health, story, symmetry
from core.lessons.initialization.config import ACTIVATION_CHOICES, EPOCHS, PRESETS, InitConfig
from core.palette import color_of
from ui import presets
from ui.controls import training_controls
from ui.layout import data_table, draw_chart, show_chart, takeaways
from ui.page import open_page
from ui.reproduced import reproduced
from ui.runner import cached_result, shared
from ui.state import initial_config, remember, seed_widgets
from ui.training import show_comparison, train_or_last

page = open_page("initialization")
PAGE, settings, big, k = page.name, page.settings, page.big, page.key
device, data = page.device, page.data
FIELDS = ("activation", "depth", "width", "lr", "momentum", "epochs", "batch_size")
GRID = 3  # panels per row of the box plots (a phone stacks them)


def widget_values(config: InitConfig) -> dict:
    return {"schemes": list(config.schemes), **{f: getattr(config, f) for f in FIELDS}}


start = initial_config(PAGE, InitConfig)
seed_widgets(PAGE, widget_values(start))
presets.hold(page)

st.title("Weight initialization")
st.markdown(
    "**The question.** Can a deep network be doomed before it has seen a single example? How large "
    "should its initial weights be, and why does the answer depend on the activation?")
st.markdown(
    "Before a network has seen a single example, its initial weights already decide how strongly "
    "signals travel forward and how much gradient travels back. Too small and both fade layer by "
    "layer; too large and the activations saturate or blow up; all equal and every neuron of a layer "
    "stays a copy of the others. Below, one deep MLP (784 → width × depth → 10) is initialised with "
    "each scheme and measured on the same batch of MNIST digits, then trained.")

st.markdown("**Reproduce a classic finding in one click**")
presets.preset_buttons(page, PRESETS, lambda p: widget_values(p.config), lambda p: p.finding)

with st.container(border=True):
    st.multiselect("Initialization schemes to compare", list(INIT_SCHEMES), key=k("schemes"),
                   format_func=lambda s: INIT_SCHEMES[s].label)
    a, b, c = st.columns(3)
    a.selectbox("Activation", ACTIVATION_CHOICES, key=k("activation"),
                format_func=lambda n: {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}[n])
    b.slider("Depth (hidden layers)", 2, 30, key=k("depth"))
    c.number_input("Width (units per hidden layer)", 2, 1024, key=k("width"))

try:
    config = InitConfig(schemes=tuple(st.session_state[k("schemes")]),
                               **{f: st.session_state[k(f)] for f in FIELDS})
except ValueError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()
remember(PAGE, config, settings)
order = config.labels

# ------------------------------------------------------------------ at initialization
st.header("At initialization: how much gradient reaches each layer")
snap = shared(("initialization.at_init", config.schemes, config.activation, config.depth, config.width,
               settings.seed, device, data.name, data.source),
              lambda: experiment.at_init(config, data, settings.seed))
verdicts = health.diagnose(snap.gradients, snap.activations, config.activation, config.depth, order)
left, right = st.columns(2)
with left:
    show_chart(charts.gradient_chart(snap.gradients, "backprop", config.depth, order), snap.gradients,
               "init-gradients", big)
with right:
    show_chart(charts.gradient_chart(snap.gradients, "weight", config.depth, order), snap.gradients,
               "init-weight-gradients", big, key="csv-weight-gradients")
overlaps = [story.overlap_note(snap.gradients[snap.gradients["kind"] == kind], "grad_norm", story.CHART_NAMES[kind],
                               log=True) for kind in ("backprop", "weight")]
if any(overlaps):
    st.caption(" ".join(filter(None, overlaps)))
notes = story.problem_notes(verdicts, config.activation, config.depth)
if notes:
    st.warning("\n".join(f"- {n}" for n in notes), icon=":material/warning:")

numbers = experiment.scheme_numbers(config).set_index("label")
cols = st.columns(min(3, len(config.schemes)))
for i, label in enumerate(order):
    row, verdict = numbers.loc[label], verdicts.loc[label]
    with cols[i % len(cols)], st.container(border=True):
        st.markdown(f'<span style="color:{color_of(label)}">&#9679;</span> **{label}**', unsafe_allow_html=True)
        st.latex(INIT_SCHEMES[row["scheme"]].formula)
        what = {"bound": "a", "std": "σ", "value": "value"}[row["kind"]]
        bias = "bias: same bound" if row["scheme"] == "default" else "bias = 0"
        st.caption(f"First layer (n_in = 784, n_out = {config.width}): {what} = {fmt.number(row['first layer'], digits=4)}"
                   f" · hidden layers (n_in = n_out = {config.width}): {what} = "
                   f"{fmt.number(row['hidden layers'], digits=4)}, weight std = "
                   f"{fmt.number(row['std (hidden)'], digits=4)} · {bias}")
        ratio = "— (no gradient)" if verdict["zero layers"] else fmt.ratio(verdict["ratio"])
        st.markdown(f"Gradient ratio layer 1 / layer {config.depth}: **{ratio}** · **{verdict['verdict']}**")

with st.expander("Why the two charts can tell different stories"):
    st.markdown(
        "The weight gradient is "
        r"$\partial L/\partial W_l = (\partial L/\partial s_l)\, h_{l-1}^{\top}$: the back-propagated "
        "gradient times the layer's input. When the activations $h_{l-1}$ grow or shrink from layer to layer "
        "they hide what happens to $\\partial L/\\partial s_l$ — a weight gradient can look healthy while the "
        "signal travelling back is vanishing. Glorot & Bengio (2010) point out exactly this.")
sat = "saturated" if config.activation != "relu" else "inactive"


def readable(values, ratio: bool = False) -> list[str]:
    """Ratios ("36×", "1 in 210") and standard deviations as text through core.format (the exploding ratios
    reach 10¹⁶, beyond what st.dataframe formats); "—" where there is none."""
    return [fmt.ratio(v) if ratio else fmt.number(v) for v in values]


table = pd.DataFrame({
    "scheme": verdicts.index, "verdict": verdicts["verdict"].values, "ratio ‖∂L/∂s‖": readable(verdicts["ratio"], True),
    "ratio ‖∂L/∂W‖": readable(verdicts["weight ratio"], True), sat: verdicts["saturated"].values,
    "std layer 1": readable(verdicts["std first"]), "std layer L": readable(verdicts["std last"])})
helps = {"ratio ‖∂L/∂s‖": "Back-propagated gradient: first hidden layer / last hidden layer",
         "ratio ‖∂L/∂W‖": "Weight gradient: first hidden layer / last hidden layer",
         "std layer 1": "Standard deviation of the first hidden layer's activations",
         "std layer L": "Standard deviation of the last hidden layer's activations"}
data_table(table, hide_index=True, width="stretch",
             column_config={c: st.column_config.TextColumn(help=h) for c, h in helps.items()}
             | {sat: st.column_config.NumberColumn(format="percent",
                                                    help=f"Share of hidden units {sat}, mean over the hidden layers")})
st.caption(f"Measured on {experiment.PROBE_BATCH} MNIST training images, seed {settings.seed}; L = {config.depth}, "
           "the last hidden layer. Ratios are first hidden layer / last hidden layer: 1 means the first gets as "
           "much gradient as the last; — means the last got none either (0 / 0). "
           + story.criteria())

st.subheader("What the activations look like")
acts = snap.activations
st.caption("Each panel is one scheme: per hidden layer a box from the 25th to the 75th percentile of its "
           "activations, whiskers from the 5th to the 95th, a black tick at the median.")
for row in range(0, len(order), GRID):
    for column, label in zip(st.columns(GRID), order[row:row + GRID]):
        with column:
            show_chart(charts.activation_box(acts, config.activation, label), acts[acts["label"] == label],
                       f"init-activations-{label}", big)
st.caption(story.look_sentence(acts, config.activation))
left, right = st.columns(2)
with left:
    show_chart(charts.spread_chart(acts, order), acts, "init-activation-std", big, key="csv-spread")
with right:
    show_chart(charts.saturation_chart(acts, config.activation, order), acts, "init-saturation", big,
               key="csv-saturation")
overlaps = [story.overlap_note(acts[acts["std"] > 0], "std", "spread", log=True),
            story.overlap_note(acts, "saturated", "share of units " + sat, log=False)]
if any(overlaps):
    st.caption(" ".join(filter(None, overlaps)))

# ------------------------------------------------------------------ training
st.header("Training: does the gradient get through?")
st.markdown(
    f"The same {config.depth}-layer {story.ACTIVATION_NAMES[config.activation]} network trained with SGD on "
    f"{len(data.y_train):,} MNIST images once per scheme: same seed, same batches. The heatmap shows "
    "every layer's back-propagated gradient norm as training goes on.")
st.info(story.predict_prompt(order, config.depth, config.activation), icon=":material/psychology:")
clicked = training_controls(page, limits={"epochs": EPOCHS})
presets.settled(page)  # the last widgets a preset sets are drawn


def live_heat(latest, slot) -> None:
    frames = {label: p.probe_frame("GradNormProbe") for label, p in latest.items()}
    heat = experiment.gradient_heat(frames)
    if len(heat):
        with slot.container():
            domain, layers = charts.heat_domain(heat), experiment.heat_layers(frames)
            for column, label in zip(st.columns(2), [l for l in order if l in set(heat["run"])][-2:]):
                with column:
                    draw_chart(charts.heat_chart(heat, label, domain, layers), big)


key = ("initialization.train", config, settings.seed, device, data.name, data.source)
result = train_or_last(
    PAGE, key, clicked, lambda live: experiment.train_schemes(config, data, settings.seed, on_progress=live),
    order, big, "Press **Train** to train one network per scheme (a few seconds on a CPU).", extra=live_heat)
sym = None
if result is not None:
    show_comparison(result, "initialization", big)
    if cached_result(key) is result:  # trained with the settings above: link divergence to the measurements
        for line in story.exploded_at_init(result, verdicts):
            st.markdown(line)
    frames = {label: r.probes.get("GradNormProbe") for label, r in result.runs.items()}
    heat = experiment.gradient_heat(frames)
    st.subheader("The back-propagated gradient per layer during training")
    domain = charts.heat_domain(heat)
    layers = experiment.heat_layers(frames)  # a layer no gradient reached stays a (blank) row
    runs = list(result.runs)
    for row in range(0, len(runs), 2):
        for column, label in zip(st.columns(2), runs[row:row + 2]):
            with column:
                show_chart(charts.heat_chart(heat, label, domain, layers), heat[heat["run"] == label],
                           f"gradient-heatmap-{label}", big)
    st.caption(story.heat_caption(experiment.heat_gaps(frames), result))

    st.subheader("Symmetry: all-equal weights give identical neurons")
    st.markdown(
        "If every weight of a layer starts at the same value, every neuron of that layer computes the same "
        "output and receives the same gradient, so the neurons change together and stay identical however "
        "long you train: a layer of many units behaves like one.")
    equal = INIT_SCHEMES["equal"].label
    if equal in result.runs and result.runs[equal].state_dict is not None:
        run = result.runs[equal]
        st.markdown(story.equal_run_sentence(run.state_dict, run.diverged_at, equal))
    sym = shared(("initialization.symmetry", config.activation, config.depth, config.width, settings.seed, device,
                  data.name, data.source),
                 lambda: symmetry.experiment(config.activation, config.depth, config.width, data, settings.seed))
    rand = [label for label in sym.cosines if label != symmetry.EQUAL][0]
    st.markdown(
        f"**Experiment.** A {story.ACTIVATION_NAMES[sym.activation]} network of {sym.depth} hidden layers × {sym.width} units, trained "
        f"twice on the same {sym.steps} batches of {symmetry.SETTINGS.batch_size} images (SGD, learning rate "
        f"{fmt.number(symmetry.SETTINGS.lr)}, momentum {symmetry.SETTINGS.momentum:g}): once with every weight set to the "
        f"small constant 1/n_in (1/784 in the first layer, 1/{sym.width} after; biases 0) — small enough not to "
        f"saturate or explode, so the weights do train — and once with {rand}. Per hidden layer after training:")
    tiny = ("max |ΔW|", "max difference between neurons")  # 0 next to 4.89 × 10⁻², said as powers of ten
    data_table(sym.table.assign(**{c: sym.table[c].map(fmt.number) for c in tiny}), hide_index=True,
               width="stretch", column_config={"mean |cos|": st.column_config.NumberColumn(format="%.3f")})
    st.markdown(story.experiment_sentence(sym))
    for col, (label, cos) in zip(st.columns(2), sym.cosines.items()):
        with col:
            show_chart(charts.cosine_chart(cos, label, "layer 1 after training: cosine between neurons"), cos,
                       f"cosine-{label}", big)

# ------------------------------------------------------------------ lesson
takeaways(story.takeaways(verdicts, config.activation, order, sym, result))
glorot = PRESETS["glorot"].config
glorot_snap = shared(("initialization.at_init", glorot.schemes, glorot.activation, glorot.depth, glorot.width,
                      settings.seed, device, data.name, data.source),
                     lambda: experiment.at_init(glorot, data, settings.seed))
he = PRESETS["he"].config
he_snap = shared(("initialization.at_init", he.schemes, he.activation, he.depth, he.width, settings.seed, device,
                  data.name, data.source), lambda: experiment.at_init(he, data, settings.seed))
he_run = cached_result(("initialization.train", he, settings.seed, device, data.name, data.source))
reproduced([story.glorot_reproduction(glorot_snap.gradients, glorot.depth, glorot.width),
            story.he_reproduction(he_snap.gradients, he.depth, he_run, PRESETS["he"].label)])
