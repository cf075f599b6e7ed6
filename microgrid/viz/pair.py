"""PyTorch's graph and microgrid's, side by side, with their differences marked.

PyTorch counterpart: none; this is the picture of what ``compare`` checks.

Both graphs are described with the same canonical numbering (``walk.py``),
so node ``n3`` of one is compared with node ``n3`` of the other: a node
differs when it is missing on one side or when its kind, name, inputs, title,
shape/dtype lines or cells (values, grads) differ.  Saved values are not
compared: PyTorch names them (``self``, ``other``) where microgrid numbers
them.  Differing nodes are drawn in red on both sides.

Read next: ``steps.py``.
"""

from __future__ import annotations

from typing import Any, List, Mapping

from .description import Description, Params, describe
from .dot import Overlay, add_body, add_legend, kinds, new_graph, title_label
from .render import Graph

_COMPARED = ("kind", "name", "inputs", "title", "lines", "cells")


def _as_description(output: Any, params: Params, options: Mapping[str, bool]) -> Description:
    return dict(output) if isinstance(output, Mapping) else describe(output, params, **options)


def differences(left: Description, right: Description) -> List[str]:
    """The ids of the nodes that differ between two descriptions, in order."""
    def keyed(description: Description) -> Mapping[str, tuple]:
        return {entry["id"]: tuple(str(entry[k]) for k in _COMPARED)
                for entry in description["nodes"]}

    a, b = keyed(left), keyed(right)
    ids = list(a) + [node_id for node_id in b if node_id not in a]
    return [node_id for node_id in ids if a.get(node_id) != b.get(node_id)]


def draw_pair(torch_out: Any, microgrid_out: Any, torch_params: Params = None,
              microgrid_params: Params = None, show_values: bool = False,
              show_grads: bool = False, rankdir: str = "TB", show_legend: bool = True) -> Graph:
    """One picture with two clusters: the graph of ``torch_out`` (titled
    "PyTorch 2.13.0") beside the graph of ``microgrid_out`` (titled
    "microgrid").  Each argument is a tensor or a :func:`describe` dict (as
    ``compare`` sends back from its subprocesses); nodes that differ are red.
    """
    options = {"show_values": show_values, "show_grads": show_grads}
    left = _as_description(torch_out, torch_params, options)
    right = _as_description(microgrid_out, microgrid_params, options)
    differing = differences(left, right)
    overlay = Overlay(highlight={node_id: "diff" for node_id in differing})
    if differing:
        summary = f"{len(differing)} node{'s' * (len(differing) != 1)} differ (red)"
    else:
        summary = "the graphs match node for node"
    graph = new_graph("pair", rankdir, title_label(f"{left['title']} vs {right['title']}",
                                                   [summary]))
    for name, description in (("left", left), ("right", right)):
        with graph.subgraph(name=f"cluster_{name}") as cluster:
            cluster.attr(label=title_label(description["title"], description["notes"]),
                         style="rounded", color="#bbbbbb", margin="12")
            add_body(cluster, description, f"{name}_", overlay)
    if show_legend:
        add_legend(graph, kinds(left, right, overlay=overlay))
    graph.description = {"left": left, "right": right, "differences": differing}
    return graph
