"""The backward pass, one picture per step, a page to step through them, an animation.

PyTorch counterpart: none; the gradients are read through the node hooks
PyTorch and microgrid both have (``node.register_hook(fn(grad_inputs,
grad_outputs))``, see ``autograd/graph.py``).

:func:`draw_backward_steps` hooks every node of the graph, runs
``backward(retain_graph=True)`` and records, in the order the engine runs
them, what each node received (the gradient of its output) and what it sent
along each edge of ``next_functions``.  Frame 0 is the graph before
backward; frame ``k`` highlights the node running at step ``k``.  Every
gradient is written inside a box, never on an edge (labels on two edges
between the same nodes would collide): a backward node shows what it
``receives`` and what it ``sends [k]`` along edge ``k`` (the edges carry the
small tags ``[k]``, each on the outer side of its edge), a leaf its
``grad``.  For the tutorial (``out = (x * x).mean()``): ``MeanBackward0``
sends 0.25 to every element, ``MulBackward0`` sends ``0.25 * x`` along each
of its two edges to ``x``, and ``AccumulateGrad`` stores their sum, ``x / 2``.

Nothing moves between frames: the graph is laid out once, with every box
at its largest (all values filled in), and every frame is drawn at those
positions (Graphviz's ``neato -n2``).  A value not computed yet is drawn as
``·`` padded to the width it will have.

Backward adds into the leaves' ``.grad``; their ``.grad`` is set aside before
the pass and put back after it, so drawing leaves the user's tensors as they
were.  Steps inside a summarized box (``description.py``) share one frame.
Everything is drawn in memory first and written at the end, so a failure
never leaves frames without their page.

Read next: ``__main__.py``, which draws the tutorial's pictures.
"""

from __future__ import annotations

import html as html_text
import io
import itertools
import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Dict, List, Mapping, NamedTuple, Optional, Sequence, Tuple

import graphviz
import numpy as np

from ..autograd.walk import GraphNode, walk
from .description import (
    Description,
    Params,
    describe,
    output_tensors,
    package_of,
    param_names,
    to_numpy,
    values_text,
)
from .dot import Overlay, add_body, add_legend, kinds, new_graph, title_label
from .render import Graph, PathLike, write_atomic

ANIMATIONS = ("gif", "png")  # an animated GIF, or an animated PNG (APNG)
#: How long each frame of the animation shows, in milliseconds (the last one longer).
FRAME_MS, LAST_FRAME_MS = 1800, 4000


class Step(NamedTuple):
    """What one node did during backward."""

    index: int  # the node's walk index
    received: Tuple[Optional[np.ndarray], ...]  # the gradient of each of its outputs
    sent: Tuple[Optional[np.ndarray], ...]  # one gradient per next_functions entry


def _numpy(grad: Any) -> Optional[np.ndarray]:
    return None if grad is None else to_numpy(grad)


def _text(grad: Optional[np.ndarray]) -> str:
    """A gradient as a cell shows it (``None``: an output no gradient flowed to)."""
    return "None" if grad is None else values_text(grad)


def record_backward(outputs: List[Any], nodes: List[GraphNode]) -> List[Step]:
    """Run backward through ``nodes`` with a hook on each, and return the
    steps in the order they ran.  Hooks are removed and the ``.grad`` of the
    leaves (and of outputs that ``retain_grad()``) restored afterwards, even
    if backward fails.  An intermediate tensor that called ``retain_grad()``
    cannot be found from the graph: its ``.grad`` is filled as by any backward."""
    steps: List[Step] = []

    def hook_for(index: int) -> Any:
        def hook(grad_inputs: Tuple[Any, ...], grad_outputs: Tuple[Any, ...]) -> None:
            steps.append(Step(index, tuple(_numpy(g) for g in grad_outputs),
                              tuple(_numpy(g) for g in grad_inputs)))
        return hook

    handles = [n.node.register_hook(hook_for(n.index)) for n in nodes if n.node is not None]
    leaves = [n.variable for n in nodes if n.variable is not None]
    leaves += [t for t in outputs if getattr(t, "retains_grad", False)]
    grads = [leaf.grad for leaf in leaves]
    package = package_of(outputs[0])
    try:
        for leaf in leaves:
            leaf.grad = None
        package.autograd.backward(outputs, [package.ones_like(t) for t in outputs],
                                  retain_graph=True)
    finally:
        for handle in handles:
            handle.remove()
        for leaf, grad in zip(leaves, grads, strict=True):
            leaf.grad = grad
    return steps


