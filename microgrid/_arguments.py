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
import functools
import operator
from typing import Any, Optional, Tuple

import numpy as np

from . import _dtype

_np_bool, _np_number = np.bool_, np.number


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


# -- an overloaded function: the call that fits none of its signatures --------------------
# PyTorch's parser tries a function's signatures in turn (``sum()`` has two:
# ``(*, torch.dtype dtype = None)`` and ``(tuple of ints dim, bool keepdim =
# False, *, torch.dtype dtype = None)``).  When none fits, a call whose number
# of arguments only one of them takes gets that signature's own complaint
# ("argument 'dim' must be ..."); any other gets the list of them all, each
# marked with why it did not match ("received an invalid combination of
# arguments").  ``python_arg_parser.cpp: PythonArgParser::print_error`` and
# ``invalid_arguments.cpp: format_invalid_args`` do this in PyTorch; the
# signatures, as PyTorch prints them, are ``_messages.SIGNATURES``.

#: Functions whose ``Tensor`` parameters also take a Python number
#: (``python_arg_parser.cpp: should_allow_numbers_as_tensors``).
_NUMBERS_AS_TENSORS = frozenset(
    f"{stem}{suffix}" for stem in ("add", "div", "divide", "mul", "multiply", "sub",
                                   "subtract", "true_divide", "floor_divide")
    for suffix in ("", "_"))

#: NumPy's names for parameters, which the parser also accepts as keywords.
_NUMPY_NAMES = {"dim": ("axis",), "keepdim": ("keepdims",), "input": ("x", "a", "x1"),
                "other": ("x2",)}


class Parameter:
    """One parameter of a printed signature: ``bool keepdim = False``.
    ``one_int``: a list of ints that also takes one int (``sum(0)``)."""

    __slots__ = ("type", "name", "optional", "keyword_only", "one_int")

    def __init__(self, text: str, keyword_only: builtins.bool) -> None:
        declared, _, default = text.partition(" = ")
        self.type, _, self.name = declared.rpartition(" ")
        self.optional = builtins.bool(default)
        self.keyword_only = keyword_only
        self.one_int = False


@functools.cache
def parameters(signatures: Tuple[str, ...]) -> Tuple[Tuple[Parameter, ...], ...]:
    """The parameters of each signature (``(Tensor input, *, torch.dtype dtype
    = None)``).  A ``dim`` list takes one int too (PyTorch's ``int[1]``),
    unless the function has a signature of its own for one int (``squeeze``)."""
    one_int = not any("int dim" in s.replace("tuple of ints dim", "") for s in signatures)
    result = []
    for signature in signatures:
        parsed, keyword_only = [], False
        for text in signature[1:-1].split(", ") if signature != "()" else ():
            if text == "*":
                keyword_only = True
                continue
            parsed.append(Parameter(text, keyword_only))
            parsed[-1].one_int = one_int and parsed[-1].name == "dim"
        result.append(tuple(parsed))
    return tuple(result)


def type_name(value: Any) -> str:
    """The name PyTorch's messages give ``value``'s type (its C ``tp_name``):
    ``int``, ``Tensor``, ``torch.dtype``, ``numpy.float64``."""
    kind = type(value)  # (microgrid's Size, dtype and device are named torch.Size ...)
    return f"numpy.{kind.__name__}" if kind.__module__ == "numpy" else kind.__name__


def _is_int(value: Any, tensor: type) -> builtins.bool:
    if isinstance(value, tensor):
        return value.dtype.numpy_dtype.kind in "iu" and value.numel() == 1
    return not isinstance(value, (builtins.bool, _np_bool)) and hasattr(value, "__index__")


def _is_number(value: Any, tensor: type) -> builtins.bool:
    if isinstance(value, tensor):
        return value.dim() == 0 and not value.requires_grad
    return isinstance(value, (builtins.int, builtins.float, complex, _np_number, _np_bool))


