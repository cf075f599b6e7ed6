"""The speed paths of ``microgrid/_kernels`` against PyTorch, bit for bit, across their thresholds.

Each fast path (``docs/performance.md``, "Making the exact kernels fast again") claims to do
the same arithmetic as the path it short-cuts; these tests draw sizes on both sides of each
threshold and awkward values (subnormals, +-0, inf, nan, huge, halfway points), so a fast
path that rounds, orders or slices differently fails here:

* ``mathfns._fma32_slices`` (fma32 of ``_SLICE``+ elements, ``tanh_backward``): slices,
  broadcast operands, the halfway and subnormal repairs landing in any slice;
* ``mathfns.correctly_rounded`` in slices: the same numbers as the one-piece path;
* ``reduce._block_sums`` (level 0 of big 2-d cascades), the contiguous whole sums over
  threads (``_two_pass``'s flat path), the dim-0 slabs of big tensors (``_columns``);
* ``reduce._plans``: a remembered plan is keyed by strides too (a transposed view of the
  same shape must not take the contiguous path);
* below the slices (performance.md, "Round 3"): ``fma32`` through ``astype`` and in-place
  ufuncs, ``tanh_backward`` from ``y`` in float64 without repairs where ``1 - y*y`` is
  exact, both with transposed operands; ``quiet.silent``: kernels raise no NumPy warning
  and leave the caller's ``np.errstate`` alone, in any thread.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from microgrid._kernels import mathfns, reduce

SLICE = mathfns._SLICE
SIZES = [SLICE - 1, SLICE, SLICE + 1, 2 * SLICE + 17, 5 * SLICE - 3]
AWKWARD32 = np.array([0.0, -0.0, 1e-45, -1e-45, 1e-40, -3e-39, 2.0**-126, np.inf, -np.inf,
                      np.nan, 3e38, -3e38], np.float32)


def same_bits(ours: np.ndarray, theirs: np.ndarray) -> bool:
    ours, theirs = np.asarray(ours), np.asarray(theirs)
    if ours.shape != theirs.shape or ours.dtype != theirs.dtype:
        return False
    width = {4: np.uint32, 8: np.uint64}[ours.dtype.itemsize]
    a, b = np.ascontiguousarray(ours).view(width), np.ascontiguousarray(theirs).view(width)
    return bool(np.all((a == b) | (np.isnan(ours) & np.isnan(theirs))))


def halfway_operands(n: int, alpha: float, seed: int) -> tuple:
    """``c`` and ``y`` with ``c + alpha*y`` on, beside and a hair from float32 halfway
    points (see ``test_kernels_numerics.test_fma32_on_halfway_points...``), over float32's
    whole range, subnormals included, with awkward values scattered in every slice."""
    rng = np.random.default_rng(seed)
    c = (rng.standard_normal(n) * 2.0 ** rng.integers(-140, 120, n)).astype(np.float32)
    half_ulp = np.spacing(np.abs(c)).astype(np.float64) / 2
    nudge = rng.choice([0.0, 2.0**-30, -2.0**-30, 2.0**-24, -2.0**-45], n)
    y = (half_ulp / alpha * (1 + nudge)).astype(np.float32)
    y = np.where(rng.random(n) < 0.3, np.nextafter(y, np.float32(np.inf)), y)
    hair = (half_ulp * (1 - 2.0**-23) * rng.choice([1.0, -1.0], n)).astype(np.float32)
    y = np.where(rng.random(n) < 0.4, hair, y)
    where = rng.random(n) < 0.02
    c[where] = rng.choice(AWKWARD32, int(where.sum()))
    where = rng.random(n) < 0.02
    y[where] = rng.choice(AWKWARD32, int(where.sum()))
    return c, y


# -- fma32 in slices -----------------------------------------------------------------------
@pytest.mark.parametrize("n", SIZES)
@pytest.mark.parametrize("alpha", [1 + 2**-23, -0.75, 1e-3, 3.0])
def test_fma32_slices_match_add_with_alpha(n, alpha):
    c, y = halfway_operands(n, alpha, seed=n)
    with np.errstate(all="ignore"):
        ours = mathfns.add_scaled(c, y, np.asarray(np.float32(alpha)))
    theirs = torch.add(torch.from_numpy(c), torch.from_numpy(y), alpha=alpha).numpy()
    assert same_bits(ours, theirs)


@pytest.mark.parametrize("n", [SLICE - 1, SLICE + 1, 3 * SLICE])
def test_fma32_slices_only_one_tiny_result(n):
    """One subnormal result in one slice, all others normal: the slice-level check must
    still find it.  ``c = 2**-130 + 2**-149`` (subnormal, odd) plus ``alpha*y =
    2**-150 * (1 - 2**-46)``: the exact sum is a hair below the halfway point
    ``c + 2**-150`` (single rounding: ``c``); its float64 rounding is that halfway point
    (ties to even: ``c + 2**-149``, wrong), and its 29 low float64 bits are zero, so only
    the subnormal test catches it."""
    rng = np.random.default_rng(7)
    c = rng.standard_normal(n).astype(np.float32) + np.float32(4)
    y = rng.standard_normal(n).astype(np.float32)
    k = n - 5
    c[k] = np.float32(2.0**-130 + 2.0**-149)
    y[k] = np.float32((1 - 2.0**-23) * 2.0**-100)
    alpha = (1 + 2.0**-23) * 2.0**-50
    with np.errstate(all="ignore"):
        ours = mathfns.add_scaled(c, y, np.asarray(np.float32(alpha)))
    theirs = torch.add(torch.from_numpy(c), torch.from_numpy(y), alpha=alpha).numpy()
    assert ours[k] == c[k]
    assert same_bits(ours, theirs)


@pytest.mark.parametrize("shape_a,shape_c", [((300, 200), (200,)), ((200,), (300, 200)),
                                             ((), (40_000,)), ((40_000,), ())])
def test_fma32_slices_with_broadcast_operands(shape_a, shape_c):
    rng = np.random.default_rng(8)
    a = np.asarray(rng.standard_normal(shape_a).astype(np.float32))
    c = np.asarray(rng.standard_normal(shape_c).astype(np.float32))
    b = np.float32(-0.37)
    theirs = torch.add(torch.from_numpy(c), torch.from_numpy(a), alpha=float(b)).numpy()
    assert same_bits(mathfns.add_scaled(c, a, np.asarray(b)), theirs)
    if reduce.cpu_capability() != "default":    # (the default build rounds twice: no fma)
        assert same_bits(mathfns.fma32(a, b, c), theirs)
    else:
        assert not same_bits(mathfns.fma32(a, b, c), theirs)


@pytest.mark.parametrize("n", SIZES)
def test_tanh_backward_in_slices(n):
    """``grad * (1 - y*y)`` with saturated ``y`` (exact zeros), nan, subnormal and huge
    gradients; the one-piece path and torch agree with the sliced one."""
    rng = np.random.default_rng(n)
    y = np.tanh(rng.standard_normal(n) * 4).astype(np.float32)
    y[rng.random(n) < 0.1] = np.float32(1)
    y[rng.random(n) < 0.01] = rng.choice(AWKWARD32, 1)[0]
    grad = rng.standard_normal(n).astype(np.float32)
    grad[rng.random(n) < 0.02] = rng.choice(AWKWARD32, 1)[0]
    with np.errstate(all="ignore"):
        ours = mathfns.tanh_backward(grad, y)
    theirs = torch.ops.aten.tanh_backward(torch.from_numpy(grad), torch.from_numpy(y)).numpy()
    assert same_bits(ours, theirs)


@pytest.mark.parametrize("fn", [np.tanh, np.exp, np.log, np.sin])
def test_correctly_rounded_in_slices_equals_one_piece(fn):
    """The sliced path is the one-piece float64 round trip, cut into pieces."""
    rng = np.random.default_rng(9)
    x = (rng.standard_normal(3 * SLICE + 11) * 5).astype(np.float32)
    x[::997] = rng.choice(AWKWARD32, x[::997].size)
    with np.errstate(all="ignore"):
        whole = fn(x.astype(np.float64)).astype(np.float32)
    assert same_bits(mathfns.correctly_rounded(fn, x), whole)
    assert same_bits(mathfns.correctly_rounded(fn, x.reshape(-1, 1)), whole.reshape(-1, 1))


# -- sums ------------------------------------------------------------------------------------
def torch_sum(x: np.ndarray, dims=None, keepdim: bool = False) -> np.ndarray:
    return torch.from_numpy(x).sum(dim=None if dims is None else tuple(dims),
                                   keepdim=keepdim).numpy()


@settings(max_examples=25, deadline=None)
@given(n=st.one_of(st.integers(15_000, 18_000), st.integers(32_000, 33_500),
                   st.integers(60_000, 70_000), st.integers(200_000, 1_100_000)),
       seed=st.integers(0, 2**32 - 1), dtype=st.sampled_from([np.float32, np.float64]),
       awkward=st.booleans())
def test_big_whole_sums(n, seed, dtype, awkward):
    """Whole contiguous sums across ``_BLOCKS_MIN``, ``GRAIN_SIZE`` and the thread split;
    magnitudes spread so that the order of the additions shows in the last bits."""
    rng = np.random.default_rng(seed)
    x = (rng.standard_normal(n) * 10.0 ** rng.integers(-4, 5, n)).astype(dtype)
    if awkward:
        x[rng.integers(0, n, 20)] = rng.choice(AWKWARD32, 20).astype(dtype)
    with np.errstate(all="ignore"):
        assert same_bits(reduce.sum(x), torch_sum(x))
        assert same_bits(reduce.mean(x), torch.from_numpy(x).mean().numpy())


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_big_whole_sums_per_thread_count(threads):
    x = np.random.default_rng(11).standard_normal(300_001).astype(np.float32) * 100
    before = torch.get_num_threads()
    try:
        torch.set_num_threads(threads)
        assert same_bits(reduce.sum(x, threads=threads), torch_sum(x))
    finally:
        torch.set_num_threads(before)


@pytest.mark.parametrize("n", [16_384, 40_000, 600_000])
def test_sums_of_negative_zeros(n):
    """All -0: PyTorch's zeroed accumulators make the sum +0 (every path ends in ``+ 0``,
    so an empty cascade level may be skipped or added: either way +0)."""
    for x in (np.full(n, -0.0, np.float32), np.full((n // 8, 8), -0.0, np.float32)):
        assert same_bits(reduce.sum(x), torch_sum(x))
        assert same_bits(reduce.sum(x, [0]), torch_sum(x, [0]))


@pytest.mark.parametrize("shape", [(1024, 1024), (1024, 10), (70_000, 3), (33, 1000),
                                   (4100, 9), (300, 130)])
@pytest.mark.parametrize("view", ["plain", "sliced", "column-major"])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dim0_sums_of_big_and_strided_tensors(shape, view, dtype):
    rng = np.random.default_rng(12)
    x = (rng.standard_normal(shape) * 10.0 ** rng.integers(-3, 4, shape)).astype(dtype)
    x = {"plain": x, "sliced": x[:, 1:], "column-major": np.asfortranarray(x)}[view]
    for keepdim in (False, True):
        assert same_bits(reduce.sum(x, [0], keepdim), torch_sum(x, [0], keepdim))
    assert same_bits(reduce.sum(x, [1]), torch_sum(x, [1]))


def test_plans_are_keyed_by_strides_and_dims():
    """The same shape contiguous, transposed and sliced, dims as a list or a tuple, in
    alternation: each must be planned for its own layout."""
    rng = np.random.default_rng(13)
    plain = rng.standard_normal((64, 128)).astype(np.float32)
    transposed = rng.standard_normal((128, 64)).astype(np.float32).T
    sliced = rng.standard_normal((64, 256)).astype(np.float32)[:, ::2]
    for _ in range(2):
        for x in (plain, transposed, sliced):
            for dims in ([0], (0,), None, [1], (0, 1)):
                for keepdim in (False, True):
                    assert same_bits(reduce.sum(x, dims, keepdim), torch_sum(x, dims, keepdim))


def tanh_backward_operands(shape: tuple, seed: int) -> tuple:
    """``grad`` and ``y`` where ``1 - y*y`` lands on float32 halfway points (``y = n *
    2**-14``, odd ``n`` in [14189, 14983]: ``1 - y*y`` is an odd multiple of 2**-28 in
    [1/8, 1/4); nearly saturated ``y = +-(1 - k * 2**-24)``), which the small path leaves
    unrepaired where ``1 - y*y`` is exact in float64 (2**-3 <= |y| < 2**24, both ends
    drawn); saturated ``y`` (exact zeros), +-0 and awkward values."""
    rng = np.random.default_rng(seed)
    n = int(np.prod(shape))
    y = np.tanh(rng.standard_normal(n) * 3).astype(np.float32)
    where = rng.random(n) < 0.3
    y[where] = (rng.integers(14189 // 2, 14983 // 2, int(where.sum())) * 2 + 1) * 2.0**-14
    y[rng.random(n) < 0.05] = rng.choice([1.0, -1.0, 0.0, -0.0])
    where = rng.random(n) < 0.2                              # nearly saturated: halfway too
    y[where] = rng.choice([1.0, -1.0], int(where.sum())) * (
        1 - rng.integers(1, 3000, int(where.sum())) * 2.0**-24)
    where = rng.random(n) < 0.05                             # the exact range's ends
    y[where] = rng.choice(np.array([0.125, 2.0**24, -2.0**24, 2.0**25 + 2, 3e-3], np.float32)
                          * rng.choice([1, np.float32(1 - 2.0**-24)]), int(where.sum()))
    where = rng.random(n) < 0.05
    y[where] = rng.choice(AWKWARD32, int(where.sum()))
    grad = rng.standard_normal(n).astype(np.float32)
    where = rng.random(n) < 0.05
    grad[where] = rng.choice(AWKWARD32, int(where.sum()))
    return grad.reshape(shape), y.reshape(shape)


@pytest.mark.parametrize("shape", [(1,), (7,), (100,), (64, 128), (SLICE - 1,), (SLICE,)])
def test_tanh_backward_below_the_slices(shape):
    """The small-array ``tanh_backward`` (1 - y*y from ``y`` in float64, no ``-y``) on
    halfway points, zeros and awkward values, on both sides of the slice size."""
    for seed in range(3):
        grad, y = tanh_backward_operands(shape, seed)
        ours = mathfns.tanh_backward(grad, y)
        theirs = torch.ops.aten.tanh_backward(torch.from_numpy(grad), torch.from_numpy(y))
        assert same_bits(ours, theirs.numpy())
    ours = mathfns.tanh_backward(np.float32(2.5), y)           # a broadcast gradient
    theirs = torch.ops.aten.tanh_backward(torch.tensor(2.5), torch.from_numpy(y))
    assert same_bits(ours, theirs.numpy())


def test_kernels_are_silent_and_leave_numpy_settings_alone():
    """Kernels run without NumPy's warnings (in the prepared context, or directly when
    already in it), in any thread, and the caller's ``np.errstate`` is untouched."""
    import threading
    import warnings

    from microgrid._kernels import quiet

    big = np.array([3e38, -3e38, np.inf, 0.0], np.float32)

    def calls() -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            with np.errstate(all="raise"):
                mathfns.add_scaled(big, big, np.float32(1e30))
                mathfns.tanh_backward(big, big)
                quiet.compute(mathfns.add_scaled, big, big, np.asarray(np.float32(1e30)))
                quiet.quietly(mathfns.tanh, big)
                assert np.geterr()["over"] == "raise"
                with pytest.raises(FloatingPointError):
                    big * big
        assert np.geterr()["over"] != "raise"

    calls()
    failures = []
    thread = threading.Thread(target=lambda: failures.append(calls()))
    thread.start()
    thread.join()
    assert failures == [None]


