"""``nn.Parameter``: a tensor that a module owns and an optimizer changes.

PyTorch counterpart: ``torch.nn.Parameter`` (``torch/nn/parameter.py``).

A Parameter is an ordinary leaf tensor with two differences:

* it requires grad unless told otherwise (``Parameter(t)`` is trainable);
* assigning one as an attribute of a module (``self.weight = Parameter(...)``)
  registers it, so that ``module.parameters()`` finds it and an optimizer
  can update it (``modules/module.py``).

Everything else is the Tensor's: ops on a Parameter return plain tensors
(``p * 2`` is a ``Tensor`` with ``grad_fn=<MulBackward0>``), and printing
it adds one line in front, ``Parameter containing:``.  ``Parameter(t)``
shares ``t``'s storage and version counter, like ``t.detach()``.

Read next: ``init.py``.
"""

from __future__ import annotations

from typing import Any, Dict, Optional

from .._creation import empty
from .._tensor import Tensor, set_leaf_requires_grad


class Parameter(Tensor):
    """A tensor that is a module's parameter: a leaf that requires grad by default."""

    def __new__(cls, data: Optional[Tensor] = None, requires_grad: bool = True) -> "Parameter":
        if data is None:
            data = empty(0)
        parameter = cls._make(data.detach()._data)
        parameter._version_counter = data._counter()
        return set_leaf_requires_grad(parameter, requires_grad)

    def __init__(self, data: Optional[Tensor] = None, requires_grad: bool = True) -> None:
        """Everything happens in ``__new__`` (Tensor's legacy ``__init__`` must not run)."""

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

    def __format__(self, format_spec: str) -> str:
        # PyTorch formats only a plain 0-d Tensor as a number; a Parameter as its text.
        return object.__format__(self, format_spec)

    def __deepcopy__(self, memo: Dict[int, Any]) -> "Parameter":
        """A Parameter with a copy of the values (not of ``.grad``), as PyTorch copies one."""
        if id(self) not in memo:
            memo[id(self)] = type(self)(self.data.clone(), self.requires_grad)
        return memo[id(self)]