def accepts(parameter: Parameter, value: Any, function: str, tensor: type) -> builtins.bool:
    """Does ``value`` fit ``parameter`` (``FunctionParameter::check``)?  Types
    microgrid has no use for (generators, layouts) take anything."""
    kind = parameter.type
    if value is None and parameter.optional:
        return True
    if kind == "Tensor":
        return isinstance(value, tensor) or (
            function in _NUMBERS_AS_TENSORS and _is_number(value, tensor))
    if kind == "Number":
        return _is_number(value, tensor)
    if kind == "int":
        return _is_int(value, tensor)
    if kind == "float":
        return not isinstance(value, (builtins.bool, _np_bool)) and _is_number(value, tensor)
    if kind == "bool":
        return isinstance(value, (builtins.bool, _np_bool))
    if kind == "str":
        return isinstance(value, str)
    if kind == "torch.dtype":
        return isinstance(value, _dtype.dtype) or (isinstance(value, type)
                                                   and value in _PYTHON_TYPES)
    if kind == "torch.device":
        return isinstance(value, (str, builtins.int)) or type(value).__name__ == "torch.device"
    if kind.startswith("tuple of "):
        item = {"tuple of ints": _is_int, "tuple of floats": _is_number,
                "tuple of Tensors": lambda v, t: isinstance(v, t)}[kind]
        if isinstance(value, (tuple, list)):
            # PyTorch looks at the first element only; the others are read
            # after a signature is chosen (``unpack``).
            return not value or item(value[0], tensor)
        return kind == "tuple of floats" or (parameter.one_int and _is_int(value, tensor))
    return True


def _positional(count: int) -> str:
    return f"{count} positional argument{'' if count == 1 else 's'}"


def bind(signature: Tuple[Parameter, ...], args: Tuple[Any, ...], kwargs: dict,
         function: str, tensor: type, complain: builtins.bool = False) -> Optional[dict]:
    """The call's arguments by parameter name if they fit ``signature``
    (``FunctionSignature::parse``), else None; with ``complain``, a misfit
    raises the TypeError PyTorch gives for it."""
    most = sum(not p.keyword_only for p in signature)
    fewest = sum(not p.optional for p in signature)
    # One positional list of ints may be spread out: view(2, 3) is view((2, 3)).
    spread = most == 1 and signature[0].type == "tuple of ints"

    def too_many() -> None:
        if complain:
            taken = (f"from {fewest} to {most} positional arguments" if fewest != most
                     else _positional(most))
            given = "was" if len(args) == 1 else "were"
            raise TypeError(f"{function}() takes {taken} but {len(args)} {given} given")

    if len(args) > most and not spread:
        return too_many()
    bound: dict = {}
    position = used = 0
    for index, parameter in enumerate(signature):
        keyword = position >= len(args)
        if not keyword:
            if parameter.keyword_only:
                return too_many()
            value = args[position]
        else:
            names = (parameter.name, *_NUMPY_NAMES.get(parameter.name, ()))
            value = next((kwargs[n] for n in names if n in kwargs), _MISSING)
        if value is _MISSING:
            if parameter.optional:
                continue
            if complain:
                missing = [f'"{p.name}"' for p in signature[index:] if not p.optional]
                raise TypeError(f"{function}() missing {len(missing)} required positional "
                                f"argument{'s' if len(missing) == 1 else ''}: "
                                + ", ".join(missing))
            return None
        if spread and not keyword and (len(args) > 1 or _is_int(value, tensor)) \
                and not accepts(parameter, value, function, tensor):
            value = args  # view(2, 3) is view((2, 3)): unpack reads the elements
        if accepts(parameter, value, function, tensor):
            bound[parameter.name] = value
            position = len(args) if value is args else position + (not keyword)
            used += keyword
            continue
        if complain:
            place = "" if keyword else f" (position {position + 1})"
            if parameter.type.startswith("tuple of") and isinstance(value, (tuple, list)) \
                    and value and not keyword:
                raise TypeError(f"{function}(): argument '{parameter.name}'{place} must be "
                                f"{parameter.type}, but found element of type "
                                f"{type_name(value[0])} at pos 0")
            raise TypeError(f"{function}(): argument '{parameter.name}'{place} must be "
                            f"{parameter.type}, not {type_name(value)}")
        return None
    if used < len(kwargs):
        if complain:
            names = [p.name for p in signature]
            for key in kwargs:
                if key not in names:
                    raise TypeError(f"{function}() got an unexpected keyword argument '{key}'")
                if names.index(key) < len(args):
                    raise TypeError(f"{function}() got multiple values for argument '{key}'")
        return None
    return bound


def unpack(bound: dict, signature: Tuple[Parameter, ...], function: str, tensor: type) -> None:
    """Read the lists of ints of a call that fits ``signature`` (as PyTorch
    does after choosing it): an element that is no int is its "failed to
    unpack" TypeError."""
    for parameter in signature:
        value = bound.get(parameter.name)
        if parameter.type == "tuple of ints" and isinstance(value, (tuple, list)):
            for position, item in enumerate(value):
                if not (hasattr(item, "__index__") or _is_int(item, tensor)):
                    raise TypeError(
                        f"{function}(): argument '{parameter.name}' failed to unpack the "
                        f"object at pos {position + 1} with error \"type must be tuple of "
                        f"ints,but got {type_name(item)}\"")


