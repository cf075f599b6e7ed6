"""Broadcasts as views: PyTorch's ``expand``, and the backward pass's lazy broadcasts.

PyTorch counterpart: ``TensorIterator``'s stride-0 operands (``expand`` makes
a view, never a copy).

Read next: ``math.py``.
"""

from __future__ import annotations

import threading
from typing import Any, List, Optional, Sequence, Tuple

import numpy as np

#: The smallest broadcast operand worth keeping as a view: below it, writing
#: all the elements costs less than making the view.
LAZY_MIN_SIZE = 4096


class _LazyBroadcasts(threading.local):
    """While the engine runs nodes without recording them (``create_graph=False``),
    ``on`` is True: an elementwise op whose operands are all broadcasts
    (``mean``'s gradient: one number seen n times) computes each distinct
    value once and keeps the result a broadcast view (:func:`quiet.compute`).
    Such a gradient is copied into an ordinary tensor before user code can
    see it (``autograd/graph.py: materialized``).  One flag per thread, as
    grad mode is: a backward pass in one thread must not change another's ops."""

    on = False


lazy_broadcasts = _LazyBroadcasts()


def broadcast_view(array: np.ndarray, shape: Tuple[int, ...]) -> np.ndarray:
    """``array`` seen with a larger ``shape`` (checked by the caller), as
    PyTorch's ``expand`` sees it: a read-only view with stride 0 along the new
    leading dims and the stretched ones, the array's own strides along the
    others (NumPy's ``broadcast_to`` gives every size-1 dim stride 0, and
    ``matmul`` reads the difference).

    ``np.broadcast_to`` is also written in Python around an iterator and
    costs 2.5 us; an array laid out in one block (as every fresh result is)
    is viewed directly with these strides, for a fifth of that."""
    lead = len(shape) - array.ndim
    strides = (0,) * lead + tuple(
        0 if size == 1 and target != 1 else stride
        for size, stride, target in zip(array.shape, array.strides, shape[lead:], strict=True))
    flags = array.flags
    if not (flags.c_contiguous or flags.f_contiguous):  # a view with gaps: the general tool
        return np.lib.stride_tricks.as_strided(array, shape, strides, writeable=False)
    view = np.ndarray(shape, array.dtype, array, 0, strides)
    view.flags.writeable = False
    return view


def unbroadcast(args: Sequence[Any]) -> Optional[Tuple[List[Any], Tuple[int, ...]]]:
    """``args`` with every dim along which all array operands are broadcast
    (stride 0, or size 1) cut to size 1, and the shape of the full result;
    None if there is no such dim."""
    arrays = [a for a in args if isinstance(a, np.ndarray) and a.ndim]
    if not all(0 in a.strides for a in arrays):
        return None
    shape = np.broadcast_shapes(*(a.shape for a in arrays))
    ndim = len(shape)
    cut = {d for d in range(ndim) if shape[d] > 1 and all(
        a.shape[i] == 1 or a.strides[i] == 0
        for a in arrays for i in (d - ndim + a.ndim,) if i >= 0)}
    if not cut:
        return None
    small = [a[tuple(slice(0, 1) if i - a.ndim + ndim in cut else slice(None)
                     for i in range(a.ndim))]
             if isinstance(a, np.ndarray) and a.ndim else a for a in args]
    return small, shape
