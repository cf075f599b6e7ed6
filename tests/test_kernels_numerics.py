"""The NumPy kernels in ``microgrid/_kernels`` against PyTorch, bit for bit.

Each kernel claims to compute exactly what PyTorch's CPU kernel computes on this
machine; hypothesis draws the inputs (shapes, strides, dims, dtypes, awkward values)
and every element must have the same bits as torch's (NaN matches any NaN: payloads
never print).  One test re-runs a sample under ``ATEN_CPU_CAPABILITY=avx2``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from test_kernels_fastpaths import halfway_operands

from microgrid._kernels import libm, linalg, losses, mathfns, moments, powf, reduce, softmax

SETTINGS = settings(max_examples=60, deadline=None)


def same_bits(ours: np.ndarray, theirs: np.ndarray) -> bool:
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if ours.shape != theirs.shape or ours.dtype != theirs.dtype:
        return False
    width = {2: np.uint16, 4: np.uint32, 8: np.uint64}[ours.dtype.itemsize]
    a = np.ascontiguousarray(ours).view(width)
    b = np.ascontiguousarray(theirs).view(width)
    both_nan = np.isnan(ours) & np.isnan(theirs)
    return bool(np.all((a == b) | both_nan))


def floats(dtype, awkward: bool = True) -> st.SearchStrategy:
    """Finite normal values, and with ``awkward`` also subnormals, huge values, +-0,
    infinities and nan."""
    width = np.dtype(dtype).itemsize * 8
    plain = st.floats(-1e3, 1e3, width=width)
    if not awkward:
        return plain
    return st.one_of(plain, st.floats(width=width, allow_subnormal=True),
                     st.sampled_from([0.0, -0.0, np.inf, -np.inf, np.nan]))


@st.composite
def strided_arrays(draw, dtypes=(np.float32, np.float64), max_dims=4, max_side=40):
    """An array, maybe a transposed or sliced view of a bigger one, and reduction dims."""
    dtype = draw(st.sampled_from(dtypes))
    shape = draw(st.lists(st.integers(1, max_side), min_size=1, max_size=max_dims))
    x = draw(hnp.arrays(dtype, tuple(shape), elements=floats(dtype, awkward=False)))
    view = draw(st.sampled_from(["plain", "transposed", "sliced"]))
    if view == "transposed" and x.ndim > 1:
        x = x.swapaxes(0, -1)
    elif view == "sliced":
        x = x[..., ::2]
    dims = draw(st.one_of(st.none(), st.lists(st.integers(0, x.ndim - 1), unique=True)))
    return x, dims, draw(st.booleans())


def torch_sum(x: np.ndarray, dims, keepdim: bool, op: str = "sum") -> np.ndarray:
    t = torch.from_numpy(x)
    fn = getattr(t, op)
    return fn(dim=None if dims is None else tuple(dims), keepdim=keepdim).numpy()


# -- sum and mean ----------------------------------------------------------------------
@SETTINGS
@given(case=strided_arrays(dtypes=(np.float32, np.float64, np.float16)))
def test_sum_is_bit_identical(case):
    x, dims, keepdim = case
    assert same_bits(reduce.sum(x, dims, keepdim), torch_sum(x, dims, keepdim))


@SETTINGS
@given(case=strided_arrays())
def test_mean_is_bit_identical(case):
    x, dims, keepdim = case
    assert same_bits(reduce.mean(x, dims, keepdim), torch_sum(x, dims, keepdim, "mean"))


@SETTINGS
@given(x=hnp.arrays(np.float32, st.integers(1, 300), elements=floats(np.float32)))
def test_sum_of_awkward_values(x):
    assert same_bits(reduce.sum(x), torch_sum(x, None, False))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sum_every_length_up_to_300(dtype):
    rng = np.random.default_rng(0)
    for n in range(1, 301):
        x = rng.standard_normal(n).astype(dtype)
        assert same_bits(reduce.sum(x), torch_sum(x, None, False)), n


@pytest.mark.parametrize("shape,dims", [
    ((100_003,), None), ((40_000, 5), [0]), ((5, 40_000), [1]), ((300, 200), [0]),
    ((300, 200), [1]), ((33, 77, 31), None), ((50, 30, 40), [0, 2]), ((129, 257), None)])
@pytest.mark.parametrize("view", ["plain", "transposed", "sliced"])
def test_sum_split_over_threads(shape, dims, view):
    """32,768+ elements: PyTorch splits the work over its threads (two-pass for a whole
    tensor, by columns otherwise), which changes the order of the additions."""
    x = np.random.default_rng(1).standard_normal(shape).astype(np.float32)
    x = {"plain": x, "transposed": x.T, "sliced": x[..., ::2]}[view]
    dims = None if dims is None else [d % x.ndim for d in dims]
    assert same_bits(reduce.sum(x, dims), torch_sum(x, dims, False))


@SETTINGS
@given(data=st.data(), dtype=st.sampled_from([np.float32, np.float64]))
def test_small_dim0_sums_are_bit_identical(data, dtype):
    """The fast path for a contiguous 2-d sum over dim 0 (bias gradients) below 32,768
    elements: every column split (multiples of 4 lanes, the rest) against torch."""
    rows = data.draw(st.integers(2, 600))
    cols = data.draw(st.integers(2, min(200, 32767 // rows)))
    x = data.draw(hnp.arrays(dtype, (rows, cols), elements=floats(dtype)))
    keepdim = data.draw(st.booleans())
    assert same_bits(reduce.sum(x, [0], keepdim), torch_sum(x, [0], keepdim))
    assert same_bits(reduce.mean(x, [0], keepdim),
                     torch.from_numpy(x).mean(0, keepdim=keepdim).numpy())


@pytest.mark.parametrize("shape", [(16_000, 2), (8_191, 4), (4_097, 5), (2, 16_383)])
def test_small_dim0_sums_with_every_cascade_level(shape):
    x = np.random.default_rng(4).standard_normal(shape).astype(np.float32) * 1e3
    assert same_bits(reduce.sum(x, [0]), torch_sum(x, [0], False))


@SETTINGS
@given(n=st.integers(301, 32_767), seed=st.integers(0, 2**32 - 1),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_whole_sums_below_the_grain_are_bit_identical(n, seed, dtype):
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(n) * 10.0 ** rng.integers(-4, 5, n)).astype(dtype)
    assert same_bits(reduce.sum(x), torch_sum(x, None, False))


@pytest.mark.parametrize("alpha", [3.0, 0.75, -0.5, 1e-3, 1 + 2**-23, -(1 + 2**-23)])
def test_fma32_on_halfway_points_matches_add_with_alpha(alpha):
    """``fma32``'s shortcut rounds the float64 sum once unless it lies on a float32
    halfway point (or near zero): sums built on, just off and beside those points.
    With ``alpha = 1 + 2**-23`` and ``y = half an ulp * (1 - 2**-23)`` the exact sum is
    a hair from halfway and its float64 rounding lands on halfway: rounding that float64
    to float32 would be wrong on about half of them."""
    c, y = halfway_operands(50_000, alpha, seed=5)
    with np.errstate(all="ignore"):
        ours = mathfns.fma32(y, np.float32(alpha), c)
        added = mathfns.add_scaled(c, y, np.asarray(np.float32(alpha)))
    theirs = torch.add(torch.from_numpy(c), torch.from_numpy(y), alpha=alpha).numpy()
    assert same_bits(added, theirs)
    if reduce.cpu_capability() != "default":    # (the default build rounds twice: no fma)
        assert same_bits(ours, theirs)


def test_sum_with_fewer_threads_follows_set_num_threads():
    x = np.random.default_rng(2).standard_normal(200_000).astype(np.float32)
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(1)
        assert same_bits(reduce.sum(x, threads=1), torch.from_numpy(x).sum().numpy())
    finally:
        torch.set_num_threads(before)
    if before > 1:  # a different order, so the test above could fail
        assert reduce.sum(x, threads=1).tobytes() != reduce.sum(x, threads=before).tobytes()


def test_mean_of_float16_sums_in_float32():
    x = np.random.default_rng(3).standard_normal((37, 50)).astype(np.float16)
    for dims in (None, [0], [1]):
        assert same_bits(reduce.mean(x, dims), torch_sum(x, dims, False, "mean"))


def test_sum_differs_from_numpy_somewhere():
    """The kernel is not NumPy's pairwise sum under another name."""
    rng = np.random.default_rng(4)
    xs = [rng.standard_normal(1000).astype(np.float32) for _ in range(50)]
    assert any(reduce.sum(x) != np.sum(x) for x in xs)


