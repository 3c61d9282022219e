"""Make sure every page runs inside the entrypoint (Home.py), even on a fresh server.

Streamlit still honours its legacy "pages/ folder" mode until the first script run reaches
st.navigation: a bookmarked /activations opened as the first request after a server (re)start
would run pages/activations.py on its own, without the sidebar or settings. A page that finds
itself run that way switches the legacy mode off and reruns, which goes through Home.py.
"""
from __future__ import annotations

import streamlit as st

try:  # internal API; if it moves, the session-state check below still catches the case
    from streamlit.runtime.pages_manager import PagesManager
except ImportError:  # pragma: no cover
    PagesManager = None


def require_entrypoint() -> None:
    legacy = PagesManager is not None and PagesManager.uses_pages_directory
    if legacy or "settings" not in st.session_state:
        if PagesManager is not None:
            PagesManager.uses_pages_directory = False
        st.rerun()
