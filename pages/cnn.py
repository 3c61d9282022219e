"""Lesson page: convolutional networks, from one convolution to a trained CNN's feature maps (/cnn)."""
import streamlit as st

from core.lessons.cnn import arithmetic, charts, experiment, inspection, story
from core.lessons.cnn.config import (IMAGE_SIZE, IN_WORDS, MAX_CHANNELS, MAX_PADDING, MAX_POOL, MAX_STRIDE, NETWORKS,
                                     CNNConfig)
from ui.controls import training_controls
from ui.layout import show_chart, takeaways
from ui.outcome import DIVERGED, RunOutcome, show_outcome
from ui.page import open_page
from ui.state import initial_config, remember, seed_widgets
from ui.training import show_comparison, train_or_last

page = open_page("cnn")
PAGE, settings, big, k = page.name, page.settings, page.big, page.key
device, data = page.device, page.data
classes = data.classes
n_val = len(data.y_val)

start = initial_config(PAGE, CNNConfig)
previous = st.session_state[f"_cfg.{PAGE}"]  # the config of the last run (the URL's on a first visit)
seed_widgets(PAGE, {
    "index": start.index, "kernel": start.kernel, "custom_size": 5 if len(start.custom) == 25 else 3,
    "stride": start.stride, "padding": start.padding, "pool": start.pool, "in_channels": start.in_channels,
    "out_channels": start.out_channels, "epochs": start.epochs, "lr": start.lr, "momentum": start.momentum,
    "batch_size": start.batch_size, "network": start.network, "image": start.image})
if k("_custom") not in st.session_state:  # the custom kernel's last valid values
    unusable = arithmetic.custom_problem(start.custom)  # a link may carry any custom values beside a preset
    if unusable:
        st.warning(f"The link's custom kernel cannot be used ({unusable}); the custom kernel starts as the "
                   "identity.", icon=":material/link_off:")
    st.session_state[k("_custom")] = arithmetic.identity_kernel(3) if unusable else start.custom
for name in ("index", "image"):  # a link made with the full dataset can point past the bundled sample
    if st.session_state[k(name)] >= n_val:
        st.warning(f"Image #{st.session_state[k(name)]} does not exist in this {n_val:,}-image validation set; "
                   f"showing #{n_val - 1}.", icon=":material/link_off:")
        st.session_state[k(name)] = n_val - 1


def digit(i: int):
    """Validation image i as (28, 28) pixel intensities in [0, 1], and its label."""
    return data.pixels(data.x_val[i, 0]).cpu(), int(data.y_val[i])


def on_kernel_change() -> None:
    """Choosing 'Custom' keeps the custom kernel a link or an earlier edit made; while it is still the
    default identity, the table starts from the kernel that was showing, ready to modify."""
    if st.session_state[k("kernel")] != arithmetic.CUSTOM:
        return
    old = st.session_state[f"_cfg.{PAGE}"].kernel
    if st.session_state[k("_custom")] == arithmetic.IDENTITY3 and old in arithmetic.KERNELS:
        preset = arithmetic.KERNELS[old]
        st.session_state[k("_custom")] = tuple(v for row in preset.values for v in row)
    st.session_state[k("custom_size")] = 5 if len(st.session_state[k("_custom")]) == 25 else 3


def on_size_change() -> None:
    size = st.session_state[k("custom_size")]
    if len(st.session_state[k("_custom")]) != size * size:
        st.session_state[k("_custom")] = arithmetic.identity_kernel(size)


st.title("Convolutional networks")
st.markdown(
    "A **convolution** slides a small grid of weights, the **kernel**, over an image. At each position "
    "it multiplies the kernel with the pixels under it and adds the products up: one number of the "
    "output. The same few weights are used at every position, so a convolution layer needs far fewer "
    "parameters than a fully connected one, and it finds a pattern wherever it is in the image. "
    "Below, one convolution is computed by hand (and checked against PyTorch in the tests); then a "
    "real CNN is trained on MNIST and its kernels and feature maps are shown.")

