"""Reductions and softmax against PyTorch: values, gradients, dtypes, graphs, repr, errors.

hypothesis draws shapes (0-d and size-1 dims included), float32/float64, and
``dim`` arguments (None, an int or a tuple; negative dims; keepdim).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from difftest import assert_same_error, check, dims, float_arrays, float_dtypes, shapes
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import microgrid

SETTINGS = settings(max_examples=30, deadline=None)


@st.composite
def array_and_dim(draw, allow_none=True, allow_tuple=True, ties=False, min_side=1):
    """An array, a valid ``dim`` for it and a ``keepdim`` flag."""
    shape = draw(shapes(min_side=min_side))
    dtype = draw(float_dtypes)
    if ties:  # few distinct values: equal maxima, zero variance ...
        array = draw(hnp.arrays(dtype, shape, elements=st.sampled_from([-1.0, 0.0, 2.0])))
    else:
        array = draw(float_arrays(dtype, shape))
    dim = draw(dims(len(shape), allow_none=allow_none, allow_tuple=allow_tuple))
    return array, dim, draw(st.booleans())


def with_dim(fn, dim, keepdim):
    """Call a reduction the way a user would: no dim arguments when dim is None."""
    def call(lib, x):
        return fn(lib, x) if dim is None else fn(lib, x, dim, keepdim)
    return call


# -- sum, mean --------------------------------------------------------------------
@pytest.mark.parametrize("op", ["sum", "mean"])
@SETTINGS
@given(case=array_and_dim())
def test_sum_mean(op, case):
    x, dim, keepdim = case
    check(with_dim(lambda lib, t, *a: getattr(t, op)(*a), dim, keepdim), x)
    check(with_dim(lambda lib, t, *a: getattr(lib, op)(t, *a), dim, keepdim), x)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_, np.float16])
def test_sum_dtypes(dtype):
    x = np.array([[1, 0, 3], [2, 1, 0]]).astype(dtype)
    check(lambda lib, t: t.sum(), x, grad=False)
    check(lambda lib, t: t.sum(0, keepdim=True), x, grad=False)
    check(lambda lib, t: t.sum(dtype=lib.float64), x, grad=False)


def test_sum_and_mean_with_dtype_argument_and_empty_dims():
    x = np.array([[1.5, 2.0], [3.0, -1.0]], np.float32)
    check(lambda lib, t: t.sum(dtype=lib.float64), x)
    check(lambda lib, t: t.mean(dtype=lib.float64), x)
    check(lambda lib, t: lib.sum(t, dim=()), x)
    check(lambda lib, t: t.mean(dim=[], keepdim=True), x)
    check(lambda lib, t: t.mean(), np.zeros((0, 3), np.float32))


# -- max, min, argmax, argmin -------------------------------------------------------
@pytest.mark.parametrize("op", ["max", "min"])
@SETTINGS
@given(case=array_and_dim(allow_tuple=False, ties=True))
def test_max_min(op, case):
    x, dim, keepdim = case
    check(with_dim(lambda lib, t, *a: getattr(t, op)(*a), dim, keepdim), x)
    check(with_dim(lambda lib, t, *a: getattr(lib, op)(t, *a), dim, keepdim), x)
    if dim is not None:
        check(lambda lib, t: getattr(lib, op)(t, dim=dim, keepdim=keepdim).values, x)
        check(lambda lib, t: getattr(t, op)(dim, keepdim).indices, x)


@pytest.mark.parametrize("op", ["argmax", "argmin"])
@SETTINGS
@given(case=array_and_dim(allow_tuple=False, ties=True))
def test_argmax_argmin(op, case):
    x, dim, keepdim = case
    check(lambda lib, t: getattr(t, op)(dim, keepdim), x)
    check(lambda lib, t: getattr(lib, op)(t, dim=dim, keepdim=keepdim), x)


def test_max_min_with_nan():
    x = np.array([[1.0, np.nan, 3.0, np.nan], [2.0, 0.0, 2.0, -1.0]], np.float32)
    for op in ["max", "min", "argmax", "argmin"]:
        check(lambda lib, t, op=op: getattr(t, op)(), x)
        check(lambda lib, t, op=op: getattr(t, op)(1), x)
        check(lambda lib, t, op=op: getattr(t, op)(0, True), x)


def test_max_result_is_a_named_pair():
    x = np.array([[1.0, 5.0, 5.0], [2.0, 2.0, 0.0]], np.float32)

    def unpack(lib, t):
        result = t.max(1)
        values, indices = result
        return (str(result), type(result).__name__, len(result), result[0] is result.values,
                values, indices)

    check(unpack, x)


@pytest.mark.parametrize("dtype", [np.int64, np.bool_, np.uint8])
def test_max_argmax_dtypes(dtype):
    x = np.array([[1, 0, 3], [3, 1, 0]]).astype(dtype)
    for fn in [lambda lib, t: t.max(), lambda lib, t: t.min(1), lambda lib, t: t.argmax(),
               lambda lib, t: t.argmin(0, keepdim=True)]:
        check(fn, x, grad=False)


# -- var, std ---------------------------------------------------------------------
VARIANTS = {
    "default": {},
    "unbiased=False": {"unbiased": False},
    "correction=0": {"correction": 0},
    "correction=2": {"correction": 2},
    "correction=0.5": {"correction": 0.5},
}


@pytest.mark.parametrize("op", ["var", "std"])
@pytest.mark.parametrize("variant", sorted(VARIANTS))
@SETTINGS
@given(case=array_and_dim())
def test_var_std(op, variant, case):
    x, dim, keepdim = case
    # torch 2.13's backward for an empty dim list counts 1 element per output (a torch bug).
    assume(dim != ())
    # std's gradient is (x - mean) / (n - correction) / std: where a reduced slice
    # is constant both are rounding noise in float32 (torch's mean of equal values
    # is off by an ulp, NumPy's is exact), so such slices are left to the
    # degenerate cases below.
    if op == "std" and x.size:
        spread = np.ptp(x, axis=dim, keepdims=True) if x.ndim else np.zeros(())
        assume(np.all(spread > 0))
    kwargs = VARIANTS[variant]
    if dim is None:
        check(lambda lib, t: getattr(t, op)(**kwargs), x, rtol=1e-4)
    else:
        check(lambda lib, t: getattr(lib, op)(t, dim, keepdim=keepdim, **kwargs), x, rtol=1e-4)


@pytest.mark.parametrize("op", ["var", "std"])
def test_var_std_degenerate(op):
    """One element, a constant row, too large a correction: nan/inf and torch's warning."""
    check(lambda lib, t: getattr(t, op)(), np.array([2.0], np.float32))
    check(lambda lib, t: getattr(t, op)(1), np.array([[2.0], [3.0]], np.float32))
    check(lambda lib, t: getattr(t, op)(0, correction=3), np.array([1.0, 2.0], np.float64))
    check(lambda lib, t: getattr(t, op)(correction=3), np.array([1.0, 2.0], np.float64))
    check(lambda lib, t: getattr(t, op)(0), np.array([[1.0, 1.0], [1.0, 4.0]], np.float32))
    check(lambda lib, t: getattr(t, op)(False), np.array([1.0, 2.0, 4.0], np.float32))
    check(lambda lib, t: getattr(lib, op)(t, 0, False), np.array([1.0, 2.0, 4.0], np.float32))


