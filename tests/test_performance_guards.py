"""The correctness that comes with speed: what the engine's shortcuts must never change.

The backward pass writes into gradients it owns instead of copying them,
adopts a gradient as a leaf's ``.grad``, keeps ``mean``'s gradient a
broadcast view, and saves only the tensors the needed gradients read
(``docs/performance.md``).  Each test here runs a story under PyTorch and
microgrid (``autograd_story.same_story``) or checks an invariant directly:

* leaf gradients never share memory with each other, with a gradient the
  caller passed in, with a captured or retained gradient or with one a hook
  kept; a ``gradient=`` tensor is never modified;
* a ``.grad`` held across a second backward sees the sum, as in PyTorch;
* float32 stays float32 next to Python and NumPy numbers;
* ``create_graph=True`` still records PyTorch's graph;
* broadcast views never reach user code (hooks, ``autograd.grad``, ``.grad``);
* a node with several outputs (``unbind``) works with hooks, ``retain_grad``
  and ``autograd.grad`` on single outputs;
* the memory the shortcuts save is saved (peak of ``mean(x * x)``'s backward).
"""

from __future__ import annotations

import gc
import tracemalloc
from typing import Any, Callable, List

import numpy as np
import pytest
import torch
from autograd_story import same_story
from difftest import assert_close
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrid
from microgrid.autograd.walk import signature


def values(lib: Any, *shape: int, seed: int = 0, grad: bool = True) -> Any:
    array = np.random.default_rng(seed).uniform(-2, 2, size=shape).astype(np.float32)
    return lib.tensor(array, requires_grad=grad)


def memory(tensor: Any) -> np.ndarray:
    return tensor.detach().numpy()


def shares(a: Any, b: Any) -> bool:
    return bool(np.shares_memory(memory(a), memory(b)))


# -- no aliasing ---------------------------------------------------------------------
#: Graphs in which one gradient tensor could end up in two places: passed
#: through (add, clone, view), used twice (x * x, x + x), or fanned out.
GRAPHS = {
    "passed through": lambda lib, a, b: (a.clone() + b.view(2, 3)) * 1,
    "used twice": lambda lib, a, b: a * a + (b + b),
    "fan-out": lambda lib, a, b: (a + b) + (a - b),
    "mean": lambda lib, a, b: (a * b).mean().expand(2, 3),
    "sum then broadcast": lambda lib, a, b: a + b.sum(),
    "unbind": lambda lib, a, b: lib.stack([row * 2 for row in a + b]),
}


@pytest.mark.parametrize("graph", sorted(GRAPHS))
def test_leaf_grads_are_private(graph: str) -> None:
    """Gradients of two leaves never share memory, nor with the ``gradient``
    given to backward, which stays as it was; two passes add up to twice
    PyTorch's gradient.  (PyTorch itself lets the leaves of "passed through"
    share one tensor, and its second pass then counts each gradient twice.)"""
    def leaves(lib: Any) -> List[Any]:
        return [values(lib, 2, 3), values(lib, 2, 3, seed=1)]

    gradient = values(microgrid, 2, 3, seed=2, grad=False)
    kept = gradient.clone()
    a, b = leaves(microgrid)
    for _ in range(2):
        GRAPHS[graph](microgrid, a, b).backward(gradient)
        assert not shares(a.grad, b.grad)
        assert not shares(a.grad, gradient) and not shares(b.grad, gradient)
        assert np.array_equal(memory(gradient), memory(kept))
    x, y = leaves(torch)
    expected = torch.autograd.grad(GRAPHS[graph](torch, x, y), [x, y],
                                   torch.tensor(memory(gradient)))
    for ours, once in zip((a.grad, b.grad), expected, strict=True):
        assert_close(ours, once * 2, "grad after two passes")


def test_grad_held_across_a_second_backward_sees_the_sum() -> None:
    """``g = x.grad`` is the tensor a second backward adds into, in place."""
    def story(lib: Any, say: Callable[[Any], None]) -> None:
        x = values(lib, 4)
        (x * x).mean().backward()
        g = x.grad
        first = g.clone()
        (x * x).mean().backward()
        say([g is x.grad, g, first, x.grad])
        x.grad = None
        (x * 3).sum().backward()
        say([g, x.grad, shares(g, x.grad)])

    same_story(story, expect_error=False)


