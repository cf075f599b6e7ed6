"""Your own op: ``torch.autograd.Function``, a forward and a backward you write.

PyTorch counterpart: ``torch.autograd.Function`` (``torch/autograd/function.py``,
``torch/csrc/autograd/python_function.cpp``).

Every op in ``ops/`` is a forward function and a ``Node`` class side by side.
A ``Function`` lets a learner write the same pair in their own code::

    class MyReLU(torch.autograd.Function):
        @staticmethod
        def forward(ctx, x):              # z = max(x, 0)
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad):          # dL/dx = grad * (x > 0)
            x, = ctx.saved_tensors
            return grad * (x > 0)

    y = MyReLU.apply(x)                   # y.grad_fn is a MyReLUBackward node

``apply`` does what ``graph.record`` does for a built-in op, with the user's
code in the middle: it makes the node first (``ctx`` *is* the node, as in
PyTorch: ``MyReLUBackward``, a class made once per ``Function`` subclass),
runs ``forward`` with grad mode off, then hangs the node on the outputs.
When the engine reaches the node it calls the class's ``backward`` with the
node as ``ctx`` and one gradient per output; it must return one gradient per
input of ``forward`` (``None`` for an input that needs none).

The rest is PyTorch's detail, each a few lines below: ``setup_context``
(``forward`` without ``ctx``), ``mark_dirty`` (an input changed in place and
returned), ``mark_non_differentiable`` (an output no gradient flows back
through), ``set_materialize_grads(False)`` (``None`` rather than zeros for an
output no gradient reached) and ``once_differentiable``.

Read next: ``functional.py``.
"""

from __future__ import annotations

import functools
import sys
import warnings
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np

from .._tensor import Tensor
from .grad_mode import _grad_mode, no_grad
from .graph import NO_EDGE, MultiOutputNode, make_edge, record_outputs


def _torch_name() -> str:
    """``torch`` when microgrid stands in for it (``compare``), else ``microgrid``:
    how the node's module is spelled in its ``repr``."""
    return "torch" if sys.modules.get("torch") is sys.modules.get("microgrid") else "microgrid"


class FunctionCtx:
    """What ``forward`` may tell the node through ``ctx`` (PyTorch's ``FunctionCtx``)."""

    __slots__ = ()  # mixed into the node, whose instances have a __dict__

    def save_for_backward(self, *tensors: Optional[Tensor]) -> None:
        """Keep tensors for ``backward`` (read back as ``ctx.saved_tensors``).
        They are saved once ``forward`` has returned, when the node knows
        which of them are its outputs (saved without a reference cycle)."""
        for i, value in enumerate(tensors):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"save_for_backward can only save variables, but argument {i} "
                                f"is of type {type(value).__name__}")
        self.to_save = tensors

    def mark_dirty(self, *tensors: Tensor) -> None:
        """Inputs ``forward`` changed in place (and returns): they become outputs."""
        self.dirty_tensors = tensors

    def mark_non_differentiable(self, *tensors: Tensor) -> None:
        """Outputs that carry no gradient (indices, counts): they do not require grad."""
        self.non_differentiable = tensors

    def set_materialize_grads(self, value: bool) -> None:
        """False: ``backward`` receives None, not zeros, for an output no gradient reached."""
        self.materialize_grads = value


