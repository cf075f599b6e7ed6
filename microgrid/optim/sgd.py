"""``optim.SGD``: stochastic gradient descent, with momentum.

PyTorch counterpart: ``torch.optim.SGD`` (``torch/optim/sgd.py``, its
one-tensor-at-a-time path ``_single_tensor_sgd``, whose operations are
repeated here in the same order and with the same roundings, so the float32
results agree: each ``x.add(y, alpha=a)`` of PyTorch's is a
``fused_multiply_add(y, a, x)`` here, see ``optimizer.py``).

For each parameter p with gradient g (``maximize`` flips g's sign)::

    g = g + weight_decay * p                       (an L2 penalty, if weight_decay)
    b = g                   on the first step      (the momentum buffer, if momentum)
    b = momentum * b + (1 - dampening) * g         afterwards
    g = g + momentum * b    with nesterov, else g = b
    p = p - lr * g

Momentum keeps a running direction: steps along a consistent slope grow,
zigzags across a valley cancel out.

Read next: ``adam.py``.
"""

from __future__ import annotations

from typing import Any, Optional

from .._tensor import Tensor
from .optimizer import Optimizer, check_options, fused_multiply_add, no_grad_step

__all__ = ["SGD"]


class SGD(Optimizer):
    """Gradient descent: ``p -= lr * g``, with optional momentum, Nesterov
    momentum, dampening and weight decay."""

    def __init__(self, params: Any, lr: float = 1e-3, momentum: float = 0,
                 dampening: float = 0, weight_decay: float = 0, nesterov: bool = False, *,
                 maximize: bool = False, foreach: Optional[bool] = None,
                 differentiable: bool = False, fused: Optional[bool] = None) -> None:
        check_options(lr, differentiable=differentiable, fused=fused)
        if lr < 0.0:
            raise ValueError(f"Invalid learning rate: {lr}")
        if momentum < 0.0:
            raise ValueError(f"Invalid momentum value: {momentum}")
        if weight_decay < 0.0:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        defaults = {"lr": lr, "momentum": momentum, "dampening": dampening,
                    "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize,
                    "foreach": foreach, "differentiable": differentiable, "fused": fused}
        if nesterov and (momentum <= 0 or dampening != 0):
            raise ValueError("Nesterov momentum requires a momentum and zero dampening")
        super().__init__(params, defaults)

    @no_grad_step
    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        for group, param in self._with_gradients():
            if group["momentum"] == 0:
                _update(param, param.grad, None, group)
            else:
                state = self.state[param]
                state["momentum_buffer"] = _update(param, param.grad,
                                                   state.get("momentum_buffer"), group)


def _update(param: Tensor, grad: Tensor, buffer: Optional[Tensor],
            group: dict) -> Optional[Tensor]:
    """Update ``param`` in place; return the momentum buffer (None without momentum)."""
    if group["maximize"]:
        grad = -grad
    if group["weight_decay"] != 0:  # grad.add(param, alpha=weight_decay)
        grad = fused_multiply_add(param, group["weight_decay"], grad)
    momentum = group["momentum"]
    if momentum != 0:
        if buffer is None:
            buffer = grad.detach().clone()
        else:  # buffer.mul_(momentum).add_(grad, alpha=1 - dampening)
            buffer.mul_(momentum).copy_(fused_multiply_add(grad, 1 - group["dampening"], buffer))
        if group["nesterov"]:  # grad.add(buffer, alpha=momentum)
            grad = fused_multiply_add(buffer, momentum, grad)
        else:
            grad = buffer
    param.copy_(fused_multiply_add(grad, -group["lr"], param))  # param.add_(grad, alpha=-lr)
    return buffer