# -- what each frame shows -------------------------------------------------------------
def _drawn_ids(description: Description) -> Dict[int, str]:
    """The id of the box that draws each walk node (itself, or a summary)."""
    drawn = {}
    for entry in description["nodes"]:
        if entry["kind"] in ("backward", "leaf"):
            drawn[entry["index"]] = entry["id"]
        for first, last in entry.get("members", ()):
            drawn.update((i, entry["id"]) for i in range(first, last + 1))
    return drawn


def placeholder(text: str) -> str:
    """``·``, then spaces as wide and as many lines as ``text`` (a value not
    computed yet, drawn as big as it will be)."""
    lines = text.split("\n")
    return "\n".join(["·" + " " * (len(lines[0]) - 1)] + [" " * len(line) for line in lines[1:]])


@dataclass
class _Frame:
    current: Optional[str]  # the box running in this step (None before backward)
    runs: int  # how many steps this frame stands for
    what: str  # what happens, for the caption
    known: Dict[Tuple[str, str], str]  # (box id, cell key) -> value text, so far


def _frames(description: Description, nodes: List[GraphNode], steps: List[Step],
            names: Dict[int, str]) -> Tuple[List[_Frame], Dict[str, List[str]]]:
    """The frames, and the keys of the cells each box will show (in order)."""
    drawn = _drawn_ids(description)
    edge_ids = {edge["id"] for edge in description["edges"]}
    cell_keys: Dict[str, List[str]] = {}
    known: Dict[Tuple[str, str], str] = {}
    frames = [_Frame(None, 0, "before backward(): backward() starts from the output's "
                              "gradient, 1 (d out / d out)", {})]
    for step in steps:
        current = drawn[step.index]
        node = nodes[step.index]
        if node.variable is not None:
            # AccumulateGrad: what it receives becomes the leaf's .grad.
            updates = {"grad": _text(step.received[0])}
            name = names.get(id(node.variable))
            grad = "the leaf's .grad" if name is None else f"{name}.grad"
            what = f"AccumulateGrad adds the gradient it receives into {grad}"
        elif current.endswith("_more"):
            updates = {}
            what = "summarized nodes run, one after another"
        else:
            if len(step.received) == 1:
                updates = {"receives": _text(step.received[0])}
            else:  # a node with several outputs (unbind, split): one gradient for each
                updates = {f"receives [{k}]": _text(g) for k, g in enumerate(step.received)}
            updates.update((f"sends [{slot}]", _text(grad))
                           for slot, grad in enumerate(step.sent)
                           if grad is not None and f"e{step.index}_{slot}" in edge_ids)
            outputs = "its output" if len(step.received) == 1 else "each of its outputs"
            what = (f"{node.name} receives the gradient of {outputs} and sends one gradient "
                    "along each edge of next_functions")
        keys = cell_keys.setdefault(current, [])
        keys += [key for key in updates if key not in keys]
        known.update(((current, key), text) for key, text in updates.items())
        if frames[-1].current == current:  # only a box runs twice in a row
            frames[-1].runs += 1
            frames[-1].known = dict(known)
        else:
            frames.append(_Frame(current, 1, what, dict(known)))
    return frames, cell_keys


def _overlays(frames: List[_Frame], cell_keys: Dict[str, List[str]],
              outputs: List[Any]) -> List[Overlay]:
    """One overlay per frame, plus a last one with every value (for the layout)."""
    final = frames[-1].known
    seeds = {f"out{k}": [["backward() seeds", values_text(np.ones_like(to_numpy(t)))]]
             for k, t in enumerate(outputs)}
    count = len(frames) - 1
    overlays = []
    for k, frame in enumerate([*frames, _Frame(frames[-1].current, 1, "", final)]):
        cells = dict(seeds)
        for box, keys in cell_keys.items():
            cells[box] = [[key, frame.known.get((box, key), placeholder(final[box, key]))]
                          for key in keys]
        what = f"{frame.runs:,} {frame.what}" if frame.runs > 1 else frame.what
        caption = f"step {k} of {count}: {what}" if k <= count else ""
        highlight = {} if frame.current is None else {frame.current: "current"}
        overlays.append(Overlay(highlight=highlight, cells=cells, caption=caption))
    longest = max((o.caption for o in overlays), key=len)
    overlays[-1] = overlays[-1]._replace(caption=longest)
    return overlays


