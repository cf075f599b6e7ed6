"""In-place ops against PyTorch: version counters and their errors, the leaf
and view checks, the nodes an in-place op leaves behind (``AddBackward0``,
``CopySlices``, ``AsStridedBackward0`` ...), ``x[index] = value`` for every
kind of index, and the optimizer's update under ``no_grad``.

Stories (``autograd_story.py``) for the named behaviours; hypothesis for
random index/value pairs and random sequences of in-place ops, compared with
``difftest.check`` (values, graphs node for node, gradients, errors).
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from autograd_story import same_story
from difftest import check, const, float_arrays, shapes
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from test_ops_indexing import build, index_specs

import microgrid
from microgrid.autograd.walk import signature

SETTINGS = settings(max_examples=40, deadline=None)


def leaf(lib, values=(1.0, 2.0, 3.0)):
    return lib.tensor(list(values), requires_grad=True)


def graph(tensor):
    return [(index, name, inputs) for index, name, inputs in signature(tensor)]


# -- the checks ----------------------------------------------------------------------------
def _no_grad_view(lib, say):
    x = leaf(lib)
    with lib.no_grad():
        v = x[:2]
    say((v.requires_grad, v.is_leaf, v.grad_fn))
    v.add_(1)


def _no_grad_view_changed_under_no_grad(lib, say):
    x = leaf(lib)
    with lib.no_grad():
        v = x[:2]
        v.mul_(2)
    say(x)


def _no_grad_view_in_a_graph(lib, say):
    """A view made under no_grad requires grad, like its base, but no
    gradient reaches it or its base: its edge is None."""
    x = leaf(lib)
    with lib.no_grad():
        v = x[0]
        u = x.view(3)
    y = v * 2
    say((y, y.grad_fn.next_functions))
    y.backward()
    k = (u * x).sum()
    k.backward()
    say((x.grad, v.grad, u.grad))


CHECK_STORIES = {
    "view made under no_grad, used in a graph": _no_grad_view_in_a_graph,
    "leaf": lambda lib, say: leaf(lib).add_(1),
    "leaf through setitem": lambda lib, say: leaf(lib).__setitem__(0, 1.0),
    "view of a leaf": lambda lib, say: leaf(lib)[:2].add_(1),
    "view of a leaf through view()": lambda lib, say: leaf(lib).view(3).mul_(1),
    "detached leaf is fine": lambda lib, say: say(leaf(lib).detach().add_(1)),
    "leaf under no_grad": lambda lib, say: say(_under_no_grad(lib, lambda x: x.add_(1))),
    "view of a leaf under no_grad": lambda lib, say: say(
        _under_no_grad(lib, lambda x: x[1:].mul_(3))),
    "view made under no_grad": _no_grad_view,
    "view made and changed under no_grad": _no_grad_view_changed_under_no_grad,
    "integer result into a float": lambda lib, say: say(lib.tensor([1.0, 2.0]).add_(
        lib.tensor([1, 2]))),
    "float result into integers": lambda lib, say: lib.tensor([1, 2, 3]).add_(1.5),
    "float tensor into integers": lambda lib, say: lib.tensor([1, 2, 3]).mul_(
        lib.tensor([1.5, 2.0, 3.0])),
    "true division of integers": lambda lib, say: lib.tensor([1, 2]).div_(2),
    "integer into bool": lambda lib, say: lib.tensor([True]).add_(1),
    "broadcast beyond the output": lambda lib, say: lib.zeros(3).add_(lib.zeros(2, 3)),
    "broadcast within the output": lambda lib, say: say(lib.zeros(2, 3).add_(lib.ones(3))),
    "overlapping memory": lambda lib, say: lib.zeros(3).expand(2, 3).add_(1),
    "expanded to the same shape": lambda lib, say: say(
        (lambda z: (z.expand(3).mul_(2), z)[1])(lib.ones(3))),
    "div_ with rounding": lambda lib, say: say(lib.tensor([1.0, 2.0]).div_(
        2, rounding_mode="floor")),
}


def _under_no_grad(lib, change):
    x = leaf(lib)
    with lib.no_grad():
        change(x)
    return x, x._version, x.is_leaf, x.grad_fn


@pytest.mark.parametrize("name", sorted(CHECK_STORIES))
def test_checks(name):
    same_story(CHECK_STORIES[name])


# -- versions and the "modified by an inplace operation" error ---------------------------------
def _modified(make, change, then=lambda lib, x, a, b: b.sum().backward()):
    def story(lib, say):
        x = leaf(lib, (0.1, 0.2, 0.3))
        a, b = make(lib, x)
        change(lib, a)
        say(a._version)
        then(lib, x, a, b)
        say(x.grad)
    return story


VERSION_STORIES = {
    "saved input": _modified(lambda lib, x: (lambda a: (a, a * a))(x * 2),
                             lambda lib, a: a.add_(1)),
    "saved output (exp)": _modified(lambda lib, x: (lambda a: (a, a))(x.exp()),
                                    lambda lib, a: a.add_(1)),
    "saved output (tanh)": _modified(lambda lib, x: (lambda a: (a, a))(x.tanh()),
                                     lambda lib, a: a.mul_(2)),
    "saved output, used later": _modified(lambda lib, x: (lambda a: (a, a + 1))(x.sigmoid()),
                                          lambda lib, a: a.mul_(2)),
    "saved plain tensor": _modified(
        lambda lib, x: (lambda c: (c, x * c))(lib.tensor([1.0, 2.0, 3.0])),
        lambda lib, c: c.add_(1)),
    "saved double tensor": _modified(
        lambda lib, x: (lambda c: (c, x * c))(lib.tensor([1.0, 2.0, 3.0], dtype=lib.float64)),
        lambda lib, c: c.add_(1)),
    "saved leaf changed under no_grad": _modified(
        lambda lib, x: (x, x * x), lambda lib, x: _no_grad_add(lib, x)),
    "saved view, base changed": _modified(
        lambda lib, x: (lambda a: (a, a[1:] * a[1:]))(x * 2), lambda lib, a: a.add_(1)),
    "saved base, view changed": _modified(
        lambda lib, x: (lambda a: (a, a * a))(x * 2), lambda lib, a: a[1:].add_(1)),
    "saved reshape": _modified(
        lambda lib, x: (lambda a: (a, a.reshape(1, 3).sin()))(x * 2),
        lambda lib, a: a.add_(1)),
    "changed twice": _modified(lambda lib, x: (lambda a: (a, a.sin()))(x * 2),
                               lambda lib, a: (a.add_(1), a.add_(1))),
    "exp saves only its result": _modified(lambda lib, x: (lambda a: (a, a.exp()))(x * 2),
                                           lambda lib, a: (a.add_(1), a.add_(1))),
    "changed through detach": _modified(lambda lib, x: (lambda a: (a, a.sin()))(x * 2),
                                        lambda lib, a: a.detach().add_(1)),
    "changed through .data": _modified(lambda lib, x: (lambda a: (a, a.sin()))(x * 2),
                                       lambda lib, a: a.data.add_(1)),
    "saved after copy_": _modified(lambda lib, x: (lambda a: (a, a * a))((x * 1).copy_(x)),
                                   lambda lib, a: a.detach().add_(1)),
    "saved after fill_": _modified(lambda lib, x: (lambda a: (a, a * a))((x * 1).fill_(2)),
                                   lambda lib, a: a.detach().add_(1)),
    "mul_ by itself": _modified(lambda lib, x: (lambda a: (a, a.mul_(a)))(x * 1),
                                lambda lib, a: None),
    "add_ itself": _modified(lambda lib, x: (lambda a: (a, a.add_(a)))(x * 1),
                             lambda lib, a: None),
    "mul_ by its detached self": _modified(lambda lib, x: (lambda a: (a, a.mul_(a.detach())))(
        x * 1), lambda lib, a: None),
    "exp_ then add_": _modified(lambda lib, x: (lambda a: (a, a.exp_()))(x * 2),
                                lambda lib, a: a.add_(1)),
    "retain_graph and a change between backward passes": _modified(
        lambda lib, x: (lambda a: (a, (a * a).sum()))(x * 2),
        lambda lib, a: None,
        lambda lib, x, a, b: (b.backward(retain_graph=True), a.add_(1), b.backward())),
}


def _no_grad_add(lib, x):
    with lib.no_grad():
        x.add_(1)


@pytest.mark.parametrize("name", sorted(VERSION_STORIES))
def test_versions(name):
    same_story(VERSION_STORIES[name])


# -- the nodes in-place ops leave -----------------------------------------------------------
def _chain_of_ops(lib, say):
    x = leaf(lib)
    w = leaf(lib, (0.5, -1.0, 2.0))
    z = x * 2
    for change in (lambda: z.add_(1), lambda: z.mul_(w), lambda: z.sub_(w, alpha=2),
                   lambda: z.div_(2), lambda: z.pow_(2), lambda: z.clamp_(0, 50),
                   lambda: z.clamp_min_(w), lambda: z.clamp_max_(40), lambda: z.neg_(),
                   lambda: z.abs_(), lambda: z.sqrt_(), lambda: z.exp_(), lambda: z.log_(),
                   lambda: z.sin_(), lambda: z.cos_(), lambda: z.tanh_(), lambda: z.sigmoid_(),
                   lambda: z.relu_(), lambda: z.reciprocal_(), lambda: z.sign_()):
        change()
        say((z.grad_fn, z._version))
    z.sum().backward()
    say((x.grad, w.grad))


def _augmented_assignment(lib, say):
    x = leaf(lib)
    z = x * 2
    before = z
    z += 1
    z -= x
    z *= x
    z /= 2
    say((z is before, z, graph(z)))
    z.sum().backward()
    say(x.grad)


def _overwrite(lib, say):
    x = leaf(lib)
    w = leaf(lib, (0.5, -1.0, 2.0))
    for make in (lambda: (x * 1).zero_(), lambda: (x * 1).fill_(2),
                 lambda: (x * 1).fill_((w * 2).sum()), lambda: (x * 1).copy_(w),
                 lambda: (x * 1).copy_(w * w), lambda: lib.zeros(3).copy_(x),
                 lambda: lib.zeros(3, dtype=lib.float64).copy_(x)):
        z = make()
        say((z, graph(z)))
        z.sum().backward()
        say((x.grad, w.grad))
        x.grad = w.grad = None


def _views(lib, say):
    x = leaf(lib)
    z = x * 2
    w = z[1:]
    w.add_(1)
    say((graph(w), graph(z)))
    w.mul_(3)
    say((graph(w), graph(z)))
    z.sum().backward()
    say(x.grad)


def _view_refreshed_by_base_change(lib, say):
    x = leaf(lib)
    z = x * 2
    w = z[1:]
    e = z.expand(2, 3)
    z.mul_(3)
    say((graph(w), graph(e)))
    (w.sum() + (e * e).sum()).backward()
    say(x.grad)


def _view_of_leaf_after_step(lib, say):
    p = leaf(lib)
    s = p[0]
    say((graph(s), s._version))
    with lib.no_grad():
        p.sub_(0.1)
    say((graph(s), s._version))


def _plain_tensor_gains_history(lib, say):
    x = leaf(lib)
    c = lib.zeros(3)
    c.add_(x)
    say((graph(c), c.requires_grad, c.is_leaf))
    c2 = lib.zeros(3)
    cv = c2[1:]
    cv.add_(x[1:])
    say((graph(c2), graph(cv), c2.requires_grad, cv.requires_grad))
    (c2.sum() * 1).backward()
    say(x.grad)


def _view_made_before_the_base_required_grad(lib, say):
    x = leaf(lib)
    c = lib.zeros(3)
    v = c[:2]
    c.add_(x)
    say((v.requires_grad, graph(v)))
    (v * v).sum().backward()
    say(x.grad)


def _double_backward_through_inplace(lib, say):
    x = leaf(lib, (0.1, 0.2, 0.3))
    w = leaf(lib, (0.5, -1.0, 2.0))
    y = x * 2
    y.mul_(w)
    (g,) = lib.autograd.grad(y.sum(), w, create_graph=True)
    say((g, graph(g)))
    say(lib.autograd.grad(g.sum(), x))
    y = x * 2
    y.exp_()
    (g,) = lib.autograd.grad(y.sum(), x, create_graph=True)
    say(graph(g))
    say(lib.autograd.grad(g.sum(), x))


def _saved_output_changed_before_double_backward(lib, say):
    """The output exp saved comes back in the gradient's graph (g = v * y);
    it shares y's version, so changing y breaks even d g / d v."""
    x = leaf(lib, (0.1, 0.2, 0.3))
    v = leaf(lib)
    y = x.exp()
    (g,) = lib.autograd.grad(y, x, v, create_graph=True)
    y.add_(1)
    say(y._version)
    say(lib.autograd.grad(g.sum(), v))


