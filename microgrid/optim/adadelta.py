"""``optim.Adadelta``: step sizes from the ratio of two running averages, no learning rate needed.

PyTorch counterpart: ``torch.optim.Adadelta`` (``torch/optim/adadelta.py``,
its path ``_single_tensor_adadelta``, repeated here in the same order and
with the same roundings).

At each step, for a parameter p with gradient g::

    g = g + weight_decay * p
    v = rho * v + (1 - rho) * g * g              (square_avg)
    d = sqrt(u + eps) / sqrt(v + eps) * g        (the step, in p's own units)
    u = rho * u + (1 - rho) * d * d              (acc_delta)
    p = p - lr * d

Read next: ``adamax.py``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from .._creation import tensor, zeros_like
from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    check_nonnegative,
    check_options,
    fused_multiply_add,
    no_grad_step,
)

__all__ = ["Adadelta"]


class Adadelta(Optimizer):
    """Adadelta (Zeiler, 2012)."""

    def __init__(self, params: Any, lr: float = 1.0, rho: float = 0.9, eps: float = 1e-6,
                 weight_decay: float = 0, foreach: Optional[bool] = None, *,
                 capturable: bool = False, maximize: bool = False,
                 differentiable: bool = False) -> None:
        check_options(lr, capturable=capturable, differentiable=differentiable)
        check_nonnegative(("learning rate", lr))
        if not 0.0 <= rho <= 1.0:
            raise ValueError(f"Invalid rho value: {rho}")
        check_nonnegative(("epsilon value", eps), ("weight_decay value", weight_decay))
        defaults = {"lr": lr, "rho": rho, "eps": eps, "weight_decay": weight_decay,
                    "maximize": maximize, "capturable": capturable, "foreach": foreach,
                    "differentiable": differentiable}
        super().__init__(params, defaults)

    @no_grad_step
    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        self._update_each(_initial_state, _update)


def _initial_state(group: Dict[str, Any], param: Tensor) -> Dict[str, Any]:
    return {"step": tensor(0.0), "square_avg": zeros_like(param),
            "acc_delta": zeros_like(param)}


def _update(param: Tensor, grad: Tensor, state: Dict[str, Any], group: Dict[str, Any]) -> None:
    """One Adadelta step of ``param`` (in place), updating its ``state``."""
    rho, eps = group["rho"], group["eps"]
    state["step"] += 1
    if group["maximize"]:
        grad = -grad
    if group["weight_decay"] != 0:  # grad.add(param, alpha=weight_decay)
        grad = fused_multiply_add(param, group["weight_decay"], grad)
    square_avg, acc_delta = state["square_avg"], state["acc_delta"]
    # square_avg.mul_(rho).addcmul_(grad, grad, value=1 - rho)
    square_avg.mul_(rho).copy_(fused_multiply_add(grad * (1 - rho), grad, square_avg))
    std = square_avg.add(eps).sqrt_()
    delta = acc_delta.add(eps).sqrt_().div_(std).mul_(grad)
    # acc_delta.mul_(rho).addcmul_(delta, delta, value=1 - rho)
    acc_delta.mul_(rho).copy_(fused_multiply_add(delta * (1 - rho), delta, acc_delta))
    param.copy_(fused_multiply_add(delta, -group["lr"], param))  # param.add_(delta, alpha=-lr)
