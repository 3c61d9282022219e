"""The transfer lesson, section 3: the recipe on the real pretrained network, its source as it runs,
the parameter counts, and the check after one real training step."""
from __future__ import annotations

import inspect

import pandas as pd
import streamlit as st

import core.format as fmt
from core.lessons.transfer import experiment, recipe
from core.lessons.transfer.config import TransferConfig
from core.lessons.transfer.digits import Digits
from core.lessons.transfer.pretrain import PRETRAIN, Pretrained
from ui.layout import data_table
from ui.page import LessonPage
from ui.runner import shared


def check_table(table: pd.DataFrame) -> pd.DataFrame:
    """step_check's table as the page shows it: numbers through core.format, 'none' for no gradient."""
    return pd.DataFrame({
        "parameter": table["name"], "shape": table["shape"], "parameters": [f"{n:,}" for n in table["parameters"]],
        "requires_grad": table["trainable"],
        ".grad after the step": ["none" if not g else f"norm {fmt.number(v)}"
                                 for g, v in zip(table["has_gradient"], table["gradient"])],
        "largest change": ["0 (unchanged)" if v == 0 else fmt.number(v) for v in table["largest_change"]]})


def render(page: LessonPage, config: TransferConfig, digits: Digits, pre: Pretrained, data_key: tuple
           ) -> dict[str, int]:
    """Section 3; returns the frozen network's parameter counts."""
    st.header("3. The recipe: freeze, replace the last layer, optimise what is left")
    st.markdown(
        "To reuse a trained network for new classes: switch off the gradient of every parameter "
        "(`requires_grad = False`), put a new last layer in place of the old one (a new layer requires "
        "gradients by default), and give the optimizer only the parameters that still require gradients. "
        "This is the code every run below uses, shown as it is:")
    st.code("\n\n".join(inspect.getsource(f) for f in (recipe.freeze, recipe.replace_head, recipe.trainable)),
            language="python", wrap_lines=True)
    source = inspect.getsource(recipe.prepare)
    st.code(source[source.index("    if method =="):], language="python", wrap_lines=True)
    st.caption("From `core/lessons/transfer/recipe.py`: `prepare` builds the four ways of training compared in "
               "section 4; `make_optimizer` is the course's SGD with the settings chosen there, and `seeded` "
               "initialises the new layer from the run's seed.")
    key = ("transfer.recipe", config.k, config.train_settings(), config.feature_lr, page.settings.seed, PRETRAIN,
           *data_key)
    table, counts, loss = shared(key, lambda: experiment.recipe_check(config, digits, pre, page.settings.seed))
    a, b, c = st.columns(3)
    a.metric("Trainable parameters", f"{counts['trainable']:,}")
    b.metric("Frozen parameters", f"{counts['frozen']:,}")
    c.metric("Trainable share", fmt.percent(counts["trainable"] / counts["total"]))
    frozen = table[~table["trainable"]]
    unchanged = bool((frozen["largest_change"] == 0).all()) and not bool(frozen["has_gradient"].any())
    head = table[table["trainable"]]
    moved = bool((head["largest_change"] > 0).all()) and bool(head["has_gradient"].all())
    n = min(10 * config.k, config.batch_size)
    verdict = ("every frozen tensor has no gradient and is exactly as it was; the new layer got a gradient and moved"
               if unchanged and moved else "the check FAILED: see the table")
    (st.success if unchanged and moved else st.error)(
        f"One real training step (core.training.train, one batch of {n} labelled digits, loss {fmt.number(loss)}) on "
        f"the frozen network: {verdict}.", icon=":material/task_alt:" if unchanged and moved else ":material/error:")
    with st.expander("The check, parameter by parameter"):
        data_table(check_table(table), hide_index=True, width="stretch")
        st.caption("Before the step every parameter was copied; after it, `.grad` and the largest absolute "
                   "difference from the copy were read off each tensor. A frozen parameter never gets a `.grad`: "
                   "autograd does not even compute it, which is why training the frozen network is cheaper.")
    return counts