# ------------------------------------------------------------------ 1. explainer
st.header("1. One convolution, step by step")
with st.container(border=True):
    a, b, c, d, e = st.columns([1.1, 2, 1, 1, 1.1])
    a.number_input("Test image #", 0, n_val - 1, key=k("index"), help=f"One of the {n_val:,} validation images")
    b.selectbox("Kernel", arithmetic.KERNEL_CHOICES, key=k("kernel"), format_func=arithmetic.kernel_label,
                on_change=on_kernel_change)
    c.number_input("Stride s", 1, MAX_STRIDE, key=k("stride"))
    d.number_input("Padding p", 0, MAX_PADDING, key=k("padding"), help="Zeros added around the image")
    e.selectbox("Max-pool", list(range(1, MAX_POOL + 1)), key=k("pool"),
                format_func=lambda m: "none" if m == 1 else f"{m}×{m}, stride {m}")
    kernel_name = st.session_state[k("kernel")]
    custom, kernel_error = st.session_state[k("_custom")], None
    if kernel_name == arithmetic.CUSTOM:
        left, right = st.columns([1, 3])
        size = left.radio("Custom kernel size", (3, 5), key=k("custom_size"), horizontal=True,
                          format_func=lambda s: f"{s}×{s}", on_change=on_size_change)
        limit = arithmetic.MAX_KERNEL_VALUE
        left.caption(f"Type a number from −{limit:g} to {limit:g} in each cell. Try a row of −1, 0, 1 or make "
                     "every cell 1/9.")
        with right:
            edited = st.data_editor(
                arithmetic.kernel_table(custom), key=k(f"custom{size}"), num_rows="fixed", width="content",
                column_config={str(j): st.column_config.NumberColumn(str(j), format="%.3f", width="small",
                                                                     min_value=-limit, max_value=limit)
                               for j in range(1, size + 1)})
        try:
            custom = arithmetic.kernel_from_table(edited)
            st.session_state[k("_custom")] = custom
        except ValueError as exc:
            kernel_error = str(exc)

index, stride, padding, pool = (st.session_state[k(n)] for n in ("index", "stride", "padding", "pool"))
image, label = digit(index)
kernel = arithmetic.square(custom) if kernel_name == arithmetic.CUSTOM else arithmetic.KERNELS[kernel_name].tensor()
ksize = kernel.shape[-1]
problem = kernel_error or arithmetic.geometry_problem(IMAGE_SIZE, ksize, stride, padding, pool)
if problem:
    st.error(problem, icon=":material/error:")
else:
    ex = arithmetic.explain(image, kernel, stride, padding, pool)
    show_chart(charts.explainer_chart(ex), ex.output.drop(columns=["r0", "r1", "c0", "c1"]),
               "convolution-output", big, key="csv-explainer", stretch=False)
    st.caption(
        f"Test image #{index} is a **{classes[label]}**. "
        + (arithmetic.KERNELS[kernel_name].note if kernel_name in arithmetic.KERNELS else
           "Your kernel: orange cells add the pixels under them, blue cells subtract them.")
        + " Hover an output cell to see the input window it was computed from"
        + (" (the dashed square is the image inside its zero padding)." if padding else "."))
    n, p, s = IMAGE_SIZE, padding, stride
    formula = (r"n_{\text{out}} = \left\lfloor \frac{n + 2p - k}{s} \right\rfloor + 1"
               rf"= \left\lfloor \frac{{{n} + 2\cdot{p} - {ksize}}}{{{s}}} \right\rfloor + 1 = {ex.out_size}")
    left, right = st.columns([3, 2])
    with left:
        st.latex(formula)
    with right:
        if pool > 1:
            st.latex(rf"\text{{max-pool }} m={pool}:\ \left\lfloor \frac{{{ex.out_size}}}{{{pool}}} \right\rfloor"
                     rf" = {ex.pooled_size}")
        else:
            st.latex(r"\text{no pooling}")
    st.caption(f"Sizes: input {n}×{n} (n = {n}), kernel {ksize}×{ksize} (k = {ksize}), padding p = {p}, "
               f"stride s = {s} → output {ex.out_size}×{ex.out_size}"
               + (f" → max-pool {pool}×{pool} → {ex.pooled_size}×{ex.pooled_size}." if pool > 1 else ".")
               + f" The kernel has {ksize * ksize} weights, whatever the image size.")