# -- logsumexp, softmax, log_softmax ------------------------------------------------
@SETTINGS
@given(case=array_and_dim(allow_none=False))
def test_logsumexp(case):
    x, dim, keepdim = case
    assume(dim != ())  # torch 2.13 fails on an empty dim list ("output with shape [] ...")
    check(lambda lib, t: t.logsumexp(dim, keepdim), x)
    check(lambda lib, t: lib.logsumexp(t * 20, dim=dim, keepdim=keepdim), x)  # no overflow


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@SETTINGS
@given(case=array_and_dim(allow_none=False, allow_tuple=False))
def test_softmax(op, case):
    x, dim, _ = case
    check(lambda lib, t: getattr(t, op)(dim), x)
    check(lambda lib, t: getattr(lib, op)(t * 50, dim), x)  # large values: stable
    check(lambda lib, t: getattr(lib, op)(t, dim, dtype=lib.float64), x)


@pytest.mark.parametrize("op", ["softmax", "log_softmax", "logsumexp"])
def test_softmax_infinities(op):
    x = np.array([[-np.inf, 0.0, 1.0], [-np.inf, -np.inf, -np.inf], [np.inf, 1.0, 0.0]],
                 np.float32)
    check(lambda lib, t: getattr(t, op)(1), x)
    check(lambda lib, t: getattr(t, op)(0), np.zeros((0, 3), np.float32))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.float16])
def test_softmax_and_logsumexp_dtypes(dtype):
    x = np.array([[1, 0, 3], [3, 1, 0]]).astype(dtype)
    for fn in [lambda lib, t: t.softmax(0), lambda lib, t: t.log_softmax(1),
               lambda lib, t: t.softmax(-1, dtype=lib.float32), lambda lib, t: t.logsumexp(1)]:
        check(fn, x, grad=False)


