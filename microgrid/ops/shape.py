"""Shape ops: views that re-describe the same numbers, and the copies that join tensors.

PyTorch counterpart: ``Tensor.view`` / ``reshape`` / ``flatten`` / ``transpose``
/ ``t`` / ``permute`` / ``squeeze`` / ``unsqueeze`` / ``expand`` /
``contiguous`` / ``unbind`` and ``torch.cat`` / ``torch.stack``
(``aten/src/ATen/native/TensorShape.cpp``), with their nodes ``ViewBackward0``,
``TransposeBackward0``, ``CatBackward0`` ...

Most of these ops move no numbers: the result is a *view*, a NumPy view of
the input's array with other shape and strides, so it shares the input's
storage and its version counter (``record(..., view_of=input)``).  Their
backward only has to put the gradient back into the input's layout, and it
does so with the inverse view: the gradient of ``x.transpose(0, 1)`` is
``grad.transpose(0, 1)``, of ``x.unsqueeze(d)`` is ``grad.squeeze(d)``.

Whether a view is possible depends on the strides, as in PyTorch: ``view``
of a transposed matrix fails, ``reshape`` then copies (``CloneBackward0``)
and reinterprets the copy (``UnsafeViewBackward0``).  NumPy applies the same
rule (``np.reshape(..., copy=False)`` fails exactly when PyTorch's ``view``
does), so microgrid asks NumPy.

``cat`` and ``stack`` copy: their backward cuts the gradient back into the
pieces (``narrow`` for cat, ``select`` for stack, see ``indexing.py``).

Read next: ``indexing.py``.
"""

from __future__ import annotations

import warnings
from functools import reduce
from typing import Any, Iterator, List, Optional, Sequence, Set, Tuple, Union

import numpy as np

from .._dtype import LEGACY_TYPE_NAMES
from .._kernels import broadcast_view
from .._promotion import promote_types
from .._tensor import Tensor, _wrap_dim
from ..autograd.graph import MultiOutputNode, Node, record, record_outputs
from ..autograd.input_metadata import sum_to_shape
from .pointwise import contiguous_copy


def size_args(sizes: Tuple[Any, ...]) -> Tuple[int, ...]:
    """Sizes given either as ``f(2, 3)`` or as ``f((2, 3))``."""
    if len(sizes) == 1 and isinstance(sizes[0], (tuple, list)):
        sizes = tuple(sizes[0])
    return tuple(map(int, sizes))


_warned: Set[str] = set()


def warn_once(message: str) -> None:
    """PyTorch's ``TORCH_WARN_ONCE``: a UserWarning the first time only, per
    process.  (Warnings from PyTorch's C++ core end with where they were
    raised; microgrid's messages repeat that ending, to print the same.)"""
    if message not in _warned:
        _warned.add(message)
        warnings.warn(message, UserWarning, stacklevel=3)


# -- expand -------------------------------------------------------------------
class ExpandBackward0(Node):
    """z = x broadcast to a larger shape;   dL/dx = grad summed over the
    broadcast dims (each element of x was used that many times)"""

    #: Set by record().
    input_shape: Tuple[int, ...]

    saved_fields = {"self_sym_sizes": "input_shape"}

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (sum_to_shape(grad, self.input_shape),)


def expand(input: Tensor, *sizes: Any) -> Tensor:
    """A broadcast view of ``input`` with shape ``sizes`` (-1 keeps a dim)."""
    target = size_args(sizes)
    shape = input._data.shape
    lead = len(target) - len(shape)
    if lead < 0:
        raise RuntimeError(
            f"expand(torch.{LEGACY_TYPE_NAMES[input._data.dtype.name]}Tensor{{{list(shape)}}}, "
            f"size={list(target)}): the number of sizes provided ({len(target)}) must be "
            f"greater or equal to the number of dimensions in the tensor ({len(shape)})")
    full = list(target)
    # Checked from the last dim to the first, as PyTorch does (its error names
    # the last mismatching dim).
    for i in reversed(range(len(target))):
        old = shape[i - lead] if i >= lead else 1
        if target[i] == -1:
            if i < lead:
                raise RuntimeError(f"The expanded size of the tensor (-1) isn't allowed in a "
                                   f"leading, non-existing dimension {i}")
            full[i] = old
        if old != full[i] and old != 1:
            raise RuntimeError(
                f"The expanded size of the tensor ({full[i]}) must match the existing size "
                f"({old}) at non-singleton dimension {i}.  Target sizes: {list(target)}.  "
                f"Tensor sizes: {list(shape)}")
    data = broadcast_view(input._data, tuple(full))
    return record(ExpandBackward0, data, (input,), view_of=input, input_shape=shape)