# ------------------------------------------------------------------ channels
st.subheader("Several channels in, several channels out")
st.markdown(
    "A convolution layer takes $C_\\text{in}$ input channels (a colour image has three; the second "
    "layer of a CNN gets one per kernel of the first) and gives $C_\\text{out}$ output channels. Each "
    "output channel has its **own kernel slice for every input channel**: each slice is convolved with "
    "its channel, and the results are **added up** (plus a bias) into one output map.")
st.latex(r"y_o = b_o + \sum_{c=1}^{C_\text{in}} x_c \star K_{o,c}"
         r"\qquad \text{weights: } C_\text{out}\cdot C_\text{in}\cdot k^2 + C_\text{out}")
with st.container(border=True):
    a, b, c = st.columns([1, 1, 3])
    n_in = a.number_input("Input channels", 1, MAX_CHANNELS, key=k("in_channels"))
    n_out = b.number_input("Output channels", 1, MAX_CHANNELS, key=k("out_channels"))
    grid = arithmetic.resize_grid(previous.channel_grid(), n_out, n_in)
    labels = [arithmetic.KERNELS[name].label for name in arithmetic.CHANNEL_KERNELS]
    with c:
        st.caption("Kernel slice K(o, c) for each output channel o and input channel c (click a cell to change it):")
        table = st.data_editor(
            arithmetic.channel_table(grid), key=k("channels"), num_rows="fixed", width="stretch",
            column_config={f"in {i + 1}": st.column_config.SelectboxColumn(f"in {i + 1}", options=labels,
                                                                           required=True)
                           for i in range(n_in)})
    channel_error = None
    try:
        grid = arithmetic.grid_from_table(table)
    except ValueError as exc:
        channel_error = str(exc)

# ------------------------------------------------------------------ the config
try:
    config = CNNConfig(
        index=index, kernel=kernel_name, custom=tuple(custom), stride=stride, padding=padding, pool=pool,
        in_channels=n_in, out_channels=n_out, channel_kernels=tuple(name for row in grid for name in row),
        epochs=st.session_state[k("epochs")], lr=st.session_state[k("lr")],
        momentum=st.session_state[k("momentum")], batch_size=st.session_state[k("batch_size")],
        network=st.session_state[k("network")], image=st.session_state[k("image")])
except ValueError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()
remember(PAGE, config, settings)

if channel_error:
    st.error(channel_error, icon=":material/error:")
elif not arithmetic.geometry_problem(IMAGE_SIZE, 3, stride, padding, 1):
    planes, views = arithmetic.channel_inputs(image, n_in)
    demo = arithmetic.channel_demo(planes, grid, stride, padding,
                                   labels=[f"in {c + 1}: {view}" for c, view in enumerate(views)])
    show_chart(charts.channel_chart(demo), demo.terms, "channel-terms", big, key="csv-channel-terms", stretch=False)
    st.caption(
        f"The input channel{'s are' if n_in > 1 else ' is'} test image #{index}"
        + (": its pixels, then " + " and ".join(views[1:]) + ", each scaled to 0–1, the kind of feature maps "
           "a second layer receives from the first" if n_in > 1 else "")
        + f". Each row is one output channel: its {n_in} term{'s' if n_in > 1 else ''} "
        + ("and their sum, pixel by pixel. " if n_in > 1 else ". ")
        + f"This layer has {n_out}·{n_in}·3² + {n_out} = {n_out * n_in * 9 + n_out} weights "
        f"(bias 0 here) and outputs {n_out} × {demo.out_size} × {demo.out_size} numbers.")

# ------------------------------------------------------------------ 2. training
st.header("2. Training a CNN on MNIST, with and without batch norm")
st.markdown(
    "The lesson's network: **conv** 1→16 channels, 5×5, padding 2 → ReLU → 2×2 max-pool → **conv** "
    "16→32, 5×5, padding 2 → ReLU → 2×2 max-pool → **linear** 32·7·7 → 10. The second version adds "
    f"batch normalization after each convolution. Both train with SGD on {len(data.y_train):,} images, "
    "same seed, same batches, same initial weights: only batch norm differs.")
clicked = training_controls(page, ("epochs", "lr", "momentum", "batch_size"))


def progress(live):
    """The CNNs grow the live charts; the MLP baseline (other axes, other settings) moves only the bar."""
    def report(p) -> None:
        if p.label != experiment.MLP_LABEL:
            live(p)
        else:
            live.bar.progress(p.fraction, text=f"Training the {p.label} for section 5: step {p.step}/"
                                               f"{p.total_steps}, epoch {p.epoch}")
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
st.header("3. What the first layer learns")
st.radio("Network to inspect", list(NETWORKS), key=k("network"), horizontal=True,
         format_func=NETWORKS.get)
