"""What every lesson page starts with: run inside the entrypoint, read the sidebar's settings, and
get the device and dataset they chose."""
from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from core.data import Dataset
from core.devices import resolve_device
from core.settings import GlobalSettings
from ui.bootstrap import require_entrypoint
from ui.data import get_dataset
from ui.state import widget_key


@dataclass(frozen=True)
class LessonPage:
    name: str  # the page's key: prefixes its widget keys and its config in the session
    settings: GlobalSettings
    device: str  # the device actually used ("cuda" chosen on a machine without one gives "cpu")

    @property
    def big(self) -> bool:
        """Presenter mode: larger chart text for a projector."""
        return self.settings.presenter

    @property
    def data(self) -> Dataset:
        """The sidebar's dataset on the page's device, loaded once per server (on first use)."""
        return get_dataset(self.settings.dataset, self.device)

    def key(self, widget: str) -> str:
        return widget_key(self.name, widget)


def open_page(name: str) -> LessonPage:
    require_entrypoint()
    settings = st.session_state["settings"]
    return LessonPage(name, settings, resolve_device(settings.device).name)
