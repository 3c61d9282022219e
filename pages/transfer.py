"""Lesson page: transfer learning with a pretrained network (/transfer).

The page is the lesson's outline; its sections live in ui/sections/transfer/."""
import streamlit as st

from core.lessons.transfer import story
from core.lessons.transfer.config import TransferConfig
from core.lessons.transfer.digits import load_digits
from ui.data import get_dataset
from ui.layout import data_table, takeaways
from ui.page import open_page
from ui.sections.transfer import densenet, newtask, recipe, sweep
from ui.state import initial_config, remember, seed_widgets

page = open_page("transfer")
PAGE, settings, big, k = page.name, page.settings, page.big, page.key
device = page.device

start = initial_config(PAGE, TransferConfig)
seed_widgets(PAGE, sweep.widget_values(start))

st.title("Transfer learning")
st.markdown(
    "**The question.** With only a handful of labelled images per class, can a network that already learned "
    "one task learn a new one, and which of its layers should keep what they learned?")
st.markdown(
    "Labelled data is expensive; a network trained on a large data set is not. **Transfer learning** reuses "
    "what a network learned on one task for another: keep its layers, which learned to see strokes and shapes, "
    "and train a new last layer for the new classes, alone (the old layers **frozen**) or together with the "
    "rest (**fine-tuning**). How much does that save? Below, a CNN pretrained on MNIST meets a new set of "
    "handwritten digits, with only a few labelled images per class.")

try:
    config = sweep.config_from_widgets(page)
except ValueError as exc:
    st.error(str(exc), icon=":material/error:")
    st.stop()
remember(PAGE, config, settings)

mnist = get_dataset("mnist", device)  # always MNIST: the pretraining task of this lesson
digits = load_digits(device)
data_key = (device, mnist.name, mnist.source)
pre = newtask.pretrained_network(page, mnist)

# ------------------------------------------------------------------ 1, 2. the pretrained network and the new task
zs = newtask.render(page, mnist, digits, pre)

# ------------------------------------------------------------------ 3. the recipe
counts = recipe.render(page, config, digits, pre, data_key)

# ------------------------------------------------------------------ 4. the K-shot sweep
result = sweep.render(page, config, digits, pre, data_key, zs.accuracy)

# ------------------------------------------------------------------ what to notice
if result is not None:
    takeaways(story.takeaways(result, zs.accuracy, pre.mnist_accuracy, zs.n, counts, pre.n_train))
    reference = story.reference_table(result, zs.accuracy)
    with st.expander("The course's reference numbers beside this run"):
        if reference is None:
            st.markdown(f"The reference was measured at K = {story.REFERENCE_K}: add K = 5 to the sweep (or press "
                        "the reference preset) to set this run beside it.")
        else:
            data_table(reference, hide_index=True, width="stretch")
            st.caption(story.reference_caption(result))

# ------------------------------------------------------------------ 5. densenet121
densenet.render(page, digits)