def _slot_tags(description: Description) -> Dict[str, Dict[str, str]]:
    """``[k]`` at the head of edge ``k`` of every node that sends gradients
    along two or more edges (a constant's dashed edge carries none)."""
    carrying = [e for e in description["edges"] if e["kind"] == "input"]
    heads: Dict[str, int] = {}
    for edge in carrying:
        heads[edge["head"]] = heads.get(edge["head"], 0) + 1
    return {edge["id"]: {"headlabel": f"[{edge['id'].rsplit('_', 1)[1]}]"}
            for edge in carrying if heads[edge["head"]] > 1}


#: Where a tag sits from the end of its edge, in points: beside it, and outside the node.
TAG_BESIDE, TAG_OUTSIDE = 13.0, 8.0


def _tag_positions(description: Description, laid: Mapping[str, Mapping[str, Any]],
                   tagged: Sequence[str], rankdir: str) -> Dict[str, str]:
    """Where each tag goes (Graphviz's ``head_lp``): just outside the node its
    edge enters, on the outer side of its edge (the leftmost edges' tags to
    their left, the rightmost's to their right), so that the tags of edges
    entering one node never lie on each other."""
    across = 0 if rankdir in ("TB", "BT") else 1  # the axis edges sit side by side along
    outside = {"TB": (0.0, 1.0), "BT": (0.0, -1.0), "LR": (-1.0, 0.0), "RL": (1.0, 0.0)}[rankdir]
    ends: Dict[str, Tuple[float, float]] = {}
    for edge_id in tagged:
        points = laid[edge_id]["pos"].split()
        end = next((p[2:] for p in points if p.startswith("e,")), points[-1])
        x, y = (float(v) for v in end.split(","))
        ends[edge_id] = (x, y)
    heads: Dict[str, List[str]] = {}
    for edge in description["edges"]:
        if edge["id"] in ends:
            heads.setdefault(edge["head"], []).append(edge["id"])
    positions = {}
    for edge_ids in heads.values():
        edge_ids.sort(key=lambda e: ends[e][across])
        for k, edge_id in enumerate(edge_ids):
            side = -1.0 if k < len(edge_ids) / 2 else 1.0
            point = list(ends[edge_id])
            point[across] += side * TAG_BESIDE
            point = [v + TAG_OUTSIDE * o for v, o in zip(point, outside, strict=True)]
            positions[edge_id] = f"{point[0]:.2f},{point[1]:.2f}"
    return positions


# -- drawing the frames at one layout ----------------------------------------------------
def _frame_graph(description: Description, overlay: Overlay, rankdir: str,
                 legend: Sequence[str], legend_attributes: Mapping[str, str]) -> Graph:
    graph = new_graph("backward", rankdir,
                      title_label(description["title"], [*description["notes"], overlay.caption]))
    add_body(graph, description, "", overlay)
    add_legend(graph, legend, **legend_attributes)
    graph.description = description
    return graph


def _pinned(overlay: Overlay, layout: Mapping[str, Any], description: Description,
            rankdir: str) -> Tuple[Overlay, Dict[str, str], Dict[str, str]]:
    """``overlay`` with the positions of ``layout`` (Graphviz's JSON output)
    for every node, edge and tag; the legend's and the graph's attributes."""
    objects = layout["objects"]
    where = {o["name"]: {"pos": o["pos"]} for o in objects if "pos" in o}
    laid_out: Dict[Tuple[str, str], List[Dict[str, Any]]] = {}  # (tail, head) -> its edges
    for laid in layout.get("edges", ()):
        key = (objects[laid["tail"]]["name"], objects[laid["head"]]["name"])
        laid_out.setdefault(key, []).append(laid)
    edges = {}
    for edge in description["edges"]:  # edges between the same two nodes: in their order
        laid = laid_out[edge["tail"], edge["head"]].pop(0)
        edges[edge["id"]] = dict(overlay.edge_attributes.get(edge["id"], {}), pos=laid["pos"])
    tagged = [e for e, attributes in edges.items() if "headlabel" in attributes]
    for edge_id, position in _tag_positions(description, edges, tagged, rankdir).items():
        edges[edge_id]["head_lp"] = position
    graph = {"bb": layout["bb"], **({"lp": layout["lp"]} if "lp" in layout else {})}
    return (overlay._replace(node_attributes=where, edge_attributes=edges), where["legend"],
            graph)


