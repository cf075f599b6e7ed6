"""The backward pass, one picture per step, and a page to step through them.

PyTorch counterpart: none; the gradients are read through the node hooks
PyTorch and microgrid both have (``node.register_hook(fn(grad_inputs,
grad_outputs))``, see ``autograd/graph.py``).

:func:`draw_backward_steps` hooks every node of the graph, runs
``backward(retain_graph=True)`` and records, in the order the engine runs
them, what each node received (the gradient of its output) and what it sent
along each edge of ``next_functions``.  Frame ``k`` highlights the node
running at step ``k`` and writes every gradient computed so far: on the
edges it travelled along, and in the leaves' ``grad`` cells.  For the
tutorial (``out = (x * x).mean()``): ``MeanBackward0`` sends 0.25 to every
element, ``MulBackward0`` sends ``2 * x * 0.25`` (once along each of its two
edges to ``x``), and ``AccumulateGrad`` stores their sum, ``x / 2``.

Backward adds into the leaves' ``.grad``; their ``.grad`` is set aside before
the pass and put back after it, so drawing leaves the user's tensors as they
were.  Steps inside a summarized box (``description.py``) share one frame.

Read next: ``__main__.py``, which draws the tutorial's pictures.
"""

from __future__ import annotations

import html as html_text
import re
from pathlib import Path
from typing import Any, Dict, List, NamedTuple, Optional, Tuple

import numpy as np

from ..autograd.walk import GraphNode, walk
from .description import Description, Params, describe, package_of, to_numpy, values_text
from .dot import Overlay, to_dot
from .render import FORMATS, Graph, PathLike, write_atomic


class Step(NamedTuple):
    """What one node did during backward."""

    index: int  # the node's walk index
    received: Optional[np.ndarray]  # the gradient of its output
    sent: Tuple[Optional[np.ndarray], ...]  # one gradient per next_functions entry


class BackwardSteps(NamedTuple):
    """What :func:`draw_backward_steps` made."""

    frames: List[Graph]  # one picture per step
    files: List[Path]  # the frames' files, in order
    html: Path  # the page that steps through them
    order: List[str]  # the names of the nodes, in the order they ran


def _numpy(grad: Any) -> Optional[np.ndarray]:
    return None if grad is None else to_numpy(grad)


