"""The tensor surface learner programs use (issue 16), against PyTorch.

Values (bit for bit where microgrid claims it), gradients, node names, repr
and errors of: ``norm``, ``log10``/``log2``/``log1p``/``expm1``,
``cumsum``/``cumprod``/``flip``, ``all``/``any``, ``isclose``/``allclose``/
``equal``, ``histc``/``histogram``, ``new_*``, ``from_numpy``, NumPy's
``axis=``/``keepdims=``/``size=``, indexing with a ``range``, ``t[i] = v``
with a ``(1, k)`` value, and the CPU build's answers about CUDA and MPS.
hypothesis draws the shapes, values and dims.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from difftest import assert_same_error, check, dims, float_arrays, float_dtypes, shapes
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrid

SETTINGS = settings(max_examples=25, deadline=None)
NORMS = [2, 1, "fro", float("inf"), float("-inf"), 3, 0.5, 1.5]


def bits(fn):
    """``fn(lib)`` under both libraries, as NumPy arrays (a tensor's values, or a number)."""
    out = []
    for lib in (torch, microgrid):
        value = fn(lib)
        out.append(np.asarray(value.detach().numpy() if hasattr(value, "detach") else value))
    return out


@st.composite
def array_and_dim(draw, allow_tuple=True, allow_none=True, **bounds):
    shape = draw(shapes(min_dims=1))
    array = draw(float_arrays(draw(float_dtypes), shape, **bounds))
    return array, draw(dims(len(shape), allow_none=allow_none, allow_tuple=allow_tuple))


# -- norm ---------------------------------------------------------------------------
@SETTINGS
@given(array_and_dim(low=0.25, high=4.0), st.sampled_from(NORMS), st.booleans(),
       st.booleans())
def test_norm_matches_torch(case, p, keepdim, method):
    array, dim = case
    signs = np.where(np.arange(array.size).reshape(array.shape) % 3 == 0, -1, 1)
    array = (array * signs).astype(array.dtype)

    def fn(lib, x):
        if method:
            return x.norm(p, dim, keepdim)
        return lib.norm(x, p=p, dim=dim, keepdim=keepdim)

    theirs, ours = check(fn, array)
    if theirs.error is None:
        assert type(ours.result.grad_fn).__name__ == "LinalgVectorNormBackward0"


@pytest.mark.parametrize("p", NORMS + [0])
def test_norm_values_are_torchs_bits(p):
    rng = np.random.default_rng(1)
    data = rng.standard_normal((4, 7)).astype(np.float32)
    ours, theirs = bits(lambda lib: lib.from_numpy(data.copy()).norm(p, dim=1))
    np.testing.assert_array_equal(ours, theirs)


def test_norm_zero_gives_no_gradient_as_torch():
    assert_same_error(lambda lib: lib.autograd.grad(
        lib.norm(lib.ones(3, requires_grad=True), 0), [lib.ones(3, requires_grad=True)]))

    def grad_after(lib):
        x = lib.tensor([1.0, 0.0, 2.0], requires_grad=True)
        lib.norm(x, 0).backward()
        return x.grad

    assert grad_after(torch) is None and grad_after(microgrid) is None


def test_norm_node_keeps_torchs_saved_values():
    for lib in (torch, microgrid):
        x = lib.tensor([[3.0, -4.0]], requires_grad=True)
        node = x.norm(dim=1).grad_fn
        assert (node._saved_ord, node._saved_dim, node._saved_keepdim) == (2, (1,), False)
        assert node._saved_result.item() == 5.0


def test_norm_errors_match_torch():
    assert_same_error(lambda lib: lib.norm(lib.tensor([1, 2])))
    assert_same_error(lambda lib: lib.tensor([1.0]).norm(dim=0, keepdims=True))


# -- log10, log2, log1p, expm1 --------------------------------------------------------
@SETTINGS
@given(st.sampled_from(["log10", "log2", "log1p", "expm1"]), float_dtypes,
       shapes(), st.data())
def test_logarithms_match_torch(name, dtype, shape, data):
    array = data.draw(float_arrays(dtype, shape, low=0.01, high=20.0))
    _, ours = check(lambda lib, x: getattr(x, name)() if data.draw(st.booleans())
                    else getattr(lib, name)(x), array)
    expected = {"log10": "Log10Backward0", "log2": "Log2Backward0",
                "log1p": "Log1PBackward0", "expm1": "Expm1Backward0"}[name]
    assert type(ours.result.grad_fn).__name__ == expected


@pytest.mark.parametrize("name", ["log10", "log2", "log1p", "expm1"])
def test_logarithms_of_integers_are_float32_as_torch(name):
    check(lambda lib: getattr(lib, name)(lib.tensor([1, 2, 30])), grad=False)


# -- cumsum, cumprod, flip -------------------------------------------------------------
@SETTINGS
@given(array_and_dim(allow_tuple=False, allow_none=False, low=-3.0, high=3.0),
       st.sampled_from(["cumsum", "cumprod"]), st.booleans())
def test_scans_match_torch(case, name, with_zeros):
    array, dim = case
    if with_zeros:
        array = np.where(np.arange(array.size).reshape(array.shape) % 4 == 1, 0, array)
        array = array.astype(np.float64)
    _, ours = check(lambda lib, x: getattr(x, name)(dim), array, rtol=1e-4, atol=1e-5)
    assert type(ours.result.grad_fn).__name__ == {"cumsum": "CumsumBackward0",
                                                  "cumprod": "CumprodBackward0"}[name]


def test_scans_keep_torchs_dtypes_and_errors():
    check(lambda lib: lib.cumsum(lib.tensor([1, 2, 3]), 0), grad=False)
    check(lambda lib: lib.cumsum(lib.tensor([True, False]), 0), grad=False)
    check(lambda lib: lib.cumprod(lib.tensor([1, 2, 3], dtype=lib.int32), 0), grad=False)
    check(lambda lib: lib.tensor(3.0).cumsum(0), grad=False)
    check(lambda lib, x: x.cumsum(0, dtype=lib.float64), np.ones((2, 3), np.float32))
    assert_same_error(lambda lib: lib.ones(2).cumsum())
    assert_same_error(lambda lib: lib.ones(2).cumsum(1))


def test_cumsum_float32_accumulates_as_torch():
    data = np.random.default_rng(2).standard_normal(5000).astype(np.float32)
    ours, theirs = bits(lambda lib: lib.from_numpy(data.copy()).cumsum(0))
    np.testing.assert_array_equal(ours, theirs)


@SETTINGS
@given(array_and_dim(allow_none=False))
def test_flip_matches_torch(case):
    array, dim = case
    check(lambda lib, x: lib.flip(x, dim if isinstance(dim, tuple) else (dim,)), array)


# -- all, any, isclose, allclose, equal -----------------------------------------------
@SETTINGS
@given(st.data(), st.sampled_from(["all", "any"]), st.booleans())
def test_all_any_match_torch(data, name, keepdim):
    shape = data.draw(shapes())
    array = data.draw(st.sampled_from([np.float32, np.int64, np.bool_, np.uint8]).flatmap(
        lambda t: float_arrays(np.float32, shape, 0, 2).map(lambda a: np.asarray(np.round(a), t))))
    dim = data.draw(dims(len(shape)))
    check(lambda lib, x: getattr(lib, name)(x) if dim is None
          else getattr(x, name)(dim, keepdim), microgrid_const(array), grad=False)



def microgrid_const(array):
    from difftest import const

    return const(array) if array.dtype.kind == "f" else array


@SETTINGS
@given(float_dtypes, shapes(), st.data(), st.booleans())
def test_isclose_allclose_equal_match_torch(dtype, shape, data, equal_nan):
    a = data.draw(float_arrays(dtype, shape, -2, 2))
    noise = data.draw(st.sampled_from([0.0, 1e-9, 1e-6, 1e-3]))
    b = (a * (1 + noise)).astype(dtype)
    if a.size:
        b.flat[0] = data.draw(st.sampled_from([np.nan, np.inf, b.flat[0]]))
    for fn in (lambda lib, x, y: lib.isclose(x, y, equal_nan=equal_nan),
               lambda lib, x, y: x.allclose(y, rtol=1e-4, atol=0, equal_nan=equal_nan),
               lambda lib, x, y: lib.equal(x, y)):
        outcomes = [fn(lib, lib.from_numpy(np.array(a)), lib.from_numpy(np.array(b)))
                    for lib in (torch, microgrid)]
        assert repr(outcomes[0]) == repr(outcomes[1])


def test_closeness_errors_match_torch():
    assert_same_error(lambda lib: lib.isclose(lib.tensor([1, 2]), lib.tensor([1.0, 2.0])))
    assert_same_error(lambda lib: lib.isclose(lib.ones(2), 1.0))
    assert_same_error(lambda lib: lib.allclose(lib.ones(2), lib.ones(3)))
    for lib in (torch, microgrid):
        assert lib.equal(lib.ones(2), lib.ones(3)) is False
        assert lib.equal(lib.ones(2), lib.ones(2, dtype=lib.int64)) is True
        assert repr(lib.isclose(lib.tensor([1, 2]), lib.tensor([1, 3]))) == \
            "tensor([ True, False])"


# -- histc, histogram ------------------------------------------------------------------
@SETTINGS
@given(float_dtypes, shapes(), st.data(), st.integers(1, 7))
def test_histograms_match_torch(dtype, shape, data, bins):
    array = data.draw(float_arrays(dtype, shape, -3, 3))
    low, high = data.draw(st.sampled_from([(0, 0), (-1, 2), (-3, 3)]))
    check(lambda lib, x: lib.histc(x, bins=bins, min=low, max=high), array, grad=False)
    check(lambda lib, x: lib.histogram(x, bins, range=(float(low), float(high)) if low != high
                                       else None), array, grad=False)
    check(lambda lib, x: lib.histogram(x, bins=lib.tensor([-2.0, 0.0, 0.5, 3.0], dtype=x.dtype),
                                       weight=lib.ones_like(x), density=True), array,
          grad=False)


def test_histogram_errors_match_torch():
    assert_same_error(lambda lib: lib.histc(lib.tensor([1, 2]), bins=2))
    assert_same_error(lambda lib: lib.histc(lib.ones(3), bins=0))
    assert_same_error(lambda lib: lib.histc(lib.ones(3), bins=3, min=3, max=1))


# -- new_*, from_numpy, NumPy's keyword names --------------------------------------------
def test_new_tensors_match_torch():
    for fn in (lambda lib, y: y.new_ones(2), lambda lib, y: y.new_zeros((2, 3)),
               lambda lib, y: y.new_full((2,), 7), lambda lib, y: y.new_tensor([1, 2]),
               lambda lib, y: y.new_empty(2).shape, lambda lib, y: y.new_ones(size=(2,)),
               lambda lib, y: y.new_ones(2, requires_grad=True),
               lambda lib, y: y.new_ones(2, dtype=lib.int32),
               lambda lib, y: y.new_tensor([1.0, 2.0]).requires_grad,
               lambda lib, y: lib.ones(2, dtype=lib.int64).new_tensor([1.5])):
        results = [repr(fn(lib, lib.tensor([[1.0]], dtype=lib.float64, requires_grad=True)))
                   for lib in (torch, microgrid)]
        assert results[0] == results[1]


def test_new_tensor_of_a_tensor_warns_as_torch():
    messages = []
    for lib in (torch, microgrid):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.zeros(1).new_tensor(lib.ones(1))
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and messages[0]


@SETTINGS
@given(st.sampled_from([np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_]),
       shapes())
def test_from_numpy_shares_memory_both_ways(kind, shape):
    for lib in (torch, microgrid):
        array = np.zeros(shape, dtype=kind)
        tensor = lib.from_numpy(array)
        assert str(tensor.dtype) == f"torch.{np.dtype(kind).name}".replace("bool_", "bool")
        array[...] = 1
        assert tensor.sum().item() == array.size
        tensor.zero_()
        assert not array.any()
        assert np.shares_memory(tensor.numpy(), array)


def test_from_numpy_errors_and_warnings_match_torch():
    assert_same_error(lambda lib: lib.from_numpy([1, 2]))
    assert_same_error(lambda lib: lib.from_numpy(np.float32(3.0)))
    assert_same_error(lambda lib: lib.from_numpy(np.array(["a"])))
    assert_same_error(lambda lib: lib.from_numpy(np.arange(6.0)[::-2]))
    assert_same_error(lambda lib: lib.from_numpy(np.array([1, 2], dtype=">i4")))
    messages = []
    for lib in (torch, microgrid):
        frozen = np.ones(2)
        frozen.flags.writeable = False
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            lib.from_numpy(frozen)
        messages.append([str(w.message) for w in caught])
    assert messages[0] == messages[1] and messages[0]


@pytest.mark.parametrize("call", [
    lambda lib, x: lib.sum(x, axis=0), lambda lib, x: x.sum(axis=0, keepdims=True),
    lambda lib, x: x.mean(axis=1, keepdims=True), lambda lib, x: x.max(axis=0),
    lambda lib, x: x.std(axis=0), lambda lib, x: lib.cat([x, x], axis=0),
    lambda lib, x: x.argmax(axis=0), lambda lib, x: x.cumsum(axis=0),
    lambda lib, x: lib.all(x > 0, axis=0), lambda lib, x: x.squeeze(axis=0),
    lambda lib, x: x.var(axis=0, keepdims=True), lambda lib, x: x.softmax(axis=0),
    lambda lib, x: x.logsumexp(axis=0), lambda lib, x: x.min(axis=0, keepdims=True),
    lambda lib, x: x.unsqueeze(axis=0), lambda lib, x: lib.stack([x, x], axis=1),
    lambda lib, x: lib.mean(x, axis=(0, 1), keepdims=True),
    lambda lib, x: x.norm(dim=0, keepdims=True),
])
def test_numpy_keyword_names_are_accepted_where_torch_accepts_them(call):
    check(call, np.array([[1.0, 2.0], [3.0, 4.0]], np.float32))


@pytest.mark.parametrize("name", ["zeros", "ones", "empty", "randn", "rand"])
def test_size_keyword_on_creation_functions(name):
    shapes_made = [tuple(getattr(lib, name)(size=(2, 3)).shape) for lib in (torch, microgrid)]
    assert shapes_made[0] == shapes_made[1] == (2, 3)


# -- indexing with range; t[i] = v of shape (1, k) ----------------------------------------
@pytest.mark.parametrize("index", [range(2, 5), (range(3), [0, 1, 2]), [[0, 1], [1, 2]],
                                   range(1, 3)])
def test_range_and_nested_list_indices_match_torch(index):
    check(lambda lib, x: x.reshape(-1, 4)[index], np.arange(12.0).reshape(3, 4))


@pytest.mark.parametrize("target, index, value", [
    ((3, 2), 1, (1, 2)), ((3, 2), 1, (2,)), ((3, 2), 1, (1,)), ((3, 2), 1, (1, 1, 2)),
    ((3, 2, 2), 0, (2, 1)), ((3, 2), slice(None), (1, 2)), ((3, 2), slice(None), (3, 1)),
    ((3, 2), 0, (1, 1))])
def test_setitem_records_torchs_view_and_expand(target, index, value):
    def fn(lib, x, v):
        y = x.clone()
        y[index] = v * 2
        return y

    check(fn, np.zeros(target), np.ones(value))


# -- devices ----------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(2, device="cuda"), lambda lib: lib.tensor([1.0]).cuda(),
    lambda lib: lib.tensor([1.0]).to("cuda"), lambda lib: lib.randn(2, device="cuda"),
    lambda lib: lib.tensor([1.0], device=lib.device("cuda")),
    lambda lib: lib.ones(2).to(lib.device("cuda:0")), lambda lib: lib.arange(3, device="cuda"),
    lambda lib: lib.nn.Linear(2, 2).to("cuda"), lambda lib: lib.tensor([1.0]).to("mps"),
    lambda lib: lib.device("xyz")])
