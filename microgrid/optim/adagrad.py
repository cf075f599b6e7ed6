"""``optim.Adagrad``: per-element step sizes that shrink with the gradients seen so far.

PyTorch counterpart: ``torch.optim.Adagrad`` (``torch/optim/adagrad.py``, its
path ``_single_tensor_adagrad`` for dense gradients, repeated here in the
same order and with the same roundings).

At step t, for a parameter p with gradient g::

    g = g + weight_decay * p
    s = s + g * g                                (sum, starting at
                                                  initial_accumulator_value)
    p = p - lr / (1 + (t - 1) * lr_decay) * g / (sqrt(s) + eps)

An element that has had large gradients takes small steps from then on.

Read next: ``adadelta.py``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from .._creation import full_like, tensor
from .._tensor import Tensor
from .optimizer import (
    Optimizer,
    check_nonnegative,
    check_options,
    fused_multiply_add,
    no_grad_step,
)

__all__ = ["Adagrad"]


class Adagrad(Optimizer):
    """Adagrad (Duchi, Hazan and Singer, 2011)."""

    def __init__(self, params: Any, lr: float = 1e-2, lr_decay: float = 0,
                 weight_decay: float = 0, initial_accumulator_value: float = 0,
                 eps: float = 1e-10, foreach: Optional[bool] = None, *, maximize: bool = False,
                 differentiable: bool = False, fused: Optional[bool] = None) -> None:
        check_options(lr, differentiable=differentiable, fused=fused)
        check_nonnegative(("learning rate", lr), ("lr_decay value", lr_decay),
                          ("weight_decay value", weight_decay),
                          ("initial_accumulator_value value", initial_accumulator_value),
                          ("epsilon value", eps))
        defaults = {"lr": lr, "lr_decay": lr_decay, "eps": eps, "weight_decay": weight_decay,
                    "initial_accumulator_value": initial_accumulator_value,
                    "foreach": foreach, "maximize": maximize,
                    "differentiable": differentiable, "fused": fused}
        super().__init__(params, defaults)
        # Unlike the others, Adagrad creates its state at once, for every parameter.
        for group in self.param_groups:
            for param in group["params"]:
                state = self.state[param]
                state["step"] = tensor(0.0)
                state["sum"] = full_like(param, initial_accumulator_value)

    @no_grad_step
    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        for group, param in self._with_gradients():
            _update(param, param.grad, self.state[param], group)


def _update(param: Tensor, grad: Tensor, state: Dict[str, Any], group: Dict[str, Any]) -> None:
    """One Adagrad step of ``param`` (in place), updating its ``state``."""
    step_t = state["step"]
    step_t += 1
    step = step_t.item()
    if group["maximize"]:
        grad = -grad
    if group["weight_decay"] != 0:  # grad.add(param, alpha=weight_decay)
        grad = fused_multiply_add(param, group["weight_decay"], grad)
    clr = group["lr"] / (1 + (step - 1) * group["lr_decay"])
    state_sum = state["sum"]
    state_sum.copy_(fused_multiply_add(grad, grad, state_sum))  # addcmul_(grad, grad, value=1)
    std = state_sum.sqrt().add_(group["eps"])
    param.add_(grad * -clr / std)  # param.addcdiv_(grad, std, value=-clr)
