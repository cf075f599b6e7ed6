"""The backward engine: runs the graph's nodes from the output back to the leaves.

PyTorch counterpart: ``torch::autograd::Engine`` (``torch/csrc/autograd/engine.cpp``),
reached through ``torch.autograd.backward`` and ``torch.autograd.grad``.

``loss.backward()`` comes here.  The engine

1. walks the graph once (iteratively: no recursion, so a 100,000-node chain
   is fine) and counts, for every node, how many edges point at it;
2. starts from the output's node with the gradient ``1`` (d loss/d loss);
3. repeatedly takes a *ready* node (all of whose consumers have already sent
   it their gradient), calls its ``backward`` with the sum of the gradients it
   received (its *input buffer*), and sends each returned gradient along the
   matching edge in ``next_functions``.  Among ready nodes it always takes the
   one created last (the highest sequence number), which is PyTorch's order;
4. frees each node's saved tensors once it has run, unless
   ``retain_graph=True``.

``AccumulateGrad`` nodes at the leaves write the result into ``.grad``.
``autograd.grad`` uses the same loop but *captures* the gradients flowing
into the requested inputs instead of accumulating them, and runs only the
nodes that lead to those inputs.

What keeps the loop cheap (``docs/performance.md`` tells the whole story):

* a gradient nobody else can see is written into rather than copied: when a
  second gradient arrives in a buffer, the sum goes into the memory of one of
  the two, and a leaf adopts its gradient as ``.grad`` (:func:`private`;
  PyTorch does the same, checking reference counts);
* while nothing is recorded, a gradient that is one number seen many times
  (``mean``'s) stays a broadcast view (``graph.py: lazy_broadcasts``);
* gradients are never materialized for inputs that need none (``None``
  edges), and the saved tensors of a node are freed as soon as it has run.

Read next: ``../ops/pointwise.py``, where the nodes being run are defined.
"""

from __future__ import annotations

import heapq
import itertools
import sys
from typing import Any, Dict, Iterable, Iterator, List, Optional, Sequence, Set, Tuple

import numpy as np

from .._dtype import from_numpy_dtype
from .._kernels import compute
from .._tensor import Tensor
from .grad_mode import _grad_mode
from .graph import (
    AccumulateGrad,
    Edge,
    Node,
    accumulate_grad,
    grad_accumulator,
    grads_restored_on_error,
    lazy_broadcasts,
    materialized,
)

#: A node's input buffer: the sum of the gradients received so far; for a
#: node with several outputs, a list with one entry per output.
Buffer = Any


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


def sum_to_shape(grad: Tensor, shape: tuple) -> Tensor:
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


def fit_gradient(node: Node, index: int, grad: Tensor, expected: Tuple[tuple, np.dtype]
                 ) -> Tensor:
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


def expandable(shape: tuple, target: tuple) -> bool:
    """Can a tensor of ``shape`` be broadcast to ``target``?"""
    if len(shape) > len(target):
        return False
    return all(s == t or s == 1 for s, t in zip(reversed(shape), reversed(target), strict=False))


def gradient_edge(tensor: Tensor) -> Edge:
    """The edge to the node that receives ``tensor``'s gradient: its grad_fn
    (and which output of it the tensor is), or for a leaf its AccumulateGrad."""
    fn = tensor.grad_fn
    return (fn, tensor._output_nr) if fn is not None else (grad_accumulator(tensor), 0)


def private(tensor: Tensor, holders: int) -> bool:
    """May the engine write into ``tensor``'s memory?  Only if nobody else can
    see it: the engine's ``holders`` references are the only ones to the
    tensor, the tensor is the only one to its array, and the array is no
    view of another (PyTorch asks the same of a tensor's ``use_count``).
    ``sys.getrefcount`` counts references, plus one for its own argument
    (and here one for this function's)."""
    data = tensor._data
    return (sys.getrefcount(tensor) == holders + 2 and sys.getrefcount(data) == 3
            and data.base is None and data.flags.writeable)


