"""The global sidebar, drawn by the entrypoint on every page so its choices persist across pages."""
from __future__ import annotations

import streamlit as st

from core.data import DATASETS
from core.devices import DEVICE_CHOICES, available_devices, resolve_device
from core.settings import GLOBAL_KEYS, GlobalSettings
from ui.data import get_dataset
from ui.presenter import apply_styles

_LABELS = {"auto": "Auto", "cpu": "CPU", "cuda": "CUDA (NVIDIA GPU)", "mps": "MPS (Apple GPU)"}


def _seed_from_url() -> None:
    """On a session's first run, take the sidebar's values from the link that opened the app."""
    if st.session_state.get("_globals_seeded"):
        return
    st.session_state["_globals_seeded"] = True
    params = {k: st.query_params.get_all(k) for k in st.query_params if k in GLOBAL_KEYS}
    settings, messages = GlobalSettings.from_query(params)
    for key, value in settings.to_query().items():
        st.session_state[f"g.{key}"] = getattr(settings, key)
    st.session_state["_globals_messages"] = messages


def global_sidebar() -> GlobalSettings:
    """Draw the sidebar and return the chosen settings; shows device and data notices."""
    _seed_from_url()
    present = available_devices()
    with st.sidebar:
        st.header("Settings")
        device = st.selectbox(
            "Device", DEVICE_CHOICES, key="g.device",
            format_func=lambda d: _LABELS[d] + ("" if d == "auto" or present.get(d) else " — not present"),
            help="Where models train. Auto picks CUDA, then MPS, then the CPU.")
        seed = st.number_input("Random seed", min_value=0, max_value=2**31 - 1, step=1, key="g.seed",
                               help="Same seed, same initial weights and batches: same numbers.")
        dataset = st.selectbox("Dataset", list(DATASETS), key="g.dataset", format_func=DATASETS.get,
                               help="FashionMNIST needs a network connection the first time.")
        presenter = st.toggle("Presenter mode", key="g.presenter",
                              help="Larger text and chart fonts for a projector.")
        settings = GlobalSettings(device=device, seed=int(seed), dataset=dataset, presenter=presenter)
        resolved = resolve_device(settings.device)
        if resolved.notice:
            st.warning(resolved.notice, icon=":material/memory:")
        st.caption(f"Training on **{resolved.name.upper()}**.")
        data = get_dataset(settings.dataset, resolved.name)
        (st.info if data.source == "bundled" else st.caption)(data.note)
        for message in st.session_state.get("_globals_messages", []):
            st.warning(message)
        apply_styles(presenter)
    return settings
