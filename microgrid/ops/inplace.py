"""In-place ops: ``x.add_(y)``, ``x.copy_(y)``, ``x[i] = v`` ..., and how autograd survives them.

PyTorch counterpart: the in-place half of autograd, ``check_inplace`` and
``rebase_history`` (``torch/csrc/autograd/VariableTypeUtils.h``), ``CopySlices``
(``torch/csrc/autograd/functions/tensor.cpp``), the rebuilding of a view's
``grad_fn`` (``VariableHooks::grad_fn`` in ``variable.cpp``), the Python
``__setitem__`` (``python_variable_indexing.cpp``) and the nodes of the ops
that only exist in place (``CopyBackwards``, ``FillBackward2``, ``ZeroBackward0``).

An in-place op overwrites values that the graph may still need.  Three
mechanisms keep gradients right, or refuse loudly:

1. **Version counters.**  Every in-place op bumps the version of the storage
   it writes (views share their base's counter).  A node that saved a tensor
   remembers its version; if it changed by the time backward unpacks it,
   backward raises "one of the variables needed for gradient computation has
   been modified by an inplace operation" (``autograd/graph.py: Node.saved_tensors``).

2. **Rebasing history.**  ``y.mul_(w)`` is computed as ``y * w`` out of place,
   which records the same node as the out-of-place op (``MulBackward0``) with
   edges to ``y``'s *old* history; the result is written into ``y``'s storage
   and the node becomes ``y``'s new ``grad_fn``.  If the node saved ``y``
   itself (``mul`` needs it for ``w``'s gradient), it gets a copy of the old
   value instead, as PyTorch's ``original_self``.  A leaf that requires grad
   may not be changed in place while grad mode is on (it has no history to
   rebase; its ``.grad`` would be meaningless) except under ``no_grad``, which
   is how optimizers update weights.

3. **Views.**  Writing through a view ``v`` of ``base`` changes ``base``:
   ``base`` gets a ``CopySlices`` node, whose backward passes the gradient
   through unchanged except at the elements ``v`` sees, where it runs the
   in-place op's node.  Every view of ``base`` then gets a new ``grad_fn``,
   ``AsStridedBackward0``, the next time it is read: the view's values are
   now "the elements of ``base`` at these positions", whatever view op made it.
   Positions are flat (C-order) indices into ``base``, found from the NumPy
   strides (:func:`view_positions`).

``x[index] = value`` is ``copy_`` (or ``fill_``) into the view ``x[index]``
for basic indexing, and an ``IndexPutBackward0`` op for advanced indexing
(index lists, masks); the index itself is read by ``indexing.py``.

Read next: ``arguments.py``.
"""

from __future__ import annotations

import builtins
import warnings
from typing import Any, Callable, List, NamedTuple, Optional, Sequence, Tuple

import numpy as np

from .. import _messages
from .._dtype import LEGACY_TYPE_NAMES, refuse_barebones
from .._promotion import category
from .._tensor import Tensor
from ..autograd.grad_mode import _grad_mode, no_grad
from ..autograd.graph import Node, make_edge, record
from ..autograd.input_metadata import expandable, fit_gradient
from ..autograd.saved_variable import SavedOutput
from . import indexing, pointwise
from .shape import expand, view


