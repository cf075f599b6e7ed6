"""``nn.Linear`` (and ``nn.Identity``): the fully connected layer.

PyTorch counterpart: ``torch.nn.Linear`` / ``torch.nn.Identity``
(``torch/nn/modules/linear.py``).

``Linear(in_features, out_features)`` owns a weight of shape
(out_features, in_features) and a bias of shape (out_features,), and
computes ``y = x @ weight.T + bias`` over the last dim of ``x``
(``nn.functional.linear``: for a batch of rows, one ``AddmmBackward0`` node
with the weight's ``TBackward0`` below it).

Its first weights are random, with PyTorch's scheme: ``kaiming_uniform_``
with ``a=sqrt(5)`` for the weight and U(-1/sqrt(in), 1/sqrt(in)) for the
bias (``init.py``), drawn in that order from PyTorch's generator: after the
same ``manual_seed`` a layer starts from the very numbers PyTorch's does.

Read next: ``activation.py``.
"""

from __future__ import annotations

import math
from typing import Any

from ..._creation import empty
from ..._tensor import Tensor
from .. import functional as F  # noqa: N812 - PyTorch's spelling
from .. import init
from ..parameter import Parameter
from .module import Module

__all__ = ["Identity", "Linear"]


class Identity(Module):
    """A placeholder that returns its input unchanged (any arguments are ignored)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, input: Tensor) -> Tensor:
        return input


class Linear(Module):
    """``y = x @ weight.T + bias``: ``in_features`` inputs to ``out_features`` outputs."""

    def __init__(self, in_features: int, out_features: int, bias: bool = True,
                 device: Any = None, dtype: Any = None) -> None:
        super().__init__()
        self.in_features = in_features
        self.out_features = out_features
        self.weight = Parameter(empty((out_features, in_features), dtype=dtype, device=device))
        if bias:
            self.bias = Parameter(empty(out_features, dtype=dtype, device=device))
        else:
            self.register_parameter("bias", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """Draw new random weights, as at construction."""
        # kaiming_uniform_ with a=sqrt(5) is U(-1/sqrt(in_features), 1/sqrt(in_features)).
        init.kaiming_uniform_(self.weight, a=math.sqrt(5))
        if self.bias is not None:
            fan_in, _ = init._calculate_fan_in_and_fan_out(self.weight)
            bound = 1 / math.sqrt(fan_in) if fan_in > 0 else 0
            init.uniform_(self.bias, -bound, bound)

    def forward(self, input: Tensor) -> Tensor:
        return F.linear(input, self.weight, self.bias)

    def extra_repr(self) -> str:
        return (f"in_features={self.in_features}, out_features={self.out_features}, "
                f"bias={self.bias is not None}")
