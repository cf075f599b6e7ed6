"""Linear algebra against PyTorch: matmul (@) in all its variants, mm, mv, dot,
bmm, outer.

``matmul`` is a composite in PyTorch: which nodes it records depends on the
operands' dims, on their strides and on which of them requires grad.  The
tests draw all of these and compare the whole graph node for node, as well
as values, gradients, dtypes and errors.  Gradients are also checked against
finite differences with ``microgrid.autograd.gradcheck``, without torch.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from difftest import assert_same_error, check, const, float_arrays, float_dtypes
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrid
from microgrid.autograd.gradcheck import gradcheck

SETTINGS = settings(max_examples=50, deadline=None)


@st.composite
def matmul_operands(draw):
    """Two operands of one float dtype whose matmul is defined: 1-d to 4-d,
    with broadcastable batch dims, each maybe a constant, maybe transposed
    in memory (same values, other strides)."""
    dtype = draw(float_dtypes)
    n, m, p = (draw(st.integers(1, 4)) for _ in range(3))
    dims_a, dims_b = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    batch = [draw(st.integers(1, 3)) for _ in range(max(dims_a, dims_b) - 2)]

    def batch_of(dims):
        own = batch[len(batch) - max(dims - 2, 0):]
        return [1 if draw(st.booleans()) else s for s in own]

    shape_a = batch_of(dims_a) + ([n, m] if dims_a > 1 else [m])
    shape_b = batch_of(dims_b) + ([m, p] if dims_b > 1 else [m])
    arrays = []
    for shape in (shape_a, shape_b):
        array = draw(float_arrays(dtype, tuple(shape), -3, 3))
        arrays.append(const(array) if draw(st.integers(0, 3)) == 0 else array)
    layout = draw(st.sampled_from(["plain", "transposed", "batch-transposed"]))
    return arrays, layout


def relayout(x, layout):
    """The same values in another memory layout (strides matter to matmul)."""
    if layout == "transposed" and x.dim() >= 2:
        return x.mT.contiguous().mT
    if layout == "batch-transposed" and x.dim() >= 3:
        return x.transpose(0, 1).contiguous().transpose(0, 1)
    return x


@SETTINGS
@given(case=matmul_operands())
def test_matmul(case):
    (a, b), layout = case
    check(lambda lib, x, y: relayout(x, layout) @ relayout(y, layout), a, b)
    check(lambda lib, x, y: lib.matmul(x, relayout(y, layout)), a, b)
    check(lambda lib, x, y: relayout(x, layout).matmul(y), a, b)


@pytest.mark.parametrize("shapes", [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
    ((2, 3), (5, 3, 4)), ((5, 2, 3), (5, 3, 4)), ((5, 1, 2, 3), (4, 3, 2)), ((3,), (5, 3, 4)),
    ((5, 2, 3), (3,)), ((1, 2, 3), (5, 3, 4)), ((5, 2, 3), (1, 3, 4)), ((2, 0), (0, 3)),
    ((0, 2, 3), (3, 4)), ((3, 5, 0), (0, 2)), ((2, 1, 2, 3), (1, 3, 3, 4)),
])
@pytest.mark.parametrize("grads", [(True, True), (True, False), (False, True)])
def test_matmul_graph_of_each_variant(shapes, grads):
    rng = np.random.default_rng(0)
    a, b = (rng.standard_normal(s).astype(np.float32) for s in shapes)
    check(lambda lib, x, y: x @ y, a if grads[0] else const(a), b if grads[1] else const(b))


@SETTINGS
@given(dtype=float_dtypes, data=st.data())
def test_mm_mv_dot_bmm_outer(dtype, data):
    n, m, p, b = (data.draw(st.integers(1, 4)) for _ in range(4))

    def arr(*shape):
        return data.draw(float_arrays(dtype, shape, -3, 3))

    check(lambda lib, x, y: lib.mm(x, y), arr(n, m), arr(m, p))
    check(lambda lib, x, y: x.mm(y), arr(n, m), const(arr(m, p)))
    check(lambda lib, x, y: lib.mv(x, y), arr(n, m), arr(m))
    check(lambda lib, x, y: x.mv(y), const(arr(n, m)), arr(m))
    check(lambda lib, x, y: lib.dot(x, y), arr(m), arr(m))
    check(lambda lib, x, y: x.dot(y), arr(m), const(arr(m)))
    check(lambda lib, x, y: lib.bmm(x, y), arr(b, n, m), arr(b, m, p))
    check(lambda lib, x, y: x.bmm(y), const(arr(b, n, m)), arr(b, m, p))
    check(lambda lib, x, y: lib.outer(x, y), arr(n), arr(p))
    check(lambda lib, x, y: x.outer(y), arr(n), const(arr(p).astype(np.float64)))


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.int8, np.uint8, np.float16])
def test_other_dtypes(dtype):
    rng = np.random.default_rng(0)
    a = rng.integers(0, 50, (2, 3, 4)).astype(dtype)
    b = rng.integers(0, 50, (4, 5)).astype(dtype)
    check(lambda lib, x, y: x @ y, a, b)
    check(lambda lib, x, y: x[0] @ y, a, b)
    check(lambda lib, x, y: x[0, 0] @ y[:, 0], a, b)
    check(lambda lib, x, y: x[0] @ y[:, 0], a, b)
    check(lambda lib, x, y: x @ y.expand(2, 4, 5), a, b)
    check(lambda lib, x, y: lib.outer(x[0, 0], y[0].double()), a, b)


@pytest.mark.parametrize("fn", [
    lambda lib, f, d, n, b: lib.mm(f(2, 3), f(4, 5)),
    lambda lib, f, d, n, b: f(2, 3) @ f(4, 5),
    lambda lib, f, d, n, b: lib.mm(f(3), f(3, 5)),
    lambda lib, f, d, n, b: lib.mm(f(2, 2, 3), f(3, 5)),
    lambda lib, f, d, n, b: lib.mm(f(2, 3), f(3)),
    lambda lib, f, d, n, b: lib.mm(f(2, 3), d(3, 5)),
    lambda lib, f, d, n, b: lib.mm(n(2, 3), f(3, 5)),
    lambda lib, f, d, n, b: lib.mm(b(2, 3), b(3, 5)),
    lambda lib, f, d, n, b: lib.mm(f(2, 3), d(4, 5)),
    lambda lib, f, d, n, b: lib.mm([[1.0]], f(1, 1)),
    lambda lib, f, d, n, b: lib.mm(f(1, 1), 2),
    lambda lib, f, d, n, b: lib.mv(f(2, 3), f(4)),
    lambda lib, f, d, n, b: f(2, 3) @ f(4),
    lambda lib, f, d, n, b: lib.mv(f(3), f(3)),
    lambda lib, f, d, n, b: lib.mv(f(3, 3), f(3, 1)),
    lambda lib, f, d, n, b: lib.mv(f(2, 3), d(3)),
    lambda lib, f, d, n, b: lib.mv(n(2, 3), f(3)),
    lambda lib, f, d, n, b: lib.mv(b(2, 3), b(3)),
    lambda lib, f, d, n, b: lib.dot(f(3), f(4)),
    lambda lib, f, d, n, b: f(3) @ f(4),
    lambda lib, f, d, n, b: lib.dot(f(3, 1), f(3)),
    lambda lib, f, d, n, b: lib.dot(f(3), d(4)),
    lambda lib, f, d, n, b: lib.dot(n(3), f(3)),
    lambda lib, f, d, n, b: lib.dot(b(3), b(3)),
    lambda lib, f, d, n, b: f(3) @ f(4, 5),
    lambda lib, f, d, n, b: b(3) @ b(3, 3),
    lambda lib, f, d, n, b: lib.bmm(f(2, 2, 3), f(2, 4, 5)),
    lambda lib, f, d, n, b: lib.bmm(f(2, 2, 3), f(3, 3, 5)),
    lambda lib, f, d, n, b: lib.bmm(f(2, 3), f(3, 5)),
    lambda lib, f, d, n, b: lib.bmm(f(2, 2, 3), f(3, 5)),
    lambda lib, f, d, n, b: lib.bmm(f(2, 2, 3), d(2, 3, 5)),
    lambda lib, f, d, n, b: lib.bmm(b(2, 2, 3), b(2, 3, 5)),
    lambda lib, f, d, n, b: f(2, 2, 3) @ f(2, 4, 5),
    lambda lib, f, d, n, b: f(2, 2, 3) @ f(3, 3, 5),
    lambda lib, f, d, n, b: f(2, 1, 2, 3) @ f(3, 4, 5),
    lambda lib, f, d, n, b: f(2, 2, 3) @ f(4),
    lambda lib, f, d, n, b: f(4) @ f(2, 3, 5),
    lambda lib, f, d, n, b: f() @ f(3),
    lambda lib, f, d, n, b: f(3) @ f(),
    lambda lib, f, d, n, b: f(2, 3) @ d(3, 5),
    lambda lib, f, d, n, b: f(2, 2, 3) @ d(3, 5),
    lambda lib, f, d, n, b: f(2, 2, 3) @ d(2, 3, 5),
    lambda lib, f, d, n, b: f(3) @ d(2, 3, 4),
    lambda lib, f, d, n, b: f(3) @ [1.0, 2.0, 3.0],
    lambda lib, f, d, n, b: [1.0, 2.0, 3.0] @ f(3),
    lambda lib, f, d, n, b: f(3) @ 2,
    lambda lib, f, d, n, b: lib.matmul(f(3), [1.0]),
    lambda lib, f, d, n, b: lib.outer(f(2, 1), f(3)),
    lambda lib, f, d, n, b: lib.outer(f(2), f(3, 1)),
])
@pytest.mark.parametrize("grad", [False, True])
def test_errors(fn, grad):
    def run(lib):
        def make(dtype):
            return lambda *shape: lib.ones(shape, dtype=dtype, requires_grad=grad
                                           and dtype in (lib.float32, lib.float64))
        return fn(lib, make(lib.float32), make(lib.float64), make(lib.int64), make(lib.bool))

    assert_same_error(run)


GRADCHECKED = {
    "dot": (lambda x, y: x @ y, (3,), (3,)),
    "mv": (lambda x, y: x @ y, (2, 3), (3,)),
    "vm": (lambda x, y: x @ y, (3,), (3, 2)),
    "mm": (lambda x, y: x @ y, (2, 3), (3, 2)),
    "folded": (lambda x, y: x @ y, (2, 2, 3), (3, 2)),
    "folded_left": (lambda x, y: x @ y, (2, 3), (2, 3, 2)),
    "folded_vector": (lambda x, y: x @ y, (2, 2, 3), (3,)),
    "bmm": (lambda x, y: x @ y, (2, 2, 3), (2, 3, 2)),
    "broadcast": (lambda x, y: x @ y, (2, 1, 2, 3), (3, 3, 2)),
    "batch_vector": (lambda x, y: x @ y, (3,), (2, 3, 2)),
    "outer": (lambda x, y: microgrid.outer(x, y), (3,), (2,)),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKED))
def test_gradcheck(name):
    fn, shape_a, shape_b = GRADCHECKED[name]
    rng = np.random.default_rng(0)
    inputs = tuple(microgrid.tensor(rng.standard_normal(s), requires_grad=True)
                   for s in (shape_a, shape_b))
    assert gradcheck(fn, inputs)


@pytest.mark.parametrize("name", sorted(GRADCHECKED))
def test_double_backward_matches_torch(name):
    """The backward of every product is made of products: differentiate the
    gradients again (a Hessian-vector product) and compare with PyTorch."""
    fn, shape_a, shape_b = GRADCHECKED[name]
    rng = np.random.default_rng(1)
    arrays = [rng.standard_normal(s) for s in (shape_a, shape_b)]
    results = []
    for lib in (torch, microgrid):
        x, y = (lib.tensor(a, requires_grad=True) for a in arrays)
        out = lib.outer(x, y) if name == "outer" else fn(x, y)
        gx, gy = lib.autograd.grad((out * out).sum(), (x, y), create_graph=True)
        second = lib.autograd.grad((gx * gx).sum() + (gy * gy).sum(), (x, y))
        results.append([g.detach().numpy() for g in (gx, gy, *second)])
    for ours, theirs in zip(results[1], results[0], strict=True):
        np.testing.assert_allclose(ours, theirs, rtol=1e-10)