# -- linspace, arange, logspace ------------------------------------------------------------
ends = st.floats(-1e4, 1e4, width=32)


@SETTINGS
@given(start=ends, end=ends, steps=st.integers(1, 5000),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_linspace_is_bit_identical(start, end, steps, dtype):
    theirs = torch.linspace(start, end, steps, dtype=torch.from_numpy(np.zeros(0, dtype)).dtype)
    assert same_bits(mathfns.linspace(start, end, steps, dtype), theirs.numpy())


def test_linspace_over_threads():
    assert same_bits(mathfns.linspace(-3, 7, 100_001), torch.linspace(-3, 7, 100_001).numpy())


@SETTINGS
@given(start=st.floats(-1e3, 1e3), length=st.floats(0.1, 300), step=st.floats(0.01, 5),
       dtype=st.sampled_from([np.float32, np.float64]))
def test_arange_is_bit_identical(start, length, step, dtype):
    tdtype = torch.float32 if dtype == np.float32 else torch.float64
    theirs = torch.arange(start, start + length, step, dtype=tdtype).numpy()
    assert same_bits(mathfns.arange(start, start + length, step, dtype), theirs)


@SETTINGS
@given(start=st.floats(-5, 5), end=st.floats(-5, 5), steps=st.integers(1, 2000),
       base=st.sampled_from([10.0, 2.0, np.e, 3.5]))
def test_logspace_float32_is_bit_identical(start, end, steps, base):
    theirs = torch.logspace(start, end, steps, base).numpy()
    assert same_bits(mathfns.logspace(start, end, steps, base), theirs)


# -- sigmoid and friends -------------------------------------------------------------------
@SETTINGS
@given(x=hnp.arrays(np.float32, st.integers(1, 200), elements=floats(np.float32)))
def test_sigmoid_is_bit_identical(x):
    assert same_bits(mathfns.sigmoid(x), torch.sigmoid(torch.from_numpy(x)).numpy())


def test_sigmoid_large_and_over_threads():
    x = (np.random.default_rng(5).standard_normal(100_003) * 20).astype(np.float32)
    assert same_bits(mathfns.sigmoid(x), torch.sigmoid(torch.from_numpy(x)).numpy())


@SETTINGS
@given(x=hnp.arrays(np.float32, st.integers(1, 100), elements=floats(np.float32)),
       exponent=st.sampled_from([2, 3, -1, -2, -0.5]))
def test_pow_special_exponents_and_rsqrt(x, exponent):
    theirs = torch.from_numpy(x).pow(exponent).numpy()
    assert same_bits(mathfns.pow_scalar(x, exponent), theirs)
    assert same_bits(mathfns.rsqrt(x), torch.rsqrt(torch.from_numpy(x)).numpy())


pairs = st.integers(1, 300).flatmap(lambda n: st.tuples(
    *(hnp.arrays(np.float32, n, elements=st.floats(-10, 10, width=32)) for _ in range(3))))


@SETTINGS
@given(arrays=pairs)
def test_backward_formulas_are_bit_identical(arrays):
    grad, x, target = arrays
    g, t = torch.from_numpy(grad), torch.from_numpy(target)
    y = np.tanh(x.astype(np.float64)).astype(np.float32)
    s = mathfns.sigmoid(x)
    aten = torch.ops.aten
    assert same_bits(mathfns.tanh_backward(grad, y),
                     aten.tanh_backward(g, torch.from_numpy(y)).numpy())
    assert same_bits(mathfns.sigmoid_backward(grad, s),
                     aten.sigmoid_backward(g, torch.from_numpy(s)).numpy())
    scalar = grad[:1].reshape(())
    for reduction, code in (("mean", 1), ("sum", 2)):
        theirs = aten.mse_loss_backward(torch.from_numpy(scalar), torch.from_numpy(x), t, code)
        assert same_bits(mathfns.mse_loss_backward(scalar, x, target, reduction), theirs.numpy())


# -- softmax ---------------------------------------------------------------------------
logits = st.tuples(st.integers(1, 8), st.integers(1, 70)).flatmap(lambda shape: st.tuples(
    *(hnp.arrays(np.float32, shape, elements=st.floats(-30, 30, width=32)) for _ in range(2))))


@SETTINGS
@given(arrays=logits)
def test_softmax_and_log_softmax_backward_are_bit_identical(arrays):
    x, grad = arrays
    t = torch.from_numpy(x).requires_grad_()
    out = torch.softmax(t, -1)
    assert same_bits(softmax.softmax_lastdim(x), out.detach().numpy())
    t2 = torch.from_numpy(x).requires_grad_()
    logs = torch.log_softmax(t2, -1)
    logs.backward(torch.from_numpy(grad))
    assert same_bits(softmax.log_softmax_lastdim(x), logs.detach().numpy())
    assert same_bits(softmax.log_softmax_backward_lastdim(grad, logs.detach().numpy()),
                     t2.grad.numpy())


any_dim_logits = hnp.array_shapes(min_dims=1, max_dims=4, min_side=1, max_side=24).flatmap(
    lambda shape: st.tuples(
        hnp.arrays(np.float32, shape, elements=st.one_of(
            st.floats(-30, 30, width=32), st.sampled_from([-np.inf, 0.0, -0.0, 80.0, -100.0]))),
        hnp.arrays(np.float32, shape, elements=st.floats(-4, 4, width=32)),
        st.integers(0, len(shape) - 1)))


@SETTINGS
@given(case=any_dim_logits, threads=st.sampled_from([1, 2, 3]))
def test_softmax_over_any_dim_forward_and_backward(case, threads):
    """Every dim (the last one too), on 1, 2 or 3 threads (the non-last-dim softmax splits
    its columns between threads, which decides which ones take the scalar ``exp``)."""
    x, grad, dim = case
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    reduce.set_num_threads(torch.get_num_threads())
    try:
        for name in ("softmax", "log_softmax"):
            t = torch.from_numpy(x).requires_grad_()
            out = getattr(torch, name)(t, dim)
            out.backward(torch.from_numpy(grad))
            y = out.detach().numpy()
            assert same_bits(getattr(softmax, name)(x, dim), y), name
            if name == "softmax" and dim == x.ndim - 1:
                continue                        # the last dim: 99.995%, pinned below
            backward = getattr(softmax, name + "_backward")
            assert same_bits(backward(grad, y, dim), t.grad.numpy()), name
    finally:
        torch.set_num_threads(before)
        reduce.set_num_threads(before)


def test_softmax_over_a_large_middle_dim():
    rng = np.random.default_rng(4)
    x = (rng.standard_normal((3, 50, 1400)) * 4).astype(np.float32)
    grad = rng.standard_normal(x.shape).astype(np.float32)
    for name in ("softmax", "log_softmax"):
        t = torch.from_numpy(x).requires_grad_()
        out = getattr(torch, name)(t, 1)
        out.backward(torch.from_numpy(grad))
        assert same_bits(getattr(softmax, name)(x, 1), out.detach().numpy())
        backward = getattr(softmax, name + "_backward")
        assert same_bits(backward(grad, out.detach().numpy(), 1), t.grad.numpy())


def test_glibc_expf():
    """The scalar tails' ``std::exp``: glibc's expf, which correct rounding misses."""
    import ctypes
    libm_so = ctypes.CDLL("libm.so.6")
    libm_so.expf.restype, libm_so.expf.argtypes = ctypes.c_float, [ctypes.c_float]
    rng = np.random.default_rng(2)
    x = np.concatenate([rng.uniform(-110, 90, 20000), rng.standard_normal(20000) * 3,
                        [0, -0.0, np.inf, -np.inf, np.nan, 88.72283, -103.97, 1e-45]])
    x = x.astype(np.float32)
    theirs = np.array([libm_so.expf(float(v)) for v in x], np.float32)
    assert same_bits(libm.expf(x), theirs)


# -- pow with other exponents ---------------------------------------------------------------
@SETTINGS
@given(x=hnp.arrays(np.float32, hnp.array_shapes(min_dims=1, max_dims=3, max_side=30),
                    elements=st.one_of(st.floats(0, 100, width=32), floats(np.float32))),
       exponent=st.one_of(st.sampled_from([1.5, 2.5, -1.5, 4.0, -3.0, 0.0, 1.0, 1 / 3]),
                          st.floats(-6, 6, width=32)),
       transposed=st.booleans())
def test_pow_with_any_exponent_is_bit_identical(x, exponent, transposed):
    """SLEEF's powf_u10 on the SIMD elements, C's pow on the others (sizes up to 27,000:
    both kinds in most draws), any strides."""
    if transposed:
        x = x.T
    theirs = torch.pow(torch.from_numpy(x), exponent).numpy()
    assert same_bits(powf.pow_scalar(x, exponent), theirs)


def test_sleef_powf_on_subnormal_and_huge_results():
    rng = np.random.default_rng(6)
    x = np.concatenate([np.exp(rng.uniform(-80, 80, 30000)), rng.uniform(-3, 3, 3000),
                        np.repeat([3e38, 1e38, 3.4e38, 1e-45, 0, np.inf, np.nan, -2.0], 40)])
    x = x.astype(np.float32)
    for exponent in (1.5, -1.5, 2.5, 7.0, 0.3):
        theirs = torch.pow(torch.from_numpy(x), exponent).numpy()
        assert same_bits(powf.pow_scalar(x, exponent), theirs)


def pow_operands() -> st.SearchStrategy:
    """Two float32 arrays of mutually broadcastable shapes (like (N, 1) and (3,)): bases
    positive, negative, awkward; exponents any, integers (negative bases), awkward."""
    @st.composite
    def draw_them(draw):
        shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                        max_side=45))
        bases = st.one_of(st.floats(0, 10, width=32), st.floats(-10, 10, width=32),
                          floats(np.float32))
        exponents = st.one_of(st.floats(-6, 6, width=32), st.integers(-7, 7).map(float),
                              floats(np.float32))
        x = draw(hnp.arrays(np.float32, shapes.input_shapes[0], elements=bases))
        y = draw(hnp.arrays(np.float32, shapes.input_shapes[1], elements=exponents))
        return x, y
    return draw_them()


