"""Making tensors: ``microgrid.tensor``, ``zeros``, ``ones``, ``randn`` ...

PyTorch counterpart: ``torch.tensor``, ``torch.zeros`` ... and the legacy
typed constructors ``torch.FloatTensor`` and friends.

Every tensor made here is a *leaf*: it has no ``grad_fn``, and if it was
made with ``requires_grad=True`` the gradients of anything computed from it
will accumulate in its ``.grad``.

Data type inference follows PyTorch, not NumPy: Python floats give float32
(NumPy would say float64), Python ints give int64, bools give bool; a NumPy
array keeps its own dtype.

Read next: ``ops/__init__.py``.
"""

from __future__ import annotations

import math
import warnings
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from . import _device, _dtype, _messages, _promotion
from ._arguments import as_bool, as_dtype, as_size
from ._kernels import mathfns, quietly
from ._promotion import promote_types
from ._tensor import Tensor, set_leaf_requires_grad


def _check_nested(data: Any) -> None:
    """Raise PyTorch's error for data that is not a rectangular nest of numbers."""
    level: Sequence[Any] = [data]
    depth = 0
    while level:
        sequences = [isinstance(v, (list, tuple)) for v in level]
        for value in level:
            if value is None:
                raise RuntimeError("Could not infer dtype of NoneType")
            if isinstance(value, (str, bytes)):
                raise TypeError(f"new(): invalid data type '{type(value).__name__}'")
        if not any(sequences):
            return
        if not all(sequences):
            raise TypeError("not a sequence")
        length = len(level[0])
        for value in level:
            if len(value) != length:
                raise ValueError(f"expected sequence of length {length} at dim {depth} "
                                 f"(got {len(value)})")
        level = [item for value in level for item in value]
        depth += 1


# docs/tour.md, stop 1: quoted there; keep the two in step.
def _array_from_data(data: Any, dtype: Optional[_dtype.dtype] = None) -> np.ndarray:
    """A fresh NumPy array holding ``data`` with PyTorch's inferred dtype, or
    with ``dtype`` if given.  Python numbers are converted to ``dtype``
    directly, not through the inferred float32: ``tensor(0.1, dtype=float64)``
    keeps all of 0.1's digits."""
    array = _plain_numbers(data, dtype)  # the common case (the tutorial's), in one walk
    if array is not None:
        return array
    if isinstance(data, Tensor):
        array = data._data.copy()
    elif isinstance(data, (np.ndarray, np.generic)):
        _dtype.from_numpy_dtype(data.dtype)  # raises for unsupported dtypes
        array = np.array(data)
    else:  # fidelity: any other data PyTorch takes, checked and inferred as it does
        array, dtype = _python_data(data, dtype)
    if dtype is None:
        return array
    # 1e300 becomes inf in float32, silently as in PyTorch
    return quietly(array.astype, dtype.numpy_dtype)


def _plain_numbers(data: Any, dtype: Optional[_dtype.dtype]) -> Optional[np.ndarray]:
    """The common case: ``data`` is a Python float or int, or a rectangular
    nest of lists of them (``[[1.0, 2.0], [3.0, 4.0]]``), and ``dtype`` is
    None or floating.  Its array, in ``dtype`` or in the dtype PyTorch
    infers: the default float dtype if a float is anywhere, else int64.
    Anything else is None (bools, NumPy scalars and tensors keep their own
    dtypes, an integer ``dtype`` checks its range: :func:`_python_data`)."""
    if dtype is not None and not dtype.is_floating_point:
        return None
    leaves = [data]
    while type(leaves[0]) is list:  # one level deeper: every item a list of one length
        length = len(leaves[0])
        if not length or any(type(item) is not list or len(item) != length for item in leaves):
            return None
        leaves = [leaf for item in leaves for leaf in item]
    kinds = {type(leaf) for leaf in leaves}
    if not kinds <= {float, int}:
        return None
    array = np.array(data)
    if array.dtype != (np.float64 if float in kinds else np.int64):  # an int past int64
        return None
    if dtype is None and float not in kinds:
        return array
    # 1e300 becomes inf in float32, silently as in PyTorch
    return quietly(array.astype, (dtype or _dtype.default_float).numpy_dtype)


