"""``microgrid.autograd.gradcheck``: the checker itself (against torch's), then every op.

The second half runs microgrid alone: each node class of ``ops/pointwise.py``
and ``ops/reduction.py`` must pass gradcheck in float64, and so must its
backward (checking the gradient function itself exercises double backward).
"""

from __future__ import annotations

import inspect

import numpy as np
import pytest
import torch

import microgrid
from microgrid.autograd import gradcheck
from microgrid.autograd.gradcheck import GradcheckError
from microgrid.autograd.graph import Node, record
from microgrid.autograd.walk import walk
from microgrid.ops import pointwise, reduction


# -- the checker ----------------------------------------------------------------
class WrongSquare(Node):
    """z = x * x with a wrong derivative, 3x instead of 2x"""

    def backward(self, grad):
        (x,) = self.saved_tensors
        return (grad * x * 3,)


def wrong_square(x):
    return record(WrongSquare, x._data * x._data, (x,), saved=(x,))


class TorchWrongSquare(torch.autograd.Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x * x

    @staticmethod
    def backward(ctx, grad):
        (x,) = ctx.saved_tensors
        return grad * x * 3


def message(check, fn, inputs):
    with pytest.raises(RuntimeError) as info:
        check(fn, inputs)
    return type(info.value).__name__, str(info.value)


VALUES = [[0.5, -1.25, 2.0], [1.5, 0.25, -0.75]]


def both_inputs(lib, requires_grad=(True, True)):
    return tuple(lib.tensor(v, dtype=lib.float64, requires_grad=r)
                 for v, r in zip(VALUES, requires_grad, strict=True))


def test_report_matches_torch_byte_for_byte():
    ours = message(gradcheck, wrong_square, both_inputs(microgrid)[:1])
    theirs = message(torch.autograd.gradcheck, TorchWrongSquare.apply, both_inputs(torch)[:1])
    assert ours == theirs
    assert ours[1].startswith("Jacobian mismatch for output 0 with respect to input 0,\n"
                              "numerical:tensor([[ 1.0000,  0.0000,  0.0000],")


def test_report_names_the_output_and_input():
    """Several outputs and inputs; the second input alone is wrong for output 1."""
    def make(square):
        return lambda a, b: (a * b, square(b) + a)

    ours = message(gradcheck, make(wrong_square), both_inputs(microgrid))
    theirs = message(torch.autograd.gradcheck, make(TorchWrongSquare.apply),
                     both_inputs(torch))
    assert ours == theirs
    assert "for output 1 with respect to input 1," in ours[1]


def test_inputs_that_do_not_require_grad_are_skipped_in_numbering():
    a, b = both_inputs(microgrid, (False, True))
    ours = message(gradcheck, lambda x, y: x * wrong_square(y), (a, b))
    a, b = both_inputs(torch, (False, True))
    theirs = message(torch.autograd.gradcheck, lambda x, y: x * TorchWrongSquare.apply(y),
                     (a, b))
    assert ours == theirs
    assert "with respect to input 0," in ours[1]


def test_passes_correct_functions_with_several_inputs_outputs_and_constants():
    a, b = both_inputs(microgrid)
    c = microgrid.tensor([[1.0], [2.0]], dtype=microgrid.float64)
    assert gradcheck(lambda x, y, z, k: ((x * y * z).sum(0), x.exp() * k, z + 1),
                     (a, b, c, 3)) is True


def test_errors_and_raise_exception_false():
    a, b = both_inputs(microgrid, (False, False))
    with pytest.raises(ValueError, match="at least one input tensor to require gradient"):
        gradcheck(lambda x: x * 2, (a,))
    (x,) = both_inputs(microgrid)[:1]
    assert gradcheck(wrong_square, (x,), raise_exception=False) is False
    assert gradcheck(lambda t: t.detach() * 0, (x,)) is True
    with pytest.raises(GradcheckError, match="Numerical gradient for function expected to be "
                                              "zero"):
        gradcheck(lambda t: t.detach() * 2, (x,))
    with pytest.raises(RuntimeError, match="stride 0"):
        gradcheck(lambda t: t * 2, (microgrid.tensor([1.0], dtype=microgrid.float64)
                                    .expand(3).detach().requires_grad_(),))


def test_warns_about_single_precision_inputs_like_torch():
    with pytest.warns(UserWarning, match="Input #0 requires gradient and is not a double"):
        gradcheck(lambda t: t * 2, (microgrid.tensor([1.0], requires_grad=True),), eps=1e-3,
                  atol=1e-2, rtol=1e-2)


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
    missing = defined_nodes() - seen - {"ToCopyBackward0"}  # dtype casts: not float64 -> float64
    assert not missing