@SETTINGS
@given(operands=pow_operands())
def test_pow_with_a_tensor_exponent_is_bit_identical(operands):
    """SLEEF's powf_u10 on the SIMD elements (both operands contiguous along the coalesced
    inner dim, or one steps by 0), glibc's powf on the others."""
    x, y = operands
    theirs = torch.pow(torch.from_numpy(x), torch.from_numpy(y)).numpy()
    assert same_bits(powf.pow_tensor(x, y), theirs)


def test_pow_tensor_on_learner_shapes_and_thread_chunks():
    """polynomial_nn.py's ``x.unsqueeze(-1).pow(tensor([1, 2, 3]))`` (all scalar code: 427
    of 6000 elements differed with NumPy's power), and sizes past the grain (two chunks)."""
    rng = np.random.default_rng(15)
    x = np.linspace(-np.pi, np.pi, 2000, dtype=np.float32)[:, None]
    p = np.array([1, 2, 3], np.float32)
    theirs = torch.from_numpy(x).pow(torch.from_numpy(p)).numpy()
    assert same_bits(powf.pow_tensor(x, p), theirs)
    for xs, ys in (((40001,), (40001,)), ((300, 211), (211,)), ((300, 211), (300, 1)),
                   ((1,), (33333,)), ((7, 1, 50), (4, 50))):
        x = rng.uniform(-2, 5, xs).astype(np.float32)
        y = rng.uniform(-4, 4, ys).astype(np.float32)
        theirs = torch.pow(torch.from_numpy(x), torch.from_numpy(y)).numpy()
        assert same_bits(powf.pow_tensor(x, y), theirs), (xs, ys)


