"""Hooks: user code the engine runs around a node's ``backward``.

PyTorch counterpart: ``Node::pre_hooks``/``post_hooks``/``tensor_pre_hooks``
and ``retains_grad_hooks`` (``torch/csrc/autograd/function.h``), reached
through ``tensor.register_hook``, ``grad_fn.register_hook``,
``grad_fn.register_prehook`` and ``tensor.retain_grad()``.

Skip this on a first reading: the tutorial registers no hook, and the
engine calls a node's ``backward`` directly unless ``_hooked`` says
otherwise.  :class:`Hooks` is mixed into ``graph.Node``; :meth:`Hooks.run`
is what the engine calls for a hooked node: the output tensor's hooks, the
node's pre-hooks, ``backward``, then its post-hooks (PyTorch's order).
Every hook sees ordinary tensors (:func:`materialized`), and PyTorch's
checks apply to what it returns.

Read next: ``grad_journal.py``.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np

from .._kernels import lazy_broadcasts
from .._tensor import Tensor
from .grad_journal import note_grad_change


class Hooks:
    """The hook half of a node (mixed into ``graph.Node``).  Hook lists are
    created on first use; most nodes never get one."""

    __slots__ = ()

    # Hook lists are created on first use; most nodes never get one.
    #: Does the engine run this node through :meth:`run` (it has ever had a
    #: hook, retains its output's gradient, or has several outputs)?  Else it
    #: calls ``backward`` directly (one attribute read: docs/performance.md §10).
    _hooked = False
    _pre_hooks: Sequence[Callable] = ()
    _post_hooks: Sequence[Callable] = ()
    _tensor_pre_hooks: Sequence[Callable] = ()
    #: A weak reference to the tensor whose ``retain_grad()`` keeps the
    #: gradient arriving here in its ``.grad`` (None: no tensor asked).
    _retained: Optional[weakref.ref] = None

    def register_prehook(self, hook: Callable) -> "RemovableHandle":
        """Call ``hook((grad,))`` before this node runs; it may return a new ``(grad,)``."""
        if not self._pre_hooks:
            self._pre_hooks = []
        self._hooked = True
        return RemovableHandle(self._pre_hooks, hook)

    def register_hook(self, hook: Callable) -> "RemovableHandle":
        """Call ``hook(grad_inputs, grad_outputs)`` after this node runs; it may
        return new ``grad_inputs``."""
        if not self._post_hooks:
            self._post_hooks = []
        self._hooked = True
        return RemovableHandle(self._post_hooks, hook)

    def add_tensor_pre_hook(self, hook: Callable, output_nr: int = 0) -> "RemovableHandle":
        """A hook of the tensor this node produced (``tensor.register_hook``):
        ``hook(grad)`` may return a replacement gradient."""
        if not self._tensor_pre_hooks:
            self._tensor_pre_hooks = []
        self._hooked = True
        return RemovableHandle(self._tensor_pre_hooks, hook)

    def retain(self, tensor: Tensor) -> None:
        """Keep the gradient of the output ``tensor`` in its ``.grad`` (``retain_grad``)."""
        self._retained = weakref.ref(tensor)
        self._hooked = True

    def retains(self, tensor: Tensor) -> bool:
        """Does the output ``tensor`` retain its gradient here?"""
        return self._retained is not None and self._retained() is tensor

    def forget(self, tensor: Tensor) -> None:
        """Stop retaining the gradient of ``tensor`` (it moved to another node)."""
        self._retained = None

    def run_tensor_hooks(self, grad: Tensor, output_nr: int = 0) -> Tensor:
        """Apply the hooks of the output tensor to its gradient, in the order
        they were registered; then, whatever its place among them, store the
        result in ``.grad`` of a tensor that called ``retain_grad()``."""
        return _output_hooks(self._tensor_pre_hooks, self._retained, grad)

    def run(self, grad: Tensor) -> Sequence[Optional[Tensor]]:
        """What the engine calls for a node with hooks (for the others it
        calls :meth:`backward` itself): the output tensor's hooks, the node's
        pre-hooks, :meth:`backward`, then its post-hooks (PyTorch's order).

        A pre-hook sees ``(grad,)`` and may return a replacement tuple; a
        post-hook sees ``(grad_inputs, (grad,))`` and may replace ``grad_inputs``.
        """
        with _user_code():
            grad_outputs = (self.run_tensor_hooks(grad),)
            for hook in self._pre_hooks:
                grad_outputs = _replaced_tuple(hook, grad_outputs, hook(grad_outputs))
            return self._run_post_hooks(tuple(self.backward(grad_outputs[0])), grad_outputs)

    def _run_post_hooks(self, grad_inputs: Tuple[Any, ...],
                        grad_outputs: Tuple[Any, ...]) -> Tuple[Any, ...]:
        if self._post_hooks:
            grad_inputs = tuple(materialized(g) for g in grad_inputs)
        for hook in self._post_hooks:
            grad_inputs = _replaced_tuple(hook, grad_inputs, hook(grad_inputs, grad_outputs))
        return grad_inputs


class OutputHooks(Hooks):
    """Hooks of a node with several outputs (``graph.MultiOutputNode``):
    tensor hooks and ``retain_grad`` belong to one output each."""

    __slots__ = ()

    #: Always run through :meth:`run`, which gives each output its gradient.
    _hooked = True

    # Tensor hooks and retain_grad, per output number.
    def add_tensor_pre_hook(self, hook: Callable, output_nr: int = 0) -> "RemovableHandle":
        self._hooked = True
        return RemovableHandle(self._hooks_of_outputs().setdefault(output_nr, []), hook)

    def _hooks_of_outputs(self) -> Dict[int, List[Callable]]:
        if "_output_hooks" not in self.__dict__:
            self._output_hooks: Dict[int, List[Callable]] = {}
            self._retained_outputs: Dict[int, weakref.ref] = {}
        return self._output_hooks

    def retain(self, tensor: Tensor) -> None:
        self._hooks_of_outputs()
        self._retained_outputs[tensor._output_nr] = weakref.ref(tensor)

    def retains(self, tensor: Tensor) -> bool:
        self._hooks_of_outputs()
        retained = self._retained_outputs.get(tensor._output_nr)
        return retained is not None and retained() is tensor

    def forget(self, tensor: Tensor) -> None:
        self._hooks_of_outputs()
        self._retained_outputs.pop(tensor._output_nr, None)

    def run_tensor_hooks(self, grad: Tensor, output_nr: int = 0) -> Tensor:
        hooks = self._hooks_of_outputs().get(output_nr, ())
        return _output_hooks(hooks, self._retained_outputs.get(output_nr), grad)

    def run(self, grads: List[Optional[Tensor]]) -> Sequence[Optional[Tensor]]:  # type: ignore[override]
        with _user_code():
            grad_outputs = tuple(self.run_tensor_hooks(g, i) for i, g in enumerate(grads))
            for hook in self._pre_hooks:
                grad_outputs = _replaced_tuple(hook, grad_outputs, hook(grad_outputs))
            return self._run_post_hooks(tuple(self(*grad_outputs)), grad_outputs)


def _output_hooks(hooks: Sequence[Callable], retained: Optional[weakref.ref],
                  grad: Tensor) -> Tensor:
    """One output's tensor hooks, then its ``retain_grad`` (see ``run_tensor_hooks``).
    An output of a node with several outputs may have no gradient: its hooks
    see None, as PyTorch's do."""
    grad = materialized(grad)
    with _user_code():
        for hook in hooks:
            grad = _replaced_gradient(hook, grad, hook(grad))
        tensor = retained() if retained is not None else None
        if tensor is not None and grad is not None:
            note_grad_change(tensor)
            # A row-major copy (PyTorch's clone(contiguous_format)), or the sum;
            # under create_graph both are recorded, as in PyTorch.
            if tensor._grad is None:
                tensor._grad = grad.clone() if grad.is_contiguous() else grad.contiguous()
            else:
                tensor._grad = tensor._grad + grad
    return grad


class _UserCode:
    """``with _user_code():`` around hooks: user code sees ordinary tensors,
    so ops inside it keep no broadcast views (``_kernels/broadcast.py``)."""

    def __enter__(self) -> None:
        self.saved = lazy_broadcasts.on
        lazy_broadcasts.on = False

    def __exit__(self, *exc_info: Any) -> None:
        lazy_broadcasts.on = self.saved


def _user_code() -> _UserCode:
    return _UserCode()


def materialized(grad: Any) -> Any:
    """``grad`` as user code may see it: a broadcast view the engine kept
    (stride 0, yet no view of any tensor) becomes an ordinary tensor, as
    PyTorch's would be."""
    if isinstance(grad, Tensor) and grad._base is None and 0 in grad._data.strides:
        return Tensor._make(np.ascontiguousarray(grad._data))
    return grad


def _hook_name(hook: Callable) -> str:
    return getattr(hook, "__name__", "<unknown>")


def _replaced_gradient(hook: Callable, original: Optional[Tensor], result: Any) -> Any:
    """What a hook returned for one gradient, checked like PyTorch: None keeps
    the gradient; a replacement must be a tensor of the same dtype and shape."""
    if result is None or result is original:
        return original
    if original is None:
        raise RuntimeError("can't replace a None gradient with a non-None value")
    if not isinstance(result, Tensor):
        raise TypeError(f"expected Variable, but hook returned '{type(result).__name__}'")
    if result._data.dtype != original._data.dtype:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the type of value (was "
                           f"{original.type()} got {result.type()})")
    if result.shape != original.shape:
        raise RuntimeError(f"hook '{_hook_name(hook)}' has changed the size of value")
    return result


def _replaced_tuple(hook: Callable, originals: Tuple[Any, ...], result: Any) -> Tuple[Any, ...]:
    """What a node hook returned for a tuple of gradients, checked like PyTorch."""
    if result is None:
        return originals
    if not isinstance(result, tuple):
        raise TypeError(f"expected tuple, but hook returned '{type(result).__name__}'")
    if len(result) != len(originals):
        raise RuntimeError(f"hook '{_hook_name(hook)}' has returned an incorrect number of "
                           f"values (got {len(result)}, but expected {len(originals)})")
    for original, value in zip(originals, result, strict=True):
        if value is not None:
            _replaced_gradient(hook, original, value)
    return result


class RemovableHandle:
    """Returned by every ``register_*hook``: ``handle.remove()`` unregisters it
    (so does leaving a ``with handle:`` block)."""

    def __init__(self, hooks: list, hook: Callable) -> None:
        self._hooks = hooks
        self._hook = hook
        hooks.append(hook)

    def remove(self) -> None:
        if self._hook in self._hooks:
            self._hooks.remove(self._hook)

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.remove()
