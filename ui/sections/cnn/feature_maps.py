"""The CNN lesson, section 4: what each channel sees. One test image through the inspected network (its
prediction and every feature map), then the test digits the trained network gets wrong."""
from __future__ import annotations

import streamlit as st

from core.data import Dataset
from core.lessons.cnn import arithmetic, charts, experiment, inspection
from core.lessons.cnn.config import IN_WORDS
from core.lessons.cnn.experiment import CNNTraining
from ui.layout import show_chart
from ui.page import LessonPage
from ui.runner import derived_from
from ui.sections.cnn.kernels import Inspected, view_owner

def article(word: str) -> str:
    """'an' before 8 (eight), 'a' otherwise."""
    return "an" if str(word)[:1] == "8" or str(word)[:1].lower() in "aeiou" else "a"


STAGES = [("relu1", "pool1", "conv1", 16), ("relu2", "pool2", "conv2", 32)]  # after ReLU, after pooling, layer, channels


def on_jump(page: LessonPage) -> None:
    """A misclassified image picked from the list becomes the image shown; the list returns to 'choose'."""
    k = page.key
    picked = st.session_state[k("jump")]
    if picked is not None:
        st.session_state[k("image")] = picked
    st.session_state[k("jump")] = None


def render(page: LessonPage, data: Dataset, result: CNNTraining | None, net: Inspected, image: int) -> None:
    """Section 4 for validation image `image`: the trained network's view when it was trained on this page's
    data, else the untrained one's (and says so); then its misclassified test digits."""
    k, big, classes, n_val, network = page.key, page.big, data.classes, len(data.y_val), net.network
    st.header("4. Feature maps: what each channel sees")
    trained = net.trained
    # predictions and mistakes belong to the images they were computed on: the run's validation set
    preds = result.predictions.get(network) if result is not None and trained is not None else None
    wrong = inspection.misclassified(preds) if preds is not None else None
    here = trained is not None and result.trained_on(data)  # the trained network fits the images on this page
    if trained is not None and not here:
        st.info(f"The network on screen was trained on other data ({experiment.data_label(*result.dataset)}) than "
                f"this page now shows ({experiment.data_label(data.name, data.source)}): the feature maps and "
                "predictions below are the untrained network's, and its mistakes are from the data it was trained "
                "on. Press **Train** to train on this data.", icon=":material/swap_horiz:")
    model = trained if here else net.untrained
    state = "trained" if here else "untrained"

    with st.container(border=True):
        a, b = st.columns([1, 3])
        a.number_input("Test image #", 0, n_val - 1, key=k("image"), help=f"One of the {n_val:,} validation images")
        if here and wrong is not None and len(wrong):
            captions = {int(r["index"]): f"#{int(r['index'])}: a {classes[int(r['label'])]} read as "
                                         f"{classes[int(r['pred'])]} ({r['confidence']:.0%})"
                        for _, r in wrong.iterrows()}
            b.selectbox(f"…or one of the {len(wrong)} misclassified test images", [None, *captions], key=k("jump"),
                        format_func=lambda i: "choose" if i is None else captions[i], on_change=on_jump,
                        args=(page,))

    pixels, label = inspection.validation_image(data, image)
    # one image's maps and their charts, computed once per run (or untrained network) for every session
    owner = view_owner(page, result)
    view = ("cnn.maps", network, state, image, data.name, data.source)
    maps, probs = derived_from(owner, view, lambda: inspection.feature_maps(model, data.x_val[image]))
    pred = int(probs.argmax())
    verdict = "right" if pred == label else "wrong"
    left, right = st.columns([1, 2])
    with left:
        shown_image = arithmetic.grid_frame(pixels)
        title = f"Test image #{image}: {article(classes[label])} {classes[label]}"
        show_chart(charts.image_chart(shown_image, title, px=240),
                   shown_image, f"test-image-{image}", big, key="csv-test-image", stretch=False)
    with right:
        frame = inspection.probabilities_frame(probs, label, classes)
        show_chart(charts.probabilities_chart(frame, f"Prediction: {classes[pred]} ({probs[pred]:.0%}), {verdict}",
                                              f"the {state} network {IN_WORDS[network]}"),
                   frame, "probabilities", big, key="csv-probabilities")
    st.markdown(
        f"Every channel of the {state} network {IN_WORDS[network]} for this image, "
        "in evaluation mode. Bright = strong response, dark = silent; one colour scale per grid (square-root, "
        "so weak responses stay visible), so channels compare directly. Pooling keeps the strongest response "
        "of each 2×2 block: half the resolution, the same pattern."
        + (" With batch norm, *after ReLU* means after batch norm and ReLU." if network == "bn" else ""))
    show_maps(page, maps, owner=owner, view=view)
    mistakes(page, result, network, preds, wrong, here)


