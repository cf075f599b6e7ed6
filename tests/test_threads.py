"""Backward passes in several threads: grad mode is per thread, ``.grad`` sums are locked.

PyTorch keeps grad mode in a ``thread_local`` flag and locks each leaf's
``AccumulateGrad`` while it adds a gradient; microgrid keeps the flag in a
``threading.local`` and adds under a lock (``autograd/graph.py``).  Each
test runs under PyTorch too, to show the behaviour asserted is PyTorch's.
"""

import sys
import threading
from typing import Any, List

import pytest
import torch

import microgrid

THREADS, PASSES = 4, 200
SIZE = 50_000  # large enough that NumPy lets other threads run during an add


def _hammer(lib: Any, x: Any, problems: List[str], start: threading.Barrier) -> None:
    """PASSES backward passes into the shared leaf ``x``; note anything wrong."""
    start.wait()
    try:
        for _ in range(PASSES):
            if not lib.is_grad_enabled():
                problems.append("grad mode off before a pass")
            (x * 2.0).sum().backward()
            if not lib.is_grad_enabled():
                problems.append("grad mode off after a pass")
    except Exception as error:  # noqa: BLE001 - any failure is the finding
        problems.append(repr(error))


def _run_threads(lib: Any) -> List[str]:
    x = lib.ones(SIZE, requires_grad=True)
    problems: List[str] = []
    start = threading.Barrier(THREADS)
    threads = [threading.Thread(target=_hammer, args=(lib, x, problems, start))
               for _ in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    expected = 2.0 * THREADS * PASSES
    if x.grad.tolist() != [expected] * SIZE:
        problems.append(f"grad {x.grad[:3]}, not {expected}")
    return problems


@pytest.mark.parametrize("lib", [torch, microgrid], ids=["torch", "microgrid"])
def test_four_threads_backward_into_one_leaf(lib):
    """4 threads x 200 passes into one leaf, 30 times: the grad exact every
    time, grad mode on in every thread before and after every pass.  Threads
    switch every microsecond, so that an unlocked read-add-write would lose sums."""
    interval = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        for trial in range(30):
            assert _run_threads(lib) == [], f"trial {trial}"
    finally:
        sys.setswitchinterval(interval)
    assert lib.is_grad_enabled()


@pytest.mark.parametrize("lib", [torch, microgrid], ids=["torch", "microgrid"])
def test_no_grad_in_one_thread_leaves_another_recording(lib):
    seen = {}
    inside, done = threading.Event(), threading.Event()

    def quiet() -> None:
        with lib.no_grad():
            seen["quiet"] = lib.is_grad_enabled()
            inside.set()
            done.wait()

    thread = threading.Thread(target=quiet)
    thread.start()
    inside.wait()
    x = lib.ones(2, requires_grad=True)
    seen["main"] = lib.is_grad_enabled()
    seen["recorded"] = (x * 2).grad_fn is not None
    done.set()
    thread.join()
    assert seen == {"quiet": False, "main": True, "recorded": True}


@pytest.mark.parametrize("lib", [torch, microgrid], ids=["torch", "microgrid"])
def test_a_new_thread_starts_with_the_default_modes(lib):
    """set_grad_enabled(False) and inference_mode belong to the thread that set them."""
    seen = {}

    def fresh() -> None:
        seen["grad"] = lib.is_grad_enabled()
        seen["inference"] = lib.is_inference_mode_enabled()

    with lib.inference_mode():
        thread = threading.Thread(target=fresh)
        thread.start()
        thread.join()
    assert seen == {"grad": True, "inference": False}
    lib.set_grad_enabled(False)
    try:
        thread = threading.Thread(target=fresh)
        thread.start()
        thread.join()
    finally:
        lib.set_grad_enabled(True)
    assert seen == {"grad": True, "inference": False}
