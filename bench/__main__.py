"""`make bench`: engine vs DataLoader speed, CNN speed, memory and page load times, in one run.

Prints a table and writes bench/results.json (git-ignored). Numbers, not assertions: the machines
are shared and noisy, so nothing here passes or fails.
"""
from __future__ import annotations

import argparse
import json
import platform
import resource
import sys
from pathlib import Path

import torch

from bench.classroom import bench_classroom
from bench.memory import bench_memory
from bench.mlp import bench_cnn, bench_mlp
from bench.pages import bench_pages

SECTIONS = ("engine", "pages", "classroom", "memory")


def sections(argv: list[str] | None = None) -> list[str]:
    """The sections named on the command line, in SECTIONS order; all of them when none is named."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    # no `choices=`: argparse checks an empty list against them and refuses a bare `python -m bench`
    parser.add_argument("sections", nargs="*", metavar="{" + ",".join(SECTIONS) + "}",
                        help="what to measure (default: everything, about ten minutes)")
    named = parser.parse_args(argv).sections
    if unknown := [s for s in named if s not in SECTIONS]:
        parser.error(f"unknown section {', '.join(unknown)}; choose from {', '.join(SECTIONS)}")
    return [s for s in SECTIONS if s in named or not named]


def main() -> int:
    wanted = sections()
    results: dict = {"torch": torch.__version__, "threads": torch.get_num_threads(),
                     "python": platform.python_version(), "cpu_count": __import__("os").cpu_count()}
    if "engine" in wanted:
        print("Benchmarking the MLP (784-50-50-10 sigmoid, SGD lr 0.01 momentum 0.9, batch 64)…", flush=True)
        results.update(bench_mlp())
        print("Benchmarking the lesson CNN…", flush=True)
        results.update(bench_cnn())
        results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if "pages" in wanted:
        print("Timing page loads in headless Chromium…", flush=True)
        results.update(bench_pages())
    if "classroom" in wanted:
        print("A class of 1, then 30 sessions opening /batchnorm on a fresh server…", flush=True)
        results.update(bench_classroom())
    if "memory" in wanted:
        print("200 page runs with varied settings across every lesson…", flush=True)
        results.update(bench_memory())

    print()
    print(f"{'measure':<44}{'value':>14}")
    print("-" * 58)
    rows = []
    if "engine" in wanted:
        rows += [
            ("MLP, DataLoader(ToTensor) loop  samples/s", f"{results['dataloader_samples_per_s']:,.0f}"),
            ("MLP, core engine + grad probes  samples/s", f"{results['engine_samples_per_s']:,.0f}"),
            ("mlp_speedup (engine / DataLoader)", f"{results['mlp_speedup']:.2f}x"),
            ("CNN, core engine                samples/s", f"{results['cnn_samples_per_s']:,.0f}"),
            ("peak RSS, training process      MB", f"{results['peak_rss_mb']:,.0f}"),
        ]
    if "pages" in wanted:
        rows.append(("server RSS after all pages      MB", f"{results['server_rss_mb_after_pages']:,.0f}"))
        rows += [(f"page {p['page']:<15} cold / cached s", f"{p['cold_s']:.2f} / {p['cached_s']:.2f}")
                 for p in results["pages"]]
    if "classroom" in wanted:
        rows += [(f"class of {c['sessions']:>2}: server CPU s / training runs",
                  f"{c['server_cpu_s']:.1f} / {c['training_runs']}") for c in results["classroom"]]
        rows += [(f"class of {c['sessions']:>2}: all ready after      s", f"{c['wall_s']:.1f}")
                 for c in results["classroom"]]
    if "memory" in wanted:
        m = results["memory"]
        rows += [(f"server peak RSS over {m['visits']} page runs MB", f"{m['server_peak_rss_mb']:,.0f}"),
                 ("RSS change over the last half     MB", f"{m['rss_growth_last_half_mb']:+,.0f}")]
    for name, value in rows:
        print(f"{name:<44}{value:>14}")
    out = Path(__file__).resolve().parent / "results.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
