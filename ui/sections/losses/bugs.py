"""Section 5 of the cost-function page: softmax before CrossEntropyLoss, NLLLoss on probabilities,
and CrossEntropyLoss = LogSoftmax + NLLLoss checked on a batch of the trained network."""
from __future__ import annotations

import numpy as np
import streamlit as st

from core.compare import CompareResult
from core.lessons.losses import charts, experiment, story
from core.lessons.losses.config import BUG_LOSSES, REFERENCE_LOSS
from core.lessons.losses.softmax import IdentityCheck, softmax_then_ce_floor
from ui.layout import data_table, show_chart
from ui.outcome import show_outcomes
from ui.page import LessonPage

BATCH = 8  # validation images in the identity check
CODE = """loss_fn = nn.CrossEntropyLoss()
loss = loss_fn(torch.softmax(z, dim=1), y)     # bug 1: softmax, then CrossEntropyLoss's own log-softmax
loss = nn.NLLLoss()(torch.softmax(z, dim=1), y) # bug 2: NLLLoss wants log-probabilities
loss = loss_fn(z, y)                             # right: the raw logits
loss = nn.NLLLoss()(nn.LogSoftmax(dim=1)(z), y)  # right too: the same number"""


@st.cache_data(max_entries=16, show_spinner=False)
def checked(_result: experiment.LossesResult, key: tuple, _data, seed: int) -> IdentityCheck:
    """The identity check on the first BATCH validation images (cached per training key)."""
    return experiment.batch_check(_result, _data, seed, BATCH)


def render(page: LessonPage, result: experiment.LossesResult | None, key: tuple | None) -> IdentityCheck | None:
    big, data, seed = page.big, page.data, page.settings.seed
    floor = softmax_then_ce_floor()
    st.header("5. Two common bugs")
    st.markdown(
        "`nn.CrossEntropyLoss` expects **logits**: it applies log-softmax itself, then takes −log p of the true "
        "class (`nn.NLLLoss`). Two mistakes are easy to make, and neither raises an error:")
    st.code(CODE, language="python")
    left, right = st.columns(2)
    with left:
        st.markdown("**Softmax before CrossEntropyLoss** squashes the inputs of the second softmax into [0, 1]. "
                    "Even a perfect prediction, p = one-hot, gives the true class only e / (e + 9):")
        st.latex(rf"-\ln\frac{{e^{{1}}}}{{e^{{1}} + 9\,e^{{0}}}} = \ln(e + 9) - 1 = {floor:.4f}")
    with right:
        st.markdown("**NLLLoss on probabilities** just picks −input[y]. Given p instead of ln p it returns "
                    "−p(true class): always negative, with gradients that fade as p nears 0 or 1.")
        st.latex(r"\text{NLLLoss}(p, y) = -\frac1m \sum_i p_{i, y_i} \in [-1, 0]")
    if result is None:
        st.info("Train the networks in section 4 to see the bugs trained.", icon=":material/play_circle:")
        return None
    present = [n for n in (REFERENCE_LOSS, *BUG_LOSSES) if result.run_of(n) is not None]
    check = checked(result, key, data, seed)
    if len(present) > 1:
        runs = CompareResult({experiment.label(n): result.run_of(n) for n in present})
        order = list(runs.runs)
        show_chart(charts.bug_loss_chart(runs.steps, order, floor), runs.steps, "bug-losses", big)
        show_chart(charts.accuracy(runs.epochs, order, "Validation accuracy with the bugs"), runs.epochs,
                   "bug-accuracy", big, key="csv-bug-accuracy")
        show_outcomes(CompareResult({lab: run for lab, run in runs.runs.items() if lab != order[0]}))
    else:
        st.info("Add the two bugs to the costs of section 4 and train to see them learn.",
                icon=":material/play_circle:")
    st.subheader("The identity, checked on a batch")
    fed = experiment.prepare(data, result.config.inputs)
    images = fed.pixels(fed.x_val[:BATCH].cpu()) if result.config.inputs == "standardised" else fed.x_val[:BATCH].cpu()
    st.markdown(f"The first {BATCH} validation images (their number in the table below, and their label) "
                "through the network trained with cross-entropy above:")
    st.image([np.clip(im[0].numpy(), 0, 1) for im in images], width=64,
             caption=[f"#{i + 1} · label {int(y)}" for i, y in enumerate(fed.y_val[:BATCH].cpu())])
    a, b, c, d = st.columns(4)
    a.metric("CrossEntropyLoss(z, y)", f"{check.cross_entropy:.6f}")
    b.metric("NLLLoss(LogSoftmax(z), y)", f"{check.log_softmax_nll:.6f}")
    c.metric("Bug 1: CE(softmax(z), y)", f"{check.softmax_then_ce:.6f}",
             help="nn.CrossEntropyLoss()(torch.softmax(z, 1), y)")
    d.metric("Bug 2: NLL(softmax(z), y)", f"{check.nll_on_probabilities:.6f}", help="nn.NLLLoss()(torch.softmax(z, 1), y)")
    data_table(check.table, hide_index=True, width="stretch", column_config={
        "p_target": st.column_config.NumberColumn("p(true class)", format="%.4f"),
        "log_p_target": st.column_config.NumberColumn("ln p(true class)", format="%.4f")})
    st.markdown("\n".join(f"- {line}" for line in story.bug_lines(result, check)))
    return check