class BackwardCFunction(FunctionCtx, MultiOutputNode):
    """The node a ``Function`` records: ``MyReLUBackward`` for ``MyReLU``.

    One output per output of ``forward``; its edges go to the inputs that are
    tensors (other arguments get no edge, as in PyTorch).  It is also the
    ``ctx`` ``forward`` and ``backward`` receive.
    """

    _forward_cls: type
    materialize_grads = True
    to_save: Tuple[Any, ...] = ()
    dirty_tensors: Tuple[Tensor, ...] = ()
    non_differentiable: Tuple[Tensor, ...] = ()
    #: For every argument of forward: is it a tensor (does it have an edge)?
    _is_tensor_input: Tuple[bool, ...] = ()

    def __call__(self, *grads: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]:  # type: ignore[override]
        """Run the user's ``backward`` on one gradient per output (zeros where
        none arrived, unless ``set_materialize_grads(False)``)."""
        if self.materialize_grads:
            grads = tuple(Tensor._make(np.zeros(*meta)) if g is None and meta is not None else g
                          for g, meta in zip(grads, self._output_meta, strict=True))
        return self.backward(*grads)

    def backward(self, *grads: Optional[Tensor]) -> Tuple[Optional[Tensor], ...]:  # type: ignore[override]
        """dL/d(inputs) = the user's ``backward(ctx, *dL/d(outputs))``, checked:
        one gradient per argument of ``forward``, a tensor or None, None for
        an argument that is not a tensor.  Returns one per edge."""
        result = self._forward_cls.backward(self, *grads)
        result = result if isinstance(result, tuple) else (result,)
        expected = len(self._is_tensor_input)
        if len(result) > expected and all(g is None for g in result[expected:]):
            result = result[:expected]  # extra Nones are allowed
        if len(result) != expected:
            raise RuntimeError(f"function {self.name()} returned an incorrect number of "
                               f"gradients (expected {expected}, got {len(result)})")
        grads_out = []
        for i, (grad, is_tensor) in enumerate(zip(result, self._is_tensor_input, strict=True)):
            if not is_tensor and grad is not None:
                raise RuntimeError(f"function {self.name()} returned a gradient different than "
                                   f"None at position {i + 1}, but the corresponding forward "
                                   "input was not a Variable")
            if grad is not None and not isinstance(grad, Tensor):
                raise RuntimeError(f"expected Variable or None (got {type(grad).__name__})")
            if is_tensor:
                grads_out.append(grad)
        return tuple(grads_out)

    def __repr__(self) -> str:
        name = f"{_torch_name()}.autograd.function.{type(self).__name__}"
        return f"<{name} object at {hex(id(self))}>"