def test_glibc_powf_is_the_c_librarys():
    import ctypes
    libm_so = ctypes.CDLL("libm.so.6")
    libm_so.powf.restype = ctypes.c_float
    libm_so.powf.argtypes = [ctypes.c_float, ctypes.c_float]
    rng = np.random.default_rng(16)
    special = np.array([0, -0.0, np.inf, -np.inf, np.nan, 1, -1, 1e-45, -1e-40, 3e38, -3e38,
                        2, -2, 0.5, -3, 0.9999999, 1.0000001], np.float32)
    x = np.concatenate([np.repeat(special, special.size), rng.uniform(-4, 4, 20000),
                        np.exp(rng.uniform(-87, 88, 20000)), rng.uniform(-1, 1, 5000) * 1e-38])
    y = np.concatenate([np.tile(special, special.size), rng.uniform(-6, 6, 45000)])
    y[-20000:] = np.round(y[-20000:])
    x, y = x.astype(np.float32), y.astype(np.float32)
    theirs = np.array([libm_so.powf(float(a), float(b)) for a, b in zip(x, y, strict=True)],
                      np.float32)
    assert same_bits(powf.glibc_powf(x, y), theirs)


# -- var, std, logsumexp ----------------------------------------------------------------
@SETTINGS
@given(case=strided_arrays(max_dims=3, max_side=30), correction=st.sampled_from([0, 1, 2, 0.5]),
       take_sqrt=st.booleans())
