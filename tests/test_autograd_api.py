"""``autograd.grad``, ``autograd.backward``, ``requires_grad``, ``detach_`` and
grad mode against PyTorch: results, errors (class and message) and warnings.

Each case is a story (see ``autograd_story.py``) run under both libraries.
"""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
import torch
from autograd_story import CYCLE_WARNING, same_story
from difftest import assert_close, broadcast_shapes, float_arrays
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrid


def leaf(lib, values=(1.0, 2.0, 3.0), **kwargs):
    return lib.tensor(list(values), requires_grad=True, **kwargs)


# -- autograd.grad ---------------------------------------------------------------------
def _unused(lib, say, **kwargs):
    x, w = leaf(lib), leaf(lib)
    say(lib.autograd.grad((x * x).sum(), [x, w], **kwargs))


def _grad_of(output, grad_outputs="none", **kwargs):
    """A story: the gradient of ``output(lib, x)`` with respect to x."""
    def story(lib, say):
        x = leaf(lib)
        go = {"none": None, "ones3": lib.ones(3), "ones2": lib.ones(2),
              "two": [lib.ones(3), lib.ones(3)], "int": [3], "None list": [None],
              "double": lib.ones(3, dtype=lib.float64), "long": lib.ones(3, dtype=lib.int64),
              "tracked": x * 1}[grad_outputs]
        say(lib.autograd.grad(output(lib, x), x, go, **kwargs))
    return story


GRAD_STORIES = {
    "unused input": lambda lib, say: _unused(lib, say),
    "unused allowed": lambda lib, say: _unused(lib, say, allow_unused=True),
    "unused materialized": lambda lib, say: _unused(lib, say, materialize_grads=True),
    "materialize with allow_unused=False": lambda lib, say: _unused(
        lib, say, materialize_grads=True, allow_unused=False),
    "input does not require grad": lambda lib, say: say(lib.autograd.grad(
        (leaf(lib) * 2).sum(), lib.ones(3))),
    "output does not require grad": lambda lib, say: say(lib.autograd.grad(
        lib.ones(3).sum(), leaf(lib))),
    "second output does not require grad": lambda lib, say: say(lib.autograd.grad(
        [(leaf(lib) * 2).sum(), lib.ones(2).sum()], leaf(lib), allow_unused=True)),
    "tensor gradient for an output without grad": lambda lib, say: say(lib.autograd.grad(
        [lib.ones(2)], leaf(lib), [lib.ones(2)])),
    "non-scalar output": _grad_of(lambda lib, x: x * 2),
    "grad_outputs": _grad_of(lambda lib, x: x * x, "ones3"),
    "grad_outputs of the wrong shape": _grad_of(lambda lib, x: x * 2, "ones2"),
    "more grad_outputs than outputs": _grad_of(lambda lib, x: x * 2, "two"),
    "grad_outputs not tensors": _grad_of(lambda lib, x: x * 2, "int"),
    "None for a non-scalar": _grad_of(lambda lib, x: x * 2, "None list"),
    "double grad_outputs": _grad_of(lambda lib, x: x * x, "double"),
    "integer grad_outputs": _grad_of(lambda lib, x: x * x, "long"),
    "grad_outputs that require grad": _grad_of(lambda lib, x: x * x, "tracked"),
    "create_graph": _grad_of(lambda lib, x: (x * x).sum(), create_graph=True),
    "the output itself": lambda lib, say: say(lib.autograd.grad(
        *(lambda y: (y, y))((leaf(lib) * 2).sum()))),
    "a leaf output": lambda lib, say: say(lib.autograd.grad(
        *(lambda x: (x, x, lib.ones(3) * 5))(leaf(lib)))),
    "a leaf output without gradient": lambda lib, say: say(lib.autograd.grad(
        *(lambda x: (x, x))(leaf(lib)))),
    "an unrelated scalar leaf": lambda lib, say: say(lib.autograd.grad(
        lib.tensor(2.0, requires_grad=True), lib.tensor(2.0, requires_grad=True))),
    "the same input twice": lambda lib, say: say(lib.autograd.grad(
        *(lambda x: ((x * x).sum(), [x, x]))(leaf(lib)))),
    "no inputs": lambda lib, say: say(lib.autograd.grad((leaf(lib) * 2).sum(), [])),
    "no outputs": lambda lib, say: say(lib.autograd.grad([], leaf(lib))),
    "an input that is not a tensor": lambda lib, say: say(lib.autograd.grad(
        (leaf(lib) * 2).sum(), [3])),
    "fewer gradients than outputs": lambda lib, say: say(lib.autograd.grad(
        *(lambda x: ([(x * x).sum(), (x * 2).sum()], x, [lib.tensor(1.0)]))(leaf(lib)))),
    "dict inputs": lambda lib, say: say(lib.autograd.grad(
        *(lambda x: ((x * x).sum(), {"a": x, "b": x}))(leaf(lib)))),
    "only_inputs=False warns": lambda lib, say: say(lib.autograd.grad(
        *(lambda x: ((x * x).sum(), x))(leaf(lib)), only_inputs=False)),
    "float64 output, float32 input": lambda lib, say: say(lib.autograd.grad(
        *(lambda x: ((x.double() * x.double()).sum(), x))(leaf(lib)))),
    "non-leaf input": lambda lib, say: say(lib.autograd.grad(
        *(lambda y: ((y * y).sum(), y))(leaf(lib) * 2))),
    "is_grads_batched": lambda lib, say: say(lib.autograd.grad(
        *(lambda x: (x * x, x, lib.tensor(np.eye(3, dtype=np.float32))))(leaf(lib)),
        is_grads_batched=True)),
    "is_grads_batched of the wrong shape": lambda lib, say: say(lib.autograd.grad(
        *(lambda x: (x * x, x, lib.ones(3, 2)))(leaf(lib)), is_grads_batched=True)),
}


