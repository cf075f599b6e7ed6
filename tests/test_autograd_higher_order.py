"""Higher-order gradients against PyTorch: every op's double backward, Hessians.

For every case below (together they cover every backward node of
``microgrid/ops``, which ``test_every_node_is_covered`` enforces, so a new op
needs a case here) the test

1. differentiates ``sum(w * f(x))`` with ``create_graph=True`` under both
   libraries and compares the gradients: values, ``requires_grad`` and the
   graph recorded for them, node for node;
2. differentiates ``sum(v * gradient)`` again and compares the second
   derivatives (Hessian-vector products);
3. checks the second derivatives against finite differences
   (``gradgradcheck``), so a wrong formula cannot pass by matching a
   mistake in the harness.

Then ``backward(create_graph=True)`` (``x.grad`` has a graph), first-order
backward recording nothing, and ``autograd.functional`` against
``torch.autograd.functional``.
"""

from __future__ import annotations

import importlib
import itertools
import pkgutil
from typing import Any, Callable, Dict, List, Sequence, Tuple

import numpy as np
import pytest
import torch
from difftest import assert_close, assert_same_error
from test_autograd_function import functions

import microgrid
from microgrid.autograd import graph
from microgrid.autograd.function import (  # the base of every Function's node, and
    BackwardCFunction,  # once_differentiable's Error, there to refuse a second derivative
    DelayedError,
)
from microgrid.autograd.gradcheck import gradgradcheck
from microgrid.autograd.graph import MultiOutputNode, Node
from microgrid.autograd.walk import signature, walk


# -- inputs ---------------------------------------------------------------------------
def values(*shape: int, low: float = -2.0, high: float = 2.0,
           away: Sequence[float] = ()) -> np.ndarray:
    """float64 values in [low, high], distinct (no ties for max/min), at least
    0.15 from the points in ``away`` (kinks), in a fixed shuffled order."""
    size = int(np.prod(shape))
    grid = np.linspace(low, high, num=size + 2)[1:-1]
    grid = np.array([v + 0.15 if any(abs(v - p) < 0.15 for p in away) else v for v in grid])
    return np.random.default_rng(size).permutation(grid).reshape(shape)


def positive(*shape: int) -> np.ndarray:
    return values(*shape, low=0.5, high=3.0)


class Const:
    """An input that does not require grad."""

    def __init__(self, array: np.ndarray) -> None:
        self.array = array


Case = Tuple[Callable[..., Any], List[Any]]


def _view_then_base_modified(lib: Any, x: Any) -> Any:
    base = x * 1
    view = base[1:]
    base.mul_(x)  # the view's grad_fn becomes AsStridedBackward0
    return view * view


def _modified_through_view(lib: Any, x: Any, y: Any) -> Any:
    base = x * x
    base[0].mul_(y[0])  # CopySlices around MulBackward0
    return base


def _setitem(lib: Any, x: Any, y: Any) -> Any:
    base = x * 1
    base[1] = y  # CopySlices around CopyBackwards
    base[:, 0] = 2.0  # CopySlices around FillBackward3
    return base * x


def _index_put(lib: Any, x: Any, y: Any) -> Any:
    base = x * x
    base[[0, 1], [2, 0]] = y  # IndexPutBackward0
    return base * x


def _random_fills(lib: Any, x: Any) -> Any:
    p = (x * 0.5).sigmoid()
    fills = [(x * 1).uniform_(), (x * 1).normal_(), (x * 1).random_(), (x * 1).random_(3),
             (x * 1).random_(0, 3), (x * 1).exponential_(), (x * 1).geometric_(0.5),
             (x * 1).log_normal_(), (x * 1).cauchy_(), (x * 1).bernoulli_(),
             (x * 1).bernoulli_(p), p.bernoulli(), lib.normal(x, 1.0),
             lib.normal(1.0, x.abs()), lib.normal(x, x.abs()), lib.poisson(x.abs())]
    noise = sum(fills)  # their gradients are zeros
    return noise * 0 + x * x  # the random values (the generators are not seeded) do not show


def _inplace_ops(lib: Any, x: Any, y: Any) -> Any:
    a = x * 1
    a.copy_(y * y)
    b = (x * 1).fill_(y.sum())
    c = (x * 1).fill_(3.0)
    d = (y * 1).zero_()
    e = (x * 1).sin_()
    e.mul_(x)
    return a * x + b * c + d + e


