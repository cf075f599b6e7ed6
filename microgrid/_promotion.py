"""Type promotion: the dtype of ``a + b`` when ``a`` and ``b`` differ.

PyTorch counterpart: ``torch.result_type`` / ``torch.promote_types``
(``c10/core/ScalarType.h`` and ``aten/src/ATen/native/TypeProperties.cpp``).

NumPy and PyTorch disagree here, so microgrid cannot simply let NumPy decide:
``int64_array * 2.5`` is float64 in NumPy but float32 in PyTorch, and
``float16 + int64`` is float64 in NumPy but float16 in PyTorch.  PyTorch's
rule, which this module implements:

* dtypes fall in categories, bool < integer < floating point;
* operands come in three priorities: tensors with at least one dimension,
  0-d tensors, and Python numbers;
* the result is the promotion of the highest-priority operands, unless a
  lower-priority operand is of a *higher category*: then that operand's
  dtype wins (a Python float counting as the default float dtype, float32,
  and a Python int as int64).

Integers and bools that become floating point (``exp`` of an int tensor,
``int_tensor / 2``) become the default float dtype too, :func:`default_float`:
``torch.set_default_dtype(torch.float64)`` makes them float64.

Read next: ``_arguments.py``.
"""

from __future__ import annotations

from typing import Any, Optional

import numpy as np

from ._dtype import BAREBONES, LEGACY_TYPE_NAMES

_DEFAULT_FLOAT = np.dtype(np.float32)
_INT64 = np.dtype(np.int64)
_BOOL = np.dtype(np.bool_)


def default_float() -> np.dtype:
    """The dtype integers and bools become in floating-point math: PyTorch's
    default dtype (float32 unless ``set_default_dtype`` changed it)."""
    return _DEFAULT_FLOAT


def category(dtype: np.dtype) -> int:
    """0 for bool, 1 for integers, 2 for floating point."""
    if dtype == _BOOL:
        return 0
    return 2 if dtype.kind == "f" else 1


def promote_types(a: Optional[np.dtype], b: Optional[np.dtype]) -> Optional[np.dtype]:
    """PyTorch's ``promote_types``: the smallest dtype that holds both.

    Within a category it agrees with NumPy; across categories the dtype of
    the higher category wins as it is (``float16`` with ``int64`` is
    ``float16``).
    """
    if a is None or b is None:
        return b if a is None else a
    if (a in BAREBONES or b in BAREBONES) and a != b:
        # uint16 and uint32 promote with a floating dtype only (PyTorch's promoteTypes).
        if category(a) == 2 or category(b) == 2:
            return a if category(a) == 2 else b
        raise RuntimeError("Promotion for uint16, uint32, uint64 types is not supported, "
                           f"attempted to promote {LEGACY_TYPE_NAMES[a.name]} and "
                           f"{LEGACY_TYPE_NAMES[b.name]}")
    if category(a) != category(b):
        return a if category(a) > category(b) else b
    return np.promote_types(a, b)


def _number_dtype(value: Any) -> np.dtype:
    """The dtype a Python number takes part in promotion with.  PyTorch reads
    a NumPy bool scalar as a float (``int_tensor * np.bool_(True)`` is float32)."""
    if isinstance(value, bool):
        return _BOOL
    if isinstance(value, (int, np.integer)):
        return _INT64
    return _DEFAULT_FLOAT


def _combine(higher: Optional[np.dtype], lower: Optional[np.dtype]) -> Optional[np.dtype]:
    """Merge a higher-priority result with a lower-priority one."""
    if higher is None:
        return lower
    if lower is None or category(lower) <= category(higher):
        return higher
    # The lower-priority operand is of a higher category: its dtype wins.
    return lower


def result_type(*operands: Any) -> np.dtype:
    """The NumPy dtype PyTorch would give the result of an op on ``operands``:
    arrays (a tensor's values) or Python numbers.  A 0-d array counts less
    than an array with dims, more than a number (PyTorch's three priorities)."""
    dims = zero_dims = numbers = None
    for value in operands:
        if isinstance(value, np.ndarray):
            if value.ndim:
                dims = promote_types(dims, value.dtype)
            else:
                zero_dims = promote_types(zero_dims, value.dtype)
        else:
            numbers = promote_types(numbers, _number_dtype(value))
    return _combine(dims, _combine(zero_dims, numbers))
