"""Reductions: sum, mean, max/min, var/std, logsumexp, argmax/argmin, softmax.

PyTorch counterpart: ``torch.sum`` ... ``torch.softmax`` and their nodes.  The
node name often tells which overload ran: ``SumBackward0`` (everything) or
``SumBackward1`` (with ``dim``), ``MaxBackward1`` (the whole tensor) or
``MaxBackward0`` (along ``dim``, with indices).

A reduction's backward *spreads* the output gradient back over the elements
that were reduced: every input element contributed to its output element
with weight 1 (sum), 1/n (mean), only if it was the largest (max), ... .
Spreading is a broadcast (``expand``, or simply an elementwise op with the
gradient reshaped so that the reduced dims have size 1).

``dim`` is an int or a tuple of ints (negative ones count from the end; an
empty tuple means every dim); ``keepdim=True`` keeps the reduced dims with
size 1.  float16 inputs are accumulated in float32, as PyTorch does.

``softmax`` and ``log_softmax`` live here too: they normalise along a dim, and
their backward needs a sum along it.

Read next: ``../autograd/grad_mode.py``.
"""

from __future__ import annotations

import builtins
import collections
import math
import sys
import warnings
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from .. import _dtype
from .._dtype import LEGACY_TYPE_NAMES
from .._kernels import moments, quietly
from .._kernels import norms as norm_kernels
from .._kernels import reduce as exact
from .._kernels import softmax as exact_softmax
from .._promotion import default_float
from .._tensor import Tensor, _wrap_dim
from ..autograd.graph import Node, record
from .arguments import numpy_names
from .pointwise import (
    check_operand,
    div_scalar,
    logical_and,
    maximum,
    minimum,
    mul_scalar,
    where,
    zeros_constant,
)

Dims = Union[None, int, Sequence[int]]
Grads = Tuple[Optional[Tensor], ...]


# -- helpers ------------------------------------------------------------------
def reduction_dims(dim: Dims, ndim: int) -> Optional[Tuple[int, ...]]:
    """``dim`` as a tuple of non-negative dims (None means all), checked like torch."""
    if dim is None:
        return None
    dims = (dim,) if isinstance(dim, int) else tuple(dim)
    if not dims:
        return tuple(range(ndim))  # torch: an empty list of dims reduces them all
    wrapped = tuple(_wrap_dim(d, ndim) for d in dims)
    for d in wrapped:
        if wrapped.count(d) > 1:
            raise RuntimeError(f"dim {d} appears multiple times in the list of dims")
    return wrapped


def _axes(dims: Optional[Tuple[int, ...]], ndim: int) -> Optional[Tuple[int, ...]]:
    """The NumPy ``axis`` for ``dims`` (a 0-d tensor accepts dim 0 but has no axis 0)."""
    return None if ndim == 0 else dims


def _kept_shape(shape: Tuple[int, ...], dims: Optional[Tuple[int, ...]]) -> Tuple[int, ...]:
    """The output shape with keepdim=True: reduced dims (all when None) become 1."""
    return tuple(1 if dims is None or i in dims else s for i, s in enumerate(shape))


def _unreduce(grad: Tensor, shape: Tuple[int, ...], dims: Optional[Tuple[int, ...]],
              keepdim: bool) -> Tensor:
    """The gradient of a reduction made to broadcast against the input: the
    reduced dims put back with size 1, by ``unsqueeze``, lowest dim first, as
    PyTorch does (a reduction over everything leaves a 0-d gradient as it is)."""
    if keepdim or dims is None or not shape:
        return grad
    for d in sorted(dims):
        grad = grad.unsqueeze(d)
    return grad


def _spread(grad: Tensor, shape: Tuple[int, ...], dims: Optional[Tuple[int, ...]],
            keepdim: bool) -> Tensor:
    """Broadcast the gradient of a reduction back to the input's ``shape``."""
    return _unreduce(grad, shape, dims, keepdim).expand(shape)


def _count(shape: Tuple[int, ...], dims: Optional[Tuple[int, ...]]) -> int:
    """How many input elements go into each output element."""
    if dims is None or not shape:  # a 0-d tensor has one element, whatever dim says
        return math.prod(shape)
    return math.prod(shape[d] for d in dims)


def _accumulation_dtype(dtype: np.dtype) -> np.dtype:
    """PyTorch accumulates float16 in float32; other dtypes in themselves."""
    return np.dtype(np.float32) if dtype == np.float16 else dtype


def _accumulated(data: np.ndarray) -> np.ndarray:
    """The values to accumulate, in the accumulation dtype."""
    return data.astype(_accumulation_dtype(data.dtype), copy=False)


def _reduced_shape(shape: Tuple[int, ...], dims: Optional[Tuple[int, ...]]) -> Tuple[int, ...]:
    """The output shape with keepdim=False: reduced dims (all when None) removed."""
    return tuple(s for i, s in enumerate(shape) if dims is not None and i not in dims)


def _warn_at_caller(message: str) -> None:
    """A UserWarning attributed to the user's line, as PyTorch's C++ warnings are."""
    frame, level = sys._getframe(1), 2
    while frame is not None and frame.f_globals.get("__name__", "").startswith("microgrid."):
        frame, level = frame.f_back, level + 1
    warnings.warn(message, UserWarning, stacklevel=level)


def return_type(name: str, fields: Sequence[str] = ("values", "indices")) -> type:
    """A named tuple class that prints like PyTorch's ``torch.return_types.<name>``."""
    base = collections.namedtuple(name, fields)  # type: ignore[misc]

    def __repr__(self: Any) -> str:  # noqa: N807
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(fields, self, strict=True))
        return f"torch.return_types.{name}(\n{body})"

    return type(name, (base,), {"__slots__": (), "__repr__": __repr__,
                                "__module__": "microgrid.return_types"})