CASES: Dict[str, Case] = {
    # pointwise
    "add": (lambda lib, x, y: lib.add(x, y, alpha=2) * x, [values(2, 3), values(3)]),
    "sub": (lambda lib, x, y: x.sub(y, alpha=0.5) * y, [values(2, 1), values(1, 3)]),
    "rsub": (lambda lib, x, y: lib.rsub(x, y) * x, [values(3), values(2, 3)]),
    "rsub number": (lambda lib, x: (2 - x) * x, [values(2, 2)]),
    "mul": (lambda lib, x, y: x * y, [values(2, 3), values(2, 1)]),
    "div": (lambda lib, x, y: x / y, [values(2, 3), positive(3)]),
    "div floor": (lambda lib, x, y: x.div(y, rounding_mode="floor") * x,
                  [values(4, low=0.1, high=0.9), positive(4)]),
    "remainder number": (lambda lib, x: (x % 1.5) * x, [values(2, 3, away=[-1.5, 0, 1.5])]),
    "remainder tensors": (lambda lib, x, y: (x % y) * y,
                          [values(4, low=0.1, high=0.9), positive(4)]),
    "reciprocal": (lambda lib, x: 1 / x, [positive(2, 2)]),
    "pow number": (lambda lib, x: x ** 2.5, [positive(2, 3)]),
    "pow tensors": (lambda lib, x, y: x ** y, [positive(2, 3), values(3, away=[0])]),
    "pow number base": (lambda lib, y: 1.5 ** y, [values(2, 3)]),
    "maximum": (lambda lib, x, y: lib.maximum(x, y) * x, [values(2, 3), values(3, low=-1.9)]),
    "minimum": (lambda lib, x, y: lib.minimum(x, y) * y, [values(3, low=-1.9), values(2, 3)]),
    "neg": (lambda lib, x: -x * x, [values(3)]),
    "exp": (lambda lib, x: x.exp(), [values(2, 3)]),
    "log": (lambda lib, x: x.log(), [positive(2, 3)]),
    "sqrt": (lambda lib, x: x.sqrt(), [positive(2, 3)]),
    "sin": (lambda lib, x: x.sin(), [values(2, 3)]),
    "cos": (lambda lib, x: x.cos(), [values(2, 3)]),
    "tanh": (lambda lib, x: x.tanh(), [values(2, 3)]),
    "sigmoid": (lambda lib, x: x.sigmoid(), [values(2, 3)]),
    "relu": (lambda lib, x: x.relu() * x, [values(2, 3, away=[0])]),
    "sign": (lambda lib, x: x.sign() * x * x, [values(2, 3, away=[0])]),
    "abs": (lambda lib, x: x.abs() * x, [values(2, 3, away=[0])]),
    "clamp": (lambda lib, x: x.clamp(-1, 1) * x, [values(2, 3, away=[-1, 1])]),
    "clamp_min": (lambda lib, x: x.clamp_min(0.5) * x, [values(2, 3, away=[0.5])]),
    "clamp_max": (lambda lib, x: x.clamp_max(0.5) * x, [values(2, 3, away=[0.5])]),
    "clamp tensors": (lambda lib, x, lo, hi: x.clamp(lo, hi) * x,
                      [values(2, 3), values(3, low=-1.3, high=-0.1), values(3, high=1.3)]),
    "clamp_min tensor": (lambda lib, x, y: lib.clamp_min(x, y) * x,
                         [values(2, 3), values(2, 3, low=-1.9)]),
    "clamp_max tensor": (lambda lib, x, y: lib.clamp_max(x, y) * x,
                         [values(2, 3), values(2, 3, low=-1.9)]),
    "where": (lambda lib, x, y: lib.where(x > 0, x, y) * y, [values(2, 3), values(3)]),
    "to float32 and back": (lambda lib, x: (x.float() * x.float()).double(), [values(3)]),
    "clone": (lambda lib, x: x.clone() * x, [values(3)]),
    # reductions
    "sum": (lambda lib, x: x.sum() * x, [values(2, 3)]),
    "sum dim": (lambda lib, x: x.sum((0, -1), keepdim=True) * x, [values(2, 3, 2)]),
    "mean": (lambda lib, x: x.mean() * x, [values(2, 3)]),
    "mean dim": (lambda lib, x: x.mean(-1) * x[:, 0], [values(2, 3)]),
    "max": (lambda lib, x: x.max() * x, [values(2, 3)]),
    "min": (lambda lib, x: x.min() * x, [values(2, 3)]),
    "max dim": (lambda lib, x: x.max(1).values * x[:, 0], [values(2, 3)]),
    "min dim": (lambda lib, x: x.min(0, keepdim=True).values * x, [values(2, 3)]),
    "var": (lambda lib, x: x.var(), [values(2, 3)]),
    "var dim": (lambda lib, x: x.var(0, correction=0, keepdim=True), [values(3, 2)]),
    "std": (lambda lib, x: x.std(unbiased=False), [values(2, 3)]),
    "std dim": (lambda lib, x: x.std((0, 2)), [values(2, 2, 2)]),
    "logsumexp": (lambda lib, x: x.logsumexp(1), [values(2, 3)]),
    "softmax": (lambda lib, x: x.softmax(0), [values(3, 2)]),
    "log_softmax": (lambda lib, x: x.log_softmax(-1), [values(3, 2)]),
    # shape
    "expand": (lambda lib, x: x.expand(2, 3) * x, [values(3)]),
    "view": (lambda lib, x: x.view(3, 2) * x.view(3, 2), [values(2, 3)]),
    "reshape of a transpose": (lambda lib, x: x.t().reshape(6) * x.t().reshape(6),
                               [values(2, 3)]),
    "reshape alias": (lambda lib, x: x.t().reshape(3, 1, 2) * x.t().unsqueeze(1),
                      [values(2, 3)]),
    "flatten": (lambda lib, x: x.flatten() * x.flatten(), [values(2, 1, 3)]),
    "contiguous": (lambda lib, x: x.t().contiguous() * x.t(), [values(2, 3)]),
    "transpose": (lambda lib, x: x.transpose(0, 1) * x.transpose(1, 0), [values(2, 3)]),
    "t": (lambda lib, x: x.t() * x.t(), [values(2, 3)]),
    "T and mT": (lambda lib, x: x.T * x.mT, [values(2, 3)]),
    "permute": (lambda lib, x: x.permute(2, 0, 1) * x.permute(2, 0, 1), [values(2, 3, 2)]),
    "squeeze": (lambda lib, x: x.squeeze() * x.squeeze(1) * x.squeeze((1,)), [values(2, 1)]),
    "unsqueeze": (lambda lib, x: x.unsqueeze(1) * x, [values(3)]),
    "alias": (lambda lib, x: x[...] * x, [values(3)]),
    "cat": (lambda lib, x, y: lib.cat([x, y], 0) * lib.cat([y, x], 0),
            [values(2, 3), values(1, 3)]),
    "stack": (lambda lib, x, y: lib.stack([x, y], 1) * lib.stack([y, x], 1),
              [values(3), values(3)]),
    "unbind": (lambda lib, x: tuple(t * t for t in x.unbind(1)), [values(2, 3)]),
    # indexing
    "select": (lambda lib, x: x[1] * x[0], [values(2, 3)]),
    "slice": (lambda lib, x: x[:, 1:] * x[:, :2], [values(2, 3)]),
    "narrow": (lambda lib, x: x.narrow(1, 0, 2) * x.narrow(1, 1, 2), [values(2, 3)]),
    "index": (lambda lib, x: x[[0, 0, 1]] * x[[1, 0, 1]], [values(2, 3)]),
    "mask": (lambda lib, x: x[x > 0] * x[x > 0], [values(2, 3)]),
    # linear algebra
    "dot": (lambda lib, x, y: lib.dot(x, y) * x, [values(3), values(3)]),
    "mv": (lambda lib, a, x: lib.mv(a, x) * lib.mv(a, x), [values(2, 3), values(3)]),
    "mm": (lambda lib, a, b: lib.mm(a, b) * lib.mm(a, b), [values(2, 3), values(3, 2)]),
    "bmm": (lambda lib, a, b: lib.bmm(a, b) * lib.bmm(a, b), [values(2, 2, 3), values(2, 3, 2)]),
    "matmul vector-matrix": (lambda lib, x, a: (x @ a) * (x @ a), [values(3), values(3, 2)]),
    "matmul batched": (lambda lib, a, b: (a @ b) * (a @ b), [values(2, 2, 3), values(3, 2)]),
    "outer": (lambda lib, x, y: lib.outer(x, y) * lib.outer(y, x).t(), [values(3), values(2)]),
    # torch.nn.functional
    "mse_loss": (lambda lib, x, y: lib.nn.functional.mse_loss(x * x, y) * x,
                 [values(2, 3), values(2, 3)]),
    "nll_loss": (lambda lib, x: lib.nn.functional.nll_loss(x.log_softmax(1) * x,
                                                           lib.tensor([0, 2])), [values(2, 3)]),
    "nll_loss of images": (lambda lib, x: lib.nn.functional.nll_loss(
        x.log_softmax(1) * x, lib.tensor([[[0], [2]], [[1], [1]]])), [values(2, 3, 2, 1)]),
    "cross_entropy": (lambda lib, x: lib.nn.functional.cross_entropy(x * x, lib.tensor([1, 0])),
                      [values(2, 3)]),
    "cross_entropy with probabilities": (
        lambda lib, x, p: lib.nn.functional.cross_entropy(x * x, p.softmax(1)),
        [values(2, 3), values(2, 3)]),
    "binary_cross_entropy": (
        lambda lib, x, t: lib.nn.functional.binary_cross_entropy((x * x).sigmoid(), t),
        [values(2, 3), Const(values(2, 3, low=0.1, high=0.9))]),
    "linear": (lambda lib, x, w, b: lib.nn.functional.linear(x, w, b) ** 2,
               [values(4, 3), values(2, 3), values(2)]),
    "addmm": (lambda lib, b, x, y: lib.addmm(b, x, y.t(), beta=0.5, alpha=2) ** 2,
              [values(3), values(2, 4), values(3, 4)]),
    "uniform_ and normal_": (_random_fills, [values(2, 3)]),
    # -- issue 16 item 4: layers
    "conv2d": (lambda lib, x, w, b: lib.nn.functional.conv2d(x, w, b, stride=2, padding=1) ** 2,
               [values(2, 2, 5, 4), values(3, 2, 2, 3), values(3)]),
    "conv1d": (lambda lib, x, w: lib.nn.functional.conv1d(x, w, dilation=2) ** 2,
               [values(2, 2, 6), values(2, 2, 2)]),
    "max_pool2d": (lambda lib, x: lib.nn.functional.max_pool2d(x * x, 2, 1),
                   [positive(1, 2, 3, 4)]),
    "avg_pool2d": (lambda lib, x: lib.nn.functional.avg_pool2d(x * x, 2, 1, 1),
                   [values(1, 2, 3, 4)]),
    "pad": (lambda lib, x: lib.nn.functional.pad(x * x, (1, -1, 2, 0)), [values(2, 3)]),
    "embedding": (lambda lib, w: lib.nn.functional.embedding(lib.tensor([[0, 2], [2, 1]]), w)
                  ** 2, [values(3, 2)]),
    "batch_norm": (lambda lib, x, w, b: lib.nn.functional.batch_norm(x, None, None, w, b, True)
                   ** 2, [values(4, 3), values(3), values(3)]),
    "batch_norm eval": (lambda lib, x, w, b: lib.nn.functional.batch_norm(
        x, lib.zeros(3, dtype=lib.float64) + 0.5, lib.ones(3, dtype=lib.float64) * 2, w, b)
        ** 2, [values(4, 3), values(3), values(3)]),
    "layer_norm": (lambda lib, x, w, b: lib.nn.functional.layer_norm(x, (3,), w, b) ** 2,
                   [values(2, 3), values(3), values(3)]),
    "softplus": (lambda lib, x: lib.nn.functional.softplus(x * x, beta=2), [values(2, 3)]),
    "gelu": (lambda lib, x: lib.nn.functional.gelu(x), [values(2, 3)]),
    "gelu tanh": (lambda lib, x: lib.nn.functional.gelu(x, approximate="tanh"), [values(2, 3)]),
    "leaky_relu": (lambda lib, x: lib.nn.functional.leaky_relu(x, 0.2) * x,
                   [values(2, 3, away=[0])]),
    "smooth_l1_loss": (lambda lib, x, y: lib.nn.functional.smooth_l1_loss(x * x, y, beta=1.5),
                       [values(2, 3), values(2, 3)]),
    "binary_cross_entropy_with_logits": (
        lambda lib, x, t: lib.nn.functional.binary_cross_entropy_with_logits(
            x * x, t, pos_weight=lib.tensor([0.5, 1.0, 2.0], dtype=lib.float64)),
        [values(2, 3), values(2, 3, low=0.1, high=0.9)]),
    # in place
    "view of a base modified in place": (_view_then_base_modified, [values(3)]),
    "in place through a view": (_modified_through_view, [values(2, 3), values(3)]),
    "setitem": (_setitem, [values(2, 3), values(3)]),
    "setitem with index lists": (_index_put, [values(2, 3), values(2)]),
    "copy_ fill_ zero_ sin_ mul_": (_inplace_ops, [values(2, 3), values(2, 3)]),
    # a learner's own op: autograd.Function (its Backward class is made per Function)
    "custom Function": (lambda lib, x, y: functions(lib).MulAdd.apply(
        functions(lib).Cube.apply(x), y), [values(2, 3), values(2, 3)]),

    # issue 16's surface
    "log10 log2": (lambda lib, x: x.log10() * x.log2(), [positive(2, 3)]),
    "log1p expm1": (lambda lib, x: x.log1p() * x.expm1(), [positive(2, 3)]),
    "cumsum flip": (lambda lib, x: x.cumsum(1) * x.flip(0), [values(2, 3)]),
    "cumprod": (lambda lib, x: x.cumprod(0), [values(3, 2, away=[0])]),
    "norm 2": (lambda lib, x: x.norm(dim=1) * x.sum(1), [values(2, 3)]),
    "norm 3": (lambda lib, x: x.norm(3), [values(2, 3, away=[0])]),
}

