"""A helper for the autograd tests: run a story under PyTorch and microgrid, compare.

A *story* is a function ``story(lib, say)``: it does things with ``lib``
(``torch`` or ``microgrid``) and calls ``say(value)`` on whatever should be
the same under both.  :func:`same_story` runs it twice and compares what was
said, the warnings raised (class and text) and the exception that ended the
story (class and message), if any.

``say`` turns values into comparable form: a tensor becomes its ``repr``
(values, dtype, ``grad_fn`` name and ``requires_grad``, as printed), a graph
node its name, sequences element by element.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, List, Optional, Tuple

import torch

import microgrid
from microgrid.autograd.walk import node_name

Story = Callable[[Any, Callable[[Any], None]], Any]

#: PyTorch warns about ``backward(create_graph=True)`` once per process, so
#: whether a story sees it depends on the stories before it: left out here
#: (``test_autograd_api.py`` checks it on its own).
CYCLE_WARNING = "Using backward() with create_graph=True will create a reference cycle"


def observe(value: Any) -> Any:
    """``value`` in a form that compares equal across the two libraries."""
    if isinstance(value, (torch.Tensor, microgrid.Tensor)):
        return "tensor", repr(value)
    if isinstance(value, (list, tuple)):
        return type(value).__name__, [observe(v) for v in value]
    if isinstance(value, dict):
        return "dict", [(k, observe(v)) for k, v in value.items()]
    if hasattr(value, "next_functions"):
        return "node", node_name(value)
    return value


def tell(lib: Any, story: Story) -> Tuple[List[Any], Optional[Tuple[str, str]], List[Any]]:
    """(what was said, the exception that ended the story, the warnings)."""
    said: List[Any] = []
    error = None
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            story(lib, lambda value: said.append(observe(value)))
        except Exception as exc:  # noqa: BLE001 - compared with the other library
            error = (type(exc).__name__, str(exc))
    return said, error, [(w.category.__name__, str(w.message)) for w in caught
                         if not str(w.message).startswith(CYCLE_WARNING)]


def same_story(story: Story, expect_error: Optional[bool] = None) -> List[Any]:
    """Run ``story`` under both libraries; everything must agree.  With
    ``expect_error``, also check the story did (or did not) end in one."""
    theirs = tell(torch, story)
    ours = tell(microgrid, story)
    assert ours[1] == theirs[1], "exception"
    assert ours[0] == theirs[0], "what was said"
    assert ours[2] == theirs[2], "warnings"
    if expect_error is not None:
        assert (theirs[1] is not None) == expect_error, f"PyTorch ended with {theirs[1]}"
    return theirs[0]