NODE_STORIES = {
    "saved output changed before double backward": _saved_output_changed_before_double_backward,
    "a chain of in-place ops": _chain_of_ops,
    "+= -= *= /=": _augmented_assignment,
    "zero_, fill_, copy_": _overwrite,
    "through a view": _views,
    "views of a base changed in place": _view_refreshed_by_base_change,
    "view of a leaf after an optimizer step": _view_of_leaf_after_step,
    "a plain tensor gains a history": _plain_tensor_gains_history,
    "a view made before its base required grad": _view_made_before_the_base_required_grad,
    "double backward through in-place ops": _double_backward_through_inplace,
    "copy_ errors": lambda lib, say: lib.zeros(2, 3).copy_(lib.ones(2)),
    "copy_ to a smaller tensor": lambda lib, say: lib.zeros(3).copy_(lib.ones(2, 3)),
    "copy_ casts": lambda lib, say: say((
        lib.zeros(2).copy_(lib.tensor([1.7, 2.5], dtype=lib.float64)),
        lib.zeros(2, dtype=lib.int64).copy_(lib.tensor([1.7, -2.5])),
        lib.zeros(2).copy_(3))),
    "fill_ with a 1-d tensor": lambda lib, say: lib.zeros(2).fill_(lib.tensor([2.0])),
}


