"""Activation functions beyond relu, sigmoid and tanh: softplus, gelu, leaky_relu.

PyTorch counterpart: ``torch.nn.functional.softplus``, ``gelu``,
``leaky_relu`` (``aten/src/ATen/native/Activation.cpp``) with their nodes
``SoftplusBackward0``, ``GeluBackward0``, ``LeakyReluBackward0``; and
``torch.erf`` (``ErfBackward0``), which gelu is made of.

* ``softplus(x) = log(1 + exp(beta x)) / beta``: a smooth relu; its
  derivative is ``sigmoid(beta x)``.  Where ``beta x > threshold`` it is
  ``x`` itself (derivative 1);
* ``gelu(x) = x * Phi(x)``, ``Phi`` the standard normal's distribution
  function ``(1 + erf(x / sqrt 2)) / 2``; derivative
  ``Phi(x) + x * phi(x)``, ``phi(x) = exp(-x^2/2) / sqrt(2 pi)``.  With
  ``approximate='tanh'``, ``Phi(x)`` is replaced by
  ``(1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2``;
* ``leaky_relu(x) = x`` for ``x > 0``, ``slope * x`` otherwise.

The backward formulas are tensor ops, so they can be differentiated again
(PyTorch records its own ``SoftplusBackwardBackward0`` ... there instead).

Read next: ``nn_losses.py``.
"""

from __future__ import annotations

import math
from typing import Optional, Tuple

import numpy as np

from .._dtype import LEGACY_TYPE_NAMES
from .._kernels import activation as kernels
from .._kernels import compute
from .._promotion import default_float
from .._tensor import Tensor
from ..autograd.graph import Node, record
from .pointwise import check_operand, exp, sigmoid, tanh, where

Grads = Tuple[Optional[Tensor], ...]


def _floating(input: Tensor, name: str) -> np.ndarray:
    check_operand(input, name, 1, tensor_only=True)
    if input._data.dtype.kind != "f":
        legacy = LEGACY_TYPE_NAMES[input._data.dtype.name]
        raise NotImplementedError(f'"{name}" not implemented for \'{legacy}\'')
    return input._data


class ErfBackward0(Node):
    """z = erf(x);   dL/dx = grad * 2 / sqrt(pi) * exp(-x^2)"""

    saved_fields = {"self": 0}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        return (grad * (2 / math.sqrt(math.pi)) * exp(-(x * x)),)


def erf(input: Tensor) -> Tensor:
    """The error function ``2/sqrt(pi) * integral from 0 to x of exp(-t^2) dt``."""
    check_operand(input, "erf", 1, tensor_only=True)
    data = input._data if input._data.dtype.kind == "f" else input._data.astype(default_float())
    return record(ErfBackward0, kernels.erf(data), (input,), saved=(input,))


class SoftplusBackward0(Node):
    """z = log(1 + exp(beta x)) / beta  (x where beta x > threshold);
    dL/dx = grad * sigmoid(beta x)  (grad where beta x > threshold)"""

    #: Set by record().
    beta: float
    threshold: float

    saved_fields = {"self": 0, "beta": "beta", "threshold": "threshold"}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        scaled = x * self.beta
        linear = Tensor._make(scaled._data > self.threshold)
        return (where(linear, grad, grad * sigmoid(scaled)),)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta``, elementwise."""
    data = _floating(input, "softplus_cpu")
    return record(SoftplusBackward0, kernels.softplus(data, beta, threshold), (input,),
                  saved=(input,), beta=beta, threshold=threshold)


class GeluBackward0(Node):
    """z = x * Phi(x);   dL/dx = grad * (Phi(x) + x * exp(-x^2/2) / sqrt(2 pi))
    (approximate='tanh': Phi(x) ~ (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))) / 2)"""

    #: Set by record().
    approximate: str

    saved_fields = {"self": 0, "approximate": "approximate"}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        if self.approximate == "tanh":
            k = math.sqrt(2 / math.pi)
            t = tanh((x + x * x * x * 0.044715) * k)
            slope = (t + 1) * 0.5 + x * (1 - t * t) * (x * x * (3 * 0.044715) + 1) * (0.5 * k)
        else:
            cdf = (erf(x * (1 / math.sqrt(2))) + 1) * 0.5
            slope = cdf + x * exp(x * x * -0.5) * (1 / math.sqrt(2 * math.pi))
        return (grad * slope,)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)`` (``approximate='tanh'``: the tanh formula)."""
    if approximate not in ("none", "tanh"):
        raise RuntimeError("approximate argument must be either none or tanh.")
    x = _floating(input, "GeluKernelImpl")
    if approximate == "tanh":
        k = x.dtype.type(math.sqrt(2 / math.pi))
        data = compute(lambda v: 0.5 * v * (1 + np.tanh(k * (v + 0.044715 * v * v * v))), x)
    else:
        data = 0.5 * x * (1 + kernels.erf(x * x.dtype.type(1 / math.sqrt(2))))
    return record(GeluBackward0, np.asarray(data, dtype=x.dtype), (input,), saved=(input,),
                  approximate=approximate)


class LeakyReluBackward0(Node):
    """z = x if x > 0 else slope * x;   dL/dx = grad if x > 0 else slope * grad"""

    #: Set by record().
    negative_slope: float

    saved_fields = {"self": 0, "negative_slope": "negative_slope"}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        positive = Tensor._make(x._data > 0)
        return (where(positive, grad, grad * self.negative_slope),)


def leaky_relu(input: Tensor, negative_slope: float = 0.01) -> Tensor:
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    x = _floating(input, "leaky_relu_cpu")
    data = np.where(x > 0, x, x * x.dtype.type(negative_slope))
    return record(LeakyReluBackward0, data, (input,), saved=(input,),
                  negative_slope=negative_slope)
