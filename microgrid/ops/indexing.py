"""Indexing: ``x[1]``, ``x[1:3]``, ``x[None]``, ``x[...]``, ``x[[0, 2]]``, ``x[x > 0]``.

PyTorch counterpart: ``Tensor.__getitem__``
(``torch/csrc/autograd/python_variable_indexing.cpp``, ``ATen/TensorIndexing.h``),
``Tensor.select`` / ``narrow`` and ``torch.index``; nodes ``SelectBackward0``,
``SliceBackward0``, ``IndexBackward0``, and the nodes of their backward,
``SelectBackwardBackward0``, ``SliceBackwardBackward0``, ``IndexPutImplBackward0``.

``x[index]`` is read as a tuple of parts (a bare index is a 1-tuple) and
computed the way PyTorch computes it, so the graph is PyTorch's node for node:

1. *basic* parts are applied left to right, each as a view of the previous
   result: an int selects (``SelectBackward0``, the dim disappears), a slice
   narrows (``SliceBackward0``; a slice written as the whole dim, like ``:``
   or ``0:100``, is skipped, except when the index is a lone slice), ``None``
   inserts a dim (``UnsqueezeBackward0``), ``...`` skips over the dims no
   other part names;
2. *advanced* parts (integer lists or tensors, boolean masks, and a bare
   ``True``/``False``) are collected with the dim they apply to, and applied
   at the end in one gathering copy (``IndexBackward0``), with NumPy's rules
   for where the indexed dims go;
3. an index that did nothing (``x[...]``, ``x[:, :]``) still returns a new
   tensor, an alias (``AliasBackward0``).

The backward of a view is the inverse placement: the gradient of
``x.select(0, i)`` is zeros of ``x``'s shape with ``grad`` written at row
``i``, and that placement is itself an op, so double backward works.  The
backward of a gather *adds* ``grad`` at the indices (``x[[0, 0]]`` uses row
0 twice, so row 0 receives both gradients).

Read next: ``linalg.py``.
"""

from __future__ import annotations

import math
import operator
import warnings
from typing import Any, List, Tuple, Union

import numpy as np

from .. import _creation, _messages
from .._tensor import Tensor, _wrap_dim
from ..autograd.graph import Node, record
from .shape import alias, unsqueeze

#: The position along one dim: an int (select) or a slice with step > 0.
Part = Union[int, slice]
#: Advanced indices: (dim, array) pairs, the array an integer index or a mask
#: (bool or, deprecated, uint8) covering as many dims as it has.
Indices = Tuple[Tuple[int, np.ndarray], ...]


def _along(dim: int, part: Part) -> Tuple[Any, ...]:
    """The NumPy index for ``part`` along ``dim`` (the trailing ``...`` makes
    NumPy return a 0-d view rather than a scalar copy when no dim is left)."""
    return (slice(None),) * dim + (part, Ellipsis)


# -- select and slice: views along one dim --------------------------------------
def _take(node_class: Any, input: Tensor, dim: int, part: Part) -> Tensor:
    """The view ``input[..., part]`` along ``dim``, recorded as ``node_class``."""
    return record(node_class, input._data[_along(dim, part)], (input,), view_of=input,
                  input_shape=input._data.shape, dim=dim, part=part)


def _embed(node_class: Any, grad: Tensor, shape: Tuple[int, ...], dim: int,
           part: Part) -> Tensor:
    """Zeros of ``shape`` with ``grad`` written at ``part`` along ``dim``."""
    data = np.zeros(shape, grad._data.dtype)
    data[_along(dim, part)] = grad._data
    return record(node_class, data, (grad,), dim=dim, part=part)


class SelectBackward0(Node):
    """z = x.select(d, i);   dL/dx = zeros of x's shape with grad at index i of dim d"""

    #: Set by record().
    input_shape: Tuple[int, ...]
    dim: int
    part: Any

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (_embed(SelectBackwardBackward0, grad, self.input_shape, self.dim, self.part),)


