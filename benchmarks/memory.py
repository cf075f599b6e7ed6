"""W6: peak memory above the inputs of W2 at 1e7 elements, each in a fresh process.

``python -m benchmarks.memory IMPLEMENTATION N [--tracemalloc]`` makes the
float32 input of ``mean(x * x)`` (N elements), notes the process's resident
memory, runs one forward+backward and prints a JSON line:

* with ``--tracemalloc``: the peak of memory NumPy allocated during the step,
  above what was allocated before it (PyTorch's allocator does not report to
  ``tracemalloc``, so for torch this is ``null``);
* without: the resident memory before the step, to subtract from the maximum
  resident set size that GNU ``/usr/bin/time -v`` reports for the process.

:func:`measure` runs both for an implementation and returns the extra bytes.

Read next: ``__main__.py``.
"""

from __future__ import annotations

import gc
import json
import os
import re
import subprocess
import sys
import tracemalloc
from typing import Dict, Optional

from .workloads import float32_values, library, tutorial, tutorial_floor

TIME = "/usr/bin/time"


def resident_kb() -> int:
    """This process's resident memory now, in kB (Linux ``/proc``)."""
    with open("/proc/self/status") as status:
        return int(re.search(r"VmRSS:\s+(\d+)", status.read()).group(1))


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
    result: Dict[str, Optional[int]] = {"rss_before_kb": resident_kb()}
    if traced:
        tracemalloc.start()
        before = tracemalloc.get_traced_memory()[0]
        step()
        peak = tracemalloc.get_traced_memory()[1] - before
        result["tracemalloc_peak"] = peak if name != "torch" else None
    else:
        step()
    print(json.dumps(result))


def measure(name: str, n: int) -> Dict[str, Optional[float]]:
    """Extra bytes during one step of ``name``: by tracemalloc, and by the
    maximum resident set size (None where a tool is missing)."""
    command = [sys.executable, "-m", "benchmarks.memory", name, str(n)]
    env = dict(os.environ, OMP_NUM_THREADS="2")
    traced = subprocess.run(command + ["--tracemalloc"], capture_output=True, text=True,
                            check=True, env=env)
    extra: Dict[str, Optional[float]] = {
        "tracemalloc": json.loads(traced.stdout.splitlines()[-1])["tracemalloc_peak"],
        "max_rss": None}
    if os.path.exists(TIME):
        timed = subprocess.run([TIME, "-v"] + command, capture_output=True, text=True,
                               check=True, env=env)
        before = json.loads(timed.stdout.splitlines()[-1])["rss_before_kb"]
        peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)",
                             timed.stderr).group(1))
        extra["max_rss"] = float(peak - before) * 1024
    return extra


if __name__ == "__main__":
    child(sys.argv[1], int(sys.argv[2]), "--tracemalloc" in sys.argv[3:])
