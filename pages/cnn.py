"""Lesson page: convolutional networks, from one convolution to a trained CNN's feature maps (/cnn).

The page is the lesson's outline; its longer sections live in ui/sections/cnn/."""
import streamlit as st

from core.lessons.cnn import experiment, inspection, story
from core.lessons.cnn.config import NETWORKS, CNNConfig
from ui.controls import training_controls
from ui.layout import takeaways
from ui.page import open_page
from ui.sections.cnn import channels, drawing, explainer, feature_maps, kernels, parameters
from ui.state import initial_config, remember, seed_widgets
from ui.training import show_comparison, train_or_last

page = open_page("cnn")
PAGE, settings, big, k = page.name, page.settings, page.big, page.key
device, data = page.device, page.data

start = initial_config(PAGE, CNNConfig)
previous = st.session_state[f"_cfg.{PAGE}"]  # the config of the last run (the URL's on a first visit)
seed_widgets(PAGE, {
    "index": start.index, "kernel": start.kernel, "custom_size": 5 if len(start.custom) == 25 else 3,
    "stride": start.stride, "padding": start.padding, "pool": start.pool, "in_channels": start.in_channels,
    "out_channels": start.out_channels, "epochs": start.epochs, "lr": start.lr, "momentum": start.momentum,
    "batch_size": start.batch_size, "network": start.network, "image": start.image})
explainer.check_link(page, start, len(data.y_val))

st.title("Convolutional networks")
st.markdown(
    "**The question:** an MLP treats an image as 784 unrelated numbers. What does a network gain by "
    "looking at small patches, with the same few weights everywhere?\n\n"
    "A **convolution** slides a small grid of weights, the **kernel**, over an image. At each position "
    "it multiplies the kernel with the pixels under it and adds the products up: one number of the "
    "output. The same few weights are used at every position, so a convolution layer needs far fewer "
    "parameters than a fully connected one, and it finds a pattern wherever it is in the image. "
    "Below, one convolution is computed by hand (and checked against PyTorch in the tests); then a "
    "real CNN is trained on MNIST and its kernels and feature maps are shown.")

# ------------------------------------------------------------------ 1. explainer
conv = explainer.render(page, data)
chosen = channels.controls(page, previous)

# ------------------------------------------------------------------ the config
try:
    config = CNNConfig(
        index=conv.index, kernel=conv.kernel, custom=conv.custom, stride=conv.stride, padding=conv.padding,
        pool=conv.pool, in_channels=chosen.n_in, out_channels=chosen.n_out, channel_kernels=chosen.kernels,
        epochs=st.session_state[k("epochs")], lr=st.session_state[k("lr")],
        momentum=st.session_state[k("momentum")], batch_size=st.session_state[k("batch_size")],
        network=st.session_state[k("network")], image=st.session_state[k("image")])
except ValueError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()
remember(PAGE, config, settings)
channels.demo(page, conv, chosen)

# ------------------------------------------------------------------ 2. training
st.header("2. Training a CNN on MNIST, with and without batch norm")
st.markdown(
    "The lesson's network: **conv** 1→16 channels, 5×5, padding 2 → ReLU → 2×2 max-pool → **conv** "
    "16→32, 5×5, padding 2 → ReLU → 2×2 max-pool → **linear** 32·7·7 → 10. The second version adds "
    f"batch normalization after each convolution. Both train with SGD on {len(data.y_train):,} images, "
    "same seed, same batches, same initial weights: only batch norm differs.")
st.info("**Predict before you press Train:** the CNN has about an eighth of the MLP's parameters (section 5) "
        "and trains for fewer epochs. Which will make fewer mistakes on the 2,000 test digits? And what will "
        "conv1's random kernels turn into?", icon=":material/psychology:")
clicked = training_controls(page, ("epochs", "lr", "momentum", "batch_size"))


def progress(live):
    """The CNNs grow the live charts; the MLP baseline (other axes, other settings) moves only the bar."""
    def report(p) -> None:
        if p.label != experiment.MLP_LABEL:
            live(p)
        else:
            live.bar.progress(p.fraction, text=f"Training the {p.label} for section 5: step {p.step}/"
                                               f"{p.total_steps}, epoch {p.epoch}{live.time_left(p.fraction)}")
    return report


order = list(NETWORKS.values())
key = ("cnn.train", config.train_settings(), settings.seed, device, data.name, data.source)
estimate = experiment.estimated_cpu_seconds(config, len(data.y_train))
estimate = round(estimate) if estimate < 20 else 5 * round(estimate / 5)  # no false precision
result = train_or_last(
    PAGE, key, clicked, lambda live: experiment.train_compare(config, data, settings.seed, on_progress=progress(live)),
    order, big, f"Press **Train** to train both networks and the MLP baseline of section 5 (about "
    f"{estimate} seconds on a 2-core CPU with these settings). Until then, the kernels and feature maps "
    "below are those of the untrained network.")
if result is not None:
    show_comparison(result.compare, "network", big)

# ------------------------------------------------------------------ 3. kernels
net = kernels.render(page, result, config.network)

# ------------------------------------------------------------------ 4. feature maps
feature_maps.render(page, data, result, net, config.image)

# ------------------------------------------------------------------ 5. parameters
cnn_row, mlp_row = parameters.render(result, net, settings.seed)

# ------------------------------------------------------------------ 6. your own digit
drawing.render(page, data, result, net)

# ------------------------------------------------------------------ lesson
takeaways(story.takeaways(inspection.receptive_fields(net.untrained), net.weights_before, net.weights_after, result,
                          cnn_row, mlp_row, net.network))
