"""Vector norms as PyTorch's CPU kernel computes them: ``torch.norm``, ``linalg.vector_norm``.

PyTorch counterpart: aten/src/ATen/native/cpu/ReduceOpsKernel.cpp
(``norm_kernel_tensor_iterator_impl``) and the ``Norm*Ops`` of
aten/src/ATen/native/SharedReduceOps.h.

The norm accumulates in the input's own dtype (float32 stays float32), element
after element in index order, for every ``p``, with one exception: ``p = 2``
over the innermost, contiguous dim (a whole contiguous tensor counts) takes a
SIMD path.  There, 32-byte vectors of squares are summed lane by lane (a
multiply, then an add: two roundings), the lanes are added left to right, and
the leftover elements are added one by one: the compiler squares them four
at a time (rounded, then added), and the last one to three it contracts to
``fma(x, x, acc)``, one rounding.  ``p`` other than 0, 1, 2 and +-inf sums
``|x| ** p`` (the C library's ``powf``; here float64 rounded once) and takes
the sum to the power ``1/p``.  Found by reading the kernel and checked bit for
bit against torch 2.13 on thousands of random float32 rows; inputs of more
than 32768 elements per output are summed in threads there, in chunks, which
is not reproduced.

Read next: ``conv.py``.
"""

from __future__ import annotations

import math
from typing import Optional, Tuple

import numpy as np

from .mathfns import fma32, fma64

VECTOR_BYTES = 32  # Vectorized<T> in ReduceOpsKernel.cpp's build: 8 floats, 4 doubles


def _rows(data: np.ndarray, axes: Optional[Tuple[int, ...]]) -> Tuple[np.ndarray, bool]:
    """``data`` as a 2-d array (one row per output, the reduced elements along
    the row, in index order), and whether the rows are PyTorch's "last dim"
    case: the reduced dims are the innermost ones of a contiguous array."""
    if axes is None:
        axes = tuple(range(data.ndim))
    kept = [d for d in range(data.ndim) if d not in axes]
    innermost = tuple(sorted(axes)) == tuple(range(data.ndim - len(axes), data.ndim))
    moved = np.transpose(data, kept + sorted(axes))
    count = math.prod(data.shape[d] for d in axes)
    return moved.reshape(-1, count), innermost and data.flags.c_contiguous


def _add(acc: np.ndarray, x: np.ndarray) -> np.ndarray:
    return (acc + x).astype(acc.dtype)


def _sum_of_squares_simd(rows: np.ndarray) -> np.ndarray:
    """The SIMD path of ``p = 2``: lanes of squares, then the lanes, then the rest fused."""
    lanes = VECTOR_BYTES // rows.dtype.itemsize
    n = rows.shape[1]
    whole = n - n % lanes
    acc = np.zeros((rows.shape[0], lanes), rows.dtype)
    for start in range(0, whole, lanes):
        chunk = rows[:, start:start + lanes]
        acc = _add(acc, (chunk * chunk).astype(rows.dtype))
    total = acc[:, 0]
    for j in range(1, lanes):
        total = _add(total, acc[:, j])
    grouped = n - (n - whole) % 4
    for d in range(whole, grouped):  # squares of 4 at a time (the compiler's SLP vectors)
        total = _add(total, (rows[:, d] * rows[:, d]).astype(rows.dtype))
    fused = fma32 if rows.dtype == np.float32 else fma64
    for d in range(grouped, n):      # the last 1-3: acc + x * x contracted to one fma
        total = fused(rows[:, d], rows[:, d], total).astype(rows.dtype)
    return total


def _in_order(rows: np.ndarray, term: object) -> np.ndarray:
    """``sum term(x)`` along each row, one element at a time, in the rows' dtype."""
    total = np.zeros(rows.shape[0], rows.dtype)
    for d in range(rows.shape[1]):
        total = _add(total, term(rows[:, d]))  # type: ignore[operator]
    return total


def vector_norm(data: np.ndarray, p: float, axes: Optional[Tuple[int, ...]]) -> np.ndarray:
    """The ``p``-norm of ``data`` (float32 or float64) over ``axes`` (None: all),
    one value per output element, in the output's row-major order (flat)."""
    rows, innermost = _rows(data, axes)
    kind = rows.dtype.type
    with np.errstate(all="ignore"):
        magnitude = np.abs(rows)
        if p == math.inf:
            return np.max(magnitude, axis=1, initial=kind(0))
        if p == -math.inf:
            return np.min(magnitude, axis=1, initial=kind(math.inf))
        if p == 0:
            return np.count_nonzero(rows, axis=1).astype(rows.dtype)
        if p == 1:
            return _in_order(magnitude, lambda x: x)
        if p == 2:
            squares = (_sum_of_squares_simd(rows) if innermost
                       else _in_order(rows, lambda x: (x * x).astype(rows.dtype)))
            return np.sqrt(squares)
        power = np.float64(p)
        total = _in_order(magnitude, lambda x: (x.astype(np.float64) ** power).astype(kind))
        inverse = np.float64(kind(1) / kind(p))
        return (total.astype(np.float64) ** inverse).astype(kind)