def _python_data(data: Any, dtype: Optional[_dtype.dtype]) -> Tuple[np.ndarray, _dtype.dtype]:
    """Any data PyTorch takes that is not a tensor or an array: checked as
    PyTorch checks it (:func:`_check_nested`, :func:`checked_range`), in the
    dtype it infers (:func:`_python_values`) unless ``dtype`` is given."""
    _check_nested(data)
    values, inferred, huge = _python_values(data)
    dtype = dtype or _dtype.from_numpy_dtype(inferred)
    if huge and dtype.numpy_dtype.kind in "iub":
        raise ValueError("Overflow when unpacking long long")
    array = np.array(values, dtype=np.float64 if huge else None)
    if array.dtype.kind not in "fiub":
        raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
    checked_range(array, dtype, "tensor")
    return array, dtype


def _python_values(data: Any) -> Tuple[Any, np.dtype, bool]:
    """``data`` (a number or a nest of them) with every one-element tensor in
    it replaced by its number; the dtype PyTorch infers for the whole (the
    promotion of its elements' dtypes: a Python float the default float
    dtype, an int int64, a NumPy scalar or a tensor its own dtype); and
    whether an int is past int64's range."""
    inferred: Optional[np.dtype] = None
    huge = False
    nest = [list(data) if isinstance(data, range) else data]
    stack = [(nest, 0)]
    while stack:
        holder, i = stack.pop()
        value = holder[i]
        if isinstance(value, (list, tuple)):
            holder[i] = list(value)
            stack.extend((holder[i], j) for j in range(len(value)))
            continue
        if isinstance(value, Tensor):
            if value._data.size != 1:
                raise ValueError("only one element tensors can be converted to Python scalars")
            kind = value._data.dtype
            holder[i] = value._data.reshape(()).item()
        elif isinstance(value, np.generic):  # before float: np.float64 is a float
            kind = _dtype.from_numpy_dtype(value.dtype).numpy_dtype
        elif isinstance(value, bool):
            kind = np.dtype(np.bool_)
        elif isinstance(value, int):
            kind = np.dtype(np.int64)
            huge = huge or not -2**63 <= value < 2**63
        elif isinstance(value, float):
            kind = _dtype.default_float.numpy_dtype
        else:
            name = type(value).__qualname__
            module = type(value).__module__
            raise RuntimeError("Could not infer dtype of "
                               + (name if module == "builtins" else f"{module}.{name}"))
        inferred = kind if inferred is None else promote_types(inferred, kind)
    return nest[0], (_dtype.default_float.numpy_dtype if inferred is None else inferred), huge


#: The name PyTorch's range check gives an integer dtype: ``tensor()`` says
#: ``int8``, ``full()`` and ``fill_`` the C++ type, ``int8_t``.
_RANGE_NAMES = {"int8": "int8_t", "uint8": "uint8_t", "int16": "int16_t", "int32": "int",
                "int64": "int64_t", "uint16": "uint16_t", "uint32": "uint32_t"}


def checked_range(values: np.ndarray, dtype: _dtype.dtype, caller: str) -> None:
    """Refuse Python numbers an integer ``dtype`` cannot hold, as PyTorch does
    (NumPy would wrap 300 round to 44 in int8) with its ``RuntimeError``.
    Like PyTorch, an unsigned type takes negatives down to minus its maximum
    (-1 is 255 in uint8)."""
    kind = values.dtype
    if not values.size or dtype.numpy_dtype.kind not in "iu" or kind == np.bool_:
        return
    limits = np.iinfo(dtype.numpy_dtype)
    low = -limits.max if limits.min == 0 else limits.min
    if kind.kind == "O" or kind == np.uint64:
        out_of_range = True  # past int64
    elif kind.kind == "f" and np.isnan(values).any():
        out_of_range = True
    else:
        out_of_range = values.min() < low or values.max() > limits.max
    if out_of_range:
        name = dtype.name if caller == "tensor" else _RANGE_NAMES[dtype.name]
        raise RuntimeError(f"value cannot be converted to type {name} without overflow")


