"""Pictures of computation graphs, drawn with Graphviz.

PyTorch counterpart: none in PyTorch; torchviz's ``make_dot`` is the model.
Everything here reads only the graph protocol PyTorch and microgrid share
(``grad_fn``, ``next_functions``, ``AccumulateGrad.variable``, ``name()``, node
hooks), so each function draws a PyTorch tensor's graph exactly as it draws a
microgrid tensor's::

    from microgrid import viz
    x = microgrid.tensor([[1., 2.], [3., 4.]], requires_grad=True)
    out = (x * x).mean()
    viz.draw(out, params={"x": x}).render("graph.png")

* :func:`describe`: the graph as plain JSON-serializable data (``description.py``);
* :func:`draw`: that data as DOT text, rendered on demand (``dot.py``,
  ``render.py``); a :class:`Graph` shows itself in Jupyter;
* :func:`draw_pair`: PyTorch's graph beside microgrid's, differences in red
  (``pair.py``);
* :func:`draw_backward_steps`: one picture per step of ``backward()``, and an
  HTML page stepping through them (``steps.py``).

``python -m microgrid.viz tutorial docs/images`` draws the README's picture.

Read next: ``description.py``.
"""

from .description import describe
from .pair import draw_pair
from .render import Graph, draw
from .steps import draw_backward_steps

__all__ = ["describe", "draw", "draw_pair", "draw_backward_steps", "Graph"]
