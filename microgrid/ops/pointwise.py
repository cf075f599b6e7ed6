"""Elementwise ops: arithmetic, powers, math functions, clamping, comparisons.

PyTorch counterpart: ``torch.add``, ``torch.exp``, ``torch.where`` ... and their
nodes ``AddBackward0``, ``ExpBackward0``, ``WhereBackward0`` ...
(``tools/autograd/derivatives.yaml``).

Binary ops broadcast like NumPy and PyTorch.  Each backward returns the
gradient at the *broadcast* shape; the engine sums it back to each input's
shape (``autograd/engine.py: sum_to_shape``).  A Python number operand is
never wrapped in a tensor: it has no gradient, and its edge in
``next_functions`` is ``(None, 0)``, as in PyTorch.

Result dtypes follow PyTorch, not NumPy (``_promotion.py``): every forward
converts its operands to the result dtype *before* NumPy sees them, and math
functions turn integer and bool tensors into float32 (``exp`` of an int64
tensor is float32).  NumPy's warnings (``log(0)``, ``0/0``, overflow) are
silenced: PyTorch gives the same inf and nan without a word.

Comparisons (``x > y``) give bool tensors and record nothing: a step function
has no useful gradient.

Read next: ``reduction.py``.
"""

from __future__ import annotations

import builtins
from typing import Any, Callable, Optional, Sequence, Tuple

import numpy as np

from .._dtype import CPP_TYPE_NAMES, LEGACY_TYPE_NAMES, dtype, refuse_barebones
from .._kernels import (
    broadcast_view,  # noqa: F401 - benchmarks/python_floor.py imports it here
    compute,
    mathfns,
    memory_order,
    plain,
    powf,
    quietly,
)
from .._kernels import math as kernels
from .._kernels.mathfns import correctly_rounded
from .._promotion import category, default_float, result_type
from .._tensor import Tensor
from ..autograd.grad_mode import _grad_mode, _seen
from ..autograd.graph import Node, record, zero_gradient

_new = object.__new__

Operand = Any  # a Tensor or a Python number
Grads = Tuple[Optional[Tensor], ...]

_NUMBERS = (bool, int, float, np.number, np.bool_)
#: What arithmetic with a tensor accepts (anything else: ``NotImplemented``).
OPERANDS = (Tensor, *_NUMBERS)


# -- helpers ------------------------------------------------------------------
def is_operand(value: Any) -> bool:
    """Can ``value`` take part in arithmetic with a tensor (a tensor or a number)?"""
    return isinstance(value, OPERANDS)


def check_operand(value: Operand, op: str, position: int, tensor_only: bool = False) -> None:
    """PyTorch's TypeError for an argument that is not a tensor (or a number,
    unless ``tensor_only``)."""
    if not (isinstance(value, Tensor) or (not tensor_only and isinstance(value, _NUMBERS))):
        name = "input" if position == 1 else "other"
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, "
                        f"not {type(value).__name__}")


def broadcast_shape(*shapes: Sequence[int]) -> Tuple[int, ...]:
    """The shape ``shapes`` broadcast to, or PyTorch's error if they do not."""
    result: Tuple[int, ...] = tuple(shapes[0]) if shapes else ()
    for shape in shapes[1:]:
        if shape == result:
            continue
        ndim = builtins.max(len(result), len(shape))
        a = (1,) * (ndim - len(result)) + tuple(result)
        b = (1,) * (ndim - len(shape)) + tuple(shape)
        for i in reversed(range(ndim)):  # PyTorch reports the last mismatch first
            m, n = a[i], b[i]
            if m != n and m != 1 and n != 1:
                raise RuntimeError(f"The size of tensor a ({m}) must match the size of tensor b "
                                   f"({n}) at non-singleton dimension {i}")
        result = tuple(n if m == 1 else m for m, n in zip(a, b, strict=True))
    return result


def cast_operands(input: Operand, other: Operand, op: str,
                  floating: bool = False) -> Tuple[Any, Any]:
    """The two operands as NumPy values of the result dtype (PyTorch's type
    promotion; ``floating`` forces a floating result, as division does)."""
    # The usual case first, with nothing to convert: a floating-point tensor
    # and a tensor of its dtype (whose shapes broadcast), or a Python float or
    # int, which NumPy 2 converts to the tensor's dtype inside the op, exactly
    # as PyTorch does (and as _as_numpy would).
    if isinstance(input, Tensor):
        x = input._data
        if x.dtype.kind == "f":
            if isinstance(other, Tensor):
                y = other._data
                if y.dtype == x.dtype:
                    if y.shape != x.shape:
                        broadcast_shape(x.shape, y.shape)
                    return x, y
            elif type(other) is float or type(other) is int:
                return x, other
    check_operand(input, op, 1)
    check_operand(other, op, 2)
    x, y = _cast(input, other, floating=floating)
    if op in _BAREBONES_KERNELS:  # uint16/uint32: PyTorch has no kernel for these
        refuse_barebones(_BAREBONES_KERNELS[op], x)
    return x, y


#: The kernels PyTorch names when it refuses uint16/uint32 in these ops.
_BAREBONES_KERNELS = {"add": "add_stub", "sub": "add_stub", "rsub": "add_stub"}


def _cast(*operands: Operand, floating: bool = False) -> Tuple[Any, ...]:
    """Operands (tensors or numbers; None is left alone) converted to their
    common result dtype, after checking that their shapes broadcast."""
    present = [v for v in operands if v is not None]
    broadcast_shape(*(v._data.shape for v in present if isinstance(v, Tensor)))
    # (asarray: a tensor's values counted as an array even if an op left a NumPy scalar)
    out = result_type(*(np.asarray(v._data) if isinstance(v, Tensor) else v for v in present))
    if floating and category(out) < 2:
        out = default_float()
    return tuple(None if v is None else _as_numpy(v, out) for v in operands)


def _as_numpy(value: Operand, out: np.dtype) -> Any:
    if isinstance(value, Tensor):
        return value._data if value._data.dtype == out else quietly(value._data.astype, out)
    # Through an int64/float64 array, as PyTorch converts a Python number: too
    # large an int wraps around in int32, too large a float becomes inf in float32.
    return quietly(np.asarray(value).astype, out)[()]


# docs/tour.md, stop 4: quoted there; keep the two in step.
def binary(node_class: type, function: Callable[..., Any], input: Operand, other: Operand,
           op: str, saved: bool = False, floating: bool = False, scalar: bool = False
           ) -> Tensor:
    """An elementwise op of two operands, start to finish: PyTorch's result
    dtype (:func:`cast_operands`), the NumPy ``function`` without warnings
    (:func:`compute`), and the result with its node (``record``).  ``saved``:
    the node keeps both operands; ``scalar``: ``other`` is a number and the
    node has one input only (the Scalar overloads below).

    With grad mode off (the arithmetic of every backward formula) the
    common case is one kernel call, :func:`_kernels.plain`."""
    recording = _grad_mode.enabled  # read once, passed on to record (performance.md §12)
    if not recording and type(input) is Tensor:  # speed (performance.md §5)
        data = None if input._efficient_zero else plain(
            function, input._data, other if type(other) is not Tensor
            else None if other._efficient_zero else other._data)
        if data is not None:
            result = _new(Tensor)  # Tensor._make(data), without the call
            result._data = data
            if _seen.inference and _grad_mode.inference:  # speed (performance.md §12)
                result._inference = True
            return result
    x, y = cast_operands(input, other, op, floating)
    data = compute(function, x, y)
    zero = None
    if ((type(input) is Tensor and input._efficient_zero)
            or (type(other) is Tensor and other._efficient_zero)):
        data, zero = known_zero_operand(function, data, input, other, x, y)
    if scalar:
        result = record(node_class, data, (input,), recording=recording, other=other)
    else:
        result = record(node_class, data, (input, other), saved=(input, other) if saved else (),
                        recording=recording)
    if zero:
        result._efficient_zero = True
    return result


