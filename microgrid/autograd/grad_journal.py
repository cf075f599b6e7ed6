"""The grad journal: a backward pass that fails changes no ``.grad``.

PyTorch counterpart: none.  This is microgrid's one chosen difference from
PyTorch's behaviour.  A pass can fail after some leaves got their gradient
(a tensor saved for backward was modified in place, a hook raised, a hook
returned a gradient of the wrong shape); PyTorch then leaves those
``.grad`` half updated, microgrid puts them back, so that the error is all
that happened.

The decision (issue 13): kept, as a layer of its own with one hook point.
The engine opens a journal around every pass (``engine.GraphTask.__enter__``
/ ``__exit__``), and the two places that write ``.grad`` (``AccumulateGrad``
and ``retain_grad``) call :func:`note_grad_change` first.  Nothing else
knows about it: deleting this module's body to a no-op ``note_grad_change``
and journal gives PyTorch's behaviour back.  It costs one list append per
leaf per pass (a copy only for a ``.grad`` changed in place, which is what
makes undoing possible).  Kept because a learner's failed experiment should
not leave gradients that silently mix two passes.

Skip this on a first reading.

Read next: ``__init__.py``.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, List, Optional, Tuple

import numpy as np

if TYPE_CHECKING:
    from .._tensor import Tensor


class GradJournal:
    """The ``.grad`` changes of one backward pass, kept so that a pass that
    fails midway can undo them.

    A pass can fail after some leaves got their gradient: a tensor saved for
    backward was modified in place, a hook raised, a hook returned a
    gradient of the wrong shape.  PyTorch then leaves those ``.grad`` half
    updated (some leaves have this pass's gradient, others not); microgrid
    puts every ``.grad`` the pass touched back as it was, so that the error
    is all that happened.  A replaced ``.grad`` is put back; a ``.grad``
    added to in place gets its old values back, which is why they are copied
    before the change (only gradients that accumulate across passes are).
    """

    running: List["GradJournal"]  # this thread's running passes, set on entering

    def __init__(self) -> None:
        self.entries: List[Tuple["Tensor", Optional["Tensor"], Optional[np.ndarray]]] = []

    def note(self, tensor: "Tensor", in_place: bool) -> None:
        """``tensor._grad`` is about to be replaced (or changed in place)."""
        old = tensor._grad
        self.entries.append((tensor, old, old._data.copy() if in_place else None))

    def undo(self) -> None:
        for tensor, old, values in reversed(self.entries):
            tensor._grad = old
            if values is not None and old._data.flags.writeable:  # (read-only: unchanged)
                old._data[...] = values

    # A backward pass runs inside ``with grads_restored_on_error():``.
    def __enter__(self) -> "GradJournal":
        self.running = _running.journals  # this thread's (one thread-local read, not two)
        self.running.append(self)
        return self

    def __exit__(self, kind: Any, error: Any, traceback: Any) -> None:
        self.running.pop()
        if kind is not None:
            self.undo()


class _Running(threading.local):
    """The journals of the backward passes this thread runs now (a hook may
    start another); each thread has its own list, as each runs its own passes."""

    def __init__(self) -> None:
        self.journals: List[GradJournal] = []


_running = _Running()

#: ``with grads_restored_on_error():`` runs a backward pass; if it raises,
#: its ``.grad`` changes are undone.
grads_restored_on_error = GradJournal


def note_grad_change(tensor: "Tensor", in_place: bool = False) -> None:
    """Tell the running backward pass (if any) that ``tensor._grad`` changes."""
    journals = _running.journals
    if journals:
        journals[-1].note(tensor, in_place)
