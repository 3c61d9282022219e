"""Lesson page: overfitting and regularization (/regularization).

The page is the lesson's outline; its sections live in ui/sections/regularization/."""
import streamlit as st

from core.lessons.regularization import story
from core.lessons.regularization.config import RegularizationView
from ui.layout import takeaways
from ui.page import open_page
from ui.sections.regularization import compare, curves, dropout, more_data, overfit
from ui.sections.regularization.common import part_from_widgets, widget_values
from ui.state import initial_config, remember, seed_widgets

page = open_page("regularization")
PAGE, settings, big, k = page.name, page.settings, page.big, page.key
device, data, seed = page.device, page.data, page.settings.seed

start = initial_config(PAGE, RegularizationView)
seed_widgets(PAGE, widget_values(start))
previous: RegularizationView = st.session_state[f"_cfg.{PAGE}"]  # the last valid view (the URL's on a first visit)

st.title("Overfitting and regularization")
st.markdown(
    "**The question.** Why can a network that gets better and better on its training data get worse on new "
    "data, and which cures actually help, by how much?")
st.markdown(
    "A good model does two things: it fits the data it was trained on, and it **generalises** — it does as well on "
    "new data from the same source. A model with enough freedom can do the first without the second: it "
    "**overfits**, learning the noise of its training examples along with the pattern. The sign is unmistakable "
    "once you measure on held-out data: the training error keeps falling while the error on new data stops "
    "falling and rises. This lesson shows it on a curve and on a real network, then tries the common cures: "
    "weight decay, dropout, input noise, max-norm, an activity penalty, early stopping, and more data.")

# the experiments' configs from the widgets; a bad entry in one section leaves the others working
if st.session_state[k("layer")] > st.session_state[k("depth")]:  # fewer hidden layers than the one looked at
    st.session_state[k("layer")] = st.session_state[k("depth")]
parts, errors = {}, {}
for name in ("curve", "overfit", "compare", "data"):
    parts[name], errors[name] = part_from_widgets(page, name)

# ------------------------------------------------------------------ 1. curve fitting
curve_result = curves.render(page, parts["curve"] or previous.curve)

# ------------------------------------------------------------------ 2. a network that overfits
overfit.render(page, parts["overfit"], errors["overfit"], data, seed)

# ------------------------------------------------------------------ 3. regularizers side by side
trained = parts["compare"].training if parts["compare"] is not None else None
compare_result = compare.render(page, trained, errors["compare"], data, seed)

# ------------------------------------------------------------------ 4. dropout made visible
dropout.render(page, parts["compare"] or previous.compare, compare_result, data, seed)

# ------------------------------------------------------------------ 5. more data
data_result = more_data.render(page, parts["data"], errors["data"], trained, data, seed)

# ------------------------------------------------------------------ the URL: every valid part, the last valid one otherwise
remember(PAGE, RegularizationView.of({name: part or getattr(previous, name) for name, part in parts.items()}),
         settings)

takeaways(story.lesson_takeaways(curve_result, compare_result))
