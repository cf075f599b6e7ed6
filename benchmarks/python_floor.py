"""The Python floor: the leanest autograd engine CPython can run, beside microgrid and PyTorch.

``python -m benchmarks.python_floor`` (about a minute; ``--quick`` for less).

The NumPy floor of ``workloads.py`` is what the arithmetic costs.  This is
what *any* engine written in Python pays on top of it, however little it
does: an object for every result and a node for every op, a closure per
backward formula, a walk that counts each node's consumers, a heap that
runs nodes newest first, a buffer per node.  The engine below (``lean``)
has that and nothing else: no type promotion, no checks or errors, no
version counters, views, hooks, ``no_grad`` or ``create_graph``; NumPy's
warnings are switched off once per backward pass rather than per call, and
broadcasts are microgrid's cheap views (``broadcast_view``).  It runs the
very workload functions of ``workloads.py`` (it has the few names they use:
``tensor``, ``ones``, ``mean``, ``*``, ``+``, ``sum``, ``backward``, ``grad``).

It answers one question: which of the targets in ``workloads.py`` can an
engine written in Python reach at all on this machine?  A target that this
floor misses is out of reach of any engine that also keeps PyTorch's
semantics (``docs/performance.md``, "the floor of Python").

Read next: ``../docs/performance.md``.
"""

from __future__ import annotations

import contextvars
import heapq
import itertools
import statistics
import sys
import time
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from microgrid.ops.pointwise import broadcast_view

from .cli import Progress, parser, table
from .workloads import chain, library, tutorial

with np.errstate(all="ignore"):
    _QUIET = contextvars.copy_context()  # NumPy's warnings off (see pointwise.compute)

_numbers = itertools.count()


class LeanNode:
    """A recorded op: where its inputs' gradients go and how to compute them."""

    __slots__ = ("inputs", "number", "backward")

    def __init__(self, inputs: Tuple[Any, ...], backward: Callable[[np.ndarray], Tuple]) -> None:
        # Each input: the node that made it, or the leaf itself (its .grad
        # is filled), or None (a number: no gradient).
        self.inputs = inputs
        self.number = next(_numbers)
        self.backward = backward


class LeanTensor:
    """An array, its gradient (leaves) and the node that made it (results)."""

    __slots__ = ("data", "grad", "node", "requires_grad")

    def __init__(self, data: np.ndarray, requires_grad: bool = False) -> None:
        self.data = data
        self.grad: Optional[LeanTensor] = None
        self.node: Optional[LeanNode] = None
        self.requires_grad = requires_grad

    def _result(self, data: np.ndarray, inputs: Sequence[Any],
                backward: Callable[[np.ndarray], Tuple]) -> "LeanTensor":
        out = LeanTensor(data, True)
        out.node = LeanNode(tuple(_source(v) for v in inputs), backward)
        return out

    def __mul__(self, other: Any) -> "LeanTensor":
        x = self.data
        if isinstance(other, LeanTensor):
            y = other.data
            return self._result(x * y, (self, other), lambda g: (g * y, g * x))
        return self._result(x * other, (self, None), lambda g: (g * other, None))

    def __add__(self, other: Any) -> "LeanTensor":
        if isinstance(other, LeanTensor):
            return self._result(self.data + other.data, (self, other), lambda g: (g, g))
        return self._result(self.data + other, (self, None), lambda g: (g, None))

    def sum(self) -> "LeanTensor":
        shape = self.data.shape
        return self._result(np.asarray(np.add.reduce(self.data, axis=None)), (self,),
                            lambda g: (broadcast_view(g, shape),))

    def backward(self) -> None:
        _QUIET.run(_run_backward, self.node, np.ones(self.data.shape, self.data.dtype))


def _source(value: Any) -> Any:
    """Where an input's gradient goes: its node, the leaf itself, or nowhere."""
    if not isinstance(value, LeanTensor) or not value.requires_grad:
        return None
    return value.node if value.node is not None else value


def _run_backward(root: LeanNode, grad: np.ndarray) -> None:
    """Count consumers, then run ready nodes newest first, summing gradients."""
    consumers: Dict[LeanNode, int] = {root: 0}
    stack = [root]
    while stack:
        for source in stack.pop().inputs:
            if type(source) is LeanNode:
                if source not in consumers:
                    consumers[source] = 0
                    stack.append(source)
                consumers[source] += 1
    buffers = {root: grad}
    ready = [(-root.number, root)]
    while ready:
        node = heapq.heappop(ready)[1]
        for source, g in zip(node.inputs, node.backward(buffers.pop(node)), strict=True):
            if source is None:
                continue
            if type(source) is LeanTensor:  # a leaf
                grad_array = np.array(g) if source.grad is None else source.grad.data + g
                source.grad = LeanTensor(grad_array)
                continue
            buffers[source] = buffers[source] + g if source in buffers else g
            consumers[source] -= 1
            if consumers[source] == 0:
                heapq.heappush(ready, (-source.number, source))


