"""``optim.AdamW``: Adam with decoupled weight decay.

PyTorch counterpart: ``torch.optim.AdamW`` (``torch/optim/adamw.py``).

Adam's ``weight_decay`` adds ``weight_decay * p`` to the gradient, which the
running averages then rescale; AdamW instead shrinks the parameter itself,
``p = p * (1 - lr * weight_decay)``, before the Adam step (``adam.py``).  It
is Adam with ``decoupled_weight_decay=True``, and decays by 0.01 by default.

Read next: ``rmsprop.py``.
"""

from __future__ import annotations

from typing import Any, Optional, Tuple

from .adam import Adam

__all__ = ["AdamW"]


class AdamW(Adam):
    """Adam whose weight decay shrinks the parameters directly."""

    def __init__(self, params: Any, lr: float = 1e-3, betas: Tuple[float, float] = (0.9, 0.999),
                 eps: float = 1e-8, weight_decay: float = 1e-2, amsgrad: bool = False, *,
                 maximize: bool = False, foreach: Optional[bool] = None,
                 capturable: bool = False, differentiable: bool = False,
                 fused: Optional[bool] = None) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad, foreach=foreach,
                         maximize=maximize, capturable=capturable,
                         differentiable=differentiable, fused=fused,
                         decoupled_weight_decay=True)