# -- running an in-place op -------------------------------------------------------
def check_inplace(tensor: Tensor, *others: Any) -> None:
    """PyTorch's checks before an op writes into ``tensor``; ``others`` are
    the op's other arguments (the op is recorded if any of them requires grad)."""
    if tensor._efficient_zero:  # a gradient known to be zero (autograd/graph.py: zero_gradient)
        raise RuntimeError("ZeroTensors are immutable. Please use the materialized zero tensor "
                           "obtained using .clone() if you want a mutable tensor.")
    if tensor._inference and not _grad_mode.inference:
        raise RuntimeError("Inplace update to inference tensor outside InferenceMode is not "
                           "allowed.You can make a clone to get a normal tensor before doing "
                           "inplace update.See https://github.com/pytorch/rfcs/pull/17 for more "
                           "details.")
    recorded = tensor.requires_grad or any(isinstance(t, Tensor) and t.requires_grad
                                           for t in others)
    if _grad_mode.enabled and recorded:
        if tensor._no_grad_view:
            raise RuntimeError(_messages.NO_GRAD_VIEW_INPLACE)
        if tensor.requires_grad and tensor._base is not None and tensor._base.grad_fn is None:
            raise RuntimeError("a view of a leaf Variable that requires grad is being used in "
                               "an in-place operation.")
        if tensor.requires_grad and tensor.grad_fn is None:
            raise RuntimeError("a leaf Variable that requires grad is being used in an in-place "
                               "operation.")
    data = tensor._data
    if any(stride == 0 and size > 1 for stride, size in zip(data.strides, data.shape, strict=True)):
        raise RuntimeError(_messages.INTERNAL_OVERLAP)
    for other in others:
        if isinstance(other, Tensor) and partly_overlapping(data, other._data):
            raise RuntimeError("unsupported operation: some elements of the input tensor and "
                               "the written-to tensor refer to a single memory location. "
                               "Please clone() the tensor before performing the operation.")


def partly_overlapping(written: np.ndarray, read: np.ndarray) -> bool:
    """Does ``read`` share some memory with ``written`` without being the very
    same elements (``x[1:].add_(x[:-1])``)?  Reading while writing would then
    see half-updated values; PyTorch refuses, when both are dense (for
    others it cannot tell cheaply, and lets the op run)."""
    if written is read or not np.may_share_memory(written, read):
        return False
    dense = (written.flags.c_contiguous or written.flags.f_contiguous) and (
        read.flags.c_contiguous or read.flags.f_contiguous)
    same = (_address(written) == _address(read) and written.shape == read.shape
            and written.strides == read.strides)
    return dense and not same


def inplace(tensor: Tensor, op: Callable[..., Tensor], *args: Any, **kwargs: Any) -> Tensor:
    """``tensor`` overwritten with ``op(tensor, *args, **kwargs)``, the way
    PyTorch runs the in-place variant of ``op``.  Returns ``tensor``."""
    check_inplace(tensor, *args, *kwargs.values())
    return commit(tensor, op(tensor, *args, **kwargs))


def commit(tensor: Tensor, result: Tensor) -> Tensor:
    """Write ``result`` (computed out of place from ``tensor``) into
    ``tensor``'s storage, bump the version and rebase the history."""
    if result.shape != tensor.shape:
        raise RuntimeError(f"output with shape {list(tensor.shape)} doesn't match the broadcast "
                           f"shape {list(result.shape)}")
    if category(result._data.dtype) > category(tensor._data.dtype):
        raise RuntimeError(f"result type {LEGACY_TYPE_NAMES[result._data.dtype.name]} can't be "
                           "cast to the desired output type "
                           f"{LEGACY_TYPE_NAMES[tensor._data.dtype.name]}")
    node = result._grad_fn
    if node is not None:
        # The node's output becomes ``tensor`` (or a slice of its base), whose
        # dtype may differ: the node keeps its inputs' shapes and dtypes in full.
        node.keep_input_meta(result._data)
        _keep_original(node, tensor)
    _write(tensor, result._data)
    tensor._counter().bump()
    if node is not None:
        for saved in node._saved or ():
            if isinstance(saved, SavedOutput):
                saved.rebind(tensor)  # the node's output now lives in tensor
        rebase_history(tensor, node)
    return tensor


def _keep_original(node: Node, tensor: Tensor) -> None:
    """If ``node`` saved ``tensor`` as its first input, save a copy of its
    current value instead: the op is about to overwrite it.  (Any other saved
    alias of ``tensor`` stays, and fails the version check in backward, as
    in PyTorch: ``y.mul_(y)`` cannot be differentiated.)"""
    saved = node._saved or ()
    for i, value in enumerate(saved):
        if value is tensor:
            node._saved = saved[:i] + (pointwise.clone(tensor),) + saved[i + 1:]
            if node._versions is not None:
                node._versions = node._versions[:i] + (0,) + node._versions[i + 1:]
            return


