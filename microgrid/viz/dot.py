"""From a graph description to a ``graphviz.Digraph`` (a :class:`render.Graph`).

PyTorch counterpart: none (torchviz builds its ``Digraph`` in ``make_dot``).

Every node is an HTML-like table (Graphviz's ``label=<...>``): a bold title
(``MulBackward0``, or the leaf's name), small lines under it (shape and
dtype), then ``key | value`` cells (data, grad, saved values) in a monospaced
font, micrograd-style.  Colors tell the kinds apart:

* grey: a backward node (a ``grad_fn``);
* blue: a leaf tensor, fed by its ``AccumulateGrad``;
* green: the output tensor;
* a faint dot: a ``None`` in ``next_functions`` (an input needing no gradient);
* yellow: a box standing for nodes that were summarized.

All text coming from the program (names, values) goes through :func:`html`,
so a parameter called ``<b>"x"`` is drawn as those characters and cannot
break the DOT text (graphviz's own quoting is not enough: it passes any
``<...>`` through as HTML).  The output is a pure function of the description:
the same program always gives the same DOT text.

Read next: ``drawing.py``, the functions a user calls.
"""

from __future__ import annotations

from typing import Any, Dict, Iterable, List, Mapping, NamedTuple, Sequence, Tuple

from .render import Graph

FONT = "Helvetica,Arial,sans-serif"
MONO = "DejaVu Sans Mono,Menlo,Consolas,monospace"
GREY_TEXT = "#555555"
GRAD_COLOR = "#1f5fbf"

#: (fill, border) of each kind of node, and of highlighted nodes.
STYLES: Dict[str, Tuple[str, str]] = {
    "backward": ("#eceff4", "#7b8794"),
    "leaf": ("#d3e5ff", "#4a78c2"),
    "output": ("#d9f2cc", "#5a9a3c"),
    "collapsed": ("#fff4c7", "#c9a227"),
    "diff": ("#ffd9d4", "#d62728"),
    "current": ("#ffe49c", "#e07b00"),
}
LEGEND_TEXT = {
    "backward": "backward node (a grad_fn, e.g. MulBackward0)",
    "leaf": "leaf tensor, fed by its AccumulateGrad node",
    "output": "output tensor",
    "constant": "None in next_functions: an input needing no gradient",
    "collapsed": "summarized nodes",
    "diff": "differs between the two graphs",
    "current": "node running in this step",
    "gradient": "a gradient: received by a node, or sent along edge [k] of next_functions",
}
RANKDIRS = ("TB", "LR", "BT", "RL")

_ENTITIES = {"&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "\\": "&#92;",
             "\n": '<br align="left"/>'}


class Overlay(NamedTuple):
    """Extra marks drawn over a description (by ``draw_pair`` and the backward steps)."""

    highlight: Mapping[str, str] = {}  # node id -> "diff" or "current"
    cells: Mapping[str, Sequence[Sequence[str]]] = {}  # node id -> extra [key, text] rows
    caption: str = ""  # a line under the title
    node_attributes: Mapping[str, Mapping[str, str]] = {}  # node id -> Graphviz attributes
    edge_attributes: Mapping[str, Mapping[str, str]] = {}  # edge id -> Graphviz attributes


NO_OVERLAY = Overlay()


def html(text: str) -> str:
    """``text`` made safe inside a Graphviz HTML-like label.

    Markup characters become entities, newlines become left-aligned line
    breaks, a space after a space or at a line start becomes a non-breaking
    space (so columns of numbers stay aligned), and other control characters
    are shown escaped, as ``repr`` shows them.
    """
    out = []
    previous = "\n"
    for ch in text:
        if ch in _ENTITIES:
            out.append(_ENTITIES[ch])
        elif ch == " ":
            out.append("&#160;" if previous in " \n" else " ")
        elif not ch.isprintable():
            out.append(html(repr(ch)[1:-1]))
        else:
            out.append(ch)
        previous = ch
    return "".join(out)


def _row(content: str, align: str = "center") -> str:
    return f'<tr><td colspan="2" align="{align}">{content}</td></tr>'


def _small(text: str, color: str = GREY_TEXT) -> str:
    return f'<font point-size="9" color="{color}">{html(text)}</font>'


def _cell(key: str, value: str) -> str:
    return (f'<tr><td align="right" valign="top">{_small(key)}</td>'
            f'<td align="left" balign="left" valign="top"><font face="{MONO}" point-size="9">'
            f"{html(value)}</font></td></tr>")


def node_label(entry: Mapping[str, Any], style: str,
               extra_cells: Iterable[Sequence[str]] = ()) -> str:
    """The HTML-like label of one node: a rounded table in the style's colors."""
    fill, border = STYLES[style]
    rows = [_row(f"<b>{html(entry['title'])}</b>")]
    rows += [_row(_small(line)) for line in entry["lines"]]
    rows += [_cell(key, value) for key, value in [*entry["cells"], *extra_cells]]
    if entry["saved"]:
        rows.append(_row(f"<i>{_small('saved for backward')}</i>", "left"))
        rows += [_cell(key, value) for key, value in entry["saved"]]
    width = 2 if style in ("diff", "current") else 1
    return (f'<<table border="{width}" cellborder="0" cellspacing="0" cellpadding="3" '
            f'style="rounded" color="{border}" bgcolor="{fill}">{"".join(rows)}</table>>')


