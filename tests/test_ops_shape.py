"""Shape ops against PyTorch: view, reshape, flatten, t/T/mT, transpose, permute,
squeeze, unsqueeze, expand_as, contiguous, cat, stack, unbind and iteration.

Every op runs under both libraries through ``difftest.check`` (values,
gradients, dtypes, the graph node for node, repr, errors, warnings);
hypothesis draws shapes (0-d and size-1 dims included), dtypes and dims.
Each op's backward is also checked against finite differences with
``microgrid.autograd.gradcheck``, without torch.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import torch
from difftest import assert_same_error, check, const, float_arrays, float_dtypes, shapes
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrid
from microgrid.autograd.gradcheck import gradcheck
from microgrid.autograd.walk import signature

SETTINGS = settings(max_examples=40, deadline=None)


@st.composite
def arrays(draw, min_dims=0, max_dims=4):
    shape = draw(shapes(min_dims=min_dims, max_dims=max_dims))
    return draw(float_arrays(draw(float_dtypes), shape))


@st.composite
def regrouped(draw, shape):
    """A shape with the same number of elements: the sizes shuffled and
    merged into groups, maybe with one of them written as -1."""
    sizes = list(shape)
    draw(st.randoms()).shuffle(sizes)
    groups = []
    while sizes:
        take = draw(st.integers(1, len(sizes)))
        groups.append(int(np.prod(sizes[:take])))
        sizes = sizes[take:]
    groups += [1] * draw(st.integers(0, 1))
    if groups and draw(st.booleans()):
        groups[draw(st.integers(0, len(groups) - 1))] = -1
    return tuple(groups)


def signed_dim(draw, ndim):
    """A valid dim of an ndim-d tensor, maybe negative."""
    span = max(ndim, 1)
    dim = draw(st.integers(0, span - 1))
    return dim - span if draw(st.booleans()) else dim


def grad_ok(fn, *arrays_):
    """gradcheck in float64 on fresh leaves made from ``arrays_``."""
    inputs = [microgrid.tensor(a.astype(np.float64), requires_grad=True) for a in arrays_]
    assert gradcheck(fn, tuple(inputs))


# -- view / reshape / flatten ---------------------------------------------------------
@SETTINGS
@given(data=st.data())
def test_view_and_reshape(data):
    array = data.draw(arrays())
    target = data.draw(regrouped(array.shape))
    transposed = data.draw(st.booleans())  # a non-contiguous input: view fails, reshape copies

    def prepare(x):
        return x.transpose(0, -1) if transposed else x

    check(lambda lib, x: prepare(x).view(target), array)
    check(lambda lib, x: prepare(x).reshape(*target), array)
    check(lambda lib, x: lib.reshape(prepare(x), target), array)


@SETTINGS
@given(data=st.data())
def test_flatten(data):
    array = data.draw(arrays())
    start, end = signed_dim(data.draw, array.ndim), signed_dim(data.draw, array.ndim)
    transposed = data.draw(st.booleans())
    check(lambda lib, x: (x.mT if transposed and x.dim() >= 2 else x).flatten(start, end), array)
    check(lambda lib, x: lib.flatten(x, start), array)
    check(lambda lib, x: x.flatten(), array)


def test_flatten_of_one_dim_is_the_tensor_itself():
    x = microgrid.ones(2, 3, requires_grad=True)
    assert x.flatten(1, 1) is x and x.flatten(-1, 1) is x


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.view(5),
    lambda lib, x: x.view(-1, -1),
    lambda lib, x: x.view(-2, 12),
    lambda lib, x: x.reshape(7, -1),
    lambda lib, x: lib.zeros(0, 3).view(-1, 0),
    lambda lib, x: x.transpose(0, 1).view(-1),
    lambda lib, x: x.flatten(2, 1),
    lambda lib, x: x.flatten(0, 3),
    lambda lib, x: lib.ones(()).flatten(1),
])
def test_view_errors(fn):
    assert_same_error(lambda lib: fn(lib, lib.ones(2, 3, 4)))


def test_views_share_storage_and_version():
    for lib in (torch, microgrid):
        x = lib.ones(2, 3)
        v = x.view(6)
        r = x.t().reshape(6)  # a copy: separate storage
        v[1:3].zero_()
        assert x.tolist() == [[1.0, 0.0, 0.0], [1.0, 1.0, 1.0]]
        assert v._version == x._version == 1 and r.tolist() == [1.0] * 6
        assert x.t()._base is x and v[1:]._base is x and r._base is None


# -- transposes ---------------------------------------------------------------------
@SETTINGS
@given(data=st.data())
def test_transpose_and_permute(data):
    array = data.draw(arrays())
    d0, d1 = signed_dim(data.draw, array.ndim), signed_dim(data.draw, array.ndim)
    order = data.draw(st.permutations(range(array.ndim)))
    order = [d - array.ndim if data.draw(st.booleans()) else d for d in order]
    check(lambda lib, x: x.transpose(d0, d1), array)
    check(lambda lib, x: lib.transpose(x, d0, d1), array)
    check(lambda lib, x: x.permute(*order), array)
    check(lambda lib, x: lib.permute(x, tuple(order)), array)


@SETTINGS
@given(array=arrays(max_dims=2))
def test_t(array):
    check(lambda lib, x: x.t(), array)
    check(lambda lib, x: lib.t(x), array)


@SETTINGS
@given(array=arrays(min_dims=2, max_dims=2))
def test_T_of_a_matrix(array):  # noqa: N802 - torch's name
    check(lambda lib, x: x.T, array)


@SETTINGS
@given(array=arrays(min_dims=2))
def test_mT(array):  # noqa: N802 - torch's name
    check(lambda lib, x: x.mT, array)


@pytest.mark.parametrize("shape", [(), (3,), (2, 3, 4)])
def test_T_of_other_dims_reverses_them_with_a_warning_once(shape):  # noqa: N802
    """PyTorch warns once per process: compare the result, and that a warning
    of the same text was given by each library at most once."""
    array = np.arange(np.prod(shape), dtype=np.float32).reshape(shape)
    results = []
    for lib in (torch, microgrid):
        x = lib.tensor(array, requires_grad=True)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            first, second = x.T, x.T
        texts = [str(w.message) for w in caught]
        assert len(texts) <= 1 and first.tolist() == second.tolist()
        results.append((first.tolist(), signature(first), texts))
    assert results[0][:2] == results[1][:2]
    assert not results[0][2] or not results[1][2] or results[0][2] == results[1][2]


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.t(),
    lambda lib, x: x.transpose(0, 3),
    lambda lib, x: x.permute(0, 1),
    lambda lib, x: x.permute(0, 1, 1),
    lambda lib, x: x.permute(0, 1, 3),
    lambda lib, x: x[0, 0].mT,
])
def test_transpose_errors(fn):
    assert_same_error(lambda lib: fn(lib, lib.ones(2, 3, 4)))


# -- squeeze / unsqueeze / expand_as ------------------------------------------------------
@st.composite
def with_ones(draw):
    """Arrays whose shapes have some size-1 dims."""
    shape = draw(shapes(max_dims=4, max_side=3))
    shape = tuple(1 if draw(st.booleans()) else s for s in shape)
    return draw(float_arrays(draw(float_dtypes), shape))


@SETTINGS
@given(data=st.data())
def test_squeeze(data):
    array = data.draw(with_ones())
    dim = signed_dim(data.draw, array.ndim)
    dims = tuple(data.draw(st.lists(st.integers(0, max(array.ndim, 1) - 1), unique=True)))
    check(lambda lib, x: x.squeeze(), array)
    check(lambda lib, x: x.squeeze(dim), array)
    check(lambda lib, x: lib.squeeze(x, dims), array)


@SETTINGS
@given(data=st.data())
def test_unsqueeze(data):
    array = data.draw(arrays())
    span = array.ndim + 1
    dim = data.draw(st.integers(-span, span - 1))
    check(lambda lib, x: x.unsqueeze(dim), array)
    check(lambda lib, x: lib.unsqueeze(x, dim).unsqueeze(0).squeeze(dim), array)


@SETTINGS
@given(data=st.data())
def test_expand_as(data):
    array = data.draw(with_ones())
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2))
    target = tuple(lead) + tuple(data.draw(st.integers(1, 3)) if s == 1 else s
                                 for s in array.shape)
    check(lambda lib, x, y: x.expand_as(y), array, const(np.zeros(target, np.float32)))


@pytest.mark.parametrize("fn", [
    lambda lib, x: x.squeeze(3),
    lambda lib, x: x.squeeze((0, 0)),
    lambda lib, x: x.unsqueeze(4),
    lambda lib, x: x.unsqueeze(-5),
    lambda lib, x: x.expand_as(lib.ones(3, 4)),
])
def test_squeeze_errors(fn):
    assert_same_error(lambda lib: fn(lib, lib.ones(2, 3, 4)))


# -- contiguous -----------------------------------------------------------------------
@SETTINGS
@given(array=arrays(min_dims=2))
def test_contiguous(array):
    check(lambda lib, x: x.contiguous(), array)
    check(lambda lib, x: x.mT.contiguous(), array)
    for lib in (torch, microgrid):
        x = lib.tensor(array)
        assert x.contiguous() is x and x.is_contiguous()
        assert x.mT.is_contiguous() == (array.shape[-1] == 1 or array.shape[-2] == 1)


# -- clone keeps the memory layout ------------------------------------------------------
@st.composite
def laid_out(draw):
    """An array, an order of its dims and a step per dim: the view
    ``x.permute(order)[steps]`` is transposed, and has gaps where a step is 2."""
    array = draw(arrays(min_dims=1))
    order = tuple(draw(st.permutations(range(array.ndim))))
    steps = tuple(slice(None, None, draw(st.sampled_from([1, 2]))) for _ in order)
    return array, order, steps


@SETTINGS
@given(case=laid_out())
def test_clone_keeps_the_memory_layout(case):
    """PyTorch's clone keeps the order of the dims in memory (preserve_format),
    so viewing the copy flat fails where viewing the original would."""
    array, order, steps = case
    check(lambda lib, x: x.permute(order)[steps].clone().view(-1), array)
    layouts = [lib.tensor(array).permute(order)[steps].clone().is_contiguous()
               for lib in (torch, microgrid)]
    assert layouts[0] == layouts[1]


def test_clone_of_a_transpose_and_of_an_expansion():
    assert_same_error(lambda lib: lib.ones(2, 3).t().clone().view(-1))
    for lib in (torch, microgrid):
        assert lib.ones(3).expand(2, 3).clone().is_contiguous()  # expanded: row-major
        x = lib.ones(2, 3, requires_grad=True)
        y = x * 1
        y.retain_grad()
        (y.t() * lib.ones(3, 2)).sum().backward()
        assert not y.t().clone().is_contiguous()
        assert y.grad.is_contiguous()  # retain_grad copies row-major, whatever arrives


# -- cat / stack ----------------------------------------------------------------------
@st.composite
def joinable(draw, same_shape):
    """2-3 arrays of mixed float dtypes, equal in all dims but (unless
    ``same_shape``) one, and a dim to join them along."""
    shape = draw(shapes(min_dims=1))
    dim = signed_dim(draw, len(shape) + (1 if same_shape else 0))
    result = []
    for _ in range(draw(st.integers(1, 3))):
        own = list(shape)
        if not same_shape:
            own[dim] = draw(st.integers(0, 3))
        result.append(draw(float_arrays(draw(float_dtypes), tuple(own))))
    return result, dim


@SETTINGS
@given(case=joinable(same_shape=False))
def test_cat(case):
    parts, dim = case
    check(lambda lib, *xs: lib.cat(xs, dim), *parts)
    check(lambda lib, *xs: lib.cat(list(xs), dim=dim) * 2, *parts)


@SETTINGS
@given(case=joinable(same_shape=True))
def test_stack(case):
    parts, dim = case
    check(lambda lib, *xs: lib.stack(xs, dim), *parts)


def test_cat_and_stack_mix_dtypes_and_constants():
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    check(lambda lib, x, n: lib.cat([x, n, x], 1), a, np.ones((2, 2), np.int64))
    check(lambda lib, x, y: lib.stack([x, y], -1), a, const(a.astype(np.float64)))
    check(lambda lib, x, e: lib.cat([e, x, e], 1), a, np.zeros(0, np.float32))  # legacy skip
    check(lambda lib, e: lib.cat([e, e]), np.zeros(0, np.float64))


@pytest.mark.parametrize("fn", [
    lambda lib, x: lib.cat([]),
    lambda lib, x: lib.cat(x),
    lambda lib, x: lib.cat([x, 1]),
    lambda lib, x: lib.cat([x, lib.ones(2, 2, 4)]),
    lambda lib, x: lib.cat([x, lib.ones(3, 3, 4)], -2),
    lambda lib, x: lib.cat([x, lib.ones(2, 3)]),
    lambda lib, x: lib.cat([x, lib.ones(())]),
    lambda lib, x: lib.cat([x, x], 3),
    lambda lib, x: lib.stack([]),
    lambda lib, x: lib.stack([x, lib.ones(2, 2, 4)]),
    lambda lib, x: lib.stack([x, x], 4),
])
def test_join_errors(fn):
    assert_same_error(lambda lib: fn(lib, lib.ones(2, 3, 4)))


# -- unbind / iteration -------------------------------------------------------------------
@SETTINGS
@given(data=st.data())
def test_unbind_and_iteration(data):
    array = data.draw(arrays(min_dims=1))
    dim = signed_dim(data.draw, array.ndim)
    check(lambda lib, x: x.unbind(dim), array)
    check(lambda lib, x: lib.unbind(x, dim)[-1] * 3, array)
    check(lambda lib, x: list(x), array)
    check(lambda lib, x: [row.sum() for row in x][0], array)


def test_iteration_errors():
    assert_same_error(lambda lib: list(lib.ones(())))
    assert_same_error(lambda lib: lib.ones(()).unbind())


# -- gradients against finite differences -------------------------------------------------
GRADCHECKED = {
    "view": (lambda x: x.view(4, 3), (3, 4)),
    "reshape_copy": (lambda x: x.t().reshape(-1), (3, 4)),
    "flatten": (lambda x: x.flatten(1), (2, 3, 2)),
    "t": (lambda x: x.t() * x.t(), (3, 4)),
    "T": (lambda x: x.T, (3, 4)),
    "mT": (lambda x: x.mT, (2, 3, 4)),
    "transpose": (lambda x: x.transpose(0, 2), (2, 3, 4)),
    "permute": (lambda x: x.permute(2, 0, 1), (2, 3, 4)),
    "squeeze": (lambda x: x.squeeze(), (2, 1, 3, 1)),
    "squeeze_dim": (lambda x: x.squeeze(1), (2, 1, 3)),
    "squeeze_dims": (lambda x: x.squeeze((1, 3)), (2, 1, 3, 1)),
    "unsqueeze": (lambda x: x.unsqueeze(-1), (2, 3)),
    "expand_as": (lambda x: x.expand_as(microgrid.ones(4, 2, 3)), (2, 1)),
    "contiguous": (lambda x: x.t().contiguous(), (3, 4)),
    "cat": (lambda x: microgrid.cat([x, x * x], 1), (2, 3)),
    "stack": (lambda x: microgrid.stack([x, x * x], 1), (2, 3)),
    "unbind": (lambda x: x.unbind(1), (2, 3)),
}


@pytest.mark.parametrize("name", sorted(GRADCHECKED))
def test_gradcheck(name):
    fn, shape = GRADCHECKED[name]
    grad_ok(fn, np.random.default_rng(0).standard_normal(shape))


@pytest.mark.parametrize("name", ["view", "t", "permute", "squeeze", "unsqueeze", "cat", "stack",
                                  "unbind", "transpose", "reshape_copy"])
def test_double_backward_matches_torch(name):
    """The backward of each op is built from differentiable ops: differentiate
    the gradient again and compare with PyTorch."""
    fn, shape = GRADCHECKED[name]
    array = np.random.default_rng(1).standard_normal(shape)
    tfn = {"cat": lambda x: torch.cat([x, x * x], 1),
           "stack": lambda x: torch.stack([x, x * x], 1)}.get(name, fn)
    results = []
    for lib, f in ((torch, tfn), (microgrid, fn)):
        x = lib.tensor(array, requires_grad=True)
        outputs = f(x)
        outputs = outputs if isinstance(outputs, tuple) else (outputs,)
        total = sum(((o * o).sum() for o in outputs), lib.tensor(0.0, dtype=lib.float64))
        (g,) = lib.autograd.grad(total, x, create_graph=True)
        (gg,) = lib.autograd.grad((g * g).sum(), x)
        results.append((g.detach().numpy(), gg.numpy()))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-12)
    np.testing.assert_allclose(results[1][1], results[0][1], rtol=1e-12)
