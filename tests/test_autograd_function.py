"""``torch.autograd.Function``: a learner's own forward and backward, against PyTorch.

The same Function classes are written once per library (:func:`functions`)
and run under both by ``difftest.check``: values, gradients, node names
(``MyReLUBackward``), ``repr`` and errors must agree.
"""

from __future__ import annotations

import functools
import re
import warnings
from types import SimpleNamespace
from typing import Any

import numpy as np
import pytest
import torch
from difftest import assert_same_error, check, float_arrays, shapes
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrid
from microgrid.autograd.function import Function, once_differentiable


@functools.cache
def functions(lib: Any) -> SimpleNamespace:
    """The test's Function subclasses, written against ``lib``."""
    base = lib.autograd.Function
    once = (once_differentiable if lib is microgrid
            else torch.autograd.function.once_differentiable)

    class MyReLU(base):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x.clamp(min=0)

        @staticmethod
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return grad * (x > 0).to(grad.dtype)

    class Scale(base):  # a number among the inputs, saved on ctx; extra Nones are allowed
        @staticmethod
        def forward(ctx, x, k):
            ctx.k = k
            ctx.flags = ctx.needs_input_grad
            return x * k

        @staticmethod
        def backward(ctx, grad):
            return grad * ctx.k, None, None

    class Cube(base):  # setup_context form, saves its output
        @staticmethod
        def forward(x):
            return x * x * x

        @staticmethod
        def setup_context(ctx, inputs, output):
            x, = inputs
            ctx.save_for_backward(x, output)

        @staticmethod
        def backward(ctx, grad):
            x, out = ctx.saved_tensors
            return grad * 3 * x * x

    class MulAdd(base):  # two tensor inputs, two outputs
        @staticmethod
        def forward(ctx, x, y):
            ctx.save_for_backward(x, y)
            return x * y, x + y

        @staticmethod
        def backward(ctx, g_prod, g_sum):
            x, y = ctx.saved_tensors
            return g_prod * y + g_sum, g_prod * x + g_sum

    class ArgMaxToo(base):  # a non-differentiable output, grads not materialized
        @staticmethod
        def forward(ctx, x):
            index = x.argmax()
            ctx.mark_non_differentiable(index)
            ctx.set_materialize_grads(False)
            return x * 2, index

        @staticmethod
        def backward(ctx, grad, index_grad):
            assert index_grad is None
            return None if grad is None else grad * 2

    class DoubleInPlace(base):  # in place, marked dirty
        @staticmethod
        def forward(ctx, x):
            x.mul_(2)
            ctx.mark_dirty(x)
            return x

        @staticmethod
        def backward(ctx, grad):
            return grad * 2

    class Once(base):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        @once
        def backward(ctx, grad):
            x, = ctx.saved_tensors
            return 2 * x * grad

    class TooMany(base):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    class TooFew(base):
        @staticmethod
        def forward(ctx, x, y):
            return x * y

        @staticmethod
        def backward(ctx, grad):
            return grad

    class GradForNumber(base):
        @staticmethod
        def forward(ctx, x, k):
            return x * k

        @staticmethod
        def backward(ctx, grad):
            return grad, grad

    class NotATensor(base):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return 5

    class WrongShape(base):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, grad):
            return lib.ones(7)

    class NoBackward(base):
        @staticmethod
        def forward(ctx, x):
            return x * 2

    class NoForward(base):
        pass

    class SaveNumber(base):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(3)
            return x

    return SimpleNamespace(**{k: v for k, v in locals().items() if isinstance(v, type)})


def names(lib: Any, root: Any) -> list:
    """Node names of the graph behind ``root``, breadth first."""
    found, todo = [], [root.grad_fn]
    while todo:
        node = todo.pop(0)
        if node is not None:
            found.append(node.name())
            todo.extend(n for n, _ in node.next_functions)
    return found


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_my_relu_values_gradients_and_graph(data):
    shape = data.draw(shapes())
    x = data.draw(float_arrays(np.float32, shape))
    check(lambda lib, x: functions(lib).MyReLU.apply(x * 1), x)


@settings(max_examples=20, deadline=None)
@given(st.data())
def test_two_inputs_two_outputs_and_numbers(data):
    shape = data.draw(shapes(max_dims=2))
    x, y = (data.draw(float_arrays(np.float64, shape)) for _ in range(2))
    check(lambda lib, x, y: functions(lib).MulAdd.apply(x, y), x, y)
    check(lambda lib, x, y: functions(lib).MulAdd.apply(x, y)[0], x, y)  # one output unused
    check(lambda lib, x: functions(lib).Scale.apply(x, 2.5), x)
    check(lambda lib, x: functions(lib).Cube.apply(x), x)


