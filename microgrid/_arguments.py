"""Argument checking: PyTorch's refusal of an argument of the wrong type, in one place.

PyTorch counterpart: the Python argument parser every ``torch.*`` function
and Tensor method goes through (``torch/csrc/utils/python_arg_parser.cpp``),
which matches the arguments against the function's signature and refuses a
mismatch with a ``TypeError`` naming the argument: ``zeros(): argument
'dtype' must be torch.dtype, not str``.

Python would otherwise accept almost anything and fail later, elsewhere, or
not at all (``requires_grad='yes'`` is true, ``zeros(2.5)`` a NumPy error,
``Linear(2.5, 3)`` a 3x2 layer).  Each public function reads its arguments
through the few functions here, so that a wrong one is refused before
anything is changed, with PyTorch's words.  (The parser's other half,
NumPy's ``axis=``/``keepdims=`` and ``out=``, is ``ops/arguments.py``.)
Skip this file on a first reading.

Read next: ``_device.py``.
"""

from __future__ import annotations

import builtins
import operator
from typing import Any, Optional, Tuple

from . import _dtype


def _where(function: str, name: str, position: Optional[int]) -> str:
    place = "" if position is None else f" (position {position})"
    return f"{function}(): argument '{name}'{place}"


def as_bool(value: Any, function: str, name: str, position: Optional[int] = None) -> bool:
    """A ``bool`` argument: True or False only (PyTorch refuses 1 and 'yes')."""
    if type(value) is not builtins.bool:
        raise TypeError(f"{_where(function, name, position)} must be bool, "
                        f"not {type(value).__name__}")
    return value


def as_int(value: Any, function: str, name: str, position: Optional[int] = None) -> int:
    """An ``int`` argument: an int, a NumPy integer or a one-element integer
    tensor, never a bool or a float."""
    if not isinstance(value, builtins.bool):
        try:
            return operator.index(value)
        except TypeError:
            pass
    raise TypeError(f"{_where(function, name, position)} must be int, "
                    f"not {type(value).__name__}")


def as_dtype(value: Any, function: str) -> Optional[_dtype.dtype]:
    """A ``dtype`` argument: a microgrid dtype, or Python's ``float``,
    ``int`` or ``bool`` (float64, int64 and bool, as PyTorch reads them)."""
    if value is None or isinstance(value, _dtype.dtype):
        return value
    if value in _PYTHON_TYPES:
        return _PYTHON_TYPES[value]
    raise TypeError(f"{function}(): argument 'dtype' must be torch.dtype, "
                    f"not {type(value).__name__}")


_PYTHON_TYPES = {builtins.float: _dtype.float64, builtins.int: _dtype.int64,
                 builtins.bool: _dtype.bool}


def as_size(sizes: Tuple[Any, ...], function: str, name: str = "size",
            varargs: bool = True, overloads: Tuple[str, ...] = ()) -> Tuple[int, ...]:
    """A size given as ``f(2, 3)`` or ``f((2, 3))`` (``varargs``), or as the
    one argument ``f((2, 3), ...)``: a tuple of ints.  A function with
    several signatures (``overloads``: ``view(dtype)``, ``view(size)``)
    refuses a first size that fits none of them with the list of them."""
    if overloads and len(sizes) > 1 and not hasattr(sizes[0], "__index__"):
        got = ", ".join(type(size).__name__ for size in sizes)
        raise TypeError(f"{function}() received an invalid combination of arguments - got "
                        f"({got}), but expected one of:\n"
                        + "".join(f" * ({signature})\n" for signature in overloads))
    if not sizes:
        raise TypeError(f'{function}() missing 1 required positional arguments: "{name}"')
    if len(sizes) == 1 or not varargs:  # one argument: a sequence, or (varargs) an int
        single = sizes[0]
        if isinstance(single, (tuple, list)):
            sizes = tuple(single)
        elif not (varargs and hasattr(single, "__index__")
                  and not isinstance(single, builtins.bool)):
            raise TypeError(f"{_where(function, name, 1)} must be tuple of ints, "
                            f"not {type(single).__name__}")
    result = []
    for i, size in enumerate(sizes):
        if not hasattr(size, "__index__"):
            raise TypeError(f"{function}(): argument '{name}' failed to unpack the object at "
                            f"pos {i + 1} with error \"type must be tuple of ints,but got "
                            f"{type(size).__name__}\"")
        result.append(operator.index(size))
    return tuple(result)


def as_flag(value: Any) -> bool:
    """A flag PyTorch's C++ reads as a small integer (``backward``'s
    ``retain_graph``, ``create_graph``): 1 is True, ``'yes'`` is refused."""
    return builtins.bool(operator.index(value))
