"""Grad mode: the switch that decides whether ops record a graph.

PyTorch counterpart: ``torch.no_grad``, ``torch.enable_grad``,
``torch.set_grad_enabled``, ``torch.is_grad_enabled``, ``torch.inference_mode``
and ``torch.is_inference_mode_enabled`` (``torch/autograd/grad_mode.py``).

Every op asks ``is_grad_enabled()`` before it records a backward node.  Inside
``with microgrid.no_grad():`` the answer is False, so results are plain
tensors with no ``grad_fn``: that is how an optimizer updates weights without
the update becoming part of the next step's graph.  The engine itself runs
each backward function with grad mode set to ``create_graph``, which is all it
takes to get gradients of gradients.  The flag belongs to a thread, as in
PyTorch: ``no_grad`` (or a backward pass) in one thread leaves the others
recording, and a new thread starts with recording on.

``inference_mode`` is ``no_grad`` plus a promise never to use the results in
a graph later: tensors made inside are *inference tensors*, which autograd
refuses to save or to let be modified in place outside the mode.

Every mode object works three ways, like PyTorch's: ``with no_grad():``,
``@no_grad()`` and (for the ones without a required argument) ``@no_grad``.

Read next: ``graph.py``.
"""

from __future__ import annotations

import copy
import functools
import threading
from typing import Any, Callable, Tuple


class _GradMode(threading.local):
    """The state of one thread: is recording enabled, is inference mode on?
    (A ``threading.local``: each thread sees its own values, the class
    attributes' defaults until it sets them; PyTorch's ``GradMode`` is a
    ``thread_local`` flag.)"""

    enabled: bool = True
    inference: bool = False


_grad_mode = _GradMode()


class _Seen:
    """Process-wide, and a plain object (a thread-local read costs four times
    as much): has any thread entered inference mode yet?  Until one has,
    making a tensor skips reading ``_grad_mode.inference`` (``docs/performance.md``
    §12).  (An attribute of the instance, not of the class: CPython 3.11
    specializes only the read of an instance's own attribute.)"""

    def __init__(self) -> None:
        self.inference = False


_seen = _Seen()


def is_grad_enabled() -> bool:
    """True when ops record the graph (the default), False under ``no_grad``."""
    return _grad_mode.enabled


def is_inference_mode_enabled() -> bool:
    """True inside ``with inference_mode():``."""
    return _grad_mode.inference


class _ModeContext:
    """Sets the mode for a ``with`` block or, as a decorator, for each call of
    the decorated function; the previous mode comes back afterwards."""

    _saved: Tuple[bool, bool]

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        # ``@no_grad`` without parentheses: the "argument" is the function.
        if len(args) == 1 and not kwargs and callable(args[0]) and not isinstance(args[0], bool):
            return cls()(args[0])
        return super().__new__(cls)

    def _mode(self) -> Tuple[bool, bool]:
        """The (grad enabled, inference) state inside the block."""
        raise NotImplementedError

    def __enter__(self) -> None:
        self._saved = (_grad_mode.enabled, _grad_mode.inference)
        _grad_mode.enabled, _grad_mode.inference = self._mode()
        if _grad_mode.inference:
            _seen.inference = True

    def __exit__(self, *exc_info: Any) -> None:
        _grad_mode.enabled, _grad_mode.inference = self._saved

    def _fresh(self) -> "_ModeContext":
        """A context of its own for one call of a decorated function (calls may nest)."""
        return copy.copy(self)

    def __call__(self, func: Callable) -> Callable:
        @functools.wraps(func)
        def with_mode(*args: Any, **kwargs: Any) -> Any:
            with self._fresh():
                return func(*args, **kwargs)

        return with_mode


class no_grad(_ModeContext):  # noqa: N801 - torch's name
    """Context manager and decorator that turns graph recording off."""

    def _mode(self) -> Tuple[bool, bool]:
        return False, _grad_mode.inference


class enable_grad(_ModeContext):  # noqa: N801 - torch's name
    """Context manager and decorator that turns graph recording back on."""

    def _mode(self) -> Tuple[bool, bool]:
        return True, _grad_mode.inference


class inference_mode(_ModeContext):  # noqa: N801 - torch's name
    """``no_grad`` that also marks the tensors it makes as inference tensors;
    ``inference_mode(False)`` switches both back off inside a block."""

    def __init__(self, mode: bool = True) -> None:
        self._inference = bool(mode)

    def _mode(self) -> Tuple[bool, bool]:
        return not self._inference, self._inference


class set_grad_enabled(_ModeContext):  # noqa: N801 - torch's name
    """``set_grad_enabled(False)`` switches recording off at once; used in a
    ``with`` statement it restores the previous mode on exit, and as a
    decorator it sets the mode for each call only."""

    def __init__(self, mode: bool) -> None:
        self._enabled = bool(mode)
        self._saved = (_grad_mode.enabled, _grad_mode.inference)
        _grad_mode.enabled = self._enabled

    def _mode(self) -> Tuple[bool, bool]:
        return self._enabled, _grad_mode.inference

    def __enter__(self) -> None:
        # __init__ already switched the mode and saved the previous one.
        _grad_mode.enabled = self._enabled

    def _fresh(self) -> "set_grad_enabled":
        return set_grad_enabled(self._enabled)

    def __call__(self, func: Callable) -> Callable:
        # As a decorator, undo the switch __init__ made: only calls get the mode.
        _grad_mode.enabled, _grad_mode.inference = self._saved
        return super().__call__(func)

    def __repr__(self) -> str:
        return f"torch.autograd.grad_mode.set_grad_enabled(mode={self._enabled})"
