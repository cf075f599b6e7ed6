"""Two more loss functions with nodes of their own: smooth L1 and BCE with logits.

PyTorch counterpart: ``torch.nn.functional.smooth_l1_loss`` and
``binary_cross_entropy_with_logits`` (``aten/src/ATen/native/Loss.cpp``) with
their nodes ``SmoothL1LossBackward0`` and
``BinaryCrossEntropyWithLogitsBackward0``.  (``l1_loss`` records no node of
its own: it is ``(x - y).abs()`` and a mean, as in PyTorch.)

* smooth L1 (Huber's loss divided by ``beta``), for ``d = x - y``::

      loss = d^2 / (2 beta)    where |d| < beta, else |d| - beta / 2
      dL/dx = grad * d / beta  where |d| < beta, else grad * sign(d);   dL/dy = -dL/dx

* binary cross entropy on *logits* ``x`` (sigmoid not yet applied), for
  targets ``t`` in [0, 1]; computed without ever forming ``sigmoid(x)``, so
  large logits do not overflow (``softplus(-x) = log(1 + exp(-|x|)) + max(-x, 0)``)::

      loss = (1 - t) x + lw * softplus(-x),   lw = 1 + (pos_weight - 1) t
      dL/dx = grad * ((1 - t) - lw * sigmoid(-x))     (= sigmoid(x) - t without pos_weight)
      dL/dt = grad * ((pos_weight - 1) softplus(-x) - x)

  each times ``weight`` if one is given.

``reduction='mean'`` divides the summed gradient by the number of elements.

Read next: ``embedding.py``.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

from .._kernels import quietly
from .._tensor import Tensor
from ..autograd.graph import Node, record
from .activation import softplus
from .pointwise import sigmoid, sign, where

Grads = Tuple[Optional[Tensor], ...]
REDUCTIONS = {"none": 0, "mean": 1, "sum": 2}


def _reduced(loss: np.ndarray, reduction: str) -> np.ndarray:
    if reduction == "none":
        return loss
    total = quietly(np.sum, loss, dtype=loss.dtype)
    if reduction == "mean":
        total = quietly(np.divide, total, loss.dtype.type(loss.size))
    return np.asarray(total, dtype=loss.dtype)


def _scaled(grad: Tensor, reduction: str, count: int) -> Tensor:
    return grad / count if reduction == "mean" else grad


class SmoothL1LossBackward0(Node):
    """loss = d^2 / (2 beta) if |d| < beta else |d| - beta/2, d = x - y;
    dL/dx = grad * (d / beta if |d| < beta else sign(d));   dL/dy = -dL/dx"""

    #: Set by record().
    reduction: str
    beta: float

    saved_fields = {"self": 0, "target": 1, "beta": "beta"}

    def backward(self, grad: Tensor) -> Grads:
        x, y = self.saved_tensors
        d = x - y
        inside = Tensor._make(np.abs(d._data) < self.beta)
        dx = where(inside, d * (1 / self.beta), sign(d)) * _scaled(grad, self.reduction, d.numel())
        return (dx if self.needs_input_grad(0) else None,
                -dx if self.needs_input_grad(1) else None)


def smooth_l1_loss(input: Tensor, target: Tensor, reduction: str, beta: float) -> Tensor:
    """Squared error near zero, absolute error beyond ``beta``."""
    x, y = np.broadcast_arrays(input._data, target._data)
    d = np.abs(x - y)
    b = x.dtype.type(beta)
    loss = np.where(d < b, x.dtype.type(0.5) * d * d / b, d - x.dtype.type(0.5) * b)
    return record(SmoothL1LossBackward0, _reduced(loss.astype(x.dtype), reduction),
                  (input, target), saved=(input, target), reduction=reduction, beta=beta)


class BinaryCrossEntropyWithLogitsBackward0(Node):
    """loss = (1 - t) x + lw * softplus(-x), lw = 1 + (pos_weight - 1) t;
    dL/dx = grad * ((1 - t) - lw * sigmoid(-x));   dL/dt = grad * ((pos_weight - 1)
    softplus(-x) - x)   (each times weight)"""

    #: Set by record().
    reduction: str

    saved_fields = {"self": 0, "target": 1, "weight": 2, "pos_weight": 3}

    def backward(self, grad: Tensor) -> Grads:
        x, t, weight, pos_weight = self.saved_tensors
        grad = _scaled(grad, self.reduction, int(np.prod(np.broadcast_shapes(x.shape, t.shape))))
        if weight is not None:
            grad = grad * weight
        dx = dt = None
        if self.needs_input_grad(0):
            if pos_weight is None:
                dx = grad * (sigmoid(x) - t)
            else:
                dx = grad * ((1 - t) - ((pos_weight - 1) * t + 1) * sigmoid(-x))
        if self.needs_input_grad(1):
            if pos_weight is None:
                dt = grad * -x
            else:
                dt = grad * ((pos_weight - 1) * softplus(-x) - x)
        return dx, dt


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor, weight: Optional[Tensor],
                                     pos_weight: Optional[Tensor], reduction: str) -> Tensor:
    """``binary_cross_entropy(sigmoid(input), target)``, computed stably."""
    x, t = input._data, target._data.astype(input._data.dtype, copy=False)
    one = x.dtype.type(1)
    minus_log_sigmoid = quietly(np.log1p, quietly(np.exp, -np.abs(x))) + np.maximum(-x, 0)
    if pos_weight is None:
        loss = (one - t) * x + minus_log_sigmoid
    else:
        loss = (one - t) * x + ((pos_weight._data - one) * t + one) * minus_log_sigmoid
    if weight is not None:
        loss = loss * weight._data
    loss = np.asarray(loss, dtype=x.dtype)
    return record(BinaryCrossEntropyWithLogitsBackward0, _reduced(loss, reduction),
                  (input, target), saved=(input, target, weight, pos_weight),
                  reduction=reduction)
