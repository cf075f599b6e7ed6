"""The misuse catalog: mistakes a learner makes, and the error each one gets.

Every case is run under PyTorch and under microgrid: the exception class
must be PyTorch's and so must the message, word for word; where PyTorch's
message embeds C++ details (a source path, a type name from its dispatcher)
the case lists the key words both messages must contain instead.

A failed operation must leave nothing half-done.  For in-place ops and
``.grad`` assignments that means the state PyTorch leaves (the tensor
unchanged); for a backward pass that fails midway microgrid is stricter
than PyTorch, on purpose: PyTorch keeps the gradients it had already
accumulated into some leaves before the error, microgrid restores every
``.grad`` the pass touched (``autograd/grad_journal.py``), so that a
learner who catches the error does not train on a partial gradient.

Limitations, tested as such: microgrid has no complex dtypes; a complex
NumPy array (which PyTorch accepts) is refused with a TypeError naming it.
"""

import copy
import warnings
from decimal import Decimal
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np
import pytest
import torch
from difftest import error_of

import microgrid


class Case:
    """One misuse: ``run(lib)`` must raise PyTorch's exception; ``words``,
    if given, replace the exact message (PyTorch's embeds C++ details)."""

    def __init__(self, name: str, run: Callable[[Any], Any],
                 words: Optional[Sequence[str]] = None) -> None:
        self.name, self.run, self.words = name, run, words


def _nonscalar(lib):
    return lib.tensor([1.0, 2.0], requires_grad=True) * 2


