"""Section 2 of the cost-function page: Nielsen's one neuron learning slowly with the quadratic cost
and without slowdown with cross-entropy."""
from __future__ import annotations

import streamlit as st

from core.lessons.losses import charts, neuron, story
from core.lessons.losses.config import ETA, NEURON_EPOCHS, NIELSEN_CE_ETA, START, NeuronConfig
from ui.layout import show_chart
from ui.page import LessonPage
from ui.reproduced import reproduced

ORDER = list(neuron.COSTS.values())


@st.cache_data(max_entries=64, show_spinner=False)
def trained(config: NeuronConfig):
    """Both costs' runs from this start (a few tenths of a second: 2 × 300 SGD steps)."""
    return neuron.run(config)


def render(page: LessonPage) -> NeuronConfig | None:
    k, big = page.key, page.big
    st.header("2. A smooth cost can still learn slowly")
    st.markdown(
        "Make the output smooth (a sigmoid) and keep the squared error, and the neuron can learn. But "
        "slowly, when it starts badly wrong. Nielsen's example (*Neural Networks and Deep Learning*, ch. 3): "
        "one sigmoid neuron with one input should turn the input 1 into the output 0. It starts at "
        "w = b = 2, so its output is σ(4) = 0.98: about as wrong as it can be. Below it trains "
        f"{NEURON_EPOCHS} epochs of plain gradient descent on that one example, once with each cost.")
    with st.container(border=True):
        a, b, c = st.columns(3)
        a.slider("Starting weight w", *START, step=0.1, key=k("w0"))
        b.slider("Starting bias b", *START, step=0.1, key=k("b0"))
        c.slider("Learning rate η", *ETA, step=0.001, format="%.3f", key=k("eta"),
                 help=f"Nielsen uses 0.15 for the quadratic cost and {NIELSEN_CE_ETA:g} for cross-entropy; "
                      "here one η serves both, so the comparison is fair.")
    try:
        config = NeuronConfig(w0=st.session_state[k("w0")], b0=st.session_state[k("b0")], eta=st.session_state[k("eta")])
    except ValueError as exc:
        st.error(str(exc), icon=":material/error:")
        return None
    frame = trained(config)
    left, right = st.columns(2)
    with left:
        show_chart(charts.neuron_chart(frame, ORDER), frame, "one-neuron-output", big)
    with right:
        show_chart(charts.neuron_gradient_chart(frame, ORDER), frame, "one-neuron-gradient", big, key="csv-neuron-grad")
    left, right = st.columns(2)  # one short formula a line: a phone's column is narrow
    left.markdown("**Quadratic cost**")
    left.latex(r"C = \tfrac12 (a - y)^2")
    left.latex(r"\frac{\partial C}{\partial w} = (a - y)\,\sigma'(z)\, x")
    right.markdown("**Cross-entropy**")
    right.latex(r"C = -[y \ln a + (1-y)\ln(1-a)]")
    right.latex(r"\frac{\partial C}{\partial w} = (a - y)\, x")
    st.markdown("\n".join(f"- {line}" for line in story.neuron_lines(frame, config)))
    with st.expander("Why the σ′(z) cancels in the cross-entropy"):
        st.latex(r"\frac{\partial C}{\partial w} = -\Big(\frac{y}{a} - \frac{1-y}{1-a}\Big)\frac{\partial a}{\partial w}"
                 r" = -\frac{y - a}{a(1-a)}\,\sigma'(z)\,x")
        st.latex(r"= (a - y)\,x, \qquad \text{since } \sigma'(z) = a(1-a).")
        st.markdown("The quadratic cost keeps the factor σ′(z) = a(1 − a), which is near 0 whenever the "
                    "output is near 0 or 1: exactly when the neuron is confidently wrong. The cross-entropy's "
                    "gradient is the error (a − y) itself: largest when the neuron is most wrong.")
    reproduced(story.nielsen_reproductions(trained(NeuronConfig()), trained(NeuronConfig(eta=NIELSEN_CE_ETA))),
               title="Nielsen's observations beside ours")
    return config
