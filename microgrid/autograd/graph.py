"""The computation graph: backward nodes, their edges, and saved tensors.

PyTorch counterpart: ``torch::autograd::Node`` (what ``tensor.grad_fn`` holds),
``AccumulateGrad`` and ``SavedVariable`` (``torch/csrc/autograd/function.h``,
``saved_variable.h``).

When an op runs with grad mode on and some input requires grad, it records one
*node* and hangs it on its result as ``result.grad_fn``.  The node knows two
things:

* ``next_functions``: for each input of the op, in order, an edge
  ``(node, output_nr)`` to the node that will receive that input's gradient:
  the input's own ``grad_fn`` if it was computed, an ``AccumulateGrad`` node
  if it is a leaf that requires grad, or ``(None, 0)`` if no gradient is
  needed (a constant, or a Python number).  ``output_nr`` says which output
  of that node the input was: almost every op has one output, numbered 0;
  ``unbind`` has one per slice (:class:`MultiOutputNode`).
* how to turn the gradient of its output into gradients of its inputs: its
  ``backward`` method, written with ordinary tensor ops, plus whatever tensors
  it saved from the forward pass to do so.  It saves only what the gradients
  that are needed will read (``saved_for``): ``x * 3`` keeps nothing of ``x``
  (``saved_variable.py``; hooks around ``backward`` are in ``hooks.py``).

The graph is therefore a DAG pointing from outputs back to leaves, and
``loss.backward()`` (``engine.py``) walks it.  A node is small: its fields
are ``__slots__`` (plus a dict only for an op's own attributes, such as
``dim``), and it is built by :func:`record` without closures.

Read next: ``engine.py``.
"""

from __future__ import annotations

import itertools
import sys
import threading
import weakref
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np

from .. import _messages
from .._tensor import Tensor
from .grad_journal import note_grad_change
from .grad_mode import _grad_mode, _seen
from .hooks import Hooks, OutputHooks
from .saved_variable import SavedOutput, SavedTensors  # noqa: F401 - viz reads SavedOutput here

#: Every node gets the next number when it is created.  A node created later
#: always depends on nodes created earlier, so running nodes from the highest
#: number down is a valid order for backward (it is what PyTorch does).
_sequence_numbers = itertools.count()

Edge = Tuple[Optional["Node"], int]
NO_EDGE: Edge = (None, 0)  # the edge of an input that needs no gradient
#: Per input, its (shape, dtype) where they differ from the output's (see Node).
InputMeta = Optional[Tuple[Optional[Tuple[tuple, np.dtype]], ...]]


class Node(Hooks, SavedTensors):
    """One backward function in the graph (what ``tensor.grad_fn`` points at).

    Subclasses are named exactly as PyTorch names its nodes (``MulBackward0``)
    and implement :meth:`backward`.  ``backward`` receives the gradient of
    the node's output and returns one gradient per input (``None`` where an
    input needs none).  It is written with ordinary microgrid tensor ops, so
    when the engine runs it with grad mode on (``create_graph=True``) the
    backward pass is itself recorded and can be differentiated again.
    """

    __slots__ = ("next_functions", "_input_meta", "_sequence_nr", "_saved", "_versions",
                 "__dict__", "__weakref__")

    #: Does the op have several outputs (see :class:`MultiOutputNode`)?
    multi_output = False

    def __init__(self, next_functions: Tuple[Edge, ...], input_meta: InputMeta = None) -> None:
        self.next_functions = next_functions
        # Shape and dtype of each input that needs a gradient, where they
        # differ from the output's: the engine uses them to sum a broadcast
        # gradient back to its input's shape.  None (for the whole tuple or
        # one input) means "as the output": the gradient arriving at the node
        # tells that shape and dtype, so most elementwise ops keep nothing.
        self._input_meta = input_meta
        self._sequence_nr = next(_sequence_numbers)
        # Saved values (None once freed after a backward pass) and, for each
        # saved input tensor, its version when it was saved (None: all at 0).
        self._saved: Optional[Tuple[Any, ...]] = ()
        self._versions: Any = None

    def name(self) -> str:
        """The node's name, e.g. ``'MulBackward0'`` (PyTorch's name for it)."""
        return type(self).__name__

    def keep_input_meta(self, output: np.ndarray) -> None:
        """Keep every input's shape and dtype, those the node took from
        ``output`` (its output's values) included: for a node an in-place op
        moves onto another tensor, whose gradients may differ from ``output``."""
        meta = self._input_meta or (None,) * len(self.next_functions)
        self._input_meta = tuple(
            (output.shape, output.dtype) if m is None and edge[0] is not None else m
            for m, edge in zip(meta, self.next_functions, strict=True))

    def needs_input_grad(self, index: int) -> bool:
        """Does input ``index`` of the op want a gradient? (Skip the work if not.)"""
        return self.next_functions[index][0] is not None

    # -- running ---------------------------------------------------------
    def backward(self, grad: Tensor) -> Sequence[Optional[Tensor]]:
        """Gradients of the inputs, given ``grad``, the gradient of the output."""
        raise NotImplementedError(f"{self.name()} does not define backward")

    def __call__(self, grad: Tensor) -> Tuple[Optional[Tensor], ...]:
        """Run the node by hand, like calling a PyTorch ``grad_fn``."""
        grads = self.backward(grad)
        return grads if isinstance(grads, tuple) else tuple(grads)

    def __repr__(self) -> str:
        # PyTorch prints the class name, without name()'s C++ namespace.
        return f"<{type(self).__name__} object at {hex(id(self))}>"


