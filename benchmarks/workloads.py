"""The workloads, each written three ways: microgrid, PyTorch, and the NumPy floor.

microgrid and PyTorch run the *same* function (the library is an argument:
microgrid has PyTorch's API).  The floor is hand-written NumPy: the forward
pass, then each op's derivative applied by hand, in the order the chain rule
visits them, with no graph (``x * x`` contributes ``dy * x`` twice, once per
factor, the way backprop by hand treats a product).

=====  ==============================================================  ==================
W1     the tutorial: ``mean(x * x)`` for a 2x2 ``x``, forward+backward  <= 0.3x torch
W2     ``mean(x * x)`` at 1e3 ... 1e7 float32 elements                  <= 1.2x floor (1e6+)
W3     a chain of 1000 ``y = y * 1.0001 + 0.5`` on 10 elements, per op  <= 0.5x torch
W4     an MLP training step (tanh, MSE, SGD), small and large           <= 1.3x / 1.1x floor
W5     forward+backward of a 100,000-op chain (backward alone too)     bwd <= 0.3x torch
W6     peak memory above the inputs of W2 at 1e7 (``memory.py``)       <= 1.3x floor
=====  ==============================================================  ==================

Read next: ``__main__.py``, which times them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np

#: One run of a workload: seconds per unit for each phase it reports.
Times = Dict[str, float]
Run = Callable[[], Times]

IMPLEMENTATIONS = ("microgrid", "torch", "floor")


@dataclass(frozen=True)
class Target:
    """``phase`` of microgrid must take at most ``limit`` times ``versus``'s."""

    phase: str
    versus: str  # "torch" or "floor"
    limit: float


@dataclass(frozen=True)
class Workload:
    key: str
    title: str
    unit: str  # what one reported time is for: "step" or "op"
    rounds: int
    make: Callable[[str], Run]  # implementation name -> one timed run
    targets: Tuple[Target, ...] = ()


def library(name: str) -> Any:
    """The module behind an implementation name (PyTorch limited to 2 threads)."""
    if name == "torch":
        import torch

        torch.set_num_threads(2)
        return torch
    import microgrid

    return microgrid


def repeated(function: Callable[[], Any], repeat: int, phase: str = "fwd+bwd") -> Run:
    """A run that calls ``function`` ``repeat`` times and reports the time per call."""
    def run() -> Times:
        start = time.perf_counter()
        for _ in range(repeat):
            function()
        return {phase: (time.perf_counter() - start) / repeat}
    return run


def float32_values(shape: Sequence[int], seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape, dtype=np.float32)


# -- W1, W2: the tutorial, mean(x * x) ------------------------------------------------
def tutorial(lib: Any, x: Any) -> None:
    """Forward and backward of the tutorial's loss (``x.grad`` cleared first)."""
    x.grad = None
    lib.mean(x * x).backward()


def tutorial_floor(x: np.ndarray) -> Tuple[np.float32, np.ndarray]:
    """The same by hand: the loss and its gradient with respect to ``x``."""
    loss = np.mean(x * x)
    dy = np.float32(1 / x.size)  # d mean(y) / d y_i, the same for every i
    dx = x * dy                  # y = x * x: the first factor's share ...
    dx += x * dy                 # ... plus the second's
    return loss, dx


def tutorial_workload(key: str, title: str, values: np.ndarray, repeat: int, rounds: int,
                      targets: Tuple[Target, ...] = ()) -> Workload:
    def make(name: str) -> Run:
        if name == "floor":
            data = values.copy()
            return repeated(lambda: tutorial_floor(data), repeat)
        lib = library(name)
        x = lib.tensor(values, requires_grad=True)
        return repeated(lambda: tutorial(lib, x), repeat)
    return Workload(key, title, "step", rounds, make, targets)


# -- W3, W5: a long chain of small ops --------------------------------------------------
def chain(lib: Any, x: Any, links: int) -> Any:
    """``links`` times ``y = y * 1.0001 + 0.5`` (two ops each), summed."""
    y = x
    for _ in range(links):
        y = y * 1.0001 + 0.5
    return y.sum()


def chain_floor_backward(x: np.ndarray, links: int) -> np.ndarray:
    """d chain / dx by hand: each link multiplies the gradient by 1.0001 (the
    ``+ 0.5`` passes it through unchanged)."""
    grad = np.ones_like(x)
    for _ in range(links):
        grad = grad * 1.0001
    return grad


def chain_workload(key: str, title: str, links: int, rounds: int, total: bool,
                   targets: Tuple[Target, ...]) -> Workload:
    """Per op (``total=False``: forward and backward) or for the whole chain
    (``total=True``: forward+backward, the graph's teardown included, and
    backward alone)."""
    ops = 1 if total else 2 * links

    def timings(forward: Callable[[], Any], backward: Callable[[Any], Any]) -> Run:
        def run() -> Times:
            start = time.perf_counter()
            out = forward()
            built = time.perf_counter()
            backward(out)
            done = time.perf_counter()
            del out  # the graph goes away here
            end = time.perf_counter()
            if total:
                return {"fwd+bwd": end - start, "bwd": done - built}
            return {"fwd": (built - start) / ops, "bwd": (done - built) / ops}
        return run

    def make(name: str) -> Run:
        if name == "floor":
            data = np.ones(10, np.float32)
            return timings(lambda: chain(np, data, links),
                           lambda out: chain_floor_backward(data, links))
        lib = library(name)
        x = lib.ones(10, requires_grad=True)
        return timings(lambda: chain(lib, x, links), lambda out: out.backward())
    return Workload(key, title, "run" if total else "op", rounds, make, targets)


