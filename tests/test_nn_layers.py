"""The layers of issue 16 against torch: convolution, pooling, normalization,
embedding, one_hot, pad, softplus/gelu/leaky_relu and three losses.

Each op runs through ``difftest.check`` (values, gradients, dtypes, the
graph node for node, errors, warnings) over hypothesis-drawn shapes and
options; every new node's backward is checked against finite differences
(``gradcheck``) and, where PyTorch differentiates it twice, its double
backward too (``gradgradcheck``).  Modules are compared for their seeded
initial weights, repr, state_dict and behaviour in train and eval mode.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from difftest import assert_same_error, check, const, float_arrays, float_dtypes
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrid
from microgrid.autograd.gradcheck import gradcheck, gradgradcheck

SETTINGS = settings(max_examples=25, deadline=None)
TOL = dict(rtol=1e-4, atol=1e-5)  # float32 sums in another order (NumPy's BLAS, not MKL)


def F(lib):  # noqa: N802 - PyTorch's spelling
    return lib.nn.functional


def rng_arrays(seed, *shapes, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s).astype(dtype) for s in shapes]


# -- convolution ------------------------------------------------------------------
@SETTINGS
@given(n=st.integers(1, 2), c=st.integers(1, 3), o=st.integers(1, 3), h=st.integers(3, 7),
       w=st.integers(3, 7), k=st.sampled_from([(1, 1), (2, 3), (3, 3)]),
       stride=st.sampled_from([1, 2, (2, 1)]), padding=st.sampled_from([0, 1, (1, 2), "same"]),
       dilation=st.sampled_from([1, 2]), bias=st.booleans(), dtype=float_dtypes,
       seed=st.integers(0, 9))
def test_conv2d(n, c, o, h, w, k, stride, padding, dilation, bias, dtype, seed):
    if padding == "same" and stride != 1:
        padding = 0
    x, weight, b = rng_arrays(seed, (n, c, h, w), (o, c, *k), (o,), dtype=dtype)
    check(lambda lib, x, weight, b: F(lib).conv2d(x, weight, b if bias else None, stride,
                                                  padding, dilation), x, weight, b, **TOL)


@SETTINGS
@given(n=st.integers(1, 2), c=st.integers(1, 3), length=st.integers(3, 9),
       k=st.integers(1, 3), stride=st.integers(1, 2), padding=st.integers(0, 1),
       dtype=float_dtypes, seed=st.integers(0, 9))
def test_conv1d(n, c, length, k, stride, padding, dtype, seed):
    x, weight, b = rng_arrays(seed, (n, c, length), (2, c, k), (2,), dtype=dtype)
    check(lambda lib, x, weight, b: F(lib).conv1d(x, weight, b, stride, padding), x, weight, b,
          **TOL)
    check(lambda lib, x, weight, b: F(lib).conv1d(x[0], weight, b, stride, padding), x, weight,
          b, **TOL)


def test_convolution_gradients_and_double_backward():
    x, weight, b = rng_arrays(0, (2, 2, 5, 4), (3, 2, 2, 3), (3,))
    inputs = [microgrid.tensor(a, requires_grad=True) for a in (x, weight, b)]
    for options in [dict(), dict(stride=2, padding=1), dict(padding=(1, 2), dilation=2)]:
        def conv(x, weight, b, options=options):
            return microgrid.nn.functional.conv2d(x, weight, b, **options)
        assert gradcheck(conv, inputs)
        assert gradgradcheck(conv, inputs)
    out = microgrid.nn.functional.conv2d(*inputs)
    grads = microgrid.autograd.grad(out.sum(), inputs, create_graph=True)
    assert type(grads[0].grad_fn).__name__ == "ConvolutionBackwardBackward0"
    assert type(out.grad_fn).__name__ == "ConvolutionBackward0"
    assert out.grad_fn._saved_stride == (1, 1)


# -- pooling ----------------------------------------------------------------------
@SETTINGS
@given(shape=st.sampled_from([(1, 1, 4, 4), (2, 3, 5, 7), (3, 6, 6), (1, 2, 9, 8)]),
       kernel=st.sampled_from([2, 3, (2, 3)]), stride=st.sampled_from([None, 1, 2, (1, 2)]),
       padding=st.sampled_from([0, 1]), dilation=st.sampled_from([1, 2]),
       ceil_mode=st.booleans(), dtype=float_dtypes, data=st.data())
def test_max_pool2d(shape, kernel, stride, padding, dilation, ceil_mode, dtype, data):
    # small integers: ties between the elements of a window, as in images
    x = data.draw(float_arrays(dtype, shape, -3, 3)).round()
    check(lambda lib, x: F(lib).max_pool2d(x, kernel, stride, padding, dilation, ceil_mode,
                                            return_indices=True), x)
    check(lambda lib, x: lib.nn.MaxPool2d(kernel, stride, padding, dilation)(x), x)


@SETTINGS
@given(shape=st.sampled_from([(1, 1, 4, 4), (2, 3, 5, 7), (3, 6, 6)]),
       kernel=st.sampled_from([2, 3, (2, 3)]), stride=st.sampled_from([None, 1, 2]),
       padding=st.sampled_from([0, 1]), count_include_pad=st.booleans(), dtype=float_dtypes,
       seed=st.integers(0, 9))
def test_avg_pool2d(shape, kernel, stride, padding, count_include_pad, dtype, seed):
    (x,) = rng_arrays(seed, shape, dtype=dtype)
    check(lambda lib, x: F(lib).avg_pool2d(x, kernel, stride, padding,
                                            count_include_pad=count_include_pad), x, **TOL)


def test_pooling_gradients_and_double_backward():
    (x,) = rng_arrays(1, (2, 2, 6, 5))
    x = microgrid.tensor(x, requires_grad=True)
    for pool in (lambda x: microgrid.nn.functional.max_pool2d(x, 2),
                 lambda x: microgrid.nn.functional.max_pool2d(x, 3, 2, 1, ceil_mode=True),
                 lambda x: microgrid.nn.functional.avg_pool2d(x, 3, 2, 1),
                 lambda x: microgrid.nn.functional.avg_pool2d(x, 2, 1, 1,
                                                              count_include_pad=False)):
        assert gradcheck(pool, [x])
        assert gradgradcheck(pool, [x])


def test_pooling_errors():
    for fn in (lambda lib: F(lib).max_pool2d(lib.zeros(2, 2), 2),
               lambda lib: F(lib).max_pool2d(lib.zeros(1, 1, 4, 4), 2, padding=2),
               lambda lib: F(lib).avg_pool2d(lib.zeros(1, 1, 4, 4), 2, padding=2)):
        error = pytest.raises(RuntimeError)
        with error:
            fn(microgrid)
        with pytest.raises(RuntimeError):
            fn(torch)


# -- activations ------------------------------------------------------------------
ACTIVATIONS = {
    "softplus": lambda lib, x: F(lib).softplus(x),
    "softplus beta": lambda lib, x: F(lib).softplus(x, beta=2.0, threshold=3.0),
    "gelu": lambda lib, x: F(lib).gelu(x),
    "gelu tanh": lambda lib, x: F(lib).gelu(x, approximate="tanh"),
    "leaky_relu": lambda lib, x: F(lib).leaky_relu(x),
    "leaky_relu 0.2": lambda lib, x: F(lib).leaky_relu(x, 0.2),
}


@pytest.mark.parametrize("name", ACTIVATIONS)
@SETTINGS
@given(shape=st.sampled_from([(), (3,), (2, 5), (2, 3, 4)]), dtype=float_dtypes,
       data=st.data())
def test_activations(name, shape, dtype, data):
    x = data.draw(float_arrays(dtype, shape, -8, 8))
    # float32: PyTorch's vectorized erf, exp and log1p are not exactly rounded
    check(ACTIVATIONS[name], x, rtol=1e-5 if dtype == np.float32 else 1e-12,
          atol=1e-5 if dtype == np.float32 else 1e-14)


@pytest.mark.parametrize("name", ACTIVATIONS)
def test_activation_gradients_and_double_backward(name):
    (x,) = rng_arrays(2, (4, 5))
    x = microgrid.tensor(x * 3, requires_grad=True)
    fn = lambda x: ACTIVATIONS[name](microgrid, x)  # noqa: E731
    assert gradcheck(fn, [x])
    assert gradgradcheck(fn, [x])


def test_activation_modules_and_errors():
    for lib in (torch, microgrid):
        assert [repr(m) for m in (lib.nn.LeakyReLU(), lib.nn.LeakyReLU(0.2, True), lib.nn.GELU(),
                                  lib.nn.GELU("tanh"), lib.nn.Softplus(2, 10))] == [
            "LeakyReLU(negative_slope=0.01)", "LeakyReLU(negative_slope=0.2, inplace=True)",
            "GELU(approximate='none')", "GELU(approximate='tanh')",
            "Softplus(beta=2, threshold=10)"]
    for fn in (lambda lib: F(lib).softplus(lib.tensor([1, 2])),
               lambda lib: F(lib).gelu(lib.tensor([1, 2])),
               lambda lib: F(lib).leaky_relu(lib.tensor([1, 2])),
               lambda lib: F(lib).gelu(lib.tensor([1.0]), approximate="fast")):
        assert_same_error(fn)


# -- losses -----------------------------------------------------------------------
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


@SETTINGS
@given(shape=st.sampled_from([(3,), (2, 4), (2, 3, 2)]), reduction=REDUCTIONS,
       beta=st.sampled_from([1.0, 0.5, 0.0]), dtype=float_dtypes, data=st.data())
def test_l1_and_smooth_l1(shape, reduction, beta, dtype, data):
    x = data.draw(float_arrays(dtype, shape, -3, 3))
    y = data.draw(float_arrays(dtype, shape, -3, 3))
    check(lambda lib, x, y: F(lib).l1_loss(x, y, reduction=reduction), x, y)
    check(lambda lib, x, y: F(lib).smooth_l1_loss(x, y, reduction=reduction, beta=beta), x, y)
    check(lambda lib, x, y: lib.nn.SmoothL1Loss(beta=beta)(x, y), x, const(y))


@SETTINGS
@given(shape=st.sampled_from([(3,), (2, 4), (2, 3, 4)]), reduction=REDUCTIONS,
       weighted=st.booleans(), positive=st.booleans(), dtype=float_dtypes, data=st.data())
def test_bce_with_logits(shape, reduction, weighted, positive, dtype, data):
    x = data.draw(float_arrays(dtype, shape, -30, 30))
    t = data.draw(float_arrays(dtype, shape, 0, 1))
    w = data.draw(float_arrays(dtype, shape[-1:], 0, 2))
    pw = data.draw(float_arrays(dtype, shape[-1:], 0, 3))
    check(lambda lib, x, t, w, pw: F(lib).binary_cross_entropy_with_logits(
        x, t, w if weighted else None, reduction=reduction, pos_weight=pw if positive else None),
        x, t, const(w), const(pw), rtol=1e-5, atol=1e-6)


def test_loss_gradients_and_errors():
    x, y = (microgrid.tensor(a, requires_grad=True) for a in rng_arrays(3, (3, 4), (3, 4)))
    t = microgrid.tensor(np.random.default_rng(0).random((3, 4)), requires_grad=True)
    pw = microgrid.tensor(np.arange(4.0) + 0.5)
    for fn, inputs in (
            (lambda x, y: microgrid.nn.functional.smooth_l1_loss(x, y, beta=0.7), [x, y]),
            (lambda x, t: microgrid.nn.functional.binary_cross_entropy_with_logits(x, t), [x, t]),
            (lambda x, t: microgrid.nn.functional.binary_cross_entropy_with_logits(
                x, t, pos_weight=pw, reduction="sum"), [x, t])):
        assert gradcheck(fn, inputs)
        assert gradgradcheck(fn, inputs)
    assert_same_error(lambda lib: F(lib).binary_cross_entropy_with_logits(lib.zeros(3),
                                                                          lib.zeros(2)))
    assert_same_error(lambda lib: F(lib).smooth_l1_loss(lib.zeros(3), lib.zeros(3), beta=-1.0))
    for lib in (torch, microgrid):
        assert [repr(m) for m in (lib.nn.L1Loss(), lib.nn.SmoothL1Loss(),
                                  lib.nn.BCEWithLogitsLoss())] == [
            "L1Loss()", "SmoothL1Loss()", "BCEWithLogitsLoss()"]


# -- embedding, one_hot, pad ------------------------------------------------------
@SETTINGS
@given(rows=st.integers(1, 6), dim=st.integers(1, 4),
       index_shape=st.sampled_from([(3,), (2, 3), (0,)]), padding=st.booleans(),
       seed=st.integers(0, 9))
def test_embedding(rows, dim, index_shape, padding, seed):
    (weight,) = rng_arrays(seed, (rows, dim))
    index = np.random.default_rng(seed).integers(0, rows, index_shape)
    padding_idx = index.flat[0] if padding and index.size else None
    check(lambda lib, w: F(lib).embedding(lib.tensor(index), w, padding_idx), weight)
    check(lambda lib, w: F(lib).one_hot(lib.tensor(index), rows), const(weight), grad=False)


def test_embedding_module_gradients_and_errors():
    for lib in (torch, microgrid):
        lib.manual_seed(0)
        module = lib.nn.Embedding(5, 3, padding_idx=-1)
        assert repr(module) == "Embedding(5, 3, padding_idx=4)"
        if lib is torch:
            theirs = module.weight.detach().numpy()
        else:
            ours = module.weight.detach().numpy()
    np.testing.assert_array_equal(ours, theirs)
    (weight,) = rng_arrays(4, (5, 3))
    weight = microgrid.tensor(weight, requires_grad=True)
    index = microgrid.tensor([[0, 2, 2], [4, 1, 0]])
    fn = lambda w: microgrid.nn.functional.embedding(index, w)  # noqa: E731 (padding_idx
    # cuts the gradient of its row on purpose: finite differences cannot agree there)
    assert gradcheck(fn, [weight])
    assert gradgradcheck(fn, [weight])
    for fn in (lambda lib: F(lib).embedding(lib.tensor([5]), lib.zeros(5, 2)),
               lambda lib: F(lib).embedding(lib.tensor([1.0]), lib.zeros(5, 2)),
               lambda lib: F(lib).one_hot(lib.tensor([1, 2]), 2),
               lambda lib: F(lib).one_hot(lib.tensor([1.0])),
               lambda lib: F(lib).one_hot(lib.tensor([-1])),
               lambda lib: F(lib).one_hot(lib.tensor([], dtype=lib.int64)),
               lambda lib: lib.nn.Embedding(3, 2, padding_idx=3)):
        assert_same_error(fn)


@SETTINGS
@given(shape=st.sampled_from([(3,), (2, 4), (2, 3, 4)]),
       pad=st.sampled_from([(1, 1), (0, 2), (1, -1), (2, 0, 1, 1), (-1, 0, 0, -1),
                            (1, 1, 1, 1, 1, 1)]),
       value=st.sampled_from([None, 2.5]), seed=st.integers(0, 9))
def test_pad(shape, pad, value, seed):
    (x,) = rng_arrays(seed, shape)
    check(lambda lib, x: F(lib).pad(x, pad, value=value), x)


def test_pad_gradients():
    (x,) = rng_arrays(5, (2, 3, 4))
    x = microgrid.tensor(x, requires_grad=True)
    fn = lambda x: microgrid.nn.functional.pad(x, (1, -1, 2, 0))  # noqa: E731
    assert gradcheck(fn, [x])
    assert gradgradcheck(fn, [x])
    assert microgrid.nn.functional.pad(x, (1, 2)).grad_fn._saved_pad == (1, 2)


# -- normalization ----------------------------------------------------------------
@SETTINGS
@given(shape=st.sampled_from([(4, 3), (2, 3, 5), (5, 2)]), training=st.booleans(),
       affine=st.booleans(), dtype=float_dtypes, seed=st.integers(0, 9))
def test_batch_norm(shape, training, affine, dtype, seed):
    x, w, b = rng_arrays(seed, shape, shape[1:2], shape[1:2], dtype=dtype)
    mean, var = np.linspace(-1, 1, shape[1]).astype(dtype), np.linspace(0.5, 2, shape[1]).astype(
        dtype)

    def fn(lib, x, w, b):
        running_mean, running_var = lib.tensor(mean), lib.tensor(var)
        out = F(lib).batch_norm(x, running_mean, running_var, w if affine else None,
                                b if affine else None, training, 0.2)
        return out, running_mean, running_var
    check(fn, x, w, b, **TOL)


@SETTINGS
@given(shape=st.sampled_from([(4, 3), (2, 3, 5), (2, 2, 3)]), dims=st.integers(1, 2),
       affine=st.booleans(), dtype=float_dtypes, seed=st.integers(0, 9))
def test_layer_norm(shape, dims, affine, dtype, seed):
    normalized = shape[-dims:]
    x, w, b = rng_arrays(seed, shape, normalized, normalized, dtype=dtype)
    check(lambda lib, x, w, b: F(lib).layer_norm(x, normalized, w if affine else None,
                                                 b if affine else None), x, w, b, **TOL)


def test_normalization_gradients_and_double_backward():
    x, w, b = (microgrid.tensor(a, requires_grad=True)
               for a in rng_arrays(6, (4, 3, 2), (3,), (3,)))
    for training in (True, False):
        def bn(x, w, b, training=training):
            return microgrid.nn.functional.batch_norm(
                x, microgrid.zeros(3, dtype=microgrid.float64) + 0.5,
                microgrid.ones(3, dtype=microgrid.float64) * 2, w, b, training)
        assert gradcheck(bn, [x, w, b])
        assert gradgradcheck(bn, [x, w, b])
    w2, b2 = (microgrid.tensor(a, requires_grad=True) for a in rng_arrays(7, (3, 2), (3, 2)))
    ln = lambda x, w, b: microgrid.nn.functional.layer_norm(x, (3, 2), w, b)  # noqa: E731
    assert gradcheck(ln, [x, w2, b2])
    assert gradgradcheck(ln, [x, w2, b2])


def test_batch_norm_module_train_and_eval():
    (x,) = rng_arrays(8, (6, 3, 4), dtype=np.float32)
    states = []
    for lib in (torch, microgrid):
        for momentum in (0.1, None):
            module = lib.nn.BatchNorm1d(3, momentum=momentum)
            outputs = [module(lib.tensor(x * k)).detach().numpy() for k in (1, 2, 3)]
            module.eval()
            outputs.append(module(lib.tensor(x)).detach().numpy())
            states.append((repr(module), list(module.state_dict()),
                           [v.numpy() for v in module.state_dict().values()], outputs))
    for ours, theirs in zip(states[2:], states[:2], strict=True):
        assert ours[:2] == theirs[:2]
        for a, b in zip(ours[2] + ours[3], theirs[2] + theirs[3], strict=True):
            np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    for lib in (torch, microgrid):
        assert repr(lib.nn.LayerNorm((2, 3), bias=False)) == (
            "LayerNorm((2, 3), eps=1e-05, elementwise_affine=True, bias=False)")
    assert_same_error(lambda lib: lib.nn.BatchNorm1d(3)(lib.zeros(1, 3)))
    assert_same_error(lambda lib: F(lib).layer_norm(lib.zeros(2, 3), (2,)))


# -- modules: PyTorch's initial weights, repr ----------------------------------------
MODULES = {
    "conv2d": lambda lib: lib.nn.Conv2d(2, 4, 3),
    "conv2d options": lambda lib: lib.nn.Conv2d(1, 3, (3, 5), stride=2, padding=1, dilation=2,
                                                bias=False),
    "conv1d": lambda lib: lib.nn.Conv1d(3, 2, 4, padding="same"),
    "max_pool": lambda lib: lib.nn.MaxPool2d((2, 3), stride=1),
    "avg_pool": lambda lib: lib.nn.AvgPool2d(3, 1, 1),
    "batch_norm": lambda lib: lib.nn.BatchNorm1d(4, affine=False),
    "embedding": lambda lib: lib.nn.Embedding(10, 3),
}


@pytest.mark.parametrize("name", MODULES)
def test_modules_start_with_pytorchs_weights(name):
    made = []
    for lib in (torch, microgrid):
        lib.manual_seed(0)
        module = MODULES[name](lib)
        made.append((repr(module), {k: v.detach().numpy() for k, v in
                                    module.state_dict().items()}))
    (their_repr, theirs), (our_repr, ours) = made
    assert our_repr == their_repr
    assert list(ours) == list(theirs)
    for key in theirs:
        np.testing.assert_array_equal(ours[key], theirs[key], strict=True)


def test_a_small_cnn_trains_as_under_pytorch():
    losses = []
    for lib in (torch, microgrid):
        lib.manual_seed(0)
        nn = lib.nn
        model = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv1d(4, 4, 1) if False else nn.Identity(), nn.Flatten(),
                              nn.Linear(4 * 7 * 7, 3))
        images, labels = lib.randn(16, 1, 14, 14), lib.randint(0, 3, (16,))
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        run = []
        for _ in range(5):
            optimizer.zero_grad()
            loss = nn.functional.cross_entropy(model(images), labels)
            loss.backward()
            optimizer.step()
            run.append(loss.item())
        losses.append(run)
    np.testing.assert_allclose(losses[1], losses[0], rtol=1e-5)
