"""W6: peak memory above the inputs of W2 at 1e7 elements, each in a fresh process.

``python -m benchmarks.memory IMPLEMENTATION N [--tracemalloc]`` makes the
float32 input of ``mean(x * x)`` (N elements), notes the process's resident
memory, runs one forward+backward and prints a JSON line:

* with ``--tracemalloc``: the peak of memory NumPy allocated during the step,
  above what was allocated before it (PyTorch's allocator does not report to
  ``tracemalloc``, so for torch this is ``null``);
* without: the resident memory before the step and the process's maximum
  resident set size after it (``resource.getrusage``), whose difference is
  the step's extra memory.

:func:`measure` runs both for an implementation and returns the extra bytes.

Read next: ``__main__.py``.
"""

from __future__ import annotations

import gc
import json
import os
import re
import resource
import subprocess
import sys
import tracemalloc
from typing import Dict, List, Optional

from .cli import parser
from .workloads import IMPLEMENTATIONS, float32_values, library, tutorial, tutorial_floor

#: ``ru_maxrss`` is in kilobytes on Linux, in bytes on macOS.
MAXRSS_BYTES = 1 if sys.platform == "darwin" else 1024


def resident_bytes() -> Optional[int]:
    """This process's resident memory now (Linux ``/proc``; None elsewhere)."""
    try:
        with open("/proc/self/status") as status:
            return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1)) * 1024
    except (OSError, AttributeError):
        return None


def max_resident_bytes() -> int:
    """The most resident memory this process has had (``getrusage``)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * MAXRSS_BYTES


def child(name: str, n: int, traced: bool) -> None:
    values = float32_values(n)
    if name == "floor":
        step = lambda: tutorial_floor(values)  # noqa: E731
    else:
        lib = library(name)
        x = lib.tensor(values, requires_grad=True)
        del values
        step = lambda: tutorial(lib, x)  # noqa: E731
    gc.collect()
    result: Dict[str, Optional[int]] = {"rss_before": resident_bytes()}
    if traced:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        step()
        peak = tracemalloc.get_traced_memory()[1] - before
        result["tracemalloc_peak"] = peak if name != "torch" else None
    else:
        step()
        result["max_rss"] = max_resident_bytes()
    print(json.dumps(result))


def measure(name: str, n: int) -> Dict[str, Optional[float]]:
    """Extra bytes during one step of ``name``: by tracemalloc, and by the
    maximum resident set size (None where it cannot be measured)."""
    command = [sys.executable, "-m", "benchmarks.memory", name, str(n)]
    env = dict(os.environ, OMP_NUM_THREADS="2")

    def run(extra: List[str]) -> Dict[str, Optional[int]]:
        done = subprocess.run(command + extra, capture_output=True, text=True, check=True,
                              env=env)
        return json.loads(done.stdout.splitlines()[-1])

    traced, plain = run(["--tracemalloc"]), run([])
    before = plain["rss_before"]
    return {"tracemalloc": traced["tracemalloc_peak"],
            "max_rss": None if before is None else float(plain["max_rss"] - before)}


def main(argv: Optional[List[str]] = None) -> None:
    arguments = parser("python -m benchmarks.memory", __doc__)
    arguments.add_argument("implementation", choices=IMPLEMENTATIONS)
    arguments.add_argument("n", type=int, help="elements of the input")
    arguments.add_argument("--tracemalloc", action="store_true",
                           help="measure with tracemalloc instead of the resident set")
    args = arguments.parse_args(argv)
    child(args.implementation, args.n, args.tracemalloc)


if __name__ == "__main__":
    main()
