"""Elementwise ops: ``+ - * /``, negation, dtype conversion and copies.

PyTorch counterpart: ``torch.add``, ``torch.mul`` ... and their nodes
``AddBackward0``, ``MulBackward0`` ... (``derivatives.yaml``).

Binary ops broadcast like NumPy and PyTorch.  Each backward returns the
gradient at the *broadcast* shape; the engine sums it back to each input's
shape (``autograd/engine.py: sum_to_shape``).  A Python number operand is
never wrapped in a tensor: it has no gradient, and its edge in
``next_functions`` is ``(None, 0)``, as in PyTorch.

Read next: ``reduction.py``.
"""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from .._dtype import dtype
from .._promotion import category, result_type
from .._tensor import Tensor
from ..autograd.graph import Node, record

Operand = Any  # a Tensor or a Python number


# -- helpers ------------------------------------------------------------------
def _check_operand(value: Operand, op: str, position: int) -> None:
    if not isinstance(value, (Tensor, bool, int, float, np.number, np.bool_)):
        name = "input" if position == 1 else "other"
        raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, "
                        f"not {type(value).__name__}")


def cast_operands(input: Operand, other: Operand, op: str,
                  floating: bool = False) -> Tuple[Any, Any]:
    """The two operands as NumPy values of the result dtype (PyTorch's type
    promotion; ``floating`` forces a floating result, as division does)."""
    _check_operand(input, op, 1)
    _check_operand(other, op, 2)
    out = result_type(input, other)
    if floating and category(out) < 2:
        out = np.dtype(np.float32)
    return _as_numpy(input, out), _as_numpy(other, out)


def _as_numpy(value: Operand, out: np.dtype) -> Any:
    if isinstance(value, Tensor):
        return value._data if value._data.dtype == out else value._data.astype(out)
    return out.type(value)


# -- add ----------------------------------------------------------------------
class AddBackward0(Node):
    """z = x + alpha * y;   dL/dx = grad;   dL/dy = alpha * grad"""

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        return grad, (grad * self.alpha if self.alpha != 1 else grad)


def add(input: Operand, other: Operand, alpha: Any = 1) -> Tensor:
    """``input + alpha * other``, elementwise with broadcasting."""
    x, y = cast_operands(input, other, "add")
    if alpha != 1:
        y = y * np.asarray(alpha).astype(y.dtype)
    return record(AddBackward0, np.add(x, y), (input, other), alpha=alpha)


# -- sub ----------------------------------------------------------------------
class SubBackward0(Node):
    """z = x - alpha * y;   dL/dx = grad;   dL/dy = -alpha * grad"""

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        return grad, (-grad * self.alpha if self.alpha != 1 else -grad)


def _check_not_bool_subtraction(x: Any, y: Any) -> None:
    if np.asarray(x).dtype == np.bool_ and np.asarray(y).dtype == np.bool_:
        raise RuntimeError("Subtraction, the `-` operator, with two bool tensors is not "
                           "supported. Use the `^` or `logical_xor()` operator instead.")


def sub(input: Operand, other: Operand, alpha: Any = 1) -> Tensor:
    """``input - alpha * other``, elementwise with broadcasting."""
    x, y = cast_operands(input, other, "sub")
    _check_not_bool_subtraction(x, y)
    if alpha != 1:
        y = y * np.asarray(alpha).astype(y.dtype)
    return record(SubBackward0, np.subtract(x, y), (input, other), alpha=alpha)


class RsubBackward1(Node):
    """z = c - alpha * x  (c a Python number);   dL/dx = -alpha * grad"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (-grad * self.alpha if self.alpha != 1 else -grad,)


def rsub(input: Tensor, other: Operand, alpha: Any = 1) -> Tensor:
    """``other - alpha * input``: what ``2 - x`` calls (``x.__rsub__(2)``)."""
    if isinstance(other, Tensor):
        return sub(other, input, alpha=alpha)
    x, c = cast_operands(input, other, "rsub")
    _check_not_bool_subtraction(x, c)
    if alpha != 1:
        x = x * np.asarray(alpha).astype(x.dtype)
    return record(RsubBackward1, np.subtract(c, x), (input,), alpha=alpha)


# -- mul ----------------------------------------------------------------------
class MulBackward0(Node):
    """z = x * y;   dL/dx = grad * y;   dL/dy = grad * x"""

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        x, y = self.saved_tensors
        return (grad * y if self.needs_input_grad(0) else None,
                grad * x if self.needs_input_grad(1) else None)


def mul(input: Operand, other: Operand) -> Tensor:
    """``input * other``, elementwise with broadcasting."""
    x, y = cast_operands(input, other, "mul")
    return record(MulBackward0, np.multiply(x, y), (input, other), saved=(input, other))


# -- div ----------------------------------------------------------------------
class DivBackward0(Node):
    """z = x / y;   dL/dx = grad / y;   dL/dy = -grad * x / y**2"""

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        x, y = self.saved_tensors
        return (grad / y if self.needs_input_grad(0) else None,
                -grad * x / (y * y) if self.needs_input_grad(1) else None)


def div(input: Operand, other: Operand) -> Tensor:
    """``input / other`` (true division: integers give a float result)."""
    x, y = cast_operands(input, other, "div", floating=True)
    return record(DivBackward0, np.true_divide(x, y), (input, other), saved=(input, other))


class ReciprocalBackward0(Node):
    """z = 1 / x;   dL/dx = -grad * z**2"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        (z,) = self.saved_tensors
        return (-grad * (z * z),)


def reciprocal(input: Tensor) -> Tensor:
    """``1 / input``, elementwise."""
    x, _ = cast_operands(input, 1.0, "reciprocal", floating=True)
    return record(ReciprocalBackward0, np.reciprocal(x), (input,), save_result=True)


def rdiv(input: Tensor, other: Operand) -> Tensor:
    """``other / input`` for a number ``other``: what ``2 / x`` calls.  Like
    PyTorch, it is ``reciprocal(x) * 2``, two nodes in the graph."""
    if isinstance(other, Tensor):
        return div(other, input)
    return mul(reciprocal(input), other)


# -- neg ----------------------------------------------------------------------
class NegBackward0(Node):
    """z = -x;   dL/dx = -grad"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (-grad,)


def neg(input: Tensor) -> Tensor:
    """``-input``, elementwise."""
    if input._data.dtype == np.bool_:
        raise RuntimeError("Negation, the `-` operator, on a bool tensor is not supported. If "
                           "you are trying to invert a mask, use the `~` or `logical_not()` "
                           "operator instead.")
    return record(NegBackward0, np.negative(input._data), (input,))


# -- copies -------------------------------------------------------------------
class ToCopyBackward0(Node):
    """z = x converted to another dtype;   dL/dx = grad converted back
    (the engine casts every gradient to its input's dtype)."""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (grad,)


def to_dtype(input: Tensor, dtype: dtype) -> Tensor:
    """A copy of ``input`` with elements of ``dtype``."""
    return record(ToCopyBackward0, input._data.astype(dtype.numpy_dtype), (input,))


class CloneBackward0(Node):
    """z = copy of x;   dL/dx = grad"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (grad,)


def clone(input: Tensor) -> Tensor:
    """A copy of ``input`` with its own storage, still in the graph."""
    return record(CloneBackward0, input._data.copy(), (input,))
