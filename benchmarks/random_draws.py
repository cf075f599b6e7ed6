"""Drawing 1e7 float32 normals: microgrid (PyTorch's numbers) against NumPy's own.

``python -m benchmarks.random_draws`` (about half a minute; ``--size N``,
``--rounds R``).

``microgrid.randn(10**7)`` reproduces ``torch.randn(10**7)`` bit for bit:
MT19937 words (NumPy's C twister), 24-bit uniforms, then PyTorch's AVX2
Box-Muller with its Cephes log/sin/cos polynomials, each fused multiply-add
emulated exactly (``microgrid/_kernels/random.py``).  The yardstick is NumPy's
``Generator.standard_normal(n, dtype=float32)`` (Ziggurat on PCG64, compiled
C): the target is a ratio of at most 2.  PyTorch's own time is printed too
when it is installed.  Rounds alternate between the contenders (the machine
may be shared: compare within one run); the best round of each is reported.

Read next: ``../docs/random.md``.
"""

from __future__ import annotations

import argparse
import time
from typing import Callable, Dict, List

import numpy as np

import microgrid

TARGET = 2.0


def _best(function: Callable[[], object], times: List[float]) -> None:
    start = time.perf_counter()
    function()
    times.append(time.perf_counter() - start)


def main(argv: List[str] | None = None) -> Dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10**7)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    n = args.size
    numpy_generator = np.random.default_rng(0)
    contenders: Dict[str, Callable[[], object]] = {
        "microgrid.randn (PyTorch's bits)": lambda: microgrid.randn(n),
        "numpy standard_normal float32": lambda: numpy_generator.standard_normal(
            n, dtype=np.float32),
    }
    try:
        import torch

        torch.set_num_threads(1)
        contenders["torch.randn (reference)"] = lambda: torch.randn(n)
    except ImportError:
        pass
    microgrid.manual_seed(0)
    times: Dict[str, List[float]] = {name: [] for name in contenders}
    for _ in range(args.rounds):
        for name, function in contenders.items():
            _best(function, times[name])
    best = {name: min(values) for name, values in times.items()}
    for name, seconds in best.items():
        print(f"{name:36s} {seconds * 1e3:9.1f} ms")
    ratio = best["microgrid.randn (PyTorch's bits)"] / best["numpy standard_normal float32"]
    print(f"ratio microgrid / numpy: {ratio:.2f}x  (target <= {TARGET:g}x: "
          f"{'met' if ratio <= TARGET else 'missed'})")
    return best


if __name__ == "__main__":
    main()
