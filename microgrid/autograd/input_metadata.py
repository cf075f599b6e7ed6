"""What a gradient must look like to reach an input: its shape and dtype.

PyTorch counterpart: ``InputMetadata`` (``torch/csrc/autograd/input_metadata.h``:
``is_expandable_to_shape``, ``reduce_grad``) and ``validate_outputs``
(``engine.cpp``).

A node keeps, for each input, the shape and dtype a gradient for it must
have (``Node._input_meta``; None: as the node's output).  A backward formula
may return its gradient at the broadcast shape (``x + y`` with ``y`` of shape
(3,) and ``x`` of shape (2, 3)): each element of ``y`` was used twice, so its
gradient is the sum over the broadcast dim, and :func:`sum_to_shape` takes
it.  The engine calls :func:`validate_outputs` on every node's gradients;
``expand``'s backward and ``CopySlices`` call the pieces themselves.

This module sits below both the engine and the ops: it needs ``Tensor``'s
methods (``sum``, ``view``, ``to``), never an op module.

Read next: ``../_tensor_str.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, List, Optional, Tuple

import numpy as np

from .._dtype import from_numpy_dtype

if TYPE_CHECKING:
    from .._tensor import Tensor
    from .graph import Node

#: One input's (shape, dtype).
Metadata = Tuple[tuple, np.dtype]


def expandable(shape: tuple, target: tuple) -> bool:
    """Can a tensor of ``shape`` be broadcast to ``target``?"""
    if len(shape) > len(target):
        return False
    return all(s == t or s == 1 for s, t in zip(reversed(shape), reversed(target), strict=False))


# docs/tour.md, stop 12: quoted there; keep the two in step.
def sum_to_shape(grad: "Tensor", shape: tuple) -> "Tensor":
    """Undo broadcasting: sum ``grad`` down to ``shape``.

    If an input of shape (3, 1) was broadcast to (2, 3, 4) in the forward
    pass, each of its elements was used 2*4 times, so its gradient is the sum
    over the leading dim and over the stretched dim:
    dL/dx[i, 0] = sum over a, k of grad[a, i, k].  As PyTorch's ``sum_to``:
    one ``sum`` keeping the dims, then a ``view`` dropping the leading ones
    (a plain ``sum()`` when the target is 0-d).
    """
    if not shape:
        return grad.sum()
    leading = grad.dim() - len(shape)
    dims = tuple(range(leading)) + tuple(
        leading + i for i, size in enumerate(shape) if size == 1 and grad.shape[leading + i] != 1)
    if dims:
        grad = grad.sum(dim=dims, keepdim=True)
    return grad.view(shape) if leading else grad


def fit_gradient(node: "Node", index: int, grad: "Tensor", expected: Metadata) -> "Tensor":
    """Make the gradient ``node`` computed for its input ``index`` fit that
    input, whose shape and dtype are ``expected``: same shape (summing out
    any broadcast) and same dtype, or raise PyTorch's error."""
    shape, dtype = expected
    if grad.shape != shape:
        if not expandable(shape, grad.shape):
            raise RuntimeError(
                f"Function {node.name()} returned an invalid gradient at index {index} - "
                f"got {list(grad.shape)} but expected shape compatible with {list(shape)}")
        grad = sum_to_shape(grad, shape)
    if grad._data.dtype != dtype:
        grad = grad.to(from_numpy_dtype(dtype))
    return grad


def validate_outputs(node: "Node", grads: List[Optional["Tensor"]], received: Any) -> None:
    """Check the gradients ``node.backward`` returned, one per edge, and make
    each fit its input (:func:`fit_gradient`), in place in ``grads``.
    ``received`` is the gradient the node received: an input with no
    metadata of its own is shaped as the node's output, as that gradient."""
    edges = node.next_functions
    if len(grads) != len(edges):
        raise RuntimeError(f"function {node.name()} returned an incorrect number of gradients "
                           f"(expected {len(edges)}, got {len(grads)})")
    meta = node._input_meta
    for index, grad in enumerate(grads):
        if grad is None or edges[index][0] is None:
            continue
        expected = meta[index] if meta is not None else None
        if expected is None:  # as the output: as the gradient received
            if grad._data.shape != received._data.shape or grad._data.dtype != received._data.dtype:
                grads[index] = fit_gradient(node, index, grad, (received._data.shape,
                                                                received._data.dtype))
        elif grad._data.shape != expected[0] or grad._data.dtype != expected[1]:
            grads[index] = fit_gradient(node, index, grad, expected)
