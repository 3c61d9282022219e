"""Server memory under use: 200 page runs with varied, seeded settings across every lesson.

Every tenth run opens a lesson link with different query parameters (a new session that runs the
page, and trains where the page trains on first visit); the nine runs after it rerun that same
session with a new random seed in the sidebar, so the page computes afresh in the session it
already has. The server's RSS is sampled as it goes: bounded caches and no tensors piling up in a
session's state keep it flat after the first few distinct views.
"""
from __future__ import annotations

import random
from urllib.parse import urlencode

import psutil

from tests.e2e.harness import chromium, streamlit_server, wait_for_app
from ui.course import available_lessons

# per lesson: parameters and the values a visit picks from (small networks: this measures memory)
VARIATIONS: dict[str, dict[str, list]] = {
    "activations": {"functions": ["sigmoid,tanh,relu", "step,gelu", "elu,silu,softplus", "leaky_relu"],
                    "x_min": [-8, -4, -2], "depth": [3, 8, 15, 30], "depth_init": ["default", "he_normal"]},
    "initialization": {"activation": ["tanh", "relu", "sigmoid"], "depth": [4, 10, 20, 30],
                       "width": [16, 64, 128], "schemes": ["default,xavier_uniform", "equal,he_normal"]},
    "batchnorm": {"activation": ["sigmoid", "tanh", "relu"], "depth": [1, 2, 3], "width": [16, 32, 64],
                  "epochs": [1], "lr": [0.1, 0.5, 1.0]},
    "momentum": {"surface": ["two_minima", "saddle", "plateau", "valley", "rosenbrock", "lesson"],
                 "momenta": ["0,0.9", "0,0.5,0.9", "0.8,0.95"], "steps": [50, 100, 200]},
    "cnn": {"index": [0, 7, 42, 99], "stride": [1, 2], "padding": [0, 1, 2], "kernel": ["sobel_x", "outline", "gaussian5"]},
}


RUNS_PER_SESSION = 10


def bench_memory(visits: int = 200, seed: int = 0) -> dict:
    rng = random.Random(seed)
    paths = [lesson.url_path for lesson in available_lessons()]
    samples = []
    with streamlit_server() as (url, proc), chromium() as browser:
        server = psutil.Process(proc.pid)
        context = browser.new_context(viewport={"width": 1200, "height": 900})
        page = context.new_page()
        for i in range(visits):
            if i % RUNS_PER_SESSION == 0:  # a new session on a varied link
                path = paths[(i // RUNS_PER_SESSION) % len(paths)]
                params = {k: rng.choice(v) for k, v in VARIATIONS.get(path, {}).items()}
                page.goto(f"{url}/{path}?{urlencode(params)}", timeout=300_000)
            else:  # a rerun of the same session with another seed
                seed_field = page.get_by_label("Random seed", exact=True)
                seed_field.fill(str(rng.randrange(1, 10_000)))
                seed_field.press("Enter")
                page.wait_for_function("s => new URLSearchParams(location.search).get('seed') === s",
                                       arg=seed_field.input_value(), timeout=60_000)
            wait_for_app(page, timeout_ms=300_000)
            page.wait_for_selector('[data-testid="stVegaLiteChart"]', timeout=300_000)
            if (i + 1) % 20 == 0:
                samples.append({"visits": i + 1, "rss_mb": server.memory_info().rss / 2**20})
        context.close()
        peak = high_water_mb(proc.pid)
    rss = [s["rss_mb"] for s in samples]
    return {"memory": {"visits": visits, "samples": samples, "server_peak_rss_mb": peak,
                       "rss_growth_last_half_mb": rss[-1] - rss[len(rss) // 2 - 1]}}


def high_water_mb(pid: int) -> float:
    """The process's peak resident set size (Linux VmHWM), not just the RSS at sampling time."""
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")
