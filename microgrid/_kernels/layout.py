"""The order of a tensor's dims in memory, as PyTorch infers it.

PyTorch counterpart: ``infer_dense_strides`` (``c10/core/TensorImpl`` /
``ATen/TensorUtils``), which ``clone`` with ``preserve_format`` uses, and
TensorIterator's ``reorder_dimensions``: both order dims with the same
insertion sort (``iterator_order``), which ``reduce.py`` uses too.

Read next: ``reduce.py``.
"""

from __future__ import annotations

from typing import Callable, List

import numpy as np


def memory_order(data: np.ndarray) -> List[int]:
    """The dims of ``data`` from outermost to innermost in memory, as
    PyTorch's ``infer_dense_strides`` orders them: by stride, equal strides
    by size (the larger outside); a dim of stride 0 (expanded) stays where
    it is in row-major order.  (NumPy's negative strides count by size.)"""
    strides = [abs(stride) for stride in data.strides]

    def outside(dim0: int, dim1: int) -> int:  # 1: dim0 is outside dim1; -1: inside
        if strides[dim0] == 0 or strides[dim1] == 0:
            return 0
        if strides[dim0] != strides[dim1]:
            return 1 if strides[dim0] > strides[dim1] else -1
        return 1 if data.shape[dim0] > data.shape[dim1] else 0

    return iterator_order(list(range(data.ndim - 1, -1, -1)), outside)[::-1]


def iterator_order(dims: List[int], should_swap: Callable[[int, int], int]) -> List[int]:
    """PyTorch's sort of dims (TensorIterator's ``reorder_dimensions``,
    ``infer_dense_strides``): an insertion sort where ``should_swap(a, b)`` is
    1 (b goes first), -1 (keep, and stop looking further left) or 0
    (ambiguous: keep looking)."""
    dims = list(dims)
    for i in range(1, len(dims)):
        moving = i
        for j in range(i - 1, -1, -1):
            verdict = should_swap(dims[j], dims[moving])
            if verdict > 0:
                dims[j], dims[moving] = dims[moving], dims[j]
                moving = j
            elif verdict < 0:
                break
    return dims
