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

import argparse
import gc
import time
from typing import Callable, Dict, List, Sequence

import numpy as np

import microgrid
from microgrid.autograd.walk import walk

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


def table(sizes: Sequence[int], runs: List[Timings], nodes: Callable[[int], int]) -> List[str]:
    """Rows: phase, microseconds per node at each size, fitted slope."""
    lines = []
    for phase in runs[0]:
        seconds = [run[phase] for run in runs]
        counts = [nodes(n) for n in sizes]
        per_node = "".join(f"{s / c * 1e6:>12.2f}" for s, c in zip(seconds, counts, strict=True))
        lines.append(f"{phase:<22}{per_node}{slope(counts, seconds):>9.2f}")
    return lines


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.deep_graphs",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000",
                        help="chain lengths, comma-separated (fan-ins are a tenth)")
    args = parser.parse_args(argv)
    sizes = [int(float(s)) for s in args.sizes.split(",")]
    chains, fans = [], []
    for n in sizes:
        gc.collect()
        chains.append(chain(n))
        fans.append(fan_in(n // 10))
    header = "".join(f"{f'n={n:,}':>12}" for n in sizes)
    print(f"{'microseconds per node':<22}{header}{'slope':>9}")
    print("\n".join(table(sizes, chains, lambda n: n)))
    print("\n".join(table(sizes, fans, lambda n: n // 10)))
    print("slope: the exponent k in time ~ n**k, fitted over the sizes (1.00 = linear)")


if __name__ == "__main__":
    main()