# -- sum ----------------------------------------------------------------------
class SumBackward0(Node):
    """z = sum_i x_i;   dL/dx_i = grad   (grad broadcast to x's shape)"""

    #: Set by record().
    input_shape: Tuple[int, ...]

    saved_fields = {"self_sym_sizes": "input_shape"}

    def backward(self, grad: Tensor) -> Grads:
        return (grad.expand(self.input_shape),)


class SumBackward1(Node):
    """z_j = sum over dims of x_ij;   dL/dx_ij = grad_j   (broadcast over dims)"""

    #: Set by record().
    input_shape: Tuple[int, ...]
    dims: Tuple[int, ...]
    keepdim: bool

    saved_fields = {"self_sym_sizes": "input_shape", "dim": "dims", "keepdim": "keepdim"}

    def backward(self, grad: Tensor) -> Grads:
        return (_spread(grad, self.input_shape, self.dims, self.keepdim),)


def sum(input: Tensor, dim: Dims = None, keepdim: bool = False,  # noqa: A001 - torch's name
        dtype: Optional[_dtype.dtype] = None) -> Tensor:
    """The sum of all elements, or over ``dim`` (an int or a tuple of ints).
    Integer and bool tensors sum to int64, as in PyTorch."""
    check_operand(input, "sum", 1, tensor_only=True)
    data = input._data
    if dtype is not None:
        out_dtype = dtype.numpy_dtype
    elif data.dtype.kind in "biu":
        out_dtype = np.dtype(np.int64)
    else:
        out_dtype = data.dtype
    dims = reduction_dims(dim, data.ndim)
    if out_dtype.kind == "f":  # added up in PyTorch's order (_kernels/reduce.py)
        # np.asarray: a full reduction comes back as a NumPy scalar, which the
        # in-place ops (s.mul_(2), SGD's momentum buffer) cannot write into
        total = np.asarray(quietly(exact.sum, data.astype(out_dtype, copy=False), dims,
                                   keepdim and dims is not None))
    else:
        total = quietly(np.add.reduce, data, axis=_axes(dims, data.ndim),
                        keepdims=keepdim and dims is not None, dtype=out_dtype)
        total = quietly(np.asarray(total).astype, out_dtype, copy=False)
    if dims is None:
        return record(SumBackward0, total, (input,), input_shape=data.shape)
    return record(SumBackward1, total, (input,), input_shape=data.shape, dims=dims,
                  keepdim=keepdim)


# -- mean ---------------------------------------------------------------------
# docs/tour.md, stop 8: quoted there; keep the two in step.
class MeanBackward0(Node):
    """z = (1/n) sum_i x_i;   dL/dx_i = grad / n"""

    #: Set by record().
    input_shape: Tuple[int, ...]
    count: int

    saved_fields = {"self_sym_sizes": "input_shape", "self_sym_numel": "count"}

    def backward(self, grad: Tensor) -> Grads:
        return (div_scalar(grad.expand(self.input_shape), self.count),)


class MeanBackward1(Node):
    """z_j = (1/n) sum over dims of x_ij  (n elements per output);
    dL/dx_ij = grad_j / n"""

    #: Set by record().
    input_shape: Tuple[int, ...]
    count: int
    dims: Tuple[int, ...]
    keepdim: bool

    def backward(self, grad: Tensor) -> Grads:
        return (div_scalar(_spread(grad, self.input_shape, self.dims, self.keepdim),
                           self.count),)


def _check_floating(data: np.ndarray, op: str) -> None:
    if data.dtype.kind != "f":
        raise RuntimeError(
            f"{op}(): could not infer output dtype. Input dtype must be either a floating "
            f"point or complex dtype. Got: {LEGACY_TYPE_NAMES[data.dtype.name]}")


def _mean(data: np.ndarray, dims: Optional[Tuple[int, ...]], keepdim: bool) -> np.ndarray:
    """The mean over ``dims``: PyTorch's sum, divided once by the count (nan for no
    elements; float16 summed and divided in float32, _kernels/reduce.py)."""
    return np.asarray(quietly(exact.mean, data, dims if data.ndim else None, keepdim))


# docs/tour.md, stop 8: quoted there; keep the two in step.
def mean(input: Tensor, dim: Dims = None, keepdim: bool = False,
         dtype: Optional[_dtype.dtype] = None) -> Tensor:
    """The mean of all elements, or over ``dim``.  Floating point only."""
    check_operand(input, "mean", 1, tensor_only=True)
    data = input._data if dtype is None else input._data.astype(dtype.numpy_dtype)
    _check_floating(data, "mean")
    dims = reduction_dims(dim, data.ndim)
    result = _mean(data, dims, keepdim and dims is not None).astype(data.dtype, copy=False)
    count = _count(data.shape, dims)
    if dims is None:
        return record(MeanBackward0, result, (input,), input_shape=data.shape, count=count)
    return record(MeanBackward1, result, (input,), input_shape=data.shape, count=count,
                  dims=dims, keepdim=keepdim)


# -- max, min -----------------------------------------------------------------
def _extreme_ties(x: Tensor, z: Tensor) -> Tensor:
    """Where ``x`` equals its extreme value ``z`` (0-d): its nans if ``z`` is nan."""
    return x != x if math.isnan(z.item()) else x == z


class MaxBackward1(Node):
    """z = max_i x_i;   dL/dx_i = grad / k where x_i == z (k such elements), else 0"""

    def backward(self, grad: Tensor) -> Grads:
        x, z = self.saved_tensors
        ties = _extreme_ties(x, z)
        return (zeros_constant(x).masked_fill(ties, grad / ties.sum()),)


class MinBackward1(MaxBackward1):
    """z = min_i x_i;   dL/dx_i = grad / k where x_i == z (k such elements), else 0"""


