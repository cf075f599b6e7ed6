"""Snapshots: what a program's tensors hold, as plain JSON-able records.

PyTorch counterpart: none; this reads only what every tensor offers under
both engines (``shape``, ``dtype``, ``tolist()``, ``requires_grad``,
``grad``, ``grad_fn``), so the same code snapshots a PyTorch tensor in the
PyTorch run and a microgrid tensor in the microgrid run.

A record is::

    {"shape": [2, 2], "dtype": "torch.float32", "requires_grad": true,
     "values": [[1.0, 2.0], [3.0, 4.0]],
     "graph": [[0, "MeanBackward0", [1]], [1, "MulBackward0", [2, 2]], ...],
     "grad": {"shape": ..., "dtype": ..., "values": ..., "graph": ...}}

``graph`` is :func:`microgrid.autograd.walk.signature` of the tensor (None
for a leaf); ``grad`` is present when the tensor has one.

Read next: ``runner.py``, which takes these snapshots while a program runs.
"""

from __future__ import annotations

from typing import Any, Dict, Iterator, List, Optional, Tuple

from microgrid.autograd.walk import GraphNode, walk

#: Graphs larger than this are not walked.  PyTorch crashes when it frees a
#: very long graph whose nodes were touched from Python (about 50,000 nodes),
#: and comparing such graphs node by node teaches nothing anyway.
GRAPH_LIMIT = 10_000

#: Tensors with more elements than this are summarized, not sent whole.
VALUE_LIMIT = 100_000

#: Containers (lists, tuples, dicts) bigger than this are not searched for tensors.
CONTAINER_LIMIT = 64


def tensors_in(namespace: Dict[str, Any], tensor_type: type) -> Iterator[Tuple[str, Any]]:
    """``(name, tensor)`` for every tensor in a frame's variables, also one
    level inside lists, tuples and dicts (``params[0]``, ``out['loss']``)."""
    for name, value in namespace.items():
        if name.startswith("__"):
            continue
        if isinstance(value, tensor_type):
            yield name, value
        elif isinstance(value, (list, tuple)) and len(value) <= CONTAINER_LIMIT:
            for i, item in enumerate(value):
                if isinstance(item, tensor_type):
                    yield f"{name}[{i}]", item
        elif isinstance(value, dict) and len(value) <= CONTAINER_LIMIT:
            for key, item in value.items():
                if isinstance(item, tensor_type):
                    yield f"{name}[{key!r}]", item


def graph_of(tensor: Any) -> Optional[List[GraphNode]]:
    """The walked graph behind ``tensor`` (None for a leaf, or when it has
    more than :data:`GRAPH_LIMIT` nodes)."""
    if tensor.grad_fn is None or not _graph_fits(tensor.grad_fn):
        return None
    return walk(tensor)


def _graph_fits(root: Any) -> bool:
    """Does the graph below ``root`` have at most GRAPH_LIMIT nodes?  Stops
    counting as soon as it knows, so a huge graph is barely touched."""
    seen = {root}
    stack = [root]
    while stack:
        for child, _ in stack.pop().next_functions:
            if child is not None and child not in seen:
                if len(seen) == GRAPH_LIMIT:
                    return False
                seen.add(child)
                stack.append(child)
    return True


def signature_of(nodes: Optional[List[GraphNode]]) -> Optional[List[list]]:
    """A walked graph as JSON: ``[index, name, [input indices]]`` per node."""
    if nodes is None:
        return None
    return [[n.index, n.name, list(n.inputs)] for n in nodes]


def _values(tensor: Any) -> Any:
    """The elements as nested lists, or None for a tensor too big to send."""
    if tensor.numel() > VALUE_LIMIT:
        return None
    return tensor.detach().tolist()


def _basic(tensor: Any, nodes: Optional[List[GraphNode]]) -> Dict[str, Any]:
    return {"shape": list(tensor.shape), "dtype": str(tensor.dtype),
            "values": _values(tensor), "graph": signature_of(nodes)}


def tensor_record(tensor: Any, nodes: Optional[List[GraphNode]]) -> Dict[str, Any]:
    """The JSON record of one tensor (see the module docstring); ``nodes`` is
    its :func:`graph_of`.

    ``.grad`` is read only where PyTorch keeps one (leaves, and tensors that
    called ``retain_grad()``): reading it elsewhere makes PyTorch print a
    warning, which would change the transcript.
    """
    record = _basic(tensor, nodes)
    record["requires_grad"] = bool(tensor.requires_grad)
    if tensor.grad_fn is None or getattr(tensor, "retains_grad", False):
        grad = tensor.grad
        if grad is not None:
            record["grad"] = _basic(grad, graph_of(grad))
    return record
