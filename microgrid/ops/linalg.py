"""Linear algebra: ``matmul`` (``@``) and the products it is built from.

PyTorch counterpart: ``torch.matmul`` / ``mm`` / ``mv`` / ``dot`` / ``bmm`` /
``outer`` (``aten/src/ATen/native/LinearAlgebra.cpp``) and their nodes
``MmBackward0``, ``MvBackward0``, ``DotBackward0``, ``BmmBackward0``.

Four kernels do the multiplying, each with its own node:

* ``dot``: vector . vector -> number;
* ``mv``:  matrix @ vector -> vector;
* ``mm``:  matrix @ matrix -> matrix;
* ``bmm``: a batch of matrices @ a batch of matrices (same batch size).

``matmul`` is not a kernel: like PyTorch's, it picks one by the inputs'
dims and reshapes around it with ordinary view ops, so its graph is made of
those ops (``x @ W`` for a 3-d ``x`` records ``ViewBackward0``, then
``MmBackward0``, then ``UnsafeViewBackward0``):

* 1-d @ 1-d: ``dot``; 2-d @ 1-d: ``mv``; 2-d @ 2-d: ``mm``;
* 1-d @ 2-d: the vector becomes a 1-row matrix, ``mm``, and the row dim is
  squeezed away again;
* a batch against a plain matrix or vector is *folded*: the batch dims are
  merged into the rows of one big matrix, multiplied with ``mm``/``mv`` and
  unfolded (when the result would not need a copy, or when the smaller
  operand requires grad: its gradient is then one big product instead of a
  batch of products summed up);
* a 3-d batch of one matrix that requires grad, against a larger batch, is
  squeezed to a plain matrix (and so folded);
* otherwise both operands are broadcast to a common batch shape, flattened
  to 3-d and multiplied with ``bmm``.

Every backward is two products again: for ``z = x @ y``,
``dL/dx = grad @ y^T`` and ``dL/dy = x^T @ grad``.

Read next: ``inplace.py``.
"""

from __future__ import annotations

from typing import Any, Tuple

import numpy as np

from .._dtype import CPP_TYPE_NAMES, LEGACY_TYPE_NAMES, refuse_barebones
from .._kernels import linalg as exact_linalg
from .._kernels import quietly
from .._tensor import Tensor
from ..autograd.graph import Node, record
from .pointwise import broadcast_shape, mul, mul_scalar
from .shape import (
    SqueezeBackward0,
    contiguous,
    expand,
    matrix_transpose,
    reshape,
    squeeze,
    t,
    transpose,
    unsafe_view,
    unsqueeze,
)


def check_tensors(op: str, **arguments: Any) -> None:
    """PyTorch's TypeError for an argument that is not a tensor (the products
    here and ``addmm``)."""
    for position, (name, value) in enumerate(arguments.items(), start=1):
        if not isinstance(value, Tensor):
            raise TypeError(f"{op}(): argument '{name}' (position {position}) must be Tensor, "
                            f"not {type(value).__name__}")