def expand_as(input: Tensor, other: Tensor) -> Tensor:
    """``input`` broadcast to ``other``'s shape (a view)."""
    return expand(input, other.shape)


# -- view / reshape / flatten ---------------------------------------------------
class ViewBackward0(Node):
    """z = x with a new shape (same elements, same order);
    dL/dx = grad reshaped to x's shape"""

    #: Set by record().
    input_shape: Tuple[int, ...]

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (grad.reshape(self.input_shape),)


class ReshapeAliasBackward0(ViewBackward0):
    """z = x (not contiguous, but its strides allow it) seen with a new shape;
    dL/dx = grad reshaped to x's shape"""

    #: Set by record().
    input_shape: Tuple[int, ...]


class UnsafeViewBackward0(ViewBackward0):
    """z = a fresh copy of x seen with a new shape (what ``reshape`` does when
    no view is possible, and ``matmul`` to unfold its batch dims);
    dL/dx = grad reshaped to x's shape"""

    #: Set by record().
    input_shape: Tuple[int, ...]


def _new_shape(input: Tensor, sizes: Tuple[Any, ...]) -> Tuple[int, ...]:
    """The requested shape with its one ``-1`` filled in, checked like torch."""
    shape = size_args(sizes)
    count = input._data.size
    known, inferred = 1, None
    for i, size in enumerate(shape):
        if size == -1:
            if inferred is not None:
                raise RuntimeError("only one dimension can be inferred")
            inferred = i
        elif size < 0:
            raise RuntimeError(f"invalid shape dimension {size} at index {i} of shape "
                               f"{list(shape)}")
        else:
            known *= size
    if count == known and inferred is None:
        return shape
    if inferred is None or (known == 0 and count != 0) or (known and count % known):
        raise RuntimeError(f"shape '{list(shape)}' is invalid for input of size {count}")
    if known == 0:
        raise RuntimeError(
            f"cannot reshape tensor of 0 elements into shape {list(shape)} because the "
            "unspecified dimension size -1 can be any value and is ambiguous")
    return shape[:inferred] + (count // known,) + shape[inferred + 1:]


def _as_view(data: np.ndarray, shape: Tuple[int, ...]) -> Optional[np.ndarray]:
    """``data`` seen with ``shape`` without copying, or None if the strides forbid it."""
    try:
        return np.reshape(data, shape, copy=False)
    except ValueError:
        return None


def view(input: Tensor, *sizes: Any) -> Tensor:
    """The same storage seen with a new shape; fails if that needs a copy."""
    if not sizes:
        raise TypeError("view() received an invalid combination of arguments - got (), but "
                        "expected one of:\n * (torch.dtype dtype)\n * (tuple of ints size)\n")
    shape = _new_shape(input, sizes)
    data = _as_view(input._data, shape)
    if data is None:
        raise RuntimeError(
            "view size is not compatible with input tensor's size and stride (at least one "
            "dimension spans across two contiguous subspaces). Use .reshape(...) instead.")
    return record(ViewBackward0, data, (input,), view_of=input, input_shape=input._data.shape)


def unsafe_view(input: Tensor, shape: Tuple[int, ...]) -> Tensor:
    """PyTorch's ``_unsafe_view``: ``input`` (a fresh, contiguous result that
    nobody else sees) reinterpreted with ``shape``; not tracked as a view."""
    return record(UnsafeViewBackward0, input._data.reshape(shape), (input,),
                  input_shape=input._data.shape)


def reshape(input: Tensor, *sizes: Any) -> Tensor:
    """``input`` with a new shape: a view when the strides allow one (recorded
    as ``view`` for a contiguous input, else as PyTorch's ``_reshape_alias``),
    otherwise a contiguous copy seen with that shape."""
    if not sizes:
        raise TypeError('reshape() missing 1 required positional arguments: "shape"')
    shape = _new_shape(input, sizes)
    if input._data.flags.c_contiguous:
        return view(input, shape)
    data = _as_view(input._data, shape)
    if data is not None:
        return record(ReshapeAliasBackward0, data, (input,), view_of=input,
                      input_shape=input._data.shape)
    return unsafe_view(contiguous(input), shape)


def flatten(input: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Dims ``start_dim`` to ``end_dim`` merged into one (``input`` itself if
    that is a single dim)."""
    shape = input._data.shape
    start, end = _wrap_dim(start_dim, len(shape)), _wrap_dim(end_dim, len(shape))
    if not shape:
        return reshape(input, 1)
    if start > end:
        raise RuntimeError("flatten() has invalid args: start_dim cannot come after end_dim")
    if start == end:
        return input
    merged = int(np.prod(shape[start:end + 1]))
    return reshape(input, shape[:start] + (merged,) + shape[end + 1:])


def contiguous(input: Tensor) -> Tensor:
    """``input`` if its elements are laid out in row-major order, else a copy that is."""
    if input._data.flags.c_contiguous:
        return input
    return contiguous_copy(input)


# -- transpose / t / permute ----------------------------------------------------
class TransposeBackward0(Node):
    """z = x with dims d0 and d1 swapped;   dL/dx = grad with d0 and d1 swapped back"""

    #: Set by record().
    dim0: int
    dim1: int

    saved_fields = {"dim0": "dim0", "dim1": "dim1"}

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (grad.transpose(self.dim0, self.dim1),)


def transpose(input: Tensor, dim0: int, dim1: int) -> Tensor:
    """A view with dims ``dim0`` and ``dim1`` swapped."""
    ndim = input._data.ndim
    d0, d1 = _wrap_dim(dim0, ndim), _wrap_dim(dim1, ndim)
    data = np.swapaxes(input._data, d0, d1) if ndim else input._data.view()
    return record(TransposeBackward0, data, (input,), view_of=input, dim0=d0, dim1=d1)


class TBackward0(Node):
    """z = x^T (a matrix, or a vector/scalar left as it is);   dL/dx = grad^T"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (grad.t(),)


def t(input: Tensor) -> Tensor:
    """The transpose of a matrix (a view); 0-d and 1-d tensors come back as they are."""
    ndim = input._data.ndim
    if ndim > 2:
        raise RuntimeError(f"t() expects a tensor with <= 2 dimensions, but self is {ndim}D")
    return record(TBackward0, input._data.T, (input,), view_of=input)


def matrix_transpose(input: Tensor) -> Tensor:
    """``x.mT``: the last two dims swapped (a batch of matrices, each transposed)."""
    if input._data.ndim < 2:
        raise RuntimeError("tensor.mT is only supported on matrices or batches of matrices. "
                           f"Got {input._data.ndim}-D tensor.")
    return transpose(input, -2, -1)


class PermuteBackward0(Node):
    """z = x with its dims reordered by ``dims``;   dL/dx = grad reordered by
    the inverse permutation"""

    #: Set by record().
    dims: Tuple[int, ...]

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (grad.permute(tuple(np.argsort(self.dims).tolist())),)


def permute(input: Tensor, *dims: Any) -> Tensor:
    """A view whose dim ``i`` is ``input``'s dim ``dims[i]``."""
    if not dims:
        raise TypeError('permute() missing 1 required positional arguments: "dims"')
    order = size_args(dims)
    ndim = input._data.ndim
    if len(order) != ndim:
        raise RuntimeError(
            "permute(sparse_coo): number of dimensions in the tensor input does not match the "
            "length of the desired ordering of dimensions i.e. input.dim() = "
            f"{ndim} is not equal to len(dims) = {len(order)}")
    wrapped: List[int] = []
    for d in order:
        d = _wrap_dim(d, ndim)
        if d in wrapped:
            raise RuntimeError("permute(): duplicate dims are not allowed.")
        wrapped.append(d)
    data = np.transpose(input._data, wrapped)
    return record(PermuteBackward0, data, (input,), view_of=input, dims=tuple(wrapped))


def numpy_t(input: Tensor) -> Tensor:
    """``x.T``: all dims reversed (deprecated by PyTorch for anything but matrices)."""
    ndim = input._data.ndim
    if ndim == 0:
        warn_once("Tensor.T is deprecated on 0-D tensors. This function is the identity in "
                  "these cases. (Triggered internally at "
                  "/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4321.)")
    elif ndim != 2:
        warn_once(
            "The use of `x.T` on tensors of dimension other than 2 to reverse their shape is "
            "deprecated and it will throw an error in a future release. Consider `x.mT` to "
            "transpose batches of matrices or `x.permute(*torch.arange(x.ndim - 1, -1, -1))` "
            "to reverse the dimensions of a tensor. (Triggered internally at "
            "/__w/pytorch/pytorch/aten/src/ATen/native/TensorShape.cpp:4314.)")
    return permute(input, tuple(range(ndim - 1, -1, -1)))


# -- squeeze / unsqueeze ------------------------------------------------------
class SqueezeBackward0(Node):
    """z = x without its size-1 dims;   dL/dx = grad with those dims put back"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        for d in self.removed:  # increasing order: each lands where it was
            grad = grad.unsqueeze(d)
        return (grad,)


class SqueezeBackward1(SqueezeBackward0):
    """z = x without dim d (if its size is 1);   dL/dx = grad with dim d put back"""


class SqueezeBackward2(SqueezeBackward0):
    """z = x without those of ``dims`` whose size is 1;   dL/dx = grad with
    them put back"""


def squeeze(input: Tensor, dim: Union[None, int, Sequence[int]] = None) -> Tensor:
    """A view without size-1 dims: all of them, or those among ``dim``."""
    from .reduction import reduction_dims

    shape = input._data.shape
    if dim is None:
        node_class, dims = SqueezeBackward0, tuple(range(len(shape)))
    else:
        node_class = SqueezeBackward1 if isinstance(dim, int) else SqueezeBackward2
        dims = reduction_dims(dim, len(shape)) if isinstance(dim, int) or len(dim) else ()
    removed = tuple(sorted(d for d in dims if shape and shape[d] == 1))
    data = np.squeeze(input._data, axis=removed) if removed else input._data.view()
    return record(node_class, data, (input,), view_of=input, removed=removed)


class UnsqueezeBackward0(Node):
    """z = x with a new size-1 dim d;   dL/dx = grad without dim d"""

    #: Set by record().
    dim: int

    saved_fields = {"dim": "dim"}

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (grad.squeeze(self.dim),)


def unsqueeze(input: Tensor, dim: int) -> Tensor:
    """A view with a new dim of size 1 at ``dim``."""
    d = _wrap_dim(dim, input._data.ndim + 1)
    return record(UnsqueezeBackward0, np.expand_dims(input._data, d), (input,),
                  view_of=input, dim=d)


# -- alias ----------------------------------------------------------------------
class AliasBackward0(Node):
    """z = x (a new tensor object on the same storage);   dL/dx = grad"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (grad,)


def alias(input: Tensor) -> Tensor:
    """A new view of all of ``input`` (what ``x[...]`` returns)."""
    return record(AliasBackward0, input._data.view(), (input,), view_of=input)


# -- cat / stack / unbind -------------------------------------------------------
def _check_tensor_list(tensors: Any, op: str) -> List[Tensor]:
    if isinstance(tensors, Tensor) or not isinstance(tensors, (tuple, list)):
        raise TypeError(f"{op}(): argument 'tensors' (position 1) must be tuple of Tensors, "
                        f"not {type(tensors).__name__}")
    for i, value in enumerate(tensors):
        if not isinstance(value, Tensor):
            raise TypeError(f"expected Tensor as element {i} in argument 0, but got "
                            f"{type(value).__name__}")
    return list(tensors)


def _common_dtype(tensors: Sequence[Tensor]) -> np.dtype:
    return reduce(promote_types, (t._data.dtype for t in tensors))


def _is_legacy_empty(tensor: Tensor) -> bool:
    """A 1-d empty tensor: ``cat`` skips it whatever the other shapes (old PyTorch habit)."""
    return tensor._data.shape == (0,)


class CatBackward0(Node):
    """z = [x_0, x_1, ...] joined along dim d;   dL/dx_i = the slice of grad
    where x_i was put"""

    #: Set by record().
    shapes: Tuple[Tuple[int, ...], ...]
    dim: int

    def backward(self, grad: Tensor) -> Tuple[Any, ...]:
        grads: List[Any] = []
        offset = 0
        for i, shape in enumerate(self.shapes):
            if shape == (0,):  # skipped by the forward pass
                grads.append(Tensor._make(np.zeros(0, grad._data.dtype)))
                continue
            size = shape[self.dim]
            grads.append(grad.narrow(self.dim, offset, size) if self.needs_input_grad(i)
                         else None)
            offset += size
        return tuple(grads)


def cat(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """The tensors joined along an existing dim ``dim`` (their dtypes promoted)."""
    tensors = _check_tensor_list(tensors, "cat")
    if not tensors:
        raise ValueError("torch.cat(): expected a non-empty list of Tensors")
    for i, t in enumerate(tensors):
        if t._data.ndim == 0:
            raise RuntimeError(f"zero-dimensional tensor (at position {i}) cannot be "
                               "concatenated")
    kept = [(i, t) for i, t in enumerate(tensors) if not _is_legacy_empty(t)]
    out_dtype = _common_dtype(tensors)
    if not kept:
        data = np.zeros(0, out_dtype)
        return record(CatBackward0, data, tensors, shapes=[(0,)] * len(tensors), dim=0)
    first = kept[0][1]._data.shape
    d = _wrap_dim(dim, len(first))
    for i, t in kept:
        shape = t._data.shape
        if len(shape) != len(first):
            raise RuntimeError(f"Tensors must have same number of dimensions: got {len(first)} "
                               f"and {len(shape)}")
        for axis, (a, b) in enumerate(zip(first, shape, strict=True)):
            if axis != d and a != b:
                raise RuntimeError(
                    f"Sizes of tensors must match except in dimension {d}. Expected size {a} "
                    f"but got size {b} for tensor number {i} in the list.")
    data = np.concatenate([t._data.astype(out_dtype, copy=False) for _, t in kept], axis=d)
    return record(CatBackward0, data, tensors, shapes=[t._data.shape for t in tensors], dim=d)


class StackBackward0(Node):
    """z = [x_0, x_1, ...] stacked along a new dim d;   dL/dx_i = grad.select(d, i)"""

    #: Set by record().
    dim: int

    def backward(self, grad: Tensor) -> Tuple[Any, ...]:
        return tuple(grad.select(self.dim, i) if self.needs_input_grad(i) else None
                     for i in range(len(self.next_functions)))


def stack(tensors: Sequence[Tensor], dim: int = 0) -> Tensor:
    """Tensors of one shape stacked along a new dim ``dim`` (their dtypes promoted)."""
    tensors = _check_tensor_list(tensors, "stack")
    if not tensors:
        raise RuntimeError("stack expects a non-empty TensorList")
    first = tensors[0]._data.shape
    d = _wrap_dim(dim, len(first) + 1)
    for i, t in enumerate(tensors):
        if t._data.shape != first:
            raise RuntimeError(
                f"stack expects each tensor to be equal size, but got {list(first)} at entry 0 "
                f"and {list(t._data.shape)} at entry {i}")
    out_dtype = _common_dtype(tensors)
    data = np.stack([t._data.astype(out_dtype, copy=False) for t in tensors], axis=d)
    return record(StackBackward0, data, tensors, dim=d)


class UnbindBackward0(MultiOutputNode):
    """z_i = x.select(d, i) for every i, one node with an output per piece;
    dL/dx = the pieces' gradients stacked along d (zeros for a piece no
    gradient reached)"""

    #: Set by record().
    dim: int

    def backward(self, *grads: Tensor) -> Tuple[Any]:
        return (stack(list(grads), self.dim),)


def unbind(input: Tensor, dim: int = 0) -> Tuple[Tensor, ...]:
    """The slices of ``input`` along ``dim``, as views (outputs of one node)."""
    ndim = input._data.ndim
    if ndim == 0:
        raise IndexError("Dimension specified as 0 but tensor has no dimensions")
    d = _wrap_dim(dim, ndim)
    pieces = [input._data[(slice(None),) * d + (i, Ellipsis)]
              for i in range(input._data.shape[d])]
    return record_outputs(UnbindBackward0, pieces, (input,), view_of=input, dim=d)


def iterate(input: Tensor) -> Iterator[Tensor]:
    """``for row in x``: the rows of ``x`` (``unbind(x, 0)``)."""
    if input._data.ndim == 0:
        raise TypeError("iteration over a 0-d tensor")
    return iter(unbind(input, 0))