@pytest.mark.parametrize("name", sorted(NODE_STORIES))
def test_nodes(name):
    same_story(NODE_STORIES[name])


def test_sgd_step_under_no_grad_records_nothing():
    def story(lib, say):
        w = lib.tensor([[0.5, -0.25], [1.0, 0.75]], requires_grad=True)
        b = lib.tensor([0.1, -0.1], requires_grad=True)
        x = lib.tensor([[1.0, 2.0], [-1.0, 0.5], [0.0, 3.0]])
        for _ in range(3):
            loss = ((x @ w + b) ** 2).mean()
            loss.backward()
            with lib.no_grad():
                for p in (w, b):
                    p -= 0.1 * p.grad
                    p.grad.zero_()
            say((loss, w, b, w.is_leaf, w.grad_fn, w._version, w.grad))

    same_story(story)


# -- x[index] = value -----------------------------------------------------------------------
INDICES = {
    "int": 0, "int, int": (0, 1), "slice, int": (slice(None), 1), "negative": -1,
    "slice": slice(1, None), "step": (slice(None), slice(None, None, 2)),
    "whole by slices": (slice(None),), "whole by two slices": (slice(None), slice(None)),
    "ellipsis": Ellipsis, "ellipsis, int": (Ellipsis, 1), "None": None, "None, int": (None, 0),
    "True": True, "False": False, "mask": "mask", "row mask": "row mask",
    "index tensor": "index tensor", "index lists": ([0, 1], [1, 2]), "list": [0],
    "int, list": (0, [0, 1]), "list, int": ([0, 1], 0), "slice, list": (slice(None), [0, 1]),
    "partial slice, list": (slice(1, None), [0, 1]), "repeated positions": ([0, 0], [1, 1]),
}


