"""The backward engine: runs the graph's nodes from the output back to the leaves.

PyTorch counterpart: ``torch::autograd::Engine`` (``torch/csrc/autograd/engine.cpp``),
reached through ``torch.autograd.backward`` and ``torch.autograd.grad``.  The
names are PyTorch's: a ``GraphTask`` per pass, a ``ReadyQueue``, an
``InputBuffer`` per node, ``call_function``, ``validate_outputs``.

``loss.backward()`` comes to :func:`run_backward`:

1. :class:`GraphTask` walks the graph once (iteratively: a 1,000,000-node
   chain is fine) and counts, for every node, how many edges point at it;
2. the output's node receives the gradient ``1`` (d loss/d loss) in its
   input buffer and goes into the :class:`ReadyQueue`;
3. the loop takes the ready node created last (the highest sequence number,
   PyTorch's order), runs it (:func:`call_function`: hooks around its
   ``backward``, then its saved tensors freed unless ``retain_graph=True``),
   and adds each gradient it returns into the buffer of the node at the end
   of the matching edge in ``next_functions``; a node whose every consumer
   has now sent its gradient is ready.

``AccumulateGrad`` nodes at the leaves write the result into ``.grad``.
``autograd.grad`` uses the same loop but *captures* the gradients flowing
into the requested inputs instead of accumulating them, and runs only the
nodes that lead to those inputs (``GraphTask.needed``).

What keeps the loop cheap (``docs/performance.md``) lives in the two
containers, not in the loop: the ready queue's fast lane (§10) and the
input buffers' ownership rule (§6, :func:`private`).

Read next: ``api.py``.
"""

from __future__ import annotations

import heapq
import itertools
import sys
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

import numpy as np

from .._dtype import from_numpy_dtype
from .._kernels import compute, lazy_broadcasts
from .._tensor import Tensor
from .grad_journal import grads_restored_on_error
from .grad_mode import _grad_mode
from .graph import AccumulateGrad, Edge, Node, accumulate_grad, grad_accumulator
from .hooks import materialized
from .input_metadata import validate_outputs

#: A node's input buffer: the sum of the gradients received so far; for a
#: node with several outputs, a list with one entry per output.
Buffer = Any


# docs/tour.md, stop 9: quoted there; keep the two in step.
def run_backward(roots: Sequence[Tensor], root_grads: Sequence[Tensor], keep_graph: bool,
                 create_graph: bool, inputs: Optional[Sequence[Tensor]] = None,
                 accumulate: bool = True) -> List[Optional[Tensor]]:
    """The engine's one loop (see the module docstring); returns what
    ``autograd.grad`` captured (see :class:`GraphTask`)."""
    task = GraphTask(roots, root_grads, keep_graph, create_graph, inputs, accumulate)
    buffers, ready, dependencies, needed = task.buffers, task.ready, task.dependencies, task.needed
    with task:
        for node in ready:
            if needed is not None and not task.will_run(node):
                continue  # an input of autograd.grad: its gradient was read, not passed on
            grads = call_function(task, node, buffers.pop(node, None))
            for index, (next_node, output_nr) in enumerate(node.next_functions):
                if next_node is None or (needed is not None and not task.reaches(next_node)):
                    continue
                grad = grads[index]
                if grad is not None:
                    grads[index] = None  # the buffer holds it now, nothing else (private)
                    if next_node in buffers or next_node.multi_output:
                        input_buffer_add(buffers, next_node, output_nr, grad)
                    else:  # speed (performance.md §10): the first gradient, kept as it is
                        buffers[next_node] = grad
                    grad = None
                count = dependencies[next_node] - 1
                dependencies[next_node] = count
                if count == 0:  # every gradient has arrived: ready to run
                    ready.push(next_node)
    return task.captured


# docs/tour.md, stop 12: quoted there; keep the two in step.
def call_function(task: "GraphTask", node: Node, grad: Buffer) -> List[Optional[Tensor]]:
    """Run one node on the gradient its buffer holds (PyTorch's ``call_function``):
    its hooks around ``backward`` (``Node.run``), its saved tensors freed
    afterwards unless the graph is kept, and the gradients checked and made
    to fit their inputs (:func:`validate_outputs`).  Returns one gradient per
    edge.  A leaf's AccumulateGrad writes ``.grad`` and returns none."""
    if grad is None:  # every edge into this node carried None: it passes on nothing
        return [None] * len(node.next_functions)
    if type(node) is AccumulateGrad and not node._hooked:
        owned = not task.create_graph and private(grad, 1)  # before grad is an argument
        accumulate_grad(node.variable, grad, owned and not grad._efficient_zero,  # into .grad
                        task.create_graph)  # (grad mode in this pass)
        return []
    if node._hooked:
        grads = list(node.run(grad))  # hooks around backward (Node.run)
    else:  # the usual case
        grads = list(node.backward(grad))
    if not task.keep_graph:
        node.release_saved()
    validate_outputs(node, grads, grad)
    return grads  # (and ``grad`` goes: a gradient passed through is held by ``grads`` alone)