def known_zero_operand(function: Callable[..., Any], data: np.ndarray, input: Operand,
                       other: Operand, x: Any, y: Any) -> Tuple[np.ndarray, bool]:
    """``data = function(x, y)`` when an operand is a gradient known to be zero
    (``autograd/graph.py: zero_gradient``), as PyTorch's kernels for its
    "efficient zero tensors" compute it (``mul_zerotensor``, ``div_zerotensor``,
    ``add_zerotensor``, ``BinaryOps.cpp``): a product with one is zero, and so
    is one divided by anything, even by 0 (``x / 0`` is inf, ``0 / 0`` nan
    only between two such zeros); a sum or difference is the other operand
    (negated for ``0 - y``: ``-0.`` for ``y = 0.``).  Returns the values and
    whether the result is known to be zero too.  (Every other op computes
    with plain zeros, as PyTorch's fallback does.)"""
    zero_x = type(input) is Tensor and input._efficient_zero
    zero_y = type(other) is Tensor and other._efficient_zero
    if function is np.multiply or (function is np.true_divide and zero_x and not zero_y):
        return np.zeros_like(data), True
    if function is np.true_divide:
        return np.full_like(data, np.nan if zero_x else np.inf), False
    if function is np.add or function is np.subtract:
        if zero_x and zero_y:
            return np.zeros_like(data), True
        kept = np.broadcast_to(np.asarray(y if zero_x else x, dtype=data.dtype), data.shape)
        if zero_x and function is np.subtract:  # 0 - y is -y (-0. for y = 0.)
            return compute(np.negative, kept), False
        return kept.copy(), False
    return data, False


def _floating(input: Tensor, op: str) -> np.ndarray:
    """The input's values for a math function: integers and bools become
    floating point (float32, PyTorch's default dtype)."""
    check_operand(input, op, 1, tensor_only=True)
    data = input._data
    return data if data.dtype.kind == "f" else data.astype(default_float())


def _type_name(data: np.ndarray) -> str:
    return LEGACY_TYPE_NAMES[data.dtype.name]


def zeros_constant(like: Tensor) -> Tensor:
    """A constant tensor of zeros (no graph), for gradients that are zero."""
    return Tensor._make(np.zeros(like._data.shape, dtype=like._data.dtype))


def operator(function: Callable[..., Tensor], tensor: Tensor, other: Any,
             swap: bool = False, arrays: bool = False) -> Any:
    """What ``tensor + other`` does (``swap``: call ``function(other, tensor)``,
    for ``2 ** x``).  For anything but a tensor or a number (a string, None, a
    NumPy array) it returns ``NotImplemented``, so that Python raises its own
    ``TypeError`` or tries ``other``'s method, as with PyTorch: NumPy then
    computes ``tensor + array`` itself, through ``Tensor.__array__``.  With
    ``arrays`` (``==`` in PyTorch, but not ``!=``) a NumPy array is taken as a tensor."""
    if arrays and isinstance(other, np.ndarray):
        other = Tensor._make(other)
    if not isinstance(other, OPERANDS):
        return NotImplemented
    return function(other, tensor) if swap else function(tensor, other)


# -- add, sub -----------------------------------------------------------------
def _scaled(value: Any, alpha: Any, out_dtype: np.dtype, sign: int = 1) -> Any:
    """``sign * alpha * value`` for add/sub, after PyTorch's checks on ``alpha``."""
    if type(alpha) is int and alpha == 1 and sign == 1:
        return value  # the usual case: nothing to check
    if isinstance(alpha, (bool, np.bool_)) and out_dtype != np.bool_:
        raise RuntimeError("Boolean alpha only supported for Boolean results.")
    if category(out_dtype) < 2 and not isinstance(alpha, (int, np.integer, np.bool_)):
        raise RuntimeError("For integral input tensors, argument alpha must not be a floating "
                           "point number.")
    if alpha == 1 and sign == 1:
        return value
    return compute(np.multiply, value, np.asarray(sign * alpha).astype(out_dtype))


def _plus_scaled(a: Any, b: Any, alpha: Any, out_dtype: np.dtype, sign: int = 1) -> np.ndarray:
    """``a + (sign * alpha) * b`` as PyTorch's add kernel computes it: for float32 and
    float64 one fused multiply-add, one rounding (``_kernels/mathfns.py: add_scaled``)."""
    if (out_dtype in _FUSED_ADD and not isinstance(alpha, (bool, np.bool_))
            and not (alpha == 1 and sign == 1)):
        return compute(mathfns.add_scaled, a, b, np.asarray(sign * alpha).astype(out_dtype))
    return compute(np.add, a, _scaled(b, alpha, out_dtype, sign))


_FUSED_ADD = (np.dtype(np.float32), np.dtype(np.float64))


def _difference(a: Any, b: Any, alpha: Any, out_dtype: np.dtype) -> np.ndarray:
    """``a - alpha * b`` as PyTorch computes it, ``a + (-alpha) * b``: the
    sign of a zero follows (``-0. - 0 * 2`` is ``0.``, with the int 0 negated)."""
    return _plus_scaled(a, b, alpha, out_dtype, sign=-1)


def _scale_grad(grad: Tensor, alpha: Any) -> Tensor:
    return grad if alpha == 1 else mul_scalar(grad, alpha)


class AddBackward0(Node):
    """z = x + alpha * y;   dL/dx = grad;   dL/dy = alpha * grad"""

    saved_fields = {"alpha": "alpha"}

    alpha: Any = 1

    def backward(self, grad: Tensor) -> Grads:
        return grad, _scale_grad(grad, self.alpha) if self.needs_input_grad(1) else None


def add(input: Operand, other: Operand, *, alpha: Any = 1) -> Tensor:
    """``input + alpha * other``, elementwise with broadcasting."""
    if type(alpha) is int and alpha == 1:  # the usual case: the node keeps alpha's default
        return binary(AddBackward0, np.add, input, other, "add")
    x, y = cast_operands(input, other, "add")
    return record(AddBackward0, _plus_scaled(x, y, alpha, x.dtype), (input, other),
                  alpha=alpha)


def _is_bool(value: Operand) -> bool:
    """A bool or a bool tensor (not a NumPy bool: PyTorch reads that as a float)."""
    return (isinstance(value, bool)
            or (isinstance(value, Tensor) and value._data.dtype == np.bool_))


def _check_subtraction(input: Operand, other: Operand) -> None:
    """PyTorch refuses ``-`` on bools: it points to xor / not instead."""
    if _is_bool(input) and _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")
    if _is_bool(input) or _is_bool(other):
        raise RuntimeError("Subtraction, the `-` operator, with a bool tensor is not supported. "
                           "If you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")


class SubBackward0(Node):
    """z = x - alpha * y;   dL/dx = grad;   dL/dy = -alpha * grad"""

    #: Set by record().
    alpha: Any

    saved_fields = {"alpha": "alpha"}

    def backward(self, grad: Tensor) -> Grads:
        return grad, _scale_grad(-grad, self.alpha)