# docs/tour.md, stop 1: quoted there; keep the two in step.
def tensor(data: Any, dtype: Optional[_dtype.dtype] = None, device: Any = None,
           requires_grad: bool = False) -> Tensor:
    """A new leaf tensor holding a copy of ``data`` (a number, nested lists,
    a NumPy array or a tensor)."""
    if isinstance(data, Tensor):
        warnings.warn(
            "To copy construct from a tensor, it is recommended to use sourceTensor.detach()"
            ".clone() or sourceTensor.detach().clone().requires_grad_(True), rather than "
            "torch.tensor(sourceTensor).", UserWarning, stacklevel=2)
    dtype, requires_grad = as_dtype(dtype, "tensor"), as_bool(requires_grad, "tensor",
                                                               "requires_grad")
    array = _array_from_data(data, dtype)
    return _leaf(array, None, requires_grad, device)


def legacy_new(args: Tuple[Any, ...], dtype: _dtype.dtype) -> np.ndarray:
    """The data for ``Tensor(...)`` / ``FloatTensor(...)``: either values
    (``FloatTensor([1, 2])``) or a shape (``FloatTensor(2, 3)``, zero-filled)."""
    if not args:
        return np.zeros(0, dtype=dtype.numpy_dtype)  # Tensor() is tensor([])
    first = args[0]
    if len(args) == 1 and not isinstance(first, (int, _dtype.Size)) or isinstance(first, bool):
        if isinstance(first, str):
            raise TypeError("new(): invalid data type 'str'")
        if not isinstance(first, (list, tuple, range, np.ndarray, Tensor)):
            raise TypeError(f"new(): data must be a sequence (got {type(first).__name__})")
        return _array_from_data(first).astype(dtype.numpy_dtype)
    return _filled(np.zeros, "new", args, dtype, False, None).detach()._data


class _TypedTensorMeta(type):
    """``isinstance(t, FloatTensor)`` is True for float32 tensors, as in PyTorch."""

    dtype: _dtype.dtype

    def __instancecheck__(cls, instance: Any) -> bool:
        return isinstance(instance, Tensor) and instance.dtype is cls.dtype


class _TypedTensor(metaclass=_TypedTensorMeta):
    def __new__(cls, *args: Any) -> Tensor:  # type: ignore[misc]
        return Tensor._make(legacy_new(args, cls.dtype))


class FloatTensor(_TypedTensor):
    """``FloatTensor([[1, 2], [3, 4]])``: a float32 tensor (the pre-0.4 way)."""

    dtype = _dtype.float32


class DoubleTensor(_TypedTensor):
    """A float64 tensor, the legacy way."""

    dtype = _dtype.float64


class LongTensor(_TypedTensor):
    """An int64 tensor, the legacy way."""

    dtype = _dtype.int64


class BoolTensor(_TypedTensor):
    """A bool tensor, the legacy way."""

    dtype = _dtype.bool


# -- filled tensors -----------------------------------------------------------
def _shape_args(size: Tuple[Any, ...]) -> Tuple[int, ...]:
    """A shape given as ``f(2, 3)`` or ``f((2, 3))``."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    return tuple(int(s) for s in size)


def _leaf(data: np.ndarray, dtype: Optional[_dtype.dtype], requires_grad: bool,
          device: Any) -> Tensor:
    """Wrap freshly made ``data`` (cast to ``dtype`` if given) as a new leaf."""
    _device.require_cpu(device)  # only the CPU holds tensors: anything else raises
    if dtype is not None and data.dtype != dtype.numpy_dtype:
        data = data.astype(dtype.numpy_dtype)
    return set_leaf_requires_grad(Tensor._make(data), requires_grad)


def _default_float(dtype: Optional[_dtype.dtype]) -> np.dtype:
    return (dtype or _dtype.default_float).numpy_dtype


def _filled(make: Any, function: str, size: Tuple[Any, ...], dtype: Any, requires_grad: Any,
            device: Any, varargs: bool = True) -> Tensor:
    """``make(shape, numpy_dtype)`` as a new leaf, every argument checked first
    as PyTorch checks it: the size's type, negative sizes, sizes past the
    memory (PyTorch's allocator errors, not NumPy's)."""
    shape = as_size(size, function, varargs=varargs)
    dtype = as_dtype(dtype, function)
    requires_grad = as_bool(requires_grad, function, "requires_grad")
    numpy_dtype = _default_float(dtype)
    for n in shape:
        if n < 0:
            if function == "zeros":
                raise RuntimeError("zeros: Dimension size must be non-negative.")
            raise RuntimeError(f"Trying to create tensor with negative dimension {n}: "
                               f"{list(shape)}")
    nbytes = numpy_dtype.itemsize
    for n in shape:
        nbytes *= n
    if nbytes >= 2**63:
        raise RuntimeError(f"Storage size calculation overflowed with sizes={list(shape)}")
    try:
        data = make(shape, numpy_dtype)
    except MemoryError:
        raise RuntimeError(
            "[enforce fail at alloc_cpu.cpp:127] err == 0. DefaultCPUAllocator: can't allocate "
            f"memory: you tried to allocate {nbytes} bytes. Error code 12 (Cannot allocate "
            "memory)") from None
    return _leaf(data, None, requires_grad, device)


def zeros(*sizes: Any, size: Any = None, dtype: Optional[_dtype.dtype] = None,
          requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of zeros of the given shape: ``zeros(2, 3)``, ``zeros((2, 3))``
    or ``zeros(size=(2, 3))``."""
    return _filled(np.zeros, "zeros", sizes if size is None else (size,), dtype, requires_grad,
                   device, varargs=size is None)


