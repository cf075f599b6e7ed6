"""Tensor printing: the text of ``repr(tensor)`` and ``str(tensor)``.

PyTorch counterpart: ``torch/_tensor_str.py``.  A program run with
``import microgrid as torch`` must print the same bytes as under PyTorch, so
this module follows PyTorch's printing rules exactly, written here for NumPy
arrays:

1. Choose one format for all elements (``_Formatter``): integer-valued floats
   print as ``1.``, scientific notation ``1.0000e+09`` is used when magnitudes
   are far apart, and every element is padded to one common width.
2. Lay the elements out (``_array_str``): nested brackets, rows wrapped at the
   line width, blank lines between blocks of a 3-d or larger tensor, and ``...``
   in place of the middle of a dimension when the tensor is too big to print
   in full.
3. Wrap it in ``tensor(...)`` with suffixes such as ``dtype=torch.float64`` and
   ``grad_fn=<MulBackward0>`` (``format_tensor``).

Read next: ``_kernels/__init__.py``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from microgrid import _dtype
from microgrid._kernels import quietly


@dataclasses.dataclass
class _PrintOptions:
    """The current print options; ``set_printoptions`` changes them."""

    precision: int = 4  # digits after the decimal point
    threshold: float = 1000  # more elements than this are summarized with "..."
    edgeitems: int = 3  # elements kept at each end of a summarized dimension
    linewidth: int = 80  # characters per line before a row wraps
    sci_mode: bool | None = None  # None: choose scientific notation automatically


PRINT_OPTS = _PrintOptions()

_PROFILES = {
    "default": {"precision": 4, "threshold": 1000, "edgeitems": 3, "linewidth": 80},
    "short": {"precision": 2, "threshold": 1000, "edgeitems": 2, "linewidth": 80},
    "full": {"precision": 4, "threshold": math.inf, "edgeitems": 3, "linewidth": 80},
}


def set_printoptions(
    precision: int | None = None,
    threshold: float | None = None,
    edgeitems: int | None = None,
    linewidth: int | None = None,
    profile: str | None = None,
    sci_mode: bool | None = None,
) -> None:
    """Set the print options, like ``torch.set_printoptions``.

    ``profile`` ("default", "short" or "full") first sets precision, threshold,
    edgeitems and linewidth together; the other arguments then override it.
    As in PyTorch, ``sci_mode`` is always set, so any call that leaves it out
    returns scientific notation to automatic.
    """
    if profile in _PROFILES:
        for name, value in _PROFILES[profile].items():
            setattr(PRINT_OPTS, name, value)
    if precision is not None:
        PRINT_OPTS.precision = precision
    if threshold is not None:
        PRINT_OPTS.threshold = threshold
    if edgeitems is not None:
        PRINT_OPTS.edgeitems = edgeitems
    if linewidth is not None:
        PRINT_OPTS.linewidth = linewidth
    PRINT_OPTS.sci_mode = sci_mode


def get_printoptions() -> dict[str, Any]:
    """The current print options, as keyword arguments for ``set_printoptions``."""
    return dataclasses.asdict(PRINT_OPTS)


@contextlib.contextmanager
def printoptions(**kwargs: Any) -> Iterator[None]:
    """Use the given print options (as for ``set_printoptions``) inside a ``with`` block."""
    old_options = get_printoptions()
    set_printoptions(**kwargs)
    try:
        yield
    finally:
        set_printoptions(**old_options)


class _Formatter:
    """The format and common width for the elements of one tensor.

    Built from the elements that will be printed (the summarized ones, for a
    big tensor).  For floating-point tensors only the nonzero finite values
    decide the format (:func:`_float_modes`):

    - ``int_mode``: all of them are whole numbers, printed as ``3.``;
    - ``sci_mode``: largest/smallest magnitude > 1000, largest > 1e8 or
      smallest < 1e-4 (unless ``sci_mode`` is forced by the print options);

    and the common width is the widest of them (of all the elements, for an
    integer or bool tensor).  If there are none (all zeros, nan or inf),
    int_mode is kept and the width is 1.
    """

    def __init__(self, values: np.ndarray, floating: bool) -> None:
        self.floating, self.int_mode, self.sci_mode = floating, True, False
        if floating:
            # float16/float32 values widen exactly to float64, which is what
            # torch formats (it converts each element to a Python float).
            values = values.astype(np.float64)
            values = values[np.isfinite(values) & (values != 0)]
            if values.size:
                self.int_mode, self.sci_mode = _float_modes(values)
        self.width = max([1] + [len(self.text(value)) for value in values.ravel().tolist()])

    def text(self, value: float) -> str:
        """One element (a Python float, int or bool) in the chosen format."""
        if not self.floating:
            return str(value)
        if self.sci_mode:
            return f"{value:.{PRINT_OPTS.precision}e}"
        if self.int_mode:  # the dot tells a float tensor from an integer one
            return f"{value:.0f}." if math.isfinite(value) else f"{value:.0f}"
        return f"{value:.{PRINT_OPTS.precision}f}"

    def format(self, value: float) -> str:
        """One element, right-aligned to the common width."""
        return self.text(value).rjust(self.width)


def _float_modes(values: np.ndarray) -> tuple[bool, bool]:
    """``int_mode`` and ``sci_mode`` (see :class:`_Formatter`) for nonzero finite ``values``."""
    magnitudes = np.abs(values)
    smallest, largest = magnitudes.min(), magnitudes.max()
    int_mode = bool(np.all(values == np.ceil(values)))
    if PRINT_OPTS.sci_mode is not None:
        return int_mode, PRINT_OPTS.sci_mode
    ratio = quietly(np.divide, largest, smallest)  # 1e300 / 1e-300 is inf, silently
    return int_mode, bool(ratio > 1000.0 or largest > 1.0e8 or smallest < 1.0e-4)


def _vector_str(array: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    """A 1-d tensor: ``[a, b, c]``, wrapped onto lines that fit the line width."""
    if summarize:  # fidelity: a big tensor shows the ends of each dim only
        elements = _summarized_elements(array, formatter)
    else:
        elements = [formatter.format(v) for v in array.tolist()]
    element_length = formatter.width + 2  # the element plus ", "
    per_line = max(1, math.floor((PRINT_OPTS.linewidth - indent) / element_length))
    lines = [
        ", ".join(elements[start : start + per_line]) for start in range(0, len(elements), per_line)
    ]
    return "[" + (",\n" + " " * (indent + 1)).join(lines) + "]"


def _array_str(array: np.ndarray, indent: int, summarize: bool, formatter: _Formatter) -> str:
    """Any tensor as nested brackets; ``indent`` is the column of its opening ``[``.

    Continuation lines start one column further in, under the first element.
    The sub-tensors of an n-d tensor are separated by n - 2 blank lines.
    """
    if array.ndim == 0:
        return formatter.format(array.item())
    if array.ndim == 1:
        return _vector_str(array, indent, summarize, formatter)
    rows = _summarized_rows(array.shape[0]) if summarize else range(array.shape[0])  # fidelity
    parts = [
        "..." if row is None else _array_str(array[row], indent + 1, summarize, formatter)
        for row in rows
    ]
    separator = "," + "\n" * (array.ndim - 1) + " " * (indent + 1)
    return "[" + separator.join(parts) + "]"


def _contents_str(array: np.ndarray, dtype: _dtype.dtype, indent: int) -> str:
    """The bracketed elements of a non-empty tensor."""
    summarize = array.size > PRINT_OPTS.threshold
    shown = _summarized(array) if summarize else array
    formatter = _Formatter(shown, dtype.is_floating_point)
    return _array_str(array, indent, summarize, formatter)


# -- summarized printing: a big tensor's ends, "..." in between ---------------
def _summarized(array: np.ndarray) -> np.ndarray:
    """The elements a summarized print shows: ``edgeitems`` at each end of each long dim."""
    edge = PRINT_OPTS.edgeitems
    for axis, size in enumerate(array.shape):
        if size > 2 * edge:
            kept = np.concatenate([np.arange(edge), np.arange(size - edge, size)])
            array = np.take(array, kept, axis=axis)
    return array


def _summarized_elements(array: np.ndarray, formatter: _Formatter) -> list[str]:
    """A summarized 1-d tensor's elements: ``edgeitems`` at each end, ``...`` between."""
    edge = PRINT_OPTS.edgeitems
    if not edge:
        return ["..."]
    if array.shape[0] <= 2 * edge:
        return [formatter.format(v) for v in array.tolist()]
    head = [formatter.format(v) for v in array[:edge].tolist()]
    tail = [formatter.format(v) for v in array[-edge:].tolist()]
    return head + [" ..."] + tail


def _summarized_rows(size: int) -> list[int | None]:
    """The rows a summarized n-d tensor shows: ``edgeitems`` at each end, None for ``...``."""
    edge = PRINT_OPTS.edgeitems
    if size <= 2 * edge:
        return list(range(size))
    return list(range(edge)) + [None] + list(range(size - edge, size))


def _empty_suffixes(array: np.ndarray, dtype: _dtype.dtype) -> list[str]:
    """An empty tensor has nothing to read its shape or dtype from, so both are
    spelled out (the shape unless it is the plain (0,))."""
    suffixes = [] if array.ndim == 1 else [f"size={array.shape}"]
    return suffixes + ([] if dtype is _dtype.default_float else [f"dtype={dtype!r}"])


# -- the whole text ---------------------------------------------------------------
def _add_suffixes(text: str, suffixes: list[str], indent: int) -> str:
    """Append ``, suffix`` items and the closing ``)``, moving a suffix to a new line
    when it would pass the line width.
    """
    # torch measures the current line as two characters longer than it is.
    line_length = len(text) - text.rfind("\n") + 1
    parts = [text]
    for suffix in suffixes:
        if line_length + len(suffix) + 2 > PRINT_OPTS.linewidth:
            parts.append(",\n" + " " * indent + suffix)
            line_length = indent + len(suffix)
        else:
            parts.append(", " + suffix)
            line_length += len(suffix) + 2
    parts.append(")")
    return "".join(parts)


# docs/tour.md, stop 14: quoted there; keep the two in step.
def format_tensor(
    array: np.ndarray,
    dtype: _dtype.dtype,
    *,
    grad_fn_name: str | None = None,
    requires_grad: bool = False,
) -> str:
    """The full text torch prints for a tensor holding ``array``.

    For example ``'tensor([1., 2.], requires_grad=True)'``.  Suffixes come in
    the order size, dtype, then grad_fn or requires_grad.
    """
    array = np.asarray(array, dtype=dtype.numpy_dtype)
    prefix = "tensor("
    indent = len(prefix)
    if array.size == 0:  # fidelity
        return _add_suffixes(prefix + "[]", _empty_suffixes(array, dtype)
                             + _grad_suffix(grad_fn_name, requires_grad), indent)
    suffixes = [] if PRINT_OPTS.edgeitems else [f"size={array.shape}"]  # "[...]" hides it
    if dtype not in (_dtype.default_float, _dtype.int64, _dtype.bool):
        suffixes.append(f"dtype={dtype!r}")
    suffixes += _grad_suffix(grad_fn_name, requires_grad)
    return _add_suffixes(prefix + _contents_str(array, dtype, indent), suffixes, indent)


def _grad_suffix(grad_fn_name: str | None, requires_grad: bool) -> list[str]:
    """``grad_fn=<MulBackward0>`` for a tensor an op made, ``requires_grad=True`` for a leaf."""
    if grad_fn_name is not None:
        # C++ nodes have qualified names such as "torch::autograd::AccumulateGrad".
        return [f"grad_fn=<{grad_fn_name.rsplit('::', 1)[-1]}>"]
    return ["requires_grad=True"] if requires_grad else []


# docs/tour.md, stop 14: quoted there; keep the two in step.
def tensor_repr(t: Any) -> str:
    """``repr(t)`` and ``str(t)`` of a microgrid Tensor."""
    grad_fn_name = t.grad_fn.name() if t.grad_fn is not None else None
    return format_tensor(t._data, t.dtype, grad_fn_name=grad_fn_name, requires_grad=t.requires_grad)