def sub(input: Operand, other: Operand, *, alpha: Any = 1) -> Tensor:
    """``input - alpha * other``, elementwise with broadcasting."""
    x, y = cast_operands(input, other, "sub")
    _check_subtraction(input, other)
    return record(SubBackward0, _difference(x, y, alpha, x.dtype), (input, other), alpha=alpha)


class RsubBackward0(Node):
    """z = y - alpha * x  (both tensors);   dL/dx = -alpha * grad;   dL/dy = grad"""

    #: Set by record().
    alpha: Any

    def backward(self, grad: Tensor) -> Grads:
        return _scale_grad(-grad, self.alpha), grad


class RsubBackward1(Node):
    """z = c - alpha * x  (c a Python number);   dL/dx = -alpha * grad"""

    #: Set by record().
    alpha: Any

    saved_fields = {"alpha": "alpha"}

    def backward(self, grad: Tensor) -> Grads:
        return (_scale_grad(-grad, self.alpha),)


def rsub(input: Tensor, other: Operand, *, alpha: Any = 1) -> Tensor:
    """``other - alpha * input``: what ``2 - x`` calls (``x.__rsub__(2)``)."""
    x, c = cast_operands(input, other, "rsub")
    _check_subtraction(input, other)
    data = _difference(c, x, alpha, x.dtype)
    if isinstance(other, Tensor):
        return record(RsubBackward0, data, (input, other), alpha=alpha)
    return record(RsubBackward1, data, (input,), alpha=alpha)


# -- mul, div -----------------------------------------------------------------
# docs/tour.md, stop 3: quoted there; keep the two in step.
class MulBackward0(Node):
    """z = x * y;   dL/dx = grad * y;   dL/dy = grad * x"""

    saved_fields = {"self": 0, "other": 1}

    saved_for = (1, 0)  # x is read only by dL/dy, y only by dL/dx

    def backward(self, grad: Tensor) -> Grads:
        x, y = self.saved_tensors
        return (grad * y if self.needs_input_grad(0) else None,
                grad * x if self.needs_input_grad(1) else None)


# docs/tour.md, stop 3: quoted there; keep the two in step.
def mul(input: Operand, other: Operand) -> Tensor:
    """``input * other``, elementwise with broadcasting."""
    return binary(MulBackward0, np.multiply, input, other, "mul", saved=True)


def _quotient_grads(node: Node, grad: Tensor) -> Grads:
    x, y = node.saved_tensors
    return (grad / y if node.needs_input_grad(0) else None,
            -grad * ((x / y) / y) if node.needs_input_grad(1) else None)


class DivBackward0(Node):
    """z = x / y;   dL/dx = grad / y;   dL/dy = -grad * ((x / y) / y)"""

    saved_fields = {"self": 0, "other": 1}

    saved_for = (1, None)  # x is read only by dL/dy

    def backward(self, grad: Tensor) -> Grads:
        return _quotient_grads(self, grad)


class DivBackward2(Node):
    """z = round(x / y) with a rounding mode;   dL/dx = dL/dy = 0 (a step function;
    with ``rounding_mode=None`` given explicitly: the formulas of DivBackward0)"""

    #: Set by record().
    rounding_mode: Optional[str]

    def backward(self, grad: Tensor) -> Grads:
        if self.rounding_mode is None:
            return _quotient_grads(self, grad)
        zero = zeros_constant(grad)
        return zero, zero


_TRUE_DIVISION = "true division"  # rounding_mode when the caller did not pass one