def test_var_and_std_are_bit_identical(case, correction, take_sqrt):
    """float64 shows the order (float32 rounds it away): both dtypes, any strides."""
    x, dims, keepdim = case
    dims = tuple(range(x.ndim)) if not dims else tuple(sorted(dims))
    fn = torch.std if take_sqrt else torch.var
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        theirs = fn(torch.from_numpy(x), dims, correction=correction, keepdim=keepdim).numpy()
    if theirs.size == 1:
        ours = moments.var_all(x, correction, take_sqrt).reshape(theirs.shape)
    else:
        ours = moments.var_dims(x, dims, keepdim, correction, take_sqrt)
    assert same_bits(ours.astype(x.dtype), theirs)


@pytest.mark.parametrize("shape, dims", [((70000,), (0,)), ((2, 40000), (1,)),
                                         ((3, 40000), (0,))])
def test_var_over_threads(shape, dims):
    x = np.random.default_rng(1).standard_normal(shape) * 3 + 7
    theirs = torch.var(torch.from_numpy(x), dims).numpy()
    ours = (moments.var_all(x, 1, False).reshape(()) if theirs.size == 1
            else moments.var_dims(x, dims, False, 1, False))
    assert same_bits(ours, theirs)


@SETTINGS
@given(case=strided_arrays(dtypes=(np.float32,), max_dims=3))
def test_logsumexp_sums_in_pytorchs_order(case):
    """Its sum is the sum kernel's: against torch's own composition with our exp."""
    x, dims, keepdim = case
    dims = tuple(range(x.ndim)) if not dims else tuple(sorted(dims))
    with np.errstate(all="ignore"):
        m = np.max(x, axis=dims, keepdims=True)
        m = np.where(np.isinf(m), 0, m).astype(x.dtype)
        e = mathfns.exp(x - m)
    sum_theirs = torch.sum(torch.from_numpy(e), dims, keepdim=keepdim).numpy()
    assert same_bits(reduce.sum(e, dims, keepdim), sum_theirs)
    with np.errstate(all="ignore"):             # log of PyTorch's sum, plus the max
        theirs = mathfns.log(sum_theirs) + (m if keepdim else np.squeeze(m, axis=dims))
    assert same_bits(softmax.logsumexp(x, dims, keepdim), theirs)


