"""``optim.RMSprop``: divide each step by a running root mean square of the gradient.

PyTorch counterpart: ``torch.optim.RMSprop`` (``torch/optim/rmsprop.py``, its
one-tensor-at-a-time path ``_single_tensor_rmsprop``, whose operations are
repeated here in the same order and with the same roundings).

At each step, for a parameter p with gradient g::

    g = g + weight_decay * p
    v = alpha * v + (1 - alpha) * g * g          (square_avg)
    m = alpha * m + (1 - alpha) * g              (grad_avg, centered only)
    avg = sqrt(v - m * m) + eps                  (centered; else sqrt(v) + eps)
    b = momentum * b + g / avg                   (momentum > 0 only)
    p = p - lr * b                               (without momentum: p - lr * g / avg)

Read next: ``adagrad.py``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from .._creation import tensor, zeros_like
from .._tensor import Tensor
from .adam import _lerp_
from .optimizer import (
    Optimizer,
    check_nonnegative,
    check_options,
    fused_multiply_add,
    no_grad_step,
)

__all__ = ["RMSprop"]


class RMSprop(Optimizer):
    """RMSprop (Hinton's lecture notes), optionally centered and with momentum."""

    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0, momentum: float = 0, centered: bool = False,
                 capturable: bool = False, foreach: Optional[bool] = None,
                 maximize: bool = False, differentiable: bool = False) -> None:
        check_options(lr, capturable=capturable, differentiable=differentiable)
        check_nonnegative(("learning rate", lr), ("epsilon value", eps),
                          ("momentum value", momentum), ("weight_decay value", weight_decay),
                          ("alpha value", alpha))
        defaults = {"lr": lr, "momentum": momentum, "alpha": alpha, "eps": eps,
                    "centered": centered, "weight_decay": weight_decay,
                    "capturable": capturable, "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    @no_grad_step
    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        self._update_each(_initial_state, _update)


def _initial_state(group: Dict[str, Any], param: Tensor) -> Dict[str, Any]:
    state = {"step": tensor(0.0), "square_avg": zeros_like(param)}
    if group["momentum"] > 0:
        state["momentum_buffer"] = zeros_like(param)
    if group["centered"]:
        state["grad_avg"] = zeros_like(param)
    return state


def _update(param: Tensor, grad: Tensor, state: Dict[str, Any], group: Dict[str, Any]) -> None:
    """One RMSprop step of ``param`` (in place), updating its ``state``."""
    alpha, lr = group["alpha"], group["lr"]
    if group["maximize"]:
        grad = -grad
    state["step"] += 1
    if group["weight_decay"] != 0:  # grad.add(param, alpha=weight_decay)
        grad = fused_multiply_add(param, group["weight_decay"], grad)
    square_avg = state["square_avg"]
    # square_avg.mul_(alpha).addcmul_(grad, grad, value=1 - alpha)
    square_avg.mul_(alpha).copy_(fused_multiply_add(grad * (1 - alpha), grad, square_avg))
    if group["centered"]:
        grad_avg = _lerp_(state["grad_avg"], grad, 1 - alpha)
        # square_avg.addcmul(grad_avg, grad_avg, value=-1).sqrt_()
        avg = fused_multiply_add(grad_avg * -1, grad_avg, square_avg).sqrt_()
    else:
        avg = square_avg.sqrt()
    avg = avg.add_(group["eps"])
    if group["momentum"] > 0:
        buffer = state["momentum_buffer"]
        buffer.mul_(group["momentum"]).add_(grad / avg)  # addcdiv_(grad, avg)
        param.copy_(fused_multiply_add(buffer, -lr, param))  # param.add_(buffer, alpha=-lr)
    else:
        param.add_(grad * -lr / avg)  # param.addcdiv_(grad, avg, value=-lr)
