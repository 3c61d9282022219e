"""Lesson page: batch normalization, layer by layer (/batchnorm)."""
import streamlit as st

from core.lessons import batchnorm as lesson
from core.lessons import batchnorm_charts as charts
from ui.layout import show_chart, takeaways
from ui.page import open_page
from ui.state import initial_config, remember, seed_widgets
from ui.training import show_comparison, train_or_last

page = open_page("batchnorm")
PAGE, settings, big, k = page.name, page.settings, page.big, page.key
device, data = page.device, page.data
FIELDS = ("activation", "depth", "width", "lr", "momentum", "epochs", "batch_size")
NAMES = {"sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "ReLU"}


def latex_number(v: float) -> str:
    """1e-05 -> 10^{-5}; other numbers as they are."""
    mantissa, exponent = f"{v:.0e}".split("e")
    return (f"10^{{{int(exponent)}}}" if mantissa == "1" else f"{mantissa}\cdot 10^{{{int(exponent)}}}") \
        if abs(v) < 1e-3 else f"{v:g}"

start = initial_config(PAGE, lesson.BNConfig)
seed_widgets(PAGE, {f: getattr(start, f) for f in FIELDS})

st.title("Batch normalization")
st.markdown(
    "As a network trains, the distribution of every layer's inputs keeps shifting, and with a "
    "saturating activation such as the sigmoid a shift into the flat tails stops learning. **Batch "
    "normalization** re-centres and re-scales each unit's input over the mini-batch, then lets the "
    "network learn the scale γ and shift β it actually wants. Below, two identical MLPs — same "
    "seed, same batches, same initial weights — train side by side, one with BatchNorm1d between "
    "each Linear layer and its activation.")
st.latex(r"\hat x_i = \frac{x_i - \mu_B}{\sqrt{\sigma_B^2 + \epsilon}}, \quad "
         r"\mu_B = \frac1m\sum_{i=1}^m x_i,\ \ \sigma_B^2 = \frac1m\sum_{i=1}^m (x_i-\mu_B)^2")
st.latex(r"y_i = \gamma\,\hat x_i + \beta")

with st.container(border=True):
    a, b, c = st.columns(3)
    a.selectbox("Activation", lesson.ACTIVATION_CHOICES, key=k("activation"), format_func=NAMES.get)
    b.slider("Depth (hidden layers)", 1, 10, key=k("depth"))
    c.number_input("Width (units per hidden layer)", 2, 1024, key=k("width"))
    a, b, c, d = st.columns(4)
    a.number_input("Learning rate", 0.0001, 100.0, key=k("lr"), format="%.4f", step=0.1,
                   help="The default 1.0 is too high for the plain sigmoid network; the BN network copes.")
    b.number_input("Momentum", 0.0, 0.999, key=k("momentum"), step=0.1)
    c.number_input("Epochs", 1, 30, key=k("epochs"))
    d.number_input("Batch size", 2, 4096, key=k("batch_size"))
    clicked = st.button("Train", type="primary", icon=":material/play_arrow:")

try:
    config = lesson.BNConfig(**{f: st.session_state[k(f)] for f in FIELDS})
except ValueError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()
remember(PAGE, config, settings)

key = ("batchnorm.train", config, settings.seed, device, data.name, data.source)
result = train_or_last(
    PAGE, key, clicked, lambda live: lesson.train_pair(config, data, settings.seed, on_progress=live),
    charts.ORDER, big, "Press **Train** to train both networks (a few seconds on a CPU).", autorun=True)
if result is None:
    st.stop()
show_comparison(result, "network", big)
trained = result.config  # the settings of the run on screen (the last one, until Train is pressed)
act = NAMES[trained.activation]

# ------------------------------------------------------------------ distributions
st.header("What each layer's activation sees")
steps = result.snapshot_steps
step = st.select_slider("Point of training (recorded step)", steps, value=steps[-1])
show_chart(charts.histogram_chart(result.histograms, step, act), result.histograms, "activation-input-histograms",
           big, stretch=False)
layers = sorted(result.bands["layer"].unique().tolist())
if st.session_state.get(k("layer")) not in layers:  # a new run with fewer layers
    st.session_state[k("layer")] = layers[-1]
layer = st.selectbox("Layer for the percentile bands and running statistics", layers,
                     key=k("layer"), format_func=lambda l: f"Hidden layer {l}")
show_chart(charts.bands_chart(result.bands, layer, act), result.bands, "percentile-bands", big)
last = result.bands[(result.bands["layer"] == layer)].groupby("run").tail(1).set_index("run")
st.caption(" · ".join(f"{run}: middle 70% of inputs in [{row.p15:.2f}, {row.p85:.2f}] at the end"
                      for run, row in last.iterrows()))

# ------------------------------------------------------------------ train vs eval
st.header("Train mode and eval mode")
st.markdown(
    "In training, BN divides by the statistics of the current mini-batch. At test time there may be a "
    "single example, so `model.eval()` switches to **running** estimates, averaged during training "
    "(PyTorch: running ← 0.9·running + 0.1·batch). Below, one validation batch goes through the trained "
    "BN network in both modes.")
model = lesson.trained_bn_model(result)
batch = data.x_val[: trained.batch_size]
te = lesson.train_vs_eval(model, batch, layer)
left, right = st.columns(2)
with left:
    show_chart(charts.train_eval_chart(te, layer), te, "train-vs-eval", big)
with right:
    show_chart(charts.running_chart(result.running, layer, "mean"), result.running, "running-mean", big)
left, right = st.columns(2)
with left:
    show_chart(charts.running_chart(result.running, layer, "var"), result.running, "running-var", big,
               key="csv-running-var")
with right:
    gap = (te["train"] - te["eval"]).abs()
    st.metric("Mean |train − eval| on this batch", f"{gap.mean():.3f}")
    st.caption(f"{len(batch)} validation images, hidden layer {layer}, {trained.width} units each.")

st.subheader("One neuron, worked through")
w = lesson.worked_example(model, batch, layer=1, unit=1)
xs = ", ".join(f"{v:.3f}" for v in w["x"])
st.markdown(f"Unit {w['unit']} of hidden layer {w['layer']} receives these inputs for the first five of the "
            f"{w['batch']} images in the batch: {xs}, …")
eps = latex_number(w["eps"])
st.latex(rf"\mu_B = {w['mean']:.4f},\quad \sigma_B^2 = {w['var']:.4f},\quad \epsilon = {eps}")
st.latex(rf"\hat x_1 = \frac{{{w['x1']:.4f} - ({w['mean']:.4f})}}{{\sqrt{{{w['var']:.4f} + {eps}}}}}"
         rf" = {w['x_hat']:.4f}")
st.latex(rf"y_1 = \gamma \hat x_1 + \beta = {w['gamma']:.4f} \cdot ({w['x_hat']:.4f}) + ({w['beta']:.4f})"
         rf" = {w['y']:.4f}")
params = lesson.gamma_beta(model)
show_chart(charts.gamma_beta_chart(params), params, "gamma-beta", big, stretch=False)

# ------------------------------------------------------------------ lesson
summary = result.summary("network").set_index("network")
plain, norm = summary.loc["Without BN"], summary.loc["With BN"]
takeaways([
    f"Same weights, same batches, learning rate {trained.lr:g}: the plain network reached "
    f"**{plain['val. accuracy']:.1%}** validation accuracy, the BN network **{norm['val. accuracy']:.1%}**.",
    "Without BN a layer's inputs can drift far into the activation's flat tails (see the bands); with BN "
    "they stay centred where the activation has slope, and γ, β move them only as far as the loss wants.",
    "Train and eval mode normalise with different statistics: evaluate with `model.eval()`, or a single "
    "test example would be normalised by itself.",
])