class MultiOutputNode(OutputHooks, Node):
    """A node whose op has several outputs: PyTorch's ``unbind`` records one
    ``UnbindBackward0`` whose outputs are the slices.

    Each output tensor's edge into it carries the output's number,
    ``(node, i)``.  The engine keeps one gradient per output for such a node
    (a list) and calls :meth:`run` with all of them; an output that no
    gradient reached gets zeros, as PyTorch's formulas treat an undefined
    gradient.  ``backward(*grads)`` receives one gradient per output.  Tensor
    hooks and ``retain_grad`` belong to one output.
    """

    multi_output = True
    #: (shape, dtype) of each output, set by :func:`record_outputs`.
    _output_meta: Tuple[Tuple[tuple, np.dtype], ...] = ()

    def backward(self, *grads: Tensor) -> Sequence[Optional[Tensor]]:  # type: ignore[override]
        raise NotImplementedError(f"{self.name()} does not define backward")

    def __call__(self, *grads: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]:  # type: ignore[override]
        filled = [Tensor._make(np.zeros(shape, dtype)) if g is None else g
                  for g, (shape, dtype) in zip(grads, self._output_meta, strict=True)]
        return tuple(self.backward(*filled))

class AccumulateGrad(Node):
    """The node at a leaf: it adds the incoming gradient into ``variable.grad``.

    d(leaf)/d(leaf) = 1, so the gradient that reaches this node is the leaf's
    gradient; if ``.grad`` already holds one (a second backward), the new
    gradient is added to it.  Runs as soon as it is ready, before any other
    node, like PyTorch's (its sequence number is the largest possible).
    """

    def __init__(self, variable: Tensor) -> None:
        super().__init__(())  # no inputs: the gradient ends here
        self.variable = variable
        self._sequence_nr = sys.maxsize

    def name(self) -> str:
        return "torch::autograd::AccumulateGrad"

    @property
    def _tensor_pre_hooks(self) -> Sequence[Callable]:  # type: ignore[override]
        # A leaf keeps its hooks itself: this node lives only while a graph
        # uses the leaf, the hooks must outlive it.
        return self.variable._hooks

    _node_hooked = False

    @property
    def _hooked(self) -> bool:  # type: ignore[override]
        return self._node_hooked or bool(self.variable._hooks)

    @_hooked.setter
    def _hooked(self, value: bool) -> None:
        self._node_hooked = value

    def backward(self, grad: Tensor) -> Tuple[()]:
        accumulate_grad(self.variable, grad)
        return ()


def zero_gradient(shape: Tuple[int, ...], dtype: np.dtype) -> Tensor:
    """A gradient known to be zero: PyTorch's "efficient zero tensor", which
    ``sgn``'s derivative is for real inputs.  The engine runs the node that
    receives one like any other (recording it under ``create_graph``, as
    PyTorch does); the ops treat it as PyTorch's kernels treat a ZeroTensor
    (``ops/pointwise.py: known_zero_operand``: ``log(0)``'s ``grad / x`` is
    0, not ``0 / 0 = nan``), a view of it is one too (:func:`mark_view`),
    and an in-place change of it is refused."""
    zero = Tensor._make(np.zeros(shape, dtype))
    zero._efficient_zero = True
    return zero


