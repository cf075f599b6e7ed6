"""Math functions as PyTorch's CPU kernels compute them: linspace, arange, sigmoid, ...

PyTorch counterparts: aten/src/ATen/native/cpu/RangeFactoriesKernel.cpp (``linspace``,
``arange``), aten/src/ATen/native/RangeFactories.cpp (``logspace``),
aten/src/ATen/native/cpu/UnaryOpsKernel.cpp (``sigmoid``) with SLEEF's ``expf``
(sleef/src/libm/sleefsimdsp.c, ``xexpf``), aten/src/ATen/native/cpu/Loops.h
(``vectorized_loop``: which elements take the SIMD path and which the scalar one).

The same formula gives different last bits depending on how it is evaluated: which
operations are fused into one rounding (``fma``), which precision the intermediate values
carry, and which elements go through the SIMD code and which through the scalar code.
Each function here evaluates PyTorch's formula the way PyTorch's compiled kernel does,
established by reading the source and then checked bit for bit against torch 2.13.

* ``linspace``: element ``i`` is ``start + step * i`` in the first half and
  ``end - step * (steps - 1 - i)`` in the second (so both ends are exact), each a single
  fused multiply-add in the output dtype.
* ``arange``: computed in float64 (PyTorch's accumulate type) and rounded once; SIMD
  groups of 32 bytes start from a rounded base and add ``k * step`` to it.
* ``sigmoid``: ``1 / (1 + exp(-x))`` where, for elements in whole pairs of SIMD vectors
  (16 lanes on AVX512, 8 on AVX2), ``exp`` is SLEEF's ``expf_u10`` polynomial (built with
  fma); the trailing elements use the C library's expf.
* ``rsqrt``, ``pow`` with the exponents PyTorch special-cases; the backward formulas
  ``tanh_backward`` (``1 - y*y`` fused), ``sigmoid_backward``, ``mse_loss_backward`` in
  PyTorch's order of operations.
* ``exp``/``log``/``tanh``/``sin``/``cos``/``sqrt``...: PyTorch calls Intel MKL's VML,
  which is closed source; ``correctly_rounded`` computes in float64 and rounds once.

Wherever "fused" appears: the AVX2/AVX512 builds PyTorch runs are compiled with fma and
the compiler contracts ``a*b + c``; under ``ATEN_CPU_CAPABILITY=default`` they are not.

Read next: ``softmax.py``.
"""

from __future__ import annotations

import math
import threading
from typing import Callable, Optional

import numpy as np

from . import libm
from .layout import memory_order
from .quiet import silent
from .reduce import GRAIN_SIZE, cpu_capability, num_threads

SIMD_FLOAT_LANES = 8         # Vectorized<float> in kernels without an AVX512 build (32 bytes)
_FLOAT32 = np.dtype(np.float32)
_FLOAT64 = np.dtype(np.float64)
_ONE64 = np.float64(1)
_EIGHTH, _TWO24 = np.float32(0.125), np.float32(2.0**24)


