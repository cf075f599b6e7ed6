"""microgrid.nn.functional against torch.nn.functional: mse_loss, nll_loss,
cross_entropy, binary_cross_entropy and the activations; then a small MLP
trained for a few steps under both libraries.

Losses run through ``difftest.check`` (values, gradients of input and
target, dtypes, the graph node for node, repr, errors, warnings) over
hypothesis-drawn shapes, dtypes, reductions, weights and ignored targets.
Their backward passes are checked against finite differences with
``microgrid.autograd.gradcheck``, and differentiated twice against PyTorch.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from difftest import (
    assert_same_error,
    broadcast_shapes,
    check,
    const,
    float_arrays,
    float_dtypes,
    shapes,
)
from hypothesis import given, settings
from hypothesis import strategies as st
from torch.nn import functional as torch_nnf

import microgrid
from microgrid.autograd.gradcheck import gradcheck
from microgrid.nn import functional as nnf

SETTINGS = settings(max_examples=40, deadline=None)
REDUCTIONS = st.sampled_from(["mean", "sum", "none"])


def functional(lib):
    return torch_nnf if lib is torch else nnf


def test_import_forms():
    import microgrid.nn.functional as F  # noqa: N812 - the usual spelling must work

    assert microgrid.nn.functional is F is nnf
    assert F.sigmoid is microgrid.sigmoid and F.tanh is microgrid.tanh


# -- activations --------------------------------------------------------------------
@SETTINGS
@given(dtype=float_dtypes, data=st.data())
def test_activations(dtype, data):
    array = data.draw(float_arrays(dtype, data.draw(shapes(max_dims=4))))
    dim = data.draw(st.integers(-max(array.ndim, 1), max(array.ndim, 1) - 1))
    check(lambda lib, x: functional(lib).relu(x), array)
    check(lambda lib, x: functional(lib).relu(x * 1, inplace=True), array)
    check(lambda lib, x: functional(lib).sigmoid(x), array)
    check(lambda lib, x: functional(lib).tanh(x), array)
    check(lambda lib, x: functional(lib).softmax(x, dim), array)
    check(lambda lib, x: functional(lib).log_softmax(x, dim=dim), array)
    check(lambda lib, x: functional(lib).softmax(x), array)  # implicit dim, with a warning
    check(lambda lib, x: functional(lib).log_softmax(x, dtype=lib.float64), array)


# -- mse_loss -----------------------------------------------------------------------
@SETTINGS
@given(data=st.data(), reduction=REDUCTIONS)
def test_mse_loss(data, reduction):
    shape_a, shape_b = data.draw(broadcast_shapes(2))
    a = data.draw(float_arrays(data.draw(float_dtypes), shape_a))
    b = data.draw(float_arrays(data.draw(float_dtypes), shape_b))
    target = b if data.draw(st.booleans()) else const(b)
    check(lambda lib, x, y: functional(lib).mse_loss(x, y, reduction=reduction), a, target)


@SETTINGS
@given(dtype=float_dtypes, data=st.data(), reduction=REDUCTIONS)
def test_mse_loss_weighted_and_legacy(dtype, data, reduction):
    shape = data.draw(shapes())
    a, b, w = (data.draw(float_arrays(dtype, shape, 0, 3)) for _ in range(3))
    w = w + 1  # a positive total weight
    check(lambda lib, x, y, v: functional(lib).mse_loss(x, y, reduction=reduction, weight=v),
          a, b, w)
    flags = data.draw(st.sampled_from([(None, False), (False, None), (False, False),
                                       (True, True), (None, True)]))
    check(lambda lib, x, y: functional(lib).mse_loss(x, y, *flags), a, const(b))


# -- nll_loss / cross_entropy -------------------------------------------------------------
@st.composite
def classification(draw, min_dims=1, max_dims=5):
    """Logits (C,), (N, C) or (N, C, d1, ...), class indices with some set to
    ``ignore_index``, maybe class weights, and a reduction."""
    dtype = draw(float_dtypes)
    ndim = draw(st.integers(min_dims, max_dims))
    shape = tuple(draw(st.integers(1 if i == 1 else 0, 3)) for i in range(ndim))
    if ndim == 1:
        shape = (draw(st.integers(1, 4)),)
    classes = shape[0 if ndim == 1 else 1]
    target_shape = () if ndim == 1 else (shape[0], *shape[2:])
    ignore = draw(st.sampled_from([-100, 0, classes - 1]))
    values = st.integers(0, classes - 1) | st.just(ignore)
    target = np.array(draw(st.lists(values, min_size=int(np.prod(target_shape)),
                                    max_size=int(np.prod(target_shape)))),
                      np.int64).reshape(target_shape)
    weight = draw(st.none() | float_arrays(dtype, (classes,), 0.1, 2))
    logits = draw(float_arrays(dtype, shape, -5, 5))
    return logits, target, weight, ignore, draw(REDUCTIONS)


@pytest.mark.parametrize("loss", ["cross_entropy", "nll_loss", "smoothed cross_entropy"])
@SETTINGS
@given(case=classification())
def test_class_index_losses(loss, case):
    logits, target, weight, ignore, reduction = case
    name, smoothing = (loss.split()[-1], {"label_smoothing": 0.3}) if " " in loss else (loss, {})

    def fn(lib, x, t, *w):
        return getattr(functional(lib), name)(x, t, *w, ignore_index=ignore,
                                              reduction=reduction, **smoothing)

    check(fn, logits, target, *([] if weight is None else [const(weight)]))
    check(lambda lib, x, t: getattr(functional(lib), name)(
        x.transpose(0, -1).transpose(0, -1), t, reduction=reduction, **smoothing), logits, target)


@SETTINGS
@given(data=st.data(), reduction=REDUCTIONS)
def test_cross_entropy_with_probabilities(data, reduction):
    dtype = data.draw(float_dtypes)
    shape = data.draw(shapes(min_dims=1, max_dims=4, min_side=0))
    logits = data.draw(float_arrays(dtype, shape, -5, 5))
    probabilities = data.draw(float_arrays(dtype, shape, 0, 1))
    classes = shape[0 if len(shape) == 1 else 1]
    weight = data.draw(float_arrays(dtype, (classes,), 0.1, 2))
    target = probabilities if data.draw(st.booleans()) else const(probabilities)
    check(lambda lib, x, p: functional(lib).cross_entropy(x, p, reduction=reduction),
          logits, target)
    check(lambda lib, x, p, w: functional(lib).cross_entropy(x, p, w, reduction=reduction),
          logits, target, const(weight))
    check(lambda lib, x, p: functional(lib).cross_entropy(x, p, reduction=reduction,
                                                          label_smoothing=0.2), logits, target)


def test_cross_entropy_byte_targets_and_legacy_flags():
    logits = np.linspace(-2, 2, 12, dtype=np.float32).reshape(3, 4)
    check(lambda lib, x: functional(lib).cross_entropy(x, lib.tensor([0, 3, 1], dtype=lib.uint8)),
          logits)
    check(lambda lib, x: functional(lib).nll_loss(x, lib.tensor([0, 3, 1]), size_average=False),
          logits)
    check(lambda lib, x: functional(lib).cross_entropy(x, lib.tensor([0, 3, 1]),
                                                       reduction="elementwise_mean"), logits)
    # (PyTorch's backward rejects a (1,) target for a 1-d input: compare the forward only)
    check(lambda lib, x: functional(lib).nll_loss(x, lib.tensor([1])), logits[0], grad=False)
    check(lambda lib, x: functional(lib).nll_loss(x, lib.tensor(1), reduction="none"), logits[0])


@pytest.mark.parametrize("shape", [(3, 4), (4,), (2, 4, 3), (2, 4, 3, 2)])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_gradient_of_nll_loss_is_an_op_of_the_input(shape, reduction):
    """PyTorch's nll_loss gradient is a node of its own (NllLossBackwardBackward0),
    with an edge to the input, whose gradient through it is zero."""
    rng = np.random.default_rng(3)
    logits = rng.standard_normal(shape)
    target = rng.integers(0, 4, (shape[0], *shape[2:]) if len(shape) > 1 else ())

    def gradient(lib, x):
        loss = functional(lib).nll_loss(x, lib.tensor(target), reduction=reduction)
        return lib.autograd.grad(loss.sum(), x, create_graph=True)[0]

    check(gradient, logits)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("loss", ["mse_loss", "binary_cross_entropy"])
def test_gradient_of_pointwise_losses_is_an_op(loss, reduction):
    """mse_loss and binary_cross_entropy send their input a gradient computed
    by one op (MseLossBackwardBackward0 ...), with edges to the loss's
    gradient, the input and the target, as PyTorch's."""
    rng = np.random.default_rng(4)
    x, y = rng.uniform(0.05, 0.95, (2, 3, 2))

    def gradients(lib, x, y, g):
        loss_value = getattr(functional(lib), loss)(x, y, reduction=reduction)
        return lib.autograd.grad(loss_value, (x,) if loss != "mse_loss" else (x, y), g,
                                 create_graph=True)

    g = rng.uniform(0.5, 1.5, () if reduction != "none" else (3, 2))
    check(gradients, x, const(y) if loss != "mse_loss" else y, g)


