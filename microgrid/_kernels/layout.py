"""The order of a tensor's dims in memory, as PyTorch infers it.

PyTorch counterpart: ``infer_dense_strides`` (``c10/core/TensorImpl`` /
``ATen/TensorUtils``), which ``clone`` with ``preserve_format`` uses.

Read next: ``reduce.py``.
"""

from __future__ import annotations

from typing import List

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

    inner_first = list(range(data.ndim - 1, -1, -1))
    for i in range(1, data.ndim):  # an insertion sort, stopping at the first smaller dim
        moving = i
        for j in range(i - 1, -1, -1):
            comparison = outside(inner_first[j], inner_first[moving])
            if comparison > 0:
                inner_first[j], inner_first[moving] = inner_first[moving], inner_first[j]
                moving = j
            elif comparison < 0:
                break
    return inner_first[::-1]