def draw_frames(description: Description, overlays: List[Overlay], rankdir: str) -> List[Graph]:
    """Lay out the last overlay (every box at its largest) once, then draw
    every other overlay at exactly those positions."""
    tags = _slot_tags(description)
    overlays = [o._replace(edge_attributes=tags) for o in overlays]
    legend = kinds(description, overlay=overlays[-1])
    layout = json.loads(_frame_graph(description, overlays[-1], rankdir, legend, {})
                        .pipe(format="json"))
    frames = []
    for overlay in overlays[:-1]:
        pinned, legend_at, graph_at = _pinned(overlay, layout, description, rankdir)
        frame = _frame_graph(description, pinned, rankdir, legend, legend_at)
        frame.attr("graph", **graph_at)
        # Two invisible corners keep every frame's bounding box that of the
        # layout (Graphviz would shrink it around a shorter caption).
        x0, y0, x1, y1 = layout["bb"].split(",")
        for corner, pos in (("corner_sw", f"{x0},{y0}"), ("corner_ne", f"{x1},{y1}")):
            frame.node(corner, label="", pos=pos, style="invis", shape="point", width="0",
                       height="0")
        frame.engine, frame.neato_no_op = "neato", 2
        frames.append(frame)
    return frames


# -- the page, the inline stepper and the animation ----------------------------------------
_STEPPER = """<div class="mg-steps" id="{uid}" tabindex="0">
<style>
#{uid} .mg-frame {{ margin-bottom: 1em; }}
#{uid} .mg-frame svg {{ max-width: 100%; height: auto; }}
#{uid}.mg-js .mg-frame {{ display: none; }}
#{uid}.mg-js .mg-frame.mg-shown {{ display: block; }}
#{uid} button {{ font-size: 1em; margin-right: 0.5em; }}
</style>
<p class="mg-controls" hidden><button class="mg-previous">&#9664; previous</button><button
class="mg-next">next &#9654;</button> <span class="mg-position"></span>
(or the arrow keys)</p>
{frames}
<script>
(function () {{
  var root = document.getElementById("{uid}");
  var frames = root.querySelectorAll(".mg-frame"), shown = 0;
  var previous = root.querySelector(".mg-previous"), next = root.querySelector(".mg-next");
  function show(k) {{
    shown = Math.max(0, Math.min(frames.length - 1, k));
    for (var i = 0; i < frames.length; i++) {{
      frames[i].classList.toggle("mg-shown", i === shown);
    }}
    previous.disabled = shown === 0;
    next.disabled = shown === frames.length - 1;
    root.querySelector(".mg-position").textContent =
      "step " + shown + " of " + (frames.length - 1);
  }}
  previous.onclick = function () {{ show(shown - 1); }};
  next.onclick = function () {{ show(shown + 1); }};
  root.addEventListener("keydown", function (e) {{
    if (e.key === "ArrowLeft") {{ show(shown - 1); e.preventDefault(); }}
    if (e.key === "ArrowRight") {{ show(shown + 1); e.preventDefault(); }}
  }});
  root.classList.add("mg-js");
  root.querySelector(".mg-controls").hidden = false;
  show(0);
}})();
</script>
</div>"""

