"""``draw`` and torchviz's ``make_dot``: the graph behind a tensor, as a picture.

PyTorch counterpart: torchviz's ``make_dot(var, params=None,
show_attrs=False, show_saved=False, max_attr_chars=50)``, which returns a
``graphviz.Digraph``.  :func:`make_dot` takes the same arguments and returns
a ``graphviz.Digraph`` too (a :class:`render.Graph`), for a PyTorch tensor
as for a microgrid one, so a notebook's ``from torchviz import make_dot``
can become ``from microgrid.viz import make_dot``::

    dot = make_dot(y.mean(), params=dict(model.named_parameters()))
    dot.render("attached", format="png")   # writes attached (DOT) and attached.png
    dot                                     # in Jupyter: the picture

:func:`draw` is the same with microgrid's extras: values and gradients in
the boxes, a legend, a direction.

Read next: ``pair.py`` (two graphs side by side) and ``steps.py`` (the
backward pass, step by step).
"""

from __future__ import annotations

from typing import Any, Mapping

from .description import MAX_ATTR_CHARS, MAX_NODES, Params, describe
from .dot import to_graph
from .render import Graph


def draw(output: Any, params: Params = None, show_attrs: bool = False,
         show_saved: bool = False, max_attr_chars: int = MAX_ATTR_CHARS, *,
         show_values: bool = False, show_grads: bool = False, rankdir: str = "TB",
         show_legend: bool = True, max_nodes: int = MAX_NODES) -> Graph:
    """Draw the computation graph behind ``output`` (a torch or microgrid
    tensor, a list of them, or a description from :func:`describe`).

    ``params`` names leaf tensors (``{"x": x}`` or
    ``model.named_parameters()``); ``show_saved`` lists the tensors each
    backward node saved, ``show_attrs`` its other saved attributes (cut to
    ``max_attr_chars``); ``show_values`` and ``show_grads`` write the data
    and ``.grad`` of leaves and outputs into their boxes; ``rankdir`` is
    Graphviz's direction ("TB": leaves on top, output at the bottom; "LR":
    left to right).  Returns a ``graphviz.Digraph``: ``.render(...)``,
    ``.pipe(...)``, ``.source``, and a picture in Jupyter.
    """
    if isinstance(output, Mapping):
        description = output
    else:
        description = describe(output, params, show_values=show_values, show_grads=show_grads,
                                show_saved=show_saved, max_nodes=max_nodes, show_attrs=show_attrs,
                                max_attr_chars=max_attr_chars)
    return to_graph(description, rankdir, show_legend)


def make_dot(var: Any, params: Params = None, show_attrs: bool = False,
             show_saved: bool = False, max_attr_chars: int = MAX_ATTR_CHARS) -> Graph:
    """torchviz's ``make_dot``, drawn by microgrid: the graph behind ``var``
    (a PyTorch or microgrid tensor, or a list of them)."""
    return draw(var, params, show_attrs, show_saved, max_attr_chars)
