"""Pictures of computation graphs, drawn with Graphviz.

PyTorch counterpart: none in PyTorch; torchviz's ``make_dot`` is the model.
Everything here reads only the graph protocol PyTorch and microgrid share
(``grad_fn``, ``next_functions``, ``AccumulateGrad.variable``, ``name()``, node
hooks), so each function draws a PyTorch tensor's graph exactly as it draws a
microgrid tensor's::

    from microgrid import viz
    x = microgrid.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    out = (x * x).mean()
    viz.draw(out, params={"x": x}).render(outfile="graph.png")

* :func:`describe`: the graph as plain JSON-serializable data (``description.py``);
* :func:`draw` and torchviz's :func:`make_dot`: that data drawn as a
  ``graphviz.Digraph`` (``dot.py``, ``drawing.py``) that renders with no system
  Graphviz (``render.py``) and shows itself in Jupyter as SVG and PNG
  (:func:`set_jupyter_format`);
* :func:`draw_pair`: PyTorch's graph beside microgrid's, differences in red
  (``pair.py``);
* :func:`draw_backward_steps`: one picture per step of ``backward()``, all
  at the same positions, an HTML page stepping through them (shown inline in
  Jupyter) and an animation (``steps.py``).

``python -m microgrid.viz tutorial docs/images`` draws the README's picture.

``import microgrid`` loads neither graphviz nor pygraphviz: everything but
:func:`describe` is imported on first use (the module ``__getattr__`` below).

Read next: ``description.py``.
"""

import importlib
from typing import Any

from .description import describe

#: name -> the module of this package that defines it, imported on first use.
_LAZY = {"draw": "drawing", "make_dot": "drawing", "draw_pair": "pair",
         "draw_backward_steps": "steps", "Graph": "render", "set_jupyter_format": "render"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(f".{_LAZY[name]}", __name__), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

__all__ = ["describe", "draw", "make_dot", "draw_pair", "draw_backward_steps", "Graph",
           "set_jupyter_format"]