def _rounded_division(x: np.ndarray, y: Any, mode: Optional[str]) -> np.ndarray:
    if mode not in (None, "trunc", "floor"):
        raise RuntimeError("div expected rounding_mode to be one of None, 'trunc', or 'floor' "
                           f"but found '{mode}'")
    if mode is None:
        return compute(np.true_divide, x, y)
    if x.dtype.kind != "f" and np.any(np.asarray(y) == 0):
        raise RuntimeError("ZeroDivisionError")
    if mode == "floor":
        return compute(np.floor_divide, x, y)
    if x.dtype.kind == "f":
        return compute(lambda a, b: np.trunc(a / b), x, y)
    return compute(lambda a, b: np.sign(a) * np.sign(b) * (np.abs(a) // np.abs(b)), x, y)


def div(input: Operand, other: Operand, *, rounding_mode: Optional[str] = _TRUE_DIVISION
        ) -> Tensor:
    """``input / other`` (true division: integers give a float result), or
    with ``rounding_mode`` ``'trunc'``/``'floor'`` the rounded quotient in the
    operands' own dtype."""
    if rounding_mode == _TRUE_DIVISION:
        return binary(DivBackward0, np.true_divide, input, other, "div", saved=True,
                      floating=True)
    x, y = cast_operands(input, other, "div", floating=rounding_mode is None)
    if rounding_mode in ("trunc", "floor"):
        refuse_barebones(f"div_{rounding_mode}_cpu", x)
    return record(DivBackward2, _rounded_division(x, y, rounding_mode), (input, other),
                  saved=(input, other), rounding_mode=rounding_mode)


class ReciprocalBackward0(Node):
    """z = 1 / x;   dL/dx = -grad * z**2"""

    def backward(self, grad: Tensor) -> Grads:
        (z,) = self.saved_tensors
        return (-grad * (z * z),)


def reciprocal(input: Tensor) -> Tensor:
    """``1 / input``, elementwise."""
    return record(ReciprocalBackward0, compute(np.reciprocal, _floating(input, "reciprocal")),
                  (input,), save_result=True)


def rdiv(input: Tensor, other: Operand) -> Tensor:
    """``other / input`` for a number ``other``: what ``2 / x`` calls.  Like
    PyTorch, it is ``reciprocal(x) * 2``, two nodes in the graph."""
    if isinstance(other, Tensor):
        return div(other, input)
    return mul(reciprocal(input), other)


# -- the Scalar overloads, which backward formulas use ------------------------
# ``x * 2`` in Python records MulBackward0 with an edge (None, 0) for the 2.
# PyTorch's C++ backward formulas multiply by a number through another
# overload, ``mul.Scalar``, whose node MulBackward1 has one edge only.  The
# backward formulas here use these functions wherever PyTorch's do, so that
# a graph built with ``create_graph=True`` is PyTorch's node for node.
class AddBackward1(Node):
    """z = x + c  (c a number, in a backward formula);   dL/dx = grad"""

    #: Set by record().
    other: Any

    def backward(self, grad: Tensor) -> Grads:
        return (grad,)


class SubBackward1(Node):
    """z = x - c  (c a number, in a backward formula);   dL/dx = grad"""

    #: Set by record().
    other: Any

    def backward(self, grad: Tensor) -> Grads:
        return (grad,)


class MulBackward1(Node):
    """z = x * c  (c a number, in a backward formula);   dL/dx = grad * c"""

    #: Set by record().
    other: Any

    def backward(self, grad: Tensor) -> Grads:
        return (mul_scalar(grad, self.other),)


class DivBackward1(Node):
    """z = x / c  (c a number, in a backward formula);   dL/dx = grad / c"""

    #: Set by record().
    other: Any

    def backward(self, grad: Tensor) -> Grads:
        return (div_scalar(grad, self.other),)


def add_scalar(input: Tensor, other: Any) -> Tensor:
    """``input + other`` for a number ``other``, recorded as AddBackward1."""
    return binary(AddBackward1, np.add, input, other, "", scalar=True)


def sub_scalar(input: Tensor, other: Any) -> Tensor:
    """``input - other`` for a number ``other``, recorded as SubBackward1."""
    return binary(SubBackward1, np.subtract, input, other, "", scalar=True)


def mul_scalar(input: Tensor, other: Any) -> Tensor:
    """``input * other`` for a number ``other``, recorded as MulBackward1."""
    return binary(MulBackward1, np.multiply, input, other, "", scalar=True)


def div_scalar(input: Tensor, other: Any) -> Tensor:
    """``input / other`` for a number ``other``, recorded as DivBackward1."""
    return binary(DivBackward1, np.true_divide, input, other, "", floating=True, scalar=True)


# -- pow ----------------------------------------------------------------------
class PowBackward0(Node):
    """z = x ** p  (p a number);   dL/dx = grad * p * x ** (p - 1)   (0 when p == 0)"""

    #: Set by record().
    exponent: Any

    saved_fields = {"self": 0, "exponent": "exponent"}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        if self.exponent == 0:
            return (zeros_constant(x),)
        return (grad * mul_scalar(x.pow(self.exponent - 1), self.exponent),)


class PowBackward1(Node):
    """z = x ** y;   dL/dx = grad * y * x ** (y - 1)   (0 where y == 0);
    dL/dy = grad * z * log(x)   (0 where x == 0 and y >= 0)"""

    def backward(self, grad: Tensor) -> Grads:
        x, y, z = self.saved_tensors
        grad_x = grad_y = None
        if self.needs_input_grad(0):
            grad_x = where(y == 0, 0.0, grad * (y * x.pow(sub_scalar(y, 1))))
        if self.needs_input_grad(1):
            grad_y = grad * where(logical_and(x == 0, y >= 0), 0.0, z * x.log())
        return grad_x, grad_y


class PowBackward2(Node):
    """z = b ** y  (b a number);   dL/dy = grad * z * log(b)   (0 where b == 0 and y >= 0)"""

    #: Set by record().
    base: Any

    def backward(self, grad: Tensor) -> Grads:
        y, z = self.saved_tensors
        log_base = builtins.float(quietly(np.log, np.float64(self.base)))
        if self.base == 0:
            return (grad * where(y >= 0, 0.0, mul_scalar(z, log_base)),)
        return (grad * mul_scalar(z, log_base),)


def pow(input: Operand, exponent: Operand) -> Tensor:  # noqa: A001 - torch's name
    """``input ** exponent``, elementwise; either side may be a number."""
    if not isinstance(input, Tensor):
        check_operand(exponent, "pow", 2, tensor_only=True)
        b, y = cast_operands(input, exponent, "pow")
        if input != 1:  # (1 ** x needs no kernel)
            refuse_barebones("pow", y)
        data = kernels.integer_power(b, y) if y.dtype.kind != "f" else compute(kernels.power, b, y)
        return record(PowBackward2, data, (exponent,), saved=(exponent,), save_result=True,
                      base=input)
    x, y = cast_operands(input, exponent, "pow")
    if x.dtype.kind != "f":
        if not isinstance(exponent, Tensor) and exponent < 0:
            raise RuntimeError("Integers to negative integer powers are not allowed.")
        if isinstance(exponent, Tensor) or exponent not in (0, 1):  # (x ** 0, x ** 1: no kernel)
            refuse_barebones("pow", x)
        data = kernels.integer_power(x, y)
    elif isinstance(exponent, Tensor):
        data = compute(kernels.power, x, y)
    else:  # PyTorch's special cases (x*x, sqrt, ...), else SLEEF's powf / C's pow
        data = compute(powf.pow_scalar, x, exponent)
    if isinstance(exponent, Tensor):
        return record(PowBackward1, data, (input, exponent), saved=(input, exponent),
                      save_result=True)
    return record(PowBackward0, data, (input,), saved=(input,), exponent=exponent)


# -- maximum, minimum ---------------------------------------------------------
def _split_ties(grad: Tensor, x: Tensor, y: Tensor, x_loses: Tensor, y_loses: Tensor) -> Grads:
    """The winner of each comparison takes the gradient; a tie shares it half and half."""
    share = where(x == y, div_scalar(grad, 2), grad)
    return share.masked_fill(x_loses, 0), share.masked_fill(y_loses, 0)


class MaximumBackward0(Node):
    """z = max(x, y);   dL/dx = grad where x > y, grad / 2 where x == y, else 0;
    dL/dy the same with x and y swapped"""

    saved_fields = {"self": 0, "other": 1}

    def backward(self, grad: Tensor) -> Grads:
        x, y = self.saved_tensors
        return _split_ties(grad, x, y, x < y, y < x)


class MinimumBackward0(Node):
    """z = min(x, y);   dL/dx = grad where x < y, grad / 2 where x == y, else 0;
    dL/dy the same with x and y swapped"""

    saved_fields = {"self": 0, "other": 1}

    def backward(self, grad: Tensor) -> Grads:
        x, y = self.saved_tensors
        return _split_ties(grad, x, y, x > y, y > x)


def _extremum(node_class: type, function: Callable[..., Any], op: str, input: Tensor,
              other: Tensor) -> Tensor:
    check_operand(input, op, 1, tensor_only=True)
    check_operand(other, op, 2, tensor_only=True)
    x, y = _cast(input, other)
    refuse_barebones(f"{op}_cpu", x)
    return record(node_class, compute(function, x, y), (input, other), saved=(input, other))


def maximum(input: Tensor, other: Tensor) -> Tensor:
    """The larger of the two, elementwise (nan if either is nan)."""
    return _extremum(MaximumBackward0, kernels.larger, "maximum", input, other)


def minimum(input: Tensor, other: Tensor) -> Tensor:
    """The smaller of the two, elementwise (nan if either is nan)."""
    return _extremum(MinimumBackward0, kernels.smaller, "minimum", input, other)


# -- math functions -----------------------------------------------------------
class NegBackward0(Node):
    """z = -x;   dL/dx = -grad"""

    def backward(self, grad: Tensor) -> Grads:
        return (-grad,)


def neg(input: Tensor) -> Tensor:
    """``-input``, elementwise."""
    check_operand(input, "neg", 1, tensor_only=True)
    refuse_barebones("neg_cpu", input._data)
    if input._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return record(NegBackward0, compute(np.negative, input._data), (input,))


class ExpBackward0(Node):
    """z = exp(x);   dL/dx = grad * z"""

    saved_fields = {"result": 0}

    def backward(self, grad: Tensor) -> Grads:
        (z,) = self.saved_tensors
        return (grad * z,)


def exp(input: Tensor) -> Tensor:
    """``e ** input``, elementwise."""
    return record(ExpBackward0, compute(mathfns.exp, _floating(input, "exp")), (input,),
                  save_result=True)


class LogBackward0(Node):
    """z = log(x);   dL/dx = grad / x"""

    saved_fields = {"self": 0}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        return (grad / x,)


def log(input: Tensor) -> Tensor:
    """The natural logarithm, elementwise (``-inf`` at 0, nan below)."""
    return record(LogBackward0, compute(mathfns.log, _floating(input, "log")), (input,),
                  saved=(input,))


class SqrtBackward0(Node):
    """z = sqrt(x);   dL/dx = grad / (2 * z)"""

    saved_fields = {"result": 0}

    def backward(self, grad: Tensor) -> Grads:
        (z,) = self.saved_tensors
        return (grad / mul_scalar(z, 2),)


def sqrt(input: Tensor) -> Tensor:
    """The square root, elementwise (nan below 0)."""
    return record(SqrtBackward0, compute(np.sqrt, _floating(input, "sqrt")), (input,),
                  save_result=True)


class SinBackward0(Node):
    """z = sin(x);   dL/dx = grad * cos(x)"""

    saved_fields = {"self": 0}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        return (grad * x.cos(),)


def sin(input: Tensor) -> Tensor:
    """The sine (of radians), elementwise."""
    return record(SinBackward0, compute(mathfns.sin, _floating(input, "sin")), (input,),
                  saved=(input,))


class CosBackward0(Node):
    """z = cos(x);   dL/dx = -grad * sin(x)"""

    saved_fields = {"self": 0}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        return (grad * -x.sin(),)


def cos(input: Tensor) -> Tensor:
    """The cosine (of radians), elementwise."""
    return record(CosBackward0, compute(mathfns.cos, _floating(input, "cos")), (input,),
                  saved=(input,))


class TanhBackward0(Node):
    """z = tanh(x);   dL/dx = grad * (1 - z**2)   (the op tanh_backward)"""

    saved_fields = {"result": 0}

    def backward(self, grad: Tensor) -> Grads:
        (z,) = self.saved_tensors
        return (tanh_backward(grad, z),)


def tanh(input: Tensor) -> Tensor:
    """The hyperbolic tangent, elementwise."""
    return record(TanhBackward0, compute(mathfns.tanh, _floating(input, "tanh")), (input,),
                  save_result=True)


class SigmoidBackward0(Node):
    """z = 1 / (1 + exp(-x));   dL/dx = grad * (1 - z) * z   (the op sigmoid_backward)"""

    saved_fields = {"result": 0}

    def backward(self, grad: Tensor) -> Grads:
        (z,) = self.saved_tensors
        return (sigmoid_backward(grad, z),)


def sigmoid(input: Tensor) -> Tensor:
    """The logistic function ``1 / (1 + exp(-input))``, elementwise."""
    return record(SigmoidBackward0, compute(mathfns.sigmoid, _floating(input, "sigmoid")), (input,),
                  save_result=True)


class ReluBackward0(Node):
    """z = max(x, 0);   dL/dx = 0 where z <= 0, else grad   (a nan passes grad through;
    the op threshold_backward)"""

    saved_fields = {"result": 0}

    def backward(self, grad: Tensor) -> Grads:
        (z,) = self.saved_tensors
        return (threshold_backward(grad, z, 0),)


def relu(input: Tensor) -> Tensor:
    """``max(input, 0)``, elementwise; keeps the dtype."""
    check_operand(input, "relu", 1, tensor_only=True)
    refuse_barebones("clamp_min_scalar_cpu", input._data)
    data = input._data
    if data.dtype == np.bool_:
        raise RuntimeError("Boolean inputs not supported for relu")
    return record(ReluBackward0, compute(kernels.larger, data, data.dtype.type(0)), (input,),
                  save_result=True)


class SignBackward0(Node):
    """z = sign(x);   dL/dx = 0   (a step function)"""

    def backward(self, grad: Tensor) -> Grads:
        return (zeros_constant(grad),)


def sign(input: Tensor) -> Tensor:
    """-1, 0 or 1 by the sign of each element (bools stay as they are)."""
    check_operand(input, "sign", 1, tensor_only=True)
    refuse_barebones("sign_cpu", input._data)
    return record(SignBackward0, compute(kernels.sign, input._data), (input,))


class SgnBackward0(Node):
    """z = sgn(x);   dL/dx = 0   (a step function, for real x; a gradient known
    to be zero, as PyTorch's: see autograd/graph.py, zero_gradient)"""

    def backward(self, grad: Tensor) -> Grads:
        return (zero_gradient(grad._data.shape, grad._data.dtype),)


def sgn(input: Tensor) -> Tensor:
    """``sign`` under the name that also covers complex numbers (its own node)."""
    check_operand(input, "sgn", 1, tensor_only=True)
    refuse_barebones("sign_cpu", input._data)
    return record(SgnBackward0, compute(kernels.sign, input._data), (input,))


class AbsBackward0(Node):
    """z = |x|;   dL/dx = grad * sgn(x)"""

    saved_fields = {"self": 0}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        return (grad * x.sgn(),)


def abs(input: Tensor) -> Tensor:  # noqa: A001 - torch's name
    """The absolute value, elementwise; keeps the dtype."""
    check_operand(input, "abs", 1, tensor_only=True)
    refuse_barebones("abs_cpu", input._data)
    if input._data.dtype == np.bool_:
        raise NotImplementedError("\"abs_cpu\" not implemented for 'Bool'")
    return record(AbsBackward0, compute(np.abs, input._data), (input,), saved=(input,))


# -- the backward ops of tanh, sigmoid, relu ---------------------------------
# PyTorch computes these three derivatives with ops of their own, so that the
# graph recorded by ``create_graph=True`` has one node for each (their nodes
# are named after the op: ``TanhBackwardBackward0``).
class TanhBackwardBackward0(Node):
    """z = g * (1 - y**2)  (g a gradient, y = tanh(x));   dL/dg = grad * (1 - y**2);
    dL/dy = grad * (-2 * y * g)"""

    def backward(self, grad: Tensor) -> Grads:
        g, y = self.saved_tensors
        return (tanh_backward(grad, y) if self.needs_input_grad(0) else None,
                grad * (mul_scalar(y, -2) * g) if self.needs_input_grad(1) else None)


def tanh_backward(grad_output: Tensor, output: Tensor) -> Tensor:
    """The gradient of tanh given its output: ``grad_output * (1 - output**2)``."""
    g, y = _cast(grad_output, output)
    return record(TanhBackwardBackward0, compute(mathfns.tanh_backward, g, y),
                  (grad_output, output), saved=(grad_output, output))


class SigmoidBackwardBackward0(Node):
    """z = g * (1 - y) * y  (g a gradient, y = sigmoid(x));   dL/dg = grad * (1 - y) * y;
    dL/dy = grad * g * (1 - 2 y)"""

    def backward(self, grad: Tensor) -> Grads:
        g, y = self.saved_tensors
        return (sigmoid_backward(grad, y) if self.needs_input_grad(0) else None,
                grad * g * add_scalar(mul_scalar(y, -2), 1) if self.needs_input_grad(1)
                else None)


def sigmoid_backward(grad_output: Tensor, output: Tensor) -> Tensor:
    """The gradient of sigmoid given its output: ``grad_output * (1 - output) * output``."""
    g, y = _cast(grad_output, output)
    return record(SigmoidBackwardBackward0, compute(mathfns.sigmoid_backward, g, y),
                  (grad_output, output), saved=(grad_output, output))


class ThresholdBackwardBackward0(Node):
    """z = g where y > t, else 0  (g a gradient; relu's backward with t = 0);
    dL/dg = grad where y > t, else 0;   dL/dy = 0"""

    #: Set by record().
    threshold: Any

    def backward(self, grad: Tensor) -> Grads:
        (y,) = self.saved_tensors
        return (threshold_backward(grad, y, self.threshold) if self.needs_input_grad(0)
                else None, zeros_constant(grad) if self.needs_input_grad(1) else None)


def threshold_backward(grad_output: Tensor, input: Tensor, threshold: Any) -> Tensor:
    """``grad_output`` where ``input > threshold``, else 0 (nan counts as above)."""
    g, y = _cast(grad_output, input)
    return record(ThresholdBackwardBackward0,
                  compute(lambda a, b: np.where(b <= threshold, a.dtype.type(0), a), g, y),
                  (grad_output, input), saved=(input,), threshold=threshold)


# -- masked_fill --------------------------------------------------------------
class MaskedFillBackward0(Node):
    """z = c where mask, else x  (c a number);   dL/dx = grad where not mask, else 0"""

    def backward(self, grad: Tensor) -> Grads:
        (mask,) = self.saved_tensors
        return (grad.masked_fill(mask, 0),)


class MaskedFillBackward1(Node):
    """z = v where mask, else x  (v a 0-d tensor);   dL/dx = grad where not mask, else 0;
    dL/dv = sum of grad where mask"""

    def backward(self, grad: Tensor) -> Grads:
        (mask,) = self.saved_tensors
        return (grad.masked_fill(mask, 0) if self.needs_input_grad(0) else None,
                where(mask, grad, 0).sum() if self.needs_input_grad(1) else None)


def masked_fill(input: Tensor, mask: Tensor, value: Any) -> Tensor:
    """``input`` with ``value`` (a number or a 0-d tensor) where ``mask`` is
    True; the result keeps ``input``'s dtype."""
    check_operand(input, "masked_fill", 1, tensor_only=True)
    check_operand(mask, "masked_fill", 2, tensor_only=True)
    if mask._data.dtype != np.bool_:
        raise RuntimeError("masked_fill_ only supports boolean masks, but got mask with dtype "
                           f"{CPP_TYPE_NAMES[mask._data.dtype.name]}")
    if isinstance(value, Tensor) and value._data.ndim:
        raise RuntimeError("masked_fill_ only supports a 0-dimensional value tensor, but got "
                           f"tensor with {value._data.ndim} dimension(s).")
    broadcast_shape(mask._data.shape, input._data.shape)  # PyTorch's order, for the message
    refuse_barebones("masked_fill", input._data)
    fill = _as_numpy(value, input._data.dtype)
    data = compute(np.where, mask._data, fill, input._data)
    if isinstance(value, Tensor):
        return record(MaskedFillBackward1, data, (input, value), saved=(mask,))
    return record(MaskedFillBackward0, data, (input,), saved=(mask,))


# -- clamp --------------------------------------------------------------------
def _within(x: Tensor, low: Operand, high: Operand) -> Tensor:
    """The bool mask ``low <= x <= high`` (a missing bound is no limit; nan is outside)."""
    if low is None:
        return x <= high
    if high is None:
        return x >= low
    return logical_and(x >= low, x <= high)


class ClampBackward1(Node):
    """z = min(max(x, lo), hi)  (lo, hi numbers);   dL/dx = grad where lo <= x <= hi, else 0"""

    #: Set by record().
    min: Any
    max: Any

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        return (where(_within(x, self.min, self.max), grad, 0.0),)


class ClampMinBackward0(ClampBackward1):
    """z = max(x, lo)  (lo a number);   dL/dx = grad where x >= lo, else 0"""


class ClampMaxBackward0(ClampBackward1):
    """z = min(x, hi)  (hi a number);   dL/dx = grad where x <= hi, else 0"""


def _clamp_grads(node: Node, grad: Tensor, low_index: Optional[int],
                 high_index: Optional[int]) -> Grads:
    """Gradients of a clamp with tensor bounds: for x, then for each bound
    that is an input (``low_index``/``high_index``: its input position)."""
    x, low, high = node.saved_tensors
    grad_x = where(_within(x, low, high), grad, 0.0)
    grad_low = grad_high = None
    if low_index is not None and node.needs_input_grad(low_index):
        below = x < low if high is None else logical_and(x < low, low < high)
        grad_low = where(below, grad, 0.0)
    if high_index is not None and node.needs_input_grad(high_index):
        above = x > high if low is None else logical_or(x > high, high < low)
        grad_high = where(above, grad, 0.0)
    if low_index is None:
        return grad_x, grad_high
    return (grad_x, grad_low) if high_index is None else (grad_x, grad_low, grad_high)


class ClampBackward0(Node):
    """z = min(max(x, lo), hi)  (lo, hi tensors or None);   dL/dx = grad where lo <= x <= hi;
    dL/dlo = grad where x < lo (and lo < hi);   dL/dhi = grad where x > hi (or hi < lo)"""

    def backward(self, grad: Tensor) -> Grads:
        return _clamp_grads(self, grad, 1, 2)


class ClampMinBackward1(Node):
    """z = max(x, lo)  (lo a tensor);   dL/dx = grad where x >= lo;   dL/dlo = grad where x < lo"""

    def backward(self, grad: Tensor) -> Grads:
        return _clamp_grads(self, grad, 1, None)


class ClampMaxBackward1(Node):
    """z = min(x, hi)  (hi a tensor);   dL/dx = grad where x <= hi;   dL/dhi = grad where x > hi"""

    def backward(self, grad: Tensor) -> Grads:
        return _clamp_grads(self, grad, None, 1)


def _clamp(input: Tensor, low: Operand, high: Operand, op: str, number_node: type,
           tensor_node: type) -> Tensor:
    """Clamp with number bounds (node ``number_node``) or tensor bounds (``tensor_node``)."""
    check_operand(input, op, 1, tensor_only=True)
    if low is None and high is None:
        raise RuntimeError("torch.clamp: At least one of 'min' or 'max' must not be None")
    x, lo, hi = _cast(input, low, high)
    if isinstance(low, Tensor) or isinstance(high, Tensor):
        refuse_barebones("maximum_cpu" if low is not None else "minimum_cpu", x)
    refuse_barebones({(True, True): "clamp_scalar_cpu", (True, False): "clamp_min_scalar_cpu",
                      (False, True): "clamp_max_scalar_cpu"}[low is not None, high is not None], x)
    data = x if lo is None else compute(kernels.larger, x, lo)
    data = data if hi is None else compute(kernels.smaller, data, hi)
    if isinstance(low, Tensor) or isinstance(high, Tensor):
        # clamp records both bounds (None for a missing one); clamp_min/max only theirs.
        inputs = (input, low, high) if tensor_node is ClampBackward0 else (
            input, high if low is None else low)
        return record(tensor_node, data, inputs, saved=(input, low, high))
    return record(number_node, data, (input,), saved=(input,), min=low, max=high)


def clamp(input: Tensor, min: Operand = None, max: Operand = None) -> Tensor:  # noqa: A002
    """Each element limited to ``[min, max]`` (numbers or tensors; either may be None)."""
    return _clamp(input, min, max, "clamp", ClampBackward1, ClampBackward0)


clip = clamp


def clamp_min(input: Tensor, min: Operand) -> Tensor:  # noqa: A002 - torch's name
    """Each element raised to at least ``min``."""
    return _clamp(input, min, None, "clamp_min", ClampMinBackward0, ClampMinBackward1)


def clamp_max(input: Tensor, max: Operand) -> Tensor:  # noqa: A002 - torch's name
    """Each element lowered to at most ``max``."""
    return _clamp(input, None, max, "clamp_max", ClampMaxBackward0, ClampMaxBackward1)


# -- where --------------------------------------------------------------------
class WhereBackward0(Node):
    """z = x where cond, else y;   dL/dx = grad where cond, else 0;
    dL/dy = grad where not cond, else 0"""

    def backward(self, grad: Tensor) -> Grads:
        (condition,) = self.saved_tensors
        return (where(condition, grad, 0.0) if self.needs_input_grad(0) else None,
                where(condition, 0.0, grad) if self.needs_input_grad(1) else None)


def where(condition: Tensor, input: Operand = None, other: Operand = None) -> Any:
    """``input`` where ``condition`` is True, ``other`` elsewhere (numbers allowed);
    with only ``condition``, the tuple of indices of its True elements."""
    check_operand(condition, "where", 1, tensor_only=True)
    cond = condition._data
    if input is None and other is None:
        return tuple(Tensor._make(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(cond)))
    if cond.dtype != np.bool_:
        raise RuntimeError("where expected condition to be a boolean tensor, but got a tensor "
                           f"with dtype {_type_name(cond)}")
    check_operand(input, "where", 2)
    check_operand(other, "where", 3)
    broadcast_shape(cond.shape, *(v._data.shape for v in (input, other)
                                  if isinstance(v, Tensor)))
    x, y = _cast(input, other)
    return record(WhereBackward0, compute(np.where, cond, x, y), (input, other),
                  saved=(condition,))


# -- comparisons and logic (no graph) -----------------------------------------
def _compare(function: Callable[..., Any], op: str, input: Operand, other: Operand) -> Tensor:
    if not isinstance(input, Tensor) or not is_operand(other):
        names = ", ".join("Tensor" if isinstance(v, Tensor) else type(v).__name__
                          for v in (input, other))
        raise TypeError(
            f"{op}() received an invalid combination of arguments - got ({names}), but "
            "expected one of:\n * (Tensor input, Tensor other, *, Tensor out = None)\n"
            " * (Tensor input, Number other, *, Tensor out = None)\n")
    x, y = _cast(input, other)
    if op in ("lt", "le", "gt", "ge"):  # (== and != take uint16/uint32)
        refuse_barebones(f"{op}_cpu", x)
    return Tensor._make(compute(function, x, y))


def eq(input: Tensor, other: Operand) -> Tensor:
    """``input == other``, elementwise, as a bool tensor."""
    return _compare(np.equal, "eq", input, other)


def ne(input: Tensor, other: Operand) -> Tensor:
    """``input != other``, elementwise, as a bool tensor."""
    return _compare(np.not_equal, "ne", input, other)


def gt(input: Tensor, other: Operand) -> Tensor:
    """``input > other``, elementwise, as a bool tensor."""
    return _compare(np.greater, "gt", input, other)


def lt(input: Tensor, other: Operand) -> Tensor:
    """``input < other``, elementwise, as a bool tensor."""
    return _compare(np.less, "lt", input, other)


def ge(input: Tensor, other: Operand) -> Tensor:
    """``input >= other``, elementwise, as a bool tensor."""
    return _compare(np.greater_equal, "ge", input, other)


def le(input: Tensor, other: Operand) -> Tensor:
    """``input <= other``, elementwise, as a bool tensor."""
    return _compare(np.less_equal, "le", input, other)


def _logical(function: Callable[..., Any], op: str, *operands: Tensor) -> Tensor:
    for position, value in enumerate(operands, start=1):
        check_operand(value, op, position, tensor_only=True)
    broadcast_shape(*(v._data.shape for v in operands))
    for value in operands:
        refuse_barebones(f"{op}_cpu", value._data)
    return Tensor._make(compute(function, *(v._data for v in operands)))


def logical_and(input: Tensor, other: Tensor) -> Tensor:
    """True where both are nonzero."""
    return _logical(np.logical_and, "logical_and", input, other)


def logical_or(input: Tensor, other: Tensor) -> Tensor:
    """True where either is nonzero."""
    return _logical(np.logical_or, "logical_or", input, other)


def logical_xor(input: Tensor, other: Tensor) -> Tensor:
    """True where exactly one is nonzero."""
    return _logical(np.logical_xor, "logical_xor", input, other)


def logical_not(input: Tensor) -> Tensor:
    """True where ``input`` is zero."""
    return _logical(np.logical_not, "logical_not", input)


# -- copies -------------------------------------------------------------------
class ToCopyBackward0(Node):
    """z = x converted to another dtype;   dL/dx = grad converted back
    (the engine casts every gradient to its input's dtype)"""

    def backward(self, grad: Tensor) -> Grads:
        return (grad,)


def to_dtype(input: Tensor, dtype: dtype) -> Tensor:
    """A copy of ``input`` with elements of ``dtype``."""
    # (Too large a value for a narrower dtype becomes inf, without NumPy's warning.)
    return record(ToCopyBackward0, quietly(input._data.astype, dtype.numpy_dtype), (input,))


class CloneBackward0(Node):
    """z = copy of x;   dL/dx = grad"""

    def backward(self, grad: Tensor) -> Grads:
        return (grad,)


def clone(input: Tensor) -> Tensor:
    """A copy of ``input`` with its own storage, still in the graph, laid out
    as PyTorch's ``clone`` lays it out (``preserve_format``): the dims keep
    their order in memory, so a transposed matrix stays transposed and
    ``x.t().clone().view(-1)`` fails as ``x.t().view(-1)`` does."""
    data = input._data
    if data.flags.c_contiguous:
        copy = data.copy()
    else:
        order = memory_order(data)
        copy = np.empty([data.shape[d] for d in order], data.dtype).transpose(np.argsort(order))
        copy[...] = data
    return record(CloneBackward0, copy, (input,))


def contiguous_copy(input: Tensor) -> Tensor:
    """A row-major copy of ``input``, still in the graph: PyTorch's
    ``clone(memory_format=torch.contiguous_format)``, which ``contiguous``
    and ``retain_grad`` make."""
    return record(CloneBackward0, input._data.copy(order="C"), (input,))


# -- more of the tensor surface learners use: logarithms, closeness -------------------------
# log10, log2, log1p and expm1 are math functions like log and exp above (PyTorch
# computes them with MKL's VML: here in float64, rounded once).  isclose, allclose
# and equal compare values and record nothing.
class Log10Backward0(Node):
    """z = log10(x) = log(x) / ln 10;   dL/dx = grad / (x * ln 10)"""

    saved_fields = {"self": 0}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        return (grad / mul_scalar(x, _LN10),)


_LN10 = 2.3025850929940456
_LN2 = 0.6931471805599453


def log10(input: Tensor) -> Tensor:
    """The base-10 logarithm, elementwise."""
    return record(Log10Backward0, correctly_rounded(np.log10, _floating(input, "log10")),
                  (input,), saved=(input,))


class Log2Backward0(Node):
    """z = log2(x) = log(x) / ln 2;   dL/dx = grad / (x * ln 2)"""

    saved_fields = {"self": 0}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        return (grad / mul_scalar(x, _LN2),)


def log2(input: Tensor) -> Tensor:
    """The base-2 logarithm, elementwise."""
    return record(Log2Backward0, correctly_rounded(np.log2, _floating(input, "log2")),
                  (input,), saved=(input,))


class Log1PBackward0(Node):
    """z = log(1 + x);   dL/dx = grad / (x + 1)"""

    saved_fields = {"self": 0}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        return (grad / add_scalar(x, 1),)


def log1p(input: Tensor) -> Tensor:
    """``log(1 + input)``, accurate for small ``input``, elementwise."""
    return record(Log1PBackward0, correctly_rounded(np.log1p, _floating(input, "log1p")),
                  (input,), saved=(input,))


class Expm1Backward0(Node):
    """z = exp(x) - 1;   dL/dx = grad * (z + 1)"""

    saved_fields = {"result": 0}

    def backward(self, grad: Tensor) -> Grads:
        (z,) = self.saved_tensors
        return (grad * add_scalar(z, 1),)


def expm1(input: Tensor) -> Tensor:
    """``exp(input) - 1``, accurate for small ``input``, elementwise."""
    return record(Expm1Backward0, correctly_rounded(np.expm1, _floating(input, "expm1")),
                  (input,), save_result=True)


def isclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Where ``|input - other| <= atol + rtol * |other|`` (or the two are equal,
    infinities included; nan only with ``equal_nan``), as a bool tensor.  The
    two must have one dtype; the test is computed in it."""
    check_operand(input, "isclose", 1, tensor_only=True)
    check_operand(other, "isclose", 2, tensor_only=True)
    x, y = input._data, other._data
    if x.dtype != y.dtype:
        raise RuntimeError(f"{_type_name(x)} did not match {_type_name(y)}")
    broadcast_shape(x.shape, y.shape)
    close = compute(np.equal, x, y)
    if equal_nan and x.dtype.kind == "f":
        close = close | (np.isnan(x) & np.isnan(y))
    if rtol == 0 and atol == 0:
        return Tensor._make(close)
    if x.dtype.kind != "f":  # integers are compared as floats, of the default dtype
        x, y = x.astype(default_float()), y.astype(default_float())
    kind = x.dtype.type
    actual = compute(lambda a, b: np.abs(a - b), x, y)
    allowed = compute(lambda b: kind(atol) + np.abs(kind(rtol) * b), y)
    return Tensor._make(close | (np.isfinite(actual) & (actual <= allowed)))


def allclose(input: Tensor, other: Tensor, rtol: float = 1e-05, atol: float = 1e-08,
             equal_nan: bool = False) -> bool:
    """``isclose(...)`` everywhere, as a Python bool."""
    return builtins.bool(isclose(input, other, rtol, atol, equal_nan)._data.all())


def equal(input: Tensor, other: Tensor) -> bool:
    """True if the two have the same shape and the same values (nan equals
    nothing), as a Python bool; dtypes may differ."""
    check_operand(input, "equal", 1, tensor_only=True)
    check_operand(other, "equal", 2, tensor_only=True)
    if input._data.shape != other._data.shape:
        return False
    x, y = _cast(input, other)
    return builtins.bool(compute(np.equal, x, y).all())

# -- //, %, ~, &, |, ^ ---------------------------------------------------------------------
class NotImplementedBackward(Node):
    """z = x // y (or c % x);   dL/dx: none, PyTorch has no derivative for it.
    The node joins the graph, and running it raises; named ``NotImplemented``
    as PyTorch's is."""

    #: Set by record(): the op, as PyTorch's message names it.
    op: str

    def name(self) -> str:
        return "torch::autograd::NotImplemented"

    def backward(self, grad: Tensor) -> Grads:
        raise RuntimeError(f"derivative for aten::{self.op} is not implemented")


NotImplementedBackward.__name__ = NotImplementedBackward.__qualname__ = "NotImplemented"


def _not_differentiable(data: np.ndarray, op: str, *operands: Operand) -> Tensor:
    """``data`` recorded with a NotImplemented node whose edges are the operands
    that require grad (as PyTorch records it)."""
    inputs = tuple(v for v in operands if isinstance(v, Tensor) and v.requires_grad)
    return record(NotImplementedBackward, data, inputs, op=op)


def _integral_operands(input: Operand, other: Operand, kernel: str) -> Tuple[Any, Any]:
    """The operands of ``//`` and ``%`` in their result dtype (not for bools)."""
    check_operand(input, kernel, 1)
    check_operand(other, kernel, 2)
    x, y = _cast(input, other)
    if x.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}_cpu\" not implemented for 'Bool'")
    refuse_barebones(f"{kernel}_cpu", x)
    if x.dtype.kind != "f" and np.any(np.asarray(y) == 0):
        raise RuntimeError("ZeroDivisionError")
    return x, y