def record_backward(outputs: List[Any], nodes: List[GraphNode]) -> List[Step]:
    """Run backward through ``nodes`` with a hook on each, and return the
    steps in the order they ran.  Hooks are removed and the ``.grad`` of the
    leaves (and of outputs that ``retain_grad()``) restored afterwards, even
    if backward fails.  An intermediate tensor that called ``retain_grad()``
    cannot be found from the graph: its ``.grad`` is filled as by any backward."""
    steps: List[Step] = []

    def hook_for(index: int) -> Any:
        def hook(grad_inputs: Tuple[Any, ...], grad_outputs: Tuple[Any, ...]) -> None:
            steps.append(Step(index, _numpy(grad_outputs[0]),
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


def _drawn_ids(description: Description) -> Dict[int, str]:
    """The id of the box that draws each walk node (itself, or a summary)."""
    drawn = {}
    for entry in description["nodes"]:
        if entry["kind"] in ("backward", "leaf"):
            drawn[entry["index"]] = entry["id"]
        for first, last in entry.get("members", ()):
            drawn.update((i, entry["id"]) for i in range(first, last + 1))
    return drawn


def _frames(description: Description, nodes: List[GraphNode], steps: List[Step],
            outputs: List[Any], names: Dict[int, str]) -> List[Overlay]:
    """One overlay per frame; consecutive steps inside one summary box share a frame."""
    drawn = _drawn_ids(description)
    edge_ids = {edge["id"] for edge in description["edges"]}
    edge_labels = {f"o{k}": values_text(np.ones_like(to_numpy(t))) for k, t in enumerate(outputs)}
    leaf_grads: Dict[str, List[List[str]]] = {}
    frames: List[List[Any]] = []  # [drawn id, steps run, what happens, overlay]
    for step in steps:
        current = drawn[step.index]
        node = nodes[step.index]
        for slot, grad in enumerate(step.sent):
            if grad is not None and f"e{step.index}_{slot}" in edge_ids:
                edge_labels[f"e{step.index}_{slot}"] = values_text(grad)
        cells = dict(leaf_grads)
        if node.variable is not None:
            # AccumulateGrad: what it receives becomes the leaf's .grad.
            leaf_grads[current] = cells[current] = [["grad", values_text(step.received)]]
            name = names.get(id(node.variable))
            grad = "the leaf's .grad" if name is None else f"{name}.grad"
            what = f"AccumulateGrad adds the gradient it receives into {grad}"
        elif current.endswith("_more"):
            what = "summarized nodes run, one after another"
        else:
            cells[current] = [["receives", values_text(step.received)]]
            what = (f"{node.name} receives the gradient of its output and sends one gradient "
                    "along each edge of next_functions")
        overlay = Overlay({current: "current"}, dict(edge_labels), cells)
        if frames and frames[-1][0] == current:  # only a box runs twice in a row
            frames[-1][1] += 1
            frames[-1][3] = overlay
        else:
            frames.append([current, 1, what, overlay])
    count = len(frames)
    return [overlay._replace(caption=f"step {k} of {count}: "
                                     + (f"{runs:,} {what}" if runs > 1 else what))
            for k, (_, runs, what, overlay) in enumerate(frames, 1)]


_PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>{title}</title>
<style>
body {{ font-family: Helvetica, Arial, sans-serif; margin: 1.5em; color: #222; }}
.frame {{ display: none; }}
.frame.shown {{ display: block; }}
.frame svg {{ max-width: 100%; height: auto; }}
button {{ font-size: 1em; margin-right: 0.5em; }}
</style>
</head>
<body>
<h1>{title}</h1>
<p><button id="previous">&#9664; previous</button><button id="next">next &#9654;</button>
<span id="position"></span> (or use the arrow keys)</p>
{frames}
<script>
(function () {{
  var frames = document.querySelectorAll(".frame"), shown = 0;
  function show(k) {{
    shown = Math.max(0, Math.min(frames.length - 1, k));
    for (var i = 0; i < frames.length; i++) {{
      frames[i].className = i === shown ? "frame shown" : "frame";
    }}
    document.getElementById("position").textContent =
      "step " + (shown + 1) + " of " + frames.length;
  }}
  document.getElementById("previous").onclick = function () {{ show(shown - 1); }};
  document.getElementById("next").onclick = function () {{ show(shown + 1); }};
  document.addEventListener("keydown", function (e) {{
    if (e.key === "ArrowLeft") show(shown - 1);
    if (e.key === "ArrowRight") show(shown + 1);
  }});
  show(0);
}})();
</script>
</body>
</html>
"""


def page(title: str, captions: List[str], svgs: List[str]) -> str:
    """A self-contained HTML page stepping through inline SVG frames."""
    frames = []
    for k, (caption, svg) in enumerate(zip(captions, svgs, strict=True), 1):
        svg = svg[svg.index("<svg"):]  # drop the XML declaration and doctype
        svg = re.sub(r'\bid="', f'id="f{k}_', svg)  # ids stay unique across frames
        frames.append(f'<div class="frame" id="frame{k}">\n<p>{html_text.escape(caption)}</p>\n'
                      f"{svg}</div>")
    return _PAGE.format(title=html_text.escape(title), frames="\n".join(frames))


def draw_backward_steps(output: Any, dir: PathLike, params: Params = None,
                        show_values: bool = False, rankdir: str = "TB", format: str = "svg",
                        max_frames: int = 60) -> BackwardSteps:
    """Draw ``output.backward()`` step by step into the folder ``dir``.

    Writes ``step_01.svg`` ... (one frame per step, in ``format``) and
    ``index.html``, a page that steps through them with previous/next
    buttons and needs nothing from the network.  ``output`` may be a torch or
    microgrid tensor (or a list of them); its graph must not have been freed
    by an earlier ``backward()``.  The leaves' ``.grad`` are left as they were.
    """
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    outputs = list(output) if isinstance(output, (list, tuple)) else [output]
    if not all(t.requires_grad for t in outputs):
        raise ValueError("draw_backward_steps needs outputs that require grad: there is no "
                         "backward pass to draw")
    params = dict(params or {})  # it may be a generator, such as named_parameters()
    description = describe(outputs, params, show_values=show_values)
    nodes = walk(outputs)
    steps = record_backward(outputs, nodes)
    overlays = _frames(description, nodes, steps, outputs,
                       {id(t): name for name, t in params.items()})
    if len(overlays) > max_frames:
        raise ValueError(f"backward runs in {len(overlays)} steps, more than max_frames="
                         f"{max_frames}; pass a larger max_frames to draw them all")
    folder = Path(dir)
    digits = len(str(len(overlays)))
    frames, files, svgs = [], [], []
    for k, overlay in enumerate(overlays, 1):
        frame = Graph(to_dot(description, rankdir, overlay=overlay), description)
        svg = frame.pipe("svg")
        data = svg if format == "svg" else frame.pipe(format)
        frames.append(frame)
        files.append(write_atomic(folder / f"step_{k:0{digits}d}.{format}", data))
        svgs.append(svg.decode("utf-8"))
    title = f"backward, step by step ({description['title']})"
    html = write_atomic(folder / "index.html",
                        page(title, [o.caption for o in overlays], svgs).encode("utf-8"))
    return BackwardSteps(frames, files, html, [nodes[step.index].name for step in steps])
