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

import warnings
from typing import Any, Optional, Sequence, Tuple

import numpy as np

from . import _device, _dtype, _messages
from ._kernels import mathfns, quietly
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


def _array_from_data(data: Any, dtype: Optional[_dtype.dtype] = None) -> np.ndarray:
    """A fresh NumPy array holding ``data`` with PyTorch's inferred dtype, or
    with ``dtype`` if given.  Python numbers are converted to ``dtype``
    directly, not through the inferred float32: ``tensor(0.1, dtype=float64)``
    keeps all of 0.1's digits."""
    if isinstance(data, Tensor):
        array = data._data.copy()
    elif isinstance(data, (np.ndarray, np.generic)):
        _dtype.from_numpy_dtype(data.dtype)  # raises for unsupported dtypes
        array = np.array(data)
    else:
        _check_nested(data)
        array = np.array(data)
        if array.dtype.kind not in "fiub":
            raise TypeError(f"new(): invalid data type '{type(data).__name__}'")
        if dtype is None and array.dtype.kind != "b":
            dtype = _dtype.default_float if array.dtype.kind == "f" else _dtype.int64
    if dtype is None:
        return array
    # 1e300 becomes inf in float32, silently as in PyTorch
    return quietly(array.astype, dtype.numpy_dtype)


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
    array = _array_from_data(data, dtype)
    return _leaf(array, None, requires_grad, device)


def legacy_new(args: Tuple[Any, ...], dtype: _dtype.dtype) -> np.ndarray:
    """The data for ``Tensor(...)`` / ``FloatTensor(...)``: either values
    (``FloatTensor([1, 2])``) or a shape (``FloatTensor(2, 3)``, zero-filled)."""
    if len(args) == 1 and not isinstance(args[0], (int, _dtype.Size)):
        return _array_from_data(args[0]).astype(dtype.numpy_dtype)
    return np.zeros(_shape_args(args), dtype=dtype.numpy_dtype)


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


def zeros(*sizes: Any, size: Any = None, dtype: Optional[_dtype.dtype] = None,
          requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of zeros of the given shape: ``zeros(2, 3)``, ``zeros((2, 3))``
    or ``zeros(size=(2, 3))``."""
    shape = _shape_args(sizes if size is None else (size,))
    return _leaf(np.zeros(shape, _default_float(dtype)), None, requires_grad, device)


def ones(*sizes: Any, size: Any = None, dtype: Optional[_dtype.dtype] = None,
         requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of ones of the given shape: ``ones(2, 3)``, ``ones((2, 3))``
    or ``ones(size=(2, 3))``."""
    shape = _shape_args(sizes if size is None else (size,))
    return _leaf(np.ones(shape, _default_float(dtype)), None, requires_grad, device)


def empty(*sizes: Any, size: Any = None, dtype: Optional[_dtype.dtype] = None,
          requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of the given shape whose values are not set (here: zeros,
    so programs that print one by mistake still print the same each run)."""
    return zeros(*sizes, size=size, dtype=dtype, requires_grad=requires_grad, device=device)


def full(size: Any, fill_value: Any, dtype: Optional[_dtype.dtype] = None,
         requires_grad: bool = False, device: Any = None) -> Tensor:
    """A tensor of the given shape filled with ``fill_value``; the dtype
    follows the value (float32 for a float, int64 for an int, bool).  A
    given ``dtype`` takes the value directly (``0.1`` in float64 is not
    float32's ``0.1`` widened)."""
    inferred = dtype.numpy_dtype if dtype is not None else _array_from_data(fill_value).dtype
    data = np.full(_shape_args((size,)), fill_value, dtype=inferred)
    return _leaf(data, dtype, requires_grad, device)


def _like(make: Any, input: Tensor, dtype: Optional[_dtype.dtype], requires_grad: bool,
          device: Any) -> Tensor:
    """``make(input.shape, ...)`` with ``input``'s dtype unless another is given."""
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
    return zeros_like(input, dtype=dtype, requires_grad=requires_grad, device=device)


def full_like(input: Tensor, fill_value: Any, dtype: Optional[_dtype.dtype] = None,
              requires_grad: bool = False, device: Any = None) -> Tensor:
    """``fill_value`` everywhere, with the shape and dtype of ``input``."""
    return full(input.shape, fill_value, dtype=dtype or input.dtype,
                requires_grad=requires_grad, device=device)


def eye(n: int, m: Optional[int] = None, dtype: Optional[_dtype.dtype] = None,
        requires_grad: bool = False, device: Any = None) -> Tensor:
    """The ``n`` x ``m`` identity matrix (``m`` defaults to ``n``)."""
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
    if (end - start) * step < 0:
        raise RuntimeError("upper bound and lower bound inconsistent with step sign")
    floating = any(isinstance(v, float) for v in (start, end, step))
    out = _default_float(dtype) if floating or dtype is not None else np.dtype(np.int64)
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


# -- from_numpy: a tensor on a NumPy array's own memory (issue 16) --------------------------
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
