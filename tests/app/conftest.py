import pytest
from streamlit.runtime.pages_manager import PagesManager

import core.devices
import ui.sidebar
from streamlit.testing.v1 import AppTest

from tests.conftest import ROOT


@pytest.fixture(autouse=True)
def navigation_app(monkeypatch):
    """Make AppTest rerun the entrypoint, as the real server does.

    AppTest resets PagesManager.uses_pages_directory before every run, and a `pages/` folder beside
    the entrypoint then turns on the legacy multipage path, which reruns only the page script: the
    entrypoint's sidebar vanishes from the second run on. The real server sets the flag to False
    once st.navigation has run and keeps it; pin it the same way here.
    """
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)


@pytest.fixture(autouse=True)
def cpu_only(monkeypatch):
    """The same machine for every AppTest: no CUDA, no MPS (the tests check the fallback notices).
    AppTest runs the app in this process, so patching the lookup here reaches the pages."""
    def cpu() -> dict[str, bool]:
        return {"cpu": True, "cuda": False, "mps": False}

    monkeypatch.setattr(core.devices, "available_devices", cpu)
    monkeypatch.setattr(ui.sidebar, "available_devices", cpu)


@pytest.fixture
def app():
    """A fresh AppTest of the whole app (entrypoint + navigation), not yet run."""
    def make(page: str | None = None, **query) -> AppTest:
        at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=120)
        for key, value in query.items():
            at.query_params[key] = value
        if page is not None:
            at.switch_page(f"pages/{page}")
        return at
    return make


def percents(values) -> "pd.Series":
    """A column the page shows as text through core.format ("91.3%", "—") back as shares (NaN for "—")."""
    import pandas as pd

    return pd.Series(values).map(lambda v: float("nan") if v == "—" else float(str(v).rstrip("%")) / 100)
