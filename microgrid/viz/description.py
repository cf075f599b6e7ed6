"""Describing a computation graph as plain data (the first half of drawing it).

PyTorch counterpart: none in PyTorch itself; the idea is torchviz's
``make_dot``.  Like ``autograd/walk.py``, this reads only the protocol every
PyTorch graph has (``grad_fn``, ``next_functions``, ``AccumulateGrad.variable``,
``name()``, and the ``_saved_*`` attributes of torch's nodes), so it describes a
PyTorch tensor's graph exactly as it describes a microgrid tensor's.

:func:`describe` turns the graph behind an output into a JSON-serializable
dict: every node with an id, a kind, its name, its inputs and the text of its
label; every edge; notes.  ``dot.py`` turns that dict into Graphviz DOT text,
and ``compare`` sends such dicts between processes (one runs torch, one runs
microgrid).

Node ids come from the walk's numbering (``n0`` is the first node the
depth-first walk meets), never from ``id()``, so one program always gives
one description.  What gets an id:

* ``n<i>``: walk node ``i``; kind ``"backward"`` (a ``grad_fn`` such as
  ``MulBackward0``) or ``"leaf"`` (an ``AccumulateGrad``, drawn as the leaf
  tensor it feeds, with its name from ``params``);
* ``n<i>_c<slot>``: a ``None`` entry of node ``i``'s ``next_functions`` (an
  input needing no gradient, such as a constant); kind ``"constant"``;
* ``out<k>``: the ``k``-th output tensor; kind ``"output"``;
* ``n<i>_more`` (kind ``"collapsed"``): a box standing for many nodes, whose
  ``members`` are ranges of walk indices.  A long chain of single-input nodes
  keeps its first and last two nodes and the rest becomes one box; past
  ``max_nodes`` the remaining nodes share one box.

Edge ``e<i>_<slot>`` is entry ``slot`` of node ``i``'s ``next_functions``,
drawn from the input (tail) to node ``i`` (head): arrows follow the forward
computation, gradients flow back against them.  Edge ``o<k>`` joins output
``k`` to the node that produced it.

Read next: ``render.py`` (what a picture is), then ``dot.py``.
"""

from __future__ import annotations

import re
import sys
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Tuple, Union

import numpy as np

from .. import _dtype
from .._tensor_str import format_tensor, get_printoptions, printoptions
from ..autograd.graph import Node, SavedOutput
from ..autograd.walk import GraphNode, walk

Description = Dict[str, Any]
Params = Union[None, Mapping[str, Any], Iterable[Tuple[str, Any]]]

#: Chains of single-input nodes longer than this are summarized.
CHAIN_LIMIT = 10
#: Nodes kept at each end of a summarized chain.
CHAIN_KEEP = 2
#: At most this many graph nodes are drawn by default.
MAX_NODES = 400
#: Print options for the values written in a picture: short, so cells stay small.
CELL_PRINT = {"threshold": 36, "edgeitems": 2, "linewidth": 60}
FREED = "freed by backward()"
#: Longest text of a saved attribute (torchviz's ``max_attr_chars``) and of a name.
MAX_ATTR_CHARS = 50
MAX_NAME_CHARS = 100


def shorten(text: str, max_chars: int) -> str:
    """``text`` cut to ``max_chars`` characters, ending in ``...`` if cut."""
    return text if len(text) <= max_chars else text[:max(max_chars - 3, 0)] + "..."


def display_name(key: Any) -> str:
    """A name as a picture shows it: ``str(key)`` (a key need not be a
    string), lone surrogates written as escapes (they cannot be written to
    a file), at most :data:`MAX_NAME_CHARS` characters."""
    text = str(key).encode("utf-8", "backslashreplace").decode("utf-8")
    return shorten(text, MAX_NAME_CHARS)


def param_names(params: Params) -> Dict[int, str]:
    """``{id(tensor): name}`` from ``{"x": x}`` or ``model.named_parameters()``."""
    pairs = params.items() if isinstance(params, Mapping) else (params or ())
    try:
        return {id(tensor): display_name(name) for name, tensor in pairs}
    except (TypeError, ValueError):
        raise TypeError("params must map names to tensors, like {'x': x} or "
                        "model.named_parameters()") from None