def _backward_twice(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = (x * x).sum()
    y.backward()
    y.backward()


def _modified_then_backward(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x.exp()
    y.add_(1)  # exp saved its output for backward
    y.sum().backward()


def _grad_of_unused(lib):
    x = lib.tensor([1.0], requires_grad=True)
    w = lib.tensor([2.0], requires_grad=True)
    return lib.autograd.grad((x * 3).sum(), [x, w])


def _hook_of_wrong_shape(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g.sum())
    y.sum().backward()


def _setitem_on_leaf(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    x[0] = 5.0


def _grad_assignment(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    x.grad = lib.tensor([1.0, 2.0, 3.0])


def _retain_grad_without_grad(lib):
    lib.tensor([1.0]).retain_grad()


def _requires_grad_on_result(lib):
    y = lib.tensor([1.0], requires_grad=True) * 2
    y.requires_grad = False


def _detach_view_in_place(lib):
    x = lib.tensor([[1.0, 2.0]])
    x[0].detach_()


def _backward_of_no_grad_result(lib):
    x = lib.tensor([1.0], requires_grad=True)
    with lib.no_grad():
        y = (x * 2).sum()
    y.backward()


def _into_expanded_grad(lib):
    x = lib.ones(2, requires_grad=True)
    x.grad = lib.ones(1).expand(2)
    (x * 2).sum().backward()


def _grad_assigned(lib, make):
    x = lib.ones(2, requires_grad=True)
    x.grad = make(x)


def _iterate_scalar(lib):
    return list(lib.tensor(1.0))


def _f(lib):
    return lib.nn.functional


CASES = [
    # -- shapes ------------------------------------------------------------------
    Case("broadcast add", lambda t: t.zeros(2, 3) + t.zeros(3, 2)),
    Case("broadcast mul 3-d", lambda t: t.ones(4, 1, 3) * t.ones(2, 2)),
    Case("broadcast in place", lambda t: t.zeros(3).add_(t.ones(2, 3))),
    Case("mm shapes", lambda t: t.ones(2, 3) @ t.ones(2, 3)),
    Case("matmul 1-d sizes", lambda t: t.ones(3) @ t.ones(4)),
    Case("matmul of a 0-d tensor", lambda t: t.tensor(2.0) @ t.ones(3)),
    Case("mv of a matrix", lambda t: t.mv(t.ones(2, 3), t.ones(3, 1))),
    Case("bmm batch sizes", lambda t: t.bmm(t.ones(2, 3, 4), t.ones(3, 4, 5))),
    Case("matmul dtypes", lambda t: t.ones(2, 2) @ t.ones(2, 2, dtype=t.float64)),
    Case("cat of different ranks", lambda t: t.cat([t.ones(2, 3), t.ones(3)])),
    Case("cat sizes", lambda t: t.cat([t.ones(2, 3), t.ones(2, 2)])),
    Case("stack sizes", lambda t: t.stack([t.ones(2), t.ones(3)])),
    Case("view of the wrong size", lambda t: t.ones(2, 3).view(4, 4)),
    Case("view of a transposed tensor", lambda t: t.ones(2, 3).t().view(-1)),
    Case("reshape with two -1", lambda t: t.ones(2, 3).reshape(-1, -1)),
    Case("expand to a smaller shape", lambda t: t.ones(2, 3).expand(3)),
    Case("expand a non-singleton dim", lambda t: t.ones(2, 3).expand(4, 3)),
    Case("t() of a 3-d tensor", lambda t: t.ones(2, 3, 4).t()),
    # -- dims and indices ----------------------------------------------------------
    Case("sum over a missing dim", lambda t: t.ones(2, 3).sum(dim=3)),
    Case("softmax dim", lambda t: t.softmax(t.ones(2, 3), dim=-3)),
    Case("softmax without dim", lambda t: t.softmax(t.ones(2, 3))),
    Case("transpose dims", lambda t: t.ones(2, 3).transpose(0, 2)),
    Case("squeeze dim", lambda t: t.ones(2, 1).squeeze(2)),
    Case("repeated dims", lambda t: t.ones(2, 3).sum(dim=(0, 0))),
    Case("index past the end", lambda t: t.ones(3)[5]),
    Case("negative index past the start", lambda t: t.ones(2, 3)[:, -4]),
    Case("too many indices", lambda t: t.ones(2, 3)[0, 0, 0]),
    Case("float index tensor", lambda t: t.ones(3)[t.tensor([1.5])]),
    Case("index tensor out of range", lambda t: t.ones(3)[t.tensor([0, 3])]),
    Case("mask of the wrong shape", lambda t: t.ones(3)[t.tensor([True, False])]),
    Case("max of an empty tensor", lambda t: t.zeros(0).max()),
    Case("mean of integers", lambda t: t.tensor([1, 2]).mean()),
    # -- values out of tensors -------------------------------------------------------
    Case("item of many elements", lambda t: t.ones(3).item()),
    Case("bool of many elements", lambda t: bool(t.tensor([1.0, 2.0]))),
    Case("if on a comparison", lambda t: 1 if t.ones(2) > 0 else 0),
    Case("float of many elements", lambda t: float(t.ones(2))),
    Case("numpy of a tensor requiring grad",
         lambda t: t.tensor([1.0], requires_grad=True).numpy()),
    Case("len of a 0-d tensor", lambda t: len(t.tensor(1.0))),
    Case("iterating a 0-d tensor", _iterate_scalar),
    Case("adding a string", lambda t: t.ones(2) + "1"),
    # -- making tensors ------------------------------------------------------------------
    Case("a string", lambda t: t.tensor("abc")),
    Case("strings in a list", lambda t: t.tensor([1.0, "a"])),
    Case("None in a list", lambda t: t.tensor([1.0, None])),
    Case("a ragged list", lambda t: t.tensor([[1, 2], [3]])),
    Case("a ragged deeper list", lambda t: t.tensor([[[1], [2]], [[3]]])),
    Case("a NumPy object array", lambda t: t.tensor(np.array([1, "a"], dtype=object)),
         words=["can't convert np.ndarray of type numpy.object_"]),
    Case("a NumPy string array", lambda t: t.tensor(np.array(["a", "b"])),
         words=["can't convert np.ndarray of type numpy.str_"]),
    Case("requires_grad on integers", lambda t: t.tensor([1, 2], requires_grad=True)),
    Case("requires_grad_ on integers", lambda t: t.tensor([1, 2]).requires_grad_()),
    Case("requires_grad = True on integers", lambda t: setattr(t.tensor([1]),
                                                               "requires_grad", True)),
    Case("requires_grad = False on a result", _requires_grad_on_result),
    # -- autograd ----------------------------------------------------------------------
    Case("backward of a non-scalar", lambda t: _nonscalar(t).backward()),
    Case("gradient of the wrong shape",
         lambda t: _nonscalar(t).backward(t.ones(3))),
    Case("backward of a constant", lambda t: t.ones(2).sum().backward()),
    Case("backward of a result made under no_grad", _backward_of_no_grad_result),
    Case("backward twice", _backward_twice),
    Case("a saved tensor modified in place", _modified_then_backward),
    Case("in place on a leaf", lambda t: t.tensor([1.0], requires_grad=True).add_(1)),
    Case("setitem on a leaf", _setitem_on_leaf),
    Case("grad of an unused input", _grad_of_unused),
    Case("grad of a constant input",
         lambda t: t.autograd.grad(t.ones(1, requires_grad=True).sum(), t.ones(1))),
    Case("a hook changing the shape", _hook_of_wrong_shape),
    Case(".grad of the wrong shape", _grad_assignment),
    Case("retain_grad without grad", _retain_grad_without_grad),
    Case("detach_ of a view", _detach_view_in_place),
    # -- losses ----------------------------------------------------------------------------
    Case("cross_entropy: float targets of the wrong shape",
         lambda t: _f(t).cross_entropy(t.ones(2, 3), t.tensor([0.0, 1.0]))),
    Case("cross_entropy: int32 targets",
         lambda t: _f(t).cross_entropy(t.ones(2, 3), t.tensor([0, 1], dtype=t.int32))),
    Case("cross_entropy: batch sizes",
         lambda t: _f(t).cross_entropy(t.ones(2, 3), t.tensor([0, 1, 2]))),
    Case("cross_entropy: class out of range",
         lambda t: _f(t).cross_entropy(t.ones(2, 3), t.tensor([0, 5])),
         words=["Target 5 is out of bounds."]),
    Case("nll_loss: 2-d targets",
         lambda t: _f(t).nll_loss(t.ones(2, 3), t.tensor([[0, 1]]))),
    Case("binary_cross_entropy: input outside [0, 1]",
         lambda t: _f(t).binary_cross_entropy(t.tensor([1.5]), t.tensor([1.0]))),
    Case("binary_cross_entropy: target shape",
         lambda t: _f(t).binary_cross_entropy(t.tensor([0.5]), t.tensor([1.0, 0.0]))),
    Case("mse_loss: shapes that do not broadcast",
         lambda t: _f(t).mse_loss(t.ones(2, 3), t.ones(3, 2))),
] + [
    # -- issue 18: arguments of the wrong type (PyTorch's argument parser) ----------------
    Case("Linear(2.5, 3)", lambda t: t.nn.Linear(2.5, 3)),
    Case("requires_grad='yes'", lambda t: t.tensor([1.0], requires_grad="yes")),
    Case("requires_grad=1 in tensor()", lambda t: t.tensor([1.0], requires_grad=1)),
    Case("zeros('2')", lambda t: t.zeros("2")),
    Case("zeros()", lambda t: t.zeros()),
    Case("zeros(2.0)", lambda t: t.zeros(2.0)),
    Case("zeros(None)", lambda t: t.zeros(None)),
    Case("zeros(True)", lambda t: t.zeros(True)),
    Case("zeros(2, '3')", lambda t: t.zeros(2, "3")),
    Case("zeros((2, 1.5))", lambda t: t.zeros((2, 1.5))),
    Case("empty(3, 2.5)", lambda t: t.empty(3, 2.5)),
    Case("zeros(2, requires_grad='yes')", lambda t: t.zeros(2, requires_grad="yes")),
    Case("full(2, 1.0)", lambda t: t.full(2, 1.0)),
    Case("full((2,), 'a')", lambda t: t.full((2,), "a")),
    Case("view(2.0, 2)", lambda t: t.ones(2, 2).view(2.0, 2)),
    Case("view(2, '2')", lambda t: t.ones(2, 2).view(2, "2")),
    Case("reshape('a')", lambda t: t.ones(2).reshape("a")),
    Case("reshape(2, 2.0)", lambda t: t.ones(4).reshape(2, 2.0)),
    Case("expand(2.0)", lambda t: t.ones(2).expand(2.0)),
    Case("expand(2, 2.0)", lambda t: t.ones(2, 2).expand(2, 2.0)),
    Case("sum(0, keepdim='yes')", lambda t: t.ones(2, 2).sum(0, keepdim="yes")),
    Case("sum(0, keepdim=None)", lambda t: t.ones(2, 2).sum(0, keepdim=None)),
    Case("mean(0, keepdim='yes')", lambda t: t.ones(2, 2).mean(0, keepdim="yes")),
    Case("transpose(0.5, 1)", lambda t: t.ones(2, 2).transpose(0.5, 1)),
    Case("transpose(0, '1')", lambda t: t.ones(2, 2).transpose(0, "1")),
    Case("unsqueeze('a')", lambda t: t.ones(2).unsqueeze("a")),
    Case("unsqueeze(True)", lambda t: t.ones(2).unsqueeze(True)),
    Case("backward(retain_graph='yes')",
         lambda t: (t.ones(2, requires_grad=True) * 2).sum().backward(retain_graph="yes")),
    Case("backward(create_graph='yes')",
         lambda t: (t.ones(2, requires_grad=True) * 2).sum().backward(create_graph="yes")),
    Case("requires_grad_('yes')", lambda t: t.ones(2).requires_grad_("yes")),
    Case("requires_grad = 1", lambda t: setattr(t.ones(2), "requires_grad", 1)),
    Case("x[0] = None", lambda t: t.ones(2).__setitem__(0, None)),
    Case("x[0] = 'a'", lambda t: t.ones(2, dtype=t.int64).__setitem__(0, "a")),
    Case("x.data = an int tensor on a float leaf",
         lambda t: setattr(t.ones(2, requires_grad=True), "data", t.ones(2, dtype=t.int64))),
    Case("x.data = a list", lambda t: setattr(t.ones(2), "data", [1.0, 2.0])),
    Case("dtype='float32'", lambda t: t.zeros(2, dtype="float32")),
    Case("dtype=np.float32", lambda t: t.zeros(2, dtype=np.float32)),
    Case("tensor(dtype='float32')", lambda t: t.tensor([1.0], dtype="float32")),
    Case("full(dtype='x')", lambda t: t.full((2,), 1.0, dtype="x")),
    Case("to(np.float32)", lambda t: t.ones(2).to(np.float32)),
    Case("to(dtype='float32')", lambda t: t.ones(2).to(dtype="float32")),
    Case("type('float32')", lambda t: t.ones(2).type("float32")),
    Case("type(np.float32)", lambda t: t.ones(2).type(np.float32)),
    Case("type(int)", lambda t: t.ones(2).type(int)),
    # -- issue 18: PyTorch's exception, not NumPy's -----------------------------------------
    Case("zeros(-1)", lambda t: t.zeros(-1)),
    Case("zeros(2, -3)", lambda t: t.zeros(2, -3)),
    Case("ones(-1)", lambda t: t.ones(-1)),
    Case("empty(-1)", lambda t: t.empty(-1)),
    Case("full((-1,), 1.0)", lambda t: t.full((-1,), 1.0)),
    Case("zeros(2**62, 2**62)", lambda t: t.zeros(2**62, 2**62)),
    Case("ones(2**62, 4)", lambda t: t.ones(2**62, 4)),
    Case("zeros(2**40): more than the memory", lambda t: t.zeros(2**40)),
    Case("tensor(Decimal(1))", lambda t: t.tensor(Decimal(1))),
    Case("tensor([Decimal(1)])", lambda t: t.tensor([Decimal(1)])),
    Case("tensor([t, t]) of two-element tensors", lambda t: t.tensor([t.ones(2), t.ones(2)])),
    # -- issue 18: no silent wrap-around ------------------------------------------------------
    Case("tensor([2**63])", lambda t: t.tensor([2**63])),
    Case("tensor([-2**63 - 1])", lambda t: t.tensor([-2**63 - 1])),
    Case("tensor(2**64)", lambda t: t.tensor(2**64)),
    Case("tensor([1, 2**63])", lambda t: t.tensor([1, 2**63])),
    Case("tensor([2**63], dtype=uint8)", lambda t: t.tensor([2**63], dtype=t.uint8)),
    Case("tensor([300], dtype=int8)", lambda t: t.tensor([300], dtype=t.int8)),
    Case("tensor(300, dtype=uint8)", lambda t: t.tensor(300, dtype=t.uint8)),
    Case("tensor([-256], dtype=uint8)", lambda t: t.tensor([-256], dtype=t.uint8)),
    Case("tensor([nan], dtype=int64)", lambda t: t.tensor([float("nan")], dtype=t.int64)),
    Case("tensor([inf], dtype=int32)", lambda t: t.tensor([float("inf")], dtype=t.int32)),
    Case("tensor([1e10], dtype=int32)", lambda t: t.tensor([1e10], dtype=t.int32)),
    Case("full(nan, dtype=int64)", lambda t: t.full((2,), float("nan"), dtype=t.int64)),
    Case("full(300, dtype=int8)", lambda t: t.full((2,), 300, dtype=t.int8)),
    Case("full(300, dtype=uint8)", lambda t: t.full((1,), 300, dtype=t.uint8)),
    Case("full(2**40, dtype=int32)", lambda t: t.full((1,), 2**40, dtype=t.int32)),
    Case("full(2**20, dtype=int16)", lambda t: t.full((1,), 2**20, dtype=t.int16)),
    Case("full(2**63)", lambda t: t.full((2,), 2**63)),
    # -- issue 18: .grad assignment, Size, in ---------------------------------------------
    Case("x.grad = x", lambda t: _grad_assigned(t, lambda x: x)),
    Case("a float64 .grad on a float32 leaf",
         lambda t: _grad_assigned(t, lambda x: t.ones(2, dtype=t.float64))),
    Case("an int64 .grad on a float32 leaf",
         lambda t: _grad_assigned(t, lambda x: t.ones(2, dtype=t.int64))),
    Case("a float16 .grad on a float32 leaf",
         lambda t: _grad_assigned(t, lambda x: t.ones(2, dtype=t.float16))),
    Case("a float64 .grad of the wrong shape",
         lambda t: _grad_assigned(t, lambda x: t.ones(3, dtype=t.float64))),
    Case("a float32 .grad on a float64 tensor",
         lambda t: setattr(t.ones(2, dtype=t.float64), "grad", t.ones(2))),
    Case("an int64 .grad on a bool tensor",
         lambda t: setattr(t.ones(2, dtype=t.bool), "grad", t.ones(2, dtype=t.int64))),
    Case(".grad = 3", lambda t: _grad_assigned(t, lambda x: 3)),
    Case("Size + list", lambda t: t.ones(2, 3).shape + [1]),
    Case("list + Size", lambda t: [1] + t.ones(2, 3).shape),
    Case("Size * 2.0", lambda t: t.ones(2, 3).shape * 2.0),
    Case("'a' in t", lambda t: "a" in t.ones(2)),
    Case("None in t", lambda t: None in t.ones(2)),
    Case("~ of a float tensor", lambda t: ~t.ones(2)),
    Case("& of float tensors", lambda t: t.ones(2) & t.ones(2)),
    Case("int & 1.5", lambda t: t.tensor([1, 2]) & 1.5),
    Case("bitwise_not of a float tensor", lambda t: t.bitwise_not(t.ones(2))),
    Case("int // 0", lambda t: t.tensor([5, -7]) // 0),
    Case("int % 0", lambda t: t.tensor([5, -7]) % 0),
    Case("bool // bool", lambda t: t.tensor([True]) // t.tensor([True])),
    Case("bool % bool", lambda t: t.tensor([True]) % t.tensor([True])),
    Case("& None", lambda t: t.ones(2, dtype=t.int64) & None),
    Case("backward through //", lambda t: (t.ones(2, requires_grad=True) // 2).sum().backward()),
    Case("backward through number % x",
         lambda t: (7 % t.ones(2, requires_grad=True)).sum().backward()),
    Case("//= on a leaf requiring grad", lambda t: t.ones(2, requires_grad=True).__ifloordiv__(2)),
    Case("x[1:].add_(x[:-1]): overlapping memory",
         lambda t: (lambda x: x[1:].add_(x[:-1]))(t.arange(5.0))),
    Case("x[1:].copy_(x[:-1])", lambda t: (lambda x: x[1:].copy_(x[:-1]))(t.arange(5.0))),
    Case("x[:3].mul_(x[2:])", lambda t: (lambda x: x[:3].mul_(x[2:]))(t.arange(5.0))),
    Case("set_default_dtype(int64)", lambda t: t.set_default_dtype(t.int64)),
    Case("arange(inf)", lambda t: t.arange(float("inf"))),
    Case("arange(0.5, inf)", lambda t: t.arange(0.5, float("inf"))),
    Case("arange(-inf, 3)", lambda t: t.arange(float("-inf"), 3)),
    Case("arange(1, nan, 0.5)", lambda t: t.arange(1, float("nan"), 0.5)),
    Case("post accumulate hook on a non-leaf",
         lambda t: (t.ones(2, requires_grad=True) * 2).register_post_accumulate_grad_hook(
             lambda p: None)),
    Case("post accumulate hook without grad",
         lambda t: t.ones(2).register_post_accumulate_grad_hook(lambda p: None)),
    Case("tensor([70000], dtype=uint16)", lambda t: t.tensor([70000], dtype=t.uint16)),
    Case("autograd.grad([y, 2.0], x)", lambda t: (lambda x: t.autograd.grad(
        [(x * 2).sum(), 2.0], x))(t.ones(2, requires_grad=True))),
    Case("autograd.backward([y, 2.0])", lambda t: t.autograd.backward(
        [(t.ones(2, requires_grad=True) * 2).sum(), 2.0])),
    Case("backward into a read-only expanded .grad", _into_expanded_grad),
    Case("randint(5, 2, (3,))", lambda t: t.randint(5, 2, (3,))),
    Case("eye(-1)", lambda t: t.eye(-1)),
    Case("eye(2, -1)", lambda t: t.eye(2, -1)),
    Case("zeros_like(1)", lambda t: t.zeros_like(1)),
    Case("ones_like(None)", lambda t: t.ones_like(None)),
    Case("full_like(1, 2)", lambda t: t.full_like(1, 2)),
    Case("x.grad = a NumPy array",
         lambda t: setattr(t.ones(2, requires_grad=True), "grad", np.ones(2))),
    Case("Tensor(2.5)", lambda t: t.Tensor(2.5)),
    Case("Tensor(None)", lambda t: t.Tensor(None)),
    Case("Tensor('a')", lambda t: t.Tensor("a")),
    Case("Tensor(-1)", lambda t: t.Tensor(-1)),
    Case("Tensor(2, -1)", lambda t: t.Tensor(2, -1)),
    Case("FloatTensor(2, 3.0)", lambda t: t.FloatTensor(2, 3.0)),
    Case("deepcopy of a computed tensor",
         lambda t: copy.deepcopy(t.ones(2, requires_grad=True) * 2)),
    # -- issue 18 (helper 18): overloaded functions, their list of signatures -------------
    Case("x.pow('a')", lambda t: t.ones(2).pow("a")),
    Case("torch.pow(x, 'a')", lambda t: t.pow(t.ones(2), "a")),
    Case("x.sum('a')", lambda t: t.ones(2).sum("a")),
    Case("x.sum(dim='a')", lambda t: t.ones(2).sum(dim="a")),
    Case("torch.sum(x, dim='a')", lambda t: t.sum(t.ones(2), dim="a")),
    Case("torch.sum(x, (0, 'a'))", lambda t: t.sum(t.ones(2), (0, "a"))),
    Case("x.mean([1.5])", lambda t: t.ones(2).mean([1.5])),
    Case("x.max('a')", lambda t: t.ones(2).max("a")),
    Case("torch.max(x, 'a')", lambda t: t.max(t.ones(2), "a")),
    Case("x.max(0, 'yes')", lambda t: t.ones(2).max(0, "yes")),
    Case("x.clamp('a')", lambda t: t.ones(2).clamp("a")),
    Case("x.clamp_([1.5])", lambda t: t.ones(2).clamp_([1.5])),
    Case("x.std('a')", lambda t: t.ones(2).std("a")),
    Case("x.div(2, rounding_mode=3)", lambda t: t.ones(2).div(2, rounding_mode=3)),
    Case("x.view([1.5])", lambda t: t.ones(2).view([1.5])),
    Case("x.squeeze(0, True, 'z')", lambda t: t.ones(2).squeeze(0, True, "z")),
    Case("x.sum(None, None, None)", lambda t: t.ones(2).sum(None, None, None)),
    Case("x.sum(foo=1)", lambda t: t.ones(2).sum(foo=1)),
    Case("torch.where(c, x, 'a')", lambda t: t.where(t.ones(2) > 0, t.ones(2), "a")),
    Case("torch.rand((2,), 3)", lambda t: t.rand((2,), 3)),
    # -- issue 18 (helper 18): torch.Size in messages -------------------------------------
    Case("Size([1.5])", lambda t: t.Size([1.5])),
    Case("Size('a')", lambda t: t.Size("a")),
    Case("Size - 1", lambda t: t.ones(2).shape - 1),
    Case("int(Size)", lambda t: int(t.ones(2).shape)),
    Case("an attribute on a Size", lambda t: setattr(t.ones(2).shape, "x", 1)),
    Case("exp(Size)", lambda t: t.exp(t.ones(2).shape)),
    Case("tensor + Size", lambda t: t.ones(2) + t.ones(2).shape),
    Case("zeros(dtype)", lambda t: t.zeros(t.float32)),
    Case("ones(2, dtype)", lambda t: t.ones(2, t.float32)),
    Case("tensor + dtype", lambda t: t.ones(2) + t.float32),
    Case("dtype < dtype", lambda t: t.float32 < t.float64),
    Case("an attribute on a dtype", lambda t: setattr(t.float32, "x", 1)),
    Case("zeros(device)", lambda t: t.zeros(t.device("cpu"))),
    Case("len(device)", lambda t: len(t.device("cpu"))),
]


def _error_and_warnings(case: Case, lib: Any) -> Tuple[Any, List[Tuple[str, str]]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        error = error_of(lambda: case.run(lib))
    return error, [(w.category.__name__, str(w.message)) for w in caught]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_misuse_raises_what_pytorch_raises(case):
    """The same exception, and the same warnings before it."""
    expected, expected_warnings = _error_and_warnings(case, torch)
    assert expected is not None, f"PyTorch raised nothing for {case.name}: the case is wrong"
    got, got_warnings = _error_and_warnings(case, microgrid)
    assert got_warnings == expected_warnings
    if case.words is None:
        assert got == expected
    else:
        assert got is not None and got[0] == expected[0], (got, expected)
        for word in case.words:
            assert word in expected[1] and word in got[1], (word, got, expected)


def test_the_catalog_is_large():
    assert len(CASES) >= 190


def test_a_complex_array_is_refused_by_name():
    """microgrid has no complex dtypes (PyTorch has): a clear TypeError."""
    with pytest.raises(TypeError, match="complex64"):
        microgrid.tensor(np.array([1 + 2j], dtype=np.complex64))


# -- nothing is left half-done ---------------------------------------------------------
def _state(*tensors):
    """Values, versions and gradients, as plain data."""
    return [(t.detach().numpy().tolist(), t._version,
             None if t.grad is None else t.grad.numpy().tolist()) for t in tensors]


@pytest.mark.parametrize("lib", [torch, microgrid], ids=["torch", "microgrid"])
def test_a_failed_in_place_op_changes_nothing(lib):
    x = lib.tensor([1.0, 2.0, 3.0])
    before = _state(x)
    with pytest.raises(RuntimeError):
        x.add_(lib.ones(2, 3))
    with pytest.raises(RuntimeError):
        x.mul_(lib.ones(4))
    leaf = lib.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(RuntimeError):
        leaf.add_(1)
    assert _state(x) == before and _state(leaf) == [([1.0, 2.0], 0, None)]


@pytest.mark.parametrize("lib", [torch, microgrid], ids=["torch", "microgrid"])
def test_a_refused_grad_assignment_keeps_the_old_grad(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    with pytest.raises(RuntimeError):
        x.grad = lib.ones(3)
    assert _state(x) == [([1.0, 2.0], 0, [3.0, 3.0])]


def _failing_pass(lib, failure: str):
    """Leaves ``a`` (its gradient arrives early) and ``b``, and a non-leaf
    ``m`` that retains its gradient.  A first pass succeeds; the second one
    fails late, at ``b``'s exp: its saved output was modified in place, or a
    hook on it raises."""
    a = lib.tensor([1.0, 2.0], requires_grad=True)
    b = lib.tensor([0.5, -1.0], requires_grad=True)
    c = b.exp()
    passes: list = []
    if failure == "hook raising":
        c.register_hook(lambda g: passes.append(g) if not passes else 1 / 0)
    m = (a * 3) * 1.0
    m.retain_grad()
    loss = m.sum() + c.sum()
    loss.backward(retain_graph=True)
    if failure == "saved tensor modified":
        c.mul_(2)
    return a, b, m, loss


@pytest.mark.parametrize("failure", ["saved tensor modified", "hook raising"])
def test_a_backward_that_fails_midway_leaves_every_grad_as_it_was(failure):
    """Both raise the same error; PyTorch has already added the second
    pass's gradient into ``a.grad`` and ``m.grad``, microgrid puts them back
    (``a.grad`` is the same tensor, with its old values)."""
    error = RuntimeError if failure == "saved tensor modified" else ZeroDivisionError
    outcomes = {}
    for lib in (torch, microgrid):
        a, b, m, loss = _failing_pass(lib, failure)
        grad, before = a.grad, _state(a, b, m)
        with pytest.raises(error) as caught:
            loss.backward(retain_graph=True)
        outcomes[lib] = (before, _state(a, b, m), str(caught.value), a.grad is grad)
    torch_before, torch_after, torch_message, _ = outcomes[torch]
    before, after, message, same_tensor = outcomes[microgrid]
    assert message == torch_message
    assert [before[0], before[2]] == [torch_before[0], torch_before[2]]  # a and m: exact
    assert after == before and same_tensor
    assert torch_after[0][2] == [6.0, 6.0] and torch_after[2][2] == [2.0, 2.0]  # half-updated