#: Held while a gradient goes into a ``.grad``: backward passes running in
#: several threads into one leaf add their gradients one at a time (a read,
#: an add and a write each; NumPy lets other threads run in between).
#: PyTorch locks a mutex per leaf; one lock for all leaves is as correct and
#: costs a tenth of a microsecond when no other thread holds it.
_accumulating = threading.Lock()


# docs/tour.md, stop 14: quoted there; keep the two in step.
def accumulate_grad(variable: Tensor, grad: Tensor, owned: bool = False,
                    recording: Optional[bool] = None) -> None:
    """``variable.grad += grad``, or ``variable.grad = grad`` the first time.

    The first gradient is copied: the array arriving here may be one the
    caller still holds (the ``gradient`` given to ``backward``), and ``.grad``
    must never share memory with it.  Only when the engine proves that
    nobody else can see it (``owned``, see ``engine.py``) is the gradient
    itself adopted, as PyTorch's AccumulateGrad "steals" it.  Later gradients
    are added in place, so a reference to ``.grad`` sees the sum, as in
    PyTorch.  When the engine records the backward pass (``create_graph=True``)
    both are recorded ops instead, so ``.grad`` itself can be differentiated:
    the copy is ``copy_`` into a new tensor (a ``CopyBackwards`` node) and the
    sum an ``AddBackward0``, PyTorch's nodes.  Threads running backward passes
    into the same leaf take turns (:data:`_accumulating`).  ``recording``:
    grad mode, if the caller knows it already.
    """
    if recording is None:
        recording = _grad_mode.enabled
    with _accumulating:  # one thread at a time
        note_grad_change(variable, in_place=variable._grad is not None and not recording)
        if variable._grad is None:
            if recording:
                empty = Tensor._make(np.empty(variable._data.shape, dtype=grad._data.dtype))
                variable._grad = empty.copy_(grad)
            elif owned and grad._data.flags.c_contiguous:
                variable._grad = grad  # laid out as a copy would be: nobody can tell
            else:
                variable._grad = Tensor._make(grad._data.copy())
        elif recording:
            variable._grad = variable._grad + grad
        else:
            if 0 in variable._grad._data.strides:  # an expanded .grad, as PyTorch refuses
                raise RuntimeError(_messages.INTERNAL_OVERLAP)
            variable._grad._data += grad._data
            variable._grad._counter().bump()
    for hook in variable._post_accumulate_hooks:  # register_post_accumulate_grad_hook
        hook(variable)


# docs/tour.md, stop 6: quoted there; keep the two in step.
def make_edge(value: Any) -> Edge:
    """The edge an op records for one of its inputs (see the module docstring)."""
    if not isinstance(value, Tensor):
        return NO_EDGE
    if value._view_version is not None:
        value._sync_view()
    if not value._requires_grad:
        return NO_EDGE
    if value._grad_fn is not None:
        return (value._grad_fn, value._output_nr)
    if value._no_grad_view:
        return NO_EDGE  # requires grad (its base does), but no gradient reaches it
    return (grad_accumulator(value), 0)


def make_node(node_class: Callable[..., Node], inputs: Sequence[Any],
              output: Optional[np.ndarray] = None) -> Optional[Node]:
    """A ``node_class`` node with an edge per input (:func:`make_edge`), or
    None if no input requires grad (then there is nothing to record).

    The node keeps the shape and dtype of each input that gets a gradient,
    unless they are those of the op's ``output`` (see :class:`Node`): an
    elementwise op on equal shapes keeps none."""
    edges = []
    meta: Optional[List[Any]] = None
    requires_grad = False
    for i, value in enumerate(inputs):
        if not isinstance(value, Tensor):  # a number: no edge
            edges.append(NO_EDGE)
            continue
        if value._grad_fn is not None and value._view_version is None:
            edge = (value._grad_fn, value._output_nr)  # the usual case: make_edge's answer
        else:
            edge = make_edge(value)
            if edge is NO_EDGE:
                edges.append(edge)
                requires_grad = requires_grad or value._requires_grad
                continue
        edges.append(edge)
        requires_grad = True
        data = value._data
        if output is None or data.shape != output.shape or data.dtype != output.dtype:
            if meta is None:
                meta = [None] * len(inputs)
            meta[i] = (data.shape, data.dtype)
    if not requires_grad:
        return None
    return node_class(tuple(edges), None if meta is None else tuple(meta))


