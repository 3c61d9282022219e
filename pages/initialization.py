"""Lesson page: weight initialization and gradient magnitudes per layer (/initialization)."""
import pandas as pd
import streamlit as st

from core.initializers import INIT_SCHEMES
from core.lessons import initialization as lesson
from core.lessons import initialization_charts as charts
from ui.layout import show_chart, takeaways
from ui.page import open_page
from ui.runner import shared
from ui.state import initial_config, remember, seed_widgets
from ui.training import show_comparison, train_or_last

page = open_page("initialization")
PAGE, settings, big, k = page.name, page.settings, page.big, page.key
device, data = page.device, page.data
FIELDS = ("activation", "depth", "width", "lr", "momentum", "epochs", "batch_size")


def widget_values(config: lesson.InitConfig) -> dict:
    return {"schemes": list(config.schemes), **{f: getattr(config, f) for f in FIELDS}}


def apply_preset(name: str) -> None:
    for key, value in widget_values(lesson.PRESETS[name].config).items():
        st.session_state[k(key)] = value


start = initial_config(PAGE, lesson.InitConfig)
seed_widgets(PAGE, widget_values(start))

st.title("Weight initialization")
st.markdown(
    "Before a network has seen a single example, its initial weights already decide how strongly "
    "signals travel forward and how much gradient travels back. Too small and both fade layer by "
    "layer; too large and the activations saturate or blow up; all equal and every neuron of a layer "
    "stays a copy of the others. Below, one deep MLP (784 → width × depth → 10) is initialised with "
    "each scheme and measured on the same batch of MNIST digits, then trained.")

st.markdown("**Reproduce a classic finding in one click**")
for col, (name, preset) in zip(st.columns(len(lesson.PRESETS)), lesson.PRESETS.items()):
    with col, st.container(border=True):
        st.button(preset.label, key=f"preset-{name}", on_click=apply_preset, args=(name,),
                  icon=":material/science:", width="stretch")
        st.caption(preset.finding)

with st.container(border=True):
    st.multiselect("Initialization schemes to compare", list(INIT_SCHEMES), key=k("schemes"),
                   format_func=lambda s: INIT_SCHEMES[s].label)
    a, b, c = st.columns(3)
    a.selectbox("Activation", lesson.ACTIVATION_CHOICES, key=k("activation"),
                format_func=lambda n: {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}[n])
    b.slider("Depth (hidden layers)", 2, 30, key=k("depth"))
    c.number_input("Width (units per hidden layer)", 2, 1024, key=k("width"))

try:
    config = lesson.InitConfig(schemes=tuple(st.session_state[k("schemes")]),
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
              lambda: lesson.at_init(config, data, settings.seed))
left, right = st.columns(2)
with left:
    show_chart(charts.gradient_chart(snap.gradients, "backprop", config.depth, order), snap.gradients,
               "init-gradients", big)
with right:
    show_chart(charts.gradient_chart(snap.gradients, "weight", config.depth, order), snap.gradients,
               "init-weight-gradients", big, key="csv-weight-gradients")
st.markdown(
    "The two charts can tell different stories. The weight gradient is "
    r"$\partial L/\partial W_l = (\partial L/\partial s_l)\, h_{l-1}^{\top}$: the back-propagated "
    "gradient times the layer's input. When the activations $h_{l-1}$ grow or shrink from layer to layer "
    "they hide what happens to $\\partial L/\\partial s_l$ — a weight gradient can look healthy while the "
    "signal travelling back is vanishing. Glorot & Bengio (2010) point out exactly this.")
ratios = pd.DataFrame({"back-propagated: layer 1 / layer L": lesson.gradient_ratio(snap.gradients, config.depth),
                       "weight gradient: layer 1 / layer L": lesson.gradient_ratio(snap.gradients, config.depth,
                                                                                   "weight")})
st.dataframe(ratios.rename_axis("scheme").reset_index(), hide_index=True, width="stretch",
             column_config={c: st.column_config.NumberColumn(format="%.2e") for c in ratios.columns})
st.caption(f"Measured on {lesson.PROBE_BATCH} MNIST training images, seed {settings.seed}. A ratio near 1 means "
           "the first hidden layer gets as much gradient as the last; 0 means none at all; None means "
           "the last layer got none either (0 / 0).")

st.subheader("What the activations look like")
acts = snap.activations
show_chart(charts.activation_boxes(acts, config.activation, order), acts, "init-activations", big, stretch=False)
left, right = st.columns(2)
with left:
    show_chart(charts.spread_chart(acts, order), acts, "init-activation-std", big, key="csv-spread")
with right:
    show_chart(charts.saturation_chart(acts, config.activation, order), acts, "init-saturation", big,
               key="csv-saturation")

