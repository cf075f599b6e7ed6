"""Matrix products in MKL's order, where that order has been established: ``mm``/``addmm``.

PyTorch counterpart: ``at::native::cpublas::gemm`` (aten/src/ATen/native/CPUBlas.cpp),
which on this build calls Intel MKL's ``sgemm``/``dgemm``: closed source, so the order
below is *measured*, not read.  Measured on torch 2.13.0 (MKL 2024.2, AVX512 EPYC):

* Each output element is a chain of fused multiply-adds over ``k``, in order, one
  rounding per step, restarted every 192 values of ``k`` (MKL's K-blocking); the block
  results are added to the output in order (``addmm`` starts from the bias).
  Bit-identical on 64x1000 @ 1000x100, its backward products (1000x64 @ 64x100,
  64x10 @ 10x100), ``linear`` with bias, 64x32 @ 32x128.
* A single row (``M == 1``) and outputs of 2, 4 or 8 columns: a plain left-to-right
  chain (a multiply, then an add: two roundings per step), bit-identical.  Other narrow
  outputs (1, 7, 10 columns) take an MKL path not reproduced here: the plain chain
  matches 85-93% of elements for 7 and 10 columns, ~25% for one column.

This is slow (one NumPy call per ``k``): an opt-in for exact programs, not the default.
The switch is microgrid's own (PyTorch has none): ``MICROGRID_EXACT_MATMUL=1`` in the
environment when microgrid is imported, or ``set_exact_matmul(True)`` (module flag
``EXACT_MATMUL``); then ``mm``, ``matmul`` of 2-d float32 matrices and ``addmm`` (bias,
``alpha == beta == 1``) call ``mm`` below, forward and backward.

``docs/numerics.md`` says what each kernel reproduces, and how well.

Read next: ``norms.py``.
"""

from __future__ import annotations

import os
from typing import Optional

import numpy as np

K_BLOCK = 192   # MKL's K-blocking for sgemm here (measured)

#: microgrid's own opt-in (not PyTorch's): matrix products in MKL's measured order.
EXACT_MATMUL = os.environ.get("MICROGRID_EXACT_MATMUL", "") == "1"


def set_exact_matmul(on: bool) -> None:
    """Switch the exact (slow) matrix products on or off for this process."""
    global EXACT_MATMUL
    EXACT_MATMUL = bool(on)


def exact_applies(a: np.ndarray, b: np.ndarray) -> bool:
    """Whether the opt-in is on and ``mm`` below covers ``a @ b`` (2-d float32)."""
    return (EXACT_MATMUL and a.dtype == np.float32 and b.dtype == np.float32
            and a.ndim == 2 and b.ndim == 2)


def _fma_chain(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``sum_k a[:, k] * b[k, :]`` as fused multiply-adds in order, one rounding each.

    The product of two float32 values is exact in float64; adding it to the float32
    accumulator in float64 and rounding back rounds once (except in the rare case the
    float64 sum lands exactly halfway between two float32 values, ~2**-28 of steps)."""
    acc = np.zeros((a.shape[0], b.shape[1]), a.dtype)
    wide = np.empty(acc.shape, np.float64)
    for k in range(a.shape[1]):
        np.multiply.outer(a[:, k].astype(np.float64), b[k].astype(np.float64), out=wide)
        wide += acc
        acc[...] = wide
    return acc


def _plain_chain(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``sum_k a[:, k] * b[k, :]`` left to right, product and sum each rounded."""
    acc = np.zeros((a.shape[0], b.shape[1]), a.dtype)
    for k in range(a.shape[1]):
        acc += np.multiply.outer(a[:, k], b[k])
    return acc


NARROW = 12     # outputs with fewer columns (or one row) take MKL's other path


def mm(a: np.ndarray, b: np.ndarray, bias: Optional[np.ndarray] = None) -> np.ndarray:
    """``a @ b`` (``addmm(bias, a, b)`` with a bias) for 2-d float32 arrays, in MKL's
    measured order: fused chains over blocks of 192 ``k``, block sums added in order;
    one row or fewer than 12 columns: one plain chain."""
    if a.dtype != np.float32 or b.dtype != np.float32:
        return a @ b if bias is None else bias + a @ b
    out = None if bias is None else np.broadcast_to(bias, (a.shape[0], b.shape[1])).copy()
    if a.shape[0] == 1 or b.shape[1] < NARROW:
        block = _plain_chain(a, b)
        return block if out is None else out + block
    for start in range(0, max(a.shape[1], 1), K_BLOCK):
        block = _fma_chain(a[:, start:start + K_BLOCK], b[start:start + K_BLOCK])
        out = block if out is None else out + block
    return out
