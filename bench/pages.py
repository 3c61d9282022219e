"""Every page in a real browser, cold (first visit after the server starts) and cached (a new session
asking for a view the server has already computed).

Per page and visit: the seconds until every chart is drawn (`cold_s`, `cached_s`), the bytes the
server sent over the page's WebSocket (`bytes_sent`, cached visit), and the server's CPU seconds spent
on the cached visit (`server_cpu_s`): what one more student costs once the class has the result.
`cached_draw_s` is the cached time beyond the home page's own (home has no chart: its time is the
app's start-up in the browser, which every page pays).
"""
from __future__ import annotations

import time

import psutil

from tests.e2e.harness import chromium, streamlit_server, wait_for_app, wait_for_charts
from ui.course import available_lessons


def cpu_seconds(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system + times.children_user + times.children_system


def visit(browser, url: str, lesson: bool, server: psutil.Process) -> dict:
    """One visit in a fresh browser context: seconds until ready, bytes received over the WebSocket,
    and the server's CPU seconds meanwhile."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    received = [0]

    def on_socket(ws) -> None:
        ws.on("framereceived", lambda payload: received.__setitem__(0, received[0] + len(payload)))

    page.on("websocket", on_socket)
    cpu = cpu_seconds(server)
    start = time.perf_counter()
    page.goto(url)
    wait_for_app(page, timeout_ms=600_000)
    if lesson:  # a lesson's default view is ready when every chart on it is drawn
        wait_for_charts(page, timeout_ms=600_000)
    seconds = time.perf_counter() - start
    page.wait_for_timeout(300)  # the last frames of the run's messages
    cpu = cpu_seconds(server) - cpu
    context.close()
    return {"s": seconds, "bytes": received[0], "cpu_s": cpu}


def bench_pages() -> dict:
    rows = []
    with streamlit_server() as (url, proc), chromium() as browser:
        server = psutil.Process(proc.pid)
        for path in [""] + [lesson.url_path for lesson in available_lessons()]:
            cold = visit(browser, f"{url}/{path}", bool(path), server)
            cached = visit(browser, f"{url}/{path}", bool(path), server)
            rows.append({"page": "/" + path, "cold_s": cold["s"], "cached_s": cached["s"],
                         "bytes_sent": cached["bytes"], "server_cpu_s": cached["cpu_s"]})
        rss = server.memory_info().rss
    home = rows[0]["cached_s"]
    return {"pages": rows, "server_rss_mb_after_pages": rss / 2**20,
            "cached_draw_s": {row["page"]: row["cached_s"] - home for row in rows}}