def takes(signatures: Tuple[str, ...]) -> Tuple[float, frozenset]:
    """The most positional arguments any of ``signatures`` takes (no limit
    for a list of ints, which may be spread out: ``view(2, 3)``), and the
    keywords they take: a call beyond either fits none of them."""
    most, names = 0.0, set()
    for signature in parameters(signatures):
        positional = sum(not p.keyword_only for p in signature)
        spread = positional == 1 and signature[0].type == "tuple of ints"
        most = max(most, float("inf") if spread else positional)
        for parameter in signature:
            names.update((parameter.name, *_NUMPY_NAMES.get(parameter.name, ())))
    return most, frozenset(names)


def fits(function: str, signatures: Tuple[str, ...], args: Tuple[Any, ...], kwargs: dict,
         tensor: type) -> builtins.bool:
    """Does the call fit one of ``signatures``?  (Its lists of ints are read
    then, and refused with PyTorch's error if an element is no int.)"""
    for signature in parameters(signatures):
        bound = bind(signature, args, kwargs, function, tensor)
        if bound is not None:
            unpack(bound, signature, function, tensor)
            return True
    return False


def invalid_arguments(function: str, signatures: Tuple[str, ...], args: Tuple[Any, ...],
                      kwargs: dict, tensor: type) -> TypeError:
    """PyTorch's TypeError for a call that fits none of ``signatures``
    (``args`` without the ``self`` of a method)."""
    count = len(args) + len(kwargs)
    plausible = [s for s in parameters(signatures)
                 if sum(not p.optional for p in s) <= count <= len(s)]
    if len(plausible) == 1:
        try:
            bind(plausible[0], args, kwargs, function, tensor, complain=True)
        except TypeError as error:
            return error
    lines = [f"{function}() received an invalid combination of arguments - got "
             f"{_described(args, kwargs)}, but expected one of:"]
    for signature in signatures:
        lines.append(f" * {signature}")
        printed = _printed_arguments(signature)
        if len(printed) != count:
            continue
        names = [name for name, _ in printed[len(printed) - len(kwargs):]]
        wrong = [key for key in kwargs if key not in names]
        if wrong:
            lines.append("      didn't match because some of the keywords were incorrect: "
                         + ", ".join(wrong))
        else:
            lines.append("      didn't match because some of the arguments have invalid "
                         "types: " + _described(args, kwargs, printed))
    return TypeError("\n".join(lines) + "\n")


def _printed_arguments(signature: str) -> list:
    """A signature's arguments as ``format_invalid_args`` reads the printed
    text: split at ", " (the ``*`` counts as one), a type matched by name
    (``int``, ``float`` or ``Tensor``; a type followed by a default matches nothing)."""
    result = []
    for text in signature[1:-1].split(", "):
        kind, _, name = text.rpartition(" ")
        result.append((name, kind))
    return result


def _type_matches(kind: str, value: Any) -> builtins.bool:
    name = type_name(value)
    if kind == "float":
        return name in ("float", "int")
    return name == kind


def _described(args: Tuple[Any, ...], kwargs: dict, printed: Optional[list] = None) -> str:
    """The call's argument types, ``(Tensor, dim=str)``; with ``printed``, each
    one that does not match its argument there is marked ``!str!``."""
    parts = []
    for i, value in enumerate((*args, *kwargs.values())):
        keyword = i >= len(args)
        if printed is not None and keyword:
            value = kwargs[printed[i][0]]
        text = type_name(value)
        if printed is not None and isinstance(value, (tuple, list)):
            items = ", ".join(type_name(v) for v in value)
            text += (f" of ({items}{',' if len(value) == 1 else ''})" if isinstance(value, tuple)
                     else f" of [{items}]")
        if keyword:
            text = f"{printed[i][0] if printed else list(kwargs)[i - len(args)]}={text}"
        if printed is not None and not (i < len(printed) and _type_matches(printed[i][1], value)):
            text = f"!{text}!"
        parts.append(text)
    # PyTorch drops the last ", " only after positional arguments: "(dim=str, )".
    return "(" + "".join(f"{p}, " for p in parts)[:-2 if args else None] + ")"


_MISSING = object()
