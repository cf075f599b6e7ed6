"""Reductions: ``sum`` and ``mean``, over everything or over some dims.

PyTorch counterpart: ``torch.sum`` / ``torch.mean`` and their nodes
``SumBackward0`` (no dim), ``SumBackward1`` (with ``dim``), ``MeanBackward0``
and ``MeanBackward1``.

A reduction's backward *spreads* the output gradient back over the elements
that were reduced: every input element contributed to its output element
with weight 1 (sum) or 1/n (mean).  Spreading is a broadcast (``expand``): a
view, so no memory is used until an elementwise op needs the values.

Read next: ``shape.py``.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from .._dtype import dtype as Dtype
from .._tensor import Tensor, _wrap_dim
from ..autograd.graph import Node, record

Dims = Union[None, int, Sequence[int]]


def reduction_dims(dim: Dims, ndim: int) -> Optional[Tuple[int, ...]]:
    """``dim`` as a tuple of non-negative dims (None means all), checked like torch."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    wrapped = tuple(_wrap_dim(d, ndim) for d in dims)
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return wrapped


def _kept_shape(shape: Tuple[int, ...], dims: Tuple[int, ...]) -> Tuple[int, ...]:
    """The output shape with keepdim=True: reduced dims become 1."""
    return tuple(1 if i in dims else s for i, s in enumerate(shape))


def _spread(grad: Tensor, shape: Tuple[int, ...], dims: Optional[Tuple[int, ...]],
            keepdim: bool) -> Tensor:
    """Broadcast the gradient of a reduction back to the input's ``shape``."""
    if dims is not None and not keepdim:
        grad = grad.reshape(_kept_shape(shape, dims))
    return grad.expand(shape)


# -- sum ----------------------------------------------------------------------
class SumBackward0(Node):
    """z = sum_i x_i;   dL/dx_i = grad   (grad broadcast to x's shape)"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (grad.expand(self.input_shape),)


class SumBackward1(Node):
    """z_j = sum over dims of x_ij;   dL/dx_ij = grad_j   (broadcast over dims)"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (_spread(grad, self.input_shape, self.dims, self.keepdim),)


def sum(input: Tensor, dim: Dims = None, keepdim: bool = False,  # noqa: A001 - torch's name
        dtype: Optional[Dtype] = None) -> Tensor:
    """The sum of all elements, or over ``dim`` (an int or a tuple of ints).
    Integer and bool tensors sum to int64, as in PyTorch."""
    data = input._data
    if dtype is not None:
        out_dtype = dtype.numpy_dtype
    elif data.dtype.kind in "biu":
        out_dtype = np.dtype(np.int64)
    else:
        out_dtype = data.dtype
    dims = reduction_dims(dim, data.ndim)
    total = np.sum(data, axis=dims, keepdims=keepdim and dims is not None, dtype=out_dtype)
    if dims is None:
        return record(SumBackward0, np.asarray(total), (input,), input_shape=data.shape)
    return record(SumBackward1, np.asarray(total), (input,), input_shape=data.shape,
                  dims=dims, keepdim=keepdim)


# -- mean ---------------------------------------------------------------------
class MeanBackward0(Node):
    """z = (1/n) sum_i x_i;   dL/dx_i = grad / n"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return ((grad / self.count).expand(self.input_shape),)


class MeanBackward1(Node):
    """z_j = (1/n) sum over dims of x_ij  (n elements per output);
    dL/dx_ij = grad_j / n"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (_spread(grad / self.count, self.input_shape, self.dims, self.keepdim),)


def mean(input: Tensor, dim: Dims = None, keepdim: bool = False,
         dtype: Optional[Dtype] = None) -> Tensor:
    """The mean of all elements, or over ``dim``.  Floating point only."""
    data = input._data if dtype is None else input._data.astype(dtype.numpy_dtype)
    if data.dtype.kind != "f":
        from ..autograd.graph import _LEGACY_TYPE_NAMES

        raise RuntimeError(
            "mean(): could not infer output dtype. Input dtype must be either a floating point "
            f"or complex dtype. Got: {_LEGACY_TYPE_NAMES[data.dtype.name]}")
    dims = reduction_dims(dim, data.ndim)
    count = data.size if dims is None else int(np.prod([data.shape[d] for d in dims]))
    with np.errstate(invalid="ignore", divide="ignore"):  # the mean of nothing is nan
        total = np.sum(data, axis=dims, keepdims=keepdim and dims is not None)
        result = np.asarray(total / data.dtype.type(count), dtype=data.dtype)
    if dims is None:
        return record(MeanBackward0, result, (input,), input_shape=data.shape, count=count)
    return record(MeanBackward1, result, (input,), input_shape=data.shape, count=count,
                  dims=dims, keepdim=keepdim)