def _index(lib, spec):
    return {"mask": lib.tensor([[True, False, True], [False, False, True]]),
            "row mask": lib.tensor([True, False]),
            "index tensor": lib.tensor([0, 1])}.get(spec, spec) if isinstance(spec, str) else spec


def _setitem_story(index, value_kind):
    def story(lib, say):
        x = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)
        z = x * 1
        idx = _index(lib, index)
        with lib.no_grad():
            shape = tuple(z[idx].shape) if index is not False else ()
        value = {"number": 7.0, "integer": 3, "0-d tensor": lib.tensor(7.0),
                 "tracked": ((x * 10).sum() * lib.ones(shape)) if shape else (x * 10).sum(),
                 }[value_kind]
        z[idx] = value
        say((z, graph(z)))
        z.sum().backward()
        say(x.grad)
    return story


@pytest.mark.parametrize("index", sorted(INDICES))
@pytest.mark.parametrize("value", ["number", "integer", "0-d tensor", "tracked"])
def test_setitem(index, value):
    same_story(_setitem_story(INDICES[index], value))


SETITEM_ERRORS = {
    "value of the wrong size": lambda lib, z: z.__setitem__(0, lib.ones(2)),
    "values that do not broadcast": lambda lib, z: z.__setitem__([0, 1], lib.ones(3, 3)),
    "values of another dtype": lambda lib, z: z.__setitem__(
        [0, 1], lib.ones(3, dtype=lib.float64)),
    "index out of range": lambda lib, z: z.__setitem__(5, 1.0),
    "leading ones are dropped": lambda lib, z: z.__setitem__(0, lib.ones(1, 1, 3)),
    "leading ones, index list": lambda lib, z: z.__setitem__([0], lib.ones(1, 1, 1, 3)),
    "into integers": lambda lib, z: z.__setitem__(0, 2.7),
}


