"""What PyTorch's argument parser adds to every op: NumPy's keyword names and ``out=``.

PyTorch counterpart: ``torch/csrc/utils/python_arg_parser.cpp`` (the
``axis``/``keepdims`` aliases of ``dim``/``keepdim``) and the ``out=``
overloads of ``native_functions.yaml`` with ``at::native::resize_output``
(``aten/src/ATen/native/Resize.cpp``).

Neither is part of an op's idea, so the ops are written without them and
wrapped here, where ``microgrid/__init__.py`` and ``_tensor.py`` export
them:

* ``numpy_names``: ``x.sum(axis=0, keepdims=True)`` is ``x.sum(dim=0, keepdim=True)``;
* ``with_out``: ``torch.add(a, b, out=c)`` computes ``a + b`` and writes it
  into ``c`` (resized, with PyTorch's warning, if it had another non-empty
  shape), which it returns.  ``out=`` records no graph: PyTorch refuses it
  when an argument requires grad;
* ``overloaded``: a call of ``x.pow('a')`` or ``torch.sum(x, dim='a')``
  that fits none of the function's signatures gets PyTorch's TypeError,
  which lists them (``_arguments.invalid_arguments``).

Both wrappers set ``__tracebackhide__`` (pytest's convention, which compare's
alias follows), so that an error in the call is reported at the caller's line.

The parser's other half, refusing an argument of the wrong type, is
``microgrid/_arguments.py``: it sits low (layer 1) because creation and the
Tensor need it; these wrappers sit here because ``out=`` needs the ops.

Read next: ``random.py``.
"""

from __future__ import annotations

import functools
import sys
import warnings
from typing import Any, Callable, Tuple

import numpy as np

from .._arguments import fits, invalid_arguments, takes
from .._dtype import LEGACY_TYPE_NAMES
from .._messages import SIGNATURES
from .._tensor import Tensor
from ..autograd.grad_mode import _grad_mode, no_grad

RESIZE_WARNING = (
    "An output with one or more elements was resized since it had shape {old}, which does not "
    "match the required output shape {new}. This behavior is deprecated, and in a future "
    "PyTorch release outputs will not be resized unless they have zero elements. You can "
    "explicitly reuse an out tensor t by resizing it, inplace, to zero elements with "
    "t.resize_(0). (Triggered internally at "
    "/__w/pytorch/pytorch/aten/src/ATen/native/Resize.cpp:30.)")


def numpy_names(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` also taking NumPy's keyword names, as PyTorch's argument
    parser does for every op with a ``dim``: ``axis`` for ``dim`` and
    ``keepdims`` for ``keepdim``."""

    @functools.wraps(function)
    def with_numpy_names(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841
        if "axis" in kwargs:
            kwargs["dim"] = kwargs.pop("axis")
        if "keepdims" in kwargs:
            kwargs["keepdim"] = kwargs.pop("keepdims")
        return function(*args, **kwargs)

    return with_numpy_names


def _requires_grad(value: Any) -> bool:
    if isinstance(value, Tensor):
        return value.requires_grad
    return isinstance(value, (list, tuple)) and any(_requires_grad(v) for v in value)


def _can_cast(source: np.dtype, target: np.dtype) -> bool:
    """PyTorch's ``canCast``: never a float into an integer, nor a number into a bool."""
    if source.kind == "f" and target.kind in "iub":
        return False
    return not (source.kind != "b" and target.kind == "b")


def with_out(function: Callable[..., Any]) -> Callable[..., Any]:
    """``function`` also taking ``out=``, the tensor to write the result into."""
    name = function.__name__

    @functools.wraps(function)
    def with_out_argument(*args: Any, out: Any = None, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841
        if out is None:
            return function(*args, **kwargs)
        if _grad_mode.enabled and (_requires_grad(out) or _requires_grad(args)
                                   or _requires_grad(tuple(kwargs.values()))):
            raise RuntimeError(f"{name}(): functions with out=... arguments don't support "
                               "automatic differentiation, but one of the arguments requires "
                               "grad.")
        with no_grad():
            result = function(*args, **kwargs)
        return write_into(out, result._data)

    return with_out_argument


def write_into(out: Tensor, data: np.ndarray) -> Tensor:
    """Put ``data`` into ``out`` as PyTorch's ``out=`` does: the dtype must
    cast, a shape that differs is resized (warning if ``out`` had elements)."""
    if not _can_cast(data.dtype, out._data.dtype):
        raise RuntimeError(f"result type {LEGACY_TYPE_NAMES[data.dtype.name]} can't be cast to "
                           f"the desired output type {LEGACY_TYPE_NAMES[out._data.dtype.name]}")
    if out._data.shape != data.shape:
        if out._data.size:
            warnings.warn(RESIZE_WARNING.format(old=list(out._data.shape),
                                                new=list(data.shape)), UserWarning,
                          stacklevel=3)
        out._data = np.empty(data.shape, out._data.dtype)
    out._data[...] = data
    out._counter().bump()
    return out


def overloaded(function: Callable[..., Any], name: str, method: bool) -> Callable[..., Any]:
    """``function`` (the Tensor method ``name`` if ``method``, else ``torch.name``)
    refusing, as PyTorch does, a call that fits none of its signatures.

    PyTorch matches the arguments against each signature before it
    computes.  Here that costs too much for every call, so only what is
    cheap to see is looked at first (too many arguments, a keyword, a string
    or a list where none is taken); the full match runs when the op fails:
    if the arguments fit a signature, the failure was the op's own and is
    raised as it is; if they fit none, PyTorch would have refused them
    first, with the list of signatures."""
    signatures = SIGNATURES[f"Tensor.{name}" if method else name]
    most, keywords = takes(signatures)
    most = sys.maxsize if most == float("inf") else int(most) + method  # (+ self)
    # Types that fit no parameter: a string, or a list where no list is taken.
    unfit = frozenset(
        ([] if any("str " in s for s in signatures) else [str])
        + ([] if any("tuple of " in s for s in signatures) else [list, tuple]))

    def given(args: Tuple[Any, ...]) -> Tuple[Any, ...]:
        return args[1:] if method else args

    def check(args: Tuple[Any, ...], kwargs: dict) -> None:
        """Too many arguments, a keyword no signature has, or a value of a
        type none takes: refused before the op runs, if no signature fits."""
        if (len(args) > most or not keywords.issuperset(kwargs)
                or not unfit.isdisjoint(map(type, (*args, *kwargs.values())))) and not fits(
                    name, signatures, given(args), kwargs, Tensor):
            raise invalid_arguments(name, signatures, given(args), kwargs, Tensor)

    @functools.wraps(function)
    def checked(*args: Any, **kwargs: Any) -> Any:
        __tracebackhide__ = True  # noqa: F841
        if kwargs or len(args) > most:
            check(args, kwargs)
        else:
            for value in args:
                if type(value) in unfit:
                    check(args, kwargs)
        try:
            return function(*args, **kwargs)
        except Exception:
            if fits(name, signatures, given(args), kwargs, Tensor):
                raise
            raise invalid_arguments(name, signatures, given(args), kwargs, Tensor) from None

    return checked


def overloaded_names(method: bool) -> Tuple[str, ...]:
    """The names of the functions (or Tensor methods) PyTorch overloads."""
    prefix = "Tensor." if method else ""
    return tuple(key[len(prefix):] for key in SIGNATURES
                 if key.startswith(prefix) and (method or "." not in key))
