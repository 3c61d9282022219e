"""Start the app with `streamlit run` on loopback and drive Debian's Chromium with Playwright.

Shared by the end-to-end tests and `make bench` (page load times).
"""
from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def streamlit_server(timeout: float = 90, results: str = "off", warm: bool | None = None):
    """Yield (url, process) of a fresh app server once /_stcore/health answers 'ok'. `results` is its
    folder of stored results (core.store; "off", the default: every run measured or tested from scratch);
    `warm` whether it warms the default views at start (ui.warm; by default, when it has a folder)."""
    port = free_port()
    warm = results != "off" if warm is None else warm
    env = {**os.environ, "DLVL_OFFLINE": "1", "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false",
           "DLVL_RESULTS": results, "DLVL_WARM": "1" if warm else "0"}
    # the server's output goes to a file, not a pipe nobody reads (a full pipe would block the server)
    log = tempfile.NamedTemporaryFile("w+b", prefix="dlvl-server-", suffix=".log", delete=False)
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "Home.py"), "--server.headless=true",
         f"--server.port={port}", "--server.address=127.0.0.1", "--server.fileWatcherType=none"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    proc.log_path = log.name
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                if urllib.request.urlopen(f"{url}/_stcore/health", timeout=2).read() == b"ok":
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                out = Path(log.name).read_text(errors="replace")
                raise RuntimeError(f"streamlit did not become healthy:\n{out[-3000:]}")
            time.sleep(0.2)
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        os.unlink(log.name)


@contextlib.contextmanager
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def wait_for_app(page, timeout_ms: int = 120_000) -> None:
    """Wait until the script run has finished: sidebar drawn, content there, nothing running."""
    page.wait_for_selector('[data-testid="stApp"]', timeout=timeout_ms)
    page.locator('[data-testid="stSidebar"] [data-testid="stNumberInputField"]').wait_for(timeout=timeout_ms)
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && document.querySelector('[data-testid=\"stMainBlockContainer\"]')?.innerText.length > 0",
        timeout=timeout_ms)


# the charts shown: a chart drawn in two layouts (ui.layout.show_chart's phone) has one hidden by CSS
CHARTS = '[data-testid="stVegaLiteChart"] >> visible=true'

ALL_CHARTS_DRAWN = """() => {
  // a chart in its other screen's layout (ui.layout.show_chart's phone) is hidden: not drawn to be seen
  const charts = [...document.querySelectorAll('[data-testid="stVegaLiteChart"]')].filter(c => c.checkVisibility());
  return charts.length > 0 && charts.every(c => {
    const g = c.querySelector('svg, canvas');
    const box = g && g.getBoundingClientRect();
    return box && box.width > 0 && box.height > 0 && (g.tagName.toLowerCase() === 'canvas' || g.querySelector('g.mark-group, g[class^="mark-"]'));
  });
}"""


def wait_for_charts(page, timeout_ms: int = 120_000) -> None:
    """Wait until every chart on the page has been drawn (an SVG with marks, or a canvas)."""
    page.wait_for_function(ALL_CHARTS_DRAWN, timeout=timeout_ms)


def wait_for_training(page, timeout_ms: int = 600_000) -> None:
    """After a Train click: wait for the run to start (its progress bar or the running indicator), then
    for it to end (neither left) and for the page's charts to be drawn."""
    try:
        page.wait_for_selector('[data-testid="stProgress"], [data-testid="stStatusWidget"]', timeout=10_000)
    except Exception:  # a cached result shows at once: nothing to wait for
        pass
    page.wait_for_function(
        "() => !document.querySelector('[data-testid=\"stStatusWidget\"]')"
        " && !document.querySelector('[data-testid=\"stProgress\"]')", timeout=timeout_ms)
    wait_for_app(page, timeout_ms=timeout_ms)
    wait_for_charts(page, timeout_ms=timeout_ms)


def chart_text(page) -> str:
    """Text of every chart drawn so far (titles, headers and axis labels are SVG text)."""
    return " ".join(page.locator(CHARTS).all_inner_texts())


def wait_for_chart_text(page, text: str, timeout_ms: int = 60_000) -> None:
    """Charts mount and draw after the script run ends: wait until one of them shows `text`."""
    page.wait_for_function(
        "t => [...document.querySelectorAll('[data-testid=\"stVegaLiteChart\"]')].some(c => c.innerText.includes(t))",
        arg=text, timeout=timeout_ms)


def expect_at_least(locator, n: int) -> None:
    """Retrying check that at least `n` elements match (Playwright's to_have_count wants exactly n)."""
    from playwright.sync_api import expect

    expect(locator.nth(n - 1)).to_be_attached()


def assert_no_exception(page) -> None:
    errors = page.locator('[data-testid="stException"]')
    assert errors.count() == 0, errors.first.inner_text()
