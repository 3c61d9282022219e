"""`make bench`: engine vs DataLoader speed, CNN speed, memory and page load times, in one run.

Prints a table and writes bench/results.json (git-ignored). Numbers, not assertions: the machines
are shared and noisy, so nothing here passes or fails.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import sys
from pathlib import Path

import torch

from bench.classroom import bench_classroom
from bench.concurrency import bench_concurrency
from bench.memory import bench_memory
from bench.mlp import bench_cnn, bench_mlp
from bench.pages import bench_pages

SECTIONS = ("engine", "concurrency", "pages", "classroom", "memory")


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


def machine() -> str:
    """The CPU model, its cores and the memory, for the README's 'measured on' line."""
    model = platform.processor() or platform.machine()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        memory = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal")) / 2**20
    except (OSError, StopIteration):
        memory = float("nan")
    return f"{model}, {os.cpu_count()} cores, {memory:.0f} GiB, {platform.system()}"


def main() -> int:
    wanted = sections()
    results: dict = {"machine": machine(), "torch": torch.__version__, "threads": torch.get_num_threads(),
                     "python": platform.python_version(), "cpu_count": os.cpu_count(),
                     "load_average_at_start": os.getloadavg()[0]}
    print(f"Measuring on {results['machine']} (load average {results['load_average_at_start']:.1f})", flush=True)
    if "engine" in wanted:
        print("Benchmarking the MLP (784-50-50-10 sigmoid, SGD lr 0.01 momentum 0.9, batch 64)…", flush=True)
        results.update(bench_mlp())
        print("Benchmarking the lesson CNN…", flush=True)
        results.update(bench_cnn())
        results["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if "concurrency" in wanted:
        print("Two runs training at once in one process…", flush=True)
        results.update(bench_concurrency())
    if "pages" in wanted:
        print("Every page in headless Chromium, cold and cached…", flush=True)
        results.update(bench_pages())
    if "classroom" in wanted:
        print("A class of 1, then 30 sessions opening /batchnorm on a fresh server…", flush=True)
        results.update(bench_classroom())
        one, thirty = results["classroom"][0], results["classroom"][-1]
        results["class_cpu_ratio"] = thirty["server_cpu_s"] / one["server_cpu_s"]
    if "memory" in wanted:
        print("200 page runs with varied settings across every lesson…", flush=True)
        results.update(bench_memory())
        results["server_peak_rss_mb"] = results["memory"]["server_peak_rss_mb"]

    print()
    print(f"{'measure':<44}{'value':>16}")
    print("-" * 60)
    rows = []
    if "engine" in wanted:
        rows += [
            ("MLP, DataLoader(ToTensor) loop  samples/s", f"{results['dataloader_samples_per_s']:,.0f}"),
            ("MLP, core engine + grad probes  samples/s", f"{results['engine_samples_per_s']:,.0f}"),
            ("mlp_speedup (engine / DataLoader)", f"{results['mlp_speedup']:.2f}x"),
            ("CNN, core engine                samples/s", f"{results['cnn_samples_per_s']:,.0f}"),
            ("peak RSS, training process      MB", f"{results['peak_rss_mb']:,.0f}"),
        ]
    if "concurrency" in wanted:
        c = results["concurrency"]
        rows += [("one run alone                   samples/s", f"{c['alone_samples_per_s']:,.0f}"),
                 ("two at once, all cores each: sum / alone", f"{c['sum_vs_alone_all_cores']:.2f}"),
                 ("two at once, shared cores:   sum / alone", f"{c['sum_vs_alone_shared_cores']:.2f}")]
    if "pages" in wanted:
        rows.append(("server RSS after all pages      MB", f"{results['server_rss_mb_after_pages']:,.0f}"))
        for p in results["pages"]:
            rows += [(f"{p['page']:<16} drawn cold / cached s", f"{p['cold_s']:.2f} / {p['cached_s']:.2f}"),
                     (f"{p['page']:<16} cached: + home s", f"{results['cached_draw_s'][p['page']]:+.2f}"),
                     (f"{p['page']:<16} cached: server CPU s", f"{p['server_cpu_s']:.2f}"),
                     (f"{p['page']:<16} cached: sent kB", f"{p['bytes_sent'] / 1e3:,.0f}")]
    if "classroom" in wanted:
        rows += [(f"class of {c['sessions']:>2}: server CPU s / training runs",
                  f"{c['server_cpu_s']:.1f} / {c['training_runs']}") for c in results["classroom"]]
        rows += [(f"class of {c['sessions']:>2}: all ready after      s", f"{c['wall_s']:.1f}")
                 for c in results["classroom"]]
        rows.append(("class_cpu_ratio (30 vs 1)", f"{results['class_cpu_ratio']:.2f}x"))
    if "memory" in wanted:
        m = results["memory"]
        rows += [(f"server peak RSS over {m['visits']} page runs MB", f"{m['server_peak_rss_mb']:,.0f}"),
                 ("RSS change over the last half     MB", f"{m['rss_growth_last_half_mb']:+,.0f}")]
    for name, value in rows:
        print(f"{name:<44}{value:>16}")
    results["load_average_at_end"] = os.getloadavg()[0]
    print(f"\nload average {results['load_average_at_start']:.1f} at the start, {results['load_average_at_end']:.1f} "
          "at the end (above about 0.5 the numbers carry the other load's noise)")
    out = Path(__file__).resolve().parent / "results.json"
    out.write_text(json.dumps(results, indent=2))
    print(f"\nwrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