def output_tensors(output: Any, caller: str = "draw") -> List[Any]:
    """``output`` as a list of tensors, or a ``TypeError`` that says what to pass."""
    outputs = list(output) if isinstance(output, (list, tuple)) else [output]
    for t in outputs:
        if not all(hasattr(t, a) for a in ("grad_fn", "requires_grad", "shape", "detach")):
            hint = ""
            if hasattr(t, "named_parameters"):
                hint = (f": call the model, then draw its output, e.g. {caller}(model(x), "
                        "params=dict(model.named_parameters()))")
            raise TypeError(f"{caller}() takes the tensor a computation produced (the output "
                            f"or the loss, e.g. {caller}(loss)), or a list of them, not "
                            f"{type(t).__name__}{hint}")
    if not outputs:
        raise TypeError(f"{caller}() needs at least one tensor to draw, got an empty list")
    return outputs


# -- reading tensors of either framework -------------------------------------------
def package_of(tensor: Any) -> Any:
    """The module a tensor comes from: ``torch`` or ``microgrid``."""
    return sys.modules[type(tensor).__module__.partition(".")[0]]


def framework(tensor: Any) -> str:
    """The title of the framework a tensor belongs to: ``'PyTorch 2.13.0'`` or
    ``'microgrid'``."""
    package = package_of(tensor)
    if package.__name__ == "torch":
        return f"PyTorch {package.__version__.split('+')[0]}"
    return package.__name__


def tensor_meta(tensor: Any) -> str:
    """Shape and dtype as a picture prints them: ``'(2, 2) float32'``."""
    return f"{tuple(int(s) for s in tensor.shape)} {str(tensor.dtype).rsplit('.', 1)[-1]}"


def to_numpy(tensor: Any) -> np.ndarray:
    """A NumPy copy of a torch or microgrid tensor's values."""
    detached = tensor.detach()
    if hasattr(detached, "cpu"):  # torch: the values may live on another device
        detached = detached.cpu()
    try:
        array = detached.numpy()
    except TypeError:  # a torch dtype NumPy lacks, such as bfloat16
        array = detached.double().numpy()
    return np.array(array, copy=True)


_SUFFIX = re.compile(r",\s*(?:size|dtype)=")


def values_text(array: np.ndarray) -> str:
    """The values as ``print`` shows them (microgrid's ``format_tensor``,
    byte-identical to torch), without the ``tensor(...)`` wrapper, summarized
    early so that a cell stays small."""
    options = get_printoptions()
    options.update(CELL_PRINT)
    with printoptions(**options):
        text = format_tensor(array, _dtype.from_numpy_dtype(array.dtype))
    prefix = "tensor("
    body = _SUFFIX.split(text[len(prefix):-1], maxsplit=1)[0]
    lines = body.split("\n")
    return "\n".join([lines[0]] + [line[len(prefix):] for line in lines[1:]])


def _is_tensor(value: Any) -> bool:
    return isinstance(value, (SavedOutput, np.ndarray)) or (
        hasattr(value, "detach") and hasattr(value, "dtype"))


def _value_cell(value: Any, show_values: bool, max_chars: int = MAX_ATTR_CHARS) -> str:
    """A saved value: shape and dtype for a tensor (and its values if asked),
    ``repr`` for anything else, cut to ``max_chars``."""
    if isinstance(value, SavedOutput):
        value = value.data  # a node that saved its own output keeps only the array
    if isinstance(value, np.ndarray):
        dtype = _dtype.from_numpy_dtype(value.dtype)
        meta = f"{value.shape} {dtype.name}"
        return meta + ("\n" + values_text(value) if show_values else "")
    if _is_tensor(value):
        return tensor_meta(value) + ("\n" + values_text(to_numpy(value)) if show_values else "")
    return shorten(repr(value), max_chars)


def saved_cells(node: Any, show_values: bool, tensors: bool = True, attributes: bool = True,
                max_chars: int = MAX_ATTR_CHARS) -> List[List[str]]:
    """``[name, text]`` for what a node saved for backward: its saved
    ``tensors`` and its other ``attributes`` (shapes, dims, scalars).

    microgrid: the values given to ``save_for_backward`` (``saved[0]`` ...)
    and the plain attributes the op stored.  PyTorch: the node's
    ``_saved_*`` attributes (``_saved_self`` is shown as ``self``).
    """
    cells = []
    if isinstance(node, Node):
        if tensors and node._saved is None:
            cells.append(["saved", FREED])
        elif tensors:
            cells += [[f"saved[{i}]", _value_cell(v, show_values)]
                      for i, v in enumerate(node._saved)]
        if attributes:
            cells += [[key, _value_cell(value, show_values, max_chars)]
                      for key, value in vars(node).items()
                      if not key.startswith("_") and key not in ("next_functions", "variable")]
        return cells
    for attribute in dir(node):
        if attribute.startswith("_saved_"):
            try:
                value = getattr(node, attribute)
            except RuntimeError:  # torch frees saved tensors after backward
                if tensors:
                    cells.append([attribute[len("_saved_"):], FREED])
                continue
            if tensors if _is_tensor(value) else attributes:
                cells.append([attribute[len("_saved_"):],
                              _value_cell(value, show_values, max_chars)])
    return cells


