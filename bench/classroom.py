"""A whole class at once: N browser sessions open the same lesson link on a fresh server.

Measured on loopback: the server's CPU seconds from the first request until every session shows
the finished lesson, and how many computations the server actually ran (it logs one line per
computation; the shared cache should make that the same for one student and for thirty).
"""
from __future__ import annotations

import time
from pathlib import Path

import psutil

from tests.e2e.harness import chromium, streamlit_server, wait_for_app

# batch norm trains on a student's first visit, so every session asks for the same training run
LINK = "/batchnorm"
READY_TEXT = "One neuron, worked through"


def _cpu_seconds(proc: psutil.Process) -> float:
    times = proc.cpu_times()
    return times.user + times.system


def _class_of(n: int, browser) -> dict:
    with streamlit_server() as (url, proc):
        server = psutil.Process(proc.pid)
        log = Path(proc.log_path)
        before = _cpu_seconds(server)
        start = time.perf_counter()
        contexts = [browser.new_context(viewport={"width": 1200, "height": 900}) for _ in range(n)]
        pages = [c.new_page() for c in contexts]
        for page in pages:  # all requests go out before any page is waited for
            page.goto(url + LINK, wait_until="commit", timeout=300_000)
        for page in pages:
            page.get_by_text(READY_TEXT).wait_for(timeout=600_000)
            wait_for_app(page, timeout_ms=600_000)
        seconds = time.perf_counter() - start
        cpu = _cpu_seconds(server) - before
        rss = server.memory_info().rss / 2**20
        for c in contexts:
            c.close()
        runs = log.read_text(errors="replace").count("dlvl computing batchnorm.train")
    return {"sessions": n, "server_cpu_s": cpu, "wall_s": seconds, "training_runs": runs, "server_rss_mb": rss}


def bench_classroom(sizes: tuple[int, ...] = (1, 30)) -> dict:
    with chromium() as browser:
        return {"classroom": [_class_of(n, browser) for n in sizes]}
