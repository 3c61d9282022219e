"""Lesson page: cost functions and softmax, and why classification trains with cross-entropy (/losses).

The page is the lesson's outline; its sections live in ui/sections/losses/."""
import streamlit as st

from core.lessons.losses import story
from core.lessons.losses.config import CLASSES, LossesView
from ui.layout import takeaways
from ui.page import open_page
from ui.sections.losses import bugs, compare, neuron, softmax, surface
from ui.state import initial_config, remember, seed_widgets

page = open_page("losses")
PAGE, settings = page.name, page.settings

start = initial_config(PAGE, LossesView)
seed_widgets(PAGE, {
    "gate": start.gate, "bias": start.bias, "w1": start.w1, "w2": start.w2,
    "w0": start.w0, "b0": start.b0, "eta": start.eta,
    **{f"z{j}": start.logits[j] for j in range(CLASSES)}, "temperature": start.temperature, "target": start.target,
    "losses": list(start.losses), "inputs": start.inputs, "output_scale": start.output_scale, "lr": start.lr,
    "epochs": start.epochs, "batch_size": start.batch_size})

st.title("Cost functions and softmax")
st.markdown(
    "**The question.** A network improves by making one number smaller. Which number should it be, and why "
    "does the choice decide whether a classifier learns quickly, slowly, or not at all?")
st.markdown(
    "A network learns by walking downhill on a **cost**: one number that says how wrong it is on the "
    "training data (the **loss** of one example, averaged over the examples). Gradient descent follows the "
    "cost's slope, so the choice of cost decides what the network can learn, and how fast. This page asks "
    "why counting mistakes does not work, why the squared error learns slowly, and why classifiers end in a "
    "**softmax** with the **cross-entropy** cost. Every number below is computed live by PyTorch.")

# ------------------------------------------------------------------ 1-3: small models, computed at once
surface_config = surface.render(page)
neuron_config = neuron.render(page)
softmax_config = softmax.render(page)

# ------------------------------------------------------------------ 4-5: MNIST
compare_config, result = compare.render(page)
key = ("losses.compare", result.config, settings.seed, page.device, page.data.name, page.data.source) \
    if result is not None else None
check = bugs.render(page, result, key)

# ------------------------------------------------------------------ the state, in the URL
parts = [surface_config or start.surface, neuron_config or start.neuron, softmax_config or start.softmax,
         compare_config or start.compare]
remember(PAGE, LossesView.of(*parts), settings)

# ------------------------------------------------------------------ lesson
if surface_config is not None and neuron_config is not None:
    takeaways(story.takeaways(surface.measured(surface_config)[1], neuron.trained(neuron_config), result, check))