def test_gradients_user_code_keeps_are_never_written_into() -> None:
    """A gradient a hook kept, a retained one, or one autograd.grad returned
    is not the memory a later sum is written into."""
    def story(lib: Any, say: Callable[[Any], None]) -> None:
        x = values(lib, 3)
        kept: List[Any] = []
        y = x * 2
        y.register_hook(lambda grad: kept.append(grad))
        z = y * y
        z.retain_grad()
        w = z + y
        (w * 1.5).sum().backward(retain_graph=True)
        copies = [t.clone() for t in kept + [z.grad]]
        (w * 2.5).sum().backward()
        say([kept, copies, z.grad, x.grad])
        u = x * 1
        v = u * u
        grad_u, = lib.autograd.grad(v.sum() + (u * 3).sum(), [u], retain_graph=True)
        before = grad_u.clone()
        lib.autograd.grad((v * v).sum(), [x])
        say([grad_u, before])

    same_story(story, expect_error=False)


def test_a_leaf_used_by_two_losses_in_one_backward() -> None:
    def story(lib: Any, say: Callable[[Any], None]) -> None:
        x = values(lib, 5)
        lib.autograd.backward([(x * x).mean(), (x * 2).sum()])
        say(x.grad)
        lib.autograd.backward([(x * x).sum(), x.exp().sum()],
                              [lib.tensor(2.0), lib.tensor(0.5)])
        say(x.grad)

    same_story(story, expect_error=False)


# -- dtypes --------------------------------------------------------------------------
NUMBERS = [2.5, 3, True, np.float64(1.5), np.float32(0.25), np.int64(2), 1e300]


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
@pytest.mark.parametrize("number", NUMBERS, ids=repr)
def test_dtypes_next_to_numbers(dtype: str, number: Any) -> None:
    """Values and gradient dtypes with Python and NumPy numbers (NumPy 2
    promotes differently from PyTorch; microgrid must not)."""
    def story(lib: Any, say: Callable[[Any], None]) -> None:
        x = lib.tensor([0.5, -1.25, 2.0], dtype=getattr(lib, dtype), requires_grad=True)
        results = [x * number, number * x, x + number, x - number, number - x, x / number]
        say([(str(r.dtype), r) for r in results])
        sum(r.sum() for r in results[:-1]).backward()
        say(x.grad)

    same_story(story)


# -- create_graph --------------------------------------------------------------------
def test_create_graph_records_pytorchs_graph() -> None:
    """With create_graph the shortcuts are off: the gradient is recorded node
    for node as PyTorch records it, and differentiates again."""
    def run(lib: Any) -> Any:
        x = values(lib, 2, 3)
        grad, = lib.autograd.grad((x * x).mean() + (x * x.exp()).sum(), [x], create_graph=True)
        second, = lib.autograd.grad(grad.sum(), [x])
        return grad, signature(grad), second

    theirs, ours = run(torch), run(microgrid)
    assert ours[1] == theirs[1]
    assert_close(ours[0], theirs[0], "gradient")
    assert_close(ours[2], theirs[2], "second derivative")


# -- broadcast views stay inside the engine ------------------------------------------
def test_user_code_sees_ordinary_gradients() -> None:
    """mean's gradient is kept a broadcast view inside the engine; hooks,
    autograd.grad and .grad see a contiguous tensor, as PyTorch's."""
    def story(lib: Any, say: Callable[[Any], None]) -> None:
        x = values(lib, 64, 64)
        seen: List[Any] = []
        y = x * 1
        y.register_hook(lambda grad: seen.append((grad.is_contiguous(), grad.sum())))
        y.mean().backward()
        say([seen, x.grad.is_contiguous(), x.grad.sum()])
        grad, = lib.autograd.grad(x.mean(), [x])
        say([grad.is_contiguous(), grad.sum(), grad.add_(1).sum()])

    same_story(story, expect_error=False)


