"""``Variable``: the pre-0.4 wrapper, kept working as PyTorch keeps it.

PyTorch counterpart: ``torch.autograd.Variable`` (``torch/autograd/variable.py``).

Before PyTorch 0.4 a Tensor could not require grad: you wrapped it in a
``Variable``, which recorded the graph.  Since 0.4 every tensor can do that,
and ``Variable(t, requires_grad=True)`` simply returns a new leaf tensor that
shares ``t``'s storage (``t.detach()`` with the flag set).  Old code keeps
running, and ``isinstance(any_tensor, Variable)`` is still True.

Read next: ``function.py``.
"""

from __future__ import annotations

import warnings
from typing import Any

from .._tensor import Tensor, set_leaf_requires_grad


class VariableMeta(type):
    """Makes every Tensor count as a Variable for ``isinstance``."""

    def __instancecheck__(cls, other: Any) -> bool:
        return isinstance(other, Tensor)


class Variable(metaclass=VariableMeta):
    """``Variable(tensor, requires_grad=False)``: a new leaf sharing ``tensor``'s data."""

    def __new__(cls, data: Any, requires_grad: bool = False,  # type: ignore[misc]
                volatile: bool = False) -> Tensor:
        if volatile:
            warnings.warn("volatile was removed and now has no effect. Use `with "
                          "torch.no_grad():` instead.", UserWarning, stacklevel=2)
        if not isinstance(data, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(data).__name__}")
        return set_leaf_requires_grad(data.detach(), requires_grad)