def floor_divide(input: Operand, other: Operand) -> Tensor:
    """``input // other``: the quotient rounded down (no derivative in PyTorch)."""
    x, y = _integral_operands(input, other, "div_floor")
    return _not_differentiable(compute(np.floor_divide, x, y), "floor_divide", input, other)


class RemainderBackward0(Node):
    """z = x % c  (c a number);   dL/dx = grad"""

    def backward(self, grad: Tensor) -> Grads:
        return (grad,)


class RemainderBackward1(Node):
    """z = x % y = x - y * floor(x / y);   dL/dx = grad;   dL/dy = -grad * floor(x / y)"""

    saved_for = (1, 1)  # only dL/dy reads x and y

    def backward(self, grad: Tensor) -> Grads:
        x, y = self.saved_tensors
        return (grad, -grad * div(x, y, rounding_mode="floor")
                if self.needs_input_grad(1) else None)


def remainder(input: Operand, other: Operand) -> Tensor:
    """``input % other``, with the sign of ``other`` (Python's ``%``)."""
    x, y = _integral_operands(input, other, "remainder")
    data = compute(kernels.remainder, x, y)
    if not isinstance(input, Tensor):
        return _not_differentiable(data, "remainder", other)
    if not isinstance(other, Tensor):
        return record(RemainderBackward0, data, (input,))
    return record(RemainderBackward1, data, (input, other), saved=(input, other))


