"""softmax over the last dim, forward and backward, as PyTorch's CPU kernel computes it.

PyTorch counterpart: ``_vec_softmax_lastdim`` and ``_vec_host_softmax_backward_lastdim``
in aten/src/ATen/native/cpu/SoftMaxKernel.cpp, with ``vec::reduce_all`` /
``vec::map_reduce_all`` (aten/src/ATen/cpu/vec/functional_base.h) and SLEEF's ``expf``.

Per row of ``n`` values, with ``W`` SIMD lanes (16 float32 on AVX512, 8 on AVX2):

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

Read next: ``losses.py``.
"""

from __future__ import annotations

import numpy as np

from .mathfns import correctly_rounded, fma32, fma64, sleef_expf, sleef_logf
from .reduce import cpu_capability


def _fma(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return fma32(a, b, c) if a.dtype == np.float32 else fma64(a, b, c).astype(a.dtype)


def _lanes() -> int:
    return 16 if cpu_capability() == "avx512" else 8


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
    if cpu_capability() == "default":
        return correctly_rounded(np.exp, x)
    return sleef_expf(x)


def softmax_lastdim(x: np.ndarray) -> np.ndarray:
    """``torch.softmax(x, dim=-1)`` for a float32 array (contiguous rows)."""
    x = np.ascontiguousarray(x, np.float32)
    if x.size == 0:
        return x.copy()
    with np.errstate(all="ignore"):
        e = _exp(x - x.max(axis=-1, keepdims=True))
        scale = np.float32(1) / reduce_all_sum(e, _lanes())
        return e * scale[..., None]


def softmax_backward_lastdim(grad: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``_softmax_backward_data`` over the last dim: ``(grad - sum(grad * out)) * out``."""
    with np.errstate(all="ignore"):
        s = reduce_all_sum(grad * out, _lanes())
        return (grad - s[..., None]) * out


def log_softmax_lastdim(x: np.ndarray) -> np.ndarray:
    """``torch.log_softmax(x, dim=-1)``: ``(x - max) - log(sum(exp(x - max)))``, the sum
    as ``reduce_all`` adds it, its log by SLEEF's ``logf_u10``."""
    x = np.ascontiguousarray(x, np.float32)
    if x.size == 0:
        return x.copy()
    with np.errstate(all="ignore"):
        largest = x.max(axis=-1, keepdims=True)
        total = reduce_all_sum(_exp(x - largest), _lanes())
        log = (correctly_rounded(np.log, total) if cpu_capability() == "default"
               else sleef_logf(total))
        return (x - largest) - log[..., None]


def log_softmax_backward_lastdim(grad: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``_log_softmax_backward_data`` over the last dim: ``grad - exp(out) * sum(grad)``,
    the multiply-subtract fused (one rounding) as the compiled kernel does."""
    with np.errstate(all="ignore"):
        s = np.broadcast_to(reduce_all_sum(grad, _lanes())[..., None], grad.shape)
        if cpu_capability() == "default":
            return grad - _exp(out) * s
        return _fma(-_exp(out), s, grad)