class MaxBackward0(Node):
    """(z, i) = max of x along dim;   dL/dx = grad at index i along dim, 0 elsewhere"""

    def backward(self, grad: Tensor) -> Grads:
        (indices,) = self.saved_tensors
        shape, dims = self.input_shape, (self.dim,)
        chosen = _unreduce(indices, shape, dims, self.keepdim)._data
        # The index of every element along dim, to compare with the chosen one.
        along = np.arange(shape[self.dim]).reshape(
            [-1 if i == self.dim else 1 for i in range(len(shape))]) if shape else 0
        selected = Tensor._make(np.asarray(along == chosen))
        return (where(selected, _unreduce(grad, shape, dims, self.keepdim), 0.0),)


class MinBackward0(MaxBackward0):
    """(z, i) = min of x along dim;   dL/dx = grad at index i along dim, 0 elsewhere"""


_MaxResult = return_type("max")
_MinResult = return_type("min")


def _check_nonempty(data: np.ndarray, dims: Optional[Tuple[int, ...]], op: str,
                    error: type, hint: str) -> None:
    if dims is None and data.size == 0:
        raise error(f"{op}(): Expected reduction dim to be specified for input.numel() == 0."
                    + hint)
    if dims is not None and data.ndim and data.shape[dims[0]] == 0:
        raise IndexError(f"{op}(): Expected reduction dim {dims[0]} to have non-zero size.")


def _arg_extreme(data: np.ndarray, dim: Optional[int], keepdim: bool, op: str,
                 error: type = IndexError, hint: str = "") -> np.ndarray:
    """The index of the first largest (``op`` "max"/"argmax") or smallest
    element along ``dim`` (of the flattened tensor when None); nan counts as
    the extreme, as in PyTorch."""
    dims = None if dim is None else (_wrap_dim(dim, data.ndim),)
    _check_nonempty(data, dims, op, error, hint)
    function = np.argmax if "max" in op else np.argmin
    axis = None if dims is None or data.ndim == 0 else dims[0]
    return np.asarray(function(data, axis=axis, keepdims=keepdim)).astype(np.int64)


def _max_or_min(input: Tensor, dim: Any, keepdim: bool, op: str) -> Any:
    check_operand(input, op, 1, tensor_only=True)
    if isinstance(dim, Tensor):  # torch.max(x, y) is maximum(x, y)
        return (maximum if op == "max" else minimum)(input, dim)
    data = input._data
    _dtype.refuse_barebones(f"{op}_all" if dim is None else f"{op}_cpu", data)
    is_max = op == "max"
    if dim is None:
        _check_nonempty(data, None, op, RuntimeError,
                        " Specify the reduction dim with the 'dim' argument.")
        value = np.asarray(np.max(data) if is_max else np.min(data))
        node = MaxBackward1 if is_max else MinBackward1
        return record(node, value, (input,), saved=(input,), save_result=True)
    indices = _arg_extreme(data, dim, True, op)
    d = _wrap_dim(dim, data.ndim)
    values = np.take_along_axis(data, indices, axis=d) if data.ndim else data.copy()
    if not keepdim and data.ndim:
        values, indices = values.squeeze(d), indices.squeeze(d)
    index_tensor = Tensor._make(indices)
    node = MaxBackward0 if is_max else MinBackward0
    result = record(node, values, (input,), saved=(index_tensor,), input_shape=data.shape,
                    dim=d, keepdim=keepdim)
    return (_MaxResult if is_max else _MinResult)(result, index_tensor)


