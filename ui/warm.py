"""Results on arrival: at server start, a low-priority process trains every page's default view.

`start_warming()` (called by Home.py, once per server process) launches `python -m ui.warm`. That
process opens every lesson page with its default settings through Streamlit's AppTest (the pages'
own code, so the same cache keys and the same computations), presses each Train button once, and
writes every result into core.store's folder. A student who opens a page afterwards gets its trained
default view from that folder at once; one who arrives earlier trains it live as before (and whichever
finishes first stores it). The process runs at nice 10 on one thread, so it yields the CPU to
students, and exits when every page is done (a few minutes on a 2-core CPU; seconds when the folder
already holds this code version's results).

Turned off by DLVL_WARM=0, and whenever the result folder is (DLVL_RESULTS=off).
"""
from __future__ import annotations

import atexit
import logging
import os
import subprocess
import sys
import time
from pathlib import Path

import streamlit as st

from core.store import default_folder

ROOT = Path(__file__).resolve().parent.parent
log = logging.getLogger("dlvl.warm")


def enabled() -> bool:
    return os.environ.get("DLVL_WARM", "1").lower() not in ("0", "off", "false", "no") and default_folder() is not None


@st.cache_resource(show_spinner=False)
def start_warming() -> subprocess.Popen | None:
    """Launch the warm-up process once per server process (None when turned off)."""
    if not enabled():
        return None
    env = {**os.environ, "DLVL_WARM": "0", "OMP_NUM_THREADS": "1"}
    out = open(os.devnull, "wb") if os.environ.get("DLVL_WARM_LOG") is None else open(os.environ["DLVL_WARM_LOG"], "ab")
    proc = subprocess.Popen([sys.executable, "-m", "ui.warm"], cwd=ROOT, env=env, stdout=out,
                            stderr=subprocess.STDOUT, preexec_fn=lambda: os.nice(10) if hasattr(os, "nice") else None)
    atexit.register(lambda: proc.poll() is None and proc.terminate())
    return proc


def pinned_navigation_init(original):
    """A PagesManager.__init__ that keeps `uses_pages_directory` False after `original`: AppTest resets it
    before every run, which would rerun a page without its entrypoint from the second run on; the real
    server sets it once st.navigation has run and keeps it. Used here and by tests/app/conftest.py."""
    from streamlit.runtime.pages_manager import PagesManager

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    return init


def _pin_navigation() -> None:
    from streamlit.runtime.pages_manager import PagesManager

    PagesManager.__init__ = pinned_navigation_init(PagesManager.__init__)


def warm_page(path: str, timeout: float = 900) -> int:
    """Open one lesson page with its defaults and press each of its Train buttons once; returns how
    many buttons were pressed. Raises what the page raises (an exception element is logged)."""
    from streamlit.testing.v1 import AppTest

    from ui.course import available_lessons

    lesson = next(l for l in available_lessons() if l.url_path == path)
    at = AppTest.from_file(str(ROOT / "Home.py"), default_timeout=timeout)
    at.switch_page(f"pages/{lesson.file}")
    at.run()
    pressed = 0
    while True:
        trains = [b for b in at.button if b.label.startswith("Train")]
        if pressed >= len(trains):
            break
        trains[pressed].click().run()
        pressed += 1
    for exc in at.exception:
        log.warning("%s: %s", path, exc.message)
    return pressed


def main(argv: list[str] | None = None) -> int:
    """Warm the lesson pages named in argv (URL paths), or every lesson page."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s dlvl warm %(message)s")
    _pin_navigation()
    from ui.course import available_lessons

    named = sys.argv[1:] if argv is None else argv
    for lesson in available_lessons():
        if named and lesson.url_path not in named:
            continue
        start = time.monotonic()
        try:
            pressed = warm_page(lesson.url_path)
        except Exception as exc:  # noqa: BLE001 - one page's failure must not stop the others
            log.warning("%s failed: %s", lesson.url_path, exc)
            continue
        log.info("%s ready in %.0f s (%d Train buttons)", lesson.url_path, time.monotonic() - start, pressed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
