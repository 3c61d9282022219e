"""Lesson page: activation functions and what they do to learning (/activations)."""
import streamlit as st

import core.format as fmt
from core.activations import ACTIVATIONS
from core.initializers import INIT_SCHEMES
from core.lessons.activations import charts, depth, experiment, story
from core.lessons.activations.config import LIMITS, ActivationsConfig
from ui.controls import training_controls
from ui.layout import draw_chart, show_chart, takeaways
from ui.page import open_page
from ui.reproduced import reproduced
from ui.runner import shared
from ui.state import initial_config, remember, seed_widgets
from ui.training import show_comparison, train_or_last
from ui.widgets import parse_sizes

page = open_page("activations")
PAGE, settings, big, k = page.name, page.settings, page.big, page.key
device, data = page.device, page.data

start = initial_config(PAGE, ActivationsConfig)
seed_widgets(PAGE, {"functions": list(start.functions), "x_range": (start.x_min, start.x_max),
                    "depth": start.depth, "depth_init": start.depth_init,
                    "hidden": ", ".join(map(str, start.hidden)), "lr": start.lr,
                    "momentum": start.momentum, "epochs": start.epochs, "batch_size": start.batch_size})

st.title("Activation functions")
st.markdown(
    "**The question.** Why does a deep network of sigmoids barely learn, while the same network of ReLUs "
    "does? And why is ReLU, whose slope is exactly 1, not the whole answer?")
st.markdown(
    "A neuron computes a weighted sum $s$ of its inputs and passes it through an **activation function** "
    "$f$. Training needs $f'(s)$: back-propagation multiplies one such derivative per layer. Where "
    "$f'$ is close to zero the neuron is **saturated** and hardly any gradient passes through it. "
    "Below, every curve and derivative is computed by PyTorch's autograd on the same modules the "
    "networks train with.")

# ------------------------------------------------------------------ curves
functions = st.multiselect("Activation functions", list(ACTIVATIONS), key=k("functions"),
                           format_func=lambda n: ACTIVATIONS[n].label)
x_min, x_max = st.slider("x-range", *LIMITS["x"], key=k("x_range"), step=0.5)
hidden_text = st.session_state[k("hidden")]

errors = []
try:
    hidden = parse_sizes(hidden_text)
except ValueError as exc:
    errors.append(str(exc))
    hidden = start.hidden
try:
    config = ActivationsConfig(
        functions=tuple(functions), x_min=x_min, x_max=x_max, depth=st.session_state[k("depth")],
        depth_init=st.session_state[k("depth_init")], hidden=hidden, lr=st.session_state[k("lr")],
        momentum=st.session_state[k("momentum")], epochs=st.session_state[k("epochs")],
        batch_size=st.session_state[k("batch_size")])
except ValueError as exc:
    config = None
    errors.append(str(exc))
if config is None or errors:
    for e in errors:
        st.error(e, icon=":material/error:")
    if config is None:
        st.stop()
remember(PAGE, config, settings)
order = config.labels

df = experiment.curves(config.functions, config.x_min, config.x_max)
left, right = st.columns(2)
with left:
    show_chart(charts.curves_chart(df, "y", "f(x)", order), df, "activation-curves", big)
with right:
    show_chart(charts.curves_chart(df, "dy", "f'(x), by autograd", order), df,
               "activation-derivatives", big, key="csv-derivatives")


share = experiment.saturated_share(df)
cols = st.columns(min(3, len(config.functions)))
for i, name in enumerate(config.functions):
    act = ACTIVATIONS[name]
    with cols[i % len(cols)]:
        with st.container(border=True):
            st.latex(act.formula)
            st.latex(act.derivative)
            draw_chart(charts.function_panel(df, act.label), big)
            notes = " ".join(story.panel_notes(df, name))
            st.caption(f"Grey: saturated, |f'(x)| < {experiment.SATURATION}. "
                       f"Saturated on **{fmt.percent(share[act.label], 0)}** of x ∈ [{fmt.number(config.x_min)}, "
                       f"{fmt.number(config.x_max)}]; max |f'| = {fmt.number(act.max_slope)}. {notes}")

# ------------------------------------------------------------------ depth
st.header("Through depth: the chain rule multiplies derivatives")
left, right = st.columns([2, 3])
with left:
    st.markdown(
        "For a network with $L$ hidden layers and loss $\\mathcal{L}$, the gradient at layer $l$ is the "
        "gradient at layer $L$ multiplied by one activation derivative and one weight matrix per layer in "
        "between:")
    st.latex(r"\frac{\partial \mathcal{L}}{\partial s_l} = \Big(\prod_{k=l}^{L-1} "
             r"\operatorname{diag}\big(f'(s_k)\big)\,W_{k+1}^{\top}\Big)\frac{\partial \mathcal{L}}{\partial s_L}")
    st.markdown(
        "The derivatives contribute a factor of at most $(\\max |f'|)^{L-l}$ — for the sigmoid "
        "$0.25^{L-l}$ — and the weights multiply in their own factor, which can raise or lower the total. "
        "So the dashed line bounds the gradient only when every weight matrix has spectral norm at most 1. "
        f"Solid lines are measured on a real, freshly initialised network (width {depth.DEPTH_WIDTH}) on "
        f"{depth.DEPTH_BATCH} MNIST images.")
    c1, c2 = st.columns(2)
    c1.slider("Depth L (hidden layers)", *LIMITS["depth"], key=k("depth"))
    c2.selectbox("Initialization", list(INIT_SCHEMES), key=k("depth_init"),
                 format_func=lambda n: INIT_SCHEMES[n].label)