def test_logsumexp_agreement_as_measured():
    """VML's exp and log are not reproduced: at least the measured 98%."""
    rng = np.random.default_rng(3)
    same = total = 0
    for _ in range(60):
        shape = tuple(int(v) for v in rng.integers(1, 30, 2))
        x = (rng.standard_normal(shape) * 3).astype(np.float32)
        theirs = torch.logsumexp(torch.from_numpy(x), 1).numpy()
        same += int((softmax.logsumexp(x, (1,), False) == theirs).sum())
        total += theirs.size
    assert same / total >= 0.97


def test_softmax_backward_agreement_as_measured():
    """Not reproduced exactly (see the module): pinned at the measured agreement."""
    rng = np.random.default_rng(9)
    same, total = 0, 0
    for _ in range(100):
        shape = (int(rng.integers(1, 9)), int(rng.integers(1, 100)))
        x = (rng.standard_normal(shape) * 3).astype(np.float32)
        grad = rng.standard_normal(shape).astype(np.float32)
        t = torch.from_numpy(x).requires_grad_()
        out = torch.softmax(t, -1)
        out.backward(torch.from_numpy(grad))
        ours = softmax.softmax_backward_lastdim(grad, out.detach().numpy())
        same += int((ours == t.grad.numpy()).sum())
        total += x.size
    assert same / total >= 0.999


