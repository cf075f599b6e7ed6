"""``microgrid.autograd``: computing gradients.

PyTorch counterpart: ``torch.autograd``.

Reading order inside this package:

1. ``grad_mode.py``: the on/off switch for recording (``no_grad``);
2. ``graph.py``: the nodes ops record, their edges and saved tensors;
3. ``engine.py``: the loop that runs the nodes backward;
4. this file: ``backward`` and ``grad``, the two ways in;
5. ``variable.py``: the legacy ``Variable``;
6. ``gradcheck.py``: checking a backward pass against finite differences.

Read next: ``../ops/__init__.py``, how an op records its node.
"""

from __future__ import annotations

from typing import Optional, Sequence, Tuple, Union

from .._tensor import Tensor
from .engine import make_root_grads, run_backward
from .grad_mode import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .variable import Variable

__all__ = ["Variable", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "gradcheck"]

Tensors = Union[Tensor, Sequence[Tensor]]


def _as_tuple(value: Union[None, Tensor, Sequence]) -> tuple:
    if value is None:
        return ()
    return (value,) if isinstance(value, Tensor) else tuple(value)


def backward(tensors: Tensors, grad_tensors: Union[None, Tensor, Sequence] = None,
             retain_graph: Optional[bool] = None, create_graph: bool = False,
             inputs: Optional[Tensors] = None) -> None:
    """Accumulate into ``.grad`` of every leaf the gradient of ``tensors``
    (weighted by ``grad_tensors``; 1 for a scalar output)."""
    outputs = _as_tuple(tensors)
    grads = _as_tuple(grad_tensors) or (None,) * len(outputs)
    root_grads = make_root_grads(outputs, grads)
    keep_graph = create_graph if retain_graph is None else retain_graph
    run_backward(outputs, root_grads, keep_graph, create_graph,
                 inputs=_as_tuple(inputs) or None, accumulate=True)


def grad(outputs: Tensors, inputs: Tensors, grad_outputs: Union[None, Tensor, Sequence] = None,
         retain_graph: Optional[bool] = None, create_graph: bool = False,
         allow_unused: Optional[bool] = None) -> Tuple[Optional[Tensor], ...]:
    """The gradients of ``outputs`` with respect to each of ``inputs``,
    returned as a tuple; ``.grad`` is left untouched."""
    outs = _as_tuple(outputs)
    ins = _as_tuple(inputs)
    for t in ins:
        if not t.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")
    grads = _as_tuple(grad_outputs) or (None,) * len(outs)
    root_grads = make_root_grads(outs, grads)
    keep_graph = create_graph if retain_graph is None else retain_graph
    result = run_backward(outs, root_grads, keep_graph, create_graph, inputs=ins,
                          accumulate=False)
    for i, g in enumerate(result):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {i} appears to not have been used in the "
                "graph. Set allow_unused=True if this is the desired behavior.")
    return tuple(result)


# Imported last: gradcheck computes its analytical Jacobians with ``grad`` above.
from .gradcheck import gradcheck  # noqa: E402
