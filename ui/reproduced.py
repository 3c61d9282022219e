"""The "reproduced here" box: a published result beside the same measurement made live on this page."""
from __future__ import annotations

from typing import Iterable

import streamlit as st

from core.reproduction import Reproduction

ICONS = {True: ":material/verified:", False: ":material/report:", None: ":material/pending:"}


def reproduced(items: Iterable[Reproduction], title: str = "The paper's number beside ours") -> None:
    """One bordered box per published result: source, claim, the paper's number, ours, the verdict."""
    items = list(items)
    if not items:
        return
    st.subheader(title)
    for item in items:
        with st.container(border=True):
            source = f"[{item.source}]({item.url})" if item.url else item.source
            st.markdown(f"{source} · **{item.verdict}**")
            st.markdown(item.claim)
            left, right = st.columns(2)
            left.markdown(f"**Published:** {item.published}")
            right.markdown(f"**Here, live:** {item.measured}")
            if item.note:
                st.caption(item.note)
