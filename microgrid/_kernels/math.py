"""NumPy made to give PyTorch's numbers where the two differ.

PyTorch counterpart: the CPU kernels of ``maximum``/``minimum``/``clamp``
(``BinaryOpsKernel.cpp``), ``pow`` (``PowKernel.cpp``), ``sign``
(``UnaryOpsKernel.cpp``) and ``remainder``; ``sigmoid`` and ``pow`` with a
number exponent are in ``mathfns.py``.  Each function is the NumPy
calculation of one kernel, with the edge cases (ties, signed zeros, nans,
negative integer exponents) PyTorch's way.

Read next: ``layout.py``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from . import powf


def larger(a: Any, b: Any) -> np.ndarray:
    """``max(a, b)`` as PyTorch computes it: nan if either is nan, and ``a``
    where they are equal, so ``max(0., -0.)`` is ``0.`` and ``max(-0., 0.)``
    is ``-0.`` (NumPy's ``maximum`` gives ``b`` on ties)."""
    return np.where((b > a) | (b != b), b, a)


def smaller(a: Any, b: Any) -> np.ndarray:
    """``min(a, b)`` as PyTorch computes it: nan if either is nan, ``a`` on ties."""
    return np.where((b < a) | (b != b), b, a)


def integer_power(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``x ** y`` for integers as PyTorch computes it: a negative exponent
    gives 0, except for the bases 1 and -1."""
    if x.dtype == np.bool_:  # False and True are powered as 0 and 1
        return integer_power(x.astype(np.int8), y.astype(np.int8)).astype(np.bool_)
    negative = np.asarray(y) < 0
    if not negative.any():
        return np.asarray(np.power(x, y))
    safe = np.power(x, np.where(negative, 0, y))
    parity = np.where(np.abs(y) % 2 == 1, x, 1)  # (-1) ** y for the base -1
    small = np.where(x == 1, 1, np.where(x == -1, parity, 0))
    return np.asarray(np.where(negative, small, safe)).astype(x.dtype)


def power(x: Any, y: Any) -> np.ndarray:
    """``x ** y`` for a tensor exponent.  float32: ``powf.pow_tensor`` (PyTorch's
    ``pow_tensor_tensor_kernel``: SLEEF's and glibc's powf; NumPy's float32 ``power``
    differs from it on ~15-20% of elements).  Other dtypes: C's ``pow`` for every element;
    NumPy takes a shortcut when the exponent is one number
    for a whole row (0-d, or broadcast): ``** 0.5`` becomes ``sqrt``, which
    gives -0 for -0 and nan for -inf where ``pow`` gives 0 and inf.  So the
    exponent is written out in full first (at least one dim)."""
    if np.result_type(x, y) == np.float32:              # SLEEF's powf and glibc's powf
        return powf.pow_tensor(np.asarray(x, np.float32), np.asarray(y, np.float32))
    shape = np.broadcast_shapes(np.shape(x), np.shape(y))
    full = shape or (1,)
    exponents = np.array(np.broadcast_to(y, full))
    return np.power(np.broadcast_to(x, full), exponents).reshape(shape)


def sign(x: np.ndarray) -> np.ndarray:
    """(x > 0) - (x < 0): 0 for nan and for -0.0, as PyTorch gives (NumPy says nan, -0.0)."""
    if x.dtype == np.bool_:
        return x.copy()
    return (x > 0).astype(x.dtype) - (x < 0).astype(x.dtype)



def remainder(x: Any, y: Any) -> np.ndarray:
    """``x % y`` as PyTorch computes it: ``fmod``, moved by ``y`` where the
    signs differ; a zero keeps the sign of ``x`` (``7. % -7.`` is ``0.``,
    NumPy's ``remainder`` gives ``-0.``).  Integers: NumPy's, the same."""
    if np.result_type(x, y).kind != "f":
        return np.remainder(x, y)
    mod = np.fmod(x, y)
    return np.where((mod != 0) & ((y < 0) != (mod < 0)), mod + y, mod)