# -- exact float32 building blocks -------------------------------------------------------
@silent
def fma32(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a * b + c`` for float32 values with a single rounding, as the CPU's fma does.

    The product of two float32 values is exact in float64; the float64 sum is rounded to
    odd (the last bit records any inexactness), so rounding it to float32 rounds once.
    speed (performance.md, "What PyTorch's bits cost"): rounding the float64 sum directly
    is already right unless that sum sits exactly halfway between two float32 values (or
    is nonzero and below float32's normal range); only those elements, if any, take the
    round-to-odd path.  Big arrays go through in slices that stay in the cache
    (``_fma32_slices``)."""
    a, b, c = np.asarray(a), np.asarray(b), np.asarray(c)
    if a.size >= _SLICE or c.size >= _SLICE or b.size >= _SLICE:
        return _fma32_slices(a, b, c)
    shape = a.shape
    if a.ndim and (b.shape == shape or not b.ndim) and (c.shape == shape or not c.ndim):
        # speed: astype and in-place ufuncs, not multiply(..., dtype=float64)'s casting loop
        total = a.astype(_FLOAT64, order="C")                 # (_repair: C order)
        np.multiply(total, b, out=total)                        # exact
        np.add(total, c, out=total)
    else:
        total = np.multiply(a, b, dtype=np.float64, order="C")
        if total.ndim == 0:                                     # numbers: the exact path
            if c.ndim:
                return fma32(np.broadcast_to(a, c.shape), b, c)
            return _fma32_odd(*(v.astype(np.float64).reshape(1) for v in (a, b, c)))[0]
        total = np.add(total, c, out=total if total.shape == c.shape else None,
                       dtype=np.float64, order="C")
    result = total.astype(np.float32)
    suspect = _suspect(total, result)
    if np.count_nonzero(suspect):                               # fix only those elements
        _repair(result, suspect, a, b, c)
    return result


_FLOAT32_TINY = 2.0 ** -125  # below it float32 has fewer bits: no shortcut there
# (NumPy scalars, not Python ints: converting an int operand costs a microsecond a call)
_LOW_BITS, _HALFWAY = np.int64(0x1FFFFFFF), np.int64(0x10000000)  # float64's 29 extra bits
_SIGN_OFF, _ONE = np.int64(0x7FFFFFFFFFFFFFFF), np.int64(1)
_TINY_BITS = np.uint64(np.float64(_FLOAT32_TINY).view(np.int64) - 1)
_SLICE = 1 << 15             # elements per slice of a big fma32 (256 KB of float64)


def _suspect(total: np.ndarray, result: np.ndarray) -> np.ndarray:
    """Where rounding the float64 ``total`` to float32 (``result``) may differ from rounding
    once: it sits on a float32 halfway point (its 29 low bits are 1000...0), or it is
    nonzero and below 2**-125 (float32 rounds at a coarser bit there).  nan and inf: never.
    ``total`` may be overwritten.  The second test runs only if some ``result`` is that
    small (one float32 ``abs`` and ``min`` to find out; zeros, exact, are not suspect)."""
    bits = total.view(np.int64)
    suspect = np.equal(np.bitwise_and(bits, _LOW_BITS), _HALFWAY)
    if not np.fmin.reduce(np.abs(result), axis=None, initial=np.inf) > _FLOAT32_TINY:
        np.bitwise_and(bits, _SIGN_OFF, out=bits)               # |total|'s bits
        bits -= _ONE                                            # 0 becomes -1: not suspect
        suspect |= np.less(bits.view(np.uint64), _TINY_BITS)
    return suspect


def _repair(result: np.ndarray, suspect: np.ndarray, a: np.ndarray, b: np.ndarray,
            c: np.ndarray) -> None:
    """Recompute ``result`` (C-contiguous) where ``suspect`` with the sum rounded to odd."""
    where = np.flatnonzero(suspect)
    shape = result.shape
    picked = [v.reshape(-1)[where] if v.shape == shape else v if v.ndim == 0
              else np.broadcast_to(v, shape)[np.unravel_index(where, shape)]
              for v in (a, b, c)]
    result.reshape(-1)[where] = _fma32_odd(*(v.astype(np.float64) for v in picked))


class _Scratch(threading.local):
    """Per-thread scratch arrays of ``_SLICE`` elements for ``_fma32_slices``, made once:
    a fresh array of 256 KB costs its page faults on every call (on this 2-core machine
    more than the arithmetic done in it)."""

    def __init__(self) -> None:
        self.total = np.empty(_SLICE, np.float64)
        self.low = np.empty(_SLICE, np.int64)
        self.suspect = np.empty(_SLICE, bool)
        self.tiny = np.empty(_SLICE, bool)
        self.magnitude = np.empty(_SLICE, np.float32)


_scratch = _Scratch()


def _fma32_slices(a: np.ndarray, b: np.ndarray, c: np.ndarray, negate: bool = False,
                  times: Optional[np.ndarray] = None) -> np.ndarray:
    """``fma32(a, b, c)`` of big arrays (``fma32(-a, b, c)`` with ``negate``, and then
    multiplied by ``times`` in float32 if given), ``_SLICE`` elements at a time through
    scratch arrays that stay in the cache: the same operations, but no fresh
    8-byte-per-element arrays (on 1e6 elements their page faults cost ~3x the
    arithmetic).  A slice with no result of magnitude 2**-125 or below (one float32
    ``min``) skips the subnormal half of ``_suspect``."""
    shape = np.broadcast_shapes(a.shape, b.shape, c.shape,
                                () if times is None else times.shape)
    n = math.prod(shape)
    flat = [v.reshape(()) if v.size == 1 else np.broadcast_to(v, shape).reshape(-1)
            for v in (a, b, c, times if times is not None else c)]  # (broadcasts: copied)
    result = np.empty(n, np.float32)
    scratch = _scratch
    bits = scratch.total.view(np.int64)
    for start in range(0, n, _SLICE):
        stop = min(n, start + _SLICE)
        m = stop - start
        x, y, z, w = (v if v.ndim == 0 else v[start:stop] for v in flat)
        t, lo, s = scratch.total[:m], scratch.low[:m], scratch.suspect[:m]
        out = result[start:stop]
        np.multiply(x, y, out=t, dtype=np.float64)              # exact
        if negate:
            np.subtract(z, t, out=t, dtype=np.float64)          # c - a*b == (-a)*b + c
        else:
            np.add(t, z, out=t, dtype=np.float64)
        np.copyto(out, t, casting="unsafe")                     # rounded to float32
        np.bitwise_and(bits[:m], _LOW_BITS, out=lo)
        np.equal(lo, _HALFWAY, out=s)
        if not np.fmin.reduce(np.abs(out, out=scratch.magnitude[:m])) > _FLOAT32_TINY:
            np.bitwise_and(bits[:m], _SIGN_OFF, out=lo)         # the subnormal half
            lo -= _ONE
            s |= np.less(lo.view(np.uint64), _TINY_BITS, out=scratch.tiny[:m])
        if np.count_nonzero(s):
            _repair(out, s, np.negative(x) if negate else x, y, z)
        if times is not None:
            np.multiply(out, w, out=out)
    return result.reshape(shape)


def _fma32_odd(a64: np.ndarray, b64: np.ndarray, c64: np.ndarray) -> np.ndarray:
    product = a64 * b64                                         # (in fma32: silent)
    total = product + c64
    back = total - c64
    err = (product - back) + (c64 - (total - back))              # TwoSum: exact error
    bits = total.view(np.int64)
    inexact = (err != 0) & np.isfinite(total) & ((bits & 1) == 0)
    toward = np.where(err > 0, np.inf, -np.inf)
    total = np.where(inexact, np.nextafter(total, toward), total)
    return total.astype(np.float32)


def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple:
    """``s, e`` with ``s = fl(a + b)`` and ``s + e == a + b`` exactly (Knuth's TwoSum)."""
    s = a + b
    back = s - b
    return s, (a - back) + (b - (s - back))


def fma64(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a * b + c`` for float64 with one rounding: the product split exactly (Dekker),
    the three terms added with error-free transformations, a tie broken by what is left."""
    a, b, c = (np.asarray(v, np.float64) for v in (a, b, c))
    with np.errstate(all="ignore"):
        product = a * b
        split = 134217729.0                                      # 2**27 + 1
        ah = a * split - (a * split - a)
        bh = b * split - (b * split - b)
        low = ((ah * bh - product) + ah * (b - bh) + (a - ah) * bh) + (a - ah) * (b - bh)
        high, err = _two_sum(product, c)                         # a*b + c == high + err + low
        rest, lost = _two_sum(err, low)
        total, residual = _two_sum(high, rest)                   # total + residual + lost
        neighbour = np.nextafter(total, np.where(residual > 0, np.inf, -np.inf))
        tie = (np.abs(residual) * 2 == np.abs(neighbour - total)) & (lost != 0)
        total = np.where(tie & ((lost > 0) == (residual > 0)), neighbour, total)
        fine = np.isfinite(product) & np.isfinite(total) & np.isfinite(ah * bh) & (total != 0)
    return np.where(fine, total, product + c)                    # (+-0 and inf: plain IEEE)


# -- linspace, arange, logspace ---------------------------------------------------------
def linspace(start: float, end: float, steps: int, dtype: np.dtype = _FLOAT32
             ) -> np.ndarray:
    """``torch.linspace(start, end, steps)``: PyTorch's ``linspace_kernel``.

    ``step = (end - start) / (steps - 1)`` in the dtype; element ``i`` is
    ``start + step*i`` below ``steps // 2`` and ``end - step*(steps - 1 - i)`` from there,
    each multiply-add fused (one rounding) as the compiled kernel does."""
    dtype = np.dtype(dtype)
    t = dtype.type
    s, e = t(start), t(end)
    if steps == 1:
        return np.array([s], dtype)
    with np.errstate(all="ignore"):
        step = t(t(e - s) / t(steps - 1))
    i = np.arange(steps)
    lo, hi = i[:steps // 2].astype(dtype), (steps - 1 - i[steps // 2:]).astype(dtype)
    if cpu_capability() == "default":                       # built without fma: two roundings
        with np.errstate(all="ignore"):
            return np.concatenate([s + step * lo, e - step * hi]).astype(dtype)
    fused = fma32 if dtype == np.float32 else fma64
    return np.concatenate([fused(step, lo, s), fused(-step, hi, e)]).astype(dtype)


def arange(start: float, end: float, step: float = 1.0,
           dtype: np.dtype = _FLOAT32) -> np.ndarray:
    """``torch.arange(start, end, step)`` with a float result: PyTorch's ``arange_kernel``.

    Values are computed in float64 (``start + step*i``, one fused multiply-add) and
    rounded once, except inside SIMD groups: each group of 32 bytes (8 float32, 4
    float64) starts at ``base = round(start + step*i)`` and its lanes are
    ``round(base + k*step)``, ``k = 1, 2, ...`` (fused too).  Groups come two at a time;
    the elements left over at the end of each thread's chunk are computed one by one."""
    dtype = np.dtype(dtype)
    n = max(0, math.ceil((end - start) / step))
    i = np.arange(n, dtype=np.float64)
    fused = fma64 if cpu_capability() != "default" else (lambda a, b, c: a * b + c)
    exact = fused(step, i, start).astype(dtype)
    lanes = 32 // dtype.itemsize
    group = _group_starts(n, lanes)
    in_group = fused(i - group, step, exact[group].astype(np.float64)).astype(dtype)
    in_group = np.where(i == group, exact[group], in_group)     # lane 0 is the base itself
    return np.where(simd_mask(n, lanes), in_group, exact)


def parallel_chunks(n: int, threads: Optional[int] = None) -> list:
    """``at::parallel_for(0, n, GRAIN_SIZE)``: the [begin, end) range each thread gets."""
    if n <= GRAIN_SIZE:
        return [(0, n)]
    used = min(threads or num_threads(), -(-n // GRAIN_SIZE))
    size = -(-n // used)
    return [(b, min(n, b + size)) for b in range(0, n, size)]


def _group_starts(n: int, lanes: int) -> np.ndarray:
    """For each index, where its SIMD group starts (groups restart at each thread chunk)."""
    starts = np.arange(n)
    for begin, stop in parallel_chunks(n):
        local = np.arange(stop - begin)
        starts[begin:stop] = begin + local - local % lanes
    return starts


def logspace(start: float, end: float, steps: int, base: float = 10.0,
             dtype: np.dtype = _FLOAT32) -> np.ndarray:
    """``torch.logspace``: ``pow(base, start + step*i)`` (first half) and
    ``pow(base, end - step*(steps-1-i))`` (second half), exponents in float64 with
    ``step = (end - start) / (steps - 1)`` from the dtype-rounded ends.

    PyTorch calls the C library's ``pow``; NumPy's float64 ``power`` is its own SIMD code
    and differs in the last bit on ~5% of float64 results (float32 results agree)."""
    dtype = np.dtype(dtype)
    if steps == 1:                                          # fill_(pow(base, start))
        return np.power(np.float64(base), np.array([float(start)])).astype(dtype)
    s, e = float(dtype.type(start)), float(dtype.type(end))
    step = float(dtype.type(e - s)) / (steps - 1) if dtype == np.float32 else (e - s) / (steps - 1)
    i = np.arange(steps, dtype=np.float64)
    half = steps // 2
    exponent = np.where(np.arange(steps) < half, s + step * i, e - step * (steps - 1 - i))
    with np.errstate(all="ignore"):
        return np.power(np.float64(base), exponent).astype(dtype)


# -- sigmoid: SLEEF's expf inside PyTorch's vectorized loop ------------------------------
_R_LN2F = np.float32(1.442695040888963407359924681001892137426645954152985934135449406931)
_L2UF = np.float32(0.693145751953125)
_L2LF = np.float32(1.428606765330187045e-06)
_EXPF_POLY = [np.float32(c) for c in (
    0.000198527617612853646278381, 0.00139304355252534151077271,
    0.00833336077630519866943359, 0.0416664853692054748535156,
    0.166666671633720397949219, 0.5)]


def _pow2i(q: np.ndarray) -> np.ndarray:
    """2**q as float32, built from the exponent bits (SLEEF's ``vpow2i``)."""
    return ((q.astype(np.int32) + 0x7F) << 23).view(np.float32)


def sleef_expf(d: np.ndarray) -> np.ndarray:
    """SLEEF's ``expf_u10`` (what ``Vectorized<float>::exp()`` calls), step by step:
    ``q = rint(d / ln 2)``, ``s = d - q ln 2`` (two fmas, ln 2 split in two),
    a degree-6 polynomial by Horner's rule with fmas, then scaled by ``2**q``."""
    d = np.asarray(d, np.float32)
    with np.errstate(all="ignore"):
        q = np.rint(d * _R_LN2F)
        q = np.where(np.isfinite(q), q, 0).astype(np.int32)
        qf = q.astype(np.float32)
        s = fma32(qf, -_L2UF, d)
        s = fma32(qf, -_L2LF, s)
        u = np.full_like(s, _EXPF_POLY[0])
        for c in _EXPF_POLY[1:]:
            u = fma32(u, s, c)
        u = np.float32(1) + fma32(s * s, u, s)
        u = (u * _pow2i(q >> 1)) * _pow2i(q - (q >> 1))
        u = np.where(d < -104, np.float32(0), u)
        u = np.where(d > 100, np.float32(np.inf), u)
        return np.where(np.isnan(d), d, u).astype(np.float32)


# SLEEF's logf_u10 works in "double-float" arithmetic: a value is a pair (hi, lo) of
# float32 whose sum carries ~48 bits; products and quotients keep their rounding error
# with fmas.  Each helper is the float32 original's formula, operation for operation.
def _df_mul(hi: np.ndarray, lo: np.ndarray, y: np.ndarray) -> tuple:
    product = hi * y
    return product, fma32(lo, y, fma32(hi, y, -product))


def _df_two_sum(x: np.ndarray, y: np.ndarray) -> tuple:
    total = x + y
    v = total - x
    return total, (x - (total - v)) + (y - v)


def _df_div(n_hi: np.ndarray, n_lo: np.ndarray, d_hi: np.ndarray, d_lo: np.ndarray) -> tuple:
    t = np.float32(1) / d_hi
    quotient = n_hi * t
    u = fma32(t, n_hi, -quotient)
    v = fma32(-d_lo, t, fma32(-d_hi, t, np.float32(1)))
    return quotient, fma32(quotient, v, fma32(n_lo, t, u))


def _df_add(x_hi: np.ndarray, x_lo: np.ndarray, y_hi: np.ndarray, y_lo: np.ndarray = None
            ) -> tuple:
    total = x_hi + y_hi
    rest = ((x_hi - total) + y_hi) + x_lo
    return total, rest if y_lo is None else rest + y_lo


def sleef_logf(d: np.ndarray) -> np.ndarray:
    """SLEEF's ``logf_u10`` (what ``Vectorized<float>::log()`` calls): ``d = m * 2**e``
    with ``m`` in [0.75, 1.5), ``x = (m - 1) / (m + 1)``, ``log d = e ln 2 + 2x + x**3 P(x**2)``
    with the first two terms in double-float arithmetic."""
    d = np.asarray(d, np.float32)
    f32 = np.float32
    with np.errstate(all="ignore"):
        e = (np.frexp(d * f32(1 / 0.75))[1] - 1).astype(f32)       # vgetexp / vilogb2k
        if cpu_capability() == "avx512":                            # vgetmant, [0.75, 1.5)
            mant = np.frexp(d)[0] * 2
            m = np.where(mant >= 1.5, mant / 2, mant).astype(f32)
        else:                                                       # vldexp3(d, -e)
            m = np.ldexp(d, -e.astype(np.int32)).astype(f32)
        s_hi, s_lo = _df_mul(f32(0.69314718246459960938), f32(-1.904654323148236017e-09), e)
        x_hi, x_lo = _df_div(*_df_two_sum(f32(-1), m), *_df_two_sum(f32(1), m))
        x2 = x_hi * x_hi
        t = fma32(fma32(f32(0.3027294874), x2, f32(0.3996108174)), x2, f32(0.6666694880))
        s_hi, s_lo = _df_add(s_hi, s_lo, x_hi * f32(2), x_lo * f32(2))
        s_hi, s_lo = _df_add(s_hi, s_lo, (x2 * x_hi) * t)
        r = s_hi + s_lo
        r = np.where(np.isposinf(d), f32(np.inf), r)
        r = np.where((d < 0) | np.isnan(d), f32(np.nan), r)
        return np.where(d == 0, f32(-np.inf), r).astype(f32)


def float_lanes() -> int:
    """Float32 lanes in one of PyTorch's vectors on this CPU capability: 16 on AVX512,
    8 on AVX2 (and on ``default``, whose vector code runs 8 scalar lanes)."""
    return 16 if cpu_capability() == "avx512" else 8


def simd_mask(n: int, lanes: int = SIMD_FLOAT_LANES) -> np.ndarray:
    """Which of ``n`` contiguous elements PyTorch's ``vectorized_loop`` computes with SIMD
    code: whole pairs of vectors from the start of each thread's chunk; the rest (fewer
    than ``2 * lanes`` per chunk) go through the scalar function."""
    mask = np.zeros(n, bool)
    for begin, stop in parallel_chunks(n):
        mask[begin:begin + (stop - begin) // (2 * lanes) * 2 * lanes] = True
    return mask


def iterator_simd_mask(shape: tuple, strides: list, lanes: int) -> np.ndarray:
    """Which output elements (C order) ``cpu_kernel_vec`` computes with SIMD code for a
    binary op whose inputs, broadcast to ``shape``, step by ``strides`` (in elements).

    TensorIterator coalesces trailing dims along which every operand is contiguous
    (``coalesce_dimensions``); the inner loop is vectorized when both inputs are contiguous
    along it, or one steps by 0 (``is_contiguous_scalar``), else it is ``basic_loop`` (all
    scalar).  Each thread chunk (``at::parallel_for``) is cut into inner-row pieces and each
    piece runs whole pairs of vectors from its start."""
    numel = int(np.prod(shape))
    dims = [d for d in range(len(shape)) if shape[d] != 1]
    inner = 1
    for k in range(len(dims) - 1, -1, -1):                  # coalesce from the last dim
        d = dims[k]
        if k < len(dims) - 1:
            nxt = dims[k + 1]
            if any(s[d] != s[nxt] * shape[nxt] for s in strides):
                break
        inner *= shape[d]
    if dims:
        last = dims[-1]
        steps = [s[last] for s in strides]
        if not (all(st == 1 for st in steps) or sorted(steps) == [0, 1]):
            return np.zeros(numel, bool)
    k = np.arange(numel)
    row_start = k - k % inner
    mask = np.zeros(numel, bool)
    for begin, stop in parallel_chunks(numel):
        piece = k[begin:stop]
        start = np.maximum(row_start[begin:stop], begin)
        end = np.minimum(row_start[begin:stop] + inner, stop)
        mask[begin:stop] = piece - start < (end - start) // (2 * lanes) * (2 * lanes)
    return mask


def unary_walk(x: np.ndarray, lanes: int) -> tuple:
    """How ``cpu_kernel_vec`` walks a unary op's input: ``(values, simd, restore)``.

    ``values`` are the elements in the order TensorIterator visits them, ``simd`` says
    which of them the vectorized code computes, and ``restore(results)`` puts results
    computed in that order back into ``x``'s shape.  A dense input (contiguous, or a
    permutation of it such as a transpose) is walked in memory order as one run, and its
    output gets the same layout; an input with gaps (``x[:, ::2]``, ``x[::2]``) gets a C
    contiguous output and is walked row by row in C order (``iterator_simd_mask``)."""
    if x.ndim <= 1 and (x.ndim == 0 or x.strides[0] == x.itemsize or x.size <= 1):
        return x.reshape(-1), simd_mask(x.size, lanes), lambda r: r.reshape(x.shape)
    order = memory_order(x)
    walked = x.transpose(order)
    if walked.flags.c_contiguous:                         # dense: one run in memory order
        back = tuple(int(i) for i in np.argsort(order))
        return (walked.reshape(-1), simd_mask(x.size, lanes),
                lambda r: r.reshape(walked.shape).transpose(back))
    strides = [s // x.itemsize for s in x.strides]
    return (np.ascontiguousarray(x).reshape(-1), iterator_simd_mask(x.shape, [strides], lanes),
            lambda r: r.reshape(x.shape))


@silent
def sigmoid(x: np.ndarray) -> np.ndarray:
    """``torch.sigmoid`` for float32: SIMD elements ``1 / (1 + sleef_expf(0 - x))``,
    scalar ones ``1 / (1 + expf(-x))`` with the C library's expf (glibc's, ``libm``).

    The sigmoid kernel has an AVX512 build: 16 lanes on AVX512, 8 on AVX2; without
    either (``default``) the vector ``exp`` is the scalar expf lane by lane."""
    if x.dtype != np.float32:
        return (1 / (1 + np.exp(-x))).astype(x.dtype)
    capability = cpu_capability()
    flat, simd, restore = unary_walk(x, float_lanes())
    one = np.float32(1)
    scalar = one / (one + libm.expf(-flat))                 # std::exp(float): glibc's expf
    if capability == "default":
        return restore(scalar)
    vector = one / (one + sleef_expf(np.float32(0) - flat))
    return restore(np.where(simd, vector, scalar))


@silent
def correctly_rounded(fn: Callable[[np.ndarray], np.ndarray], x: np.ndarray) -> np.ndarray:
    """``fn`` evaluated in float64 and rounded once to ``x``'s dtype: the closest feasible
    stand-in for MKL VML's float32 functions (closed source)."""
    if x.dtype != np.float32:
        return fn(x)
    if x.size >= _SLICE and isinstance(fn, np.ufunc):           # speed: in cached slices
        flat = x.reshape(-1)
        result = np.empty(flat.size, np.float32)
        wide = _scratch.total
        for start in range(0, flat.size, _SLICE):
            stop = min(flat.size, start + _SLICE)
            t = wide[:stop - start]
            np.copyto(t, flat[start:stop])
            fn(t, out=t)
            np.copyto(result[start:stop], t, casting="unsafe")
        return result.reshape(x.shape)
    wide = x.astype(_FLOAT64)
    if type(wide) is np.ndarray and isinstance(fn, np.ufunc):   # (in place: one array fewer)
        return fn(wide, out=wide).astype(_FLOAT32)
    return fn(wide).astype(_FLOAT32)


def _rounded_from_float64(fn: Callable[[np.ndarray], np.ndarray]
                          ) -> Callable[[np.ndarray], np.ndarray]:
    def rounded(x: np.ndarray) -> np.ndarray:
        return correctly_rounded(fn, x)
    rounded.__name__ = rounded.__qualname__ = fn.__name__
    rounded.__doc__ = f"``torch.{fn.__name__}``: MKL VML's, stood in for by ``correctly_rounded``."
    return rounded


# The VML functions the ops call (measured agreement with PyTorch in docs/numerics.md);
# sqrt is left to NumPy: its float32 sqrt is already correctly rounded.
exp = _rounded_from_float64(np.exp)
log = _rounded_from_float64(np.log)
tanh = _rounded_from_float64(np.tanh)
sin = _rounded_from_float64(np.sin)
cos = _rounded_from_float64(np.cos)
log1p = _rounded_from_float64(np.log1p)  # binary_cross_entropy's (glibc's log1pf)


@silent
def rsqrt(x: np.ndarray) -> np.ndarray:
    """``torch.rsqrt``: ``1 / sqrt(x)`` with IEEE (exactly rounded) sqrt and division."""
    return (x.dtype.type(1) / np.sqrt(x)).astype(x.dtype)


@silent
def pow_scalar(x: np.ndarray, exponent: float) -> np.ndarray:
    """``torch.pow(x, exponent)`` for a float tensor and a Python number.

    PyTorch's ``pow_tensor_scalar_optimized_kernel`` special-cases the common exponents
    (2: ``x*x``, 3: ``x*x*x``, -1: ``1/x``, -2: ``1/(x*x)``, 0.5: sqrt, -0.5: rsqrt);
    others call SLEEF's ``powf_u10``, which ``powf.pow_scalar`` reproduces for float32:
    only the special exponents and the other dtypes reach this function from there
    (other exponents here are rounded from float64)."""
    one = x.dtype.type(1)
    if exponent == 2:
        return x * x
    if exponent == 3:
        return x * x * x
    if exponent == -1:
        return one / x
    if exponent == -2:
        return one / (x * x)
    if exponent == 0.5:
        return correctly_rounded(np.sqrt, x)
    if exponent == -0.5:
        return rsqrt(x)
    return correctly_rounded(lambda v: np.power(v, exponent), x).astype(x.dtype)


# -- backward formulas (derivatives.yaml / the *_backward kernels) -------------------------
def multiply_add(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """``a*b + c`` (float32/float64) as PyTorch's compiled kernels evaluate it: one fma with
    the AVX2/AVX512 builds (``vec::fmadd``; the compiler contracts the scalar code's), a
    multiply then an add in the ``default`` build (no fma: ``add`` with ``alpha``,
    ``addcmul``, ``lerp`` and the optimizers' updates round twice there, 100% of 100,003
    elements under ``ATEN_CPU_CAPABILITY=default``, the fused form 77-98%)."""
    if cpu_capability() == "default":
        return a * b + c
    return fma32(a, b, c) if a.dtype == np.float32 else fma64(a, b, c).astype(a.dtype)


@silent
def add_scaled(x: np.ndarray, y: np.ndarray, alpha: np.ndarray) -> np.ndarray:
    """``torch.add(x, y, alpha=alpha)`` for float32/float64: ``fmadd(y, alpha, x)``, one
    rounding, as the vectorized add kernel computes it (NumPy's ``x + alpha*y`` rounds
    twice: 18% of float32 results differ)."""
    dtype = alpha.dtype                                      # the result's (x may be a number)
    return np.asarray(multiply_add(np.asarray(y, dtype), alpha, np.asarray(x, dtype)), dtype)


@silent
def tanh_backward(grad: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``dL/dx = grad * (1 - y*y)`` with ``y = tanh(x)``; ``1 - y*y`` is one fma."""
    if (y.size >= _SLICE and y.dtype == _FLOAT32 and grad.dtype == _FLOAT32
            and cpu_capability() != "default"):                 # speed: in cached slices
        return _fma32_slices(y, y, np.float32(1), negate=True, times=grad)
    if y.dtype == _FLOAT32 and cpu_capability() != "default":
        # speed: fma32(-y, y, 1) without the -y array, and without multiply(...,
        # dtype=float64)'s casting loop (slower than astype and a plain multiply)
        total = y.astype(_FLOAT64, order="C")                 # (_repair: C order)
        np.multiply(total, total, out=total)                    # y*y, exact
        np.subtract(_ONE64, total, out=total)                   # 1 - y*y, rounded once
        result = total.astype(_FLOAT32)
        # only the halfway half of _suspect: 1 - y*y is 0 or of magnitude 2**-23 and above
        suspect = np.equal(np.bitwise_and(total.view(np.int64), _LOW_BITS), _HALFWAY)
        if np.count_nonzero(suspect):
            # speed: for 2**-3 <= |y| < 2**24, 1 - y*y is exact in float64 (y*y has 48
            # bits, and its last bit is 2**-52 or above, 1's or above): rounding it once
            # is right even on a halfway point (saturated tanh outputs land on them)
            magnitude = np.abs(y)
            suspect &= (magnitude < _EIGHTH) | (magnitude >= _TWO24)
            if np.count_nonzero(suspect):
                _repair(result, suspect, np.negative(y), y, np.float32(1))
        if grad.dtype == _FLOAT32 and grad.shape == result.shape:
            return np.multiply(grad, result, out=result)
        return grad * result
    return grad * multiply_add(-y, y, y.dtype.type(1))


@silent
def sigmoid_backward(grad: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``dL/dx = (grad * (1 - y)) * y`` with ``y = sigmoid(x)``, in that order."""
    return (grad * (y.dtype.type(1) - y)) * y


@silent
def mse_loss_backward(grad: np.ndarray, x: np.ndarray, target: np.ndarray,
                      reduction: str = "mean") -> np.ndarray:
    """``dL/dx = ((x - target) * norm) * grad``, ``norm = 2 / numel`` (mean, rounded to
    the dtype) or 2 (sum/none): PyTorch's ``mse_loss_backward_out``."""
    norm = 2.0 / x.size if reduction == "mean" else 2.0
    return ((x - target) * x.dtype.type(norm)) * grad
