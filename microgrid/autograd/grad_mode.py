"""Grad mode: the switch that decides whether ops record a graph.

PyTorch counterpart: ``torch.no_grad``, ``torch.enable_grad``,
``torch.set_grad_enabled`` and ``torch.is_grad_enabled``
(``torch/autograd/grad_mode.py``).

Every op asks ``is_grad_enabled()`` before it records a backward node.  Inside
``with microgrid.no_grad():`` the answer is False, so results are plain
tensors with no ``grad_fn``: that is how an optimizer updates weights without
the update becoming part of the next step's graph.  The engine itself runs
each backward function with grad mode set to ``create_graph``, which is all it
takes to get gradients of gradients.  (PyTorch keeps this flag per thread;
microgrid keeps one flag for the process.)

Read next: ``graph.py``, the nodes an op records when grad mode is on.
"""

from __future__ import annotations

import contextlib
from typing import Any


class _GradMode:
    """The one piece of global state: is recording enabled right now?"""

    enabled: bool = True


_grad_mode = _GradMode()


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default), False under ``no_grad``."""
    return _grad_mode.enabled


class _GradModeContext(contextlib.ContextDecorator):
    """Sets grad mode for a ``with`` block (or a decorated function), then restores it."""

    _mode: bool

    def __enter__(self) -> None:
        self._previous = _grad_mode.enabled
        _grad_mode.enabled = self._mode

    def __exit__(self, *exc_info: Any) -> None:
        _grad_mode.enabled = self._previous


class no_grad(_GradModeContext):  # noqa: N801 - torch's name
    """Context manager and decorator that turns graph recording off."""

    _mode = False


class enable_grad(_GradModeContext):  # noqa: N801 - torch's name
    """Context manager and decorator that turns graph recording back on."""

    _mode = True


class set_grad_enabled(_GradModeContext):  # noqa: N801 - torch's name
    """``set_grad_enabled(False)`` switches recording off at once; used in a
    ``with`` statement it restores the previous mode on exit, like torch."""

    def __init__(self, mode: bool) -> None:
        self._previous = _grad_mode.enabled
        self._mode = bool(mode)
        _grad_mode.enabled = self._mode

    def __enter__(self) -> None:
        # The mode was already set in __init__; nothing more to do.
        pass

    def __call__(self, func: Any) -> Any:
        # Used as a decorator: undo the switch made in __init__ and let the
        # decorated function switch the mode each time it runs instead.
        _grad_mode.enabled = self._previous
        return (enable_grad if self._mode else no_grad)()(func)

    def __exit__(self, *exc_info: Any) -> None:
        _grad_mode.enabled = self._previous