# -- nll_loss (cross_entropy's reduction) ----------------------------------------------------
@SETTINGS
@given(n=st.integers(1, 600), classes=st.integers(1, 12), weighted=st.booleans(),
       reduction=st.sampled_from(["mean", "sum"]), ignored=st.sampled_from([0.0, 0.0, 0.3]),
       dtype=st.sampled_from([np.float32, np.float64]), seed=st.integers(0, 2**16))
def test_nll_loss_is_bit_identical(n, classes, weighted, reduction, ignored, dtype, seed):
    rng = np.random.default_rng(seed)
    logp = rng.standard_normal((n, classes)).astype(dtype)
    target = rng.integers(0, classes, n)
    target[rng.random(n) < ignored] = -100
    weight = (rng.random(classes) + 0.5).astype(dtype) if weighted else None
    theirs = torch.nn.functional.nll_loss(
        torch.from_numpy(logp), torch.from_numpy(target),
        None if weight is None else torch.from_numpy(weight), reduction=reduction)
    assert same_bits(losses.nll_loss(logp, target, weight, reduction)[0], theirs.numpy())


# -- matmul ----------------------------------------------------------------------------
@pytest.mark.parametrize("a_shape,b_shape", [
    ((64, 1000), (1000, 100)), ((1000, 64), (64, 100)), ((64, 10), (10, 100)),
    ((64, 32), (32, 128)), ((1, 1000), (1000, 100)), ((64, 100), (100, 8)), ((5, 3), (3, 4))])
def test_mm_in_mkls_order(a_shape, b_shape):
    rng = np.random.default_rng(6)
    a = rng.standard_normal(a_shape).astype(np.float32)
    b = rng.standard_normal(b_shape).astype(np.float32)
    assert same_bits(linalg.mm(a, b), (torch.from_numpy(a) @ torch.from_numpy(b)).numpy())


def test_linear_with_bias_in_mkls_order():
    rng = np.random.default_rng(7)
    x, w = rng.standard_normal((64, 1000)), rng.standard_normal((100, 1000))
    b = rng.standard_normal(100).astype(np.float32)
    x, w = x.astype(np.float32), w.astype(np.float32)
    theirs = torch.nn.functional.linear(*map(torch.from_numpy, (x, w, b))).numpy()
    assert same_bits(linalg.mm(x, w.T, b), theirs)


# -- another CPU capability -------------------------------------------------------------------
AVX2_SCRIPT = """
import numpy as np, torch
from microgrid._kernels import mathfns, powf, reduce, softmax
assert torch.backends.cpu.get_cpu_capability() == "AVX2"
rng = np.random.default_rng(8)
for n in list(range(1, 70)) + [1000, 40000]:
    x = rng.standard_normal(n).astype(np.float32)
    assert reduce.sum(x).tobytes() == torch.from_numpy(x).sum().numpy().tobytes(), n
    s = torch.sigmoid(torch.from_numpy(x * 9)).numpy()
    assert mathfns.sigmoid(x * 9).tobytes() == s.tobytes(), n
    assert mathfns.linspace(-2, 3.5, n).tobytes() == torch.linspace(-2, 3.5, n).numpy().tobytes()
    x2 = x.reshape(1, -1) * 5
    theirs = torch.softmax(torch.from_numpy(x2), -1).numpy()
    assert softmax.softmax_lastdim(x2).tobytes() == theirs.tobytes(), n
    theirs = torch.log_softmax(torch.from_numpy(x2), -1).numpy()
    assert softmax.log_softmax_lastdim(x2).tobytes() == theirs.tobytes(), n
for shape, dim in (((5, 37, 3), 0), ((4, 9, 21), 1), ((2, 6, 40, 3), 2)):
    x = (rng.standard_normal(shape) * 4).astype(np.float32)
    g = rng.standard_normal(shape).astype(np.float32)
    for name in ("softmax", "log_softmax"):
        t = torch.from_numpy(x).requires_grad_()
        out = getattr(torch, name)(t, dim)
        out.backward(torch.from_numpy(g))
        assert getattr(softmax, name)(x, dim).tobytes() == out.detach().numpy().tobytes()
        back = getattr(softmax, name + "_backward")(g, out.detach().numpy(), dim)
        assert back.tobytes() == t.grad.numpy().tobytes(), (name, shape)
x = np.exp(rng.uniform(-60, 60, 5000)).astype(np.float32)
for exponent in (1.5, -1.5, 0.3):
    theirs = torch.pow(torch.from_numpy(x), exponent).numpy()
    assert powf.pow_scalar(x, exponent).tobytes() == theirs.tobytes()
for xs, ys in (((1003,), (1003,)), ((2000, 1), (3,)), ((50, 40), (40,)), ((1,), (999,))):
    x = rng.uniform(0, 5, xs).astype(np.float32)
    y = rng.uniform(-4, 4, ys).astype(np.float32)
    theirs = torch.pow(torch.from_numpy(x), torch.from_numpy(y)).numpy()
    assert powf.pow_tensor(x, y).tobytes() == theirs.tobytes(), (xs, ys)
print("ok")
"""