class SelectBackwardBackward0(Node):
    """z = zeros with x written at index i of dim d;   dL/dx = grad.select(d, i)"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (_take(SelectBackward0, grad, self.dim, self.part),)


class SliceBackward0(Node):
    """z = x[start:stop:step] along dim d;   dL/dx = zeros of x's shape with
    grad at start:stop:step of dim d"""

    #: Set by record().
    input_shape: Tuple[int, ...]
    dim: int
    part: Any

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (_embed(SliceBackwardBackward0, grad, self.input_shape, self.dim, self.part),)


class SliceBackwardBackward0(Node):
    """z = zeros with x written at start:stop:step of dim d;
    dL/dx = grad[start:stop:step] along dim d"""

    #: Set by record().
    dim: int
    part: Any

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (_take(SliceBackward0, grad, self.dim, self.part),)


def select(input: Tensor, dim: int, index: int) -> Tensor:
    """The view of ``input`` at ``index`` along ``dim`` (that dim disappears)."""
    shape = input._data.shape
    if not shape:
        raise IndexError("select() cannot be applied to a 0-dim tensor.")
    d = _wrap_dim(dim, len(shape))
    if not -shape[d] <= index < shape[d]:
        raise IndexError(f"select(): index {index} out of range for tensor of size "
                         f"{list(shape)} at dimension {d}")
    return _take(SelectBackward0, input, d, index % shape[d])


def narrow(input: Tensor, dim: int, start: int, length: int) -> Tensor:
    """The view of ``length`` entries of ``input`` from ``start`` along ``dim``."""
    if input._data.ndim == 0:
        raise RuntimeError("narrow() cannot be applied to a 0-dim tensor.")
    if length < 0:
        raise RuntimeError("narrow(): length must be non-negative.")
    d = _wrap_dim(dim, input._data.ndim)
    size = input._data.shape[d]
    if not -size <= start <= size:
        raise IndexError(f"start out of range (expected to be in range of [{-size}, {size}], "
                         f"but got {start})")
    start = start + size if start < 0 else start
    if start > size - length:
        raise RuntimeError(f"start ({start}) + length ({length}) exceeds dimension size "
                           f"({size}).")
    return _take(SliceBackward0, input, d, slice(start, start + length, 1))


# -- advanced indexing: a gathering copy ----------------------------------------
class IndexBackward0(Node):
    """z = x[indices] (elements gathered into a new tensor);
    dL/dx = zeros of x's shape with grad *added* at indices (an element
    gathered twice gets both gradients)"""

    #: Set by record().
    indices: Any
    input_shape: Tuple[int, ...]

    def backward(self, grad: Tensor) -> Tuple[Any]:
        zeros = Tensor._make(np.zeros(self.input_shape, grad._data.dtype))
        return (index_put_accumulate(zeros, self.indices, grad),)


class IndexPutImplBackward0(Node):
    """z = x with v added at indices;   dL/dx = grad;   dL/dv = grad[indices]"""

    #: Set by record().
    indices: Any

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        return (grad if self.needs_input_grad(0) else None,
                gather(grad, self.indices) if self.needs_input_grad(1) else None)


def gather(input: Tensor, indices: Indices) -> Tensor:
    """``input`` at checked advanced ``indices``, as a new tensor."""
    return record(IndexBackward0, input._data[_numpy_key(indices)], (input,), indices=indices,
                  input_shape=input._data.shape)


def index_put_accumulate(input: Tensor, indices: Indices, values: Tensor) -> Tensor:
    """A copy of ``input`` with ``values`` added at ``indices`` (repeated
    positions add up): PyTorch's ``index_put(..., accumulate=True)``."""
    data = input._data.copy()
    np.add.at(data, _numpy_key(indices), values._data.astype(data.dtype, copy=False))
    return record(IndexPutImplBackward0, data, (input, values), indices=indices)


def _is_mask(array: np.ndarray) -> bool:
    return array.dtype in (np.bool_, np.uint8)


def _positions(indices: Indices) -> List[Tuple[int, np.ndarray]]:
    """Every mask replaced by the integer positions of its True entries (a
    k-d mask becomes k index arrays, for the k dims it covers)."""
    expanded = []
    for dim, array in indices:
        if _is_mask(array):
            expanded.extend((dim + j, p) for j, p in enumerate(np.nonzero(array)))
        else:
            expanded.append((dim, array))
    return expanded


