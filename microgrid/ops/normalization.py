"""Normalization: batch norm and layer norm.

PyTorch counterpart: ``torch.native_batch_norm`` and ``torch.native_layer_norm``
(``aten/src/ATen/native/Normalization.cpp``, ``layer_norm.cpp``) with their
nodes ``NativeBatchNormBackward0`` and ``NativeLayerNormBackward0``.

Both standardise their input over some dims and then scale and shift it::

    xhat = (x - mean) / sqrt(var + eps)          (var: the biased variance)
    z    = w * xhat + b

Batch norm takes the statistics of each channel over the batch (and any
spatial dims): dims ``(0, 2, 3, ...)``; layer norm takes those of each
sample over its last dims (``normalized_shape``).  With ``n`` elements per
statistic, ``gh = grad * w`` and ``invstd = 1 / sqrt(var + eps)``::

    dL/dx = invstd * (gh - mean(gh) - xhat * mean(gh * xhat))
    dL/dw = sum of grad * xhat;   dL/db = sum of grad       (over the other dims)

(the two means are there because every ``x`` moves the mean and the
variance, and so every ``xhat``).  A batch norm in evaluation mode uses its
running statistics instead, constants: ``dL/dx = grad * w * invstd``.

The backward formulas are written with tensor ops (the statistics
recomputed from ``x``), so double backward works; PyTorch records its own
``NativeBatchNormBackwardBackward0`` there instead.

Read next: ``activation.py``.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .._kernels import quietly
from .._tensor import Tensor
from ..autograd.graph import Node, record

Grads = Tuple[Optional[Tensor], ...]


def _normalize(x: np.ndarray, dims: Tuple[int, ...], eps: float
               ) -> Tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(xhat, mean, var)`` of ``x`` over ``dims`` (kept as size-1 dims)."""
    mean = x.mean(axis=dims, keepdims=True)
    var = quietly(np.mean, np.square(x - mean), axis=dims, keepdims=True)
    return quietly(np.divide, x - mean, np.sqrt(var + eps)), mean, var


def _affine_grads(node: Node, grad: Tensor, x: Tensor, weight: Optional[Tensor],
                  scale: Optional[Tensor], dims: Tuple[int, ...], eps: float,
                  other_dims: Tuple[int, ...]) -> Grads:
    """The three gradients, from the batch's statistics (see the module docstring);
    ``scale`` is ``weight`` shaped to broadcast against ``x``."""
    mean = x.mean(dims, keepdim=True)
    centered = x - mean
    invstd = ((centered * centered).mean(dims, keepdim=True) + eps) ** -0.5
    xhat = centered * invstd
    dx = dw = db = None
    if node.needs_input_grad(0):
        gh = grad * scale if scale is not None else grad
        dx = invstd * (gh - gh.mean(dims, keepdim=True)
                       - xhat * (gh * xhat).mean(dims, keepdim=True))
    def summed(value: Tensor) -> Tensor:  # over other_dims (none: sum(()) would sum all)
        return value.sum(other_dims) if other_dims else value

    if weight is not None and node.needs_input_grad(1):
        dw = summed(grad * xhat).reshape(weight.shape)
    if node.needs_input_grad(2):
        db = summed(grad).reshape(weight.shape if weight is not None else (-1,))
    return dx, dw, db


# -- batch norm -------------------------------------------------------------------
class NativeBatchNormBackward0(Node):
    """z = w * (x - mean) / sqrt(var + eps) + b, per channel;
    dL/dx = invstd * (gh - mean(gh) - xhat * mean(gh * xhat)), gh = grad * w;
    dL/dw = sum(grad * xhat);   dL/db = sum(grad)   (eval mode: dL/dx = grad * w * invstd)"""

    #: Set by record().
    training: bool
    eps: float
    running_mean: Optional[Tensor]  # a copy, in eval mode

    saved_fields = {"input": 0, "weight": 1, "training": "training", "eps": "eps"}

    def backward(self, grad: Tensor) -> Grads:
        x, weight, running_invstd = self.saved_tensors
        shape = (1, -1) + (1,) * (x.ndim - 2)
        scale = weight.reshape(shape) if weight is not None else None
        dims = (0, *range(2, x.ndim))
        if self.training:
            return _affine_grads(self, grad, x, weight, scale, dims, self.eps, dims)
        xhat = (x - self.running_mean.reshape(shape)) * running_invstd.reshape(shape)
        dx = grad * running_invstd.reshape(shape)
        return (dx * scale if scale is not None else dx,
                (grad * xhat).sum(dims) if weight is not None else None, grad.sum(dims))