#: Cases whose gradients PyTorch records with other nodes than microgrid
#: does (the values agree): each is a change to make in a backward formula,
#: in the file named.  Strict xfails: a case that starts matching fails
#: until it is removed from here.
_SCATTER = ("ops/reduction.py: PyTorch's backward of max/min along a dim scatters the "
            "gradient into zeros at the indices (ScatterBackward0), not where")
_OWN_NODE = ("{}: PyTorch's backward is an op with a node of its own ({}), microgrid's "
             "backward formula is written with tensor ops")
GRAPH_DIFFERENCES: Dict[str, str] = {
    "max dim": _SCATTER,
    "min dim": _SCATTER,
    # -- issue 16 item 4: layers whose backward formulas are ops, not one backward op
    "batch_norm": _OWN_NODE.format("ops/normalization.py", "NativeBatchNormBackwardBackward0"),
    "batch_norm eval": _OWN_NODE.format("ops/normalization.py",
                                        "NativeBatchNormBackwardBackward0"),
    "layer_norm": _OWN_NODE.format("ops/normalization.py", "NativeLayerNormBackwardBackward0"),
    "binary_cross_entropy_with_logits": _OWN_NODE.format(
        "ops/nn_losses.py", "BinaryCrossEntropyWithLogitsBackwardBackward0"),
    "smooth_l1_loss": _OWN_NODE.format("ops/nn_losses.py", "SmoothL1LossBackwardBackward0"),
    "embedding": _OWN_NODE.format("ops/embedding.py", "EmbeddingBackwardBackward0"),
    "gelu": _OWN_NODE.format("ops/activation.py", "GeluBackwardBackward0"),
    "gelu tanh": _OWN_NODE.format("ops/activation.py", "GeluBackwardBackward0"),
    "leaky_relu": _OWN_NODE.format("ops/activation.py", "LeakyReluBackwardBackward0"),
    "softplus": _OWN_NODE.format("ops/activation.py", "SoftplusBackwardBackward0"),
}