_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }}</style>
</head>
<body>
<h1>{title}</h1>
{stepper}
<script>
(function () {{  // on the page, the arrow keys step wherever the focus is
  var steps = document.querySelector(".mg-steps");
  steps.focus({{preventScroll: true}});
  document.addEventListener("keydown", function (e) {{
    if (!steps.contains(e.target)) {{
      steps.dispatchEvent(new KeyboardEvent("keydown", {{key: e.key}}));
    }}
  }});
}})();
</script>
</body>
</html>
"""

_uids = itertools.count()


def stepper(svgs: Sequence[str], uid: Optional[str] = None) -> str:
    """An HTML fragment stepping through inline SVG frames: previous/next
    buttons (disabled at the ends) and arrow keys with JavaScript, every
    frame listed in order without it.  Needs nothing from the network."""
    uid = uid or f"mg-steps-{next(_uids)}"
    frames = []
    for k, svg in enumerate(svgs):
        svg = svg[svg.index("<svg"):]  # drop the XML declaration and doctype
        svg = re.sub(r'\bid="', f'id="{uid}-{k}-', svg)  # ids stay unique across frames
        frames.append(f'<div class="mg-frame" data-step="{k}">\n{svg}</div>')
    return _STEPPER.format(uid=uid, frames="\n".join(frames))


def page(title: str, svgs: Sequence[str]) -> str:
    """A self-contained HTML page with the :func:`stepper` of ``svgs``."""
    return _PAGE.format(title=html_text.escape(title), stepper=stepper(svgs, "mg-steps"))


def animate(pngs: Sequence[bytes], format: str = "gif") -> bytes:
    """The PNG frames as one animation (an animated GIF, or an APNG for
    ``"png"``): :data:`FRAME_MS` per frame, the last one longer, looping."""
    from PIL import Image

    images = [Image.open(io.BytesIO(data)).convert("RGB") for data in pngs]
    width, height = max(i.width for i in images), max(i.height for i in images)
    canvas = []
    for image in images:  # same size for every frame, should one differ
        frame = Image.new("RGB", (width, height), "white")
        frame.paste(image, (0, 0))
        canvas.append(frame.convert("P", palette=Image.Palette.ADAPTIVE) if format == "gif"
                      else frame)
    durations = [FRAME_MS] * (len(canvas) - 1) + [LAST_FRAME_MS]
    out = io.BytesIO()
    canvas[0].save(out, format="GIF" if format == "gif" else "PNG", save_all=True,
                   append_images=canvas[1:], duration=durations, loop=0)
    return out.getvalue()


@dataclass
class BackwardSteps:
    """What :func:`draw_backward_steps` made; shown in Jupyter as the stepper."""

    frames: List[Graph]  # one picture per step, step 0 first (before backward)
    files: List[Path]  # the frames' files, in order
    html: Path  # the page that steps through them
    order: List[str]  # the names of the nodes, in the order they ran
    animation: Optional[Path]  # the animated GIF or APNG, if one was asked for
    svgs: List[str]  # the frames as SVG text

    def _repr_html_(self) -> str:
        return stepper(self.svgs)

    def __repr__(self) -> str:
        return (f"BackwardSteps({len(self.frames)} frames in {self.html.parent}, "
                f"order={self.order})")


def draw_backward_steps(output: Any, dir: PathLike, params: Params = None,
                        show_values: bool = False, rankdir: str = "TB", format: str = "svg",
                        max_frames: int = 60, animation: Optional[str] = None,
                        dpi: float = 96) -> BackwardSteps:
    """Draw ``output.backward()`` step by step into the folder ``dir``.

    Writes ``step_0.svg`` (before backward), ``step_1.svg`` ... (one frame
    per step, in ``format``: any Graphviz format), ``index.html``, a page that
    steps through them and needs nothing from the network, and with
    ``animation="gif"`` (or ``"png"``, an APNG) ``backward.gif``, the frames
    as an animation (``dpi`` sets its resolution).  ``output`` may be a torch or
    microgrid tensor (or a list of them); its graph must not have been freed
    by an earlier ``backward()``.  The leaves' ``.grad`` are left as they were.
    """
    graphviz.parameters.verify_format(format)  # graphviz's check and message
    if animation is not None and animation not in ANIMATIONS:
        raise ValueError(f"animation must be one of {', '.join(ANIMATIONS)} or None, "
                         f"not {animation!r}")
    outputs = output_tensors(output, "draw_backward_steps")
    if not all(t.requires_grad for t in outputs):
        raise ValueError("draw_backward_steps needs outputs that require grad: there is no "
                         "backward pass to draw")
    params = list(params.items() if isinstance(params, Mapping) else params or ())
    description = describe(outputs, params, show_values=show_values)
    nodes = walk(outputs)
    steps = record_backward(outputs, nodes)
    frames, cell_keys = _frames(description, nodes, steps, param_names(params))
    if len(frames) - 1 > max_frames:
        raise ValueError(f"backward runs in {len(frames) - 1} steps, more than max_frames="
                         f"{max_frames}; pass a larger max_frames to draw them all")
    graphs = draw_frames(description, _overlays(frames, cell_keys, outputs), rankdir)
    svgs = [graph.pipe(format="svg", encoding="utf-8") for graph in graphs]
    pictures = [svg.encode("utf-8") if format == "svg" else graph.pipe(format=format)
                for graph, svg in zip(graphs, svgs, strict=True)]
    movie = None
    if animation is not None:
        movie = animate([_png(graph, dpi) for graph in graphs], animation)
    title = f"backward, step by step ({description['title']})"
    text = page(title, svgs).encode("utf-8")
    # Everything is drawn; now write, the page last.
    folder = Path(dir)
    digits = len(str(len(graphs) - 1))
    files = [write_atomic(folder / f"step_{k:0{digits}d}.{format}", data)
             for k, data in enumerate(pictures)]
    written = None if movie is None else write_atomic(folder / f"backward.{animation}", movie)
    html = write_atomic(folder / "index.html", text)
    return BackwardSteps(graphs, files, html, [nodes[step.index].name for step in steps],
                         written, svgs)


def _png(graph: Graph, dpi: float) -> bytes:
    copy = graph.copy()
    copy.attr("graph", dpi=str(dpi))
    return copy.pipe(format="png")