# -- binary_cross_entropy -------------------------------------------------------------
@SETTINGS
@given(data=st.data(), reduction=REDUCTIONS)
def test_binary_cross_entropy(data, reduction):
    dtype = data.draw(float_dtypes)
    shape = data.draw(shapes())
    edges = st.sampled_from([0.0, 1.0, 0.5])
    probabilities = float_arrays(dtype, shape, 0, 1) | st.builds(
        lambda v: np.full(shape, v, dtype), edges)
    p, t = data.draw(probabilities), data.draw(probabilities)
    target = t if data.draw(st.booleans()) else const(t)
    check(lambda lib, x, y: functional(lib).binary_cross_entropy(x, y, reduction=reduction),
          p, target)
    weight = data.draw(float_arrays(dtype, shape[data.draw(st.integers(0, len(shape))):], 0, 2))
    check(lambda lib, x, y, w: functional(lib).binary_cross_entropy(x, y, w, reduction=reduction),
          p, target, const(weight))


# -- errors ---------------------------------------------------------------------------
@pytest.mark.parametrize("fn", [
    lambda lib, nn, x: nn.mse_loss(x, lib.ones(5)),
    lambda lib, nn, x: nn.mse_loss(x, lib.ones(3, 4), reduction="foo"),
    lambda lib, nn, x: nn.mse_loss(x, lib.ones(3, 4), weight=lib.ones(4)),
    lambda lib, nn, x: nn.mse_loss(x, lib.ones(3, 4), weight=lib.ones(3, 4), reduction="foo"),
    lambda lib, nn, x: nn.mse_loss(lib.ones(2, dtype=lib.long), lib.ones(2, dtype=lib.long)),
    lambda lib, nn, x: nn.mse_loss(lib.ones(2, dtype=lib.bool), lib.ones(2, dtype=lib.bool)),
    lambda lib, nn, x: nn.mse_loss(x, 1.0),
    lambda lib, nn, x: nn.cross_entropy(x, lib.tensor([0, 4, 1])),
    lambda lib, nn, x: nn.cross_entropy(x, lib.tensor([0, -1, 1])),
    lambda lib, nn, x: nn.cross_entropy(x, lib.tensor([0, 1])),
    lambda lib, nn, x: nn.cross_entropy(x, lib.tensor([0.0, 1.0, 2.0])),
    lambda lib, nn, x: nn.cross_entropy(x, lib.tensor([0, 1, 2], dtype=lib.int32)),
    lambda lib, nn, x: nn.cross_entropy(x, lib.tensor([[0], [1], [2]])),
    lambda lib, nn, x: nn.cross_entropy(x, lib.tensor([0, 1, 2]), weight=lib.ones(2)),
    lambda lib, nn, x: nn.cross_entropy(x, lib.tensor([0, 1, 2]), reduction="foo"),
    lambda lib, nn, x: nn.cross_entropy(lib.ones(()), lib.tensor(0)),
    lambda lib, nn, x: nn.cross_entropy(lib.ones(3, 4, dtype=lib.long), lib.tensor([0, 1, 2])),
    lambda lib, nn, x: nn.cross_entropy(x, lib.ones(3, 4, dtype=lib.long)),
    lambda lib, nn, x: nn.cross_entropy(x, lib.rand(3, 4), ignore_index=1),
    lambda lib, nn, x: nn.cross_entropy(x, lib.rand(3, 4), weight=lib.ones(3)),
    lambda lib, nn, x: nn.cross_entropy(x, lib.rand(3, 5)),
    lambda lib, nn, x: nn.cross_entropy(x, lib.tensor([0, 1, 2]), label_smoothing=1.5),
    lambda lib, nn, x: nn.cross_entropy(x, lib.rand(3, 4), label_smoothing=2.0),
    lambda lib, nn, x: nn.cross_entropy(lib.ones(2, 4, 5), lib.zeros(2, 6, dtype=lib.long)),
    lambda lib, nn, x: nn.cross_entropy(lib.ones(2, 4, 5), lib.zeros(2, 5, dtype=lib.long) + 7),
    lambda lib, nn, x: nn.cross_entropy(lib.ones(2, 4, 5, 6), lib.zeros(2, 5, dtype=lib.long)),
    lambda lib, nn, x: nn.nll_loss(lib.ones(()), lib.tensor(0)),
    lambda lib, nn, x: nn.nll_loss(x, lib.tensor(1)),
    lambda lib, nn, x: nn.nll_loss(x, lib.tensor([0, 1, 2]), weight=lib.ones(2, 2)),
    lambda lib, nn, x: nn.nll_loss(x, lib.tensor([0, 1, 2]), weight=lib.ones(4).double()),
    lambda lib, nn, x: nn.nll_loss(x, lib.tensor([0, 1, 2]),
                                 weight=lib.ones(4, requires_grad=True)),
    lambda lib, nn, x: nn.nll_loss(lib.ones(4), lib.tensor([1, 2])),
    lambda lib, nn, x: nn.nll_loss(lib.ones(4), lib.tensor(4)),
    lambda lib, nn, x: nn.nll_loss(lib.ones(3, 4, dtype=lib.long), lib.tensor([0, 1, 2])),
    lambda lib, nn, x: nn.nll_loss(lib.ones(2, 3, 4, 5, dtype=lib.long),
                                 lib.zeros(2, 4, 5, dtype=lib.long)),
    lambda lib, nn, x: nn.nll_loss(lib.ones(2, 3, 4, 5), lib.zeros(2, 4, 5, dtype=lib.long),
                                 weight=lib.ones(3).double()),
    lambda lib, nn, x: nn.nll_loss(lib.ones(2, 3, 4, 5), lib.zeros(2, 4, 5, dtype=lib.long),
                                 weight=lib.ones(2)),
    lambda lib, nn, x: nn.nll_loss(lib.ones(2, 3, 4, 5), lib.zeros(2, 4, 5)),
    lambda lib, nn, x: nn.nll_loss(lib.ones(2, 3, 4, 5), lib.zeros(2, 4, 6, dtype=lib.long)),
    lambda lib, nn, x: nn.nll_loss(lib.ones(2, 3, 4, 5), lib.zeros(2, 4, 5, dtype=lib.uint8)),
    lambda lib, nn, x: nn.nll_loss(lib.ones(2, 3, 4, 5, 6), lib.zeros(2, 4, 5, dtype=lib.long)),
    lambda lib, nn, x: nn.binary_cross_entropy(x.sigmoid(), lib.rand(4)),
    lambda lib, nn, x: nn.binary_cross_entropy(x * 2, lib.rand(3, 4)),
    lambda lib, nn, x: nn.binary_cross_entropy(x.sigmoid(), lib.rand(3, 4) + 2),
    lambda lib, nn, x: nn.binary_cross_entropy(x.sigmoid(), lib.rand(3, 4).double()),
    lambda lib, nn, x: nn.binary_cross_entropy(lib.ones(2, dtype=lib.long), lib.ones(2)),
    lambda lib, nn, x: nn.binary_cross_entropy(lib.ones(2, dtype=lib.long),
                                             lib.ones(2, dtype=lib.long)),
    lambda lib, nn, x: nn.binary_cross_entropy(x.sigmoid(), lib.rand(3, 4), weight=lib.ones(3)),
    lambda lib, nn, x: nn.binary_cross_entropy(lib.rand(2), lib.rand(2), weight=lib.ones(3, 2)),
    lambda lib, nn, x: nn.binary_cross_entropy(x.sigmoid(), lib.rand(3, 4),
                                             weight=lib.ones(4, requires_grad=True)),
    lambda lib, nn, x: nn.binary_cross_entropy(x.sigmoid(), lib.rand(3, 4), reduction="foo"),
])
def test_errors(fn):
    assert_same_error(lambda lib: fn(lib, functional(lib), lib.ones(3, 4, requires_grad=True)))