class GraphTask:
    """One backward pass (PyTorch's ``GraphTask``): the dependencies of every
    node, the input buffers, the ready queue, and for ``autograd.grad`` which
    nodes must run and what is captured.

    ``inputs=None``: the whole graph runs; ``AccumulateGrad`` nodes fill
    ``.grad``.  With ``inputs`` only the nodes leading to them run
    (``needed``, PyTorch's ``exec_info``).  With ``accumulate``
    (``backward(inputs=...)``) the inputs' own nodes run too, so leaves
    accumulate into ``.grad`` (and non-leaves, which ``backward`` made retain
    their grad, store it).  Without (``autograd.grad``) the gradient arriving
    at each input is captured into ``captured``, in order, ``None`` where no
    gradient arrived.
    """

    __slots__ = ("keep_graph", "create_graph", "dependencies", "buffers", "ready", "needed",
                 "capture", "captured", "modes", "journal")

    def __init__(self, roots: Sequence[Tensor], root_grads: Sequence[Tensor], keep_graph: bool,
                 create_graph: bool, inputs: Optional[Sequence[Tensor]], accumulate: bool
                 ) -> None:
        # (Plain loops: a comprehension is a function call of its own, and this
        # runs once per backward(), a fixed cost of every training step.)
        self.keep_graph, self.create_graph = keep_graph, create_graph
        self.buffers: InputBuffers = {}
        buffers = self.buffers
        roots_nodes: Dict[Node, None] = {}  # the roots' nodes, once each, in order
        for tensor, grad in zip(roots, root_grads, strict=True):
            node, output_nr = gradient_edge(tensor)
            input_buffer_add(buffers, node, output_nr, grad)
            roots_nodes[node] = None
        self.needed: Optional[Set[Node]] = None
        self.capture: Dict[Node, List[Tuple[int, int]]] = {}  # node -> (output_nr, place)
        self.captured: List[Optional[Tensor]] = []
        if inputs is not None:
            self._select(list(roots_nodes), inputs, accumulate)
        self.dependencies = dependencies = count_dependencies(roots_nodes)
        self.ready = ReadyQueue()
        for node in roots_nodes:
            if dependencies[node] == 0:
                self.ready.push(node)

    def _select(self, roots: List[Node], inputs: Sequence[Tensor], accumulate: bool) -> None:
        """Only the nodes leading to ``inputs`` will run; ``autograd.grad``
        (not ``accumulate``) captures what arrives at each input."""
        target_edges = [gradient_edge(t) for t in inputs]
        self.needed = nodes_leading_to(roots, {node for node, _ in target_edges})
        if accumulate:
            self.needed.update(node for node, _ in target_edges)
            return
        self.captured = [None] * len(target_edges)
        for i, (node, output_nr) in enumerate(target_edges):
            self.capture.setdefault(node, []).append((output_nr, i))

    def __enter__(self) -> "GraphTask":
        """``with task:`` the pass runs with grad mode set to ``create_graph``
        (recording the backward pass or not), lazy broadcasts on when not
        recording, and every ``.grad`` it changed put back if it fails
        midway (``grad_journal.py``)."""
        self.modes = (_grad_mode.enabled, _grad_mode.inference, lazy_broadcasts.on)
        _grad_mode.enabled, lazy_broadcasts.on = self.create_graph, not self.create_graph
        self.journal = grads_restored_on_error().__enter__()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        try:
            self.journal.__exit__(*exc_info)
        finally:
            _grad_mode.enabled, _grad_mode.inference, lazy_broadcasts.on = self.modes

    def reaches(self, node: Node) -> bool:
        """Does a gradient sent to ``node`` matter (it runs, or is captured)?"""
        return node in self.needed or node in self.capture  # type: ignore[operator]

    def will_run(self, node: Node) -> bool:
        """For ``autograd.grad``: capture what ``node`` received if it is an
        input, and say whether it runs.  PyTorch captures the gradient of a
        node that runs before its hooks; an input that leads to no other
        input is not run, its gradient read after its tensor's hooks."""
        runs = node in self.needed  # type: ignore[operator]
        grad = self.buffers.get(node)
        for output_nr, i in self.capture.get(node, ()) if grad is not None else ():
            received = output_grad(grad, output_nr)
            if runs:
                self.captured[i] = materialized(received)
            elif received is not None:
                self.captured[i] = node.run_tensor_hooks(received, output_nr)
        if not runs:
            self.buffers.pop(node, None)
        return runs


