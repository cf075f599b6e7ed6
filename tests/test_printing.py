"""Differential tests: microgrid's tensor printing must match PyTorch byte for byte.

Every case builds the same data as a NumPy array (for microgrid) and as a torch
tensor, and compares ``format_tensor(...)`` with ``repr(torch_tensor)``.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from microgrid import _dtype
from microgrid import _tensor_str as ts

nan, inf = math.nan, math.inf
f32, f64, f16 = np.float32, np.float64, np.float16


@pytest.fixture(autouse=True)
def default_printoptions():
    """Every test starts and ends with default print options in both libraries."""
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")
    yield
    torch.set_printoptions(profile="default")
    ts.set_printoptions(profile="default")


def torch_repr(array: np.ndarray, requires_grad: bool = False, op: str | None = None) -> str:
    """repr of a torch tensor holding `array`; `op` "mul" or "mean" gives it a grad_fn."""
    t = torch.from_numpy(array.copy())
    if requires_grad or op is not None:
        t.requires_grad_(True)
    if op == "mul":
        t = t * 1
    elif op == "mean":
        t = t.mean()
    return repr(t)


def ours(array: np.ndarray, **kwargs) -> str:
    return ts.format_tensor(array, _dtype.from_numpy_dtype(array.dtype), **kwargs)


def assert_same(array: np.ndarray) -> None:
    assert ours(array) == torch_repr(array)


# ---------------------------------------------------------------------------
# Explicit cases, one per rule.

EXPLICIT_CASES = {
    # precision and plain decimals
    "two decimals": np.array([1.5, 2.25], f32),
    "rounded to 4 places": np.array([1.123456, -2.987654], f32),
    "float32 0.1": np.array([0.1, 0.2, 0.3], f32),
    "rounds up to wider": np.array([9.99996, 0.5], f64),
    "negative decimals align": np.array([-1.5, 22.25, -333.125], f32),
    # int mode
    "int mode": np.array([1.0, 2.0, 3.0], f32),
    "int mode negative": np.array([-1.0, 20.0, -300.0], f32),
    "int mode 1e8 exactly": np.array([1e8, 2.0e7], f64),
    # scientific mode
    "sci ratio > 1000": np.array([0.5, 500.5], f64),
    "no sci at ratio 1000": np.array([0.5, 500.0], f64),
    "sci ratio int-valued": np.array([1.0, 1e7], f32),
    "sci max > 1e8": np.array([1e9, 2e9], f32),
    "sci min < 1e-4": np.array([5e-5, 6e-5], f32),
    "no sci at min 1e-4": np.array([1e-4, 2e-4], f64),
    "sci huge and tiny": np.array([1e20, -1e-20, 3.0], f64),
    "sci with nan inf": np.array([1e-9, nan, -inf, 2.0], f32),
    # nan, inf, zeros
    "nan inf": np.array([nan, inf, -inf, 1.5], f32),
    "all nan": np.array([nan, nan], f32),
    "int mode with nan": np.array([1.0, nan, inf], f32),
    "only inf": np.array([inf, -inf], f64),
    "negative zero": np.array([-0.0, 0.0], f32),
    "negative zero with decimals": np.array([-0.0, 1.5], f32),
    "negative zero int mode": np.array([-0.0, 12.0], f32),
    "all zeros": np.zeros(4, f32),
    # 0-d
    "0-d float": np.array(7.5, f32),
    "0-d int mode": np.array(3.0, f32),
    "0-d int": np.array(7, np.int64),
    "0-d bool": np.array(True),
    "0-d float64": np.array(-2.5, f64),
    "0-d nan": np.array(nan, f32),
    "0-d tiny": np.array(1e-10, f32),
    "0-d negative zero": np.array(-0.0, f32),
    "0-d int32": np.array(-5, np.int32),
    # empty tensors
    "empty": np.zeros(0, f32),
    "empty 2-d": np.zeros((0, 3), f32),
    "empty 3-d float64": np.zeros((2, 0, 3), f64),
    "empty int64": np.zeros(0, np.int64),
    "empty bool": np.zeros((0,), bool),
    "empty int32 2-d": np.zeros((4, 0), np.int32),
    # N-d layout
    "matrix": np.arange(12, dtype=f32).reshape(3, 4) / 4,
    "3-d blocks": np.arange(24, dtype=f32).reshape(2, 3, 4) - 10,
    "4-d blocks": np.arange(48, dtype=np.int64).reshape(2, 2, 3, 4),
    "column": np.arange(5, dtype=f32).reshape(5, 1) * 1.25,
    # line wrapping
    "wrapped row": np.arange(30, dtype=f32) * 1.5,
    "wrapped ints": np.arange(400, dtype=np.int64),
    "wrapped matrix rows": np.arange(90, dtype=f32).reshape(3, 30) / 7,
    "wrapped sci": np.geomspace(1e-6, 1e6, 25).astype(f32),
    "wrapped 3-d": np.arange(2 * 2 * 25, dtype=f64).reshape(2, 2, 25) / 3,
    # summarization
    "summarized ints": np.arange(2000, dtype=np.int64),
    "summarized floats": np.linspace(-5, 5, 1001).astype(f32),
    "summarized matrix": np.arange(1600, dtype=f32).reshape(40, 40) / 3,
    "summarized 3-d": np.arange(1331, dtype=f32).reshape(11, 11, 11),
    "summarized short rows": np.arange(1200, dtype=np.int64).reshape(2, 600),
    "summarized long rows": np.arange(1200, dtype=np.int64).reshape(600, 2),
    "width from edges only": np.concatenate([np.ones(500), [1e6], np.ones(500)]).astype(f32),
    "summarized 4-d": np.arange(7**4, dtype=f64).reshape(7, 7, 7, 7),
    # bool and integer dtypes
    "bool": np.array([True, False]),
    "bool matrix": np.array([[True, False, True], [False, False, True]]),
    "negative ints": np.array([-1, 20, -300], np.int64),
    "int32": np.array([1, -2, 3], np.int32),
    "int16": np.array([[1, 2], [3, 4]], np.int16),
    "int8": np.array([-128, 127], np.int8),
    "uint8": np.array([0, 255], np.uint8),
    # dtype suffix
    "float64": np.array([1.5, 2.0], f64),
    "float16": np.array([0.1, 1000.0, -3.5], f16),
    "float16 int mode": np.array([1.0, 2.0], f16),
    "suffix wraps to next line": np.arange(10, dtype=f64) * 1.25,
    "suffix after multi-line": np.arange(40, dtype=f64).reshape(4, 10) / 3,
    "long int32 row": np.arange(19, dtype=np.int32) * 1000,
}


@pytest.mark.parametrize("name", list(EXPLICIT_CASES))
def test_explicit_case(name):
    assert_same(EXPLICIT_CASES[name])


GRAD_CASES = {
    "float32 vector": np.array([1.5, 2.0], f32),
    "float64 vector": np.array([1.0, 2.0], f64),
    "0-d": np.array(2.5, f32),
    "empty": np.zeros(0, f32),
    "empty float64 2-d": np.zeros((0, 2), f64),
    "long float64 row": np.arange(10, dtype=f64) * 1.25,
    "matrix": np.arange(6, dtype=f32).reshape(2, 3),
}


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_requires_grad_suffix(name):
    array = GRAD_CASES[name]
    assert ours(array, requires_grad=True) == torch_repr(array, requires_grad=True)


@pytest.mark.parametrize("name", list(GRAD_CASES))
def test_grad_fn_suffix_mul(name):
    array = GRAD_CASES[name]
    expected = torch_repr(array, op="mul")
    assert "grad_fn=<MulBackward0>" in expected
    assert ours(array, grad_fn_name="MulBackward0", requires_grad=True) == expected


@pytest.mark.parametrize("dtype", [f32, f64])
def test_grad_fn_suffix_mean(dtype):
    array = np.array([[1.0, 2.0], [3.5, 4.0]], dtype)
    mean = np.array(array.mean(), dtype)
    expected = torch_repr(array, op="mean")
    assert ours(mean, grad_fn_name="MeanBackward0", requires_grad=True) == expected


def test_grad_fn_name_keeps_last_part_of_qualified_name():
    leaf = torch.ones(2, requires_grad=True)
    accumulate = (leaf * 1).grad_fn.next_functions[0][0]
    assert "::" in accumulate.name()  # "torch::autograd::AccumulateGrad"
    array = np.ones(2, f32)
    expected = torch_repr(array, op="mul").replace("MulBackward0", "AccumulateGrad")
    assert ours(array, grad_fn_name=accumulate.name()) == expected


def test_tensor_repr_reads_tensor_attributes():
    class Node:
        def name(self):
            return "MulBackward0"

    class FakeTensor:
        _data = np.array([1.5, 2.0], f64)
        dtype = _dtype.float64
        grad_fn = Node()
        requires_grad = True

    expected = torch_repr(FakeTensor._data, op="mul")
    assert ts.tensor_repr(FakeTensor()) == expected
    FakeTensor.grad_fn = None
    assert ts.tensor_repr(FakeTensor()) == torch_repr(FakeTensor._data, requires_grad=True)


# ---------------------------------------------------------------------------
# Print options.

OPTION_SAMPLES = [
    np.array([1.123456789, -2.5, 1e-3], f32),
    np.array([1.0, 2.0, 300.0], f32),
    np.array([nan, 1e10, -0.0], f64),
    np.arange(1500, dtype=f32).reshape(30, 50) / 7,
    np.arange(60, dtype=np.int64).reshape(3, 4, 5),
    np.arange(30, dtype=f64) * 1.25,
    np.array(3.14159, f32),
    np.zeros((0, 4), f32),
]

OPTION_SETTINGS = [
    {"precision": 2},
    {"precision": 0},
    {"precision": 8},
    {"sci_mode": True},
    {"sci_mode": False},
    {"sci_mode": True, "precision": 1},
    {"threshold": 5},
    {"threshold": 0},
    {"threshold": 5, "edgeitems": 1},
    {"threshold": 5, "edgeitems": 0},
    {"edgeitems": 0},
    {"linewidth": 40},
    {"linewidth": 10},
    {"linewidth": 200},
    {"profile": "short"},
    {"profile": "full"},
    {"profile": "full", "precision": 6},
    {"profile": "default"},
]


@pytest.mark.parametrize("options", OPTION_SETTINGS, ids=str)
@pytest.mark.parametrize("index", range(len(OPTION_SAMPLES)))
def test_set_printoptions(options, index):
    torch.set_printoptions(**options)
    ts.set_printoptions(**options)
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    assert_same(OPTION_SAMPLES[index])


def test_full_profile_prints_everything():
    array = np.arange(2000, dtype=np.int64)
    ts.set_printoptions(profile="full")
    torch.set_printoptions(profile="full")
    assert "..." not in ours(array)
    assert_same(array)


def test_get_printoptions_defaults():
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    assert ts.get_printoptions() == {
        "precision": 4,
        "threshold": 1000,
        "edgeitems": 3,
        "linewidth": 80,
        "sci_mode": None,
    }


def test_set_printoptions_resets_sci_mode_like_torch():
    for lib in (ts, torch):
        lib.set_printoptions(sci_mode=True)
        lib.set_printoptions(precision=3)
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    assert ts.get_printoptions()["sci_mode"] is None


def test_unknown_profile_is_ignored_like_torch():
    ts.set_printoptions(precision=6)
    torch.set_printoptions(precision=6)
    ts.set_printoptions(profile="nonsense")
    torch.set_printoptions(profile="nonsense")
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()


def test_printoptions_context_manager():
    array = np.array([1.123456789, 2.5], f32)
    with (
        ts.printoptions(precision=2, sci_mode=True),
        torch._tensor_str.printoptions(precision=2, sci_mode=True),
    ):
        assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
        assert ours(array) == torch_repr(array)
        assert "e+00" in ours(array)
    assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
    assert ours(array) == torch_repr(array)


# ---------------------------------------------------------------------------
# Property tests: random shapes, values and options.

PROPERTY_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

FLOAT_DTYPES = [f32, f64, f16]
INT_DTYPES = [np.int64, np.int32, np.int16, np.int8, np.uint8]


@st.composite
def shapes(draw, max_numel=6000):
    """0-d to 4-d shapes, zero-size dims included, sizes up to 40."""
    ndim = draw(st.integers(0, 4))
    max_side = {0: 1, 1: 1500, 2: 60, 3: 20, 4: 10}[ndim]
    shape = draw(st.lists(st.integers(1, max_side), min_size=ndim, max_size=ndim))
    if ndim and draw(st.integers(0, 5)) == 5:  # now and then, a zero-size dim
        shape[draw(st.integers(0, ndim - 1))] = 0
    if int(np.prod(shape)) > max_numel:
        shape = [min(s, 12) for s in shape]
    return tuple(shape)


@st.composite
def float_arrays(draw, dtype):
    """Floats mixing magnitudes, whole numbers, zeros, nan and inf."""
    shape = draw(shapes())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    kinds = draw(
        st.lists(
            st.sampled_from(["small ints", "big ints", "decimals", "wide", "special", "zeros"]),
            min_size=1,
            max_size=3,
            unique=True,
        )
    )
    exponent = draw(st.integers(-12, 12))
    candidates = {
        "small ints": rng.integers(-20, 20, shape).astype(f64),
        "big ints": rng.integers(-(10**9), 10**9, shape).astype(f64),
        "decimals": rng.standard_normal(shape) * 10.0**exponent,
        "wide": rng.standard_normal(shape) * 10.0 ** rng.integers(-15, 15, shape),
        "special": rng.choice([nan, inf, -inf, -0.0, 0.0], shape),
        "zeros": np.zeros(shape),
    }
    choice = rng.integers(0, len(kinds), shape)
    array = np.choose(choice, [candidates[k] for k in kinds])
    with np.errstate(over="ignore"):
        return np.asarray(array, dtype=dtype)


@st.composite
def int_arrays(draw, dtype):
    shape = draw(shapes())
    info = np.iinfo(dtype)
    low = draw(st.sampled_from([info.min, -1000, -5, 0]))
    high = draw(st.sampled_from([3, 100, 10**6, info.max]))
    low, high = max(low, info.min), min(high, info.max)
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return np.asarray(rng.integers(low, high, shape, dtype=dtype, endpoint=True))


@st.composite
def any_array(draw):
    kind = draw(st.sampled_from(["float", "int", "bool"]))
    if kind == "float":
        return draw(float_arrays(draw(st.sampled_from(FLOAT_DTYPES))))
    if kind == "int":
        return draw(int_arrays(draw(st.sampled_from(INT_DTYPES))))
    shape = draw(shapes())
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    return np.asarray(rng.random(shape) < draw(st.floats(0, 1)))


@PROPERTY_SETTINGS
@given(st.sampled_from(FLOAT_DTYPES).flatmap(float_arrays))
def test_property_floats(array):
    assert_same(array)


@PROPERTY_SETTINGS
@given(st.sampled_from(INT_DTYPES).flatmap(int_arrays))
def test_property_ints(array):
    assert_same(array)


@PROPERTY_SETTINGS
@given(shapes(), st.floats(0, 1), st.integers(0, 2**32 - 1))
def test_property_bools(shape, density, seed):
    assert_same(np.asarray(np.random.default_rng(seed).random(shape) < density))


@PROPERTY_SETTINGS
@given(
    hnp.arrays(
        st.sampled_from([f32, f64]),
        hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=6),
        elements=st.floats(width=32, allow_subnormal=False),
    )
)
def test_property_drawn_elements(array):
    """Every element drawn by hypothesis, so failures shrink to small examples."""
    assert_same(array)


@PROPERTY_SETTINGS
@given(st.sampled_from([f32, f64]).flatmap(float_arrays), st.sampled_from(["grad", "mul"]))
def test_property_grad_suffixes(array, kind):
    if kind == "grad":
        assert ours(array, requires_grad=True) == torch_repr(array, requires_grad=True)
    else:
        assert ours(array, grad_fn_name="MulBackward0") == torch_repr(array, op="mul")


@PROPERTY_SETTINGS
@given(
    any_array(),
    st.fixed_dictionaries(
        {},
        optional={
            "precision": st.integers(0, 10),
            "threshold": st.sampled_from([0, 1, 10, 100, 1000, inf]),
            "edgeitems": st.integers(0, 5),
            "linewidth": st.integers(1, 200),
            "profile": st.sampled_from(["default", "short", "full"]),
            "sci_mode": st.sampled_from([None, True, False]),
        },
    ),
)
def test_property_printoptions(array, options):
    torch.set_printoptions(**options)
    ts.set_printoptions(**options)
    try:
        assert ts.get_printoptions() == torch._tensor_str.get_printoptions()
        assert_same(array)
    finally:
        torch.set_printoptions(profile="default")
        ts.set_printoptions(profile="default")
