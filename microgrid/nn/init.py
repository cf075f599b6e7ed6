"""``nn.init``: filling a module's parameters with their first values.

PyTorch counterpart: ``torch.nn.init`` (``torch/nn/init.py``), built on the
random fills ``Tensor.uniform_`` / ``Tensor.normal_`` (``ops/random.py``).

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
a parameter that requires grad) and returns it.  The random numbers are
PyTorch's: after ``manual_seed(s)`` every scheme here writes the values
``torch.nn.init`` writes, drawn in the same order (``orthogonal_`` draws the
same normals, but its QR factorisation is NumPy's LAPACK, not PyTorch's, so
its last bits may differ).

Read next: ``modules/__init__.py``.
"""

from __future__ import annotations

import math
import warnings
from typing import Optional, Sequence, Tuple

import numpy as np

from .._tensor import Tensor
from ..autograd.grad_mode import no_grad
from ..random import Generator

__all__ = ["calculate_gain", "uniform_", "normal_", "constant_", "ones_", "zeros_",
           "xavier_uniform_", "xavier_normal_", "kaiming_uniform_", "kaiming_normal_",
           "trunc_normal_", "orthogonal_"]


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
             generator: Optional[Generator] = None) -> Tensor:
    """Fill ``tensor`` with samples of U(a, b)."""
    with no_grad():
        return tensor.uniform_(a, b, generator=generator)


def normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0,
            generator: Optional[Generator] = None) -> Tensor:
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
                    generator: Optional[Generator] = None) -> Tensor:
    """Glorot's uniform scheme: U(-a, a), a = gain * sqrt(6 / (fan_in + fan_out))."""
    bound = math.sqrt(3.0) * _xavier_std(tensor, gain)
    return uniform_(tensor, -bound, bound, generator)


def xavier_normal_(tensor: Tensor, gain: float = 1.0,
                   generator: Optional[Generator] = None) -> Tensor:
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
                     generator: Optional[Generator] = None) -> Tensor:
    """He's uniform scheme: U(-b, b), b = gain * sqrt(3 / fan) (fan_in by default)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    if std is None:
        return tensor
    bound = math.sqrt(3.0) * std
    return uniform_(tensor, -bound, bound, generator)


def kaiming_normal_(tensor: Tensor, a: float = 0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu",
                    generator: Optional[Generator] = None) -> Tensor:
    """He's normal scheme: N(0, std^2), std = gain / sqrt(fan) (fan_in by default)."""
    std = _kaiming_std(tensor, a, mode, nonlinearity)
    return tensor if std is None else normal_(tensor, 0, std, generator)


def _new_empty(tensor: Tensor, shape: Sequence[int]) -> Tensor:
    """``tensor.new_empty(shape)`` (zeros here): same dtype, no history."""
    return Tensor._make(np.zeros(tuple(shape), dtype=tensor._data.dtype))


def trunc_normal_(tensor: Tensor, mean: float = 0.0, std: float = 1.0, a: float = -2.0,
                  b: float = 2.0, generator: Optional[Generator] = None) -> Tensor:
    """N(mean, std^2) restricted to [a, b], by rejection, as PyTorch 2.13 does it.

    If [a, b] holds more than 30 % of the mass: draw normals, then redraw a
    full tensor of normals and keep its values wherever the current ones fall
    outside [a, b], until none do.  Otherwise: uniform candidates in [a, b],
    accepted when ``log u < -((x - mean) / std)**2 / 2 - log_peak``.  (That
    second branch compares float32 logarithms, NumPy's here: a candidate
    within a rounding error of the boundary could be decided differently.)"""
    def norm_cdf(x: float) -> float:
        return (1.0 + math.erf(x / math.sqrt(2.0))) / 2.0

    if (mean < a - 2 * std) or (mean > b + 2 * std):
        warnings.warn("mean is more than 2 std from [a, b] in nn.init.trunc_normal_. "
                      "The distribution of values may be incorrect.", stacklevel=2)
    data = tensor._data
    low, high = data.dtype.type(a).item(), data.dtype.type(b).item()  # new_tensor(a).item()
    with no_grad():
        if norm_cdf((b - mean) / std) - norm_cdf((a - mean) / std) > 0.3:
            result = tensor.normal_(mean, std, generator=generator)._data.copy()
            while True:
                outside = (result < low) | (result > high)
                if not outside.any():
                    break
                fresh = _new_empty(tensor, tensor.shape).normal_(mean, std, generator=generator)
                result = np.where(outside, fresh._data, result)
            return tensor.copy_(Tensor._make(result))
        mode = max(a, min(mean, b))
        log_peak = -0.5 * ((mode - mean) / std) ** 2

        def rejected(candidates: np.ndarray) -> np.ndarray:
            log_pdf = -0.5 * ((candidates - data.dtype.type(mean)) / data.dtype.type(std)) ** 2
            u = _new_empty(tensor, tensor.shape).uniform_(generator=generator)._data
            return np.log(u) > (log_pdf - data.dtype.type(log_peak))

        result = tensor.uniform_(a, b, generator=generator)._data.copy()
        pending = rejected(result)
        while pending.any():
            candidates = _new_empty(tensor, tensor.shape).uniform_(a, b, generator=generator)._data
            result = np.where(pending, candidates, result)
            pending = np.where(pending, rejected(candidates), pending)
        return tensor.copy_(Tensor._make(result))


def orthogonal_(tensor: Tensor, gain: float = 1, generator: Optional[Generator] = None) -> Tensor:
    """A (semi-)orthogonal matrix: Q of the QR factorisation of a matrix of
    standard normals, its columns' signs fixed by R's diagonal, times ``gain``."""
    if tensor.dim() < 2:
        raise ValueError("Only tensors with 2 or more dimensions are supported")
    if tensor.numel() == 0:
        return tensor
    rows = tensor.size(0)
    cols = tensor.numel() // rows
    flattened = _new_empty(tensor, (rows, cols)).normal_(0, 1, generator=generator)._data
    if rows < cols:
        flattened = flattened.T
    q, r = np.linalg.qr(flattened)
    q = q * np.sign(np.diag(r))
    if rows < cols:
        q = q.T
    with no_grad():
        tensor.copy_(Tensor._make(np.ascontiguousarray(q, dtype=tensor._data.dtype)
                                  .reshape(tensor.shape)))
        return tensor.mul_(gain)
