"""Embedding (a lookup table with a gradient) and one_hot (the same lookup, as numbers).

PyTorch counterpart: ``torch.embedding`` (``aten/src/ATen/native/Embedding.cpp``)
with its node ``EmbeddingBackward0``; ``torch.nn.functional.one_hot``.

``embedding(weight, indices)`` is ``weight[indices]``: row ``i`` of the
table for each index ``i``.  The gradient of the table is the incoming
gradient *added* into the rows that were looked up (a row looked up twice
gets both gradients); the row ``padding_idx``, if given, gets none::

    z[..., :] = W[idx[...], :];   dL/dW[r, :] = sum of grad[..., :] where idx[...] == r

``one_hot(idx, C)`` is ``eye(C)[idx]``, int64, with no gradient:
multiplying it by a matrix is the same lookup as ``embedding``
(Karpathy's makemore builds its first language model that way).

Read next: ``../random.py`` (the Generator the random ops draw from).
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .._creation import zeros
from .._tensor import Tensor
from ..autograd.graph import Node, record
from .indexing import index_put_accumulate
from .shape import reshape

Grads = Tuple[Optional[Tensor], ...]


class EmbeddingBackward0(Node):
    """z = W[idx];   dL/dW = zeros with grad's rows added at idx (none at padding_idx)"""

    #: Set by record().
    indices: Tensor
    num_weights: int
    padding_idx: int

    saved_fields = {"indices": "indices", "padding_idx": "padding_idx",
                    "weight_sym_argsize_0": "num_weights"}

    def backward(self, grad: Tensor) -> Grads:
        dim = grad.shape[-1]
        rows = reshape(grad, (-1, dim))
        index = self.indices._data.reshape(-1)
        if self.padding_idx >= 0:
            keep = index != self.padding_idx
            rows, index = rows[Tensor._make(keep)], index[keep]
        table = zeros((self.num_weights, dim), dtype=grad.dtype)
        return (index_put_accumulate(table, ((0, index),), rows),)


def embedding(weight: Tensor, indices: Tensor, padding_idx: int = -1) -> Tensor:
    """Rows of ``weight`` picked by ``indices`` (any shape; the result adds a last dim)."""
    if indices._data.dtype not in (np.int64, np.int32):
        name = {"float32": "FloatTensor", "float64": "DoubleTensor", "bool": "BoolTensor"}.get(
            indices._data.dtype.name, indices._data.dtype.name)
        raise RuntimeError("Expected tensor for argument #1 'indices' to have one of the "
                           "following scalar types: Long, Int; but got torch." + name
                           + " instead (while checking arguments for embedding)")
    index = indices._data
    if index.size and (index.min() < 0 or index.max() >= weight.shape[0]):
        raise IndexError("index out of range in self")
    data = weight._data[index]
    return record(EmbeddingBackward0, data, (weight,), indices=indices,
                  num_weights=weight.shape[0], padding_idx=padding_idx)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """``1`` at each index's class, ``0`` elsewhere; a new last dim of ``num_classes``
    (by default one more than the largest index)."""
    index = tensor._data
    if index.dtype != np.int64:
        raise RuntimeError("one_hot is only applicable to index tensor of type LongTensor.")
    if index.size and index.min() < 0:
        raise RuntimeError("Class values must be non-negative.")
    if num_classes == -1:
        if not index.size:
            raise RuntimeError("Can not infer total number of classes from empty tensor.")
        num_classes = int(index.max()) + 1
    elif index.size and index.max() >= num_classes:
        raise RuntimeError("Class values must be smaller than num_classes.")
    return Tensor._make(np.eye(num_classes, dtype=np.int64)[index])
