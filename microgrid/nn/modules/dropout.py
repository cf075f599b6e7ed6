"""``nn.Dropout``: zeroing random elements while training.

PyTorch counterpart: ``torch.nn.Dropout`` (``torch/nn/modules/dropout.py``).

In training mode each element of the input is zeroed with probability
``p`` and the survivors are scaled by ``1 / (1 - p)``, so that the expected
value of every element stays what it was; ``model.eval()`` turns it into
the identity.  The mask comes from PyTorch's generator and transforms
(``ops/random.py``: ``dropout``), so a seeded program drops the same elements
as under PyTorch.

Read next: ``conv.py``.
"""

from __future__ import annotations

from ..._tensor import Tensor
from .. import functional as F  # noqa: N812 - PyTorch's spelling
from .module import Module

__all__ = ["Dropout"]


class Dropout(Module):
    """Zero elements with probability ``p`` while training (scaling the rest)."""

    def __init__(self, p: float = 0.5, inplace: bool = False) -> None:
        super().__init__()
        if p < 0 or p > 1:
            raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
        self.p = p
        self.inplace = inplace

    def forward(self, input: Tensor) -> Tensor:
        return F.dropout(input, self.p, self.training, self.inplace)

    def extra_repr(self) -> str:
        return f"p={self.p}, inplace={self.inplace}"