def _write(tensor: Tensor, values: np.ndarray) -> None:
    """Copy ``values`` into ``tensor``'s storage (casting to its dtype)."""
    target = tensor._data
    if not target.flags.writeable:
        # A view NumPy made read-only (``expand``): reach the same memory
        # through the storage, which is writeable.
        target = _strided(storage_of(tensor), geometry(tensor))
    np.copyto(target, values, casting="unsafe")


def rebase_history(tensor: Tensor, node: Node) -> None:
    """Make ``node`` the new history of ``tensor``, or, if ``tensor`` is a
    view, of its base (through a ``CopySlices`` node)."""
    if tensor._view_version is None:
        _move_retained(tensor, node)
        tensor._grad_fn = node
        tensor._requires_grad = True
        return
    base = tensor._base
    copy_slices = CopySlices(base, geometry(tensor), node)
    _move_retained(base, copy_slices)
    base._grad_fn = copy_slices
    base._requires_grad = True
    # The view's own grad_fn is rebuilt when next read: its version changed.


def _move_retained(tensor: Tensor, node: Node) -> None:
    """``retain_grad()`` follows a tensor to its new grad_fn; its other hooks
    stay with the old one (they see the gradient of the old value)."""
    old = tensor._grad_fn
    if old is not None and old.retains(tensor):
        old.forget(tensor)
        node.retain(tensor)


# -- views: where their elements are in the storage -------------------------------
class Geometry(NamedTuple):
    """Where a tensor's elements are in its storage, in elements: PyTorch's
    ``TensorGeometry`` (sizes, strides, storage offset)."""

    shape: Tuple[int, ...]
    strides: Tuple[int, ...]
    offset: int


def _address(array: np.ndarray) -> int:
    return array.__array_interface__["data"][0]


def _span(shape: Sequence[int], strides: Sequence[int], offset: int = 0) -> int:
    """How many elements of storage a geometry reaches (PyTorch's
    ``_min_storage_size``)."""
    if 0 in shape:
        return 0
    return offset + 1 + sum((n - 1) * s for n, s in zip(shape, strides, strict=True))