def test_asking_for_a_gpu_raises_torchs_cpu_build_error(make):
    assert_same_error(make)


def test_the_cpu_builds_answers():
    for lib in (torch, microgrid):
        assert lib.cuda.is_available() is False and lib.cuda.device_count() == 0
        assert lib.backends.mps.is_available() is False
        assert lib.cuda.manual_seed_all(0) is None
        assert repr(lib.device("cuda")) == "device(type='cuda')"
        lib.set_default_device("cpu")
        assert repr(lib.get_default_device()) == "device(type='cpu')"
        device = lib.device("cuda" if lib.cuda.is_available() else "cpu")
        assert repr(lib.ones(1, device=device).to(device)) == "tensor([1.])"
        # PyTorch's own tutorials pick their device this way now.
        assert lib.accelerator.is_available() is False
        assert lib.accelerator.current_accelerator() is None
        assert lib.accelerator.device_count() == 0

    def on_default_cuda(lib):
        lib.set_default_device("cuda")
        try:
            lib.zeros(1)
        finally:
            lib.set_default_device("cpu")

    assert_same_error(on_default_cuda)
    assert_same_error(lambda lib: lib.accelerator.synchronize())


def test_type_of_a_tensor_prints_torchs_name_under_compare():
    assert repr(type(microgrid.ones(1))) == "<class 'microgrid.Tensor'>"
    code = ("from compare import alias\nalias.install()\nimport torch\n"
            "print(type(torch.ones(1)), type(torch.nn.Parameter(torch.ones(1))).__mro__[1])")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=True)
    assert result.stdout == "<class 'torch.Tensor'> <class 'torch.Tensor'>\n"