def _numpy_key(indices: Indices) -> Tuple[Union[np.ndarray, slice], ...]:
    """The NumPy index for advanced ``indices`` (``slice(None)`` for the dims
    between them).  Like PyTorch, warns at every use of a uint8 mask."""
    if any(array.dtype == np.uint8 for _, array in indices):
        warnings.warn("indexing with dtype torch.uint8 is now deprecated, please use a dtype "
                      "torch.bool instead. (Triggered internally at "
                      "/__w/pytorch/pytorch/aten/src/ATen/native/IndexingUtils.h:37.)",
                      UserWarning, stacklevel=4)
    positions = _positions(indices)
    key: List[Union[np.ndarray, slice]] = [slice(None)] * (max(d for d, _ in positions) + 1)
    for dim, array in positions:
        key[dim] = array
    return tuple(key)


def _check_indices(shape: Tuple[int, ...], indices: Indices) -> Indices:
    """PyTorch's checks of advanced indices against the ``shape`` they index;
    returns the indices to gather with.  PyTorch checks each index as it
    gathers an element: if the result has no elements, no index is checked
    (``zeros(2, 0)[tensor([5])]`` is an empty tensor), and microgrid then
    gathers with zeros in place of the unchecked integer indices."""
    for dim, array in indices:
        if array.dtype not in (np.int64, np.int32, np.uint8, np.bool_):
            raise IndexError("tensors used as indices must be long, int, byte or bool tensors")
        for j, size in enumerate(array.shape if _is_mask(array) else ()):
            if dim + j >= len(shape) or shape[dim + j] != size:
                raise IndexError(
                    f"The shape of the mask {list(array.shape)} at index {j} does not match the "
                    f"shape of the indexed tensor {list(shape)} at index {dim + j}")
    positions = _positions(indices)
    arrays = [array for _, array in positions]
    try:
        broadcast = np.broadcast_arrays(*arrays)
    except ValueError:
        raise IndexError("shape mismatch: indexing tensors could not be broadcast together "
                         "with shapes " + ", ".join(str(list(a.shape)) for a in arrays)) from None
    covered = {d for d, _ in positions}
    if broadcast[0].size * math.prod(n for d, n in enumerate(shape) if d not in covered) == 0:
        return tuple((d, a if _is_mask(a) or not shape[d] else np.zeros_like(a))
                     for d, a in indices)
    if any(shape[d] == 0 for d in covered):
        raise IndexError("index is out of bounds for dimension with size 0")
    bad = [(a < -shape[d]) | (a >= shape[d])
           for (d, _), a in zip(positions, broadcast, strict=True)]
    if bad and np.any(bad):
        element = int(np.argmax(np.any(bad, axis=0)))  # the first bad element, PyTorch's order
        j = next(j for j, b in enumerate(bad) if b.flat[element])
        # PyTorch numbers the dimension among the index arrays, not the tensor's dims.
        raise IndexError(f"index {broadcast[j].flat[element]} is out of bounds for dimension "
                         f"{j} with size {shape[positions[j][0]]}")
    return indices


# -- x[index] -------------------------------------------------------------------
def _is_sequence(value: Any) -> bool:
    """A Python sequence PyTorch reads as an index list (a ``range`` is one too)."""
    return isinstance(value, (list, tuple, np.ndarray, str, range))


def as_parts(index: Any) -> Tuple[Any, ...]:
    """The index as a tuple of parts.  A list is one advanced part, unless it
    holds slices, ``...``, ``None``, sequences or tensors: then (NumPy's old
    rule, deprecated) it is read as a tuple.  Also used by ``inplace``'s
    assignment to split a mixed index."""
    if isinstance(index, tuple):
        return index
    if isinstance(index, (list, np.ndarray)) and len(index) < 32:
        for item in index:
            if isinstance(item, (Tensor, slice)) or _is_sequence(item) or item is None \
                    or item is Ellipsis:
                warnings.warn(_messages.SEQUENCE_INDEX_WARNING, UserWarning, stacklevel=4)
                return tuple(index)
    return (index,)


def _index_array(part: Any) -> np.ndarray:
    """A tensor or a (nested) sequence used as an index, as a NumPy array:
    boolean stays boolean, numbers become int64 (floats truncated)."""
    if isinstance(part, Tensor):
        return part._data
    array = _creation._array_from_data(part)
    return array if _is_mask(array) else array.astype(np.int64)