# -- fma32 below the slices: astype and in-place ufuncs when ``a`` has the result's shape --
SMALL = [1, 3, 10, 128, 1280, 4096, SLICE - 1]


@pytest.mark.parametrize("n", SMALL)
@pytest.mark.parametrize("alpha", [1 + 2**-23, -0.01, 3.0])
def test_fma32_below_the_slices_matches_add_with_alpha(n, alpha):
    """Halfway points, a hair from them, subnormals and awkward values, small arrays
    (the SGD update of a bias or a small weight)."""
    c, y = halfway_operands(max(n, 64), alpha, seed=n)
    c, y = c[:n], y[:n]
    ours = mathfns.add_scaled(c, y, np.asarray(np.float32(alpha)))
    theirs = torch.add(torch.from_numpy(c), torch.from_numpy(y), alpha=alpha).numpy()
    assert same_bits(ours, theirs)


def test_fma32_below_the_slices_one_tiny_result():
    """The subnormal-only repair (see ``test_fma32_slices_only_one_tiny_result``) in a
    small array."""
    c = np.full(10, 4, np.float32)
    y = np.ones(10, np.float32)
    c[3], y[3] = np.float32(2.0**-130 + 2.0**-149), np.float32((1 - 2.0**-23) * 2.0**-100)
    alpha = (1 + 2.0**-23) * 2.0**-50
    ours = mathfns.add_scaled(c, y, np.asarray(np.float32(alpha)))
    theirs = torch.add(torch.from_numpy(c), torch.from_numpy(y), alpha=alpha).numpy()
    assert ours[3] == c[3]
    assert same_bits(ours, theirs)