# docs/tour.md, stop 11: quoted there; keep the two in step.
class ReadyQueue:
    """The nodes whose every gradient has arrived, the one created last first
    (PyTorch's ``ReadyQueue``: a heap by sequence number; ties: the first come).

    The fast lane (``docs/performance.md`` §10): a node that becomes ready
    while no other is waiting is held aside and popped without going through
    the heap.  In a chain every node is such a node; the heap's order only
    matters where branches wait side by side, and then both go into it."""

    __slots__ = ("heap", "next", "order")

    def __init__(self) -> None:
        self.heap: List[Tuple[int, int, Node]] = []
        self.next: Optional[Node] = None  # the fast lane
        self.order = itertools.count()  # first come, first served among equals

    def push(self, node: Node) -> None:
        if self.next is None and not self.heap:
            self.next = node
            return
        if self.next is not None:  # two are ready now: both into the heap
            # (the fast lane holds a node only while the heap is empty: numbered
            # now, it still comes before every node pushed after it)
            heapq.heappush(self.heap, (-self.next._sequence_nr, next(self.order), self.next))
            self.next = None
        heapq.heappush(self.heap, (-node._sequence_nr, next(self.order), node))

    def __iter__(self) -> Iterator[Node]:
        """The nodes in the order they run, until none is ready."""
        heap, heappop = self.heap, heapq.heappop
        while True:
            node = self.next
            if node is not None:
                self.next = None
            elif heap:
                node = heappop(heap)[2]
            else:
                return
            yield node


#: The input buffers (PyTorch keeps one ``InputBuffer`` per node that has not
#: run yet, in ``GraphTask::not_ready_``): node -> the sum of the gradients it
#: received so far; for a node with several outputs, a list with one sum per
#: output.  A plain dict, not a class of its own: CPython 3.11 specializes
#: ``buffers[node]`` only on an exact dict (8% of W3's backward).
InputBuffers = Dict[Node, Buffer]


# docs/tour.md, stop 13: quoted there; keep the two in step.
def input_buffer_add(buffers: InputBuffers, node: Node, output_nr: int, grad: Tensor) -> None:
    """Receive ``grad`` for ``node``'s output ``output_nr`` (PyTorch's
    ``InputBuffer::add``): kept, or added to the gradient waiting there
    (:func:`add_gradients`)."""
    if node.multi_output:
        slots = buffers.setdefault(node, [None] * len(node._output_meta))
        slots[output_nr] = (grad if slots[output_nr] is None
                            else add_gradients(slots[output_nr], grad))
    elif node in buffers:
        buffers[node] = add_gradients(buffers[node], grad)
    else:
        buffers[node] = grad


# docs/tour.md, stop 13: quoted there; keep the two in step.
def add_gradients(old: Tensor, new: Tensor) -> Tensor:
    """``old + new``, for a gradient ``new`` arriving where ``old`` waits
    (PyTorch's ``InputBuffer::accumulate``).  Recorded under
    ``create_graph``; otherwise the sum is written into the memory of
    whichever of the two only the engine holds, else into a new array.
    Addition commutes, so the values are the same either way."""
    if _grad_mode.enabled:
        return old + new
    if old._efficient_zero or new._efficient_zero:  # 0 + g is g
        return new if old._efficient_zero else old
    if private(old, 2):  # the buffer, and this function's argument
        compute(np.add, old._data, new._data, old._data)
        return old
    if private(new, 3):  # the loop's variable, input_buffer_add's argument and this one
        compute(np.add, new._data, old._data, new._data)
        return new
    return Tensor._make(compute(np.add, old._data, new._data))


def private(tensor: Tensor, holders: int) -> bool:
    """May the engine write into ``tensor``'s memory?  Only if nobody else can
    see it: the engine's ``holders`` references are the only ones to the
    tensor, the tensor is the only one to its array, and the array is no
    view of another (PyTorch asks the same of a tensor's ``use_count``).
    ``sys.getrefcount`` counts references, plus one for its own argument
    (and here one for this function's).

    Why count references rather than flag the gradients the engine made:
    most gradients worth writing into are made by a node's ``backward``
    (``grad * y``), not by the engine, and only the count can tell such a
    fresh result from one a node passed through or a hook kept.  A flag
    would mark only the engine's own sums, and the rest would be copied:
    ``mean(x * x)``'s two products could no longer share one array, nor
    the leaf adopt their sum: its backward's peak grows from 2.0 to 3.0
    times the input (measured at 1e6 elements; ``docs/performance.md`` §6).
    The count's one subtlety is that every reference the engine holds is
    counted: see the comments at each call."""
    data = tensor._data
    return (sys.getrefcount(tensor) == holders + 2 and sys.getrefcount(data) == 3
            and data.base is None and data.flags.writeable)


