"""A page's config <-> its widgets <-> the URL.

On a session's first visit to a page the config comes from the URL (bad values are reported and
replaced by defaults); afterwards from the session, so leaving a page and coming back keeps its
settings. Every run writes the config, with the sidebar's settings, back into the URL, so the
address bar is always a link that reproduces the view.
"""
from __future__ import annotations

from typing import TypeVar

import streamlit as st

from core.config import Config
from core.settings import GLOBAL_KEYS, GlobalSettings

C = TypeVar("C", bound=Config)


def url_params() -> dict[str, list[str]]:
    """The address bar's query parameters; a key repeated in the URL keeps all its values."""
    return {key: st.query_params.get_all(key) for key in st.query_params}


def initial_config(page: str, cls: type[C]) -> C:
    """The config to seed this page's widgets with; shows what was wrong with the URL, if anything."""
    key = f"_cfg.{page}"
    if key not in st.session_state:
        config, messages = cls.from_query(url_params(), ignore=GLOBAL_KEYS)
        st.session_state[key] = config
        st.session_state[f"_msg.{page}"] = messages
    for message in st.session_state.get(f"_msg.{page}", []):
        st.warning(message, icon=":material/link_off:")
    return st.session_state[key]


def seed_widgets(page: str, values: dict) -> None:
    """Give widgets keyed `page.name` their starting values unless they already have one."""
    for name, value in values.items():
        st.session_state.setdefault(f"{page}.{name}", value)


def widget_key(page: str, name: str) -> str:
    return f"{page}.{name}"


def remember(page: str, config: Config, settings: GlobalSettings) -> None:
    """Store the page's current config in the session and in the URL (as one replace of the page's
    browser-history entry: see ui.history)."""
    st.session_state[f"_cfg.{page}"] = config
    st.session_state[f"_msg.{page}"] = []
    wanted = {**settings.to_query(), **config.to_query()}
    if st.query_params.to_dict() != wanted:
        st.query_params.from_dict(wanted)


def global_params(params: dict) -> dict:
    """The sidebar's settings among a URL's parameters."""
    return {key: value for key, value in params.items() if key in GLOBAL_KEYS}