def add_gradients(old: Tensor, new: Tensor) -> Tensor:
    """``old + new``, for a gradient ``new`` arriving where ``old`` waits
    (called as ``add_gradients(buffers[node], grad)``).  Recorded under
    ``create_graph``; otherwise the sum is written into the memory of
    whichever of the two only the engine holds, else into a new array
    (PyTorch's ``InputBuffer::accumulate``).  Addition commutes, so the
    values are the same either way."""
    if _grad_mode.enabled:
        return old + new
    if private(old, 2):  # the buffer, and this function's argument
        compute(np.add, old._data, new._data, old._data)
        return old
    if private(new, 2):  # the caller's variable, and this function's argument
        compute(np.add, new._data, old._data, new._data)
        return new
    return Tensor._make(compute(np.add, old._data, new._data))


def receive(buffers: Dict[Node, Buffer], node: Node, output_nr: int, grad: Tensor) -> None:
    """Add ``grad`` into ``node``'s input buffer (for its output ``output_nr``)."""
    if not node.multi_output:
        buffers[node] = add_gradients(buffers[node], grad) if node in buffers else grad
        return
    slots = buffers.setdefault(node, [None] * len(node._output_meta))
    slots[output_nr] = grad if slots[output_nr] is None else add_gradients(slots[output_nr], grad)


def output_grad(buffer: Buffer, output_nr: int) -> Optional[Tensor]:
    """The gradient a buffer holds for one output of its node."""
    return buffer[output_nr] if isinstance(buffer, list) else buffer


