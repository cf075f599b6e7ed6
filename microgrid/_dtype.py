"""Data types and shapes: ``microgrid.float32`` and friends, and ``Size``.

PyTorch counterpart: ``torch.dtype`` objects (``torch.float32`` ...) and
``torch.Size``.  A microgrid dtype is a thin, named wrapper around a NumPy
dtype.  It prints as PyTorch's does (``torch.float32``), because a program must
print the same bytes whichever engine runs it.

Read next: ``_promotion.py``.
"""

from __future__ import annotations

import builtins
import operator
from typing import Iterable

import numpy as np


class dtype:  # noqa: N801 - the name is torch's
    """A tensor element type: a name plus the NumPy dtype that stores it."""

    __slots__ = ("name", "numpy_dtype", "is_floating_point", "itemsize")

    def __init__(self, name: str, numpy_dtype: type) -> None:
        self.name = name
        self.numpy_dtype = np.dtype(numpy_dtype)
        self.is_floating_point = self.numpy_dtype.kind == "f"
        self.itemsize = self.numpy_dtype.itemsize

    def __repr__(self) -> str:
        return f"torch.{self.name}"

    def __reduce__(self) -> str:
        # dtypes are singletons: pickling refers to the module-level name.
        return self.name


# Python's own messages name a type by its C name, which for PyTorch's is
# ``torch.dtype`` ("unsupported operand type(s) for +: 'Tensor' and 'torch.dtype'").
dtype.__name__ = "torch.dtype"

float16 = dtype("float16", np.float16)
float32 = dtype("float32", np.float32)
float64 = dtype("float64", np.float64)
uint8 = dtype("uint8", np.uint8)
uint16 = dtype("uint16", np.uint16)  # PyTorch's "shell" unsigned types: few ops take them
uint32 = dtype("uint32", np.uint32)
int8 = dtype("int8", np.int8)
int16 = dtype("int16", np.int16)
int32 = dtype("int32", np.int32)
int64 = dtype("int64", np.int64)
bool = dtype("bool", np.bool_)  # noqa: A001 - torch.bool shadows the builtin too

# torch's aliases: torch.float is float32, torch.double is float64, ...
half, float, double = float16, float32, float64  # noqa: A001
short, int, long = int16, int32, int64  # noqa: A001

_ALL = (float16, float32, float64, uint8, int8, int16, int32, int64, bool, uint16, uint32)
_FROM_NUMPY = {d.numpy_dtype: d for d in _ALL}

#: PyTorch's legacy tensor type names (``Float`` as in ``torch.FloatTensor``),
#: keyed by dtype name (which is also the NumPy dtype's name).  Its error
#: messages and ``Tensor.type()`` use them.
LEGACY_TYPE_NAMES = {"float32": "Float", "float64": "Double", "float16": "Half",
                     "int64": "Long", "int32": "Int", "int16": "Short", "int8": "Char",
                     "uint8": "Byte", "bool": "Bool", "uint16": "UInt16", "uint32": "UInt32"}

#: The C++ names of the dtypes (``float``, ``long int`` ...), keyed like
#: LEGACY_TYPE_NAMES; PyTorch's ``mm`` and ``masked_fill`` messages use them.
CPP_TYPE_NAMES = {"float32": "float", "float64": "double", "float16": "c10::Half",
                  "int64": "long int", "int32": "int", "int16": "short int",
                  "int8": "signed char", "uint8": "unsigned char", "bool": "bool",
                  "uint16": "uint16_t", "uint32": "uint32_t"}

#: The dtype of floating-point tensors made from Python floats (torch's default).
default_float = float32

#: PyTorch's "barebones" unsigned dtypes: their tensors are made, printed,
#: converted, indexed, compared for equality, multiplied and summed, but most
#: of its kernels are not compiled for them (``x + x`` is refused), and they
#: promote with no other integer dtype (``_promotion.promote_types``).
BAREBONES = frozenset({np.dtype(np.uint16), np.dtype(np.uint32)})


