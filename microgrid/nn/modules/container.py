"""Containers: ``nn.Sequential`` (layers applied in a row) and ``nn.ModuleList``.

PyTorch counterpart: ``torch.nn.Sequential`` / ``torch.nn.ModuleList``
(``torch/nn/modules/container.py``).

Both hold their modules as children named ``"0"``, ``"1"``, ... (a
``Sequential`` built from an ``OrderedDict`` keeps its names), so their
parameters are named ``0.weight``, ``2.bias`` ..., and both index, iterate
and measure (``len``) like a list.  The difference is ``forward``:
``Sequential(a, b, c)(x)`` is ``c(b(a(x)))``, while a ``ModuleList`` only
holds modules for a ``forward`` you write yourself.

Read next: ``flatten.py``.
"""

from __future__ import annotations

import operator
from collections import OrderedDict
from collections.abc import Iterable
from itertools import chain
from typing import Any, Iterator, List, Optional, Union

from .module import Module, _addindent

__all__ = ["Sequential", "ModuleList"]


class _ModuleSequence(Module):
    """What Sequential and ModuleList share: their children, as a numbered list."""

    def _key(self, idx: Any) -> str:
        """The name of the child at position ``idx`` (negative counts from the end)."""
        size = len(self)
        idx = operator.index(idx)
        if not -size <= idx < size:
            raise IndexError(f"index {idx} is out of range")
        return list(self._modules)[idx % size]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(self._modules.values())

    def __setitem__(self, idx: int, module: Module) -> None:
        setattr(self, self._key(idx), module)

    def __delitem__(self, idx: Union[int, slice]) -> None:
        keys = list(self._modules)[idx] if isinstance(idx, slice) else [self._key(idx)]
        for key in keys:
            delattr(self, key)
        # The rest are renumbered 0, 1, ..., as PyTorch does.
        self._modules = OrderedDict((str(i), module)
                                    for i, module in enumerate(self._modules.values()))

    def pop(self, key: Union[int, slice]) -> Any:
        """Remove and return the module (or slice) at ``key``."""
        value = self[key]  # type: ignore[index]
        del self[key]
        return value

    def append(self, module: Module) -> "_ModuleSequence":
        """Add ``module`` at the end."""
        self.add_module(str(len(self)), module)
        return self

    def _shift_in(self, index: int, module: Module) -> None:
        """Put ``module`` at ``index``, moving the ones from there one place on."""
        for i in range(len(self._modules), index, -1):
            self._modules[str(i)] = self._modules[str(i - 1)]
        self._modules[str(index)] = module

    def __dir__(self) -> List[str]:
        return [key for key in super().__dir__() if not key.isdigit()]


class Sequential(_ModuleSequence):
    """Modules applied one after the other: ``Sequential(a, b)(x)`` is ``b(a(x))``.
    Built from modules (named "0", "1", ...) or from an ``OrderedDict`` of named ones."""

    def __init__(self, *args: Any) -> None:
        super().__init__()
        if len(args) == 1 and isinstance(args[0], OrderedDict):
            for key, module in args[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(args):
                self.add_module(str(idx), module)

    def __getitem__(self, idx: Union[int, slice]) -> Union["Sequential", Module]:
        if isinstance(idx, slice):
            return type(self)(OrderedDict(list(self._modules.items())[idx]))
        return self._modules[self._key(idx)]

    def forward(self, input: Any) -> Any:
        for module in self:
            input = module(input)
        return input

    def insert(self, index: int, module: Module) -> "Sequential":
        """Put ``module`` at position ``index``."""
        if not isinstance(module, Module):
            raise AssertionError(f"module should be of type: {Module}")
        n = len(self._modules)
        if not -n <= index <= n:
            raise IndexError(f"Index out of range: {index}")
        self._shift_in(index + n if index < 0 else index, module)
        return self

    def extend(self, sequential: Iterable) -> "Sequential":
        """Append every module of ``sequential``."""
        for layer in sequential:
            self.append(layer)
        return self

    def __add__(self, other: Any) -> "Sequential":
        if not isinstance(other, Sequential):
            raise ValueError("add operator supports only objects of Sequential class, but "
                             f"{str(type(other))} is given.")
        return Sequential().extend(chain(self, other))


class ModuleList(_ModuleSequence):
    """A list of modules whose parameters belong to the module holding it."""

    def __init__(self, modules: Optional[Iterable] = None) -> None:
        super().__init__()
        if modules is not None:
            self += modules

    def __getitem__(self, idx: Union[int, slice]) -> Union["ModuleList", Module]:
        if isinstance(idx, slice):
            return type(self)(list(self._modules.values())[idx])
        return self._modules[self._key(idx)]

    def insert(self, index: int, module: Module) -> None:
        """Put ``module`` before position ``index``."""
        self._shift_in(index, module)

    def extend(self, modules: Iterable) -> "ModuleList":
        """Append every module of ``modules``."""
        if not isinstance(modules, Iterable):
            raise TypeError("ModuleList.extend should be called with an iterable, but got "
                            + type(modules).__name__)
        offset = len(self)
        for i, module in enumerate(modules):
            self.add_module(str(offset + i), module)
        return self

    def __iadd__(self, modules: Iterable) -> "ModuleList":
        return self.extend(modules)

    def __add__(self, other: Iterable) -> "ModuleList":
        return ModuleList(chain(self, other))

    def __repr__(self) -> str:
        """One line per run of equal modules: ``(0-2): 3 x Linear(...)``."""
        reprs = [repr(module) for module in self]
        if not reprs:
            return self._get_name() + "()"
        runs: List[List[Any]] = []  # [first index, last index, repr]
        for i, text in enumerate(reprs):
            if runs and runs[-1][2] == text:
                runs[-1][1] = i
            else:
                runs.append([i, i, text])
        lines = [_addindent(f"({start}): {text}" if start == end
                            else f"({start}-{end}): {end - start + 1} x {text}", 2)
                 for start, end, text in runs]
        return self._get_name() + "(\n  " + "\n  ".join(lines) + "\n)"
