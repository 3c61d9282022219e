"""Two students pressing Train on different settings at once, in one server process (as Streamlit runs
sessions: threads of one process, one torch thread pool).

Measured: samples/s of one run alone, then of two runs started together (different seeds), first
with every run using all the cores (what torch does by itself), then with core.threads' equal share
(what core.training.train does). The figure of merit is the sum of the two runs' speeds against one
run's alone: below 1 the class would be better served one after the other.
"""
from __future__ import annotations

import threading
from unittest import mock

import torch

import core.threads
from core.data import load_dataset
from core.models import MLP
from core.seeding import seeded
from core.training import TrainSettings, train

SIZES = [784, 100, 100, 10]
SETTINGS = TrainSettings(epochs=2, batch_size=64, lr=0.05, momentum=0.9, log_every=50)


def _run(data, seed: int, out: list, index: int) -> None:
    model = seeded(seed, lambda: MLP(SIZES, "relu"))
    out[index] = train(model, data, SETTINGS, seed=seed).samples_per_s


def _together(data, n: int = 2) -> list[float]:
    out = [0.0] * n
    workers = [threading.Thread(target=_run, args=(data, seed, out, i)) for i, seed in enumerate(range(1, n + 1))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    return out


def bench_concurrency() -> dict:
    data = load_dataset("mnist", "cpu", offline=True)
    _run(data, 0, [0.0], 0)  # warm-up (the first optimizer imports a lot)
    alone = [0.0]
    _run(data, 0, alone, 0)
    shared = _together(data)
    cores = core.threads.CORES
    with mock.patch.object(core.threads, "threads_per_run", lambda active, cores=cores: cores):
        greedy = _together(data)
    torch.set_num_threads(cores)
    return {"concurrency": {
        "cores": cores, "alone_samples_per_s": alone[0],
        "two_runs_all_cores_samples_per_s": greedy, "two_runs_shared_cores_samples_per_s": shared,
        "sum_vs_alone_all_cores": sum(greedy) / alone[0], "sum_vs_alone_shared_cores": sum(shared) / alone[0]}}
