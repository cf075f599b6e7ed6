"""``tensor(data)``'s two paths give the same tensor.

The tutorial's data (``[[1.0, 2.0], [3.0, 4.0]]``, ``[[1, 2], [3, 4]]``)
takes the short path, ``_plain_numbers``: one walk that checks the nest is
rectangular lists of Python floats and ints, and NumPy's conversion.
Everything else takes the careful path, ``_python_data``: PyTorch's checks,
errors and dtype inference for any data (tuples, bools, NumPy scalars,
one-element tensors, ragged or huge values).  Where the short path answers,
its array must be the careful path's, bit for bit and dtype for dtype; the
careful path itself is tested against PyTorch in ``tests/test_core.py`` and
``tests/test_reliability.py``.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import microgrid
from microgrid import _creation
from microgrid._kernels import quietly

NUMBERS = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-2**63, max_value=2**63 - 1),
    st.integers(min_value=2**63, max_value=2**70),  # past int64: the careful path
    st.booleans(),  # bools keep their own dtype: the careful path
)
INTEGERS = st.integers(min_value=-2**70, max_value=2**70)
DTYPES = st.sampled_from([None, microgrid.float16, microgrid.float32, microgrid.float64,
                          microgrid.int64, microgrid.int8, microgrid.bool])


def careful(data, dtype):
    array, dtype = _creation._python_data(data, dtype)
    return quietly(array.astype, dtype.numpy_dtype)  # 1e300 is inf in float32, silently


@st.composite
def nests(draw):
    """A number, or a rectangular nest of lists of numbers (some of one kind only)."""
    shape = draw(st.lists(st.integers(0, 3), max_size=3))
    numbers = draw(st.sampled_from([NUMBERS, st.floats(-1e6, 1e6), st.integers(-5, 5), INTEGERS]))
    count = int(np.prod(shape)) if shape else 1
    flat = draw(st.lists(numbers, min_size=count, max_size=count))
    holder = np.empty(count, dtype=object)
    holder[:] = flat
    return holder.reshape(shape).tolist()  # the Python objects themselves, nested


@given(nests(), DTYPES)
def test_the_short_path_gives_what_the_careful_path_gives(data, dtype):
    short = _creation._plain_numbers(data, dtype)
    if short is None:
        return  # the careful path's alone
    expected = careful(data, dtype)
    assert short.dtype == expected.dtype and short.shape == expected.shape
    assert short.tobytes() == expected.tobytes()


@pytest.mark.parametrize("data, dtype", [
    ([[1.0, 2.0], [3.0, 4.0]], np.float32), ([[1, 2], [3, 4]], np.int64),
    ([1, 2.5], np.float32), (3, np.int64), (0.1, np.float32)])
def test_the_tutorials_data_takes_the_short_path(data, dtype):
    short = _creation._plain_numbers(data, None)
    assert short is not None and short.dtype == dtype
    assert np.array_equal(short, careful(data, None))


@pytest.mark.parametrize("data", [
    [], [[]], [[1.0], [2.0, 3.0]], [1.0, [2.0]], [True, 1.0], (1.0, 2.0), [np.float64(1.0)],
    [microgrid.tensor(1.0)], [2**64], [1, 2**63], [1.0, 2**70], [1.0, None], "1.0"])
def test_everything_else_takes_the_careful_path(data):
    assert _creation._plain_numbers(data, None) is None


def test_an_integer_dtype_takes_the_careful_path():
    """Its range is checked there: 300 does not fit int8."""
    assert _creation._plain_numbers([300], microgrid.int8) is None
    with pytest.raises(RuntimeError, match="value cannot be converted to type int8"):
        microgrid.tensor([300], dtype=microgrid.int8)