def max(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """The largest element; with ``dim``, ``(values, indices)`` along it; with
    a tensor, ``maximum(input, other)``."""
    return _max_or_min(input, dim, keepdim, "max")


def min(input: Tensor, dim: Any = None, keepdim: bool = False) -> Any:  # noqa: A001
    """The smallest element; with ``dim``, ``(values, indices)`` along it; with
    a tensor, ``minimum(input, other)``."""
    return _max_or_min(input, dim, keepdim, "min")


def _argmax_or_argmin(input: Tensor, dim: Optional[int], keepdim: bool, op: str) -> Tensor:
    check_operand(input, op, 1, tensor_only=True)
    if input._data.dtype == np.bool_:
        raise RuntimeError(f"{op}(): does not support bool input")
    _dtype.refuse_barebones(f"{op}_cpu", input._data)
    indices = _arg_extreme(input._data, dim, keepdim, op)
    if dim is None and keepdim:
        indices = indices.reshape((1,) * input._data.ndim)
    return Tensor._make(indices)


def argmax(input: Tensor, dim: Optional[int] = None, keepdim: bool = False) -> Tensor:
    """The index of the largest element (of the flattened tensor, or along ``dim``)."""
    return _argmax_or_argmin(input, dim, keepdim, "argmax")


def argmin(input: Tensor, dim: Optional[int] = None, keepdim: bool = False) -> Tensor:
    """The index of the smallest element (of the flattened tensor, or along ``dim``)."""
    return _argmax_or_argmin(input, dim, keepdim, "argmin")


# -- var, std -----------------------------------------------------------------
def _var_grad(grad: Tensor, x: Tensor, dims: Optional[Tuple[int, ...]], correction: float,
              keepdim: bool) -> Tensor:
    """dL/dx of ``var(x)`` given ``grad``: ``grad * 2 (x - mean) / (n - correction)``."""
    dof = _count(x._data.shape, dims) - correction
    if dims is None or x.dim() == 0:
        if dof <= 0:  # 2 / dof is infinite: nan where x == mean (inf * 0), inf elsewhere
            return grad * where(x == x.mean(), math.nan, math.inf)
        return mul_scalar(grad, 2.0 / dof) * (x - x.mean())
    grad = _unreduce(grad, x._data.shape, dims, keepdim)
    factor = 2.0 / dof if dof != 0 else math.inf
    return mul_scalar(grad, factor) * (x - x.mean(dims, keepdim=True))


class VarBackward0(Node):
    """z = sum over dims (x - mean)**2 / (n - correction);
    dL/dx = grad * 2 (x - mean) / (n - correction)"""

    #: Set by record().
    dims: Tuple[int, ...]
    correction: Any
    keepdim: bool

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        return (_var_grad(grad, x, self.dims, self.correction, self.keepdim),)


class StdBackward0(Node):
    """z = sqrt(var(x));   dL/dx = grad / (2 z) * dvar/dx = grad (x - mean) / ((n - correction) z)
    (0 where z == 0)"""

    #: Set by record().
    dims: Tuple[int, ...]
    correction: Any
    keepdim: bool

    def backward(self, grad: Tensor) -> Grads:
        x, z = self.saved_tensors
        grad_var = (grad / mul_scalar(z, 2)).masked_fill(z == 0, 0)
        return (_var_grad(grad_var, x, self.dims, self.correction, self.keepdim),)


def _var_forward(input: Tensor, dim: Any, unbiased: Optional[bool], keepdim: bool,
                 correction: Optional[float], op: str) -> Tuple[np.ndarray, Any, float]:
    """The variance values (float64), the dims and the correction, checked like torch."""
    check_operand(input, op, 1, tensor_only=True)
    if isinstance(dim, bool):  # var(x, False): the old ``unbiased`` positional form
        dim, unbiased = None, dim
    if unbiased is not None and correction is not None:
        raise TypeError(f"{op}(): pass either unbiased or correction, not both")
    if correction is None:
        correction = 0 if unbiased is False else 1
    data = input._data
    if data.dtype.kind != "f":
        raise RuntimeError("std and var only support floating point and complex dtypes")
    dims = reduction_dims(dim, data.ndim)
    count = _count(data.shape, dims)
    outputs = math.prod(_kept_shape(data.shape, dims))
    # PyTorch's reduction factor is numel(input) / numel(output): 0 when either is 0.
    if (data.size // outputs if outputs else 0) - correction <= 0:
        _warn_at_caller(
            f"{op}(): degrees of freedom is <= 0. Correction should be strictly less than the "
            "reduction factor (input numel divided by output numel). (Triggered internally at "
            "/__w/pytorch/pytorch/aten/src/ATen/native/ReduceOps.cpp:1861.)")
    # PyTorch sums the squares in double precision whatever the dtype: std([1e-37,
    # 0]) in float32 is 5e-37, though its variance underflows to 0.  For a
    # single result it centres them on the mean in the input's dtype (so the
    # float32 std of three equal numbers can be 1 ulp, not 0); otherwise it
    # runs Welford's algorithm in double, whose mean of equal numbers is exact:
    # so is ours, taken relative to the first element.
    # float64: PyTorch's order, which float64 results show (float32 results round it
    # away: the vectorized float64 code below gives PyTorch's float32 bits, faster).
    if data.dtype == np.float64 and data.ndim and data.size:
        if outputs == 1:   # PyTorch's two passes (std_var_all_cpu)
            shape = (_kept_shape(data.shape, dims) if keepdim
                     else () if dims is None else _reduced_shape(data.shape, dims))
            variance = np.asarray(moments.var_all(data, correction, False)).reshape(shape)
        else:              # Welford's algorithm per output (std_var_kernel_impl)
            variance = moments.var_dims(data, dims, keepdim, correction, False)
        return variance, dims, correction
    values = data.astype(np.float64)
    with np.errstate(all="ignore"):  # inf - inf is nan, silently as in PyTorch
        if math.prod(_kept_shape(data.shape, dims)) <= 1 and data.dtype != np.float16:
            center = _mean(data, dims, keepdim=True)
        else:
            first = values[tuple(slice(0, 1) if dims is None or i in dims else slice(None)
                                 for i in range(data.ndim))]
            center = first + _mean(values - first, dims, keepdim=True)
        deviation = values - center
        squares = np.sum(deviation * deviation, axis=_axes(dims, data.ndim),
                         keepdims=keepdim and dims is not None)
        variance = np.asarray(squares / builtins.max(0, count - correction))
    if keepdim and dims is None:  # every dim kept, with size 1, as PyTorch does
        variance = variance.reshape(_kept_shape(data.shape, dims))
    return variance, dims, correction


def var(input: Tensor, dim: Dims = None, unbiased: Optional[bool] = None,
        keepdim: bool = False, *, correction: Optional[float] = None) -> Tensor:
    """The variance over all elements or over ``dim``, divided by
    ``n - correction`` (default 1: unbiased; ``unbiased=False`` means 0)."""
    variance, dims, correction = _var_forward(input, dim, unbiased, keepdim, correction, "var")
    return record(VarBackward0, variance.astype(input._data.dtype, copy=False), (input,),
                  saved=(input,), dims=dims, correction=correction, keepdim=keepdim)


def std(input: Tensor, dim: Dims = None, unbiased: Optional[bool] = None,
        keepdim: bool = False, *, correction: Optional[float] = None) -> Tensor:
    """The standard deviation: ``sqrt(var(...))`` with the same arguments."""
    variance, dims, correction = _var_forward(input, dim, unbiased, keepdim, correction, "std")
    result = np.asarray(np.sqrt(variance)).astype(input._data.dtype, copy=False)
    return record(StdBackward0, result, (input,), saved=(input,), save_result=True, dims=dims,
                  correction=correction, keepdim=keepdim)


# -- logsumexp ----------------------------------------------------------------
class LogsumexpBackward0(Node):
    """z = log(sum over dims of exp(x));   dL/dx = grad * exp(x - z)   (the softmax of x)"""

    #: Set by record().
    dims: Tuple[int, ...]
    keepdim: bool

    def backward(self, grad: Tensor) -> Grads:
        x, z = self.saved_tensors
        shape = x._data.shape
        return (_unreduce(grad, shape, self.dims, self.keepdim)
                * (x - _unreduce(z, shape, self.dims, self.keepdim)).exp(),)


def _check_dim_given(dim: Any, op: str) -> None:
    """``dim`` is required (None stands for "not given"), with PyTorch's message."""
    if dim is None:
        raise TypeError(f'{op}() missing 1 required positional arguments: "dim"')


def logsumexp(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:
    """``log(sum(exp(input)))`` over ``dim`` (required), computed without
    overflow: the largest value m is taken out first, ``m + log(sum(exp(input - m)))``."""
    check_operand(input, "logsumexp", 1, tensor_only=True)
    _check_dim_given(dim, "logsumexp")
    data = input._data
    out_dtype = data.dtype if data.dtype.kind == "f" else default_float()
    values = _accumulated(data.astype(out_dtype, copy=False))
    dims = reduction_dims(dim, data.ndim)
    axes = _axes(dims, data.ndim)
    if values.dtype == out_dtype and out_dtype in (np.float32, np.float64) and values.ndim \
            and values.size:
        result = exact_softmax.logsumexp(values, dims, keepdim)
        return record(LogsumexpBackward0, np.asarray(result), (input,), saved=(input,),
                      save_result=True, dims=dims, keepdim=keepdim)
    with np.errstate(all="ignore"):
        largest = np.max(values, axis=axes, keepdims=True, initial=-np.inf)
        largest = np.where(np.isinf(largest), 0, largest)  # all -inf, or an inf: keep as is
        total = np.log(np.sum(np.exp(values - largest), axis=axes, keepdims=True)) + largest
    result = total if keepdim else total.reshape(_reduced_shape(data.shape, dims))
    return record(LogsumexpBackward0, result.astype(out_dtype, copy=False), (input,),
                  saved=(input,), save_result=True, dims=dims, keepdim=keepdim)


# -- softmax, log_softmax -----------------------------------------------------
class SoftmaxBackward0(Node):
    """z = exp(x) / sum over dim of exp(x);   dL/dx = z * (grad - sum over dim of grad * z)
    (the op softmax_backward_data)"""

    #: Set by record().
    dim: int

    def backward(self, grad: Tensor) -> Grads:
        (z,) = self.saved_tensors
        return (softmax_backward_data(grad, z, self.dim),)


class LogSoftmaxBackward0(Node):
    """z = x - log(sum over dim of exp(x));   dL/dx = grad - exp(z) * sum over dim of grad
    (the op log_softmax_backward_data)"""

    #: Set by record().
    dim: int

    def backward(self, grad: Tensor) -> Grads:
        (z,) = self.saved_tensors
        return (log_softmax_backward_data(grad, z, self.dim),)


# Like tanh's, the derivatives of softmax and log_softmax are ops of their own
# in PyTorch (``_softmax_backward_data``), with nodes of their own.
class SoftmaxBackwardDataBackward0(Node):
    """z = y * (g - sum_d(g * y))  (softmax's backward: g a gradient, y the softmax);
    dL/dg = y * (grad - sum_d(grad * y));
    dL/dy = g * grad - sum_d(y * g) * grad - g * sum_d(y * grad)"""

    #: Set by record().
    dim: int

    def backward(self, grad: Tensor) -> Grads:
        g, y = self.saved_tensors
        grad_g = softmax_backward_data(grad, y, self.dim) if self.needs_input_grad(0) else None
        grad_y = None
        if self.needs_input_grad(1):
            grad_y = (g * grad - (y * g).sum(self.dim, keepdim=True) * grad
                      - g * (y * grad).sum(self.dim, keepdim=True))
        return grad_g, grad_y


def _sum_along(values: np.ndarray, dim: int) -> np.ndarray:
    """The sum over ``dim`` (kept as size 1) in the (log_)softmax gradients,
    with PyTorch's zeros: along the last dim its kernel sums from the first
    element, so -0s sum to -0; NumPy starts from +0, as PyTorch does along the
    other dims.  -0 is the exact starting value that gives the same."""
    axes = _axes((dim,), values.ndim)
    sums = np.sum(values, axis=axes, keepdims=True)
    if dim >= values.ndim - 1 and not sums.all():
        sums = np.where(sums == 0, np.add.reduce(values, axis=axes, keepdims=True,
                                                 initial=-0.0), sums)
    return sums


def softmax_backward_data(grad_output: Tensor, output: Tensor, dim: int) -> Tensor:
    """The gradient of ``softmax`` along ``dim`` given its output ``y``:
    ``y * (grad_output - sum(grad_output * y))``."""
    g, y = grad_output._data, output._data
    if _exact_float32(g) and y.dtype == g.dtype:
        data = exact_softmax.softmax_backward(g, y, _wrap_dim(dim, g.ndim))
    else:
        with np.errstate(all="ignore"):
            data = y * (g - _sum_along(g * y, dim))
    return record(SoftmaxBackwardDataBackward0, np.asarray(data), (grad_output, output),
                  saved=(grad_output, output), dim=dim)


class LogSoftmaxBackwardDataBackward0(Node):
    """z = g - exp(y) * sum_d(g)  (log_softmax's backward: g a gradient, y the output);
    dL/dg = grad - sum_d(grad * exp(y));   dL/dy = -sum_d(g) * exp(y) * grad"""

    #: Set by record().
    dim: int

    def backward(self, grad: Tensor) -> Grads:
        g, y = self.saved_tensors
        grad_g = grad_y = None
        if self.needs_input_grad(0):
            grad_g = grad - (grad * y.exp()).sum(self.dim, keepdim=True)
        if self.needs_input_grad(1):
            grad_y = -g.sum(self.dim, keepdim=True) * y.exp() * grad
        return grad_g, grad_y


def log_softmax_backward_data(grad_output: Tensor, output: Tensor, dim: int) -> Tensor:
    """The gradient of ``log_softmax`` along ``dim`` given its output ``y``:
    ``grad_output - exp(y) * sum(grad_output)``."""
    g, y = grad_output._data, output._data
    if _exact_float32(g) and y.dtype == g.dtype:
        data = exact_softmax.log_softmax_backward(g, y, _wrap_dim(dim, g.ndim))
    else:
        with np.errstate(all="ignore"):
            data = g - np.exp(y) * _sum_along(g, dim)
    return record(LogSoftmaxBackwardDataBackward0, np.asarray(data), (grad_output, output),
                  saved=(grad_output, output), dim=dim)


def _exact_float32(data: np.ndarray) -> bool:
    """Whether PyTorch's kernels, reproduced bit for bit in ``_kernels/softmax.py``
    (float32, any dim), compute this (log_)softmax or its gradient."""
    return data.dtype == np.float32 and data.ndim >= 1


def _shifted(input: Tensor, dim: Optional[int], dtype: Optional[_dtype.dtype], op: str
             ) -> Tuple[Tensor, int, Optional[Tuple[int, ...]], Optional[np.ndarray]]:
    """For (log_)softmax: the input (converted to ``dtype`` if given), the dim,
    its NumPy axes, and ``x - max(x)`` along it, in the accumulation dtype (None
    where ``_exact_float32``: that kernel shifts by itself)."""
    check_operand(input, op, 1, tensor_only=True)
    _check_dim_given(dim, op)
    if dtype is not None:
        input = input.to(dtype)
    data = input._data
    axis = _wrap_dim(dim, data.ndim)
    if data.dtype.kind != "f":
        kernel = "lastdim_kernel_impl" if axis == builtins.max(data.ndim - 1, 0) else "kernel_impl"
        raise NotImplementedError(f'"{op}_{kernel}" not implemented for '
                                  f"'{LEGACY_TYPE_NAMES[data.dtype.name]}'")
    axes = _axes((axis,), data.ndim)
    if _exact_float32(data):
        return input, axis, axes, None
    values = _accumulated(data)
    shifted = quietly(np.subtract, values,
                      np.max(values, axis=axes, keepdims=True, initial=-np.inf))
    return input, axis, axes, shifted


def softmax(input: Tensor, dim: Optional[int] = None,
            dtype: Optional[_dtype.dtype] = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim`` (the max is subtracted first, so
    large inputs do not overflow)."""
    input, axis, axes, shifted = _shifted(input, dim, dtype, "softmax")
    if shifted is None:
        result = exact_softmax.softmax(input._data, axis)
    else:
        with np.errstate(all="ignore"):
            e = np.exp(shifted)
            result = e / np.sum(e, axis=axes, keepdims=True)
    return record(SoftmaxBackward0, result.astype(input._data.dtype, copy=False), (input,),
                  save_result=True, dim=axis)


def log_softmax(input: Tensor, dim: Optional[int] = None,
                dtype: Optional[_dtype.dtype] = None) -> Tensor:
    """``x - log(sum(exp(x)))`` along ``dim``: the log of ``softmax``, computed
    directly so that it stays finite where softmax underflows to 0."""
    input, axis, axes, shifted = _shifted(input, dim, dtype, "log_softmax")
    if shifted is None:
        result = exact_softmax.log_softmax(input._data, axis)
    else:
        with np.errstate(all="ignore"):
            result = shifted - np.log(np.sum(np.exp(shifted), axis=axes, keepdims=True))
    return record(LogSoftmaxBackward0, result.astype(input._data.dtype, copy=False), (input,),
                  save_result=True, dim=axis)


# -- more of the tensor surface learners use (issue 16) -----------------------------------
# Running sums and products along a dim (cumsum, cumprod; flip, which their
# gradients use), all/any, the vector norm, histograms.
class FlipBackward0(Node):
    """z = x reversed along dims;   dL/dx = grad reversed along the same dims"""

    #: Set by record().
    dims: Tuple[int, ...]

    saved_fields = {"dims": "dims"}

    def backward(self, grad: Tensor) -> Grads:
        return (flip(grad, self.dims),)


def flip(input: Tensor, dims: Any) -> Tensor:
    """``input`` with the order of its elements reversed along each of ``dims``."""
    check_operand(input, "flip", 1, tensor_only=True)
    wrapped = reduction_dims(dims, input._data.ndim) if dims != () else ()
    data = input._data
    if builtins.any(data.strides[d] == data.itemsize and data.shape[d] > 1 for d in wrapped):
        _dtype.refuse_barebones("flip_cpu", data)  # (its kernel for a dim of stride 1)
    axes = _axes(wrapped, input._data.ndim) or ()
    return record(FlipBackward0, np.flip(input._data, axes).copy(), (input,), dims=wrapped)


def _scan_input(input: Tensor, dim: Any, dtype: Optional[_dtype.dtype], op: str
                ) -> Tuple[np.ndarray, int, Optional[int]]:
    """For cumsum/cumprod: the values (converted to ``dtype``; integers and bools
    to int64), the wrapped dim and NumPy's axis (None for a 0-d tensor)."""
    check_operand(input, op, 1, tensor_only=True)
    _check_dim_given(dim, op)
    data = input._data
    if dtype is not None:
        data = data.astype(dtype.numpy_dtype)
    elif data.dtype.kind in "biu":
        data = data.astype(np.int64)
    d = _wrap_dim(dim, data.ndim)
    return data, d, (d if data.ndim else None)


def _scan_accumulator(dtype: np.dtype) -> np.dtype:
    """PyTorch's running sums and products carry a double for float32 and
    float64 (``acc_type`` on the CPU), a float for float16, int64 for integers."""
    if dtype.kind != "f":
        return dtype
    return np.dtype(np.float32) if dtype == np.float16 else np.dtype(np.float64)


class CumsumBackward0(Node):
    """z_i = sum_{j <= i} x_j  (along dim);   dL/dx_j = sum_{i >= j} grad_i
    (the running sum of grad taken from the end: flip, cumsum, flip)"""

    #: Set by record().
    dim: int

    saved_fields = {"dim": "dim"}

    def backward(self, grad: Tensor) -> Grads:
        if grad._data.size <= 1 or (grad._data.ndim and grad._data.shape[self.dim] == 1):
            return (grad,)
        return (flip(cumsum(flip(grad, self.dim), self.dim), self.dim),)


def cumsum(input: Tensor, dim: Any = None, *, dtype: Optional[_dtype.dtype] = None) -> Tensor:
    """The running sum along ``dim``: ``z_i = x_0 + ... + x_i``.  Integers and
    bools sum to int64, as in PyTorch; ``dtype`` converts the input first."""
    data, d, axis = _scan_input(input, dim, dtype, "cumsum")
    result = quietly(np.cumsum, data, axis=axis, dtype=_scan_accumulator(data.dtype))
    result = result.astype(data.dtype, copy=False)
    return record(CumsumBackward0, result.reshape(data.shape), (input,), dim=d)


class CumprodBackward0(Node):
    """z_i = prod_{j <= i} x_j  (along dim);   dL/dx_j = sum_{i >= j} grad_i * z_i / x_j
    (without zeros: the running sum of grad * z from the end, over x);
    where x has zeros, dL/dx_j = sum_{i >= j} grad_i * prod_{k <= i, k != j} x_k"""

    #: Set by record().
    dim: int

    saved_fields = {"self": 0, "result": 1, "dim": "dim"}

    def backward(self, grad: Tensor) -> Grads:
        x, z = self.saved_tensors
        d = self.dim
        if x._data.size <= 1 or (x._data.ndim and x._data.shape[d] == 1):
            return (grad,)
        zero = x == 0
        if not zero._data.any():
            return (flip(cumsum(flip(z * grad, d), d), d) / x,)
        # With zeros, z / x is 0 / 0 from the first zero on.  Before it, the
        # same formula (as PyTorch); from it on, each x_j taken out of the
        # product instead (0 after the first zero: the product keeps that zero).
        n = x._data.shape[d]
        place = Tensor._make(np.arange(n).reshape([-1 if i == d else 1 for i in range(x.dim())]))
        from_zero = Tensor._make(np.cumsum(zero._data, axis=d) > 0)
        safe_x = where(zero, 1.0, x)
        result = flip(cumsum(flip(z * grad, d), d), d) / safe_x
        for j in range(n):
            without_j = cumprod(where(place == j, 1.0, x), d)
            later = (grad * without_j).masked_fill(place < j, 0).sum(d, keepdim=True)
            result = where(logical_and(place == j, from_zero), later, result)
        return (result,)


def cumprod(input: Tensor, dim: Any = None, *, dtype: Optional[_dtype.dtype] = None) -> Tensor:
    """The running product along ``dim``: ``z_i = x_0 * ... * x_i``."""
    data, d, axis = _scan_input(input, dim, dtype, "cumprod")
    result = quietly(np.cumprod, data, axis=axis, dtype=_scan_accumulator(data.dtype))
    result = result.astype(data.dtype, copy=False)
    return record(CumprodBackward0, result.reshape(data.shape), (input,), saved=(input,),
                  save_result=True, dim=d)


def _all_or_any(function: Any, input: Tensor, dim: Any, keepdim: bool, op: str) -> Tensor:
    """True where every (``all``) or some (``any``) element over ``dim`` is
    nonzero; uint8 tensors give uint8, others bool.  No graph: a bool has no gradient."""
    check_operand(input, op, 1, tensor_only=True)
    data = input._data
    # (An empty tuple of dims reduces nothing here, where sum reduces everything.)
    dims = () if isinstance(dim, (tuple, list)) and not dim else reduction_dims(dim, data.ndim)
    result = function(data != 0, axis=_axes(dims, data.ndim), keepdims=keepdim and
                      dims is not None)
    result = np.asarray(result)
    return Tensor._make(result.astype(np.uint8) if data.dtype == np.uint8 else result)


def all(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Are all elements (over ``dim``) nonzero?"""
    return _all_or_any(np.all, input, dim, keepdim, "all")


def any(input: Tensor, dim: Dims = None, keepdim: bool = False) -> Tensor:  # noqa: A001
    """Is any element (over ``dim``) nonzero?"""
    return _all_or_any(np.any, input, dim, keepdim, "any")


class LinalgVectorNormBackward0(Node):
    """z = (sum |x|**p)**(1/p) over dims;   dL/dx = grad * sgn(x) * |x|**(p-1) / z**(p-1)
    (p = 2: grad * x / z;  p = 1: grad * sgn(x);  p = +-inf: grad * sgn(x) shared among
    the elements where |x| == z;  p = 0: none (x.grad stays None);  0 where z == 0)"""

    #: Set by record().
    ord: Any
    dims: Optional[Tuple[int, ...]]
    keepdim: bool

    saved_fields = {"self": 0, "result": 1, "ord": "ord", "dim": "dims", "keepdim": "keepdim"}

    def backward(self, grad: Tensor) -> Grads:
        x, z = self.saved_tensors
        p, shape = builtins.float(self.ord), x._data.shape
        grad = _unreduce(grad, shape, self.dims, self.keepdim)
        z = _unreduce(z, shape, self.dims, self.keepdim)
        if p == 0:
            return (None,)  # a step function: PyTorch gives no gradient at all
        if p == 1:
            return (x.sgn() * grad,)
        if p == 2:
            return (grad * (x / z).masked_fill(z == 0, 0),)
        if math.isinf(p):
            magnitude = x.abs()
            extreme = (magnitude == z).logical_or(magnitude != magnitude)
            count = sum(extreme, self.dims if self.dims is not None else (), keepdim=True)
            return (x.sgn() * ((grad / count) * extreme),)
        if p < 1:
            scaled = x.sgn() * x.abs().pow(p - 1).masked_fill(x == 0, 0)
            return (scaled * grad * z.pow(1 - p),)
        scaled = x.sgn() * x.abs().pow(p - 1) if p < 2 else x * x.abs().pow(p - 2)
        return (scaled * (grad / z.pow(p - 1)).masked_fill(z == 0, 0),)


def norm(input: Tensor, p: Any = "fro", dim: Dims = None, keepdim: bool = False,
         dtype: Optional[_dtype.dtype] = None) -> Tensor:
    """The vector norm of ``input`` (all its elements, or over ``dim``):
    ``(sum |x|**p)**(1/p)``; ``p`` is a number, ``inf``/``-inf`` (the largest
    or smallest ``|x|``), 0 (how many are nonzero) or ``'fro'`` (2).  As in
    PyTorch, ``torch.norm`` is ``torch.linalg.vector_norm`` (its node, too)."""
    check_operand(input, "norm", 1, tensor_only=True)
    if isinstance(p, str):
        if p not in ("fro", "nuc"):
            raise RuntimeError(f"linalg.matrix_norm: Order {p} not supported.")
        if p == "nuc":
            raise TypeError("microgrid's torch.norm has no p='nuc' (the nuclear norm)")
        if dim is not None and not isinstance(dim, int) and len(dim) > 2:
            raise RuntimeError("linalg.matrix_norm: dim must be a 2-tuple. Got "
                               + " ".join(str(d) for d in dim))
        p = 2
    p = 2.0 if p is None else p
    if dtype is not None:
        input = input.to(dtype)
    data = input._data
    if data.dtype.kind != "f":
        raise RuntimeError("linalg.vector_norm: Expected a floating point or complex tensor as "
                           f"input. Got {LEGACY_TYPE_NAMES[data.dtype.name]}")
    dims = reduction_dims(dim, data.ndim)
    values = data.astype(np.float32) if data.dtype == np.float16 else data
    flat = norm_kernels.vector_norm(values, builtins.float(p), _axes(dims, data.ndim))
    shape = _kept_shape(data.shape, dims) if keepdim else _reduced_shape(data.shape, dims)
    result = flat.astype(data.dtype).reshape(shape)
    return record(LinalgVectorNormBackward0, result, (input,), saved=(input,), save_result=True,
                  ord=p, dims=dims, keepdim=keepdim)


def _histogram_floating(input: Tensor, op: str) -> np.ndarray:
    check_operand(input, op, 1, tensor_only=True)
    data = input._data
    if data.dtype.kind != "f":
        raise NotImplementedError(f'"histogram_cpu" not implemented for '
                                  f"'{LEGACY_TYPE_NAMES[data.dtype.name]}'")
    return data


def _histogram_range(data: np.ndarray, low: Any, high: Any, bins: int, op: str
                     ) -> Tuple[builtins.float, builtins.float]:
    """The range the bins cover: ``[low, high]``, or the data's when both
    are unset or equal (widened by 1/2 each way when the data has one value)."""
    if bins <= 0:
        raise RuntimeError(f"torch.histogram(): bins must be > 0, but got {bins} for dimension 0")
    low, high = builtins.float(low), builtins.float(high)
    if low == high and data.size:
        low, high = builtins.float(data.min()), builtins.float(data.max())
    if low > high:
        raise RuntimeError(f"{op}: max must be larger than min")
    if low == high:
        low, high = low - 0.5, high + 0.5
    return low, high


def histc(input: Tensor, bins: int = 100, min: Any = 0, max: Any = 0) -> Tensor:  # noqa: A002
    """How many elements fall in each of ``bins`` equal bins from ``min`` to
    ``max`` (the data's range when both are 0); values outside are not
    counted.  No graph: counts have no gradient."""
    data = _histogram_floating(input, "histc")
    low, high = _histogram_range(data, min, max, bins, "torch.histc")
    kind = data.dtype.type
    values = data.ravel()
    values = values[(values >= low) & (values <= high)]
    with np.errstate(all="ignore"):  # PyTorch's formula, in the input's dtype
        place = ((values - kind(low)) / (kind(high) - kind(low)) * kind(bins)).astype(np.int64)
    place = np.minimum(place, bins - 1)
    return Tensor._make(np.bincount(place, minlength=bins).astype(data.dtype))


_HistogramResult = return_type("histogram", ("hist", "bin_edges"))


def histogram(input: Tensor, bins: Any = 100, *, range: Any = None,  # noqa: A002
              weight: Optional[Tensor] = None, density: bool = False) -> Any:
    """``(hist, bin_edges)``: the counts (or summed ``weight``) of the elements
    in each bin; ``bins`` is a number of equal bins over ``range`` (the
    data's by default) or a tensor of bin edges.  The last bin includes its
    right edge; values outside all bins are not counted.  ``density``
    divides by the total and the bin widths."""
    from .._kernels.mathfns import linspace

    data = _histogram_floating(input, "histogram")
    if isinstance(bins, Tensor):
        edges = bins._data.astype(data.dtype)
    else:
        low, high = _histogram_range(data, *(range or (0, 0)), bins, "torch.histogram")
        edges = linspace(low, high, bins + 1, data.dtype)
    values = data.ravel()
    weights = None if weight is None else weight._data.ravel()
    inside = (values >= edges[0]) & (values <= edges[-1])
    place = np.minimum(np.searchsorted(edges, values[inside], side="right") - 1, len(edges) - 2)
    hist = np.bincount(place, weights=None if weights is None else weights[inside],
                       minlength=len(edges) - 1).astype(data.dtype)
    if density:
        hist = quietly(np.divide, hist, hist.sum() * np.diff(edges)).astype(data.dtype)
    return _HistogramResult(Tensor._make(hist), Tensor._make(edges))


#: The ops here that take ``dim`` (``norm`` is not one: in PyTorch it is Python code).
NUMPY_NAMED = ("sum", "mean", "max", "min", "argmax", "argmin", "var", "std", "logsumexp",
               "softmax", "log_softmax", "cumsum", "cumprod", "all", "any")
for _name in NUMPY_NAMED:
    globals()[_name] = numpy_names(globals()[_name])