@pytest.mark.parametrize("shape_a,shape_b,shape_c", [
    ((64, 128), (), (64, 128)), ((64, 128), (128,), (64, 128)), ((64, 128), (64, 128), ()),
    ((64, 128), (), (128,)), ((128,), (), (64, 128)), ((), (64, 128), (64, 128)),
    ((10,), (10,), (10,))])
def test_fma32_below_the_slices_with_broadcast_operands(shape_a, shape_b, shape_c):
    """``a`` with and without the result's shape (only the former takes the astype path).
    ``addcmul`` is fused except in PyTorch's ``default`` build; ``fma32`` always is."""
    if reduce.cpu_capability() == "default":
        pytest.skip("torch's default build does not fuse addcmul")
    rng = np.random.default_rng(9)
    a, b, c = (np.asarray((rng.standard_normal(s) * 2.0 ** rng.integers(-30, 30, s))
                          .astype(np.float32)) for s in (shape_a, shape_b, shape_c))
    ours = mathfns.fma32(a, b, c)
    wide = a.astype(np.float64) * b.astype(np.float64) + c.astype(np.float64)   # (a check
    theirs = torch.addcmul(torch.from_numpy(c), torch.from_numpy(a), torch.from_numpy(b))
    assert ours.shape == theirs.shape
    assert same_bits(ours, theirs.numpy())
    assert np.all(np.abs(ours - wide) <= np.spacing(np.abs(ours)))               # of both)


@pytest.mark.parametrize("n", [64, 4096])
def test_fma32_of_transposed_operands_below_the_slices(n):
    """Transposed (Fortran-ordered) operands: the repair writes into the result through
    flat C-order indices, so the result must be C-ordered."""
    c, y = halfway_operands(n, -0.75, seed=n)
    c, y = c.reshape(-1, 16).T, y.reshape(-1, 16).T
    ours = mathfns.add_scaled(c, y, np.asarray(np.float32(-0.75)))
    theirs = torch.add(torch.from_numpy(c), torch.from_numpy(y), alpha=-0.75).numpy()
    assert same_bits(ours, theirs)
    ours = mathfns.tanh_backward(c, np.ascontiguousarray(y).T.copy().T)
    theirs = torch.ops.aten.tanh_backward(torch.from_numpy(c), torch.from_numpy(y)).numpy()
    assert same_bits(ours, theirs)
