"""var and std as PyTorch's CPU code computes them, for float32 and float64.

PyTorch counterpart: ``std_var_out`` and ``std_var_all_cpu`` in
aten/src/ATen/native/ReduceOps.cpp; ``std_var_kernel_impl`` in
aten/src/ATen/native/cpu/ReduceOpsKernel.cpp with ``WelfordOps``
(aten/src/ATen/native/SharedReduceOps.h) and ``binary_kernel_reduce``
(aten/src/ATen/native/cpu/Reduce.h).

Two algorithms, both in float64 whatever the input's dtype:

* **one output** (``var(x)``, or dims that leave a single element): two passes.
  ``mean = x.mean()`` (the sum kernel, in the input's dtype, then widened); then
  ``sum((x - mean)**2)`` left to right in memory order; from 32,768 elements the range
  is split in ``ceil(n / threads)``-element chunks, each summed from 0, the chunk sums
  added to 0 in order (``at::parallel_reduce``); ``var = sum / max(0, n - correction)``,
  ``std = sqrt(var)`` in float64, rounded once to the dtype.
* **several outputs**: Welford's algorithm per output, over its elements in memory order
  (the reduced dims by decreasing stride): ``delta = x - mean``,
  ``mean += delta / n``, ``m2 += delta * (x - mean)`` (no fma: plain matches 100%, fused
  75%), never split between threads (checked against torch with 1, 2, 4 and 8
  threads); ``var = m2 / (n - correction)`` (0 divisor
  when ``n <= correction``), ``std = sqrt(var)``.

For float32 inputs the float64 arithmetic hides the order (any accurate float64 result
rounds to the same float32: the ops were already 100%); for float64 the order is visible
(before this module: var 36-46%, std 40-63% of float64 results bit-identical).  The
Welford chain is sequential: one pass of a few NumPy operations per position along the
reduced dims (vectorized over the outputs), so it costs ~1 us per reduced element.

Read next: ``losses.py``.
"""

from __future__ import annotations

from typing import Sequence, Tuple

import numpy as np

from . import reduce
from .mathfns import parallel_chunks


def _memory_order(x: np.ndarray, dims: Sequence[int]) -> Tuple[int, ...]:
    """``dims`` sorted as TensorIterator walks them: the smallest stride innermost."""
    return tuple(sorted(dims, key=lambda d: (-abs(x.strides[d]), d)))


def var_all(x: np.ndarray, correction: float, take_sqrt: bool) -> np.ndarray:
    """``std_var_all_cpu``: the variance (or std) of all of ``x`` as a 0-d float64 array."""
    flat = np.transpose(x, _memory_order(x, range(x.ndim))).reshape(-1)
    mean = np.float64(reduce.mean(x))
    with np.errstate(all="ignore"):
        deviation = flat.astype(np.float64) - mean
        squares = deviation * deviation
        total = 0.0
        for begin, end in parallel_chunks(flat.size):
            total = total + (np.add.accumulate(squares[begin:end])[-1] + 0.0)
        variance = np.float64(total) / max(0.0, flat.size - correction)
        return np.sqrt(variance) if take_sqrt else variance


def _welford(a: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """``WelfordOps::reduce`` down the last axis of a float64 ``(outputs, k)`` array:
    the running mean and sum of squared deviations after all ``k``."""
    mean = np.zeros(a.shape[0])
    m2 = np.zeros(a.shape[0])
    for i in range(a.shape[1]):
        value = a[:, i]
        delta = value - mean
        mean = mean + delta / float(i + 1)
        m2 = m2 + delta * (value - mean)
    return mean, m2


def var_dims(x: np.ndarray, dims: Sequence[int], keepdim: bool, correction: float,
             take_sqrt: bool) -> np.ndarray:
    """``std_var_kernel_impl``: the variance (or std) over ``dims`` (non-negative, at
    least two outputs) in float64."""
    kept = [d for d in range(x.ndim) if d not in dims]
    a = np.transpose(x, kept + list(_memory_order(x, dims)))
    out_shape = a.shape[:len(kept)]
    a = a.reshape(int(np.prod(out_shape)), -1).astype(np.float64)
    count = float(a.shape[1])
    with np.errstate(all="ignore"):
        _, m2 = _welford(a)
        divisor = count - correction if count > correction else 0.0
        variance = m2 / divisor
        result = np.sqrt(variance) if take_sqrt else variance
    if keepdim:
        return result.reshape(tuple(1 if d in dims else s for d, s in enumerate(x.shape)))
    return result.reshape(out_shape)