@pytest.mark.parametrize("name", sorted(GRAD_STORIES))
def test_grad(name):
    same_story(GRAD_STORIES[name])


def test_grad_frees_the_graph_unless_retained():
    def story(lib, say):
        x = leaf(lib)
        y = (x.exp() * x).sum()
        say(lib.autograd.grad(y, x, retain_graph=True))
        say(lib.autograd.grad(y, x))
        say(lib.autograd.grad(y, x))  # the saved tensors are gone

    same_story(story, expect_error=True)


def test_grad_leaves_dot_grad_alone():
    def story(lib, say):
        x = leaf(lib)
        say(lib.autograd.grad((x * x).sum(), x))
        say(x.grad)

    same_story(story)


# -- autograd.backward and Tensor.backward ---------------------------------------------
BACKWARD_STORIES = {
    "no inputs": lambda lib, say: lib.autograd.backward((leaf(lib) * 3).sum(), inputs=[]),
    "input without grad": lambda lib, say: lib.autograd.backward(
        (leaf(lib) * 3).sum(), inputs=[lib.ones(3)]),
    "output without grad": lambda lib, say: lib.ones(3).sum().backward(),
    "second output without grad": lambda lib, say: lib.autograd.backward(
        [(leaf(lib) * 3).sum(), lib.ones(2)]),
    "non-scalar": lambda lib, say: (leaf(lib) * 2).backward(),
    "gradient of the wrong shape": lambda lib, say: (leaf(lib) * 2).backward(lib.ones(2)),
    "one-element non-scalar": lambda lib, say: say(
        (lambda x: ((x[:1] * 2).backward(), x.grad)[1])(leaf(lib))),
    "a leaf": lambda lib, say: say(
        (lambda x: (x.backward(lib.ones(3) * 2), x.grad)[1])(leaf(lib))),
    "integer gradient": lambda lib, say: say(
        (lambda x: ((x * 2).backward(lib.ones(3, dtype=lib.int64)), x.grad)[1])(leaf(lib))),
    "double gradient": lambda lib, say: say(
        (lambda x: ((x * 2).backward(lib.ones(3, dtype=lib.float64)), x.grad)[1])(leaf(lib))),
    "grad_variables warns": lambda lib, say: say(
        (lambda x: (lib.autograd.backward((x * x).sum(), grad_variables=lib.tensor(1.0)),
                    x.grad)[1])(leaf(lib))),
    "grad_tensors and grad_variables": lambda lib, say: lib.autograd.backward(
        (leaf(lib) * 2).sum(), lib.tensor(1.0), grad_variables=lib.tensor(1.0)),
    "inputs restrict": lambda lib, say: say(
        (lambda x, w: (((x * w).sum()).backward(inputs=[w]), x.grad, w.grad)[1:])(
            leaf(lib), leaf(lib))),
    "dict inputs": lambda lib, say: say(
        (lambda x, w: (((x * w).sum()).backward(inputs={"w": w}), x.grad, w.grad)[1:])(
            leaf(lib), leaf(lib))),
    "non-leaf inputs retain their grad": lambda lib, say: say(
        (lambda y: ((y * y).sum().backward(inputs=[y]), y.grad, y.retains_grad)[1:])(
            leaf(lib) * 3)),
    "accumulates": lambda lib, say: say(
        (lambda x: ((x * 3).sum().backward(), (x * x).sum().backward(), x.grad)[2])(leaf(lib))),
    "twice without retain_graph": lambda lib, say: (lambda y: (y.backward(), y.backward()))(
        (leaf(lib).exp() * 2).sum()),
    "twice with nothing saved": lambda lib, say: say(
        (lambda x, y: (y.backward(), y.backward(), x.grad)[2])(
            *(lambda x: (x, (x + 1).sum()))(leaf(lib)))),
    "create_graph gives .grad a graph": lambda lib, say: say(
        (lambda x: ((x * x * x).sum().backward(create_graph=True), x.grad,
                    (x * x).sum().backward(create_graph=True), x.grad)[1::2])(leaf(lib))),
    "create_graph through a constant gradient": lambda lib, say: say(
        (lambda x: ((x * 2).sum().backward(create_graph=True), x.grad)[1])(leaf(lib))),
}


