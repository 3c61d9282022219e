"""Page load times in a real browser: cold (first visit after the server starts) and cached."""
from __future__ import annotations

import time

import psutil

from tests.e2e.harness import chromium, streamlit_server, wait_for_app
from ui.course import available_lessons


def _load(browser, url: str, lesson: bool) -> float:
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    start = time.perf_counter()
    page.goto(url)
    wait_for_app(page)
    if lesson:  # a lesson's default view is ready when its first chart is drawn
        page.wait_for_selector('[data-testid="stVegaLiteChart"]', timeout=120_000)
    seconds = time.perf_counter() - start
    context.close()
    return seconds


def bench_pages() -> dict:
    rows = []
    with streamlit_server() as (url, proc), chromium() as browser:
        server = psutil.Process(proc.pid)
        for path in [""] + [l.url_path for l in available_lessons()]:
            cold = _load(browser, f"{url}/{path}", lesson=bool(path))
            cached = _load(browser, f"{url}/{path}", lesson=bool(path))
            rows.append({"page": "/" + path, "cold_s": cold, "cached_s": cached})
        rss = server.memory_info().rss
    return {"pages": rows, "server_rss_mb_after_pages": rss / 2**20}
