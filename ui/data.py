"""The dataset tensors, loaded once per (dataset, device) for the whole server."""
from __future__ import annotations

import streamlit as st

from core.data import Dataset, load_dataset


@st.cache_resource(max_entries=4, show_spinner="Loading data…")
def get_dataset(name: str, device: str) -> Dataset:
    return load_dataset(name, device)
