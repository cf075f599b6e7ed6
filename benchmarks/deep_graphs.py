"""Deep and wide graphs: is every graph walk linear in the number of nodes?

Run ``python -m benchmarks.deep_graphs`` from the repository root
(``--sizes 10000,100000`` for other sizes; the default is 1e4, 1e5, 1e6,
about a minute and a half on one core).

For each size n it times, on a chain ``x -> neg -> neg -> ...`` of n
nodes: recording it (n ops), ``autograd.walk``, ``viz.describe``,
``autograd.grad``, ``backward``, and ``del`` of the graph; and on a fan-in
of n/10 leaves (``stack([x_i * w ...]).sum()``: one node with n/10 inputs,
one leaf ``w`` receiving n/10 gradients): recording and ``backward``.  It
prints the time per node at every size and the slope of log(time) against
log(n), fitted by least squares: 1.0 means time proportional to n, 2.0
would mean quadratic (a list scanned per node, a sort inside a loop).

The chain's slopes are 1.0-1.1.  The fan-in's are higher (about 1.2 at
1e4-1e6): recording 100,000 leaves and products keeps that many objects
alive, and Python's cyclic garbage collector scans all of them at each full
collection (with ``gc.disable()`` recording is 6.5 microseconds per node at
every size); its backward pushes 100,000 ready AccumulateGrad nodes on a
heap, log n each, as PyTorch's ready queue does.

The same sizes without a RecursionError or a crash are what
``tests/test_deep_graphs.py`` checks.

Read next: ``../tests/test_deep_graphs.py``.
"""

from __future__ import annotations

import gc
import time
from typing import Callable, Dict, List, Sequence

import numpy as np

import microgrid
from microgrid.autograd.walk import walk

from .cli import Progress, parser

Timings = Dict[str, float]  # phase -> seconds


def _timed(timings: Timings, phase: str, function: Callable[[], object]) -> object:
    start = time.perf_counter()
    result = function()
    timings[phase] = time.perf_counter() - start
    return result


def chain(n: int) -> Timings:
    """Time every phase on a chain of ``n`` neg nodes."""
    timings: Timings = {}
    x = microgrid.tensor(1.0, requires_grad=True)

    def build() -> microgrid.Tensor:
        y = x
        for _ in range(n):
            y = -y
        return y

    graph = [_timed(timings, "chain: record", build)]  # the only reference to the output
    _timed(timings, "chain: walk", lambda: walk(graph[0]))
    _timed(timings, "chain: viz.describe", lambda: microgrid.viz.describe(graph[0]))
    _timed(timings, "chain: autograd.grad",
           lambda: microgrid.autograd.grad(graph[0], x, retain_graph=True))
    _timed(timings, "chain: backward", lambda: graph[0].backward(retain_graph=True))
    _timed(timings, "chain: del", graph.clear)  # frees every node, saved tensors and all
    return timings


def fan_in(n: int) -> Timings:
    """Time recording and backward of a node with ``n`` inputs."""
    timings: Timings = {}
    w = microgrid.tensor(0.5, requires_grad=True)
    xs = [microgrid.tensor(float(i % 7), requires_grad=True) for i in range(n)]
    loss = _timed(timings, "fan-in: record",
                  lambda: microgrid.stack([x * w for x in xs]).sum())
    _timed(timings, "fan-in: backward", lambda: loss.backward())
    return timings


def slope(sizes: Sequence[int], seconds: Sequence[float]) -> float:
    """The exponent k of ``time = c * n ** k`` that fits best (least squares in logs)."""
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def main(argv: Sequence[str] | None = None) -> None:
    arguments = parser("python -m benchmarks.deep_graphs", __doc__)
    arguments.add_argument("--sizes", default="10000,100000,1000000",
                           help="chain lengths, comma-separated (fan-ins are a tenth)")
    args = arguments.parse_args(argv)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    print("microseconds per node; the last row: the exponent k in time ~ n**k, fitted over "
          "the sizes (1.00 = linear)\n")
    runs: List[Timings] = []
    nodes: Dict[str, List[int]] = {}
    progress = None
    for n in sizes:  # one row per size, printed as soon as it is measured
        gc.collect()
        timings = chain(n)
        fan = fan_in(n // 10)
        for phase in timings:
            nodes.setdefault(phase, []).append(n)
        for phase in fan:
            nodes.setdefault(phase, []).append(n // 10)
        timings.update(fan)
        runs.append(timings)
        if progress is None:
            progress = Progress(["n", *timings], [10, *(max(12, len(p)) for p in timings)])
        progress.print([f"{n:,}", *(f"{timings[p] / nodes[p][-1] * 1e6:.2f}" for p in timings)])
    if progress is not None and len(sizes) > 1:
        progress.print(["slope", *(f"{slope(nodes[p], [run[p] for run in runs]):.2f}"
                                   for p in runs[0])])


if __name__ == "__main__":
    main()