def storage_of(tensor: Tensor) -> np.ndarray:
    """The memory of ``tensor``'s storage (its base's), as a 1-d array from
    the base's first element."""
    root = (tensor._base if tensor._base is not None else tensor)._data
    item = root.itemsize
    length = _span(root.shape, tuple(s // item for s in root.strides))
    return np.lib.stride_tricks.as_strided(root, shape=(length,), strides=(item,))


def geometry(tensor: Tensor) -> Geometry:
    """``tensor``'s geometry in its storage."""
    data = tensor._data
    root = (tensor._base if tensor._base is not None else tensor)._data
    item = data.itemsize
    return Geometry(data.shape, tuple(s // item for s in data.strides),
                    (_address(data) - _address(root)) // item)


def _strided(storage: np.ndarray, where: Geometry) -> np.ndarray:
    """The NumPy view of ``storage`` (1-d) with geometry ``where``."""
    item = storage.itemsize
    return np.lib.stride_tricks.as_strided(storage[where.offset:], where.shape,
                                           tuple(s * item for s in where.strides))


def view_positions(view: np.ndarray, base: np.ndarray) -> np.ndarray:
    """For each element of the array ``view``, the flat (C-order) index of the
    element of ``base`` whose memory it shares."""
    item = base.itemsize
    base_offsets = _memory_offsets(base, item)
    view_offsets = (_address(view) - _address(base)) // item + _memory_offsets(view, item)
    lowest = min(int(base_offsets.min(initial=0)), int(view_offsets.min(initial=0)))
    lookup = np.full(int(base_offsets.max(initial=0)) - lowest + 1, -1, dtype=np.int64)
    lookup[base_offsets.ravel() - lowest] = np.arange(base.size)
    return lookup[view_offsets - lowest]


def _memory_offsets(array: np.ndarray, item: int) -> np.ndarray:
    """Each element's distance from the first one, in elements of size ``item``."""
    offsets = np.zeros(array.shape, dtype=np.int64)
    for axis, (size, stride) in enumerate(zip(array.shape, array.strides, strict=True)):
        steps = np.arange(size, dtype=np.int64) * (stride // item)
        offsets = offsets + steps.reshape((size,) + (1,) * (array.ndim - axis - 1))
    return offsets


def refresh_view(view: Tensor) -> None:
    """Give ``view``, whose storage was changed in place since its grad_fn
    was made, the grad_fn PyTorch gives it: ``AsStridedBackward0``, which
    reads its elements out of the base's gradient by their place in the
    storage (the base's history now includes the change).  Called by
    ``Tensor.grad_fn``."""
    base = view._base
    view._view_version = view._version_counter.value
    if view._grad_fn is None and not base.requires_grad:
        return
    edge = make_edge(base)
    meta = (base.shape, base._data.dtype) if edge[0] is not None else None
    node = AsStridedBackward0((edge,), (meta,))
    node.input_geometry = geometry(base)
    node.geometry = geometry(view)
    _move_retained(view, node)
    view._grad_fn = node
    view._output_nr = 0
    view._requires_grad = True


class AsStridedBackward0(Node):
    """z = the elements of x's storage at a geometry (sizes, strides, offset);
    dL/dx = grad scattered into zeros shaped like the storage at that
    geometry (elements seen twice add up), read back at x's geometry"""

    #: Set by record().
    input_geometry: Any
    geometry: Any

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (_as_strided_backward(grad, self.input_geometry, self.geometry),)


def as_strided(input: Tensor, size: Sequence[int], stride: Sequence[int],
               storage_offset: Optional[int] = None) -> Tensor:
    """The view of ``input``'s storage with the given sizes, strides and
    offset (in elements; the offset defaults to ``input``'s own)."""
    where = Geometry(tuple(size), tuple(stride),
                     geometry(input).offset if storage_offset is None else storage_offset)
    storage = storage_of(input)
    needed = _span(where.shape, where.strides, where.offset)
    if needed > storage.size:
        item = storage.itemsize
        raise RuntimeError(
            f"setStorage: sizes {list(where.shape)}, strides {list(where.strides)}, storage "
            f"offset {where.offset}, and itemsize {item} requiring a storage size of "
            f"{needed * item} are out of bounds for storage of size {storage.size * item}")
    return record(AsStridedBackward0, _strided(storage, where), (input,), view_of=input,
                  input_geometry=geometry(input), geometry=where)


def _as_strided_backward(grad: Tensor, input_geometry: Geometry, output: Geometry) -> Tensor:
    """PyTorch's ``as_strided_backward``: scatter ``grad`` into a zero
    storage at the output geometry, then view the storage at the input's."""
    sizes: List[int] = []
    strides: List[int] = []
    for i in reversed(range(len(output.shape))):
        size, stride = output.shape[i], output.strides[i]
        if size == 0:
            return Tensor._make(np.zeros(input_geometry.shape, grad._data.dtype))
        if size == 1:
            grad = grad.squeeze(i)
        elif stride == 0:  # an expanded dim: every element read the same one
            grad = grad.sum(i)
        else:
            sizes.insert(0, size)
            strides.insert(0, stride)
    shared = min(input_geometry.offset, output.offset)
    scattered = Geometry(tuple(sizes), tuple(strides), output.offset - shared)
    length = max(_span(input_geometry.shape, input_geometry.strides,
                       input_geometry.offset - shared), _span(*scattered))
    storage = Tensor._make(np.zeros(length, grad._data.dtype))
    if _maybe_overlapping(scattered):
        positions = _strided(np.arange(length), scattered)
        storage = index_put(storage, positions, grad, accumulate=True)
    else:
        copy_into(as_strided(storage, *scattered), grad)
    return as_strided(storage, input_geometry.shape, input_geometry.strides,
                      input_geometry.offset - shared)


def _maybe_overlapping(where: Geometry) -> bool:
    """Could two elements of ``where`` share memory?  (Dims by increasing
    stride: each stride must step past everything the smaller ones reach.)"""
    reach = 0
    for stride, size in sorted(zip(where.strides, where.shape, strict=True)):
        if stride <= reach:
            return True
        reach += stride * (size - 1)
    return False


class IndexPutBackward0(Node):
    """z = x with z.flat[P] = v (accumulate: z.flat[P] += v);
    dL/dx = grad, zero at P unless accumulating (those elements were
    overwritten);   dL/dv = grad.flat[P]"""

    #: Set by record().
    positions: Any
    accumulate: bool

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        keep = grad if self.accumulate else index_put(grad, self.positions, 0.0)
        return (keep if self.needs_input_grad(0) else None,
                _gather(grad, self.positions) if self.needs_input_grad(1) else None)


def _gather(input: Tensor, positions: np.ndarray) -> Tensor:
    """The elements of ``input`` at flat ``positions``, as ``input[indices]``."""
    if input._data.ndim == 0:
        return input.expand(positions.shape)
    return indexing.gather(input, tuple(enumerate(np.unravel_index(positions,
                                                                  input._data.shape))))


def index_put(input: Tensor, positions: np.ndarray, values: Any,
              accumulate: bool = False) -> Tensor:
    """A copy of ``input`` with ``values`` (broadcast to the shape of
    ``positions``) written at, or with ``accumulate`` added to, the flat
    ``positions`` (repeated positions add up)."""
    data = np.array(input._data, order="C")
    flat = data.reshape(-1)
    source = values._data if isinstance(values, Tensor) else values
    spread = np.broadcast_to(source, positions.shape).ravel()
    if accumulate:
        np.add.at(flat, positions.ravel(), spread)
    else:
        flat[positions.ravel()] = spread
    return record(IndexPutBackward0, data, (input, values), positions=positions,
                  accumulate=accumulate)


class CopySlices(Node):
    """base' = base with the elements a view sees replaced by fn(view,
    others...), fn being the in-place op's node;
    dL/dbase = grad, except at the view's elements: fn's gradient for its
    first input, given grad there;   dL/dothers = fn's gradients for them"""

    def __init__(self, base: Tensor, view: Geometry, fn: Node) -> None:
        edge = make_edge(base)
        meta = (base.shape, base._data.dtype) if edge[0] is not None else None
        super().__init__((edge,) + tuple(fn.next_functions[1:]), (meta,) + fn._input_meta[1:])
        self.fn = fn
        self.base_geometry = geometry(base)
        self.view = view

    def name(self) -> str:
        return "torch::autograd::CopySlices"

    def backward(self, grad: Tensor) -> Tuple[Any, ...]:
        # As PyTorch: a copy of grad laid out like the base, the view's
        # elements read out of it, fn run on them and its answer for the
        # view written back in place.
        shape, strides, _ = self.base_geometry
        buffer = np.empty(_span(shape, strides), grad._data.dtype)
        result = copy_into(Tensor._make(_strided(buffer, Geometry(shape, strides, 0))), grad)
        grad_slice = as_strided(result, *self.view)
        grads = tuple(self.fn.backward(pointwise.clone(grad_slice)))
        if not self.needs_input_grad(0) or grads[0] is None:
            return (None,) + grads[1:]
        copy_into(grad_slice, fit_gradient(self.fn, 0, grads[0], self.fn._input_meta[0]))
        return (result,) + grads[1:]

    def release_saved(self) -> None:
        self.fn.release_saved()


# -- ops that exist only in place ---------------------------------------------------
def _overwritten(grad: Tensor) -> Tensor:
    """The gradient of a tensor whose every element was overwritten: zeros."""
    return Tensor._make(np.zeros(grad._data.shape, grad._data.dtype))


class CopyBackwards(Node):
    """z = src (broadcast to self's shape, in self's dtype), written over self;
    dL/dself = 0;   dL/dsrc = grad"""

    def name(self) -> str:
        return "torch::autograd::CopyBackwards"

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        return (_overwritten(grad) if self.needs_input_grad(0) else None,
                grad if self.needs_input_grad(1) else None)


def copy(input: Tensor, src: Any) -> Tensor:
    """What ``input.copy_(src)`` writes: ``src`` (a tensor or a number)
    broadcast to the shape of ``input``, converted to its dtype."""
    source = src._data if isinstance(src, Tensor) else np.asarray(src)
    shape = pointwise.broadcast_shape(input._data.shape, source.shape)
    data = np.array(np.broadcast_to(source, shape), dtype=input._data.dtype)
    return record(CopyBackwards, data, (input, src))


def copy_into(tensor: Tensor, src: Tensor) -> Tensor:
    """``tensor.copy_(src)``."""
    return inplace(tensor, copy, src)


class ZeroBackward0(Node):
    """z = 0 everywhere;   dL/dself = 0"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (_overwritten(grad),)


def zero(input: Tensor) -> Tensor:
    """What ``input.zero_()`` writes: zeros like ``input``."""
    return record(ZeroBackward0, np.zeros_like(input._data), (input,))


class FillBackward2(Node):
    """z = c everywhere (c a number);   dL/dself = 0"""

    def backward(self, grad: Tensor) -> Tuple[Any]:
        return (_overwritten(grad),)


class FillBackward3(Node):
    """z = v everywhere (v a 0-d tensor);   dL/dself = 0;   dL/dv = sum of grad"""

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        return (_overwritten(grad) if self.needs_input_grad(0) else None,
                grad.sum() if self.needs_input_grad(1) else None)


def fill(input: Tensor, value: Any) -> Tensor:
    """What ``input.fill_(value)`` writes: ``value`` (a number or a 0-d
    tensor) everywhere."""
    if isinstance(value, Tensor):
        if value._data.ndim:
            raise RuntimeError("fill_ only supports 0-dimension value tensor but got tensor "
                               f"with {value._data.ndim} dimensions.")
        return record(FillBackward3, np.full_like(input._data, value._data), (input, value))
    return record(FillBackward2, np.full_like(input._data, value), (input,))


# -- x[index] = value ----------------------------------------------------------------
def setitem(tensor: Tensor, index: Any, value: Any) -> None:
    """``tensor[index] = value``, as PyTorch does it.

    Basic indexing (ints, slices, ``None``, ``...``) selects a view, and the
    value is copied into it (``copy_``; a 0-d value is ``fill_``-ed); an index
    naming the whole tensor writes into ``tensor`` itself.  Advanced
    indexing (index lists and tensors, boolean masks) is ``index_put_``.
    Which elements an index names is found by indexing a tensor of their
    flat positions with it (``indexing.getitem``, which reads the index).
    """
    if index is False:
        return  # PyTorch does nothing, not even the checks
    if index is True:
        index = None  # a lone True is a new leading dim, like None
    if not isinstance(value, Tensor):
        value = Tensor._make(np.array(value, dtype=tensor._data.dtype))
    positions = Tensor._make(np.arange(tensor._data.size).reshape(tensor._data.shape))
    with no_grad():
        picked = indexing.getitem(positions, index)._data
    if np.shares_memory(picked, positions._data):  # basic indexing: a view
        _copy_to(tensor if _whole(tensor, index) else indexing.getitem(tensor, index), value)
        return
    if value._data.dtype != tensor._data.dtype:
        raise RuntimeError("Index put requires the source and destination dtypes match, got "
                           f"{LEGACY_TYPE_NAMES[tensor._data.dtype.name]} for the destination "
                           f"and {LEGACY_TYPE_NAMES[value._data.dtype.name]} for the source.")
    masked = value._data.ndim == 0 and builtins.any(  # PyTorch fills a mask with one value
        isinstance(part, Tensor) and part._data.dtype == np.bool_
        for part in indexing.as_parts(index))
    refuse_barebones("masked_fill" if masked else "index_put", tensor._data)  # uint16/uint32
    value = _without_leading_ones(value)
    if not expandable(value._data.shape, picked.shape):
        raise RuntimeError(f"shape mismatch: value tensor of shape {list(value.shape)} cannot be "
                           f"broadcast to indexing result of shape {list(picked.shape)}")
    target = _basic_view(tensor, index)
    if target is not tensor:  # positions in the tensor -> positions in the view
        in_view = np.full(tensor._data.size, -1, dtype=np.int64)
        in_view[view_positions(target._data, tensor._data).ravel()] = np.arange(target.numel())
        picked = in_view[picked]
    inplace(target, index_put, picked, value)


def _basic_view(tensor: Tensor, index: Any) -> Tensor:
    """The view the basic parts of a mixed index select (PyTorch applies
    them first, then ``index_put_`` into that view), or ``tensor`` itself
    when they select all of it."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # indexing.getitem gives the index's warnings
        parts = indexing.as_parts(index)
    basic: List[Any] = []
    for part in parts:
        kind, value = indexing.classify(part)
        if kind == "array":
            basic.extend([slice(None)] * indexing.dims_used(kind, value))
        else:
            basic.append(None if kind == "bool" else part)
    return tensor if _whole(tensor, tuple(basic)) else indexing.getitem(tensor, tuple(basic))


def _whole(tensor: Tensor, index: Any) -> bool:
    """Does a basic ``index`` name all of ``tensor`` in a way PyTorch's
    assignment skips (only ``...`` and slices ``[0 or None : past the end or
    None : 1 or None]``)?  A slice starting at ``-size`` is not skipped."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # indexing.getitem gives the index's warnings
        parts = indexing.as_parts(index)
    if not all(part is Ellipsis or isinstance(part, slice) for part in parts):
        return False
    shape = tensor._data.shape
    cut = parts.index(Ellipsis) if Ellipsis in parts else len(parts)
    head, tail = parts[:cut], parts[cut + 1:]
    sizes = (list(zip(head, shape, strict=False))
             + list(zip(tail, shape[len(shape) - len(tail):], strict=False)))
    return all(part.start in (None, 0) and part.step in (None, 1)
               and (part.stop is None or part.stop >= size) for part, size in sizes)


def _without_leading_ones(value: Tensor) -> Tensor:
    """``value`` viewed without its leading size-1 dims (PyTorch strips them
    before broadcasting a value into an indexed tensor)."""
    shape = value._data.shape
    lead = 0
    while lead < len(shape) and shape[lead] == 1:
        lead += 1
    return view(value, shape[lead:]) if lead else value


def _copy_to(target: Tensor, value: Tensor) -> None:
    """PyTorch's ``copy_to``: same shape, ``copy_``; a 0-d value, ``fill_``;
    otherwise the value viewed without its leading 1s (a ViewBackward0 even
    when there are none), expanded only if that view still differs from the
    target's shape, then ``copy_``: ``t[i] = v`` with ``v`` of shape ``(1, k)``
    records a view and no expand, as in PyTorch."""
    if value.shape == target.shape:
        inplace(target, copy, value)
    elif value._data.ndim == 0:
        inplace(target, fill, value)
    else:
        shape = value._data.shape
        lead = next((i for i, size in enumerate(shape) if size != 1), len(shape))
        value = view(value, shape[lead:])
        if value.shape != target.shape:
            value = expand(value, target.shape)
        inplace(target, copy, value)