network = config.network
run = result.run(network) if result is not None else None
# "before" is the start of the run on screen, which need not be the sidebar's seed (changed since Train)
untrained = result.untrained(network) if result is not None else experiment.build_cnn(network, settings.seed)
trained = None
if run is not None:
    if run.diverged_at or not experiment.is_finite(run.state_dict):
        show_outcome(RunOutcome(f"The network {IN_WORDS[network]}", DIVERGED, run.diverged_at),
                     "its weights are not finite, so it has no kernels or feature maps to show. Lower the "
                     "learning rate and train again.")
    else:
        trained = experiment.load_cnn(network, run.state_dict)

w_before = untrained.conv1.weight.detach()
st.markdown(
    "conv1's 16 kernels, each 5×5, one per output channel. Orange weights add the pixels under them, blue "
    "ones subtract. Training starts from small random numbers: neighbouring weights are unrelated "
    f"(their correlation is {inspection.neighbour_correlation(w_before):.2f}). "
    + ("" if trained is not None else "Press **Train** to see what they become."))
cols = st.columns(3)
panels = [("Before training", w_before, "kernels-before")]
if trained is not None:
    w_after = trained.conv1.weight.detach()
    panels += [(f"After training ({IN_WORDS[network]})", w_after, "kernels-after"),
               ("Change: after − before", w_after - w_before, "kernels-change")]
for col, (title, weight, name) in zip(cols, panels):
    df = arithmetic.stack_frame(weight[:, 0])
    with col:
        show_chart(charts.kernel_grid_chart(df, charts.weights_title(title, df)), df, name, big, key=f"csv-{name}",
                   stretch=False)
if trained is None:
    cols[1].info("The trained kernels, and how much each weight changed, appear here after **Train**.",
                 icon=":material/grid_on:")
else:
    st.caption(story.kernel_change_caption(w_before, w_after))

# ------------------------------------------------------------------ 4. feature maps
st.header("4. Feature maps: what each channel sees")
# predictions and mistakes belong to the images they were computed on: the run's validation set
preds = result.predictions.get(network) if result is not None and trained is not None else None
wrong = inspection.misclassified(preds) if preds is not None else None
here = trained is not None and result.trained_on(data)  # the trained network fits the images on this page
if trained is not None and not here:
    st.info(f"The network on screen was trained on other data ({experiment.data_label(*result.dataset)}) than this "
            f"page now shows ({experiment.data_label(data.name, data.source)}): the feature maps and predictions "
            "below are the untrained network's, and its mistakes are from the data it was trained on. Press "
            "**Train** to train on this data.", icon=":material/swap_horiz:")
model = trained if here else untrained
state = "trained" if here else "untrained"


def on_jump() -> None:
    picked = st.session_state[k("jump")]
    if picked is not None:
        st.session_state[k("image")] = picked
    st.session_state[k("jump")] = None


with st.container(border=True):
    a, b = st.columns([1, 3])
    a.number_input("Test image #", 0, n_val - 1, key=k("image"), help=f"One of the {n_val:,} validation images")
    if here and wrong is not None and len(wrong):
        captions = {int(r["index"]): f"#{int(r['index'])}: a {classes[int(r['label'])]} read as "
                                     f"{classes[int(r['pred'])]} ({r['confidence']:.0%})" for _, r in wrong.iterrows()}
        b.selectbox(f"…or one of the {len(wrong)} misclassified test images", [None, *captions], key=k("jump"),
                    format_func=lambda i: "choose" if i is None else captions[i], on_change=on_jump)

img_index = config.image
pixels, img_label = digit(img_index)
maps, probs = inspection.feature_maps(model, data.x_val[img_index])
pred = int(probs.argmax())
verdict = "right" if pred == img_label else "wrong"
left, right = st.columns([1, 2])
with left:
    shown_image = arithmetic.grid_frame(pixels)
    show_chart(charts.image_chart(shown_image, f"Test image #{img_index}: a {classes[img_label]}", px=240),
               shown_image, f"test-image-{img_index}", big, key="csv-test-image", stretch=False)