@pytest.mark.parametrize("name", sorted(SETITEM_ERRORS))
def test_setitem_edge_cases(name):
    def story(lib, say):
        z = lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True) * 1
        if name == "into integers":
            z = lib.zeros(2, 3, dtype=lib.int64)
        SETITEM_ERRORS[name](lib, z)
        say((z, graph(z) if z.requires_grad else None))

    same_story(story)


@SETTINGS
@given(data=st.data())
def test_setitem_any_index(data):
    """Random indices (the strategy of ``test_ops_indexing.py``) with a
    number, a 0-d tensor or a tensor of the selected shape that requires grad."""
    shape = data.draw(shapes(min_dims=1, max_dims=3))
    array = data.draw(float_arrays(np.float64, shape))
    spec = data.draw(index_specs(shape))
    try:
        picked = tuple(torch.zeros(shape)[build(torch, spec)].shape)
    except IndexError:
        assume(False)
    kind = data.draw(st.sampled_from(["number", "0-d", "picked"]))
    value = {"number": 2.5, "0-d": const(np.array(-1.5)),
             "picked": data.draw(float_arrays(np.float64, picked))}[kind]

    def assign(lib, x, v):
        z = x * 1
        z[build(lib, spec)] = v
        return z

    check(assign, array, value)


OPS = ["add_", "mul_", "sub_", "div_", "exp_", "clamp_", "copy_", "fill_", "zero_", "setitem"]


@SETTINGS
@given(data=st.data())
def test_random_sequences_of_inplace_ops(data):
    """Random in-place ops on a non-leaf or on views of it, with operands that
    do or do not require grad: the values, the graph left behind, the
    gradients, and any version error in backward must be PyTorch's."""
    steps = data.draw(st.lists(st.tuples(st.sampled_from(OPS), st.sampled_from(["base", "row",
                                                                                 "column"]),
                                         st.booleans()), min_size=1, max_size=5))
    x = data.draw(float_arrays(np.float64, (2, 3), -1.5, 1.5))
    w = data.draw(float_arrays(np.float64, (2, 3), 0.5, 1.5))

    def run(lib, x, w):
        base = x * 1
        kept = base.sin()  # saves base: a later change of base must fail in backward
        for op, where, tracked in steps:
            target = {"base": base, "row": base[1], "column": base[:, 1]}[where]
            other = (w if tracked else w.detach())[{"base": (), "row": 1,
                                                    "column": (slice(None), 1)}[where]]
            if op == "setitem":
                target[0] = other[0]
            elif op in ("exp_", "zero_"):
                getattr(target, op)()
            elif op == "clamp_":
                target.clamp_(-1, 1)
            elif op == "fill_":
                target.fill_(other.sum())
            else:
                getattr(target, op)(other)
        return base, kept

    check(run, x, w)


def test_multiplying_by_a_number_saves_nothing():
    """MulBackward0 keeps an operand only for the other one's gradient, as
    PyTorch does: y * 3 saves nothing of y, so changing y later is no error."""
    def story(lib, say):
        x = leaf(lib)
        y = x * 2
        z = y * 3
        y.add_(1)
        z.sum().backward()
        say(x.grad)

    same_story(story, expect_error=False)


def test_graph_helper_reads_signatures():
    """The stories above compare graphs through ``graph``: it must see nodes."""
    x = microgrid.tensor([1.0], requires_grad=True)
    assert [name for _, name, _ in graph((x * 2).exp())] == ["ExpBackward0", "MulBackward0",
                                                             "AccumulateGrad"]