def refuse_barebones(kernel: str, data: "np.ndarray | np.dtype") -> None:
    """PyTorch's NotImplementedError when its ``kernel`` meets uint16 or
    uint32 ``data`` (an array, a NumPy scalar or a NumPy dtype): ``"add_stub"
    not implemented for 'UInt16'``."""
    kind = data if isinstance(data, np.dtype) else data.dtype
    if kind in BAREBONES:
        raise NotImplementedError(f"\"{kernel}\" not implemented for "
                                  f"'{LEGACY_TYPE_NAMES[kind.name]}'")


def from_numpy_dtype(np_dtype: np.dtype) -> dtype:
    """The microgrid dtype that stores elements of NumPy dtype ``np_dtype``."""
    try:
        return _FROM_NUMPY[np.dtype(np_dtype)]
    except KeyError:
        raise TypeError(
            f"can't convert np.ndarray of type numpy.{np.dtype(np_dtype).type.__name__}. The only "
            "supported types are: float64, float32, float16, int64, int32, int16, "
            "int8, uint8, and bool."
        ) from None


def from_type_argument(value: object) -> dtype:
    """``Tensor.type``'s argument as a dtype: a dtype, a legacy name
    (``'torch.DoubleTensor'``) or class (``torch.FloatTensor``); anything
    else is PyTorch's ``ValueError``."""
    if isinstance(value, dtype):
        return value
    if isinstance(value, type) and isinstance(getattr(value, "dtype", None), dtype):
        return value.dtype  # type: ignore[attr-defined]
    name = value if isinstance(value, str) else (
        value.__name__ if getattr(value, "__module__", "builtins") == "builtins"
        else f"{value.__module__}.{getattr(value, '__qualname__', value)}")
    for numpy_name, legacy in LEGACY_TYPE_NAMES.items():
        if name == f"torch.{legacy}Tensor":
            return _FROM_NUMPY[np.dtype(numpy_name)]
    raise ValueError(f"invalid type: '{name}'")


class Size(tuple):
    """A tensor's shape: a tuple of ints that prints as ``torch.Size([2, 3])``."""

    __slots__ = ()  # like a tuple, no attributes of its own

    def __new__(cls, sizes: Iterable[int] = ()) -> "Size":
        return super().__new__(cls, _sizes(sizes))

    def __repr__(self) -> str:
        return f"torch.Size({list(self)!r})"

    __str__ = __repr__

    # Slicing, ``+`` and ``*`` give a Size, as in PyTorch (a tuple's give a tuple).
    def __getitem__(self, index):  # type: ignore[no-untyped-def]
        item = tuple.__getitem__(self, index)
        return Size(item) if isinstance(index, slice) else item

    def __add__(self, other):  # type: ignore[no-untyped-def]
        if not isinstance(other, tuple):
            raise TypeError(f"can only concatenate tuple (not {type(other).__name__}) "
                            "to torch.Size")
        return Size(tuple.__add__(self, other))

    def __radd__(self, other):  # type: ignore[no-untyped-def]
        return Size(tuple.__add__(other, self)) if isinstance(other, tuple) else NotImplemented

    def __mul__(self, times):  # type: ignore[no-untyped-def]
        if not hasattr(times, "__index__"):
            raise TypeError(f"can't multiply sequence by non-int of type "
                            f"'{type(times).__name__}'")
        return Size(tuple.__mul__(self, times))

    __rmul__ = __mul__

    def numel(self) -> builtins.int:
        """The number of elements a tensor of this shape holds."""
        n = 1
        for s in self:
            n *= s
        return n


# Python's own messages name a type by its C name, which for PyTorch's is
# ``torch.Size`` ("can only concatenate list (not "torch.Size") to list").
Size.__name__ = "torch.Size"


def _sizes(sizes: Iterable[int]) -> Iterable[int]:
    """The ints of ``Size(sizes)``, each checked as PyTorch checks them."""
    for i, size in enumerate(sizes):
        if not hasattr(size, "__index__"):
            raise TypeError(f"torch.Size() takes an iterable of 'int' (item {i} is "
                            f"'{type(size).__name__}')")
        yield operator.index(size)
