"""``nn.Flatten``: merge dims into one, e.g. images (N, C, H, W) into rows (N, C*H*W).

PyTorch counterpart: ``torch.nn.Flatten`` (``torch/nn/modules/flatten.py``).

It keeps the batch dim (``start_dim=1``) so that a ``Linear`` layer can
follow it; the result is a view when the strides allow one
(``Tensor.flatten``).

Read next: ``dropout.py``.
"""

from __future__ import annotations

from ..._tensor import Tensor
from .module import Module

__all__ = ["Flatten"]


class Flatten(Module):
    """Dims ``start_dim`` to ``end_dim`` merged into one."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, input: Tensor) -> Tensor:
        return input.flatten(self.start_dim, self.end_dim)

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
