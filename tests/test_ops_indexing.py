"""Indexing against PyTorch: ``x[...]`` with ints, slices (with steps), None,
Ellipsis, bools, integer lists and tensors, boolean masks, and every mix of
them; ``select`` and ``narrow``.

PyTorch records a chain of nodes for a compound index (``SelectBackward0``,
``SliceBackward0``, ``UnsqueezeBackward0`` ... then one ``IndexBackward0``);
``difftest.check`` compares that chain node for node, with the values, the
gradients (repeated indices add up), the dtypes, errors and warnings.  The
backward of each node is itself differentiable: the graph of the gradient
(``SelectBackwardBackward0``, ``IndexPutImplBackward0`` ...) is compared too.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from difftest import assert_same_error, check, float_arrays, float_dtypes, shapes
from hypothesis import assume, given, settings
from hypothesis import strategies as st

import microgrid
from microgrid.autograd.gradcheck import gradcheck

SETTINGS = settings(max_examples=60, deadline=None)


# -- index specs: drawn once, built for each library -------------------------------------
def build(lib, spec):
    """The index described by ``spec`` for library ``lib`` (tensors are the
    library's own)."""
    def part(kind, value):
        if kind == "slice":
            return slice(*value)
        if kind == "tensor":
            return lib.tensor(value)
        return {"none": None, "ellipsis": Ellipsis}.get(kind, value)

    kind, parts = spec
    built = [part(*p) for p in parts]
    return tuple(built) if kind == "tuple" else built[0]


@st.composite
def index_specs(draw, shape):
    """A valid index for ``shape``: a tuple of parts, or a lone part."""
    parts, dim = [], 0
    used_ellipsis = False
    for _ in range(draw(st.integers(0, len(shape) + 1))):
        kinds = ["int", "slice", "none", "bool", "list", "tensor", "mask"]
        if not used_ellipsis:
            kinds.append("ellipsis")
        kind = draw(st.sampled_from(kinds))
        if kind in ("int", "slice", "list", "tensor", "mask") and dim >= len(shape):
            kind = "none"
        if kind == "int":
            parts.append(("int", draw(st.integers(-shape[dim], shape[dim] - 1))))
            dim += 1
        elif kind == "slice":
            bound = st.none() | st.integers(-shape[dim] - 2, shape[dim] + 2)
            step = draw(st.none() | st.integers(1, 3))
            parts.append(("slice", (draw(bound), draw(bound), step)))
            dim += 1
        elif kind in ("list", "tensor"):
            values = draw(st.lists(st.integers(-shape[dim], shape[dim] - 1), max_size=3))
            parts.append((kind, values if kind == "list" else np.array(values, np.int64)))
            dim += 1
        elif kind == "mask":
            covered = draw(st.integers(1, len(shape) - dim))
            mask_shape = shape[dim:dim + covered]
            parts.append(("tensor", draw(st.lists(st.booleans(), min_size=int(np.prod(mask_shape)),
                                                  max_size=int(np.prod(mask_shape))).map(
                lambda v, s=mask_shape: np.array(v, bool).reshape(s)))))
            dim += covered
        elif kind == "bool":
            parts.append(("bool", draw(st.booleans())))
        else:
            used_ellipsis = used_ellipsis or kind == "ellipsis"
            parts.append((kind, None))
    if len(parts) == 1 and draw(st.booleans()):
        return ("lone", parts)
    return ("tuple", parts)


@SETTINGS
@given(data=st.data())
def test_getitem(data):
    shape = data.draw(shapes(max_dims=4))
    array = data.draw(float_arrays(data.draw(float_dtypes), shape))
    spec = data.draw(index_specs(shape))
    check(lambda lib, x: x[build(lib, spec)], array)
    check(lambda lib, x: (x * 2)[build(lib, spec)], array)


@SETTINGS
@given(data=st.data())
def test_gradient_of_the_gradient(data):
    """The gradient of ``x[index]`` as a function of the output gradient:
    its graph (SelectBackwardBackward0, IndexPutImplBackward0 ...) and values."""
    shape = data.draw(shapes(min_dims=1, max_dims=3))
    array = data.draw(float_arrays(np.float64, shape))
    spec = data.draw(index_specs(shape))
    try:
        out_shape = tuple(torch.zeros(shape)[build(torch, spec)].shape)
    except IndexError:  # e.g. index lists that do not broadcast: test_getitem covers it
        assume(False)
    upstream = data.draw(float_arrays(np.float64, out_shape))

    def grad_of(lib, x, g):
        return lib.autograd.grad(x[build(lib, spec)], x, g, create_graph=True,
                                 allow_unused=True)[0]

    check(grad_of, array, upstream)


@pytest.mark.parametrize("index", [
    1, -1, slice(1, 3), slice(None), slice(None, None, 2), Ellipsis, None, True, False, (),
    [0, 2], [0, 2, 0], [[0, 1], [1, 2]], [slice(None), 1], [0, True], [True, False, True, True],
    [1.7], [], (1, 2), (1, 2, 3), (slice(None), 1), (Ellipsis, 1), (None, 1), (1, None),
    (slice(None),), (slice(None), slice(None)), (Ellipsis, Ellipsis), (Ellipsis, 0, Ellipsis),
    ([0, 1], slice(None), [1, 2]), ([0, 1], None, [1, 2]), (slice(None), None, [0, 1], None),
    (1, [0, 2]), ([1], 1), (None, [0, 1]), (True, None, 0), (False, 0), (slice(None), True),
    (1, slice(1, None)), (slice(1, 100, 3), 0), (slice(3, 1),), (slice(-100, 2), -2),
    (np.int64(1), np.array([1, 2])), ((0, 1),),
])
def test_getitem_cases(index):
    array = np.arange(60, dtype=np.float32).reshape(4, 3, 5)
    check(lambda lib, x: x[index], array)


@pytest.mark.parametrize("make", [
    lambda lib: lib.tensor([0, 2, 0]),
    lambda lib: lib.tensor(1),
    lambda lib: lib.tensor(True),
    lambda lib: lib.tensor([[0, 1], [1, 2]]),
    lambda lib: lib.tensor([1, 0], dtype=lib.int32),
    lambda lib: lib.tensor([1, 0, 1, 1], dtype=lib.uint8),
    lambda lib: lib.tensor([[True, False, True]] * 4),
    lambda lib: (lib.tensor([0, 1]), lib.tensor([1, 1])),
    lambda lib: (slice(None), lib.tensor([[0], [1]]), lib.tensor([0, 4])),
    lambda lib: (lib.tensor([0, 1]), None, lib.tensor([0, 1])),
    lambda lib: (1, lib.tensor(2)),
    lambda lib: (slice(lib.tensor(1), lib.tensor(3)),),
])
def test_getitem_with_tensors(make):
    array = np.arange(60, dtype=np.float64).reshape(4, 3, 5)
    check(lambda lib, x: x[make(lib)], array)
    check(lambda lib, x: x[x > 30], array)
    check(lambda lib, x: x[(x > 30)[:, :, 0]], array)


def test_repeated_indices_add_up():
    array = np.arange(6, dtype=np.float32).reshape(3, 2)
    check(lambda lib, x: x[[0, 0, 2, 0]], array)
    check(lambda lib, x: x[[0, 0, 1], [1, 1, 1]] * x[[1, 1, 1], [1, 1, 1]], array)


def test_zero_dim_tensor():
    array = np.array(3.0, np.float32)
    for index in (Ellipsis, None, True, False, (), (None, None)):
        check(lambda lib, x, i=index: x[i], array)


@pytest.mark.parametrize("fn", [
    lambda lib, x: x[4],
    lambda lib, x: x[-5],
    lambda lib, x: x[0, 3],
    lambda lib, x: x[:, -4],
    lambda lib, x: x[None, 0, 9],
    lambda lib, x: x[..., 9],
    lambda lib, x: x[0, ..., 9],
    lambda lib, x: x[[0], 9],
    lambda lib, x: x[True, 9],
    lambda lib, x: x[1, 2, 3, 4],
    lambda lib, x: x[0, 0, 0, [0]],
    lambda lib, x: x[[0, 4]],
    lambda lib, x: x[[-5]],
    lambda lib, x: x[1, [0, 5]],
    lambda lib, x: x[[0, 5], [0, 9]],
    lambda lib, x: x[[0, 9], [5, 0]],
    lambda lib, x: x[[0, 1], [0, 1, 2]],
    lambda lib, x: x[lib.tensor([True, False, True])],
    lambda lib, x: x[:, lib.ones(3, 4, dtype=lib.bool)],
    lambda lib, x: x[[[True, False, True]]],
    lambda lib, x: x[lib.tensor([1.0])],
    lambda lib, x: x[lib.tensor(1.0)],
    lambda lib, x: x[lib.tensor([1], dtype=lib.int16)],
    lambda lib, x: x[lib.tensor([1], dtype=lib.int8)],
    lambda lib, x: x[1.5],
    lambda lib, x: x[np.bool_(True)],
    lambda lib, x: x["a"],
    lambda lib, x: x[::-1],
    lambda lib, x: x[::0],
    lambda lib, x: lib.ones(())[0],
    lambda lib, x: lib.ones(())[:],
    lambda lib, x: lib.ones(())[[0]],
    lambda lib, x: lib.ones(())[0, None],
    lambda lib, x: x.select(1, 3),
    lambda lib, x: x.select(1, -4),
    lambda lib, x: x.select(3, 0),
    lambda lib, x: lib.ones(()).select(0, 0),
    lambda lib, x: x.narrow(1, 2, 2),
    lambda lib, x: x.narrow(1, 4, 0),
    lambda lib, x: x.narrow(1, -4, 0),
    lambda lib, x: x.narrow(0, 0, -1),
    lambda lib, x: x.narrow(3, 0, 1),
    lambda lib, x: lib.ones(()).narrow(0, 0, 1),
])
def test_errors(fn):
    assert_same_error(lambda lib: fn(lib, lib.ones(4, 3, 5)))


@SETTINGS
@given(data=st.data())
def test_select_and_narrow(data):
    shape = data.draw(shapes(min_dims=1, max_dims=4))
    array = data.draw(float_arrays(data.draw(float_dtypes), shape))
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    size = shape[dim]
    index = data.draw(st.integers(-size, size - 1))
    start = data.draw(st.integers(-size, size))
    length = data.draw(st.integers(0, size - (start % size if start < 0 else start)))
    check(lambda lib, x: x.select(dim, index), array)
    check(lambda lib, x: lib.select(x, dim, index), array)
    check(lambda lib, x: x.narrow(dim, start, length), array)
    check(lambda lib, x: lib.narrow(x, dim, start, length), array)


def test_views_share_storage_and_copies_do_not():
    for lib in (torch, microgrid):
        x = lib.zeros(3, 4)
        row, part, alias, gathered = x[1], x[:, 1:3], x[...], x[[0, 1]]
        x.zero_()  # bumps the shared version counter
        assert row._version == part._version == alias._version == x._version == 1
        assert gathered._version == 0
        assert row._base is x and part._base is x and alias._base is x
        assert gathered._base is None


GRADCHECKED = {
    "select": lambda x: x[1],
    "compound": lambda x: x[1:, None, ::2],
    "negative_step_free": lambda x: x[..., -1],
    "repeated": lambda x: x[[0, 0, 2]],
    "pairs": lambda x: x[[0, 2, 0], [1, 1, 1]],
    "mask": lambda x: x[x > 0],
    "mixed": lambda x: x[[1, 0], :, None][:, 1:],
    "narrow": lambda x: x.narrow(1, 1, 2),
    "bool": lambda x: x[True, 0],
    "alias": lambda x: x[...] * x[:, :],
}


@pytest.mark.parametrize("name", sorted(GRADCHECKED))
def test_gradcheck(name):
    x = microgrid.tensor(np.random.default_rng(0).standard_normal((3, 4)), requires_grad=True)
    assert gradcheck(GRADCHECKED[name], (x,))


@pytest.mark.parametrize("name", sorted(GRADCHECKED))
def test_double_backward_gradcheck(name):
    """The gradient, as a function of x and of the output gradient, is itself
    checked against finite differences."""
    rng = np.random.default_rng(1)
    x = microgrid.tensor(rng.standard_normal((3, 4)), requires_grad=True)
    shape = GRADCHECKED[name](x).shape
    g = microgrid.tensor(rng.standard_normal(tuple(shape)), requires_grad=True)

    def gradient(x, g):
        (dx,) = microgrid.autograd.grad(GRADCHECKED[name](x), x, g, create_graph=True)
        return dx * dx

    assert gradcheck(gradient, (x, g))
