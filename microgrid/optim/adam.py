"""``optim.Adam``: gradient descent with per-element step sizes.

PyTorch counterpart: ``torch.optim.Adam`` (``torch/optim/adam.py``, its
one-tensor-at-a-time path ``_single_tensor_adam``, whose operations are
repeated here in the same order and with the same roundings, so the float32
results agree: PyTorch's ``lerp_``, ``addcmul_`` and ``add(alpha=...)``
round ``a * b + c`` once, see ``fused_multiply_add`` in ``optimizer.py``).

Adam keeps two running averages per parameter, of the gradient ``m`` and
of its square ``v``, and steps each element by ``m / sqrt(v)``: about
``lr`` in the direction the gradient has been pointing, whatever its scale.
At step t, for a parameter p with gradient g::

    g = g + weight_decay * p                     (L2 penalty; AdamW instead
                                                  shrinks p by lr * weight_decay)
    m = beta1 * m + (1 - beta1) * g              (exp_avg, as lerp_)
    v = beta2 * v + (1 - beta2) * g * g          (exp_avg_sq)
    v_max = max(v_max, v)                        (amsgrad only; used instead of v)
    p = p - lr / (1 - beta1**t) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

The divisions by ``1 - beta**t`` correct for ``m`` and ``v`` starting at
zero (they would be too small in the first steps).

Read next: ``adamw.py``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional, Tuple

from .._creation import tensor, zeros_like
from .._tensor import Tensor
from ..ops.pointwise import maximum
from .optimizer import Optimizer, check_options, fused_multiply_add, no_grad_step

__all__ = ["Adam"]


class Adam(Optimizer):
    """Adam (and, with ``decoupled_weight_decay=True``, AdamW)."""

    def __init__(self, params: Any, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 0, amsgrad: bool = False, *,
                 foreach: Optional[bool] = None, maximize: bool = False,
                 capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None, decoupled_weight_decay: bool = False) -> None:
        check_options(lr, tuple(betas), capturable=capturable, differentiable=differentiable,
                      fused=fused)
        if not 0.0 <= lr:
            raise ValueError(f"Invalid learning rate: {lr}")
        if not 0.0 <= eps:
            raise ValueError(f"Invalid epsilon value: {eps}")
        for i in (0, 1):
            if not 0.0 <= betas[i] < 1.0:
                raise ValueError(f"Invalid beta parameter at index {i}: {betas[i]}")
        if not 0.0 <= weight_decay:
            raise ValueError(f"Invalid weight_decay value: {weight_decay}")
        if not (isinstance(betas[0], float) and isinstance(betas[1], float)):
            raise ValueError("betas must be either both floats or both Tensors")
        defaults = {"lr": lr, "betas": tuple(betas), "eps": eps, "weight_decay": weight_decay,
                    "amsgrad": amsgrad, "maximize": maximize, "foreach": foreach,
                    "capturable": capturable, "differentiable": differentiable, "fused": fused,
                    "decoupled_weight_decay": decoupled_weight_decay}
        super().__init__(params, defaults)

    @no_grad_step
    def step(self) -> None:
        """One update of every parameter that has a gradient."""
        self._update_each(_initial_state, _update)


def _initial_state(group: Dict[str, Any], param: Tensor) -> Dict[str, Any]:
    state = {"step": tensor(0.0), "exp_avg": zeros_like(param),
             "exp_avg_sq": zeros_like(param)}
    if group["amsgrad"]:
        state["max_exp_avg_sq"] = zeros_like(param)
    return state


def _lerp_(start: Tensor, end: Tensor, weight: float) -> Tensor:
    """``start.lerp_(end, weight)``: ``start + weight * (end - start)``; for
    weights of 1/2 and more PyTorch computes ``end + (weight - 1) * (end - start)``
    instead (more accurate there), each with one rounding."""
    weight = start._data.dtype.type(weight)
    if abs(weight) < 0.5:
        return start.copy_(fused_multiply_add(end - start, weight, start))
    return start.copy_(fused_multiply_add(end - start, weight - 1, end))


def _update(param: Tensor, grad: Tensor, state: Dict[str, Any], group: Dict[str, Any]) -> None:
    """One Adam step of ``param`` (in place), updating its ``state``."""
    beta1, beta2 = group["betas"]
    lr, weight_decay = group["lr"], group["weight_decay"]
    if group["maximize"]:
        grad = -grad
    step_t = state["step"]
    step_t += 1
    if weight_decay != 0:
        if group["decoupled_weight_decay"]:
            param.mul_(1 - lr * weight_decay)
        else:  # grad.add(param, alpha=weight_decay)
            grad = fused_multiply_add(param, weight_decay, grad)
    exp_avg, exp_avg_sq = state["exp_avg"], state["exp_avg_sq"]
    _lerp_(exp_avg, grad, 1 - beta1)
    # exp_avg_sq.mul_(beta2).addcmul_(grad, grad, value=1 - beta2)
    exp_avg_sq.mul_(beta2).copy_(fused_multiply_add(grad * (1 - beta2), grad, exp_avg_sq))
    step = step_t.item()
    step_size = lr / (1 - beta1**step)
    bias_correction2_sqrt = (1 - beta2**step) ** 0.5
    second_moment = exp_avg_sq
    if group["amsgrad"]:
        second_moment = state["max_exp_avg_sq"]
        second_moment.copy_(maximum(second_moment, exp_avg_sq))
    denom = (second_moment.sqrt() / bias_correction2_sqrt).add_(group["eps"])
    param.add_(exp_avg * -step_size / denom)  # addcdiv_(exp_avg, denom, value=-step_size)
