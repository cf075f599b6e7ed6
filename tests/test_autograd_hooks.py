"""Hooks against PyTorch: tensor hooks (order, replacement, removal, checks),
``retain_grad`` among them, node pre- and post-hooks.

Each case is a story (see ``autograd_story.py``): what the hooks saw, the
gradients that came out, and any error, must be PyTorch's.
"""

from __future__ import annotations

import pytest
from autograd_story import same_story


def leaf(lib, values=(1.0, 2.0, 3.0)):
    return lib.tensor(list(values), requires_grad=True)


def _leaf_hooks_in_order(lib, say):
    x = leaf(lib)
    x.register_hook(lambda g: say(("first", g)))
    second = x.register_hook(lambda g: (say(("second", g)), g * 10)[1])
    x.register_hook(lambda g: say(("third sees the replacement", g)))
    (x * 2).sum().backward()
    say(("accumulated after the hooks", x.grad))
    second.remove()
    second.remove()  # twice is fine
    x.grad = None
    (x * 2).sum().backward()
    say(("removed", x.grad))


def _non_leaf_hooks_and_retain_grad(lib, say):
    x = leaf(lib)
    y = x * 2
    y.register_hook(lambda g: say(("y first", g)))
    y.retain_grad()  # registered between the hooks, runs after all of them
    y.register_hook(lambda g: (say(("y second", g)), g + 1)[1])
    x.register_hook(lambda g: say(("x", g)))
    (y * y).sum().backward()
    say((y.grad, x.grad))


def _hooks_in_autograd_grad(lib, say):
    x = leaf(lib, (1.0, 2.0))
    x.register_hook(lambda g: (say(("x", g)), g * 100)[1])
    say(lib.autograd.grad((x * 3).sum(), x))
    y = x * 3
    y.register_hook(lambda g: (say(("y", g)), g * 100)[1])
    say(lib.autograd.grad(y.sum(), y))
    say(lib.autograd.grad((y * y).sum(), x, retain_graph=True))


def _hook_on_an_input_that_is_also_needed(lib, say):
    """autograd.grad captures an input whose node must run for another
    input before its hooks (PyTorch's order)."""
    x = leaf(lib, (1.0, 2.0))
    y = x * 3
    y.register_hook(lambda g: (say(("y", g)), g * 100)[1])
    say(lib.autograd.grad((y * y).sum(), (y, x)))


def _hooks_before_an_inplace_change(lib, say):
    x = leaf(lib)
    z = x * 2
    z.register_hook(lambda g: say(("registered before add_", g)))
    z.retain_grad()
    z.add_(1)
    z.register_hook(lambda g: say(("registered after add_", g)))
    (z * z).sum().backward()
    say((z.retains_grad, z.grad))


def _node_hooks(lib, say):
    a = leaf(lib, (1.0, 2.0))
    b = a * 3
    b.grad_fn.register_prehook(lambda grad_outputs: say(("pre", grad_outputs)))
    b.grad_fn.register_hook(lambda grad_inputs, grad_outputs: say(("post", grad_inputs,
                                                                    grad_outputs)))
    b.grad_fn.register_prehook(lambda grad_outputs: (grad_outputs[0] * 2,))
    b.grad_fn.register_hook(lambda grad_inputs, grad_outputs: (grad_inputs[0] + 1,
                                                               grad_inputs[1]))
    b.sum().backward()
    say(a.grad)


def _hooks_on_accumulate_grad(lib, say):
    x = leaf(lib, (1.0, 2.0))
    accumulate = (x * 1).grad_fn.next_functions[0][0]
    accumulate.register_prehook(lambda grad_outputs: say(("pre", grad_outputs, x.grad)))
    accumulate.register_hook(lambda grad_inputs, grad_outputs: say(("post", grad_inputs,
                                                                    grad_outputs, x.grad)))
    x.register_hook(lambda g: (say(("tensor hook", g)), g * 2)[1])
    (x * 3).sum().backward()
    say(x.grad)


def _removal_by_with(lib, say):
    a = leaf(lib, (1.0, 2.0))
    d = a * 3
    with d.register_hook(lambda g: say(("never", g))):
        pass
    d.sum().backward()
    say(a.grad)


def _hooks_on_views(lib, say):
    e = leaf(lib)
    f = e * 1
    f[1:].register_hook(lambda g: say(("view", g)))  # a hook on a view that is then dropped
    v = f[1:]
    for tensor, name in ((v, "view"), (f, "base")):
        tensor.register_hook(lambda g, name=name: say((name, g)))
    (v * 2).sum().backward()
    say(e.grad)


def _hook_under_create_graph(lib, say):
    x = leaf(lib, (1.0, 2.0))
    x.register_hook(lambda g: say(("sees a recorded gradient", g)))
    (g,) = lib.autograd.grad((x * x).sum(), x, create_graph=True)
    say(g)


def _raising(returns):
    def story(lib, say):
        x = leaf(lib, (1.0, 2.0))
        x.register_hook(lambda g: returns(lib, g))
        (x * 1).sum().backward()
        say(x.grad)
    return story


def _named_hook_changes_dtype(lib, say):
    def to_double(grad):
        return grad.double()

    y = leaf(lib, (1.0, 2.0)) * 1
    y.register_hook(to_double)
    y.sum().backward()


def _node_hook_errors(returns):
    def story(lib, say):
        c = leaf(lib, (1.0, 2.0)) * 3
        c.grad_fn.register_prehook(lambda grad_outputs: returns(grad_outputs))
        c.sum().backward()
    return story


STORIES = {
    "leaf hooks in order, replacement, removal": _leaf_hooks_in_order,
    "non-leaf hooks and retain_grad": _non_leaf_hooks_and_retain_grad,
    "hooks in autograd.grad": _hooks_in_autograd_grad,
    "hook on an input that other inputs need": _hook_on_an_input_that_is_also_needed,
    "hooks and an in-place change": _hooks_before_an_inplace_change,
    "node pre- and post-hooks": _node_hooks,
    "handle as a context manager": _removal_by_with,
    "hooks on an AccumulateGrad node": _hooks_on_accumulate_grad,
    "hooks on a view and its base": _hooks_on_views,
    "hook under create_graph": _hook_under_create_graph,
    "hook on a tensor without grad": lambda lib, say: lib.ones(2).register_hook(print),
    "hook changes the size": _raising(lambda lib, g: lib.ones(3)),
    "hook returns a number": _raising(lambda lib, g: 5),
    "hook changes the dtype": _raising(lambda lib, g: g.double()),
    "named hook changes the dtype": _named_hook_changes_dtype,
    "pre-hook returns a tensor": _node_hook_errors(lambda grad_outputs: grad_outputs[0] * 2),
    "pre-hook returns two values": _node_hook_errors(lambda grad_outputs: grad_outputs * 2),
}


@pytest.mark.parametrize("name", sorted(STORIES))
def test_hooks(name):
    same_story(STORIES[name])
