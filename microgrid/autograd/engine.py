"""The backward engine: runs the graph's nodes from the output back to the leaves.

PyTorch counterpart: ``torch::autograd::Engine`` (``torch/csrc/autograd/engine.cpp``),
reached through ``torch.autograd.backward`` and ``torch.autograd.grad``.

``loss.backward()`` comes here.  The engine

1. walks the graph once (iteratively: no recursion, so a 100,000-node chain
   is fine) and counts, for every node, how many edges point at it;
2. starts from the output's node with the gradient ``1`` (d loss/d loss);
3. repeatedly takes a *ready* node (all of whose consumers have already sent
   it their gradient), calls its ``backward`` with the sum of the gradients it
   received, and sends each returned gradient along the matching edge in
   ``next_functions``.  Among ready nodes it always takes the one created last
   (the highest sequence number), which is PyTorch's order too;
4. frees each node's saved tensors once it has run, unless
   ``retain_graph=True``.

``AccumulateGrad`` nodes at the leaves write the result into ``.grad``.
``autograd.grad`` uses the same loop but *captures* the gradients flowing
into the requested inputs instead of accumulating them, and runs only the
nodes that lead to those inputs.

Read next: ``../ops/pointwise.py``, where the nodes being run are defined.
"""

from __future__ import annotations

import heapq
from typing import TYPE_CHECKING, Dict, Iterator, List, Optional, Sequence, Set, Tuple

import numpy as np

from .._dtype import from_numpy_dtype
from .grad_mode import set_grad_enabled
from .graph import Edge, Node, grad_accumulator

if TYPE_CHECKING:
    from .._tensor import Tensor


def count_dependencies(roots: Sequence[Node]) -> Dict[Node, int]:
    """For every node reachable from ``roots``: how many edges point at it."""
    dependencies: Dict[Node, int] = {}
    seen: Set[Node] = set(roots)
    stack = list(roots)
    while stack:
        node = stack.pop()
        for next_node, _ in node.next_functions:
            if next_node is None:
                continue
            dependencies[next_node] = dependencies.get(next_node, 0) + 1
            if next_node not in seen:
                seen.add(next_node)
                stack.append(next_node)
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


def fit_gradient(node: Node, index: int, grad: "Tensor") -> "Tensor":
    """Make the gradient ``node`` computed for its input ``index`` fit that
    input: same shape (summing out any broadcast) and same dtype, or raise
    PyTorch's error."""
    shape, dtype = node._input_meta[index]
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


def gradient_node(tensor: "Tensor") -> Node:
    """The node that receives ``tensor``'s gradient: its grad_fn, or for a
    leaf its AccumulateGrad."""
    fn = tensor.grad_fn
    return fn if fn is not None else grad_accumulator(tensor)


def run_backward(roots: Sequence["Tensor"], root_grads: Sequence["Tensor"], keep_graph: bool,
                 create_graph: bool, inputs: Optional[Sequence["Tensor"]] = None,
                 accumulate: bool = True) -> List[Optional["Tensor"]]:
    """The engine's one loop (see the module docstring).

    ``inputs=None``: run the whole graph; ``AccumulateGrad`` nodes fill
    ``.grad``.  With ``inputs`` only the nodes leading to them run.  With
    ``accumulate`` (``backward(inputs=...)``) the inputs' own nodes run too,
    so leaves accumulate into ``.grad`` (and non-leaves, which ``backward``
    made retain their grad, store it).  Without (``autograd.grad``) the
    gradient arriving at each input is captured and returned, in order,
    ``None`` where no gradient arrived.
    """
    root_nodes = [gradient_node(t) for t in roots]
    targets = [gradient_node(t) for t in inputs or ()]
    captured: List[Optional["Tensor"]] = [None] * len(targets)
    capture: Dict[Node, List[int]] = {}
    needed: Optional[Set[Node]] = None
    if inputs is not None:
        needed = nodes_leading_to(root_nodes, set(targets))
        if accumulate:
            needed.update(targets)
        else:
            for i, node in enumerate(targets):
                capture.setdefault(node, []).append(i)
    dependencies = count_dependencies(root_nodes)

    # Gradients received so far by nodes that have not run yet.
    buffers: Dict[Node, "Tensor"] = {}
    ready: List[Tuple[int, int, Node]] = []
    pushed = 0
    for node, grad in zip(root_nodes, root_grads, strict=True):
        if node in buffers:
            buffers[node] = buffers[node] + grad
        else:
            buffers[node] = grad
            pushed += 1
            heapq.heappush(ready, (-node._sequence_nr, pushed, node))

    with set_grad_enabled(create_graph):
        while ready:
            _, _, node = heapq.heappop(ready)
            grad = buffers.pop(node, None)
            grads: Sequence[Optional["Tensor"]]
            if grad is None:
                # Every edge into this node carried None: it passes on nothing.
                grads = (None,) * len(node.next_functions)
            elif needed is not None and node not in needed:
                # An input of autograd.grad that leads to no other input: its
                # gradient is read (after its tensor's hooks), the node not run.
                if node in capture:
                    grad = node.run_tensor_hooks(grad)
                    for i in capture[node]:
                        captured[i] = grad
                continue
            else:
                if capture and node in capture:
                    for i in capture[node]:
                        captured[i] = grad  # PyTorch captures a node that runs before its hooks
                grads = node.run(grad)  # one per input: the zip below is strict
                if not keep_graph:
                    node.release_saved()
            for index, ((next_node, _), next_grad) in enumerate(
                    zip(node.next_functions, grads, strict=True)):
                if next_node is None or (needed is not None and next_node not in needed
                                         and next_node not in capture):
                    continue
                if next_grad is not None:
                    next_grad = fit_gradient(node, index, next_grad)
                    buffers[next_node] = (buffers[next_node] + next_grad if next_node in buffers
                                          else next_grad)
                dependencies[next_node] -= 1
                if dependencies[next_node] == 0:
                    pushed += 1
                    heapq.heappush(ready, (-next_node._sequence_nr, pushed, next_node))
    return captured


def make_root_grads(outputs: Sequence["Tensor"],
                    grad_outputs: Sequence[Optional["Tensor"]]) -> List[Optional["Tensor"]]:
    """The starting gradient of each output: the one given, or 1 for a scalar
    output that requires grad; ``None`` for an output that does not (the
    engine then refuses it).  PyTorch's ``_make_grads``: outputs and
    gradients are paired up to the shorter of the two."""
    from .._tensor import Tensor

    grads: List[Optional["Tensor"]] = []
    for i, (out, grad) in enumerate(zip(outputs, grad_outputs, strict=False)):
        if isinstance(grad, Tensor):
            if grad.shape != out.shape:
                raise RuntimeError(f"Mismatch in shape: grad_output[{i}] has a shape of "
                                   f"{grad.shape} and output[{i}] has a shape of {out.shape}.")
        elif grad is not None:
            raise TypeError("gradients can be either Tensors or None, but got "
                            f"{type(grad).__name__}")
        elif out.requires_grad:
            if out.numel() != 1:
                raise RuntimeError("grad can be implicitly created only for scalar outputs")
            grad = Tensor._make(np.ones(out._data.shape, dtype=out._data.dtype))
        grads.append(grad)
    return grads


def check_roots(outputs: Sequence["Tensor"],
                grads: Sequence[Optional["Tensor"]]) -> List["Tensor"]:
    """The engine's checks of the outputs it starts from (PyTorch's
    ``run_backward`` in ``python_engine.cpp``); returns the gradients cast
    to their outputs' dtypes."""
    from .._tensor import Tensor

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