#: Cases that go through float32: finite differences there are mostly noise.
SINGLE_PRECISION = {"to float32 and back"}


def make_inputs(lib: Any, specs: Sequence[Any]) -> List[Any]:
    return [lib.tensor(s.array.copy()) if isinstance(s, Const)
            else lib.tensor(s.copy(), requires_grad=True) for s in specs]


def float_outputs(result: Any) -> List[Any]:
    outputs = result if isinstance(result, tuple) else (result,)
    return [o for o in outputs if o.requires_grad]


def weights(lib: Any, tensor: Any, seed: int) -> Any:
    rng = np.random.default_rng(seed)
    return lib.tensor(rng.uniform(0.5, 1.5, size=tuple(tensor.shape)))


def first_and_second(lib: Any, name: str,
                     record_second: bool = False) -> Tuple[List[Any], List[Any], List[Any]]:
    """(inputs, gradients with create_graph, second derivatives) of a case
    (the second derivatives recorded too with ``record_second``)."""
    fn, specs = CASES[name]
    inputs = make_inputs(lib, specs)
    diff = [t for t in inputs if t.requires_grad]
    outputs = float_outputs(fn(lib, *inputs))
    loss = sum((o * weights(lib, o, k)).sum() for k, o in enumerate(outputs))
    grads = list(lib.autograd.grad(loss, diff, create_graph=True, allow_unused=True))
    connected = [(g, t) for g, t in zip(grads, diff, strict=True)
                 if g is not None and g.requires_grad]
    second: List[Any] = []
    if connected:
        again = sum((g * weights(lib, t, 100 + k)).sum() for k, (g, t) in enumerate(connected))
        second = list(lib.autograd.grad(again, diff, allow_unused=True,
                                        create_graph=record_second))
    return inputs, grads, second


