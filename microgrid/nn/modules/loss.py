"""Loss modules: ``nn.MSELoss``, ``nn.CrossEntropyLoss``, ``nn.NLLLoss``, ``nn.BCELoss``.

PyTorch counterpart: ``torch/nn/modules/loss.py``.

A loss module stores the options of a loss function of ``nn.functional``
(``reduction``: ``'mean'``, ``'sum'`` or ``'none'``; class ``weight``;
``ignore_index`` ...) and calls it: ``criterion = nn.MSELoss()`` once, then
``loss = criterion(prediction, target)`` in the training loop.  A class
``weight`` tensor is a buffer: it is saved in ``state_dict()``.

Read next: ``container.py``.
"""

from __future__ import annotations

from typing import Optional

from ..._tensor import Tensor
from .. import functional as F  # noqa: N812 - PyTorch's spelling
from ..functional import _reduction
from .module import Module

__all__ = ["MSELoss", "NLLLoss", "CrossEntropyLoss", "BCELoss", "L1Loss", "SmoothL1Loss",
           "BCEWithLogitsLoss"]


class _Loss(Module):
    """A loss: its ``reduction`` (from the deprecated ``size_average`` and
    ``reduce`` flags if either is given, with PyTorch's warning)."""

    def __init__(self, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                 reduction: str = "mean") -> None:
        super().__init__()
        if size_average is not None or reduce is not None:
            reduction = _reduction(reduction, size_average, reduce)
        self.reduction = reduction


class _WeightedLoss(_Loss):
    """A loss with a ``weight`` per class (a buffer, or None)."""

    def __init__(self, weight: Optional[Tensor] = None, size_average: Optional[bool] = None,
                 reduce: Optional[bool] = None, reduction: str = "mean") -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)


class MSELoss(_Loss):
    """The mean (or sum) of the squared differences, ``(input - target) ** 2``."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.mse_loss(input, target, reduction=self.reduction)


class BCELoss(_WeightedLoss):
    """Binary cross entropy between probabilities ``input`` and targets in [0, 1]."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy(input, target, weight=self.weight,
                                      reduction=self.reduction)


class _ClassIndexLoss(_WeightedLoss):
    """A loss over class indices, some of which (``ignore_index``) count for nothing."""

    def __init__(self, weight: Optional[Tensor] = None, size_average: Optional[bool] = None,
                 ignore_index: int = -100, reduce: Optional[bool] = None,
                 reduction: str = "mean") -> None:
        super().__init__(weight, size_average, reduce, reduction)
        self.ignore_index = ignore_index


class NLLLoss(_ClassIndexLoss):
    """The negative log likelihood of the target classes, given log-probabilities."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.nll_loss(input, target, weight=self.weight, ignore_index=self.ignore_index,
                          reduction=self.reduction)


class CrossEntropyLoss(_ClassIndexLoss):
    """Cross entropy between ``softmax(input)`` (``input``: logits) and the
    target classes (or class probabilities); ``label_smoothing`` mixes the
    target with the uniform distribution."""

    def __init__(self, weight: Optional[Tensor] = None, size_average: Optional[bool] = None,
                 ignore_index: int = -100, reduce: Optional[bool] = None,
                 reduction: str = "mean", label_smoothing: float = 0.0) -> None:
        super().__init__(weight, size_average, ignore_index, reduce, reduction)
        self.label_smoothing = label_smoothing

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.cross_entropy(input, target, weight=self.weight,
                               ignore_index=self.ignore_index, reduction=self.reduction,
                               label_smoothing=self.label_smoothing)


# -- issue 16 item 4 ----------------------------------------------------------------
class L1Loss(_Loss):
    """The mean (or sum) of the absolute differences, ``|input - target|``."""

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.l1_loss(input, target, reduction=self.reduction)


class SmoothL1Loss(_Loss):
    """Squared error below ``beta``, absolute error above."""

    def __init__(self, size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                 reduction: str = "mean", beta: float = 1.0) -> None:
        super().__init__(size_average, reduce, reduction)
        self.beta = beta

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.smooth_l1_loss(input, target, reduction=self.reduction, beta=self.beta)


class BCEWithLogitsLoss(_Loss):
    """Binary cross entropy on logits: ``BCELoss`` after a sigmoid, computed stably."""

    def __init__(self, weight: Optional[Tensor] = None, size_average: Optional[bool] = None,
                 reduce: Optional[bool] = None, reduction: str = "mean",
                 pos_weight: Optional[Tensor] = None) -> None:
        super().__init__(size_average, reduce, reduction)
        self.register_buffer("weight", weight)
        self.register_buffer("pos_weight", pos_weight)

    def forward(self, input: Tensor, target: Tensor) -> Tensor:
        return F.binary_cross_entropy_with_logits(input, target, self.weight,
                                                  pos_weight=self.pos_weight,
                                                  reduction=self.reduction)