# -- gradients against finite differences, and twice against torch ----------------------
TARGET = np.array([0, 3, 1])
GRADCHECKED = {
    "mse_loss": lambda lib, nn, x, y: nn.mse_loss(x, y),
    "mse_loss_none": lambda lib, nn, x, y: nn.mse_loss(x, y, reduction="none"),
    "cross_entropy": lambda lib, nn, x, y: nn.cross_entropy(x, lib.tensor(TARGET)),
    "cross_entropy_weighted_sum": lambda lib, nn, x, y: nn.cross_entropy(
        x, lib.tensor(TARGET), lib.tensor(np.arange(1.0, 5.0)), reduction="sum"),
    "cross_entropy_probabilities": lambda lib, nn, x, y: nn.cross_entropy(x, y.softmax(1)),
    "nll_loss_none": lambda lib, nn, x, y: nn.nll_loss(x, lib.tensor(TARGET), reduction="none"),
    "nll_loss_3d": lambda lib, nn, x, y: nn.nll_loss(x.view(3, 2, 2),
                                                     lib.tensor([[0, 1], [1, 1], [0, 0]])),
    "nll_loss_ignored_weighted": lambda lib, nn, x, y: nn.nll_loss(
        x, lib.tensor([0, -100, 1]), lib.tensor(np.arange(1.0, 5.0))),
    "binary_cross_entropy": lambda lib, nn, x, y: nn.binary_cross_entropy(x.sigmoid(),
                                                                          y.sigmoid()),
    "binary_cross_entropy_weighted": lambda lib, nn, x, y: nn.binary_cross_entropy(
        x.sigmoid(), y.sigmoid(), lib.tensor(np.arange(1.0, 5.0)), reduction="none"),
}