def compare_derivatives(ours: List[Any], theirs: List[Any], what: str) -> None:
    """Same values and ``requires_grad``; where PyTorch found no path (None),
    ours may be None or zeros."""
    assert len(ours) == len(theirs)
    for i, (o, t) in enumerate(zip(ours, theirs, strict=True)):
        if t is None:
            assert o is None or not np.any(o.detach().numpy()), f"{what} {i}"
            continue
        assert o is not None, f"{what} {i} is missing"
        assert_close(o, t, f"{what} {i}")
        assert o.requires_grad == t.requires_grad, f"{what} {i}: requires_grad"


@pytest.mark.parametrize("name", sorted(CASES))
def test_gradients_with_create_graph_match_torch(name):
    compare_derivatives(first_and_second(microgrid, name)[1],
                        first_and_second(torch, name)[1], "gradient")


@pytest.mark.parametrize("name", [
    pytest.param(name, marks=pytest.mark.xfail(reason=GRAPH_DIFFERENCES[name], strict=True))
    if name in GRAPH_DIFFERENCES else name for name in sorted(CASES)])
def test_graph_of_the_gradients_matches_torch(name):
    _, theirs, _ = first_and_second(torch, name)
    _, ours, _ = first_and_second(microgrid, name)
    for i, (o, t) in enumerate(zip(ours, theirs, strict=True)):
        if t is not None and t.requires_grad:
            assert signature(o) == signature(t), f"graph of gradient {i}"