# -- W4: an MLP training step ----------------------------------------------------------
LEARNING_RATE = 0.01


def mlp_arrays(batch: int, sizes: Tuple[int, int, int]) -> List[np.ndarray]:
    """Inputs, targets and the four parameters (w1, b1, w2, b2) of an MLP."""
    n_in, hidden, n_out = sizes
    return [float32_values((batch, n_in), 1), float32_values((batch, n_out), 2),
            float32_values((n_in, hidden), 3) / np.float32(np.sqrt(n_in)),
            np.zeros(hidden, np.float32),
            float32_values((hidden, n_out), 4) / np.float32(np.sqrt(hidden)),
            np.zeros(n_out, np.float32)]


def mlp_step(lib: Any, x: Any, y: Any, params: Sequence[Any]) -> None:
    """One SGD step on the mean squared error of ``tanh(x @ w1 + b1) @ w2 + b2``."""
    w1, b1, w2, b2 = params
    out = (x @ w1 + b1).tanh() @ w2 + b2
    loss = lib.nn.functional.mse_loss(out, y)
    for p in params:
        p.grad = None
    loss.backward()
    with lib.no_grad():
        for p in params:
            p.add_(p.grad, alpha=-LEARNING_RATE)


def mlp_step_floor(x: np.ndarray, y: np.ndarray, params: Sequence[np.ndarray]) -> None:
    """The same step by hand."""
    w1, b1, w2, b2 = params
    h = np.tanh(x @ w1 + b1)
    out = h @ w2 + b2
    diff = out - y
    np.mean(diff * diff)                     # the loss
    dout = diff * np.float32(2 / diff.size)  # d mean(diff**2) / d out
    dw2, db2 = h.T @ dout, dout.sum(0)
    dz = (dout @ w2.T) * (1 - h * h)         # tanh' = 1 - tanh**2
    dw1, db1 = x.T @ dz, dz.sum(0)
    for p, g in zip(params, (dw1, db1, dw2, db2), strict=True):
        p -= np.float32(LEARNING_RATE) * g


def mlp_workload(key: str, title: str, batch: int, sizes: Tuple[int, int, int], repeat: int,
                 rounds: int, targets: Tuple[Target, ...]) -> Workload:
    def make(name: str) -> Run:
        x, y, *params = mlp_arrays(batch, sizes)
        if name == "floor":
            return repeated(lambda: mlp_step_floor(x, y, params), repeat)
        lib = library(name)
        tx, ty = lib.tensor(x), lib.tensor(y)
        tparams = [lib.tensor(p, requires_grad=True) for p in params]
        return repeated(lambda: mlp_step(lib, tx, ty, tparams), repeat)
    return Workload(key, title, "step", rounds, make, targets)


# -- the list -------------------------------------------------------------------------
def workloads(quick: bool = False) -> List[Workload]:
    """Every timed workload (W6, memory, is ``memory.py``); ``quick``: fewer rounds."""
    def r(rounds: int) -> int:
        return max(3, rounds // 4) if quick else rounds

    versus_torch = (Target("fwd+bwd", "torch", 0.3),)
    versus_floor = (Target("fwd+bwd", "floor", 1.2),)
    return [
        tutorial_workload("W1", "tutorial mean(x*x), 2x2", np.array([[1, 2], [3, 4]], np.float32),
                          repeat=200, rounds=r(40), targets=versus_torch),
        tutorial_workload("W2", "mean(x*x), 1e3", float32_values(10**3), 100, r(30)),
        tutorial_workload("W2", "mean(x*x), 1e5", float32_values(10**5), 10, r(30)),
        tutorial_workload("W2", "mean(x*x), 1e6", float32_values(10**6), 2, r(30), versus_floor),
        tutorial_workload("W2", "mean(x*x), 1e7", float32_values(10**7), 1, r(12), versus_floor),
        chain_workload("W3", "chain of 1000 y*1.0001+0.5, 10 elements", 1000, r(30), False,
                       (Target("fwd", "torch", 0.5), Target("bwd", "torch", 0.5))),
        mlp_workload("W4", "MLP step, batch 64, 32-128-10", 64, (32, 128, 10), 20, r(30),
                     (Target("fwd+bwd", "floor", 1.3),)),
        mlp_workload("W4", "MLP step, batch 1024, 1024-1024-10", 1024, (1024, 1024, 10), 1,
                     r(12), (Target("fwd+bwd", "floor", 1.1),)),
        chain_workload("W5", "chain of 100,000 ops, 10 elements", 50_000, r(5), True,
                       (Target("bwd", "torch", 0.3),)),
    ]
