"""Concurrent runs split the CPU's cores; a run alone gets them all back."""
import threading

import torch

from core.threads import CORES, active_runs, cpu_share, threads_per_run


def test_each_of_several_runs_gets_an_equal_share_of_at_least_one_core():
    assert threads_per_run(1, 8) == 8 and threads_per_run(2, 8) == 4 and threads_per_run(3, 8) == 2
    assert threads_per_run(5, 2) == 1 and threads_per_run(0, 2) == 2


def test_every_run_follows_the_number_of_active_runs_in_its_own_thread():
    inside, release, seen = threading.Event(), threading.Event(), {}

    def other_run():
        with cpu_share() as share:
            seen["worker"] = (share.threads, torch.get_num_threads())
            inside.set()
            release.wait(10)

    with cpu_share() as share:
        assert share.threads == CORES and torch.get_num_threads() == CORES
        worker = threading.Thread(target=other_run)
        worker.start()
        inside.wait(10)
        assert active_runs() == 2 and seen["worker"] == (threads_per_run(2), threads_per_run(2))
        assert share.follow() == threads_per_run(2) and torch.get_num_threads() == threads_per_run(2)
        release.set()
        worker.join(10)
        assert active_runs() == 1 and share.follow() == CORES and torch.get_num_threads() == CORES
    assert active_runs() == 0 and torch.get_num_threads() == CORES