def _edge_attributes(edge: Mapping[str, Any], overlay: Overlay) -> Dict[str, str]:
    attributes = {"constant": {"style": "dashed", "color": "#b8b8b8", "arrowsize": "0.5"},
                  "output": {"color": "#5a9a3c"}, "input": {}}[edge["kind"]]
    return dict(attributes, **overlay.edge_attributes.get(edge["id"], {}))


def add_body(graph: Graph, description: Mapping[str, Any], prefix: str = "",
             overlay: Overlay = NO_OVERLAY) -> None:
    """Add a description's nodes and edges to ``graph``; every id gets
    ``prefix`` (so two graphs can share one picture)."""
    for entry in description["nodes"]:
        node_id = prefix + entry["id"]
        if entry["kind"] == "constant":
            graph.node(node_id, label="", shape="point", width="0.08", color="#a8a8a8",
                       **overlay.node_attributes.get(entry["id"], {}))
            continue
        style = overlay.highlight.get(entry["id"], entry["kind"])
        label = node_label(entry, style, overlay.cells.get(entry["id"], ()))
        graph.node(node_id, label=label, **overlay.node_attributes.get(entry["id"], {}))
    for edge in description["edges"]:
        graph.edge(prefix + edge["tail"], prefix + edge["head"],
                   **_edge_attributes(edge, overlay))


def kinds(*descriptions: Mapping[str, Any], overlay: Overlay = NO_OVERLAY) -> List[str]:
    """The kinds of node a picture shows, for its legend, in legend order."""
    shown = {entry["kind"] for d in descriptions for entry in d["nodes"]}
    shown |= set(overlay.highlight.values())
    if overlay.cells:
        shown.add("gradient")
    return [kind for kind in LEGEND_TEXT if kind in shown]


def add_legend(graph: Graph, shown: Iterable[str], **attributes: str) -> None:
    """Add a legend node explaining the given kinds of node."""
    rows = ['<tr><td colspan="2" align="left"><b>legend</b></td></tr>']
    for kind in shown:
        if kind == "constant":
            swatch = '<td><font color="#a8a8a8">●</font></td>'
        elif kind == "gradient":
            swatch = f'<td><font color="{GRAD_COLOR}" face="{MONO}" point-size="9">0.25</font></td>'
        else:
            fill, border = STYLES[kind]
            swatch = f'<td bgcolor="{fill}" color="{border}" border="1" width="18"> </td>'
        rows.append(f'<tr>{swatch}<td align="left">{_small(LEGEND_TEXT[kind], "#222222")}</td>'
                    "</tr>")
    rows.append(_row(_small("arrows follow the forward pass; gradients flow back "
                            "against them"), "left"))
    table = "".join(rows)
    graph.node("legend", label='<<table border="0" cellborder="0" cellspacing="2" '
                               f'cellpadding="2">{table}</table>>', **attributes)


def title_label(title: str, lines: Iterable[str]) -> str:
    """A bold title with small lines under it (notes, captions), as an HTML label."""
    rest = "".join(f'<br/><font point-size="10" color="{GREY_TEXT}">{html(line)}</font>'
                   for line in lines if line)
    return f"<<b>{html(title)}</b>{rest}>"


def new_graph(name: str, rankdir: str, label: str) -> Graph:
    """An empty :class:`Graph` with microgrid's fonts and defaults."""
    if rankdir not in RANKDIRS:
        raise ValueError(f"rankdir must be one of {', '.join(RANKDIRS)}, not {rankdir!r}")
    return Graph(name, graph_attr={"rankdir": rankdir, "fontname": FONT, "fontsize": "13",
                                   "labelloc": "t", "label": label, "nodesep": "0.3",
                                   "ranksep": "0.4", "pad": "0.2", "bgcolor": "white"},
                 node_attr={"shape": "plain", "fontname": FONT, "fontsize": "11"},
                 edge_attr={"color": "#666666", "arrowsize": "0.7", "fontname": MONO,
                            "fontsize": "9", "fontcolor": GRAD_COLOR})


def to_graph(description: Mapping[str, Any], rankdir: str = "TB", show_legend: bool = True,
             overlay: Overlay = NO_OVERLAY) -> Graph:
    """One graph description drawn as a :class:`Graph`."""
    label = title_label(description["title"], [*description["notes"], overlay.caption])
    graph = new_graph("microgrid", rankdir, label)
    add_body(graph, description, "", overlay)
    if show_legend:
        add_legend(graph, kinds(description, overlay=overlay))
    graph.description = description
    return graph