def _bitwise(function: Callable[..., Any], op: str, input: Operand, other: Operand) -> Tensor:
    """``&``, ``|``, ``^`` of integers or bools (never recorded: no derivative)."""
    check_operand(input, op, 1)
    check_operand(other, op, 2)
    x, y = _cast(input, other)
    if x.dtype.kind == "f":
        raise NotImplementedError(f"\"{op}_cpu\" not implemented for '{_type_name(x)}'")
    return Tensor._make(compute(function, x, y))


def bitwise_and(input: Operand, other: Operand) -> Tensor:
    """Elementwise AND of the bits (of integers), or of bools."""
    return _bitwise(np.bitwise_and, "bitwise_and", input, other)


def bitwise_or(input: Operand, other: Operand) -> Tensor:
    """Elementwise OR of the bits (of integers), or of bools."""
    return _bitwise(np.bitwise_or, "bitwise_or", input, other)


def bitwise_xor(input: Operand, other: Operand) -> Tensor:
    """Elementwise XOR of the bits (of integers), or of bools."""
    return _bitwise(np.bitwise_xor, "bitwise_xor", input, other)


def bitwise_not(input: Tensor) -> Tensor:
    """Every bit flipped (``~5`` is ``-6``); a bool mask negated."""
    check_operand(input, "bitwise_not", 1, tensor_only=True)
    refuse_barebones("bitwise_not_cpu", input._data)
    if input._data.dtype.kind == "f":
        raise NotImplementedError(
            f"\"bitwise_not_cpu\" not implemented for '{_type_name(input._data)}'")
    return Tensor._make(compute(np.invert, input._data))