@pytest.mark.parametrize("name", sorted(BACKWARD_STORIES))
def test_backward(name):
    same_story(BACKWARD_STORIES[name])


def test_create_graph_warning_matches_torch_and_comes_once():
    script = ("import warnings, {lib} as t\n"
              "warnings.simplefilter('always')\n"
              "x = t.tensor([1.0], requires_grad=True)\n"
              "with warnings.catch_warnings(record=True) as w:\n"
              "    warnings.simplefilter('always')\n"
              "    for _ in range(2):\n"
              "        (x * x).sum().backward(create_graph=True)\n"
              "print(repr([(c.category.__name__, str(c.message)) for c in w]))\n")
    outputs = [subprocess.run([sys.executable, "-c", script.format(lib=lib)], check=True,
                              capture_output=True, text=True).stdout
               for lib in ("torch", "microgrid")]
    assert outputs[0] == outputs[1]
    assert outputs[0].count(CYCLE_WARNING) == 1


@settings(max_examples=40, deadline=None)
@given(st.data())
def test_grad_equals_backward_and_torch(data):
    """For random broadcasting shapes: the vector-Jacobian product from
    ``autograd.grad`` equals what ``backward`` accumulates, and PyTorch's."""
    shape_x, shape_y = data.draw(broadcast_shapes(2))
    x = data.draw(float_arrays(np.float64, shape_x, -2, 2))
    y = data.draw(float_arrays(np.float64, shape_y, -2, 2))
    out_shape = np.broadcast_shapes(shape_x, shape_y)
    v = data.draw(float_arrays(np.float64, out_shape, -2, 2))

    def run(lib, use_grad):
        a = lib.tensor(x, requires_grad=True)
        b = lib.tensor(y, requires_grad=True)
        out = a * b + a.exp() / (1 + b * b)
        if use_grad:
            return lib.autograd.grad(out, (a, b), lib.tensor(v))
        out.backward(lib.tensor(v))
        return a.grad, b.grad

    theirs = run(torch, True)
    for ours in (run(microgrid, True), run(microgrid, False)):
        for o, t in zip(ours, theirs, strict=True):
            assert_close(o, t, "gradient")


# -- reading .grad, retain_grad, requires_grad, detach_ ------------------------------------
def _node_reprs(lib, say):
    x = leaf(lib)
    z = x * 1
    z[0] = 2.0
    for node in (z.grad_fn, z.grad_fn.next_functions[0][0].next_functions[0][0],
                 lib.zeros(2).copy_(x[:2]).grad_fn):
        say(re.sub("0x[0-9a-f]+", "ADDRESS", repr(node)))


