"""Collating: a list of examples becomes one batch.

PyTorch counterpart: ``torch/utils/data/_utils/collate.py`` (``default_collate``).

The batch keeps the examples' structure, one level down: tensors are
stacked along a new first dim, Python floats become a float64 tensor and
ints an int64 one, NumPy arrays become tensors, strings stay a list; a
tuple or list of fields becomes a list with one batch per field, a dict one
batch per key, a named tuple stays that named tuple.  So a ``TensorDataset(x,
y)`` gives ``[x_batch, y_batch]``.

Read next: ``dataloader.py``.
"""

from __future__ import annotations

import collections.abc
import copy
import re
from typing import Any, List, Sequence

import numpy as np

from ... import _creation
from ..._dtype import float64
from ..._tensor import Tensor
from ...ops.shape import stack

ERROR = ("default_collate: batch must contain tensors, numpy arrays, numbers, dicts or lists; "
         "found {}")
_NOT_NUMBERS = re.compile(r"[SaUO]")  # NumPy dtypes of strings and objects


def default_collate(batch: Sequence[Any]) -> Any:
    """One batch made of the examples in ``batch`` (see the module docstring)."""
    elem = batch[0]
    if isinstance(elem, Tensor):
        return stack(list(batch), 0)
    if isinstance(elem, np.ndarray):
        if _NOT_NUMBERS.search(elem.dtype.str) is not None:
            raise TypeError(ERROR.format(elem.dtype))
        return default_collate([_creation.tensor(b) for b in batch])
    if isinstance(elem, (np.bool_, np.number, np.object_)):
        return _creation.tensor(np.array(batch))
    if isinstance(elem, float):
        return _creation.tensor(list(batch), dtype=float64)
    if isinstance(elem, int):
        return _creation.tensor(list(batch))
    if isinstance(elem, (str, bytes)):
        return batch
    if isinstance(elem, collections.abc.Mapping):
        fields = {key: default_collate([d[key] for d in batch]) for key in elem}
        if isinstance(elem, collections.abc.MutableMapping):
            clone = copy.copy(elem)
            clone.update(fields)
            return clone
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a named tuple
        return type(elem)(*(default_collate(samples) for samples in zip(*batch, strict=True)))
    if isinstance(elem, collections.abc.Sequence):
        size = len(elem)
        if not all(len(e) == size for e in batch):
            raise RuntimeError("each element in list of batch should be of equal size")
        fields: List[Any] = [default_collate(samples) for samples in zip(*batch, strict=True)]
        if isinstance(elem, tuple):
            return fields  # a list, as PyTorch's (for backward compatibility)
        try:
            return type(elem)(fields)
        except TypeError:
            return fields
    raise TypeError(ERROR.format(type(elem)))


def default_convert(data: Any) -> Any:
    """What a ``DataLoader`` without batching (``batch_size=None``) applies to
    each example: NumPy arrays (also inside lists, tuples, dicts) become tensors."""
    if isinstance(data, np.ndarray) and _NOT_NUMBERS.search(data.dtype.str) is None:
        return _creation.tensor(data)
    if isinstance(data, (np.bool_, np.number)):
        return _creation.tensor(data)
    if isinstance(data, collections.abc.Mapping):
        return type(data)({key: default_convert(data[key]) for key in data})
    if isinstance(data, tuple) and hasattr(data, "_fields"):
        return type(data)(*(default_convert(d) for d in data))
    if isinstance(data, tuple):
        return [default_convert(d) for d in data]
    if isinstance(data, collections.abc.Sequence) and not isinstance(data, (str, bytes)):
        return type(data)([default_convert(d) for d in data])  # type: ignore[call-arg]
    return data