def batch_norm(input: Tensor, running_mean: Optional[Tensor], running_var: Optional[Tensor],
               weight: Optional[Tensor], bias: Optional[Tensor], training: bool,
               momentum: float, eps: float) -> Tensor:
    """Normalise each channel (dim 1) by the batch's statistics (``training``, which
    also moves the running statistics towards them by ``momentum``) or by the
    running statistics."""
    x = input._data
    dims = (0, *range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    if training:
        xhat, mean, var = _normalize(x, dims, eps)
        count = x.size // x.shape[1]
        if running_mean is not None:
            running_mean._data[...] = ((1 - momentum) * running_mean._data
                                       + momentum * mean.reshape(-1))
        if running_var is not None:
            unbiased = var.reshape(-1) * count / max(count - 1, 1)
            running_var._data[...] = (1 - momentum) * running_var._data + momentum * unbiased
        invstd = None
    else:
        invstd = 1 / np.sqrt(running_var._data + eps)
        xhat = (x - running_mean._data.reshape(shape)) * invstd.reshape(shape)
    data = xhat
    if weight is not None:
        data = data * weight._data.reshape(shape)
    if bias is not None:
        data = data + bias._data.reshape(shape)
    saved_invstd = Tensor._make(invstd.astype(x.dtype)) if invstd is not None else None
    return record(NativeBatchNormBackward0, np.asarray(data, dtype=x.dtype),
                  (input, weight, bias), saved=(input, weight, saved_invstd),
                  training=training, eps=eps,
                  running_mean=None if training else running_mean.detach().clone())


# -- layer norm -------------------------------------------------------------------
class NativeLayerNormBackward0(Node):
    """z = w * (x - mean) / sqrt(var + eps) + b over the last dims;
    dL/dx = invstd * (gh - mean(gh) - xhat * mean(gh * xhat)), gh = grad * w;
    dL/dw = sum(grad * xhat);   dL/db = sum(grad)   (over the leading dims)"""

    #: Set by record().
    normalized_shape: Tuple[int, ...]
    eps: float

    saved_fields = {"input": 0, "weight": 1, "normalized_shape": "normalized_shape"}

    def backward(self, grad: Tensor) -> Grads:
        x, weight = self.saved_tensors
        k = len(self.normalized_shape)
        dims = tuple(range(x.ndim - k, x.ndim))
        return _affine_grads(self, grad, x, weight, weight, dims, self.eps,
                             tuple(range(x.ndim - k)))


def layer_norm(input: Tensor, normalized_shape: Tuple[int, ...], weight: Optional[Tensor],
               bias: Optional[Tensor], eps: float) -> Tensor:
    """Normalise each sample over its last ``len(normalized_shape)`` dims."""
    x = input._data
    k = len(normalized_shape)
    if tuple(x.shape[x.ndim - k:]) != tuple(normalized_shape):
        raise RuntimeError(f"Given normalized_shape={list(normalized_shape)}, expected input "
                           f"with shape [*, {', '.join(map(str, normalized_shape))}], but got "
                           f"input of size{list(x.shape)}")
    data, _, _ = _normalize(x, tuple(range(x.ndim - k, x.ndim)), eps)
    if weight is not None:
        data = data * weight._data
    if bias is not None:
        data = data + bias._data
    return record(NativeLayerNormBackward0, np.asarray(data, dtype=x.dtype),
                  (input, weight, bias), saved=(input, weight),
                  normalized_shape=tuple(normalized_shape), eps=eps)