@pytest.mark.parametrize("name", sorted(CASES))
def test_second_derivatives_match_torch(name):
    compare_derivatives(first_and_second(microgrid, name)[2],
                        first_and_second(torch, name)[2], "second derivative")


@pytest.mark.parametrize("name", sorted(set(CASES) - SINGLE_PRECISION))
def test_second_derivatives_pass_gradgradcheck(name):
    fn, specs = CASES[name]
    inputs = make_inputs(microgrid, specs)

    def function(*args):
        return tuple(float_outputs(fn(microgrid, *args)))

    assert gradgradcheck(function, tuple(inputs))


def nodes_seen() -> set:
    """The names of every node in the cases' forward graphs and in the
    graphs their first and second derivatives record."""
    seen = set()
    for name in CASES:
        fn, specs = CASES[name]
        inputs = make_inputs(microgrid, specs)
        outputs = float_outputs(fn(microgrid, *inputs))
        seen |= {n.name for n in walk(outputs)}
        _, grads, second = first_and_second(microgrid, name, record_second=True)
        recorded = [g for g in grads + second if g is not None and g.requires_grad]
        seen |= {n.name for n in walk(recorded)}
    return seen


def defined_nodes() -> set:
    """The names of the Node classes defined anywhere in microgrid."""
    names = set()
    for info in pkgutil.walk_packages(microgrid.__path__, "microgrid."):
        module = importlib.import_module(info.name)
        names |= {value.__name__ for value in vars(module).values()
                  if isinstance(value, type) and issubclass(value, Node)
                  and value not in (Node, MultiOutputNode, BackwardCFunction, DelayedError)
                  and value.__module__ == module.__name__}
    return names


def test_every_node_is_covered():
    """Every backward node of ``microgrid/ops`` appears in a case (forward, or
    in the graph of a derivative): a new op must come with a case above."""
    # NotImplemented: the node of an op without a derivative (floor_divide); it raises.
    missing = defined_nodes() - nodes_seen() - {"NotImplemented"}
    assert not missing, f"no double-backward case covers {sorted(missing)}"


# -- backward(create_graph=True), and first order recording nothing -------------------
def test_backward_create_graph_gives_grad_a_graph_like_torch():
    def run(lib):
        x = lib.tensor([1.0, 2.0, -1.5], requires_grad=True)
        (x * x * x).sum().backward(create_graph=True)
        first = (x.grad.detach().clone(), signature(x.grad))
        (x * x).sum().backward(create_graph=True)  # accumulates: x.grad + new, recorded
        second = (x.grad.detach().clone(), signature(x.grad))
        slope = x.grad
        x.grad = None
        slope.sum().backward()
        return first, second, x.grad

    theirs, ours = run(torch), run(microgrid)
    for (t_value, t_graph), (o_value, o_graph) in zip(theirs[:2], ours[:2], strict=True):
        assert_close(o_value, t_value, "x.grad")
        assert o_graph == t_graph
    assert o_graph[0][1] == "AddBackward0" and ours[0][1][0][1] == "CopyBackwards"
    assert_close(ours[2], theirs[2], "gradient of x.grad")


