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

When the script asks for something microgrid lacks, :func:`missing_feature`
turns the resulting ``AttributeError`` / ``ImportError`` / ``TypeError``
into what is missing, spelled as in PyTorch, so the report says
``microgrid has no torch.nn.Conv2d`` or ``microgrid's torch.sum has no
keyword 'keepdims'`` instead of showing a traceback.

Read next: ``runner.py``, which installs this hook and runs the script.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import linecache
import re
import sys
import types
from typing import Callable, List, Optional, Sequence

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
        if module.__name__ == MICROGRID:
            # microgrid.Tensor.__module__ is "microgrid" (its public name, as
            # torch.Tensor's is "torch"); where microgrid *is* torch, the
            # public name is torch's, and print(type(t)) shows <class 'torch.Tensor'>.
            module.Tensor.__module__ = TORCH


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


def missing_name(error: BaseException, is_user: Callable[[str], bool]) -> Optional[str]:
    """The PyTorch name a program used that microgrid lacks, if that is what
    ``error`` (raised under the alias) means; otherwise None.

    Only an error raised by a line of the program's own code counts
    (``torch.nn.Conv2d`` written in the script; ``is_user(filename)`` says
    which files are the program's); an AttributeError deep inside microgrid
    is a bug, reported as such.
    """
    innermost = _innermost(error)
    if isinstance(error, ModuleNotFoundError) and error.name and is_torch_name(error.name):
        users = [tb for tb in _frames(error) if is_user(tb.tb_frame.f_code.co_filename)]
        return _imported_name(error.name, users[-1] if users else None)
    if innermost is None or not is_user(innermost.tb_frame.f_code.co_filename):
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


def missing_feature(error: BaseException, is_user: Callable[[str], bool]) -> Optional[str]:
    """What microgrid lacks, said the way a PyTorch user would write it:
    ``microgrid has no torch.utils.data``, ``microgrid's torch.sum has no
    keyword 'keepdims'``; None if ``error`` is not about a missing feature."""
    name = missing_name(error, is_user)
    if name is not None:
        return f"microgrid has no {name}"
    innermost = _innermost(error)
    if not isinstance(error, TypeError) or innermost is None or not is_user(
            innermost.tb_frame.f_code.co_filename):
        return None
    keyword = _UNEXPECTED_KEYWORD.search(str(error))
    if keyword is None:
        return None
    function = _called_name(keyword.group(1), innermost)
    return None if function is None else (
        f"microgrid's {function} has no keyword '{keyword.group(2)}'")


def _frames(error: BaseException) -> List[types.TracebackType]:
    """The traceback entries of ``error``, outermost first, without frames that
    ask to be hidden (``__tracebackhide__``, pytest's convention: microgrid's
    wrapper that accepts NumPy's ``axis=``, between the caller and the op)."""
    entries, tb = [], error.__traceback__
    while tb is not None:
        if not tb.tb_frame.f_locals.get("__tracebackhide__"):
            entries.append(tb)
        tb = tb.tb_next
    return entries


def _innermost(error: BaseException) -> Optional[types.TracebackType]:
    entries = _frames(error)
    return entries[-1] if entries else None


def _source_line(tb: Optional[types.TracebackType]) -> str:
    if tb is None:
        return ""
    return linecache.getline(tb.tb_frame.f_code.co_filename, tb.tb_lineno)


_IMPORT = re.compile(r"^\s*(?:from|import)\s+(torch(?:\.\w+)*)")


def _imported_name(missing: str, tb: Optional[types.TracebackType]) -> str:
    """The module an import statement names, when microgrid lacks part of
    it: ``import torch.utils.data`` lacks ``torch.utils.data``, not just
    ``torch.utils``."""
    written = _IMPORT.match(_source_line(tb))
    if written and (written.group(1) + ".").startswith(missing + "."):
        return written.group(1)
    return missing


#: Python's message for a keyword a function does not take (3.10+ names
#: methods by their qualified name: ``Tensor.sum()``).
_UNEXPECTED_KEYWORD = re.compile(r"([\w.]+)\(\) got an unexpected keyword argument '(\w+)'")


def _called_name(function: str, tb: types.TracebackType) -> Optional[str]:
    """How a PyTorch user spells the microgrid function ``function`` called
    on the line ``tb`` points at: ``torch.sum``, ``torch.Tensor.sum``,
    ``torch.nn.functional.mse_loss``; None if it is not microgrid's."""
    import microgrid

    short = function.split(".")[-1]
    scope = {**tb.tb_frame.f_globals, **tb.tb_frame.f_locals}
    for written in re.findall(rf"(?:([A-Za-z_][\w.]*)\.|(?<!\.))\b{short}\s*\(", _source_line(tb)):
        if not written:  # called by its bare name: ``from torch import sum``
            module = getattr(scope.get(short), "__module__", None) or ""
            if module.split(".")[0] == MICROGRID:
                return f"torch.{short}"
            continue
        try:
            parts = written.split(".")
            owner = scope[parts[0]]
            for part in parts[1:]:
                owner = getattr(owner, part)
        except (KeyError, AttributeError):
            continue
        owner_name = _owner_name(owner)
        if owner_name is not None:
            return f"{owner_name}.{short}"
    # A method called on an expression, ``(a + b).sum(keepdims=True)``: the
    # message names its class.
    cls = getattr(microgrid, function.split(".")[0], None) if "." in function else None
    return f"torch.{function}" if isinstance(cls, type) else None


def _owner_name(obj: object) -> Optional[str]:
    """How a PyTorch user spells the microgrid object an attribute was looked up on."""
    import microgrid

    if isinstance(obj, types.ModuleType):
        return torch_name(obj.__name__) if obj.__name__.split(".")[0] == MICROGRID else None
    # The program's own class (``class Net(nn.Module)``) stands for the
    # microgrid class it derives from.
    cls = next((c for c in (obj if isinstance(obj, type) else type(obj)).__mro__
                if c.__module__.split(".")[0] in (MICROGRID, TORCH)), None)
    if cls is None:
        return None
    # Classes PyTorch exports at the top (torch.Tensor, torch.dtype) keep the
    # prefix, and so do nn's (torch.nn.Linear).
    for module, prefix in ((microgrid, "torch"), (getattr(microgrid, "nn", None), "torch.nn")):
        if getattr(module, cls.__name__, None) is cls:
            return f"{prefix}.{cls.__name__}"
    return cls.__name__
