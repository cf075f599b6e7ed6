"""Making ``import torch`` import microgrid: an import hook.

PyTorch counterpart: none; this is how ``compare`` runs an unmodified
PyTorch script on microgrid.

Python asks every *finder* on ``sys.meta_path`` in turn where a module
comes from.  :class:`TorchAlias`, placed first, answers for ``torch`` and
every ``torch.X`` by importing ``microgrid`` / ``microgrid.X`` and handing
that module back, so after ``import torch.nn.functional as F`` the names
``torch`` and ``F`` simply *are* ``microgrid`` and
``microgrid.nn.functional``.  Only the runner's microgrid subprocess
installs the hook; nothing leaks into the PyTorch run.

When the script asks for something microgrid lacks, :func:`missing_name`
turns the resulting ``AttributeError`` / ``ImportError`` into the PyTorch
name that is missing (``torch.nn.Conv2d``), so the report says
``microgrid has no torch.nn.Conv2d`` instead of showing a traceback.

Read next: ``runner.py``, which installs this hook and runs the script.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import re
import sys
import types
from typing import Optional, Sequence

TORCH = "torch"
MICROGRID = "microgrid"


def microgrid_name(torch_name: str) -> str:
    """``torch.nn.functional`` -> ``microgrid.nn.functional``."""
    return MICROGRID + torch_name[len(TORCH):]


def torch_name(module_name: str) -> str:
    """``microgrid.nn.functional`` -> ``torch.nn.functional``."""
    return TORCH + module_name[len(MICROGRID):]


def is_torch_name(fullname: str) -> bool:
    return fullname == TORCH or fullname.startswith(TORCH + ".")


class TorchAlias(importlib.abc.MetaPathFinder, importlib.abc.Loader):
    """Finder and loader: ``torch[.X]`` is served by the module ``microgrid[.X]``."""

    def find_spec(self, fullname: str, path: Optional[Sequence[str]] = None,
                  target: Optional[types.ModuleType] = None
                  ) -> Optional[importlib.machinery.ModuleSpec]:
        if not is_torch_name(fullname):
            return None
        target_name = microgrid_name(fullname)
        try:
            module = importlib.import_module(target_name)
        except ModuleNotFoundError as error:
            if error.name is None or not target_name.startswith(error.name):
                raise  # microgrid.X exists but itself imports something missing
            raise ModuleNotFoundError(f"microgrid has no {fullname}", name=fullname) from None
        spec = importlib.machinery.ModuleSpec(fullname, self,
                                              is_package=hasattr(module, "__path__"))
        spec.loader_state = module.__spec__  # microgrid's own spec
        return spec

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> types.ModuleType:
        return sys.modules[spec.loader_state.name]

    def exec_module(self, module: types.ModuleType) -> None:
        # The import system stamped the alias spec on the (already executed)
        # microgrid module; give it back its own so it keeps its identity.
        module.__spec__ = module.__spec__.loader_state


def install() -> None:
    """Put the alias first on ``sys.meta_path`` (idempotent)."""
    if not any(isinstance(finder, TorchAlias) for finder in sys.meta_path):
        sys.meta_path.insert(0, TorchAlias())


_CANNOT_IMPORT = re.compile(r"cannot import name '([^']+)' from '([^']+)'")

# Python's messages for an operator the operands' classes lack, and the
# Tensor method that would have answered each operator.
_BINARY = re.compile(r"unsupported operand type\(s\) for ([^ :]+?)(=?)(?: or pow\(\))?: "
                     r"'(\w+)' and '(\w+)'")
_COMPARISON = re.compile(r"'([<>=!]+)' not supported between instances of '(\w+)' and '(\w+)'")
_UNARY = re.compile(r"bad operand type for (?:unary )?([^ :(]+)(?:\(\))?: '(\w+)'")
_OPERATORS = {"+": "add", "-": "sub", "*": "mul", "/": "truediv", "//": "floordiv", "%": "mod",
              "**": "pow", "@": "matmul", "&": "and", "|": "or", "^": "xor", "<<": "lshift",
              ">>": "rshift", "<": "lt", "<=": "le", ">": "gt", ">=": "ge"}
_UNARY_OPERATORS = {"-": "neg", "+": "pos", "~": "invert", "abs": "abs"}
#: Operands PyTorch's operators take: with anything else (a string, None)
#: the operator is not missing, the operand is wrong.
_OPERANDS = {"Tensor", "int", "float", "bool"}


def _missing_operator(message: str) -> Optional[str]:
    """``torch.Tensor.__matmul__`` for "unsupported operand type(s) for @:
    'Tensor' and 'Tensor'" (and the like), or None."""
    binary = _BINARY.match(message)
    if binary:
        symbol, inplace, left, right = binary.groups()
        prefix = "i" if inplace else ("" if left == "Tensor" else "r")
        if "Tensor" in (left, right) and {left, right} <= _OPERANDS and symbol in _OPERATORS:
            return f"torch.Tensor.__{prefix}{_OPERATORS[symbol]}__"
        return None
    comparison = _COMPARISON.match(message)
    if (comparison and "Tensor" in comparison.groups()[1:]
            and set(comparison.groups()[1:]) <= _OPERANDS and comparison[1] in _OPERATORS):
        return f"torch.Tensor.__{_OPERATORS[comparison[1]]}__"
    unary = _UNARY.match(message)
    if unary and unary[2] == "Tensor" and unary[1] in _UNARY_OPERATORS:
        return f"torch.Tensor.__{_UNARY_OPERATORS[unary[1]]}__"
    return None


def missing_name(error: BaseException, script_files: Sequence[str]) -> Optional[str]:
    """The PyTorch name a script used that microgrid lacks, if that is what
    ``error`` (raised under the alias) means; otherwise None.

    Only an error raised by the script's own line counts (``torch.nn.Conv2d``
    written in the script); an AttributeError deep inside microgrid is a bug,
    reported as such.
    """
    if isinstance(error, ModuleNotFoundError) and error.name and is_torch_name(error.name):
        return error.name
    innermost = error.__traceback__
    while innermost is not None and innermost.tb_next is not None:
        innermost = innermost.tb_next
    if innermost is None or innermost.tb_frame.f_code.co_filename not in script_files:
        return None
    if isinstance(error, ImportError):
        match = _CANNOT_IMPORT.match(str(error))
        if match and match.group(2).split(".")[0] == MICROGRID:
            return f"{torch_name(match.group(2))}.{match.group(1)}"
        return None
    if isinstance(error, AttributeError) and error.name is not None:
        owner = _owner_name(error.obj)
        return None if owner is None else f"{owner}.{error.name}"
    if isinstance(error, TypeError):
        return _missing_operator(str(error))
    return None


def _owner_name(obj: object) -> Optional[str]:
    """How a PyTorch user spells the microgrid object an attribute was looked up on."""
    import microgrid

    if isinstance(obj, types.ModuleType):
        return torch_name(obj.__name__) if obj.__name__.split(".")[0] == MICROGRID else None
    cls = obj if isinstance(obj, type) else type(obj)
    if cls.__module__.split(".")[0] != MICROGRID:
        return None
    # Classes PyTorch exports at the top (torch.Tensor, torch.dtype) keep the prefix.
    exported = getattr(microgrid, cls.__name__, None) is cls
    return f"torch.{cls.__name__}" if exported else cls.__name__