def test_retained_grad_with_create_graph_is_a_recorded_clone():
    def run(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y.retain_grad()
        (y * y).sum().backward(create_graph=True)
        return y.grad, signature(y.grad)

    (t, t_graph), (o, o_graph) = run(torch), run(microgrid)
    assert_close(o, t, "y.grad")
    assert o_graph == t_graph and o_graph[0][1] == "CloneBackward0"


def test_first_order_backward_records_nothing():
    x = microgrid.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    loss = ((x.exp() * x).sum(1).sqrt() / x[0]).sum()
    before = next(graph._sequence_numbers)
    loss.backward()
    assert next(graph._sequence_numbers) == before + 1  # no node was made in between
    assert x.grad.grad_fn is None and not x.grad.requires_grad


@pytest.mark.parametrize("op", ["exp", "tanh", "sigmoid", "sqrt", "reciprocal"])
def test_saved_outputs_are_rebuilt_with_their_node(op):
    """These ops save their result; in the gradient's graph the result must
    come back with its own node as grad_fn (PyTorch's SavedVariable), so the
    second derivative flows through the op again."""
    def run(lib):
        x = lib.tensor([0.5, 1.5], requires_grad=True)
        y = getattr(x, op)()
        (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
        return y.grad_fn, g, lib.autograd.grad(g.sum(), x)[0]

    _, _, theirs = run(torch)
    node, gradient, ours = run(microgrid)
    assert any(n.node is node for n in walk(gradient))
    assert_close(ours, theirs, op)


def test_third_derivative():
    def run(lib):
        x = lib.tensor([0.3, -0.7], requires_grad=True)
        y = (x.sin() * x.exp()).sum()
        (g1,) = lib.autograd.grad(y, x, create_graph=True)
        (g2,) = lib.autograd.grad(g1.sum(), x, create_graph=True)
        (g3,) = lib.autograd.grad(g2.sum(), x)
        return g1, g2, g3

    for o, t in zip(run(microgrid), run(torch), strict=True):
        assert_close(o, t, "derivative")


def test_double_backward_through_freed_graph_fails_like_torch():
    def fn(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        (g,) = lib.autograd.grad((x.exp() * x).sum(), x)  # create_graph=False: freed
        return g.sum().backward()

    assert_same_error(fn)


# -- autograd.functional ---------------------------------------------------------------
def _cube(lib):
    return lambda x: (x * x * x).sum() + x.sum() * x.sum()


def _pair(lib):
    return lambda a, b: (a * b).sum() + (a.exp() * b.sin()).sum()


def _vector(lib):
    return lambda a, b: (a * b, a.exp().sum())


FUNCTIONAL = [
    ("hessian", lambda lib, f, xs: lib.autograd.functional.hessian(f, xs[0]), _cube, [(3,)]),
    ("hessian tuple", lambda lib, f, xs: lib.autograd.functional.hessian(f, tuple(xs)), _pair,
     [(2,), (2,)]),
    ("hessian create_graph", lambda lib, f, xs: lib.autograd.functional.hessian(
        f, xs[0], create_graph=True), _cube, [(2,)]),
    ("jacobian", lambda lib, f, xs: lib.autograd.functional.jacobian(
        lambda a: a.exp() * a, xs[0]), None, [(2, 3)]),
    ("jacobian tuples", lambda lib, f, xs: lib.autograd.functional.jacobian(f, tuple(xs)),
     _vector, [(3,), (3,)]),
    ("jacobian vectorize", lambda lib, f, xs: lib.autograd.functional.jacobian(
        f, tuple(xs), vectorize=True), _vector, [(3,), (3,)]),
    ("jacobian create_graph", lambda lib, f, xs: lib.autograd.functional.jacobian(
        f, tuple(xs), create_graph=True), _vector, [(2,), (2,)]),
    ("vjp", lambda lib, f, xs: lib.autograd.functional.vjp(
        lambda a: a * a.sin(), xs[0], lib.ones(3)), None, [(3,)]),
    ("jvp", lambda lib, f, xs: lib.autograd.functional.jvp(
        f, tuple(xs), (lib.ones(2, dtype=lib.float64), lib.ones(2, dtype=lib.float64))),
     _vector, [(2,), (2,)]),
    ("hvp", lambda lib, f, xs: lib.autograd.functional.hvp(
        f, xs[0], lib.ones(3, dtype=lib.float64)), _cube, [(3,)]),
    ("vhp", lambda lib, f, xs: lib.autograd.functional.vhp(
        f, tuple(xs), (lib.ones(2, dtype=lib.float64), xs[0].detach())), _pair, [(2,), (2,)]),
]


def _flat(result: Any) -> List[Any]:
    if isinstance(result, (tuple, list)):
        return [leaf for item in result for leaf in _flat(item)]
    return [result]


def _structure(result: Any) -> Any:
    if isinstance(result, (tuple, list)):
        return tuple(_structure(item) for item in result)
    return tuple(result.shape)


@pytest.mark.parametrize("name, call, make_f, shapes", FUNCTIONAL,
                         ids=[case[0] for case in FUNCTIONAL])
def test_functional_matches_torch(name, call, make_f, shapes):
    def run(lib):
        xs = [lib.tensor(values(*shape) + k, requires_grad=True) for k, shape in enumerate(shapes)]
        return call(lib, make_f(lib) if make_f else None, xs)

    theirs, ours = run(torch), run(microgrid)
    assert _structure(ours) == _structure(theirs)
    for o, t in zip(_flat(ours), _flat(theirs), strict=True):
        assert_close(o, t, name)
        assert o.requires_grad == t.requires_grad, name
        if t.requires_grad:
            assert signature(o)[0][1] == signature(t)[0][1], name


def _errors_of_functional() -> List[Tuple[str, Callable[[Any], Any]]]:
    f = lambda x: x.sum()  # noqa: E731
    return [
        ("inputs not tensors", lambda lib: lib.autograd.functional.jacobian(f, [1.0])),
        ("tuple entry not a tensor", lambda lib: lib.autograd.functional.jacobian(
            lambda a, b: a, (lib.ones(2), 3))),
        ("output not a tensor", lambda lib: lib.autograd.functional.jacobian(
            lambda a: 3, lib.ones(2))),
        ("hessian of a vector", lambda lib: lib.autograd.functional.hessian(
            lambda a: a * 2, lib.ones(2))),
        ("hessian of a tuple", lambda lib: lib.autograd.functional.hessian(
            lambda a: (a.sum(), a.sum()), lib.ones(2))),
        ("strict independent", lambda lib: lib.autograd.functional.jacobian(
            lambda a, b: a * 2, (lib.ones(2), lib.ones(2)), strict=True)),
        ("strict output without grad", lambda lib: lib.autograd.functional.jacobian(
            lambda a: lib.ones(2), lib.ones(2), strict=True)),
        ("strict linear hessian", lambda lib: lib.autograd.functional.hessian(
            lambda a: (a * 2).sum(), lib.ones(2), strict=True)),
        ("vjp without v", lambda lib: lib.autograd.functional.vjp(lambda a: a * 2, lib.ones(2))),
        ("vjp wrong v size", lambda lib: lib.autograd.functional.vjp(
            lambda a: a * 2, lib.ones(2), lib.ones(3))),
        ("vjp v tuple length", lambda lib: lib.autograd.functional.vjp(
            lambda a: (a, a), lib.ones(2), (lib.ones(2),))),
        ("jvp wrong v size", lambda lib: lib.autograd.functional.jvp(
            lambda a, b: a * b, (lib.ones(2), lib.ones(2)), (lib.ones(2), lib.ones(3)))),
        ("hvp without v", lambda lib: lib.autograd.functional.hvp(
            lambda a: a.sum(), lib.ones(2))),
        ("bad strategy", lambda lib: lib.autograd.functional.jacobian(
            f, lib.ones(2), strategy="sideways")),
        ("strict and vectorize", lambda lib: lib.autograd.functional.jacobian(
            f, lib.ones(2), strict=True, vectorize=True)),
    ]


@pytest.mark.parametrize("name, fn", _errors_of_functional(),
                         ids=[case[0] for case in _errors_of_functional()])
def test_functional_errors_match_torch(name, fn):
    assert_same_error(fn)


def test_jacobian_of_every_pair_of_small_shapes():
    """Output and input shapes combine: the block has shape out.shape + in.shape."""
    for out_shape, in_shape in itertools.product([(), (2,), (2, 1)], [(), (3,), (1, 2)]):
        def run(lib, out_shape=out_shape, in_shape=in_shape):
            x = lib.tensor(values(*in_shape))
            weight = lib.tensor(np.linspace(0.5, 1.5, int(np.prod(out_shape))).reshape(out_shape))
            return lib.autograd.functional.jacobian(lambda a: (a * a).sum() * weight, x)

        theirs, ours = run(torch), run(microgrid)
        assert_close(ours, theirs, f"{out_shape} from {in_shape}")
