"""``python -m benchmarks``: time microgrid, PyTorch and the NumPy floor on every workload.

Prints a header row, then each row as soon as it is measured, then the
whole table and the targets missed.  Options: ``--quick`` (fewer rounds),
``--only W1,W3`` (some workloads; W6 is the memory measurement), ``--save``
(write ``results.json`` and ``results.md``, the table the README shows;
nothing is written without it), ``--check`` (exit 1 if a target is missed;
without it the exit status is 0: several targets are missed by design, see
``docs/performance.md``).

Read next: ``memory.py`` and ``../docs/performance.md``.
"""

from __future__ import annotations

import datetime
import json
import os
import platform
import statistics
import sys
from pathlib import Path
from typing import Any, Dict, List, Optional

import numpy as np

from . import memory
from .cli import Progress, parser, table
from .workloads import IMPLEMENTATIONS, Target, Workload, library, workloads

HERE = Path(__file__).resolve().parent
W6_ELEMENTS = 10**7
W6_TARGET = Target("extra memory", "floor", 1.3)


def machine() -> str:
    """One line: CPU, cores, Python, NumPy, PyTorch."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo") as info:
            cpu = next(line.split(":", 1)[1].strip() for line in info
                       if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    return (f"{cpu}, {os.cpu_count()} cores; Python {platform.python_version()}, "
            f"NumPy {np.__version__}, PyTorch {library('torch').__version__} (2 threads)")


def run_workload(workload: Workload) -> List[Dict[str, Any]]:
    """Time the three implementations round by round; one row per phase."""
    runs = {name: workload.make(name) for name in IMPLEMENTATIONS}
    for run in runs.values():
        run()  # warm up
    samples: Dict[str, List[Dict[str, float]]] = {name: [] for name in IMPLEMENTATIONS}
    for round_number in range(workload.rounds):
        shift = round_number % len(IMPLEMENTATIONS)
        for name in IMPLEMENTATIONS[shift:] + IMPLEMENTATIONS[:shift]:
            samples[name].append(runs[name]())
    rows = []
    for phase in samples["microgrid"][0]:
        def times(name: str, phase: str = phase) -> List[float]:
            return [sample[phase] for sample in samples[name]]

        ours = times("microgrid")
        row: Dict[str, Any] = {"workload": workload.key, "title": workload.title,
                               "phase": phase, "unit": workload.unit,
                               "rounds": workload.rounds}
        for name in IMPLEMENTATIONS:
            row[name] = statistics.median(times(name))
        for other in ("torch", "floor"):
            row[f"vs_{other}"] = statistics.median(
                a / b for a, b in zip(ours, times(other), strict=True))
        row["target"] = next((f"<= {t.limit}x {t.versus}" for t in workload.targets
                              if t.phase == phase), "")
        row["met"] = next((row[f"vs_{t.versus}"] <= t.limit for t in workload.targets
                           if t.phase == phase), None)
        rows.append(row)
    return rows


def memory_row() -> Dict[str, Any]:
    """W6: extra bytes of one W2 step at 1e7, per implementation and tool."""
    extra = {name: memory.measure(name, W6_ELEMENTS) for name in IMPLEMENTATIONS}
    ratio = extra["microgrid"]["tracemalloc"] / extra["floor"]["tracemalloc"]
    rss_ratio = None
    if extra["floor"]["max_rss"]:
        rss_ratio = extra["microgrid"]["max_rss"] / extra["floor"]["max_rss"]
    return {"workload": "W6", "title": "peak memory above inputs, mean(x*x) at 1e7",
            "phase": "extra memory", "unit": "bytes", "extra_bytes": extra,
            "vs_floor": ratio, "vs_floor_max_rss": rss_ratio,
            "target": f"<= {W6_TARGET.limit}x floor", "met": ratio <= W6_TARGET.limit}


def seconds(value: float) -> str:
    for scale, suffix in ((1, "s"), (1e-3, "ms"), (1e-6, "us")):
        if value >= scale:
            return f"{value / scale:.3g} {suffix}"
    return f"{value * 1e9:.3g} ns"


def megabytes(value: Optional[float]) -> str:
    return "n/a" if value is None else f"{value / 2**20:.1f} MB"


HEADERS = ["", "workload", "phase", "microgrid", "torch", "floor", "mg/torch", "mg/floor",
           "target", "met"]
WIDTHS = [3, 42, 22, 19, 16, 19, 8, 8, 14, 3]


def cells(row: Dict[str, Any]) -> List[str]:
    """One row of the results table."""
    met = {True: "yes", False: "NO", None: ""}[row["met"]]
    if row["workload"] == "W6":
        extra = row["extra_bytes"]
        times = [" / ".join(megabytes(extra[name][tool]) for tool in ("tracemalloc", "max_rss"))
                 for name in IMPLEMENTATIONS]
        vs_torch = ""
    else:
        times = [seconds(row[name]) for name in IMPLEMENTATIONS]
        vs_torch = f"{row['vs_torch']:.2f}x"
    phase = row["phase"] if row["workload"] == "W6" else f"{row['phase']} (per {row['unit']})"
    return [row["workload"], row["title"], phase, *times, vs_torch, f"{row['vs_floor']:.2f}x",
            row["target"], met]


def markdown(rows: List[Dict[str, Any]], command: str, where: str, when: str) -> str:
    return "\n".join([
        f"Measured {when} on {where}, with `{command}`.", "",
        "Times are medians over rounds; ratios are medians of per-round ratios. "
        "*floor* is hand-written NumPy (forward, then each op's derivative by hand, no "
        "graph). W6 shows tracemalloc / max RSS (getrusage) above the inputs; its ratio is "
        "tracemalloc's.", "", table(HEADERS, [cells(row) for row in rows], markdown=True), ""])


def main(argv: Optional[List[str]] = None) -> int:
    arguments = parser("python -m benchmarks", __doc__)
    arguments.add_argument("--quick", action="store_true", help="fewer rounds")
    arguments.add_argument("--only", help="comma-separated workloads, e.g. W1,W3,W6")
    arguments.add_argument("--save", nargs="?", const=HERE, type=Path, metavar="DIR",
                           help="write results.json and results.md (into DIR, default "
                                "benchmarks/)")
    arguments.add_argument("--check", action="store_true",
                           help="exit with status 1 if any target is missed")
    args = arguments.parse_args(argv)
    only = set(args.only.upper().split(",")) if args.only else None
    command = "python -m benchmarks" + "".join(
        f" {a}" for a in (sys.argv[1:] if argv is None else argv))
    where, when = machine(), datetime.date.today().isoformat()
    print(f"{command}\n{where}\n", flush=True)
    progress = Progress(HEADERS, WIDTHS)
    rows: List[Dict[str, Any]] = []
    for workload in workloads(args.quick):
        if only is None or workload.key in only:
            for row in run_workload(workload):
                rows.append(row)
                progress.print(cells(row))
    if only is None or "W6" in only:
        rows.append(memory_row())
        progress.print(cells(rows[-1]))
    print("\n" + table(HEADERS, [cells(row) for row in rows]) + f"\n\nreproduce with: {command}")
    if args.save is not None:
        args.save.mkdir(parents=True, exist_ok=True)
        (args.save / "results.json").write_text(json.dumps(
            {"command": command, "machine": where, "date": when, "rows": rows}, indent=1) + "\n")
        (args.save / "results.md").write_text(markdown(rows, command, where, when))
        print(f"wrote {args.save / 'results.json'} and {args.save / 'results.md'}")
    missed = [f"{row['workload']} {row['phase']}" for row in rows if row["met"] is False]
    if missed:
        print(f"targets missed: {', '.join(missed)}"
              + ("" if args.check else " (by design for some: docs/performance.md)"))
    return 1 if args.check and missed else 0


if __name__ == "__main__":
    sys.exit(main())
