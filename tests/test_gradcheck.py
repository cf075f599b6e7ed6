"""``microgrid.autograd.gradcheck``: the checker itself (against torch's), then every op.

Every op's gradcheck (microgrid alone) is in ``core/test_gradcheck_nodes.py``.
"""

from __future__ import annotations

import pytest
import torch

import microgrid
from microgrid.autograd import gradcheck
from microgrid.autograd.gradcheck import GradcheckError
from microgrid.autograd.graph import Node, record


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
