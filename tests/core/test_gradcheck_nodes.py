"""Every node of ``ops/pointwise.py`` and ``ops/reduction.py`` passes gradcheck.

microgrid alone, no PyTorch: each op's gradient is compared with finite
differences in float64 (``gradcheck``), and so is the gradient of its
gradient (checking the gradient function itself exercises double backward).
A learner who edits ``MulBackward0`` finds out here whether the derivative
is still right.
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import microgrid
from microgrid.autograd import gradcheck
from microgrid.autograd.graph import Node
from microgrid.autograd.walk import walk
from microgrid.ops import pointwise, reduction

# -- every op -----------------------------------------------------------------------
RNG = np.random.default_rng(0)


def data(*shape, low=-2.0, high=2.0, away_from=None):
    """float64 leaf values in [low, high], at least 0.2 away from ``away_from``
    points (kinks) and from each other (no ties for max/min)."""
    size = int(np.prod(shape))
    values = np.linspace(low, high, num=size + 2)[1:-1]
    points = [] if away_from is None else list(away_from)
    values = np.array([v + 0.2 if any(abs(v - p) < 0.2 for p in points) else v for v in values])
    return microgrid.tensor(RNG.permutation(values).reshape(shape), requires_grad=True)


def positive(*shape):
    return data(*shape, low=0.5, high=3.0)


CASES = {
    "add": (lambda x, y: microgrid.add(x, y, alpha=2), lambda: (data(2, 3), data(3))),
    "sub": (lambda x, y: x.sub(y, alpha=0.5), lambda: (data(2, 1), data(1, 3))),
    "rsub tensors": (lambda x, y: microgrid.rsub(x, y), lambda: (data(3), data(2, 3))),
    "rsub number": (lambda x: 2 - x, lambda: (data(2, 2),)),
    "mul": (lambda x, y: x * y, lambda: (data(2, 3), data(2, 1))),
    "div": (lambda x, y: x / y, lambda: (data(2, 3), positive(3))),
    "div rounding None": (lambda x, y: x.div(y, rounding_mode=None),
                          lambda: (data(2, 3), positive(3))),
    "div floor": (lambda x, y: x.div(y, rounding_mode="floor"),
                  lambda: (data(4, low=0.1, high=0.9), positive(4))),
    "reciprocal": (lambda x: 1 / x, lambda: (positive(2, 2),)),
    "pow number": (lambda x: x ** 2.5, lambda: (positive(2, 3),)),
    "pow zero": (lambda x: x ** 0, lambda: (data(3),)),
    "pow tensors": (lambda x, y: x ** y, lambda: (positive(2, 3), data(3, away_from=[0]))),
    "pow number base": (lambda y: 1.5 ** y, lambda: (data(2, 3),)),
    "maximum": (microgrid.maximum, lambda: (data(2, 3), data(3))),
    "minimum": (microgrid.minimum, lambda: (data(3), data(2, 3))),
    "neg": (lambda x: -x, lambda: (data(3),)),
    "exp": (microgrid.exp, lambda: (data(2, 3),)),
    "log": (microgrid.log, lambda: (positive(2, 3),)),
    "sqrt": (microgrid.sqrt, lambda: (positive(2, 3),)),
    "abs": (microgrid.abs, lambda: (data(2, 3, away_from=[0]),)),
    "sign": (lambda x: x.sign() * x, lambda: (data(2, 3, away_from=[0]),)),
    "sin": (microgrid.sin, lambda: (data(2, 3),)),
    "cos": (microgrid.cos, lambda: (data(2, 3),)),
    "tanh": (microgrid.tanh, lambda: (data(2, 3),)),
    "sigmoid": (microgrid.sigmoid, lambda: (data(2, 3),)),
    "relu": (microgrid.relu, lambda: (data(2, 3, away_from=[0]),)),
    "clamp": (lambda x: x.clamp(-1, 1), lambda: (data(2, 3, away_from=[-1, 1]),)),
    "clamp_min": (lambda x: x.clamp_min(0.5), lambda: (data(2, 3, away_from=[0.5]),)),
    "clamp_max": (lambda x: x.clamp_max(0.5), lambda: (data(2, 3, away_from=[0.5]),)),
    "clamp tensors": (lambda x, lo, hi: x.clamp(lo, hi),
                      lambda: (data(2, 3), data(3, low=-1.3, high=-0.1), data(3, high=1.3))),
    "clamp_min tensor": (microgrid.clamp_min, lambda: (data(2, 3), data(2, 3, low=-1.9))),
    "clamp_max tensor": (microgrid.clamp_max, lambda: (data(2, 3), data(2, 3, low=-1.9))),
    "where": (lambda x, y: microgrid.where(x > 0, x, y), lambda: (data(2, 3), data(3))),
    "clone": (lambda x: x.clone(), lambda: (data(3),)),
    "sgn": (lambda x: x.sgn() * x, lambda: (data(2, 3, away_from=[0]),)),
    "masked_fill": (lambda x: x.masked_fill(x > 0, 1.5), lambda: (data(2, 3, away_from=[0]),)),
    "masked_fill tensor": (lambda x, v: microgrid.masked_fill(x, x < 0, v),
                           lambda: (data(2, 3, away_from=[0]), data())),
    "remainder number": (lambda x: x % 1.5, lambda: (data(2, 3, away_from=[-1.5, 0, 1.5]),)),
    "remainder tensors": (lambda x, y: x % y,
                          lambda: (data(4, low=0.1, high=0.9), positive(4))),
    "add_scalar": (lambda x: pointwise.add_scalar(x, 2), lambda: (data(3),)),
    "sub_scalar": (lambda x: pointwise.sub_scalar(x, 2), lambda: (data(3),)),
    "mul_scalar": (lambda x: pointwise.mul_scalar(x, -1.5), lambda: (data(3),)),
    "div_scalar": (lambda x: pointwise.div_scalar(x, 4), lambda: (data(3),)),
    "tanh_backward": (pointwise.tanh_backward, lambda: (data(2, 3), data(3))),
    "sigmoid_backward": (pointwise.sigmoid_backward, lambda: (data(2, 3), data(3))),
    "threshold_backward": (lambda g, y: pointwise.threshold_backward(g, y, 0.5),
                           lambda: (data(2, 3), data(2, 3, away_from=[0.5]))),
    "softmax_backward_data": (lambda g, y: reduction.softmax_backward_data(g, y, 1),
                              lambda: (data(2, 3), data(2, 3))),
    "log_softmax_backward_data": (lambda g, y: reduction.log_softmax_backward_data(g, y, 0),
                                  lambda: (data(2, 3), data(2, 3))),
    "sum": (lambda x: x.sum(), lambda: (data(2, 3),)),
    "sum dim": (lambda x: x.sum((0, -1), keepdim=True), lambda: (data(2, 3, 2),)),
    "mean": (lambda x: x.mean(), lambda: (data(2, 3),)),
    "mean dim": (lambda x: x.mean(-1), lambda: (data(2, 3),)),
    "max": (lambda x: x.max(), lambda: (data(2, 3),)),
    "min": (lambda x: x.min(), lambda: (data(2, 3),)),
    "max dim": (lambda x: x.max(1), lambda: (data(2, 3),)),
    "min dim": (lambda x: x.min(0, keepdim=True).values, lambda: (data(2, 3),)),
    "var": (lambda x: x.var(), lambda: (data(2, 3),)),
    "var dim": (lambda x: x.var(0, correction=0, keepdim=True), lambda: (data(3, 2),)),
    "std": (lambda x: x.std(unbiased=False), lambda: (data(2, 3),)),
    "std dim": (lambda x: x.std((0, 2)), lambda: (data(2, 2, 2),)),
    "logsumexp": (lambda x: x.logsumexp(1), lambda: (data(2, 3),)),
    "softmax": (lambda x: x.softmax(0), lambda: (data(3, 2),)),
    "log_softmax": (lambda x: x.log_softmax(-1), lambda: (data(3, 2),)),
    # issue 16's surface: logarithms, scans, the vector norm
    "log10": (microgrid.log10, lambda: (positive(2, 3),)),
    "log2": (microgrid.log2, lambda: (positive(2, 3),)),
    "log1p": (microgrid.log1p, lambda: (data(2, 3, low=-0.5, high=2.0),)),
    "expm1": (microgrid.expm1, lambda: (data(2, 3),)),
    "flip": (lambda x: x.flip(0, 1) * x, lambda: (data(2, 3),)),
    "cumsum": (lambda x: x.cumsum(1), lambda: (data(2, 3),)),
    "cumprod": (lambda x: x.cumprod(0), lambda: (data(3, 2, away_from=[0]),)),
    "cumprod zeros": (lambda x: x.cumprod(-1),
                      lambda: (microgrid.tensor([[0.5, 0.0, 2.0, -1.5], [1.2, 0.7, 0.0, 0.0]],
                                                dtype=microgrid.float64, requires_grad=True),)),
    "norm 2": (lambda x: x.norm(), lambda: (data(2, 3),)),
    "norm 1 dim": (lambda x: x.norm(1, dim=1), lambda: (data(2, 3, away_from=[0]),)),
    "norm inf": (lambda x: microgrid.norm(-x, float("inf"), dim=0, keepdim=True),
                 lambda: (data(3, 2, low=0.3),)),  # |x| without ties
    "norm -inf": (lambda x: -x.norm(float("-inf")), lambda: (data(2, 3, low=0.3),)),
    "norm 3": (lambda x: x.norm(3, dim=(0, 1)), lambda: (data(2, 3, away_from=[0]),)),
    "norm 0.5": (lambda x: x.norm(0.5, dim=1), lambda: (data(2, 3, away_from=[0]),)),
    "norm 1.5": (lambda x: x.norm(1.5), lambda: (data(2, 3, away_from=[0]),)),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_op_passes_gradcheck(name):
    fn, inputs = CASES[name]
    assert gradcheck(fn, inputs())


@pytest.mark.parametrize("name", sorted(CASES))
def test_op_backward_passes_gradcheck(name):
    """gradcheck of the gradient itself: the backward formulas differentiate correctly."""
    fn, make_inputs = CASES[name]
    inputs = make_inputs()

    def gradient(*args):
        outputs = fn(*args)
        output = outputs[0] if isinstance(outputs, tuple) else outputs
        weights = microgrid.tensor(np.linspace(0.5, 1.5, output.numel()).reshape(output.shape))
        return microgrid.autograd.grad((output * weights).sum(), args, create_graph=True)

    assert gradcheck(gradient, inputs)


def defined_nodes():
    """Every Node subclass defined in ops/pointwise.py and ops/reduction.py."""
    return {name for module in (pointwise, reduction)
            for name, value in vars(module).items()
            if inspect.isclass(value) and issubclass(value, Node) and value.__module__
            == module.__name__}


def test_every_node_is_covered_by_a_case():
    seen = set()
    for fn, inputs in CASES.values():
        outputs = fn(*inputs())
        seen |= {n.name for n in walk(list(outputs) if isinstance(outputs, tuple) else outputs)}
    # dtype casts: not float64 -> float64; NotImplemented: ops without a derivative (floor_divide)
    missing = defined_nodes() - seen - {"ToCopyBackward0", "NotImplementedBackward"}
    assert not missing