# -- errors -----------------------------------------------------------------------
ERRORS = {
    "sum dim out of range": lambda lib: lib.ones(2, 3).sum(2),
    "sum negative dim out of range": lambda lib: lib.ones(2, 3).sum(-3),
    "sum repeated dim": lambda lib: lib.ones(2, 3).sum((0, -2)),
    "0-d dim 1": lambda lib: lib.tensor(1.0).sum(1),
    "mean of ints": lambda lib: lib.tensor([1, 2]).mean(),
    "mean of bools": lambda lib: lib.tensor([True]).mean(0),
    "var of ints": lambda lib: lib.tensor([1, 2]).var(),
    "std of bools": lambda lib: lib.tensor([True]).std(),
    "max of empty": lambda lib: lib.zeros(0).max(),
    "min of empty": lambda lib: lib.zeros(0).min(),
    "max over empty dim": lambda lib: lib.zeros(2, 0).max(-1),
    "argmax of empty": lambda lib: lib.zeros(0).argmax(),
    "argmin over empty dim": lambda lib: lib.zeros(2, 0).argmin(1),
    "argmax of bool": lambda lib: lib.tensor([True]).argmax(),
    "max dim out of range": lambda lib: lib.ones(2, 3).max(2),
    "softmax of ints": lambda lib: lib.tensor([[1, 2]]).softmax(1),
    "softmax of ints, not last dim": lambda lib: lib.tensor([[1, 2]]).softmax(0),
    "log_softmax of ints": lambda lib: lib.tensor([1, 2]).log_softmax(0),
    "softmax dim out of range": lambda lib: lib.ones(2, 3).softmax(2),
    "logsumexp dim out of range": lambda lib: lib.ones(2).logsumexp(-2),
    "sum of a number": lambda lib: lib.sum(2.0),
    "softmax without dim": lambda lib: lib.ones(2).softmax(),
    "log_softmax without dim": lambda lib: lib.log_softmax(lib.ones(2)),
    "logsumexp without dim": lambda lib: lib.ones(2).logsumexp(),
    "max of a list": lambda lib: lib.max([1.0]),
}


@pytest.mark.parametrize("name", sorted(ERRORS))
def test_errors(name):
    assert_same_error(ERRORS[name])


# -- higher order -------------------------------------------------------------------
SECOND_ORDER = {
    "sum": lambda lib, x: (x * x).sum(1),
    "mean": lambda lib, x: (x * x).mean((0, 1)),
    "max": lambda lib, x: (x * x).max() * x.sum(),
    "max dim": lambda lib, x: (x * x).max(1).values,
    "var": lambda lib, x: x.var(1),
    "std": lambda lib, x: x.std(),
    "std dim": lambda lib, x: x.std(0, keepdim=True),
    "logsumexp": lambda lib, x: x.logsumexp(1),
    "softmax": lambda lib, x: x.softmax(1) * x,
    "log_softmax": lambda lib, x: x.log_softmax(0) * x,
    "mean dim": lambda lib, x: (x * x).mean(-1, keepdim=True),
    "min": lambda lib, x: (x * x).min() * x,
    "var dim": lambda lib, x: (x * x).var((0, 1), correction=0),
    "logsumexp keepdim": lambda lib, x: (x * x).logsumexp(0, keepdim=True),
    "softmax of softmax": lambda lib, x: x.softmax(1).softmax(0),
}


@pytest.mark.parametrize("name", sorted(SECOND_ORDER))
def test_second_derivatives(name):
    def second(lib, x):
        y = SECOND_ORDER[name](lib, x).sum()
        (g,) = lib.autograd.grad(y, x, create_graph=True)
        (h,) = lib.autograd.grad((g * g).sum(), x, retain_graph=True)
        return g, h  # g's graph is compared node for node (see test_ops_pointwise)

    check(second, np.array([[-1.5, -0.3, 0.2], [0.7, 1.9, -2.2]], np.float64))


@pytest.mark.skipif(not hasattr(microgrid, "matmul"), reason="microgrid.matmul (part B) "
                    "does not exist yet")
@SETTINGS
@given(data=st.data())
def test_random_mix_with_matmul(data):
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    dtype = data.draw(float_dtypes)
    a = data.draw(float_arrays(dtype, (n, k), -2, 2))
    b = data.draw(float_arrays(dtype, (k, m), -2, 2))
    check(lambda lib, x, y: (x @ y).tanh().sum(dim=1).softmax(0), a, b)
    check(lambda lib, x, y: lib.matmul(x, y).sigmoid().log_softmax(-1).var(0) * x.sum(), a, b,
          rtol=1e-3, atol=1e-4)


# -- a full reduction is a writable 0-d tensor ----------------------------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("op", ["sum", "mean", "std", "var"])
def test_full_reduction_can_be_written_in_place(op, dtype):
    # A NumPy reduction over all elements returns a NumPy scalar, not a 0-d
    # array: wrapped as is, every in-place op on the result wrote nowhere
    # (s.mul_(2) left s unchanged, and so did SGD's momentum buffer).
    values = np.linspace(-3, 3, 20).astype(dtype)
    results = []
    for lib in (torch, microgrid):
        x = lib.tensor(values)
        written = [getattr(x, op)() for _ in range(5)]
        written[0].mul_(2)
        written[1].add_(1)
        written[2].zero_()
        written[3][()] = 5
        copy = written[4].clone()
        copy.sub_(1)
        results.append([t.item() for t in written + [copy]])
        assert isinstance(written[4].numpy(), np.ndarray)
    assert results[1] == results[0]