def classify(part: Any) -> Tuple[str, Any]:
    """(kind, value) for one part: kind is 'int', 'slice', 'none', 'ellipsis',
    'bool' or 'array'.  Also used by ``inplace``'s assignment."""
    if isinstance(part, bool):
        return "bool", part
    if isinstance(part, (int, np.integer)):
        return "int", int(part)
    if isinstance(part, slice):
        return "slice", part
    if part is None:
        return "none", None
    if part is Ellipsis:
        return "ellipsis", None
    if isinstance(part, Tensor) or _is_sequence(part):
        array = _index_array(part)
        if array.ndim == 0 and array.dtype.kind in "iu":
            return "int", int(array)
        if array.ndim == 0 and array.dtype == np.bool_:
            return "bool", bool(array)
        return "array", array
    name = type(part).__qualname__
    if type(part).__module__ != "builtins":
        name = f"{type(part).__module__}.{name}"
    raise IndexError("only integers, slices (`:`), ellipsis (`...`), None and long or byte "
                     f"Variables are valid indices (got {name})")


def dims_used(kind: str, value: Any) -> int:
    """How many dims of the input a part (as ``classify`` gives it) consumes.
    Also used by ``inplace``'s assignment."""
    if kind in ("int", "slice"):
        return 1
    if kind == "array":
        return value.ndim if _is_mask(value) else 1
    return 0


def _slice_bounds(part: slice, size: int) -> Tuple[slice, bool]:
    """A slice with its bounds clamped to ``size``, as PyTorch clamps them,
    and whether PyTorch sees it as the whole dim (written from 0, to at
    least ``size``, step 1: such a slice is skipped inside a tuple index)."""
    step = 1 if part.step is None else operator.index(part.step)
    if step == 0:
        raise ValueError("slice step cannot be zero")
    if step < 0:
        raise ValueError("step must be greater than zero")
    start, stop = (None if v is None else operator.index(v) for v in (part.start, part.stop))
    whole = (start or 0) == 0 and (stop is None or stop >= size) and step == 1
    start, stop, _ = slice(start, stop).indices(size)
    return slice(start, max(start, stop), step), whole


def getitem(input: Tensor, index: Any) -> Tensor:
    """``input[index]`` (see the module docstring for the steps)."""
    lone_slice = isinstance(index, slice)  # never skipped, even when it is ':'
    if isinstance(index, (int, np.integer)) and not isinstance(index, bool) \
            and input._data.ndim == 0:
        raise IndexError("invalid index of a 0-dim tensor. Use `tensor.item()` in Python or "
                         "`tensor.item<T>()` in C++ to convert a 0-dim tensor to a number")
    if lone_slice and input._data.ndim == 0:
        raise IndexError("slice() cannot be applied to a 0-dim tensor.")
    parts = [classify(part) for part in as_parts(index)]
    ndim = input._data.ndim
    specified = sum(dims_used(kind, value) for kind, value in parts)
    if specified > ndim:
        raise IndexError(f"too many indices for tensor of dimension {ndim}")
    result, dim = input, 0
    advanced: List[Tuple[int, np.ndarray]] = []
    for position, (kind, value) in enumerate(parts):
        if kind == "int":
            size = result._data.shape[dim]
            if not -size <= value < size:
                raise IndexError(f"index {value} is out of bounds for dimension {position} "
                                 f"with size {size}")
            result = _take(SelectBackward0, result, dim, value % size)
        elif kind == "slice":
            bounds, whole = _slice_bounds(value, result._data.shape[dim])
            if lone_slice or not whole:
                result = _take(SliceBackward0, result, dim, bounds)
            dim += 1
        elif kind == "none":
            result = unsqueeze(result, dim)
            dim += 1
        elif kind == "ellipsis":
            dim += ndim - specified
        elif kind == "bool":  # a new dim of size 1, kept (True) or emptied (False)
            result = unsqueeze(result, dim)
            advanced.append((dim, np.zeros(1 if value else 0, np.int64)))
            dim += 1
        else:
            advanced.append((dim, value))
            dim += dims_used(kind, value)
    if advanced:
        return gather(result, _check_indices(result._data.shape, tuple(advanced)))
    return alias(input) if result is input else result