st.subheader("The schemes, for this network")
numbers = lesson.scheme_numbers(config)
cols = st.columns(min(3, len(config.schemes)))
for i, row in numbers.iterrows():
    with cols[i % len(cols)], st.container(border=True):
        st.markdown(f"**{row['label']}**")
        st.latex(INIT_SCHEMES[row["scheme"]].formula)
        what = {"bound": "a", "std": "σ", "value": "value"}[row["kind"]]
        st.caption(f"First layer (n_in = 784, n_out = {config.width}): {what} = {row['first layer']:.4g} · "
                   f"hidden layers (n_in = n_out = {config.width}): {what} = {row['hidden layers']:.4g}, "
                   f"weight std = {row['std (hidden)']:.4g}")

# ------------------------------------------------------------------ training
st.header("Training: does the gradient get through?")
st.markdown(
    f"The same {config.depth}-layer {config.activation} network trained with SGD on "
    f"{len(data.y_train):,} MNIST images once per scheme: same seed, same batches. The heatmap shows "
    "every layer's back-propagated gradient norm as training goes on.")
with st.container(border=True):
    a, b, c, d = st.columns(4)
    a.number_input("Learning rate", 0.0001, 100.0, key=k("lr"), format="%.4f", step=0.005)
    b.number_input("Momentum", 0.0, 0.999, key=k("momentum"), step=0.1)
    c.number_input("Epochs", 1, 30, key=k("epochs"))
    d.number_input("Batch size", 1, 4096, key=k("batch_size"))
    clicked = st.button("Train", type="primary", icon=":material/play_arrow:")


def live_heat(latest, slot) -> None:
    heat = lesson.gradient_heat({label: p.probe_frame("GradNormProbe") for label, p in latest.items()})
    if len(heat):
        slot.altair_chart(charts.heat_chart(heat, order))


key = ("initialization.train", config, settings.seed, device, data.name, data.source)
result = train_or_last(
    PAGE, key, clicked, lambda live: lesson.train_schemes(config, data, settings.seed, on_progress=live),
    order, big, "Press **Train** to train one network per scheme (a few seconds on a CPU).", extra=live_heat)
if result is not None:
    show_comparison(result, "initialization", big)
    heat = lesson.gradient_heat({label: r.probes.get("GradNormProbe") for label, r in result.runs.items()})
    show_chart(charts.heat_chart(heat, list(result.runs)), heat, "gradient-heatmap", big, stretch=False)
    st.caption("Blank cells: exactly zero gradient reached that layer at that step.")

    st.subheader("Symmetry: all-equal weights give identical neurons")
    sym = lesson.symmetry(result)
    distinct = sym.pivot_table(index="run", columns="layer", values="distinct", sort=False)
    distinct.columns = [f"layer {c}" for c in distinct.columns]
    st.markdown(
        "If every weight starts at the same value, every neuron of a layer computes the same output and "
        "receives the same gradient, so they stay identical however long you train: a layer of "
        f"{config.width} units behaves like one. Distinct neurons per hidden layer after training:")
    st.dataframe(distinct.rename_axis("initialization").reset_index(), hide_index=True, width="stretch")
    shown = [label for label in result.runs if label == INIT_SCHEMES["equal"].label][:1] + \
        [label for label in result.runs if label != INIT_SCHEMES["equal"].label][:1]
    cols = st.columns(len(shown))
    for col, label in zip(cols, shown):
        with col:
            cos = lesson.cosine_matrix(result.runs[label].state_dict["linears.0.weight"])
            show_chart(charts.cosine_chart(cos, label, "layer 1: cosine between neurons' weights"), cos,
                       f"cosine-{label}", big, stretch=False)
    if INIT_SCHEMES["equal"].label not in result.runs:
        st.info("Add **All equal (1)** to the schemes and train to see the symmetry that never breaks.",
                icon=":material/info:")

# ------------------------------------------------------------------ lesson
back = ratios.iloc[:, 0]
finite = back[back.notna()]
notes = [
    "Each scheme's scale is chosen so that a layer keeps the variance of what passes through it: "
    "Xavier balances n_in and n_out for tanh-like activations, He doubles the variance because ReLU "
    "zeroes half of its inputs.",
]
if len(finite) >= 2:
    worst, best = finite.idxmin(), (finite - 1).abs().idxmin()
    notes.append(f"Here the first hidden layer receives **{finite[worst]:.1e}** × the last layer's gradient "
                 f"under {worst} and **{finite[best]:.2g}** × under {best}.")
notes += [
    "Saturation and collapse are visible before any training: boxes squashed against ±1 (saturated "
    "tanh/sigmoid) or shrinking towards 0 layer by layer mean the gradient will vanish on its way back.",
    "All-equal weights never break their symmetry: the distinct-neuron count stays at 1 per layer.",
]
takeaways(notes)