def mistakes(page: LessonPage, result: CNNTraining | None, network: str, preds, wrong, here: bool) -> None:
    """The most confident mistakes of the trained network, from the validation images it was trained with."""
    st.subheader("Misclassified test digits")
    if wrong is None:
        st.info("After **Train**: the test images the trained network gets wrong, most confident mistakes first.",
                icon=":material/grid_on:")
    elif not len(wrong):
        st.success(f"The trained network classifies all {len(preds):,} test images correctly.")
    else:
        shown = inspection.misclassified(preds, 12)
        strip = inspection.misclassified_frame(shown, result.wrong_images[network], result.classes)
        show_chart(charts.misclassified_chart(strip), shown, "misclassified", page.big, key="csv-misclassified",
                   stretch=False, phone=charts.misclassified_chart(strip, columns=3))
        st.caption(f"{len(wrong)} of {len(preds):,} test images ({len(wrong) / len(preds):.1%}) are misclassified by "
                   f"the network {IN_WORDS[network]}; the {len(shown)} most confident mistakes are shown "
                   "(true → predicted, confidence). "
                   + ("Pick one above to see its feature maps." if here else
                      f"They are from the {experiment.data_label(*result.dataset)} validation images it was "
                      "trained with."))


def map_charts(maps: dict, big: bool) -> dict[str, tuple]:
    """Per stage of STAGES: (frame, chart) of its feature maps, one shared colour scale per grid."""
    drawn = {}
    for relu, pooled, conv, channels in STAGES:
        for stage, what in ((relu, "after ReLU"), (pooled, "after 2×2 max-pool")):
            df = arithmetic.stack_frame(maps[stage])
            side = maps[stage].shape[-1]
            px = charts.map_pixels(channels, width=900) if big else charts.map_pixels(channels)
            drawn[stage] = df, charts.feature_grid_chart(df, f"{conv} {what}: {channels} × {side} × {side}", px=px)
    return drawn


def show_maps(page: LessonPage, maps: dict, prefix: str = "", owner=None, view: tuple | None = None) -> None:
    """conv1's and conv2's feature maps (after ReLU, after pooling) from inspection.feature_maps. Side by side
    on a screen; one under the other, with larger maps, in presenter mode (readable on a projector). With the
    `owner` and `view` the maps were computed for (ui.runner.derived_from), the charts are built once for
    every session."""
    big = page.big
    drawn = (derived_from(owner, (*view, "charts", big), lambda: map_charts(maps, big)) if view is not None
             else map_charts(maps, big))
    for relu, pooled, conv, channels in STAGES:
        st.subheader(f"{conv}: {channels} channels")
        columns = [st.container(), st.container()] if big else st.columns(2)
        for col, stage in ((columns[0], relu), (columns[1], pooled)):
            df, chart = drawn[stage]
            with col:
                show_chart(chart, df, f"{prefix}{conv}-{stage}", big, key=f"csv-{prefix}{stage}", stretch=False)
