"""Section 3 of the cost-function page: ten logits and a temperature to probabilities, their sum,
their logarithms and the cross-entropy of the true class, with the numbers in the formula."""
from __future__ import annotations

import streamlit as st

from core.format import number
from core.lessons.losses import charts, softmax
from core.lessons.losses.config import CLASSES, LOGIT, TEMPERATURE, SoftmaxConfig
from ui.layout import data_table, show_chart
from ui.page import LessonPage

COLUMNS = {"class": st.column_config.NumberColumn("class"),
           "z": st.column_config.NumberColumn("z", format="%.2f"),
           "scaled": st.column_config.NumberColumn("z / T", format="%.3f"),
           "exp": st.column_config.NumberColumn("e^(z/T − max)", format="%.4f"),
           "p": st.column_config.NumberColumn("p = softmax", format="%.4f"),
           "log_p": st.column_config.NumberColumn("ln p", format="%.4f"),
           "grad": st.column_config.NumberColumn("∂CE/∂z (autograd)", format="%.4f")}


def render(page: LessonPage) -> SoftmaxConfig | None:
    k, big = page.key, page.big
    st.header("3. Softmax: from ten scores to ten probabilities")
    st.markdown(
        "A classifier's last layer gives one score per class, the **logits** z. **Softmax** turns them into "
        "probabilities: exponentiate (so every one is positive), then divide by the sum (so they add up to 1). "
        "The **cross-entropy** of an example is −ln of the probability given to its true class: 0 when "
        "that probability is 1, ln 10 ≈ 2.30 for a uniform guess over ten classes, without limit as it goes "
        "to 0. A temperature T divides the logits first: high T flattens, low T sharpens.")
    with st.container(border=True):
        for row in range(2):
            for i, column in enumerate(st.columns(5)):
                j = 5 * row + i
                column.slider(f"z{j} (class {j})", *LOGIT, step=0.1, key=k(f"z{j}"))
        a, b = st.columns(2)
        a.slider("Temperature T", *TEMPERATURE, step=0.1, key=k("temperature"))
        b.selectbox("True class y", list(range(CLASSES)), key=k("target"))
    try:
        config = SoftmaxConfig(logits=tuple(float(st.session_state[k(f"z{j}")]) for j in range(CLASSES)),
                               temperature=st.session_state[k("temperature")], target=st.session_state[k("target")])
    except ValueError as exc:
        st.error(str(exc), icon=":material/error:")
        return None
    result = softmax.worked(config)
    y, t = config.target, config.temperature
    row = result.table.iloc[y]
    left, right = st.columns([3, 2])
    with left:
        show_chart(charts.softmax_chart(result.table, y), result.table, "softmax-probabilities", big)
    with right:
        st.metric("Sum of the probabilities", f"{result.total:.6f}")
        st.metric(f"Cross-entropy of class {y}", f"{result.loss:.4f}")
        st.latex(r"p_j = \operatorname{softmax}(z / T)_j = \frac{e^{z_j / T}}{\sum_{k} e^{z_k / T}}")
        st.latex(rf"p_{{{y}}} = \frac{{e^{{({row['z']:.2f} - {result.shift * t:.2f}) / {t:g}}}}}"
                 rf"{{\sum_k e^{{(z_k - {result.shift * t:.2f}) / {t:g}}}}}")
        st.latex(rf"= \frac{{{row['exp']:.4f}}}{{{result.table['exp'].sum():.4f}}} = {row['p']:.4f}")
        st.latex(rf"\text{{CE}} = -\ln p_{{{y}}} = -\ln {row['p']:.4f} = {result.by_hand:.4f}")
        st.caption("Subtracting the largest logit before exponentiating changes nothing (it cancels in the "
                   "fraction) and keeps e^(z/T) from overflowing: PyTorch does the same. The cross-entropy "
                   f"above is `F.cross_entropy`'s ({number(result.loss, digits=6)}); the formula's by hand.")
    data_table(result.table, hide_index=True, width="stretch", column_config=COLUMNS)
    st.caption(f"The last column is autograd's gradient of the cross-entropy with respect to each logit: "
               f"(p − onehot({y})) / T. It pushes the true class's logit up and every other one down, each "
               "by its probability.")
    return config