def test_kernels_follow_aten_cpu_capability_avx2():
    if "avx2" not in open("/proc/cpuinfo").read():
        pytest.skip("no AVX2 on this CPU")
    env = dict(os.environ, ATEN_CPU_CAPABILITY="avx2")
    done = subprocess.run([sys.executable, "-c", AVX2_SCRIPT], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.stdout.strip() == "ok", done.stderr


DEFAULT_SCRIPT = """
import numpy as np, torch
from microgrid._kernels import mathfns, powf
assert torch.backends.cpu.get_cpu_capability() == "DEFAULT"
rng = np.random.default_rng(9)
for n in (5, 17, 31, 100, 1003, 40001):
    x = np.exp(rng.uniform(-60, 60, n)).astype(np.float32)
    y = rng.uniform(-4, 4, n).astype(np.float32)
    for exponent in (1.5, 0.3, -1.5):
        theirs = torch.pow(torch.from_numpy(x), exponent).numpy()
        assert powf.pow_scalar(x, exponent).tobytes() == theirs.tobytes(), (n, exponent)
    with np.errstate(all="ignore"):
        theirs = torch.pow(torch.from_numpy(x), torch.from_numpy(y)).numpy()
        assert powf.pow_tensor(x, y).tobytes() == theirs.tobytes(), n
        theirs = torch.add(torch.from_numpy(y), torch.from_numpy(x), alpha=-0.37).numpy()
        ours = mathfns.add_scaled(y, x, np.asarray(np.float32(-0.37)))
        assert ours.tobytes() == theirs.tobytes(), n
print("ok")
"""


def test_kernels_follow_aten_cpu_capability_default():
    """The build without AVX: pow's vector code is glibc's powf per lane (8 lanes), and
    ``add`` with ``alpha`` multiplies and adds (two roundings, no fma)."""
    env = dict(os.environ, ATEN_CPU_CAPABILITY="default")
    done = subprocess.run([sys.executable, "-c", DEFAULT_SCRIPT], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.stdout.strip() == "ok", done.stderr


VIEWS = {"contiguous": lambda t: t, "columns with gaps": lambda t: t[:, ::2],
         "rows with gaps": lambda t: t[::2], "transposed": lambda t: t.t(),
         "transposed with gaps": lambda t: t.t()[::3], "cut rows": lambda t: t[:, :37],
         "1-d with gaps": lambda t: t[0, ::2]}


@pytest.mark.parametrize("view", list(VIEWS))
@pytest.mark.parametrize("shape", [(40, 74), (300, 400)])
def test_unary_kernels_walk_views_as_tensor_iterator(view, shape):
    """A view with gaps is computed all in scalar code or row by row, a dense one in
    memory order: pow(x, number) and sigmoid on views, bit for bit (the second shape
    spreads over threads)."""
    rng = np.random.default_rng(len(view) + shape[0])
    source = torch.from_numpy((rng.standard_normal(shape) * 3).astype(np.float32))
    theirs_view = VIEWS[view](source)
    ours_view = theirs_view.numpy()               # the same strides, the same memory
    assert same_bits(mathfns.sigmoid(ours_view), torch.sigmoid(theirs_view).numpy())
    positive = VIEWS[view](source.abs() + 0.01)
    for exponent in (2.2, 1.5, -0.7):
        assert same_bits(powf.pow_scalar(positive.numpy(), exponent),
                         torch.pow(positive, exponent).numpy())