# -- several outputs -----------------------------------------------------------------
def test_unbind_is_one_node_with_an_output_per_row() -> None:
    def story(lib: Any, say: Callable[[Any], None]) -> None:
        x = values(lib, 3, 2)
        rows = x.unbind()
        say([rows[0].grad_fn is rows[2].grad_fn, rows[1].grad_fn])
        seen: List[Any] = []

        def hook(grad: Any) -> Any:
            seen.append(grad)
            return None if grad is None else grad * 10

        rows[0].register_hook(hook)
        rows[1].retain_grad()
        (rows[0] * rows[1]).sum().backward(retain_graph=True)
        say([x.grad, rows[1].grad])
        say(lib.autograd.grad((rows[2] * 3).sum(), [rows[2], x], allow_unused=True))
        say(seen)  # the hook of a row without gradient sees None

    same_story(story, expect_error=False)


def test_unbind_graph_names_output_numbers_like_pytorch() -> None:
    def graph(lib: Any) -> Any:
        x = values(lib, 3, 2)
        first, _, last = x.unbind()
        return signature(first * last)

    assert graph(microgrid) == graph(torch)
    assert graph(microgrid)[0][3] == (0, 2)  # the edges name outputs 0 and 2 of one node


# -- memory ----------------------------------------------------------------------------
def test_mean_of_a_square_needs_two_arrays_at_most() -> None:
    """x * x at 1e6 elements: the forward pass's product is freed by the
    mean, mean's gradient stays one number, the two products of
    MulBackward0 are summed in place and adopted as ``.grad``: two arrays
    at the peak, as the NumPy written by hand (``dx = x * g; dx += x * g``)."""
    x = microgrid.tensor(np.ones(10**6, np.float32), requires_grad=True)
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        microgrid.mean(x * x).backward()
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert peak < 2.1 * x._data.nbytes
    assert x.grad.is_contiguous() and float(x.grad[0]) == np.float32(2e-6)


def test_leaves_adopt_their_gradients() -> None:
    """The gradients MulBackward0 makes for x and y (seen by nobody else)
    become x.grad and y.grad themselves: two arrays at the peak of the
    backward pass of (x * y).sum(), never a third for a copy."""
    x = microgrid.tensor(np.full(10**6, 2.0, np.float32), requires_grad=True)
    y = microgrid.tensor(np.full(10**6, 3.0, np.float32), requires_grad=True)
    loss = (x * y).sum()
    gc.collect()
    tracemalloc.start()
    try:
        start = tracemalloc.get_traced_memory()[0]
        loss.backward()
        peak = tracemalloc.get_traced_memory()[1] - start
    finally:
        tracemalloc.stop()
    assert peak < 2.1 * x._data.nbytes
    assert float(x.grad[0]) == 3.0 and float(y.grad[-1]) == 2.0
    assert not shares(x.grad, y.grad)


# -- random programs -------------------------------------------------------------------
OPS = [
    lambda a, b: a * b, lambda a, b: a + b, lambda a, b: a - b * 0.5, lambda a, b: a / (b * b + 1),
    lambda a, b: (a * a).mean() + b, lambda a, b: a.sum() * b, lambda a, b: a.tanh() * b.exp(),
    lambda a, b: (a + b).clone(),
]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 10), st.integers(0, 10)),
                min_size=1, max_size=12), st.booleans())
