"""Walking a computation graph: a canonical, numbered list of its nodes.

PyTorch counterpart: none as such; it reads only the public protocol every
PyTorch graph has (``tensor.grad_fn``, ``node.next_functions``,
``AccumulateGrad.variable``, ``node.name()``), so it works the same on a
PyTorch tensor and on a microgrid tensor.  ``compare`` uses it to prove two
graphs equal, and ``viz`` to draw them.

Nodes are numbered in the order a depth-first walk first meets them, starting
from the outputs and following ``next_functions`` in order.  An edge into a
node with several outputs (``unbind``) also names the output it comes from.  The walk uses an
explicit stack (a 100,000-node chain is fine) and never looks at ``id()``, so
the same program always gives the same numbering.

Read next: ``../ops/shape.py``.
"""

from __future__ import annotations

from typing import Any, Dict, List, NamedTuple, Optional, Sequence, Tuple


class GraphNode(NamedTuple):
    """One node of a walked graph."""

    index: int
    name: str  # e.g. "MulBackward0"; AccumulateGrad nodes are "AccumulateGrad"
    inputs: Tuple[Optional[int], ...]  # index of each next_functions entry; None for (None, 0)
    node: Any  # the framework's node object
    variable: Any  # for AccumulateGrad, the leaf tensor; otherwise None
    output_nrs: Tuple[int, ...] = ()  # the output number of each edge (all 0 but for unbind)


def node_name(node: Any) -> str:
    """A node's name without C++ namespaces (``torch::autograd::AccumulateGrad``
    becomes ``AccumulateGrad``)."""
    return node.name().rsplit("::", 1)[-1]


def walk(outputs: Any) -> List[GraphNode]:
    """The nodes behind ``outputs`` (a tensor or a sequence of tensors).

    A leaf output that requires grad has no ``grad_fn``; it appears as a
    single AccumulateGrad-like entry whose ``node`` is None.
    """
    tensors: Sequence[Any] = outputs if isinstance(outputs, (list, tuple)) else (outputs,)
    order: Dict[Any, int] = {}
    found: List[Any] = []
    stack: List[Any] = []
    for tensor in reversed(tensors):
        if tensor.grad_fn is not None:
            stack.append(tensor.grad_fn)
    # Depth-first, children in next_functions order: push them reversed.
    while stack:
        node = stack.pop()
        if node in order:
            continue
        order[node] = len(found)
        found.append(node)
        for child, _ in reversed(node.next_functions):
            if child is not None and child not in order:
                stack.append(child)
    result = []
    for node in found:
        inputs = tuple(None if child is None else order[child]
                       for child, _ in node.next_functions)
        result.append(GraphNode(order[node], node_name(node), inputs, node,
                                getattr(node, "variable", None),
                                tuple(nr for _, nr in node.next_functions)))
    for tensor in tensors:
        if tensor.grad_fn is None and tensor.requires_grad:
            result.append(GraphNode(len(result), "AccumulateGrad", (), None, tensor))
    return result


def signature(outputs: Any) -> List[Tuple[Any, ...]]:
    """``(index, name, inputs)`` for every node, and the output numbers of its
    edges when one is not 0: equal lists mean equal graphs."""
    return [(n.index, n.name, n.inputs) + ((n.output_nrs,) if any(n.output_nrs) else ())
            for n in walk(outputs)]