def output_grad(buffer: Buffer, output_nr: int) -> Optional[Tensor]:
    """The gradient a buffer holds for one output of its node."""
    return buffer[output_nr] if isinstance(buffer, list) else buffer


def gradient_edge(tensor: Tensor) -> Edge:
    """The edge to the node that receives ``tensor``'s gradient: its grad_fn
    (and which output of it the tensor is), or for a leaf its AccumulateGrad."""
    fn = tensor.grad_fn
    return (fn, tensor._output_nr) if fn is not None else (grad_accumulator(tensor), 0)


# docs/tour.md, stop 10: quoted there; keep the two in step.
def count_dependencies(roots: Iterable[Node]) -> Dict[Node, int]:
    """For every node reachable from ``roots``: how many edges point at it
    (the roots themselves are in the answer, with 0 unless reached again)."""
    dependencies = dict.fromkeys(roots, 0)
    stack = list(dependencies)
    while stack:
        for next_node, _ in stack.pop().next_functions:
            if next_node is not None:
                count = dependencies.get(next_node)
                if count is None:  # first time seen: walk on from it
                    stack.append(next_node)
                    count = 0
                dependencies[next_node] = count + 1
    return dependencies


def nodes_leading_to(roots: Sequence[Node], targets: Set[Node]) -> Set[Node]:
    """The nodes that must run so that gradients reach ``targets``.

    A node must run if one of its ``next_functions`` is a target or must run
    itself.  A target that leads to no other target is only *read* (its
    incoming gradient is captured), not run.  Computed with an explicit
    post-order walk, children before parents.
    """
    needed: Set[Node] = set()
    visited: Set[Node] = set()
    for root in roots:
        if root in visited:
            continue
        visited.add(root)
        stack: List[Tuple[Node, Iterator[Edge]]] = [(root, iter(root.next_functions))]
        while stack:
            node, children = stack[-1]
            for child, _ in children:
                if child is not None and child not in visited:
                    visited.add(child)
                    stack.append((child, iter(child.next_functions)))
                    break
            else:
                stack.pop()
                if any(c in targets or c in needed for c, _ in node.next_functions):
                    needed.add(node)
    return needed


def make_root_grads(outputs: Sequence[Tensor],
                    grad_outputs: Sequence[Optional[Tensor]]) -> List[Optional[Tensor]]:
    """The starting gradient of each output: the one given, or 1 for a scalar
    output that requires grad; ``None`` for an output that does not (the
    engine then refuses it).  PyTorch's ``_make_grads``: outputs and
    gradients are paired up to the shorter of the two."""
    grads: List[Optional[Tensor]] = []
    for i, (out, grad) in enumerate(zip(outputs, grad_outputs, strict=False)):
        if isinstance(grad, Tensor):
            if grad.shape != out.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{grad.shape} and output[{i}] has a shape of {out.shape}.")
        elif grad is not None:
            raise TypeError("gradients can be either Tensors or None, but got "
                            f"{type(grad).__name__}")
        elif out.requires_grad:
            if out._data.size != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            ones = np.empty(out._data.shape, dtype=out._data.dtype)
            ones.fill(1)  # (np.ones is a Python function around the same two steps)
            grad = Tensor._make(ones)
        grads.append(grad)
    return grads


def check_roots(outputs: Sequence[Tensor],
                grads: Sequence[Optional[Tensor]]) -> List[Tensor]:
    """The engine's checks of the outputs it starts from (PyTorch's
    ``run_backward`` in ``python_engine.cpp``); returns the gradients cast
    to their outputs' dtypes."""
    if len(outputs) != len(grads):
        raise RuntimeError(f"got {len(outputs)} tensors and {len(grads)} gradients")
    checked = []
    for i, (out, grad) in enumerate(zip(outputs, grads, strict=True)):
        if not isinstance(out, Tensor):
            raise RuntimeError(f"element {i} of tensors must be a Tensor or GradientEdge")
        # A view made under no_grad requires grad but has no gradient edge to start from.
        if not out.requires_grad or (out._no_grad_view and out.grad_fn is None):
            raise RuntimeError(f"element {i} of tensors does not require grad and does not "
                               "have a grad_fn")
        if grad is None:
            raise RuntimeError(f"element {i} of gradients tuple is None, but the "
                               "corresponding Tensor requires grad")
        if grad._data.dtype != out._data.dtype:
            grad = grad.to(from_numpy_dtype(out._data.dtype))
        checked.append(grad)
    return checked
