"""Page building blocks: charts with CSV download, takeaways, presenter-aware rendering."""
from __future__ import annotations

import re

import altair as alt
import pandas as pd
import streamlit as st

from core.charts import presenter


def show_chart(chart: alt.TopLevelMixin, data: pd.DataFrame, name: str, big: bool = False,
               key: str | None = None, stretch: bool = True) -> None:
    """An Altair chart (its menu exports PNG/SVG) and a button that downloads its data as CSV (left out in
    presenter mode, `big`). Faceted and fixed-size charts pass stretch=False: they keep their own width."""
    st.altair_chart(presenter(chart, big), width="stretch" if stretch else "content")
    if big:
        return
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    st.download_button("Download data (CSV)", data.to_csv(index=False).encode(), file_name=f"{slug}.csv",
                       mime="text/csv", key=key or f"csv-{slug}", type="tertiary", icon=":material/download:")


def verification(text: str, big: bool = False) -> None:
    """A note that checks the page's numbers (against autograd, a closed form, PyTorch): a caption for a
    student reading alone, left out in presenter mode (`big`)."""
    if not big:
        st.caption(text)


def takeaways(points: list[str]) -> None:
    """The short "what to notice" list at the end of a lesson."""
    st.subheader("What to notice")
    st.markdown("\n".join(f"- {p}" for p in points))