# docs/tour.md, stop 5: quoted there; keep the two in step.
def record(node_class: Callable[..., Node], data: np.ndarray, inputs: Sequence[Any],
           saved: Sequence[Any] = (), save_result: bool = False, view_of: Optional[Tensor] = None,
           recording: Optional[bool] = None, **attributes: Any) -> Tensor:
    """Wrap an op's result ``data`` in a Tensor and, when grad mode is on and any
    input requires grad, record a ``node_class`` node for it.

    ``saved`` are values ``backward`` will need (tensors or numbers); with
    ``save_result`` the result itself is saved after them.  ``attributes``
    (dims, shapes, ...) are stored on the node.  ``view_of`` marks the result
    as a view sharing that tensor's storage (see :func:`mark_view`).
    ``recording``: grad mode, if the caller has read it already.

    Every op calls this, forward and backward alike, so it is kept short:
    the result is made as ``Tensor._make`` makes it, without the call.
    """
    result = _new(Tensor)
    result._data = data
    if _seen.inference and _grad_mode.inference:  # speed (performance.md §12)
        result._inference = True
    if recording is None:
        recording = _grad_mode.enabled
    if view_of is not None:
        mark_view(result, view_of, recording)
    if not recording or data.dtype.kind != "f":
        return result  # nothing to record (integer results never require grad)
    node = make_node(node_class, inputs, data)
    if node is None:
        return result
    for name, value in attributes.items():
        setattr(node, name, value)
    result._grad_fn = node
    result._requires_grad = True
    if save_result:
        node.save_for_backward(*saved, result)
    elif saved:
        node.save_for_backward(*saved)
    return result


_new = object.__new__


def record_outputs(node_class: Callable[..., MultiOutputNode], outputs: Sequence[np.ndarray],
                   inputs: Sequence[Any], view_of: Optional[Tensor] = None,
                   **attributes: Any) -> Tuple[Tensor, ...]:
    """:func:`record` for an op with several outputs: one node, whose output
    ``i`` is ``results[i]`` (its edges will read ``(node, i)``)."""
    results = tuple(Tensor._make(data) for data in outputs)
    if view_of is not None:
        for result in results:
            mark_view(result, view_of)
    node = make_node(node_class, inputs) if _grad_mode.enabled else None
    if node is None or not all(data.dtype.kind == "f" for data in outputs):
        return results
    node._output_meta = tuple((data.shape, data.dtype) for data in outputs)
    for key, value in attributes.items():
        setattr(node, key, value)
    for i, result in enumerate(results):
        result._grad_fn = node
        result._output_nr = i
        result._requires_grad = True
    return results


def mark_view(view: Tensor, of: Tensor, recording: Optional[bool] = None) -> None:
    """Record that ``view`` shares the storage of ``of``.

    A view shares its base's version counter (an in-place change through
    either is a change of both) and remembers the base: the tensor at the
    root, never another view.  A view made with grad mode on remembers the
    version it was made at: when an in-place op changes the storage, its
    ``grad_fn`` is rebuilt (``ops/inplace.py: refresh_view``).  A view made
    under ``no_grad`` requires grad if its base does, like PyTorch's, but
    may not be modified in place once grad mode is back on.  (``recording``:
    grad mode, if the caller has read it already.)
    """
    view._version_counter = of._counter()
    view._base = of if of._base is None else of._base
    if of._efficient_zero:  # a view of a gradient known to be zero is one too, as in PyTorch
        view._efficient_zero = True
    if recording is None:
        recording = _grad_mode.enabled
    if recording and not of._no_grad_view:
        view._view_version = view._version_counter.value
    else:
        view._no_grad_view = True
        view._requires_grad = of.requires_grad and view._data.dtype.kind == "f"


# docs/tour.md, stop 6: quoted there; keep the two in step.
def grad_accumulator(tensor: Tensor) -> AccumulateGrad:
    """The leaf's AccumulateGrad node, shared by every op that uses the leaf
    while a graph holds it (the tensor keeps only a weak reference)."""
    node = tensor._grad_accumulator() if tensor._grad_accumulator is not None else None
    if node is None:
        node = AccumulateGrad(tensor)
        tensor._grad_accumulator = weakref.ref(node)
    return node