class Lean:
    """The module the workload functions receive as ``lib``."""

    float32 = np.float32

    @staticmethod
    def tensor(values: Any, requires_grad: bool = False) -> LeanTensor:
        return LeanTensor(np.array(values, dtype=np.float32), requires_grad)

    @staticmethod
    def ones(size: int, requires_grad: bool = False) -> LeanTensor:
        return LeanTensor(np.ones(size, np.float32), requires_grad)

    @staticmethod
    def mean(x: LeanTensor) -> LeanTensor:
        data, n = x.data, x.data.size
        total = np.add.reduce(data, axis=None)
        return x._result(np.asarray(total / data.dtype.type(n)), (x,),
                         lambda g: (broadcast_view(np.asarray(g / n), data.shape),))


# -- timing -----------------------------------------------------------------------------
IMPLEMENTATIONS = ("python floor", "microgrid", "torch")


def lib_for(name: str) -> Any:
    return Lean if name == "python floor" else library(name)


def tutorial_run(name: str) -> Callable[[], Dict[str, float]]:
    """W1, 200 steps: time per step."""
    lib = lib_for(name)
    x = lib.tensor(np.array([[1, 2], [3, 4]], np.float32), requires_grad=True)

    def run() -> Dict[str, float]:
        start = time.perf_counter()
        for _ in range(200):
            tutorial(lib, x)
        return {"fwd+bwd": (time.perf_counter() - start) / 200}
    return run


def chain_run(name: str, links: int) -> Callable[[], Dict[str, float]]:
    """A chain of ``links`` times ``y * 1.0001 + 0.5``: forward and backward per op."""
    lib = lib_for(name)
    x = lib.ones(10, requires_grad=True)
    ops = 2 * links

    def run() -> Dict[str, float]:
        start = time.perf_counter()
        out = chain(lib, x, links)
        built = time.perf_counter()
        out.backward()
        done = time.perf_counter()
        return {"fwd (per op)": (built - start) / ops, "bwd (per op)": (done - built) / ops}
    return run


def measure(title: str, make: Callable[[str], Callable[[], Dict[str, float]]],
            rounds: int) -> List[List[str]]:
    """Rounds of the three, interleaved; one row per phase: medians and ratios."""
    runs = {name: make(name) for name in IMPLEMENTATIONS}
    for run in runs.values():
        run()
    samples: Dict[str, List[Dict[str, float]]] = {name: [] for name in IMPLEMENTATIONS}
    for _ in range(rounds):
        for name in IMPLEMENTATIONS:
            samples[name].append(runs[name]())
    rows = []
    for phase in samples["torch"][0]:
        times = {name: [s[phase] for s in samples[name]] for name in IMPLEMENTATIONS}
        medians = [statistics.median(times[name]) for name in IMPLEMENTATIONS]
        ratio = statistics.median(a / b for a, b in zip(times["python floor"], times["torch"],
                                                         strict=True))
        rows.append([title, phase, *(f"{m * 1e6:.2f}" for m in medians), f"{ratio:.2f}x"])
    return rows


def main(argv: Optional[Sequence[str]] = None) -> int:
    arguments = parser("python -m benchmarks.python_floor", __doc__)
    arguments.add_argument("--quick", action="store_true", help="fewer rounds")
    args = arguments.parse_args(argv)
    rounds = (lambda n: max(3, n // 4)) if args.quick else (lambda n: n)
    headers = ["workload", "phase", *(f"{name} (us)" for name in IMPLEMENTATIONS),
               "python floor / torch"]
    progress = Progress(headers, [30, 12, 17, 15, 10, 20])
    rows = []
    for title, make, count in (
            ("W1 tutorial mean(x*x), 2x2", tutorial_run, 30),
            ("W3 chain of 1000 y*1.0001+0.5", lambda n: chain_run(n, 1000), 20),
            ("W5 chain of 100,000 ops", lambda n: chain_run(n, 50_000), 5)):
        for row in measure(title, make, rounds(count)):
            progress.print(row)
            rows.append(row)
    print("\n" + table(headers, rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