grads = shared(("activations.depth", config.functions, config.depth, config.depth_init, settings.seed, device,
                data.name, data.source),
               lambda: depth.depth_gradients(config.functions, config.depth, data, settings.seed,
                                            init=config.depth_init))
init_label = INIT_SCHEMES[config.depth_init].label
with right:
    show_chart(charts.depth_chart(grads, order), grads, "gradient-through-depth", big)
    st.caption(" ".join(filter(None, [story.depth_caption(grads, order, config.depth),
                                       story.overlap_note(grads, order)])))
for note in story.zero_gradient_notes(grads, order):
    st.info(note, icon=":material/block:")
overflow = depth.overflow_labels(grads)
if overflow:
    st.warning(f"{', '.join(overflow)}: the signal overflowed float32 on its way through {config.depth} "
               "layers with these weights, so the gradient is not a finite number (nothing to draw).",
               icon=":material/warning:")
tension = story.relu_tanh_line(grads, order, config.depth_init, init_label)
if tension:
    st.markdown(f"**Why does ReLU lose gradient at all?** {tension}")
if config.depth > 1:
    with st.expander("Derivation: the gradient's factor per layer, predicted and measured"):
        st.markdown(
            "Each step down multiplies the back-propagated gradient by $\\operatorname{diag}(f'(s_l))\\,"
            "W_{l+1}^{\\top}$. With $n$ independent weights of variance $\\operatorname{Var}(W)$ per unit, "
            "the squared norm of the gradient changes on average by $n\\,\\operatorname{Var}(W)\\,"
            "\\mathbb{E}[f'(s)^2]$ (Glorot & Bengio 2010; He et al. 2015, §2.2), so its norm by the square "
            "root of that:")
        st.latex(r"\frac{\lVert \partial\mathcal{L}/\partial s_l\rVert}{\lVert \partial\mathcal{L}/"
                 r"\partial s_{l+1}\rVert} \approx \sqrt{n\,\operatorname{Var}(W)\,\mathbb{E}[f'(s)^2]}")
        st.markdown(
            "PyTorch's default draws $W \\sim U[-1/\\sqrt{n}, 1/\\sqrt{n}]$, variance $1/(3n)$; He's "
            "initialization $2/n$. Below, the prediction uses the variance of the network's own weights and "
            "the mean of $f'(s)^2$ over its own units, against the measured ratio (geometric mean over the "
            f"{config.depth - 1} layer steps, {init_label} weights):")
        st.table(story.prediction_table(grads, order).set_index("function"))

# ------------------------------------------------------------------ training
st.header("Training a real network")
st.markdown(
    f"The MLP 784 → {' → '.join(map(str, config.hidden))} → 10 trained with SGD on "
    f"{len(data.y_train):,} MNIST images, once per selected activation: same seed, same batches, "
    "same initial weights. Only the activation differs.")
st.info(story.predict_prompt(order, config.epochs), icon=":material/psychology:")
clicked = training_controls(
    page, options={"momentum": {"format": "%.3f"}},
    lead=lambda column: column.text_input("Hidden layer sizes", key=k("hidden"),
                                          help="Comma-separated, e.g. 50, 50 or 128, 64, 32"))

key = ("activations.train", config.functions, config.hidden, config.train_settings(), settings.seed,
       device, data.name, data.source)
result = train_or_last(
    PAGE, key, clicked, lambda live: experiment.train_compare(config, data, settings.seed, on_progress=live),
    order, big, "Press **Train** to train one network per activation (a few seconds on a CPU).")
if result is not None:
    show_comparison(result, "activation", big)
    step_note = story.step_training_note(result)
    if step_note:
        st.info(step_note, icon=":material/info:")

# ------------------------------------------------------------------ lesson
if "step" in config.functions:
    st.header("Why the step function cannot be trained by gradient descent")
    st.markdown(
        "The step function $H(x)$ is flat everywhere except at 0, where it jumps. Its derivative is "
        "$0$ almost everywhere (and undefined at the jump), so every weight before it receives exactly "
        "zero gradient: gradient descent has nothing to follow. That is why the perceptron's step was "
        "replaced by smooth functions like the sigmoid — and why the sigmoid's own flat tails, where "
        "$\\sigma'(x) \\to 0$, slow learning down.")
takeaways(story.takeaways(grads, config.depth, config.depth_init, init_label, config.functions, result))
spread = shared(("activations.sqrt5", settings.seed, device, data.name, data.source),
                lambda: depth.relu_spread(data, settings.seed))
reproduced([story.sqrt5_reproduction(spread)])