ATTRIBUTE_STORIES = {
    "repr of nodes": _node_reprs,
    "grad of a non-leaf warns": lambda lib, say: say((leaf(lib) * 2).grad),
    "grad of a leaf": lambda lib, say: say(leaf(lib).grad),
    "grad of a plain tensor": lambda lib, say: say(lib.ones(2).grad),
    "grad of a non-leaf that was set": lambda lib, say: say(
        (lambda y: (setattr(y, "grad", lib.ones(3)), y.grad)[1])(leaf(lib) * 2)),
    "retain_grad": lambda lib, say: say(
        (lambda y: (y.retain_grad(), y.retains_grad, (y * y).sum().backward(), y.grad)[1::2])(
            leaf(lib) * 2)),
    "retain_grad accumulates": lambda lib, say: say(
        (lambda y: (y.retain_grad(), (y * y).sum().backward(retain_graph=True),
                    (y * y).sum().backward(), y.grad)[3])(leaf(lib) * 2)),
    "retain_grad twice": lambda lib, say: say(
        (lambda y: (y.retain_grad(), y.retain_grad(), y.sum().backward(), y.grad)[3])(
            leaf(lib) * 2)),
    "retain_grad on a leaf is a no-op": lambda lib, say: say(
        (lambda x: (x.retain_grad(), x.retains_grad, x.is_leaf)[1:])(leaf(lib))),
    "retain_grad without grad": lambda lib, say: lib.ones(2).retain_grad(),
    "retain_grad and autograd.grad": lambda lib, say: say(
        (lambda x, y: (y.retain_grad(), lib.autograd.grad((y * y).sum(), x), y.grad)[1:])(
            *(lambda x: (x, x * 2))(leaf(lib)))),
    "requires_grad = True on a non-leaf": lambda lib, say: setattr(
        leaf(lib) * 2, "requires_grad", True),
    "requires_grad = False on a non-leaf": lambda lib, say: setattr(
        leaf(lib) * 2, "requires_grad", False),
    "requires_grad_() on a non-leaf": lambda lib, say: say((leaf(lib) * 2).requires_grad_()),
    "requires_grad_(False) on a non-leaf": lambda lib, say: (leaf(lib) * 2).requires_grad_(
        False),
    "requires_grad_() on integers": lambda lib, say: lib.tensor([1]).requires_grad_(),
    "requires_grad = True on integers": lambda lib, say: setattr(
        lib.tensor([1]), "requires_grad", True),
    "requires_grad_(False) on integers": lambda lib, say: say(
        lib.tensor([1]).requires_grad_(False)),
    "requires_grad = False on a leaf": lambda lib, say: say(
        (lambda x: (setattr(x, "requires_grad", False), x, x.is_leaf)[1:])(leaf(lib))),
    "detach_": lambda lib, say: say(
        (lambda y: (y.detach_(), y, y.grad_fn, y.requires_grad, y.is_leaf))(leaf(lib) * 2)),
    "detach_ on a leaf": lambda lib, say: say(leaf(lib).detach_()),
    "detach_ on a view": lambda lib, say: (leaf(lib) * 2)[1:].detach_(),
    "detach_ on a view of a leaf": lambda lib, say: leaf(lib)[1:].detach_(),
    "detach shares the version": lambda lib, say: say(
        (lambda x, d: (d.add_(1), x._version, d._version, x))(
            *(lambda x: (x, x.detach()))(leaf(lib)))),
    "data does not": lambda lib, say: say(
        (lambda x, d: (d.add_(1), x._version, d._version, x))(
            *(lambda x: (x, x.data))(leaf(lib)))),
}


@pytest.mark.parametrize("name", sorted(ATTRIBUTE_STORIES))
def test_attributes(name):
    same_story(ATTRIBUTE_STORIES[name])


# -- grad mode ---------------------------------------------------------------------------
def _modes(lib, say):
    x = leaf(lib)
    say(lib.is_grad_enabled())
    lib.set_grad_enabled(False)
    say((lib.is_grad_enabled(), (x * 2).requires_grad))
    lib.set_grad_enabled(True)
    with lib.set_grad_enabled(False):
        say(lib.is_grad_enabled())
        with lib.enable_grad():
            say((x * 2).grad_fn)
        with lib.set_grad_enabled(True):
            say(lib.is_grad_enabled())
        say(lib.is_grad_enabled())
    say(lib.is_grad_enabled())
    with lib.no_grad():
        say((x * 2, lib.is_grad_enabled()))
    say(lib.is_grad_enabled())


def _decorators(lib, say):
    @lib.set_grad_enabled(False)
    def off():
        return lib.is_grad_enabled()

    @lib.no_grad
    def bare():
        return lib.is_grad_enabled()

    @lib.no_grad()
    def recursive(n):
        return lib.is_grad_enabled() if n == 0 else recursive(n - 1)

    @lib.enable_grad()
    def on():
        return lib.is_grad_enabled()

    say((off(), lib.is_grad_enabled(), bare(), recursive(3), lib.is_grad_enabled()))
    with lib.no_grad():
        say((on(), lib.is_grad_enabled()))
    say(repr(lib.set_grad_enabled(True)))