# -- out= --------------------------------------------------------------------------------
@pytest.mark.parametrize("call", [
    lambda lib, o: lib.add(lib.ones(3), lib.arange(3.0), out=o),
    lambda lib, o: lib.mul(lib.ones(3), 2, out=o),
    lambda lib, o: lib.sum(lib.ones(3, 2), dim=1, out=o),
    lambda lib, o: lib.mean(lib.ones(2, 3), 0, out=o),
    lambda lib, o: lib.matmul(lib.ones(3, 2), lib.ones(2), out=o),
    lambda lib, o: lib.exp(lib.zeros(3), out=o),
    lambda lib, o: lib.cat([lib.ones(2), lib.zeros(1)], out=o),
    lambda lib, o: lib.cumsum(lib.ones(3), 0, out=o),
])
@pytest.mark.parametrize("out_shape", [(3,), (2,), (0,), (1, 3)])
def test_out_writes_into_the_given_tensor_as_torch(call, out_shape):
    results = []
    for lib in (torch, microgrid):
        out = lib.full(out_shape, 9.0)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            returned = call(lib, out)
        results.append((returned is out, repr(out), out._version,
                        [str(w.message) for w in caught]))
    assert results[0] == results[1]


def test_out_casts_to_its_dtype_as_torch():
    # (Resizing an out of another dtype, PyTorch warns twice; microgrid once: not tested.)
    for shape in ((3,), (0,)):
        outs = [repr(lib.add(lib.tensor([1, 2, 3]), 1, out=lib.full(shape, 9.0)))
                for lib in (torch, microgrid)]
        assert outs[0] == outs[1] == "tensor([2., 3., 4.])"


def test_out_errors_match_torch():
    assert_same_error(lambda lib: lib.add(lib.ones(3), lib.ones(3),
                                          out=lib.empty(3, dtype=lib.int64)))
    assert_same_error(lambda lib: lib.add(lib.ones(3, requires_grad=True), lib.ones(3),
                                          out=lib.empty(3)))
    assert_same_error(lambda lib: lib.mul(lib.ones(3), 2, out=lib.empty(3, requires_grad=True)))
    for lib in (torch, microgrid):
        with lib.no_grad():
            out = lib.empty(3)
            lib.add(lib.ones(3, requires_grad=True), 1, out=out)
        assert out.tolist() == [2.0, 2.0, 2.0] and out.grad_fn is None
