"""Lesson page: how a network learns — one neuron, the perceptron, the training loop (/basics).

The page is the lesson's outline; its sections live in ui/sections/basics/."""
import streamlit as st

from core.lessons.basics import story
from core.lessons.basics.config import FIELDS, BasicsConfig
from ui.layout import takeaways
from ui.page import open_page
from ui.sections.basics import classifier, loop, neuron, perceptron
from ui.state import initial_config, remember, seed_widgets

page = open_page("basics")
PAGE, settings = page.name, page.settings
seed = settings.seed

start = initial_config(PAGE, BasicsConfig)
seed_widgets(PAGE, {f: getattr(start, f) for f in FIELDS})

st.title("How a network learns")
st.markdown(
    "**The question.** How does a pile of multiplications and additions *learn* anything: what exactly changes "
    "when a network gets better, and what decides the direction of the change?")
st.markdown(
    "A neural network is many small units, **neurons**, each computing a weighted sum of its inputs and "
    "passing it through an activation. It learns by nudging its weights, again and again, in the direction "
    "that makes its answers less wrong. This lesson builds that up: one neuron you can move by hand, "
    "Rosenblatt's perceptron learning logic gates (and failing at one), the training loop of every modern "
    "network taken one step at a time, and finally a real image classifier. Every number below comes from "
    "PyTorch code running as you watch.")

# ------------------------------------------------------------------ 1. one neuron
unit, neuron_fields = neuron.render(page)

# ------------------------------------------------------------------ 2. the perceptron and XOR
run, table, net, perceptron_fields = perceptron.render(page, (unit.w1, unit.w2, unit.bias))

# ------------------------------------------------------------------ 3. the training loop
sum_config, result, loop_fields = loop.render(page, seed)
verdict = None
if result is not None:
    verdict = loop.show_run(page, result, tuple(float(st.session_state[page.key(q)]) for q in ("q1", "q2", "q3")))

# ------------------------------------------------------------------ 4. a real classifier
trained, classifier_fields = classifier.render(page, page.data, seed)

# ------------------------------------------------------------------ the state, in the URL
state = {**neuron_fields, **perceptron_fields, **loop_fields, **classifier_fields,
         **{f: st.session_state[page.key(f)] for f in ("q1", "q2", "q3", "step")}}
try:
    remember(PAGE, BasicsConfig(**state), settings)
except ValueError as exc:  # a query number out of range: keep the last valid link
    st.error(str(exc), icon=":material/error:")

# ------------------------------------------------------------------ lesson
takeaways(story.takeaways(table, run.config.lr, net, verdict, result, trained))
