"""Shape ops: ``expand``, ``reshape``, ``view``.

PyTorch counterpart: ``Tensor.expand`` / ``reshape`` / ``view`` and their
nodes ``ExpandBackward0`` and ``ViewBackward0``.

These ops move no numbers: their results are *views* that share the input's
storage (and so its version counter).  Their backward only has to put the
gradient back into the input's shape.

Read next: ``../autograd/variable.py`` and ``../autograd/__init__.py``.
"""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from .._tensor import Tensor
from ..autograd.engine import sum_to_shape
from ..autograd.graph import Node, record


def size_args(sizes: Tuple[Any, ...]) -> Tuple[int, ...]:
    """Sizes given either as ``f(2, 3)`` or as ``f((2, 3))``."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    return tuple(int(s) for s in sizes)


# -- expand -------------------------------------------------------------------
class ExpandBackward0(Node):
    """z = x broadcast to a larger shape;   dL/dx = grad summed over the
    broadcast dims (each element of x was used that many times)"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (sum_to_shape(grad, self.input_shape),)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """A broadcast view of ``input`` with shape ``sizes`` (-1 keeps a dim)."""
    target = size_args(sizes)
    shape = input._data.shape
    lead = len(target) - len(shape)
    full = []
    for i, size in enumerate(target):
        old = shape[i - lead] if i >= lead else 1
        if size == -1 and i >= lead:
            size = old
        if old != size and old != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({size}) must match the existing size ({old}) "
                f"at non-singleton dimension {i}.  Target sizes: {list(target)}.  Tensor sizes: "
                f"{list(shape)}")
        full.append(size)
    if lead < 0:
        raise RuntimeError(
            f"expand(torch.{input.dtype.name.capitalize()}Tensor{{{list(shape)}}}, "
            f"size={list(target)}): the number of sizes provided ({len(target)}) must be "
            f"greater or equal to the number of dimensions in the tensor ({len(shape)})")
    data = np.broadcast_to(input._data, tuple(full))
    return record(ExpandBackward0, data, (input,), view_of=input, input_shape=shape)


# -- reshape / view -----------------------------------------------------------
class ViewBackward0(Node):
    """z = x with a new shape (same elements, same order);
    dL/dx = grad reshaped to x's shape"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (grad.reshape(self.input_shape),)


def _new_shape(input: Tensor, sizes: Tuple[Any, ...]) -> Tuple[int, ...]:
    shape = size_args(sizes)
    known = int(np.prod([s for s in shape if s != -1]))
    count = input._data.size
    if (shape.count(-1) > 1 or (-1 not in shape and known != count)
            or (-1 in shape and (known == 0 or count % known))):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {count}")
    return tuple(count // known if s == -1 else s for s in shape)


def view(input: Tensor, *sizes: Any) -> Tensor:
    """The same storage seen with a new shape; fails if that needs a copy."""
    shape = _new_shape(input, sizes)
    try:
        data = np.reshape(input._data, shape, copy=False)
    except ValueError:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead."
        ) from None
    return record(ViewBackward0, data, (input,), view_of=input, input_shape=input._data.shape)


def reshape(input: Tensor, *sizes: Any) -> Tensor:
    """``input`` with a new shape: a view when the layout allows one."""
    return view(input, *sizes)
