"""Activation layers: ``nn.ReLU``, ``nn.Tanh``, ``nn.Sigmoid``, ``nn.Softmax``, ``nn.LogSoftmax``.

PyTorch counterpart: ``torch/nn/modules/activation.py``.

Each is a module without parameters around one function of
``nn.functional`` (or of the ops), so that it can sit in a ``Sequential``
between two ``Linear`` layers: a stack of linear maps is still one linear
map, and the nonlinearity between them is what lets a network bend.

Read next: ``loss.py``.
"""

from __future__ import annotations

from typing import Optional

from ..._tensor import Tensor
from ...ops.pointwise import sigmoid, tanh
from .. import functional as F  # noqa: N812 - PyTorch's spelling
from .module import Module

__all__ = ["ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax"]


class ReLU(Module):
    """``max(x, 0)``, elementwise (in place with ``inplace=True``)."""

    def __init__(self, inplace: bool = False) -> None:
        super().__init__()
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.relu(input, inplace=self.inplace)

    def extra_repr(self) -> str:
        return "inplace=True" if self.inplace else ""


class Tanh(Module):
    """``tanh(x)``, elementwise: squashes to (-1, 1)."""

    def forward(self, input: Tensor) -> Tensor:
        return tanh(input)


class Sigmoid(Module):
    """``1 / (1 + exp(-x))``, elementwise: squashes to (0, 1)."""

    def forward(self, input: Tensor) -> Tensor:
        return sigmoid(input)


class _AlongDim(Module):
    """A module computing along one dim (``dim``, printed in its repr)."""

    def __init__(self, dim: Optional[int] = None) -> None:
        super().__init__()
        self.dim = dim

    def extra_repr(self) -> str:
        return f"dim={self.dim}"


class Softmax(_AlongDim):
    """``exp(x) / sum(exp(x))`` along ``dim``: each slice becomes probabilities."""

    def forward(self, input: Tensor) -> Tensor:
        return F.softmax(input, self.dim)


class LogSoftmax(_AlongDim):
    """``log(softmax(x))`` along ``dim``, computed stably."""

    def forward(self, input: Tensor) -> Tensor:
        return F.log_softmax(input, self.dim)
