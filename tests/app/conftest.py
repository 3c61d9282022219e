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
    from ui.warm import pinned_navigation_init

    monkeypatch.setattr(PagesManager, "__init__", pinned_navigation_init(PagesManager.__init__))


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


def numbers(values) -> "pd.Series":
    """A column the page shows through core.format.number ("4.89 × 10⁻²", "1,024", "−0.5", "—") back as
    floats (NaN for "—")."""
    import pandas as pd

    def parse(text: str) -> float:
        text = str(text).replace("−", "-").replace(",", "")
        if text == "—":
            return float("nan")
        if "10" in text and text.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")) != text:
            mantissa, _, power = text.rpartition("10")
            exponent = int(power.translate(str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")))
            mantissa = mantissa.replace("×", "").strip()
            return (float(mantissa) if mantissa not in ("", "-") else float(mantissa + "1")) * 10.0 ** exponent
        return float(text)

    return pd.Series(values).map(parse)


# ---------------------------------------------------------------- what a page puts on screen, as text

UNREADABLE = {
    "None": r"\bNone\b",
    "nan": r"(?<![A-Za-z])nan(?![A-Za-z])",  # "nan", "nan%", "[nan, nan]"; "NaN" (the word) is allowed
    "a percent of nothing": "—%",
    "eight repeated digits": r"(\d)\1{7}",  # 2.4999999999, 9.9999999
}


def _chart_text(spec: str) -> list[str]:
    """Titles, subtitles, axis and legend titles and text marks of a Vega-Lite spec (not its data)."""
    import json

    out: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in ("datasets", "data", "values"):
                    continue
                if key in ("title", "subtitle", "text") and isinstance(value, (str, list)):
                    out.extend([value] if isinstance(value, str) else [v for v in value if isinstance(v, str)])
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(json.loads(spec))
    return out


def rendered_text(at) -> list[str]:
    """Every piece of text a page shows in its main area: markdown, captions, callouts, LaTeX, metrics,
    headings, widget labels, every cell and column name of its tables, and the titles and text marks of
    its charts (not code blocks: Python source, where None is a keyword). For checking that nothing
    unreadable (see `unreadable`) reaches the screen."""
    import pandas as pd

    texts: list[str] = []

    def walk(node) -> None:
        children = getattr(node, "children", None)
        if isinstance(children, dict):
            label = getattr(node, "label", None)
            if isinstance(label, str):
                texts.append(label)
            for child in children.values():
                walk(child)
            return
        kind = getattr(node, "type", "")
        if kind in ("dataframe", "table"):  # numbers are formatted by the browser: only a missing one is unreadable
            frame = node.value
            texts.extend(map(str, frame.columns))
            for column in frame.columns:
                values = frame[column]
                if pd.api.types.is_numeric_dtype(values):
                    texts.extend("nan" for v in values if pd.isna(v))
                else:
                    texts.extend(map(str, values))
        elif kind == "vega_lite_chart":
            texts.extend(_chart_text(node.proto.spec))
        elif kind == "code":  # Python source, where None is a keyword, not a missing number
            return
        else:
            for attr in ("value", "label", "body"):
                try:
                    value = getattr(node, attr)
                except Exception:  # an element without that field
                    continue
                if isinstance(value, str):
                    texts.append(value)

    walk(at.main)
    return texts


def unreadable(at) -> list[str]:
    """The pieces of `rendered_text` that show None, nan, a percent of a missing value or a number with
    eight repeated digits, each with the rule it breaks (empty: all readable)."""
    import re

    return [f"{name}: {text[:160]!r}" for text in rendered_text(at) for name, rule in UNREADABLE.items()
            if re.search(rule, text)]


def colour_meanings(at) -> dict[str, set[str]]:
    """Every colour a page's charts give a named category (a colour scale's domain and range), and the
    categories it stands for there."""
    import json

    meanings: dict[str, set[str]] = {}

    def walk(node) -> None:
        if isinstance(node, dict):
            scale = node.get("scale")
            if node.get("field") and isinstance(scale, dict) and isinstance(scale.get("domain"), list) \
                    and isinstance(scale.get("range"), list) and all(isinstance(c, str) and c.startswith("#")
                                                                      for c in scale["range"]):
                for label, colour in zip(scale["domain"], scale["range"]):
                    meanings.setdefault(colour.upper(), set()).add(str(label))
            for key, value in node.items():
                if key not in ("datasets", "data", "values"):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    for chart in at.get("vega_lite_chart"):
        walk(json.loads(chart.proto.spec))
    return meanings


def frames(at) -> list:
    """Every table the page's main area shows (st.dataframe and st.table, data editors left out), in page
    order, as DataFrames."""
    from streamlit.testing.v1.element_tree import Dataframe, Table

    return [node.value for node in at.main
            if isinstance(node, Table) or (isinstance(node, Dataframe) and node.editing_mode == "read_only")]


def summary(at):
    """The page's first run table (the one with a status column)."""
    return next(f for f in frames(at) if "status" in f.columns)