def run_backward(roots: Sequence[Tensor], root_grads: Sequence[Tensor], keep_graph: bool,
                 create_graph: bool, inputs: Optional[Sequence[Tensor]] = None,
                 accumulate: bool = True) -> List[Optional[Tensor]]:
    """The engine's one loop (see the module docstring).

    ``inputs=None``: run the whole graph; ``AccumulateGrad`` nodes fill
    ``.grad``.  With ``inputs`` only the nodes leading to them run.  With
    ``accumulate`` (``backward(inputs=...)``) the inputs' own nodes run too,
    so leaves accumulate into ``.grad`` (and non-leaves, which ``backward``
    made retain their grad, store it).  Without (``autograd.grad``) the
    gradient arriving at each input is captured and returned, in order,
    ``None`` where no gradient arrived.
    """
    # (Plain loops: a comprehension costs a function call of its own, and this
    # set-up runs once per backward(), a fixed cost of every training step.)
    root_edges = []
    root_nodes: Dict[Node, None] = {}  # the roots' nodes, once each, in order
    for tensor in roots:
        edge = gradient_edge(tensor)
        root_edges.append(edge)
        root_nodes[edge[0]] = None
    captured: List[Optional[Tensor]] = []
    capture: Dict[Node, List[Tuple[int, int]]] = {}  # node -> (output_nr, place in captured)
    needed: Optional[Set[Node]] = None
    if inputs is not None:
        target_edges = [gradient_edge(t) for t in inputs]
        needed = nodes_leading_to(list(root_nodes), {node for node, _ in target_edges})
        if accumulate:
            needed.update(node for node, _ in target_edges)
        else:
            captured = [None] * len(target_edges)
            for i, (node, output_nr) in enumerate(target_edges):
                capture.setdefault(node, []).append((output_nr, i))
    dependencies = count_dependencies(root_nodes)

    # Gradients received so far by nodes that have not run yet.
    buffers: Dict[Node, Buffer] = {}
    for (node, output_nr), grad in zip(root_edges, root_grads, strict=True):
        receive(buffers, node, output_nr, grad)
    # The ready nodes, the one created last first (ties: the first come).
    ready = []
    for node in root_nodes:
        if dependencies[node] == 0:
            ready.append((-node._sequence_nr, len(ready), node))
    heapq.heapify(ready)
    order = itertools.count(len(ready))

    # Nodes run with grad mode set to create_graph (recording the pass or
    # not), and keep broadcasts as views when not recording.
    modes = (_grad_mode.enabled, _grad_mode.inference, lazy_broadcasts.on)
    _grad_mode.enabled, lazy_broadcasts.on = create_graph, not create_graph
    heappop, heappush = heapq.heappop, heapq.heappush
    # A node that became ready while no other was waiting runs next without
    # going through the heap (``follow``, with the place in the order it would
    # have had there): in a chain every node is such a node, and the heap's
    # order only matters where branches wait side by side.
    follow: Optional[Node] = None
    follow_order = 0
    try:
        # A pass that fails midway leaves every .grad as it was (graph.GradJournal).
        with grads_restored_on_error():
            while ready or follow is not None:
                if follow is not None:
                    node, follow = follow, None
                else:
                    node = heappop(ready)[2]
                grad = buffers.pop(node, None)
                if needed is not None:
                    if node not in needed:
                        # An input of autograd.grad that leads to no other input: its
                        # gradient is read (after its tensor's hooks), the node not run.
                        for output_nr, i in capture.get(node, ()) if grad is not None else ():
                            received = output_grad(grad, output_nr)
                            if received is not None:
                                captured[i] = node.run_tensor_hooks(received, output_nr)
                        continue
                    for output_nr, i in capture.get(node, ()):
                        # PyTorch captures a node that runs before its hooks.
                        captured[i] = materialized(output_grad(grad, output_nr))
                edges = node.next_functions
                if grad is None:
                    # Every edge into this node carried None: it passes on nothing.
                    grads: List[Optional[Tensor]] = [None] * len(edges)
                elif type(node) is AccumulateGrad and not node._hooked:
                    # A leaf: into .grad, adopting the gradient if only we hold it.
                    owned = not create_graph and private(grad, 1)  # (before grad is an argument)
                    accumulate_grad(node.variable, grad, owned)
                    continue
                else:
                    if not node.multi_output:  # its output's shape and dtype (see Node)
                        output_meta = (grad._data.shape, grad._data.dtype)
                    if node._hooked or node._retained is not None or node.multi_output:
                        grads = list(node.run(grad))  # hooks around backward (Node.run)
                    else:  # the usual case
                        grads = list(node.backward(grad))
                    grad = None  # so that a gradient passed through is ours alone
                    if not keep_graph:
                        node.release_saved()
                    if len(grads) != len(edges):
                        raise RuntimeError(
                            f"function {node.name()} returned an incorrect number of gradients "
                            f"(expected {len(edges)}, got {len(grads)})")
                meta = node._input_meta
                for index, (next_node, output_nr) in enumerate(edges):
                    if next_node is None or (needed is not None and next_node not in needed
                                             and next_node not in capture):
                        continue
                    next_grad = grads[index]
                    if next_grad is not None:
                        # The buffer holds it now, not this list nor a variable (private).
                        grads[index] = None
                        expected = meta[index] if meta is not None else None
                        if expected is None:  # the input is shaped as the output
                            expected = output_meta
                        if (next_grad._data.shape != expected[0]
                                or next_grad._data.dtype != expected[1]):
                            next_grad = fit_gradient(node, index, next_grad, expected)
                        if next_node.multi_output:
                            receive(buffers, next_node, output_nr, next_grad)
                        elif next_node in buffers:
                            buffers[next_node] = add_gradients(buffers[next_node], next_grad)
                        else:
                            buffers[next_node] = next_grad
                        next_grad = None
                    count = dependencies[next_node] - 1
                    dependencies[next_node] = count
                    if count == 0:
                        if follow is None and not ready:
                            follow, follow_order = next_node, next(order)
                            continue
                        if follow is not None:  # two are ready now: both into the heap
                            heappush(ready, (-follow._sequence_nr, follow_order, follow))
                            follow = None
                        heappush(ready, (-next_node._sequence_nr, next(order), next_node))
    finally:
        _grad_mode.enabled, _grad_mode.inference, lazy_broadcasts.on = modes
    return captured


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