def test_node_names_repr_and_ctx_like_pytorch():
    for lib in (torch, microgrid):
        x = lib.tensor([-1.0, 2.0, 3.0], requires_grad=True)
        y = functions(lib).MyReLU.apply(x)
        out = (functions(lib).Scale.apply(y, 3) * x).sum()
        assert names(lib, out) == ["SumBackward0", "MulBackward0", "ScaleBackward",
                                   "torch::autograd::AccumulateGrad", "MyReLUBackward",
                                   "torch::autograd::AccumulateGrad"]
        assert repr(y) == "tensor([0., 2., 3.], grad_fn=<MyReLUBackward>)"
        assert re.fullmatch(r"<\w+\.autograd\.function\.MyReLUBackward object at 0x[0-9a-f]+>",
                            repr(y.grad_fn))
        assert y.grad_fn.needs_input_grad == (True,)
        assert out.grad_fn.next_functions[0][0].next_functions[0][0].flags == (True, False)
        assert [t.tolist() for t in y.grad_fn.saved_tensors] == [[-1.0, 2.0, 3.0]]
        out.backward()
        with pytest.raises(RuntimeError, match="Trying to backward through the graph"):
            y.grad_fn.saved_tensors  # noqa: B018 - freed by the backward pass
        with lib.no_grad():
            z = functions(lib).MyReLU.apply(x)
        assert z.grad_fn is None and not z.requires_grad
        assert functions(lib).MyReLU.apply(lib.tensor([1.0])).grad_fn is None


def test_non_differentiable_and_unmaterialized_gradients():
    for lib in (torch, microgrid):
        x = lib.tensor([1.0, 5.0, 3.0], requires_grad=True)
        doubled, index = functions(lib).ArgMaxToo.apply(x)
        assert (doubled.requires_grad, index.requires_grad, index.item()) == (True, False, 1)
        doubled.sum().backward()
        assert x.grad.tolist() == [2.0, 2.0, 2.0]


def test_mark_dirty_moves_the_input_onto_the_node():
    for lib in (torch, microgrid):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        a = x * 1
        b = functions(lib).DoubleInPlace.apply(a)
        assert b is a and a._version == 2 and a.grad_fn.name() == "DoubleInPlaceBackward"
        assert a.grad_fn.next_functions[0][0].name() == "MulBackward0"
        b.sum().backward()
        assert x.grad.tolist() == [2.0, 2.0]
    assert_same_error(lambda lib: functions(lib).DoubleInPlace.apply(
        lib.tensor([1.0], requires_grad=True)))


def test_an_input_returned_unchanged_is_a_view_on_the_node():
    for lib in (torch, microgrid):
        class Same(lib.autograd.Function):
            @staticmethod
            def forward(ctx, x):
                return x

            @staticmethod
            def backward(ctx, grad):
                return grad * 3
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = Same.apply(x)
        assert y is not x and y._base is x and y.grad_fn.name() == "SameBackward"
        y.sum().backward()
        assert x.grad.tolist() == [3.0, 3.0]


def test_once_differentiable():
    def second(lib):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = functions(lib).Once.apply(x)
        g, = lib.autograd.grad((y * y).sum(), x, create_graph=True)
        assert g.grad_fn.name() == "torch::autograd::Error" and repr(g).endswith("grad_fn=<Error>)")
        g.sum().backward()
    assert assert_same_error(second)[1].startswith("trying to differentiate twice")
    for lib in (torch, microgrid):  # once is fine
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        functions(lib).Once.apply(x).sum().backward()
        assert x.grad.tolist() == [2.0, 4.0]


@pytest.mark.parametrize("name", ["TooMany", "TooFew", "GradForNumber", "NotATensor",
                                  "WrongShape", "NoBackward"])
def test_errors_in_backward_are_pytorchs(name):
    def run(lib):
        x = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
        cls = getattr(functions(lib), name)
        args = (x, x) if name == "TooFew" else (x, 2) if name == "GradForNumber" else (x,)
        cls.apply(*args).sum().backward()
    assert_same_error(run)


def test_errors_in_forward_and_calling_an_instance():
    x = {lib: lib.tensor([1.0], requires_grad=True) for lib in (torch, microgrid)}
    assert_same_error(lambda lib: functions(lib).NoForward.apply(x[lib]))
    assert_same_error(lambda lib: functions(lib).SaveNumber.apply(x[lib]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert_same_error(lambda lib: functions(lib).MyReLU()(x[lib]))
    with pytest.warns(DeprecationWarning, match="should not be instantiated"):
        functions(microgrid).MyReLU()


def test_gradcheck_through_function_nodes():
    rng = np.random.default_rng(0)
    f = functions(microgrid)
    x = microgrid.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    y = microgrid.tensor(rng.normal(size=(3, 4)), requires_grad=True)
    assert microgrid.autograd.gradcheck(lambda x: f.Cube.apply(x), (x,))
    assert microgrid.autograd.gradcheck(lambda x, y: f.MulAdd.apply(x, y), (x, y))
    assert microgrid.autograd.gradcheck(lambda x: f.Scale.apply(x, -1.5), (x,))
    assert microgrid.autograd.gradgradcheck(lambda x: f.Cube.apply(x), (x,))


def test_function_is_exported_where_pytorch_has_it():
    assert microgrid.autograd.Function is Function
    assert microgrid.autograd.function.once_differentiable is once_differentiable
    assert {"FunctionCtx", "BackwardCFunction", "once_differentiable"} <= set(
        dir(torch.autograd.function)) & set(dir(microgrid.autograd.function))


def test_the_node_is_in_pictures_and_graph_walks():
    from microgrid.autograd.walk import signature

    f = functions(microgrid)
    x = microgrid.tensor([-1.0, 2.0], requires_grad=True)
    y = (f.MyReLU.apply(x) * x).sum()
    names_drawn = [node["name"] for node in microgrid.viz.describe(y)["nodes"]]
    assert "MyReLUBackward" in names_drawn and "MulBackward0" in names_drawn
    assert "MyReLUBackward" in str(signature(y))