def _inputs(lib, seed):
    rng = np.random.default_rng(seed)
    return [lib.tensor(rng.standard_normal((3, 4)), requires_grad=True) for _ in range(2)]


@pytest.mark.parametrize("name", sorted(GRADCHECKED))
def test_gradcheck(name):
    fn = GRADCHECKED[name]
    assert gradcheck(lambda x, y: fn(microgrid, nnf, x, y), tuple(_inputs(microgrid, 0)))


@pytest.mark.parametrize("name", sorted(GRADCHECKED))
def test_double_backward_matches_torch(name):
    fn = GRADCHECKED[name]
    results = []
    for lib in (torch, microgrid):
        x, y = _inputs(lib, 1)
        loss = fn(lib, functional(lib), x, y)
        grads = lib.autograd.grad(loss.sum(), (x, y), create_graph=True, allow_unused=True)
        used = [g for g in grads if g is not None]
        second = lib.autograd.grad(sum((g * g).sum() for g in used), (x, y), allow_unused=True)
        results.append([None if g is None else g.detach().numpy() for g in (*grads, *second)])
    for ours, theirs in zip(results[1], results[0], strict=True):
        assert (ours is None) == (theirs is None)
        if theirs is not None:
            np.testing.assert_allclose(ours, theirs, rtol=1e-9, atol=1e-12)