def _inference(lib, say):
    x = leaf(lib)
    with lib.inference_mode():
        y = x * 2
        ones = lib.ones(2)
        say((y, y.requires_grad, y.is_inference(), ones.is_inference(),
             lib.is_grad_enabled(), lib.is_inference_mode_enabled()))
        with lib.inference_mode(False):
            say((lib.is_inference_mode_enabled(), lib.is_grad_enabled(),
                 lib.ones(1).is_inference()))
    say((lib.is_inference_mode_enabled(), lib.is_grad_enabled(), x.is_inference()))

    @lib.inference_mode
    def inside():
        return lib.is_inference_mode_enabled()

    say(inside())


GRAD_MODE_STORIES = {
    "set_grad_enabled, no_grad, enable_grad": _modes,
    "as decorators": _decorators,
    "inference_mode": _inference,
    "an inference tensor in a graph": lambda lib, say: (lambda x, y: (y * x).sum().backward())(
        *(lambda x: (x, _made_in_inference(lib, x)))(leaf(lib))),
    "an inference tensor changed in place": lambda lib, say: _made_in_inference(
        lib, leaf(lib)).add_(1),
    "an inference tensor changed in inference mode": lambda lib, say: say(
        _change_in_inference(lib)),
}


def _made_in_inference(lib, x):
    with lib.inference_mode():
        return x * 2


def _change_in_inference(lib):
    with lib.inference_mode():
        y = lib.ones(2)
        y.add_(1)
    return y


@pytest.mark.parametrize("name", sorted(GRAD_MODE_STORIES))
def test_grad_mode(name):
    same_story(GRAD_MODE_STORIES[name])


def test_grad_mode_is_restored_after_an_exception():
    for lib in (torch, microgrid):
        with pytest.raises(ValueError):
            with lib.no_grad():
                raise ValueError
        assert lib.is_grad_enabled()


# -- grad_fn._saved_* ------------------------------------------------------------------
SAVED = {
    "mul": lambda lib, x, y: x * y,
    "div": lambda lib, x, y: x / y,
    "add alpha": lambda lib, x, y: lib.add(x, y, alpha=2),
    "sub": lambda lib, x, y: x - y,
    "maximum": lambda lib, x, y: lib.maximum(x, y),
    "exp": lambda lib, x, y: x.exp(),
    "log": lambda lib, x, y: x.log(),
    "tanh": lambda lib, x, y: x.tanh(),
    "sigmoid": lambda lib, x, y: x.sigmoid(),
    "relu": lambda lib, x, y: x.relu(),
    "sqrt": lambda lib, x, y: x.sqrt(),
    "sin": lambda lib, x, y: x.sin(),
    "abs": lambda lib, x, y: x.abs(),
    "pow": lambda lib, x, y: x ** 3,
    "mean": lambda lib, x, y: x.mean(),
    "sum": lambda lib, x, y: x.sum(),
    "sum dim": lambda lib, x, y: x.sum(0),
    "expand": lambda lib, x, y: x[0].expand(2, 2),
    "transpose": lambda lib, x, y: x.transpose(0, 1),
    "unsqueeze": lambda lib, x, y: x.unsqueeze(1),
}


@pytest.mark.parametrize("case", sorted(SAVED))
def test_saved_values_under_pytorchs_names(case):
    """``grad_fn._saved_self`` and friends: every name microgrid declares
    (``Node.saved_fields``) is one PyTorch's node has, with the same value."""
    x, y = microgrid.ones(2, 2, requires_grad=True), microgrid.ones(2, 2, requires_grad=True)
    names = sorted(type(SAVED[case](microgrid, x, y).grad_fn).saved_fields)
    assert names

    def story(lib, say):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = lib.tensor([[2.0, 1.0], [3.0, 0.5]], requires_grad=True)
        fn = SAVED[case](lib, x, y).grad_fn
        say([getattr(fn, "_saved_" + name) for name in names])
    same_story(story, expect_error=False)


def test_saved_names_missing_or_freed():
    def story(lib, say):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        out = (x * x).sum() * 1
        fn = out.grad_fn.next_functions[0][0].next_functions[0][0]
        say(fn._saved_self)
        out.backward()
        say(fn._saved_other)
    same_story(story, expect_error=True)
