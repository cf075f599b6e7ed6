"""NumPy calls without NumPy's warnings, as PyTorch computes: silently.

PyTorch counterpart: none needed (C++ kernels raise no floating-point
warnings); ``log(0)`` is ``-inf``, ``0/0`` is ``nan``, overflow is ``inf``
without a word, and so it is here.

Read next: ``broadcast.py``.
"""

from __future__ import annotations

import contextvars
import functools
import threading
from typing import Any, Callable

import numpy as np

from .broadcast import LAZY_MIN_SIZE, broadcast_view, lazy_broadcasts, unbroadcast

# True only inside the prepared contexts below: a call already running in one
# (a kernel called by ``compute``) runs a nested one directly, since a context
# cannot be entered twice.
_inside = contextvars.ContextVar("microgrid_quiet", default=False)


def _silence() -> None:
    np.seterr(all="ignore")          # (NumPy 2: sets a context variable, this context's)
    _inside.set(True)


class _Quiet(threading.local):
    """A context (one per thread) in which NumPy's floating-point warnings are
    off.  Entering ``np.errstate`` costs about a microsecond, more than a
    small op itself; running a call in this prepared context costs 30 ns
    (``docs/performance.md`` §8).  The caller's own error settings are the
    caller's context's: never touched."""

    def __init__(self) -> None:
        self.context = contextvars.copy_context()
        self.context.run(_silence)


_quiet = _Quiet()


def silent(kernel: Callable[..., Any]) -> Callable[..., Any]:
    """``kernel`` made to run without NumPy's floating-point warnings, like
    ``np.errstate(all="ignore")`` around its body, for ~0.2 us a call instead
    of ~1.4 us: in the prepared context, or directly when already in it (the
    ops call kernels through ``compute``)."""
    def silenced(*args: Any, **kwargs: Any) -> Any:
        if _inside.get():
            return kernel(*args, **kwargs)
        return _quiet.context.run(kernel, *args, **kwargs)
    return functools.wraps(kernel)(silenced)


def compute(function: Callable[..., Any], x: Any, y: Any = None, z: Any = None) -> np.ndarray:
    """``function(x[, y[, z]])``, an elementwise NumPy function of one to three
    operands, as an array, without NumPy's floating-point warnings (a ufunc on
    0-d arrays returns a NumPy scalar: make it an array again).  The operands
    are named rather than ``*args``: packing and unpacking them would cost
    two thirds of a small multiplication.

    In the backward pass (``lazy_broadcasts.on``), big operands that are all
    broadcast along some dims (``mean``'s gradient, one number seen n times)
    are computed on one slice, and the result is broadcast back: a view, not
    n copies of the same number (``docs/performance.md`` §7)."""
    run = _quiet.context.run if not _inside.get() else _direct
    if (type(x) is np.ndarray and x.size >= LAZY_MIN_SIZE and lazy_broadcasts.on
            and 0 in x.strides):  # (the per-thread flag read last: it costs most)
        compact = unbroadcast([v for v in (x, y, z) if v is not None])
        if compact is not None:
            small, shape = compact
            return broadcast_view(np.asarray(run(function, *small)), shape)
    if y is None:
        result = run(function, x)
    elif z is None:
        result = run(function, x, y)
    else:
        result = run(function, x, y, z)
    return result if type(result) is np.ndarray else np.asarray(result)


def quietly(function: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``function(*args, **kwargs)``, any NumPy function, without NumPy's
    floating-point warnings (inf - inf is nan silently, as in PyTorch): the
    cheap ``np.errstate(all="ignore")``."""
    if _inside.get():
        return function(*args, **kwargs)
    return _quiet.context.run(function, *args, **kwargs)


def _direct(function: Callable[..., Any], *args: Any) -> Any:
    return function(*args)


def plain(function: Callable[..., Any], x: np.ndarray, y: Any) -> Any:
    """``function(x, y)`` when nothing about it needs care, else None.

    The arithmetic a backward formula does (``grad * 2``, ``grad * x``) runs
    with grad mode off, where an elementwise op records nothing; most of it
    is a floating array with a Python number, or with an array of the same
    dtype and shape: no dtype promotion, no broadcast to check or to keep
    lazy.  Then this one call replaces the op's three steps (cast, compute,
    record), which cost as much as a small multiplication itself
    (``docs/performance.md`` §5).  ``y`` is an array or a number (anything
    else: None)."""
    # the size first: ``lazy_broadcasts.on`` is a per-thread read (performance.md §12)
    if x.dtype.kind != "f" or (x.size >= LAZY_MIN_SIZE and lazy_broadcasts.on):
        return None
    if type(y) is np.ndarray:
        if y.dtype is not x.dtype or y.shape != x.shape:
            return None
    elif type(y) is not float and type(y) is not int:
        return None
    data = _quiet.context.run(function, x, y) if not _inside.get() else function(x, y)
    return data if type(data) is np.ndarray else np.asarray(data)
