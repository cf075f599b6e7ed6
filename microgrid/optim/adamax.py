"""``optim.Adamax``: Adam with the infinity norm in place of the root mean square.

PyTorch counterpart: ``torch.optim.Adamax`` (``torch/optim/adamax.py``, its
path ``_single_tensor_adamax``, repeated here in the same order and with the
same roundings).

At step t, for a parameter p with gradient g::

    g = g + weight_decay * p
    m = beta1 * m + (1 - beta1) * g              (exp_avg, as lerp_)
    u = max(beta2 * u, |g| + eps)                (exp_inf)
    p = p - lr / (1 - beta1**t) * m / u

Read next: ``lr_scheduler.py``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from .._creation import tensor, zeros_like
from .._tensor import Tensor
from ..ops.pointwise import maximum
from .adam import _lerp_
from .optimizer import (
    Optimizer,
    check_nonnegative,
    check_options,
    fused_multiply_add,
    no_grad_step,
)

__all__ = ["Adamax"]


class Adamax(Optimizer):
    """Adamax (Kingma and Ba, 2014, section 7)."""

    def __init__(self, params: Any, lr: float = 2e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, foreach: Optional[bool] = None, *,
                 maximize: bool = False, differentiable: bool = False,
                 capturable: bool = False) -> None:
        check_options(lr, tuple(betas), capturable=capturable, differentiable=differentiable)
        check_nonnegative(("learning rate", lr), ("epsilon value", eps))
        for i in (0, 1):
            if not 0.0 <= betas[i] < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
        check_nonnegative(("weight_decay value", weight_decay))
        defaults = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
                    "foreach": foreach, "maximize": maximize, "differentiable": differentiable,
                    "capturable": capturable}
        super().__init__(params, defaults)

    @no_grad_step
    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        self._update_each(_initial_state, _update)


def _initial_state(group: Dict[str, Any], param: Tensor) -> Dict[str, Any]:
    return {"step": tensor(0.0), "exp_avg": zeros_like(param), "exp_inf": zeros_like(param)}


def _update(param: Tensor, grad: Tensor, state: Dict[str, Any], group: Dict[str, Any]) -> None:
    """One Adamax step of ``param`` (in place), updating its ``state``."""
    beta1, beta2 = group["betas"]
    if group["maximize"]:
        grad = -grad
    step_t = state["step"]
    step_t += 1
    if group["weight_decay"] != 0:  # grad.add(param, alpha=weight_decay)
        grad = fused_multiply_add(param, group["weight_decay"], grad)
    exp_avg, exp_inf = state["exp_avg"], state["exp_inf"]
    _lerp_(exp_avg, grad, 1 - beta1)
    exp_inf.copy_(maximum(exp_inf.mul_(beta2), grad.abs().add_(group["eps"])))
    clr = group["lr"] / (1 - beta1 ** step_t.item())
    param.add_(exp_avg * -clr / exp_inf)  # param.addcdiv_(exp_avg, exp_inf, value=-clr)
