"""``nn.init``: filling a module's parameters with their first values.

PyTorch counterpart: ``torch.nn.init`` (``torch/nn/init.py``), and the random
fills it is built on, ``Tensor.uniform_`` / ``Tensor.normal_`` (their nodes
``UniformBackward0``, ``NormalBackward0``).

Training starts from random weights, and their scale matters: too large and
activations explode layer after layer, too small and they fade away.  Each
scheme here picks the spread of the distribution from the weight's shape:
``fan_in`` (inputs per output unit, ``weight.size(1)`` for a Linear layer)
and ``fan_out``:

* ``xavier_uniform_``: U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out));
* ``kaiming_uniform_``: U(-b, b) with b = gain * sqrt(3 / fan_in), the gain
  depending on the nonlinearity.  ``nn.Linear`` uses it with
  ``a=sqrt(5)``, which works out to b = 1 / sqrt(fan_in).

Every function changes the tensor in place under ``no_grad`` (so it works on
a parameter that requires grad) and returns it.  The random numbers come
from microgrid's generator (``microgrid.manual_seed``): they repeat from run
to run, but differ from PyTorch's.

Read next: ``modules/__init__.py``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Optional, Tuple

import numpy as np

from .. import _creation
from .._dtype import LEGACY_TYPE_NAMES
from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..autograd.graph import Node, record
from ..ops.pointwise import zeros_constant

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "ones_", "zeros_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_"]


# -- the random fills (Tensor.uniform_ and Tensor.normal_ write these) -----------------
class UniformBackward0(Node):
    """z = samples of U(a, b) written over x;   dL/dx = 0 (z does not depend on x)"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (zeros_constant(grad),)


class NormalBackward0(Node):
    """z = samples of N(mean, std^2) written over x;   dL/dx = 0 (z does not depend on x)"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (zeros_constant(grad),)


def _floating_data(input: Tensor, kernel: str) -> np.ndarray:
    data = input._data
    if data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{LEGACY_TYPE_NAMES[data.dtype.name]}'")
    return data


def _generator(generator: Optional[np.random.Generator]) -> np.random.Generator:
    """The generator to draw from: the one given, or microgrid's (``manual_seed``)."""
    return _creation._generator if generator is None else generator


def uniform(input: Tensor, a: float = 0.0, b: float = 1.0, *,
            generator: Optional[np.random.Generator] = None) -> Tensor:
    """What ``input.uniform_(a, b)`` writes: samples of U(a, b) shaped like ``input``."""
    data = _floating_data(input, "check_uniform_bounds")
    if a > b:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found from={a:g} "
                           f"> to={b:g}")
    samples = a + (b - a) * _generator(generator).random(data.shape)
    return record(UniformBackward0, samples.astype(data.dtype), (input,))


def normal(input: Tensor, mean: float = 0.0, std: float = 1.0, *,
           generator: Optional[np.random.Generator] = None) -> Tensor:
    """What ``input.normal_(mean, std)`` writes: samples of N(mean, std^2) shaped like ``input``."""
    data = _floating_data(input, "normal_kernel_cpu")
    if std < 0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {std:g}")
    samples = _generator(generator).normal(mean, std, data.shape)
    return record(NormalBackward0, samples.astype(data.dtype), (input,))


# -- the schemes --------------------------------------------------------------------------
def calculate_gain(nonlinearity: str, param: Optional[float] = None) -> float:
    """The factor that keeps the activations' spread steady through ``nonlinearity``."""
    if nonlinearity in ("linear", "conv1d", "conv2d", "conv3d", "conv_transpose1d",
                        "conv_transpose2d", "conv_transpose3d", "sigmoid"):
        return 1
    if nonlinearity == "tanh":
        return 5.0 / 3
    if nonlinearity == "relu":
        return math.sqrt(2.0)
    if nonlinearity == "leaky_relu":
        if param is None:
            negative_slope = 0.01
        elif not isinstance(param, bool) and isinstance(param, (int, float)):
            negative_slope = param
        else:
            raise ValueError(f"negative_slope {param} not a valid number")
        return math.sqrt(2.0 / (1 + negative_slope**2))
    if nonlinearity == "selu":
        return 3.0 / 4
    raise ValueError(f"Unsupported nonlinearity {nonlinearity}")


def uniform_(tensor: Tensor, a: float = 0.0, b: float = 1.0,
             generator: Optional[np.random.Generator] = None) -> Tensor:
    """Fill ``tensor`` with samples of U(a, b)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Optional[np.random.Generator] = None) -> Tensor:
    """Fill ``tensor`` with samples of N(mean, std^2)."""
    with no_grad():
        return tensor.normal_(mean, std, generator=generator)


def constant_(tensor: Tensor, val: float) -> Tensor:
    """Fill ``tensor`` with ``val``."""
    with no_grad():
        return tensor.fill_(val)


def ones_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with ones."""
    return constant_(tensor, 1.0)


def zeros_(tensor: Tensor) -> Tensor:
    """Fill ``tensor`` with zeros."""
    with no_grad():
        return tensor.zero_()


def _calculate_fan_in_and_fan_out(tensor: Tensor) -> Tuple[int, int]:
    """(inputs, outputs) per unit of a weight (out_features, in_features, *kernel)."""
    if tensor.dim() < 2:
        raise ValueError("Fan in and fan out can not be computed for tensor with fewer than 2 "
                         "dimensions")
    receptive_field_size = math.prod(tensor.shape[2:])
    return tensor.size(1) * receptive_field_size, tensor.size(0) * receptive_field_size


def _calculate_correct_fan(tensor: Tensor, mode: str) -> int:
    mode = mode.lower()
    valid_modes = ["fan_in", "fan_out"]
    if mode not in valid_modes:
        raise ValueError(f"Mode {mode} not supported, please use one of {valid_modes}")
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return fan_in if mode == "fan_in" else fan_out


def _xavier_std(tensor: Tensor, gain: float) -> float:
    fan_in, fan_out = _calculate_fan_in_and_fan_out(tensor)
    return gain * math.sqrt(2.0 / float(fan_in + fan_out))


def xavier_uniform_(tensor: Tensor, gain: float = 1.0,
                    generator: Optional[np.random.Generator] = None) -> Tensor:
    """Glorot's uniform scheme: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    bound = math.sqrt(3.0) * _xavier_std(tensor, gain)
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: Optional[np.random.Generator] = None) -> Tensor:
    """Glorot's normal scheme: N(0, std^2), std = gain * sqrt(2 / (fan_in + fan_out))."""
    return normal_(tensor, 0.0, _xavier_std(tensor, gain), generator)


def _kaiming_std(tensor: Tensor, a: float, mode: str, nonlinearity: str) -> Optional[float]:
    """He's std, gain / sqrt(fan); None (with PyTorch's warning) for an empty tensor."""
    if 0 in tensor.shape:
        warnings.warn("Initializing zero-element tensors is a no-op", stacklevel=3)
        return None
    fan = _calculate_correct_fan(tensor, mode)
    return calculate_gain(nonlinearity, a) / math.sqrt(fan)


def kaiming_uniform_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu",
                     generator: Optional[np.random.Generator] = None) -> Tensor:
    """He's uniform scheme: U(-b, b), b = gain * sqrt(3 / fan) (fan_in by default)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: Optional[np.random.Generator] = None) -> Tensor:
    """He's normal scheme: N(0, std^2), std = gain / sqrt(fan) (fan_in by default)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else normal_(tensor, 0, std, generator)