# -- a small MLP ----------------------------------------------------------------------
def train_mlp(lib, loss_name, steps=5):
    """A 2-layer MLP (matmul, bias, tanh) trained with plain SGD for a few steps;
    returns every loss, the final parameters and their last gradients."""
    rng = np.random.default_rng(0)
    w1, b1 = rng.standard_normal((4, 8)) * 0.5, np.zeros(8)
    w2, b2 = rng.standard_normal((8, 3)) * 0.5, np.zeros(3)
    params = [lib.tensor(a.astype(np.float32), requires_grad=True) for a in (w1, b1, w2, b2)]
    x = lib.tensor(rng.standard_normal((16, 4)).astype(np.float32))
    labels = lib.tensor(rng.integers(0, 3, 16))
    targets = lib.tensor(rng.standard_normal((16, 3)).astype(np.float32))
    losses = []
    for _ in range(steps):
        w1, b1, w2, b2 = params
        out = lib.tanh(x @ w1 + b1) @ w2 + b2
        if loss_name == "mse_loss":
            loss = functional(lib).mse_loss(out, targets)
        else:
            loss = functional(lib).cross_entropy(out, labels)
        for p in params:
            p.grad = None
        loss.backward()
        losses.append(loss.item())
        with lib.no_grad():
            for p in params:
                p -= 0.1 * p.grad
    return losses, [p.detach().numpy().copy() for p in params], \
        [p.grad.numpy().copy() for p in params], repr(loss)


@pytest.mark.parametrize("loss_name", ["mse_loss", "cross_entropy"])
def test_mlp_training_matches_torch(loss_name):
    theirs = train_mlp(torch, loss_name)
    ours = train_mlp(microgrid, loss_name)
    np.testing.assert_allclose(ours[0], theirs[0], rtol=1e-5)
    for a, b in zip(ours[1] + ours[2], theirs[1] + theirs[2], strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert ours[3].split("(")[0] == theirs[3].split("(")[0]
    assert ours[3].split(", ")[-1] == theirs[3].split(", ")[-1]  # grad_fn=<...>


def test_mlp_graph_matches_torch():
    rng = np.random.default_rng(2)
    arrays = [rng.standard_normal(s).astype(np.float32) for s in ((5, 4), (4, 6), (6,), (6, 2))]
    targets = rng.standard_normal((5, 2)).astype(np.float32)
    check(lambda lib, x, w1, b1, w2, y: functional(lib).mse_loss(lib.tanh(x @ w1 + b1) @ w2, y),
          const(arrays[0]), arrays[1], arrays[2], arrays[3], const(targets))