def ones(*sizes: Any, size: Any = None, dtype: Optional[_dtype.dtype] = None,
         requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of ones of the given shape: ``ones(2, 3)``, ``ones((2, 3))``
    or ``ones(size=(2, 3))``."""
    return _filled(np.ones, "ones", sizes if size is None else (size,), dtype, requires_grad,
                   device, varargs=size is None)


def empty(*sizes: Any, size: Any = None, dtype: Optional[_dtype.dtype] = None,
          requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of the given shape whose values are not set (here: zeros,
    so programs that print one by mistake still print the same each run)."""
    return _filled(np.zeros, "empty", sizes if size is None else (size,), dtype, requires_grad,
                   device, varargs=size is None)


def full(size: Any, fill_value: Any, dtype: Optional[_dtype.dtype] = None,
         requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of the given shape filled with ``fill_value``; the dtype
    follows the value (float32 for a float, int64 for an int, bool).  A
    given ``dtype`` takes the value directly (``0.1`` in float64 is not
    float32's ``0.1`` widened)."""
    as_size((size,), "full", varargs=False)
    if not isinstance(fill_value, (int, float, np.generic, Tensor)):
        raise TypeError("full(): argument 'fill_value' (position 2) must be Number, not "
                        f"{type(fill_value).__name__}")
    given = np.array(fill_value)
    target = as_dtype(dtype, "full") or (_dtype.int64 if given.dtype.kind in "iuO" else None)
    if target is not None:
        checked_range(given, target, "full")
    value = _array_from_data(fill_value) if dtype is None else given
    numpy_dtype = value.dtype if dtype is None else target.numpy_dtype
    return _filled(lambda shape, _: np.full(shape, value, dtype=numpy_dtype), "full", (size,),
                   dtype, requires_grad, device, varargs=False)


def _like(make: Any, input: Tensor, dtype: Optional[_dtype.dtype], requires_grad: bool,
          device: Any) -> Tensor:
    """``make(input.shape, ...)`` with ``input``'s dtype unless another is given."""
    if not isinstance(input, Tensor):
        raise TypeError(f"{make.__name__}_like(): argument 'input' (position 1) must be Tensor, "
                        f"not {type(input).__name__}")
    return make(input.shape, dtype=dtype or input.dtype, requires_grad=requires_grad,
                device=device)


def zeros_like(input: Tensor, dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
               device: Any = None) -> Tensor:
    """Zeros with the shape (and, by default, the dtype) of ``input``."""
    return _like(zeros, input, dtype, requires_grad, device)


def ones_like(input: Tensor, dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
              device: Any = None) -> Tensor:
    """Ones with the shape (and, by default, the dtype) of ``input``."""
    return _like(ones, input, dtype, requires_grad, device)


def empty_like(input: Tensor, dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
               device: Any = None) -> Tensor:
    """An unset (here: zero) tensor with the shape and dtype of ``input``."""
    return _like(empty, input, dtype, requires_grad, device)


def full_like(input: Tensor, fill_value: Any, dtype: Optional[_dtype.dtype] = None,
              requires_grad: bool = False, device: Any = None) -> Tensor:
    """``fill_value`` everywhere, with the shape and dtype of ``input``."""
    if not isinstance(input, Tensor):
        raise TypeError("full_like(): argument 'input' (position 1) must be Tensor, not "
                        f"{type(input).__name__}")
    return full(input.shape, fill_value, dtype=dtype or input.dtype,
                requires_grad=requires_grad, device=device)


def eye(n: int, m: Optional[int] = None, dtype: Optional[_dtype.dtype] = None,
        requires_grad: bool = False, device: Any = None) -> Tensor:
    """The ``n`` x ``m`` identity matrix (``m`` defaults to ``n``)."""
    for name, size in (("n", n), ("m", m)):
        if size is not None and size < 0:
            raise RuntimeError(f"{name} must be greater or equal to 0, got {size}")
    _dtype.refuse_barebones("eye", _default_float(dtype))  # issue 18: uint16/uint32
    return _leaf(np.eye(n, n if m is None else m, dtype=_default_float(dtype)), None,
                 requires_grad, device)


# -- ranges -------------------------------------------------------------------
def arange(start: Any, end: Any = None, step: Any = 1, dtype: Optional[_dtype.dtype] = None,
           requires_grad: bool = False, device: Any = None) -> Tensor:
    """``start, start + step, ...`` up to but excluding ``end`` (``arange(n)``
    counts from 0).  Integers give int64, any float gives float32."""
    if end is None:
        start, end = 0, start
    if step == 0:
        raise RuntimeError("step must be nonzero")
    if not (math.isfinite(start) and math.isfinite(end)):  # C++ prints 2.0 as 2
        raise RuntimeError(f"unsupported range: {start:g} -> {end:g}")
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    floating = any(isinstance(v, float) for v in (start, end, step))
    out = _default_float(dtype) if floating or dtype is not None else np.dtype(np.int64)
    _dtype.refuse_barebones("arange_cpu", out)  # issue 18: uint16/uint32
    if out.kind == "f" and out != np.float16:  # PyTorch's arange_kernel (_kernels/mathfns.py)
        data = mathfns.arange(float(start), float(end), float(step), out)
    else:
        data = np.arange(start, end, step, dtype=np.float64 if floating else np.int64)
    return _leaf(data, dtype if out.kind != "f" else None, requires_grad, device)


def linspace(start: float, end: float, steps: int, dtype: Optional[_dtype.dtype] = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    """``steps`` evenly spaced values from ``start`` to ``end``, both included."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    out = _default_float(dtype)
    _dtype.refuse_barebones("linspace_cpu", out)  # issue 18: uint16/uint32
    if out in (np.float32, np.float64) and steps > 0:  # linspace_kernel (_kernels/mathfns.py)
        data = mathfns.linspace(start, end, steps, out)
    else:
        data = np.linspace(start, end, steps).astype(out)
    return _leaf(data, None, requires_grad, device)


def logspace(start: float, end: float, steps: int, base: float = 10.0,
             dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
             device: Any = None) -> Tensor:
    """``base ** linspace(start, end, steps)``: ``steps`` values spaced evenly on a
    log scale from ``base ** start`` to ``base ** end``."""
    if steps < 0:
        raise RuntimeError("number of steps must be non-negative")
    out = _default_float(dtype)
    if steps == 0:
        return _leaf(np.zeros(0, out), None, requires_grad, device)
    return _leaf(mathfns.logspace(start, end, steps, base, out), None, requires_grad, device)


# -- random tensors: PyTorch's generator and transforms (random.py, ops/random.py) ----------
def manual_seed(seed: int) -> Any:
    """Seed the default generator: after ``manual_seed(s)`` every random op
    draws what PyTorch draws after ``torch.manual_seed(s)``.  Returns the generator."""
    from . import random

    return random.manual_seed(seed)


def randn(*sizes: Any, size: Any = None, generator: Any = None,
          dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
          device: Any = None) -> Tensor:
    """Samples from the standard normal distribution, PyTorch's numbers."""
    from .ops import random

    return random.randn(*sizes, size=size, generator=generator, dtype=dtype,
                        requires_grad=requires_grad, device=device)


def rand(*sizes: Any, size: Any = None, generator: Any = None,
         dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    """Samples from the uniform distribution on [0, 1), PyTorch's numbers."""
    from .ops import random

    return random.rand(*sizes, size=size, generator=generator, dtype=dtype,
                       requires_grad=requires_grad, device=device)


def randn_like(input: Tensor, dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
               device: Any = None, *, generator: Any = None) -> Tensor:
    """Standard normal samples with the shape and dtype of ``input``."""
    from .ops import random

    return random.randn_like(input, generator=generator, dtype=dtype,
                             requires_grad=requires_grad, device=device)


def rand_like(input: Tensor, dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
              device: Any = None, *, generator: Any = None) -> Tensor:
    """Uniform [0, 1) samples with the shape and dtype of ``input``."""
    from .ops import random

    return random.rand_like(input, generator=generator, dtype=dtype,
                            requires_grad=requires_grad, device=device)


def randint(low: Any = None, high: Any = None, size: Any = None, *, generator: Any = None,
            dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
            device: Any = None) -> Tensor:
    """Random integers in ``[low, high)`` (``randint(high, size)`` starts at 0)."""
    from .ops import random

    return random.randint(low, high, size, generator=generator, dtype=dtype,
                          requires_grad=requires_grad, device=device)


# -- from_numpy: a tensor on a NumPy array's own memory -----------------------------------
def from_numpy(ndarray: np.ndarray) -> Tensor:
    """A tensor that *is* ``ndarray``'s memory: writing to either changes
    both, and the dtype is the array's.  PyTorch refuses arrays with negative
    strides or a foreign byte order (they cannot be its strides and dtypes)
    and warns about a read-only array."""
    if not isinstance(ndarray, np.ndarray):
        kind = type(ndarray)
        name = kind.__name__
        if kind.__module__ != "builtins":
            name = f"{kind.__module__}.{name}"
        raise TypeError(f"expected np.ndarray (got {name})")
    if ndarray.dtype.kind not in "fiub":
        raise TypeError(f"can't convert np.ndarray of type numpy.{ndarray.dtype.type.__name__}. "
                        + _messages.FROM_NUMPY_TYPES)
    if any(stride < 0 for stride in ndarray.strides):
        raise ValueError(_messages.NEGATIVE_STRIDES)
    if not ndarray.dtype.isnative:
        raise ValueError("given numpy array has byte order different from the native byte "
                         "order. Conversion between byte orders is currently not supported.")
    _dtype.from_numpy_dtype(ndarray.dtype)  # a dtype microgrid lacks (uint16 ...) raises
    if not ndarray.flags.writeable:
        warnings.warn(_messages.NOT_WRITABLE_WARNING, UserWarning, stacklevel=2)
    return Tensor._make(ndarray.view())

# -- is_tensor, as_tensor, the default dtype ----------------------------------------------
def is_tensor(obj: Any) -> bool:
    """True for a tensor (a Parameter too)."""
    return isinstance(obj, Tensor)


def is_floating_point(input: Tensor) -> bool:
    """True for a tensor of float16, float32 or float64."""
    return input.is_floating_point()


def as_tensor(data: Any, dtype: Optional[_dtype.dtype] = None, device: Any = None) -> Tensor:
    """``data`` as a tensor, sharing memory where it can: a tensor of the
    right dtype is returned as it is, a NumPy array of a supported dtype is
    wrapped without a copy; anything else is copied as ``tensor`` copies it."""
    dtype = as_dtype(dtype, "as_tensor")
    if device is not None:
        _device.device(device)
    if isinstance(data, Tensor):
        return data if dtype is None or dtype == data.dtype else data.to(dtype)
    if isinstance(data, np.ndarray) and (dtype is None or dtype.numpy_dtype == data.dtype):
        _dtype.from_numpy_dtype(data.dtype)  # raises for unsupported dtypes
        return Tensor._make(data)
    return Tensor._make(_array_from_data(data, dtype))


def get_default_dtype() -> _dtype.dtype:
    """The dtype of tensors made from Python floats (float32 unless changed)."""
    return _dtype.default_float


def set_default_dtype(d: _dtype.dtype) -> None:
    """Make Python floats give ``d`` (float32 or float64, as in PyTorch;
    here: in ``tensor``, the factories and type promotion)."""
    if not isinstance(d, _dtype.dtype) or not d.is_floating_point:
        raise TypeError("only floating-point types are supported as the default type")
    _dtype.default_float = d
    _promotion._DEFAULT_FLOAT = d.numpy_dtype