def _tensor_cells(tensor: Any, show_values: bool, show_grads: bool) -> List[List[str]]:
    cells = []
    if show_values:
        cells.append(["data", values_text(to_numpy(tensor))])
    # Only leaves (and tensors that retain_grad) have a .grad worth reading;
    # torch warns when a non-leaf's .grad is read.
    if show_grads and (tensor.is_leaf or getattr(tensor, "retains_grad", False)):
        grad = tensor.grad
        cells.append(["grad", "None" if grad is None else values_text(to_numpy(grad))])
    return cells


# -- summarizing big graphs ------------------------------------------------------
def _chain_links(nodes: List[GraphNode], roots: Sequence[int]) -> List[Optional[int]]:
    """For each node, the next node of a single-input chain through it, or None.

    Node ``i`` links to ``j`` when ``j`` is its only input that needs a
    gradient, ``j`` is not a leaf, and nothing but ``i`` uses ``j`` (so
    hiding ``j`` hides no other edge).
    """
    users = [0] * len(nodes)
    for node in nodes:
        for j in node.inputs:
            if j is not None:
                users[j] += 1
    for r in roots:
        users[r] += 1
    links: List[Optional[int]] = []
    for node in nodes:
        real = [j for j in node.inputs if j is not None]
        linked = (len(real) == 1 and users[real[0]] == 1
                  and nodes[real[0]].variable is None)
        links.append(real[0] if linked else None)
    return links


def _summarize(nodes: List[GraphNode], roots: Sequence[int], chain_limit: int,
               max_nodes: int) -> Tuple[Dict[int, str], Dict[str, str], List[str]]:
    """Which nodes are hidden in which box (``{node index: box id}``), a line
    saying what each box is, and notes for the picture."""
    links = _chain_links(nodes, roots)
    targets = {j for j in links if j is not None}
    box_of: Dict[int, str] = {}
    what: Dict[str, str] = {}
    notes = []
    for start in range(len(nodes)):
        if start in targets or links[start] is None:
            continue
        chain = [start]
        while links[chain[-1]] is not None:
            chain.append(links[chain[-1]])
        if len(chain) > chain_limit:
            hidden = chain[CHAIN_KEEP:-CHAIN_KEEP]
            box = f"n{hidden[0]}_more"
            box_of.update((i, box) for i in hidden)
            what[box] = f"inside a chain of {len(chain):,} single-input nodes"
            notes.append(f"A chain of {len(chain):,} single-input nodes is drawn as its first "
                         f"and last {CHAIN_KEEP} nodes.")
    shown = [i for i in range(len(nodes)) if i not in box_of]
    if len(shown) > max_nodes:
        box = f"n{shown[max_nodes]}_more"
        box_of.update((i, box) for i in shown[max_nodes:])
        what[box] = "not drawn: raise max_nodes to see them"
        notes.append(f"Only the first {max_nodes:,} nodes are drawn (max_nodes).")
    return box_of, what, notes


def _entry(node_id: str, kind: str, index: Optional[int], name: str, title: str,
           inputs: Sequence[Optional[int]] = (), lines: Sequence[str] = (),
           cells: Sequence[List[str]] = (), saved: Sequence[List[str]] = ()) -> Dict[str, Any]:
    """One node of a description (every node has the same keys, in this order)."""
    return {"id": node_id, "kind": kind, "index": index, "name": name, "inputs": list(inputs),
            "title": title, "lines": list(lines), "cells": list(cells), "saved": list(saved)}


def _box(box_id: str, hidden: List[GraphNode], what: str) -> Dict[str, Any]:
    """A box standing for ``hidden`` nodes; ``members`` lists their indices as
    inclusive ``[first, last]`` ranges."""
    names = list(dict.fromkeys(n.name for n in hidden))
    shown = "/".join(names[:3]) + ("/…" if len(names) > 3 else "")
    members: List[List[int]] = []
    for node in hidden:
        if members and members[-1][1] == node.index - 1:
            members[-1][1] = node.index
        else:
            members.append([node.index, node.index])
    entry = _entry(box_id, "collapsed", hidden[0].index, "",
                   f"… {len(hidden):,} more {shown} nodes …", lines=[what])
    entry["members"] = members
    return entry