def matrix_product(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` in NumPy; float16 is accumulated in float32, as PyTorch's CPU kernels do.
    An inf times 0 is nan, without NumPy's RuntimeWarning (PyTorch prints none).
    The products here and ``addmm`` use it."""
    if a.dtype == np.float16:
        return quietly(np.matmul, a.astype(np.float32), b.astype(np.float32)).astype(np.float16)
    if exact_linalg.exact_applies(a, b):  # microgrid's opt-in: MKL's order (slow)
        return quietly(exact_linalg.mm, a, b)
    return np.asarray(quietly(np.matmul, a, b))


def _multiply(node_class: Any, x: Tensor, y: Tensor, kernel: str) -> Tensor:
    """The checked product of ``x`` and ``y``, recorded as ``node_class``.  The
    node keeps each operand only if the *other* one needs a gradient (dL/dx
    needs y, dL/dy needs x)."""
    if x._data.dtype == np.bool_:
        raise NotImplementedError(f"\"{kernel}\" not implemented for 'Bool'")
    refuse_barebones(kernel, x._data)
    return record(node_class, matrix_product(x._data, y._data), (x, y),
                  saved=(x if y._requires_grad else None, y if x._requires_grad else None))


# -- dot ------------------------------------------------------------------------
class DotBackward0(Node):
    """z = sum_i x_i y_i;   dL/dx = grad * y;   dL/dy = grad * x"""

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        x, y = self.saved_tensors
        return (grad * y if self.needs_input_grad(0) else None,
                grad * x if self.needs_input_grad(1) else None)


def dot(input: Tensor, tensor: Tensor) -> Tensor:
    """The dot product of two vectors of the same length and dtype."""
    check_tensors("dot", input=input, tensor=tensor)
    x, y = input._data, tensor._data
    if x.ndim != 1 or y.ndim != 1:
        raise RuntimeError(f"1D tensors expected, but got {x.ndim}D and {y.ndim}D tensors")
    if x.dtype != y.dtype:
        raise RuntimeError("dot : expected both vectors to have same dtype, but found "
                           f"{LEGACY_TYPE_NAMES[x.dtype.name]} and "
                           f"{LEGACY_TYPE_NAMES[y.dtype.name]}")
    if x.size != y.size:
        raise RuntimeError(
            f"inconsistent tensor size, expected tensor [{x.size}] and src [{y.size}] to have "
            f"the same number of elements, but got {x.size} and {y.size} elements respectively")
    return _multiply(DotBackward0, input, tensor, "dot")


# -- mv -------------------------------------------------------------------------
class MvBackward0(Node):
    """z = A v  (z_i = sum_j A_ij v_j);   dL/dA = outer(grad, v);   dL/dv = A^T grad"""

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        a, v = self.saved_tensors
        return (outer(grad, v) if self.needs_input_grad(0) else None,
                mv(t(a), grad) if self.needs_input_grad(1) else None)


def mv(input: Tensor, vec: Tensor) -> Tensor:
    """Matrix @ vector."""
    check_tensors("mv", input=input, vec=vec)
    a, v = input._data, vec._data
    if a.ndim != 2 or v.ndim != 1:
        raise RuntimeError(f"vector + matrix @ vector expected, got 1, {a.ndim}, {v.ndim}")
    if a.shape[1] != v.shape[0]:
        raise RuntimeError(f"size mismatch, got input ({a.shape[0]}), mat "
                           f"({a.shape[0]}x{a.shape[1]}), vec ({v.shape[0]})")
    if a.dtype != v.dtype:
        names = [LEGACY_TYPE_NAMES[d.name] for d in (v.dtype, a.dtype, v.dtype)]
        raise RuntimeError("addmv input tensors must have the same dtype, but got "
                           f"{names[0]}, {names[1]}, and {names[2]}")
    return _multiply(MvBackward0, input, vec, "addmv_impl_cpu")


# -- mm -------------------------------------------------------------------------
class MmBackward0(Node):
    """z = X Y;   dL/dX = grad Y^T;   dL/dY = X^T grad"""

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        x, y = self.saved_tensors
        return (mm(grad, t(y)) if self.needs_input_grad(0) else None,
                mm(t(x), grad) if self.needs_input_grad(1) else None)


def mm(input: Tensor, mat2: Tensor) -> Tensor:
    """Matrix @ matrix."""
    check_tensors("mm", input=input, mat2=mat2)
    x, y = input._data, mat2._data
    if x.ndim != 2:
        raise RuntimeError("self must be a matrix")
    if y.ndim != 2:
        raise RuntimeError("mat2 must be a matrix")
    if x.shape[1] != y.shape[0]:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({x.shape[0]}x"
                           f"{x.shape[1]} and {y.shape[0]}x{y.shape[1]})")
    if x.dtype != y.dtype:
        raise RuntimeError("expected m1 and m2 to have the same dtype, but got: "
                           f"{CPP_TYPE_NAMES[x.dtype.name]} != {CPP_TYPE_NAMES[y.dtype.name]}")
    return _multiply(MmBackward0, input, mat2, "addmm_impl_cpu_")


# -- bmm ------------------------------------------------------------------------
class BmmBackward0(Node):
    """z_b = X_b Y_b for each b;   dL/dX_b = grad_b Y_b^T;   dL/dY_b = X_b^T grad_b"""

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        x, y = self.saved_tensors
        return (bmm(grad, transpose(y, 1, 2)) if self.needs_input_grad(0) else None,
                bmm(transpose(x, 1, 2), grad) if self.needs_input_grad(1) else None)


def bmm(input: Tensor, mat2: Tensor) -> Tensor:
    """Batch of matrices @ batch of matrices: ``(b, n, m) @ (b, m, p) -> (b, n, p)``."""
    check_tensors("bmm", input=input, mat2=mat2)
    x, y = input._data, mat2._data
    if x.ndim != 3:
        raise RuntimeError("batch1 must be a 3D tensor")
    if y.ndim != 3:
        raise RuntimeError("batch2 must be a 3D tensor")
    if y.shape[:2] != (x.shape[0], x.shape[2]):
        raise RuntimeError("Expected size for first two dimensions of batch2 tensor to be: "
                           f"[{x.shape[0]}, {x.shape[2]}] but got: [{y.shape[0]}, {y.shape[1]}].")
    if x.dtype != y.dtype:
        raise RuntimeError(f"expected scalar type {LEGACY_TYPE_NAMES[x.dtype.name]} but found "
                           f"{LEGACY_TYPE_NAMES[y.dtype.name]}")
    return _multiply(BmmBackward0, input, mat2, "bmm")


# -- outer ----------------------------------------------------------------------
def outer(input: Tensor, vec2: Tensor) -> Tensor:
    """``z[i, j] = x[i] * y[j]``: PyTorch computes it as ``x.reshape(n, 1) * y``,
    so the graph is ``MulBackward0`` over ``ViewBackward0``."""
    check_tensors("outer", input=input, vec2=vec2)
    for name, value in (("self", input), ("vec2", vec2)):
        if value._data.ndim != 1:
            raise RuntimeError(f"outer: Expected 1-D argument {name}, but got "
                               f"{value._data.ndim}-D")
    return mul(reshape(input, (input._data.shape[0], 1)), vec2)


# -- matmul ---------------------------------------------------------------------
class SqueezeBackward4(SqueezeBackward0):
    """z = x.squeeze_(d), in place on a fresh product (1-d @ 2-d does it);
    dL/dx = grad with dim d put back"""

    #: Set by record().
    removed: Any


def _should_fold(x: Tensor, y: Tensor) -> bool:
    """Multiply a batch against a matrix/vector by folding the batch into rows?

    Yes when the smaller operand requires grad (its gradient is then a single
    product), or when folding needs no copy: the batch dims of the larger
    operand (transposed if it is the right one) are laid out contiguously.
    """
    larger_first = x.dim() >= y.dim()
    big = x._data if larger_first else np.swapaxes(y._data, -1, -2)
    small = y if larger_first else x
    if not (big.ndim >= 3 and small.dim() <= 2):
        return False
    if small._requires_grad:
        return True
    if x.dim() == 2:
        return False
    if big.size == 0:
        return True
    strides = [s // big.itemsize for s in big.strides]
    return all(strides[i] == strides[i + 1] * big.shape[i + 1] for i in range(big.ndim - 2))


def _folded(x: Tensor, y: Tensor) -> Tensor:
    """A batch times a matrix or vector, as one ``mm``/``mv`` on the batch
    folded into rows.  A matrix times a batch is computed transposed:
    ``x @ y = (y^T @ x^T)^T``."""
    swapped = y.dim() > x.dim()
    big = matrix_transpose(y) if swapped else x
    small = (t(x) if x.dim() == 2 else x) if swapped else y
    rows = big.shape[:-1]
    folded = reshape(big, (int(np.prod(rows)), big.shape[-1]))
    if small.dim() == 1:
        return unsafe_view(mv(folded, small), rows)
    result = unsafe_view(mm(folded, small), rows + (small.shape[1],))
    return contiguous(matrix_transpose(result)) if swapped else result


def _batched(x: Tensor, y: Tensor) -> Tensor:
    """Both operands broadcast to a common batch shape, flattened to 3-d, ``bmm``."""
    n = x.shape[-2] if x.dim() > 1 else 1
    m1, m2 = x.shape[-1], (y.shape[-2] if y.dim() > 1 else y.shape[0])
    p = y.shape[-1] if y.dim() > 1 else 1
    batch = broadcast_shape(x.shape[:-2], y.shape[:-2])
    count = int(np.prod(batch))
    left = reshape(expand(x, batch + (n, m1)), (count, n, m1))
    rows = batch + ((n,) if x.dim() > 1 else ())
    if y.dim() == 1:
        right = unsqueeze(reshape(expand(y, batch + (m2,)), (count, m2)), 2)
        return unsafe_view(squeeze(bmm(left, right), -1), rows)
    right = reshape(expand(y, batch + (m2, p)), (count, m2, p))
    return unsafe_view(bmm(left, right), rows + (p,))


def matmul(input: Tensor, other: Tensor) -> Tensor:
    """The matrix product ``input @ other``, with NumPy's rules for vectors and
    batch dims (see the module docstring for how it is computed)."""
    check_tensors("matmul", input=input, other=other)
    dims = (input.dim(), other.dim())
    if 0 in dims:
        raise RuntimeError("both arguments to matmul need to be at least 1D, but they are "
                           f"{dims[0]}D and {dims[1]}D")
    if dims == (1, 1):
        return dot(input, other)
    if dims == (2, 1):
        return mv(input, other)
    if dims == (1, 2):
        product = mm(unsqueeze(input, 0), other)
        return record(SqueezeBackward4, product._data[0], (product,), removed=(0,))
    if dims == (2, 2):
        return mm(input, other)
    if _should_fold(input, other):
        return _folded(input, other)
    if dims == (3, 3) and input.shape[0] != other.shape[0]:
        # A batch of one that requires grad is squeezed to a matrix, so that
        # the product is folded rather than broadcast (see ``_should_fold``).
        if input.shape[0] == 1 and input._requires_grad:
            return matmul(squeeze(input, 0), other)
        if other.shape[0] == 1 and other._requires_grad:
            return matmul(input, squeeze(other, 0))
    return _batched(input, other)


# -- addmm: a bias plus a product, one node (nn.functional.linear's) ---------------
def _column_major(matrix: Tensor) -> bool:
    """Is ``matrix`` stored column by column (a transposed row-major matrix)?
    PyTorch then computes its gradient transposed, to give it the same layout."""
    rows = matrix._data.shape[0]
    strides = [s // matrix._data.itemsize for s in matrix._data.strides]
    return strides[0] == 1 and strides[1] == rows


def _times(grad: Tensor, scale: Any) -> Tensor:
    """``grad * scale``, skipped for a scale of 1 (PyTorch's ``maybe_multiply``)."""
    return grad if scale == 1 else mul_scalar(grad, scale)


class AddmmBackward0(Node):
    """z = beta * b + alpha * (X @ Y)   (b broadcast to the product's shape);
    dL/db = beta * grad;   dL/dX = alpha * grad @ Y^T;   dL/dY = alpha * X^T @ grad
    (for an X or Y stored column by column: (Y @ grad^T)^T, (grad^T @ X)^T)"""

    #: Set by record().
    beta: Any
    alpha: Any
    x_column_major: bool
    y_column_major: bool

    def backward(self, grad: Tensor) -> Tuple[Any, Any, Any]:
        x, y = self.saved_tensors
        grad_x = grad_y = None
        if self.needs_input_grad(1):
            grad_x = t(mm(y, t(grad))) if self.x_column_major else mm(grad, t(y))
        if self.needs_input_grad(2):
            grad_y = t(mm(t(grad), x)) if self.y_column_major else mm(t(x), grad)
        return (_times(grad, self.beta) if self.needs_input_grad(0) else None,
                None if grad_x is None else _times(grad_x, self.alpha),
                None if grad_y is None else _times(grad_y, self.alpha))


def _type_name(value: Tensor) -> str:
    return LEGACY_TYPE_NAMES[value._data.dtype.name]


def addmm(input: Tensor, mat1: Tensor, mat2: Tensor, *, beta: Any = 1,
          alpha: Any = 1) -> Tensor:
    """``beta * input + alpha * (mat1 @ mat2)``, one op: ``input`` (a bias)
    broadcasts to the product's shape, and is ignored when ``beta`` is 0."""
    check_tensors("addmm", input=input, mat1=mat1, mat2=mat2)
    for name, matrix in (("mat1", mat1), ("mat2", mat2)):
        if matrix.dim() != 2:
            raise RuntimeError(f"{name} must be a matrix, got {matrix.dim()}-D tensor")
    if mat1.dtype != mat2.dtype:
        raise RuntimeError("mat1 and mat2 must have the same dtype, but got "
                           f"{_type_name(mat1)} and {_type_name(mat2)}")
    (n, m), (k, p) = mat1.shape, mat2.shape
    if m != k:
        raise RuntimeError(f"mat1 and mat2 shapes cannot be multiplied ({n}x{m} and {k}x{p})")
    if input.dtype != mat2.dtype:
        raise RuntimeError("self and mat2 must have the same dtype, but got "
                           f"{_type_name(input)} and {_type_name(mat2)}")
    shift = expand(input.detach(), (n, p))._data  # raises PyTorch's error if it cannot
    if mat1._data.dtype == np.bool_:
        raise NotImplementedError("\"addmm_impl_cpu_\" not implemented for 'Bool'")
    scalar = mat1._data.dtype.type
    with np.errstate(all="ignore"):
        if alpha == 1 and beta == 1 and exact_linalg.exact_applies(mat1._data, mat2._data):
            data = exact_linalg.mm(mat1._data, mat2._data, shift)  # the bias first, as MKL
        else:
            data = matrix_product(mat1._data, mat2._data)
            if alpha != 1:
                data = data * scalar(alpha)
            if beta != 0:
                data = data + (shift if beta == 1 else shift * scalar(beta))
    return record(AddmmBackward0, np.asarray(data, mat1._data.dtype), (input, mat1, mat2),
                  saved=(mat1 if mat2._requires_grad else None,
                         mat2 if mat1._requires_grad else None),
                  beta=beta, alpha=alpha, x_column_major=_column_major(mat1),
                  y_column_major=_column_major(mat2))