class Function:
    """Subclass it with static ``forward`` and ``backward``; call ``apply``.

    ``forward(ctx, *args)`` computes the outputs from the inputs (grad mode
    is off inside it: what it does is not recorded); or ``forward(*args)``
    plus ``setup_context(ctx, inputs, output)``, PyTorch 2's form.
    ``backward(ctx, *grads)`` gets one gradient per output and returns one
    per argument of ``forward``.
    """

    _backward_cls: type

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Make the node class ``<Name>Backward`` that records this function."""
        super().__init_subclass__(**kwargs)
        cls._backward_cls = type(cls.__name__ + "Backward", (BackwardCFunction,),
                                 {"_forward_cls": cls, "__module__": __name__,
                                  "__qualname__": cls.__name__ + "Backward"})

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        warnings.warn(f"{type(self)} should not be instantiated. Methods on autograd functions "
                      "are all static, so you should invoke them on the class itself. "
                      "Instantiating an autograd function will raise an error in a future "
                      "version of PyTorch.", DeprecationWarning, stacklevel=2)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError(
            "Legacy autograd function with non-static forward method is deprecated. Please use "
            "new-style autograd function with static forward method. (Example: "
            "https://pytorch.org/docs/stable/autograd.html#torch.autograd.Function)")

    @staticmethod
    def forward(*args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(
            "You must implement the forward function for custom autograd.Function.")

    @staticmethod
    def setup_context(ctx: Any, inputs: Tuple[Any, ...], output: Any) -> Any:
        raise NotImplementedError("setup_context is not implemented.")

    @staticmethod
    def backward(ctx: Any, *grad_outputs: Any) -> Any:
        raise NotImplementedError(
            "You must implement either the backward or vjp method for your custom "
            "autograd.Function to use it with backward mode AD.")

    vjp = backward

    @classmethod
    def apply(cls, *args: Any, **kwargs: Any) -> Any:
        """Run ``forward`` and record a ``<Name>Backward`` node for its outputs."""
        if cls is Function:
            raise RuntimeError("Function.apply must be called on a subclass")
        is_tensor = tuple(isinstance(a, Tensor) for a in args)
        edges = tuple(make_edge(a) for a, t in zip(args, is_tensor, strict=True) if t)
        ctx = cls._backward_cls(edges)
        ctx.needs_input_grad = tuple(t and a.requires_grad for a, t in zip(args, is_tensor,
                                                                            strict=True))
        ctx._is_tensor_input = is_tensor
        with no_grad():
            if cls.setup_context is Function.setup_context:  # forward(ctx, ...)
                output = cls.forward(ctx, *args, **kwargs)
            else:  # forward(...) and setup_context(ctx, inputs, output)
                output = cls.forward(*args, **kwargs)
                cls.setup_context(ctx, args, output)
        recording = _grad_mode.enabled and any(edge is not NO_EDGE for edge in edges)
        outputs = output if isinstance(output, tuple) else (output,)
        outputs = _wrap_outputs(ctx, args, outputs, recording)
        if ctx.to_save:  # saved now that the outputs carry the node (no cycle)
            MultiOutputNode.save_for_backward(ctx, *ctx.to_save)
        for name in ("to_save", "dirty_tensors", "non_differentiable"):
            ctx.__dict__.pop(name, None)  # they were for this call (and would make cycles)
        return outputs if isinstance(output, tuple) else outputs[0]


def _wrap_outputs(ctx: BackwardCFunction, args: Sequence[Any], outputs: Tuple[Any, ...],
                  recording: bool) -> Tuple[Any, ...]:
    """Hang the node on ``forward``'s outputs (PyTorch's ``_wrap_outputs``):
    output ``i`` gets ``grad_fn = ctx`` and ``output_nr = i``.  An input
    marked dirty becomes the output itself (a leaf that requires grad may
    not); an input returned unchanged is returned as a new view of itself;
    non-differentiable and integer outputs require no grad."""
    inputs = {id(a): a for a in args if isinstance(a, Tensor)}
    dirty = {id(t) for t in ctx.dirty_tensors}
    frozen = {id(t) for t in ctx.non_differentiable}
    for tensor in ctx.dirty_tensors:
        tensor._counter().bump()  # PyTorch counts the change once more when it is declared
    wrapped: List[Any] = []
    for i, out in enumerate(outputs):
        if not isinstance(out, Tensor):
            wrapped.append(out)
            continue
        if id(out) in dirty and out.is_leaf and out.requires_grad and recording:
            raise RuntimeError("a leaf Variable that requires grad has been used in an "
                               "in-place operation.")
        if id(out) in inputs and id(out) not in dirty:
            if recording:  # the input itself stays as it was: the output is a view of it
                with no_grad():
                    out = out.view(out.shape)
        if recording and id(out) not in frozen and out._data.dtype.kind == "f":
            out._grad_fn = ctx
            out._output_nr = i
            out._requires_grad = True
        elif recording and id(out) in frozen:
            out._requires_grad = False
        wrapped.append(out)
    # Per output its (shape, dtype), None for one that is not a tensor; per
    # input its own (the gradients backward returns are checked against them).
    ctx._output_meta = tuple((o._data.shape, o._data.dtype) if isinstance(o, Tensor) else None
                             for o in wrapped)
    ctx._input_meta = tuple((a._data.shape, a._data.dtype) for a in args if isinstance(a, Tensor))
    return tuple(wrapped)


# -- once_differentiable ---------------------------------------------------------------------
class DelayedError(MultiOutputNode):
    """The node ``once_differentiable`` hangs on a backward's results when a
    graph of it is wanted: differentiating through it raises (PyTorch names
    it ``Error``)."""

    message: str

    def name(self) -> str:
        return "torch::autograd::Error"

    def backward(self, *grads: Tensor) -> Tuple[Any, ...]:
        raise RuntimeError(self.message)


DelayedError.__name__ = DelayedError.__qualname__ = "Error"

ONCE = "trying to differentiate twice a function that was marked with @once_differentiable"


def once_differentiable(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Decorate a ``backward`` that cannot itself be differentiated: it runs
    with grad mode off, and under ``create_graph=True`` its results carry an
    ``Error`` node that raises if a second backward reaches it."""

    @functools.wraps(fn)
    def wrapper(ctx: Any, *args: Any) -> Any:
        with no_grad():
            outputs = fn(ctx, *args)
        if not _grad_mode.enabled or not any(isinstance(a, Tensor) and a.requires_grad
                                             for a in args):
            return outputs
        single = not isinstance(outputs, tuple)
        results = (outputs,) if single else outputs
        leaves = [None if r is None else r.detach().requires_grad_() for r in results]
        present = [leaf for leaf in leaves if leaf is not None]
        made = iter(record_outputs(DelayedError, [leaf._data for leaf in present], present,
                                   message=ONCE))
        errored = tuple(None if leaf is None else next(made) for leaf in leaves)
        return errored[0] if single else errored

    return wrapper


__all__ = ["Function", "FunctionCtx", "BackwardCFunction", "once_differentiable"]