# -- the description ---------------------------------------------------------------
def describe(output: Any, params: Params = None, show_values: bool = False,
             show_grads: bool = False, show_saved: bool = False,
             max_nodes: int = MAX_NODES, chain_limit: int = CHAIN_LIMIT, *,
             show_attrs: bool = False, max_attr_chars: int = MAX_ATTR_CHARS) -> Description:
    """A JSON-serializable description of the graph behind ``output``.

    ``output``: a torch or microgrid tensor, or a list/tuple of them.
    ``params``: names for tensors, ``{"x": x}`` or ``model.named_parameters()``.
    ``show_values`` / ``show_grads`` add the data / ``.grad`` of leaves and
    outputs; ``show_saved`` adds the tensors each backward node saved,
    ``show_attrs`` its other saved attributes (at most ``max_attr_chars``
    characters each), as torchviz's ``make_dot`` does.  Chains longer
    than ``chain_limit`` and graphs bigger than ``max_nodes`` are summarized.
    Keys: ``title``, ``nodes``, ``edges``, ``notes``, ``node_count``.
    """
    outputs = output_tensors(output)
    names = param_names(params)
    nodes = walk(outputs)
    index_of = {n.node: n.index for n in nodes if n.node is not None}
    roots = []
    for t in outputs:
        if t.grad_fn is not None:
            roots.append(index_of[t.grad_fn])
        else:  # a leaf output: walk gave it an entry of its own, matched by identity
            roots.append(next((n.index for n in nodes if n.node is None and n.variable is t),
                              None))
    box_of, what, notes = _summarize(nodes, [r for r in roots if r is not None], chain_limit,
                                     max_nodes)

    def drawn(i: int) -> str:
        return box_of.get(i, f"n{i}")

    entries: List[Dict[str, Any]] = []
    edges: List[Dict[str, Any]] = []
    boxes: Dict[str, List[GraphNode]] = {}
    box_ids = set(box_of.values())
    box_edges = set()  # a box stands for many nodes: one edge per neighbour is enough
    for node in nodes:
        head = drawn(node.index)
        if head in box_ids:
            if head not in boxes:
                entries.append({"id": head})  # filled in below, once its size is known
            boxes.setdefault(head, []).append(node)
        else:
            entries.append(_node_entry(node, names, show_values, show_grads,
                                       (show_saved, show_attrs, max_attr_chars)))
        for slot, j in enumerate(node.inputs):
            edge_id = f"e{node.index}_{slot}"
            if j is None:
                if head not in box_ids:  # the constants of hidden nodes are hidden too
                    entries.append(_entry(f"{head}_c{slot}", "constant", node.index, "None",
                                          "None"))
                    edges.append({"id": edge_id, "tail": f"{head}_c{slot}", "head": head,
                                  "kind": "constant"})
                continue
            tail = drawn(j)
            if tail in box_ids or head in box_ids:
                if tail == head or (tail, head) in box_edges:
                    continue
                box_edges.add((tail, head))
            edges.append({"id": edge_id, "tail": tail, "head": head, "kind": "input"})
    for entry in entries:
        if entry["id"] in boxes:
            entry.update(_box(entry["id"], boxes[entry["id"]], what[entry["id"]]))

    for k, (t, root) in enumerate(zip(outputs, roots, strict=True)):
        title = names.get(id(t), "output" if len(outputs) == 1 else f"output {k}")
        entries.append(_entry(f"out{k}", "output", None, "", title, lines=[tensor_meta(t)],
                              cells=_tensor_cells(t, show_values, show_grads)))
        if root is None:
            notes.append(f"{title} does not require grad: no graph was recorded for it.")
        else:
            edges.append({"id": f"o{k}", "tail": drawn(root), "head": f"out{k}",
                          "kind": "output"})
    return {"title": framework(outputs[0]), "nodes": entries, "edges": edges, "notes": notes,
            "node_count": len(nodes)}


def _node_entry(node: GraphNode, names: Dict[int, str], show_values: bool, show_grads: bool,
                saved: Tuple[bool, bool, int]) -> Dict[str, Any]:
    """The entry of one drawn walk node: a backward node or a leaf;
    ``saved`` is (show_saved, show_attrs, max_attr_chars)."""
    node_id = f"n{node.index}"
    if node.variable is None:
        tensors, attributes, max_chars = saved
        cells = (saved_cells(node.node, show_values, tensors, attributes, max_chars)
                 if tensors or attributes else [])
        return _entry(node_id, "backward", node.index, node.name, node.name, node.inputs,
                      saved=cells)
    leaf = node.variable
    meta = tensor_meta(leaf)
    name = names.get(id(leaf))
    return _entry(node_id, "leaf", node.index, node.name, meta if name is None else name,
                  node.inputs, lines=([] if name is None else [meta]) + [node.name],
                  cells=_tensor_cells(leaf, show_values, show_grads))
