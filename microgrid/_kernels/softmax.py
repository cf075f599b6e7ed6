"""softmax and log_softmax over any dim, forward and backward, as PyTorch's CPU kernels
compute them.

PyTorch counterpart: ``_vec_softmax_lastdim`` and ``_vec_host_softmax_backward_lastdim``
(the last dim), ``_vec_softmax``, ``_vec_logsoftmax``, ``_vec_softmax_backward`` and
``_vec_log_softmax_backward`` (any other dim) in aten/src/ATen/native/cpu/SoftMaxKernel.cpp,
with ``vec::reduce_all`` / ``vec::map_reduce_all`` (aten/src/ATen/cpu/vec/functional_base.h),
SLEEF's ``expf`` in the SIMD code and glibc's ``expf`` (``libm.py``) in the scalar code.

**The last dim.**  Per row of ``n`` values, with ``W`` SIMD lanes (16 float32 on AVX512, 8 on AVX2):

1. ``max`` of the row;
2. ``e = exp(x - max)`` for every element, with SLEEF's ``expf_u10`` (``mathfns``);
3. ``sum = reduce_all(e)``: lane ``i`` accumulates elements ``i, i+W, i+2W, ...`` left to
   right (the last partial vector only into its first lanes), then the lanes are folded
   in halves (``v[i] + v[i ^ W/2]``, then ``^ W/4`` ... ``^ 1``); a row shorter than ``W``
   is added left to right instead;
4. ``out = e * (1 / sum)``: one division per row, then a multiplication.

The backward: ``s = reduce_all(grad * out)``, ``grad_in = (grad - s) * out`` (99.99%:
rows whose length is not a multiple of ``W`` sometimes differ in ``s``; not found why).
log_softmax: the same sum of exponentials, SLEEF's ``logf_u10`` of it (double-float
arithmetic, ``mathfns.sleef_logf``), ``(x - max) - log(sum)``; its backward
``grad - exp(out) * sum(grad)`` with the multiply-subtract fused.

**Any other dim.**  The input is seen as ``(outer, n, inner)``; the kernels run down the
columns (``n`` values ``inner`` apart), ``W`` columns at a time in SIMD, the others in a
scalar loop, and every column's result is a chain down it:

* ``softmax``: ``parallel_for(0, outer * inner, 0)`` (grain 0: each of the
  ``torch.get_num_threads()`` threads gets ``ceil(outer * inner / threads)`` columns, even
  for tiny tensors); within a thread's range, SIMD blocks of ``W`` columns start at its
  first column of each row of ``inner`` and must fit in both the row and the range; the
  other columns are scalar.  Per column: max; ``e = exp(x - max)`` (SLEEF in SIMD
  columns, glibc's ``expf`` in scalar ones); ``sum`` down the column from 0;
  ``out = e / sum`` (a division, not the last dim's multiplication by ``1/sum``).
* ``log_softmax``: ``inner`` cut in chunks that are multiples of ``W``, so the scalar
  columns are the last ``inner % W``; per column: max, ``sum`` of ``exp(x - max)`` from 0
  (SLEEF / glibc as above), SLEEF's ``logf`` of every sum, ``(x - max) - log``.
* backward (same chunks): ``softmax``: ``s = sum(grad * out)`` as a chain of **fmas**
  down the column (plain multiply-then-add: 99,828 of 544,212 gradients differ),
  ``(grad - s) * out``; ``log_softmax``: ``s = sum(grad)``, ``grad - exp(out) * s``
  fused, ``exp`` by SLEEF / glibc per column as above.

100% on 544,212 elements of 150 random shapes and dims, under ``avx512`` and ``avx2``.
The column chains are NumPy reductions over the ``n`` axis (left to right), except the
fma chain of softmax's backward: one ``fma32`` call per position along the dim.

Read next: ``libm.py``.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

from . import libm, reduce
from .mathfns import correctly_rounded, float_lanes, fma32, fma64, sleef_expf, sleef_logf
from .reduce import _sequential, cpu_capability, num_threads


def _fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return fma32(a, b, c) if a.dtype == np.float32 else fma64(a, b, c).astype(a.dtype)


def reduce_all_sum(a: np.ndarray, lanes: int) -> np.ndarray:
    """PyTorch's ``vec::reduce_all`` with ``+`` along the last axis (every row at once)."""
    n = a.shape[-1]
    if n < lanes:                                            # one partial vector: in order
        return np.add.accumulate(a, axis=-1)[..., -1] if n else np.zeros(a.shape[:-1], a.dtype)
    full = n // lanes * lanes
    vectors = a[..., :full].reshape(a.shape[:-1] + (full // lanes, lanes))
    # in order (the lanes are NumPy's inner loop), from the first vector itself: starting
    # at -0.0 keeps a sum of -0.0 negative, as PyTorch's accumulator does
    acc = np.add.reduce(vectors, axis=-2, initial=-0.0)
    if n > full:                                             # the tail: only its first lanes
        acc[..., :n - full] += a[..., full:]
    if cpu_capability() == "default":                        # generic fold: lane by lane
        return np.add.accumulate(acc, axis=-1)[..., -1]
    half = lanes // 2
    while half:
        acc = acc + acc[..., np.arange(lanes) ^ half]
        half //= 2
    return acc[..., 0]


def _exp(x: np.ndarray) -> np.ndarray:
    """``Vectorized<float>::exp``: SLEEF's, or lane by lane glibc's in the default build."""
    if cpu_capability() == "default":
        return libm.expf(x)
    return sleef_expf(x)


def _log(x: np.ndarray) -> np.ndarray:
    """``Vectorized<float>::log``: SLEEF's (the default build: glibc's ``logf``, stood in
    for by correct rounding)."""
    return correctly_rounded(np.log, x) if cpu_capability() == "default" else sleef_logf(x)


def softmax_lastdim(x: np.ndarray) -> np.ndarray:
    """``torch.softmax(x, dim=-1)`` for a float32 array (contiguous rows)."""
    x = np.ascontiguousarray(x, np.float32)
    if x.size == 0:
        return x.copy()
    with np.errstate(all="ignore"):
        e = _exp(x - x.max(axis=-1, keepdims=True))
        scale = np.float32(1) / reduce_all_sum(e, float_lanes())
        return e * scale[..., None]


def softmax_backward_lastdim(grad: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``_softmax_backward_data`` over the last dim: ``(grad - sum(grad * out)) * out``."""
    with np.errstate(all="ignore"):
        s = reduce_all_sum(grad * out, float_lanes())
        return (grad - s[..., None]) * out


def log_softmax_lastdim(x: np.ndarray) -> np.ndarray:
    """``torch.log_softmax(x, dim=-1)``: ``(x - max) - log(sum(exp(x - max)))``, the sum
    as ``reduce_all`` adds it, its log by SLEEF's ``logf_u10``."""
    x = np.ascontiguousarray(x, np.float32)
    if x.size == 0:
        return x.copy()
    with np.errstate(all="ignore"):
        largest = x.max(axis=-1, keepdims=True)
        total = reduce_all_sum(_exp(x - largest), float_lanes())
        return (x - largest) - _log(total)[..., None]


def log_softmax_backward_lastdim(grad: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``_log_softmax_backward_data`` over the last dim: ``grad - exp(out) * sum(grad)``,
    the multiply-subtract fused (one rounding) as the compiled kernel does."""
    with np.errstate(all="ignore"):
        s = np.broadcast_to(reduce_all_sum(grad, float_lanes())[..., None], grad.shape)
        if cpu_capability() == "default":
            return grad - _exp(out) * s
        return _fma(-_exp(out), s, grad)


# -- any dim ------------------------------------------------------------------------------
def _columns(a: np.ndarray, dim: int) -> np.ndarray:
    """``a`` (contiguous) as ``(outer, n, inner)`` with ``n`` the size of ``dim``."""
    shape = a.shape
    return np.ascontiguousarray(a).reshape(
        int(np.prod(shape[:dim])), shape[dim], int(np.prod(shape[dim + 1:])))


def _softmax_simd_columns(outer: int, inner: int, lanes: int) -> np.ndarray:
    """Which of the ``outer * inner`` columns ``_vec_softmax`` computes with SIMD code
    (shape ``(outer, 1, inner)``): ``parallel_for`` with grain 0 splits them evenly over
    the threads; in each thread's range, blocks of ``lanes`` start at the range's first
    column of each row and must end inside both the row and the range."""
    total = outer * inner
    threads = num_threads()
    size = -(-total // threads) if total > 1 and threads > 1 else max(total, 1)
    column = np.arange(total)
    begin = column - column % size                           # the thread's range
    end = np.minimum(begin + size, total)
    row = column - column % inner
    first = np.maximum(begin, row)
    block = first + (column - first) // lanes * lanes
    simd = block + lanes <= np.minimum(end, row + inner)
    return simd.reshape(outer, 1, inner)


def _chunk_simd_columns(inner: int, lanes: int) -> np.ndarray:
    """For the kernels that cut ``inner`` in chunks of a multiple of ``lanes``: all but
    the last ``inner % lanes`` columns are SIMD."""
    return (np.arange(inner) < inner - inner % lanes).reshape(1, 1, inner)


def _exp_by_column(x: np.ndarray, simd: np.ndarray) -> np.ndarray:
    """``exp`` of ``(outer, n, inner)``: the vector one in SIMD columns, glibc's ``expf``
    in scalar ones (``simd``: ``(outer or 1, 1, inner)``)."""
    if simd.all():
        return _exp(x)
    if not simd.any():
        return libm.expf(x)
    scalar = np.broadcast_to(~simd[:, 0, :], (x.shape[0], x.shape[2]))
    out = _exp(x)
    columns = out.transpose(0, 2, 1)                     # (outer, inner, n): a view
    columns[scalar] = libm.expf(x.transpose(0, 2, 1)[scalar])
    return out


def _column_sum(a: np.ndarray) -> np.ndarray:
    """The sum down each column of ``(outer, n, inner)``, left to right, from +0."""
    return _sequential(a, axis=1)[:, None, :] + np.float32(0)


def softmax(x: np.ndarray, dim: int) -> np.ndarray:
    """``torch.softmax(x, dim)`` for a float32 array, ``dim`` non-negative."""
    if dim == x.ndim - 1:
        return softmax_lastdim(x)
    x = np.asarray(x, np.float32)
    if x.size == 0:
        return x.copy()
    a = _columns(x, dim)
    with np.errstate(all="ignore"):
        simd = _softmax_simd_columns(a.shape[0], a.shape[2], float_lanes())
        e = _exp_by_column(a - a.max(axis=1, keepdims=True), simd)
        return (e / _column_sum(e)).reshape(x.shape)


def log_softmax(x: np.ndarray, dim: int) -> np.ndarray:
    """``torch.log_softmax(x, dim)`` for a float32 array, ``dim`` non-negative."""
    if dim == x.ndim - 1:
        return log_softmax_lastdim(x)
    x = np.asarray(x, np.float32)
    if x.size == 0:
        return x.copy()
    a = _columns(x, dim)
    with np.errstate(all="ignore"):
        shifted = a - _largest(a)
        total = _column_sum(_exp_by_column(shifted, _chunk_simd_columns(a.shape[2], float_lanes())))
        return (shifted - _log(total)).reshape(x.shape)


def _largest(a: np.ndarray) -> np.ndarray:
    """``_vec_logsoftmax``'s max down each column: from -inf, ``x > max ? x : max`` (a nan
    is passed over)."""
    return np.fmax.reduce(a, axis=1, keepdims=True, initial=-np.inf)


def softmax_backward(grad: np.ndarray, out: np.ndarray, dim: int) -> np.ndarray:
    """``_softmax_backward_data`` along ``dim``: ``(grad - sum(grad * out)) * out``."""
    if dim == grad.ndim - 1:
        return softmax_backward_lastdim(grad, out)
    g, y = _columns(grad, dim), _columns(out, dim)
    with np.errstate(all="ignore"):
        if cpu_capability() == "default":
            s = _column_sum(g * y)
        else:                                   # an fma chain down the columns, from 0
            s = np.zeros(g[:, :1].shape, np.float32)
            for j in range(g.shape[1]):
                s = fma32(g[:, j:j + 1], y[:, j:j + 1], s)
        return (y * (g - s)).reshape(grad.shape)


def log_softmax_backward(grad: np.ndarray, out: np.ndarray, dim: int) -> np.ndarray:
    """``_log_softmax_backward_data`` along ``dim``: ``grad - exp(out) * sum(grad)``."""
    if dim == grad.ndim - 1:
        return log_softmax_backward_lastdim(grad, out)
    g, y = _columns(grad, dim), _columns(out, dim)
    with np.errstate(all="ignore"):
        s = np.broadcast_to(_column_sum(g), g.shape)
        e = _exp_by_column(y, _chunk_simd_columns(g.shape[2], float_lanes()))
        if cpu_capability() == "default":
            return (g - e * s).reshape(grad.shape)
        return fma32(-e, s, g).reshape(grad.shape)


# -- logsumexp ----------------------------------------------------------------------------
def logsumexp(x: np.ndarray, dims: Sequence[int], keepdim: bool) -> np.ndarray:
    """``torch.logsumexp(x, dims, keepdim)`` for a float32/float64 array as
    ``logsumexp_out_impl`` (aten/src/ATen/native/ReduceOps.cpp) composes it from other
    ops: ``m = amax(x, dims)`` with infinite maxima replaced by 0, ``sum(exp(x - m))``
    by the sum kernel, then ``log`` of it ``+ m``.  ``exp`` and ``log`` are MKL VML's
    (closed), stood in for by correct rounding: the only part not bit-identical."""
    dims = tuple(dims)
    with np.errstate(all="ignore"):
        largest = np.max(x, axis=dims, keepdims=True)
        largest = np.where(np.isinf(largest), x.dtype.type(0), largest).astype(x.dtype)
        total = reduce.sum(correctly_rounded(np.exp, x - largest), dims, keepdim)
        kept = largest if keepdim else np.squeeze(largest, axis=dims)
        return correctly_rounded(np.log, total) + kept