def test_random_graphs_match_pytorch(program: Any, twice: bool) -> None:
    """Values reused at random (so gradients fan in and pass through), one or
    two backward passes: every ``.grad`` as PyTorch's (float32 sums in another
    order: close relative to the largest element)."""
    def run(lib: Any) -> List[Any]:
        leaves = [values(lib, 4, seed=s) for s in range(3)]
        pool = list(leaves)
        for op, i, j in program:
            pool.append(OPS[op](pool[i % len(pool)], pool[j % len(pool)]))
        for _ in range(1 + twice):
            (pool[-1] * pool[len(pool) // 2]).sum().backward(retain_graph=True)
        return [leaf.grad for leaf in leaves]

    for ours, theirs in zip(run(microgrid), run(torch), strict=True):
        if theirs is None:
            assert ours is None
        else:
            scale = float(theirs.abs().max()) + 1.0
            assert_close(ours, theirs, "grad", rtol=1e-4, atol=1e-5 * scale)


# -- what nodes keep, and the order the engine runs them in --------------------------
def _in_place_with_a_wider_dtype(lib: Any, say: Callable[[Any], None]) -> None:
    """A float32 tensor (and a float32 slice of a base) multiplied in place by
    float64 tensors: the node was made for a float64 result but ends up on a
    float32 tensor, so it must keep the float64 operand's dtype itself."""
    a = lib.tensor([1.0, 2.0, 3.0], requires_grad=True)
    b = lib.tensor([0.5, 0.25, 2.0], dtype=lib.float64, requires_grad=True)
    c = lib.tensor(3.0, dtype=lib.float64, requires_grad=True)
    y = a * 1
    y.mul_(b)
    base = a.unsqueeze(0) * lib.ones(2, 1)
    base[1].mul_(c)
    (y.sum() + base.sum()).backward()
    say([a.grad, b.grad, c.grad, y.grad_fn, base.grad_fn])


def test_nodes_keep_input_shapes_only_where_they_differ_from_the_output() -> None:
    """An elementwise op on equal shapes keeps no input metadata (the
    gradient arriving at the node tells it); a broadcast or promoted input
    keeps its own; an in-place op that moves a node onto a tensor of another
    dtype keeps all of them, and gradients arrive in each input's dtype."""
    x = values(microgrid, 2, 3)
    assert (x * x)._grad_fn._input_meta is None
    row = values(microgrid, 3, seed=1)
    kept = (x * row)._grad_fn._input_meta
    assert kept[0] is None and kept[1] == ((3,), np.dtype(np.float32))
    same_story(_in_place_with_a_wider_dtype)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 3), min_size=0, max_size=3), st.integers(0, 2),
       st.lists(st.booleans(), min_size=3, max_size=3), st.sampled_from(["C", "F", "strided"]))
def test_broadcast_views_are_numpys(shape: List[int], lead: int, stretch: List[bool],
                                    layout: str) -> None:
    """``broadcast_view`` gives what ``np.broadcast_to`` gives (values, shape,
    shared memory, read-only), for arrays in one block and strided ones, with
    PyTorch's strides: 0 along new and stretched dims, the array's own along
    the others (NumPy gives every size-1 dim 0; matmul reads the difference)."""
    from microgrid._kernels import broadcast_view

    array = np.arange(1, 1 + 2 * int(np.prod(shape)), dtype=np.float32)[::2].reshape(shape)
    if layout == "C":
        array = array.copy()
    elif layout == "F":
        array = np.asfortranarray(array)
    target = tuple([2] * lead + [4 if s == 1 and flag else s  # (asfortranarray makes 0-d 1-d)
                                 for s, flag in zip(array.shape, stretch, strict=False)])
    view = broadcast_view(array, target)
    expected = np.broadcast_to(array, target)
    assert view.shape == expected.shape and view.dtype == expected.dtype
    own = [0 if size == 1 and size != goal else stride for size, stride, goal
           in zip(array.shape, array.strides, target[lead:], strict=True)]
    assert view.strides == tuple([0] * lead + own)
    np.testing.assert_array_equal(view, expected)
    assert np.shares_memory(view, array) or array.size == 0
    assert not view.flags.writeable


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.integers(0, len(OPS) - 1), st.integers(0, 10), st.integers(0, 10)),
                min_size=1, max_size=10))
def test_nodes_run_in_pytorchs_order(program: Any) -> None:
    """A hook on every tensor of a random graph (chains, branches side by
    side, values reused) reports the order gradients reach them: PyTorch's,
    whether the engine took a node from its heap or ran it straight after the
    one that made it ready."""
    def story(lib: Any, say: Callable[[Any], None]) -> None:
        reached: List[int] = []
        pool = [values(lib, 4, seed=s) for s in range(3)]
        for op, i, j in program:
            pool.append(OPS[op](pool[i % len(pool)], pool[j % len(pool)]))
        for number, tensor in enumerate(pool):
            tensor.register_hook(lambda grad, number=number: reached.append(number))
        (pool[-1] * pool[len(pool) // 2]).sum().backward()
        say(reached)

    same_story(story)