with right:
    frame = inspection.probabilities_frame(probs, img_label, classes)
    show_chart(charts.probabilities_chart(frame, f"Prediction: {classes[pred]} ({probs[pred]:.0%}), {verdict}",
                                          f"the {state} network {IN_WORDS[network]}"),
               frame, "probabilities", big, key="csv-probabilities")
st.markdown(
    f"Every channel of the {state} network {IN_WORDS[network]} for this image, "
    "in evaluation mode. Bright = strong response, dark = silent; one colour scale per grid (square-root, "
    "so weak responses stay visible), so channels compare directly. Pooling keeps the strongest response "
    "of each 2×2 block: half the resolution, the same pattern."
    + (" With batch norm, *after ReLU* means after batch norm and ReLU." if network == "bn" else ""))
stages = [("relu1", "pool1", "conv1", 16), ("relu2", "pool2", "conv2", 32)]
for relu, pooled, conv, channels in stages:
    st.subheader(f"{conv}: {channels} channels")
    left, right = st.columns(2)
    for col, stage, what in ((left, relu, "after ReLU"), (right, pooled, "after 2×2 max-pool")):
        df = arithmetic.stack_frame(maps[stage])
        side = maps[stage].shape[-1]
        with col:
            show_chart(charts.feature_grid_chart(df, f"{conv} {what}: {channels} × {side} × {side}",
                                                 px=charts.map_pixels(channels)),
                       df, f"{conv}-{stage}", big, key=f"csv-{stage}", stretch=False)

st.subheader("Misclassified test digits")
if wrong is None:
    st.info("After **Train**: the test images the trained network gets wrong, most confident mistakes first.",
            icon=":material/grid_on:")
elif not len(wrong):
    st.success(f"The trained network classifies all {len(preds):,} test images correctly.")
else:
    shown = inspection.misclassified(preds, 12)
    strip = inspection.misclassified_frame(shown, result.wrong_images[network], result.classes)
    show_chart(charts.misclassified_chart(strip), shown, "misclassified", big, key="csv-misclassified",
               stretch=False)
    st.caption(f"{len(wrong)} of {len(preds):,} test images ({len(wrong) / len(preds):.1%}) are misclassified by the "
               f"network {IN_WORDS[network]}; the {len(shown)} most confident mistakes are shown "
               "(true → predicted, confidence). "
               + ("Pick one above to see its feature maps." if here else
                  f"They are from the {experiment.data_label(*result.dataset)} validation images it was trained with."))

# ------------------------------------------------------------------ 5. parameters
st.header("5. Why convolutions: the parameter count")
params = inspection.parameter_comparison(result, settings.seed)
cnn_row, mlp_row = params.iloc[list(NETWORKS).index(network)], params.iloc[2]  # the network inspected
st.markdown(
    f"The CNN shares each 5×5 kernel across all positions of the image. An MLP must learn a separate "
    f"weight for every pixel of every unit: the MLP {'-'.join(map(str, experiment.MLP_SIZES))} has "
    f"**{mlp_row['parameters'] / cnn_row['parameters']:.1f}×** the parameters of the CNN "
    f"{IN_WORDS[network]}. It is trained with its own, well-tuned "
    f"settings ({experiment.MLP_SETTINGS.epochs} epochs, learning rate {experiment.MLP_SETTINGS.lr:g}, momentum "
    f"{experiment.MLP_SETTINGS.momentum:g}) when you press **Train**.")
left, right = st.columns([3, 2])
with left:
    st.dataframe(params, hide_index=True, width="stretch",
                 column_config={"parameters": st.column_config.NumberColumn(format="localized"),
                                "val. accuracy": st.column_config.NumberColumn(format="percent"),
                                "seconds": st.column_config.NumberColumn(format="%.1f")})
with right:
    st.dataframe(inspection.layer_table(untrained), hide_index=True, width="stretch",
                 column_config={"parameters": st.column_config.NumberColumn(format="localized")})
    st.caption(f"Layers of the CNN {IN_WORDS[network]}, output shapes measured on a forward pass.")


# ------------------------------------------------------------------ lesson
takeaways(story.takeaways(inspection.receptive_fields(untrained), w_before, w_after if trained is not None else None,
                          result, cnn_row, mlp_row, network))
