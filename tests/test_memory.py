"""Memory: what a graph holds, when it lets go, and that training does not leak.

* ``backward()`` without ``retain_graph`` frees every saved tensor as soon as
  its node has run (``Node.release_saved``): a weak reference to a saved
  NumPy array dies with the pass, and tracemalloc sees the bytes go;
* a graph is a tree of references from the output down (tensor -> grad_fn
  -> next_functions / saved tensors), never a cycle: with the cycle
  collector off, dropping the output frees every node and intermediate
  tensor by reference counting alone.  The places where a cycle would be easy
  are covered: a node saving its own output keeps only the array, a leaf
  keeps only a weak reference to its AccumulateGrad, ``retain_grad`` keeps
  a weak reference to its tensor, views keep their base, hooks;
* a 10,000-step training loop (a small MLP, SGD under ``no_grad``) keeps a
  constant number of live Python objects after a warm-up, and allocates no
  more bytes over its last 900 steps, traced by tracemalloc (tracing all
  10,000 would make this test five times slower).
"""

import gc
import tracemalloc
import weakref
from contextlib import contextmanager

import numpy as np
import pytest

import microgrid as torch
import microgrid.nn.functional as F  # noqa: N812 - the usual name
from microgrid.autograd.walk import walk


@contextmanager
def no_cycle_collector():
    """Reference counting only: anything a cycle keeps alive stays alive."""
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


# -- saved tensors are released by backward ------------------------------------
def _graph_saving_an_intermediate():
    """``loss = sin(x * 2).sum()``: SinBackward0 saves ``h = x * 2``, which the
    caller no longer holds, so only the graph keeps ``h``'s array alive."""
    x = torch.tensor(np.linspace(-1, 1, 1000), requires_grad=True)
    h = x * 2
    saved = weakref.ref(h._data)
    loss = h.sin().sum()
    return x, loss, saved


def test_backward_releases_saved_arrays():
    with no_cycle_collector():
        x, loss, saved = _graph_saving_an_intermediate()
        assert saved() is not None
        loss.backward()
        assert saved() is None
        assert x.grad is not None


def test_retain_graph_keeps_them_until_the_last_pass():
    with no_cycle_collector():
        _, loss, saved = _graph_saving_an_intermediate()
        loss.backward(retain_graph=True)
        assert saved() is not None
        loss.backward()
        assert saved() is None


def test_autograd_grad_releases_saved_arrays_too():
    with no_cycle_collector():
        x, loss, saved = _graph_saving_an_intermediate()
        torch.autograd.grad(loss, x)
        assert saved() is None


def test_tracemalloc_sees_the_saved_bytes_freed():
    """8 MB of intermediates (sin's input and exp's output, 500,000 float64
    each) are gone after backward; x and its gradient are 0-d."""
    c = torch.tensor(np.linspace(0, 1, 500_000))
    x = torch.tensor(2.0, dtype=torch.float64, requires_grad=True)
    tracemalloc.start()
    try:
        loss = (x * c).sin().exp().sum()
        before = tracemalloc.get_traced_memory()[0]
        loss.backward()
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert before - after >= 7_900_000
    assert loss.grad_fn is not None and x.grad is not None


# -- no reference cycles: graphs die by reference counting ---------------------
def _softmax_loss(x):
    return F.cross_entropy(x.view(2, 3), torch.tensor([0, 2]))


def _views_and_inplace(x):
    y = x * 1.0  # a non-leaf: it may be changed in place
    y[0].mul_(2)  # a view's in-place op: CopySlices on y's node
    return y.t().reshape(-1).sum()


def _retain_grad_and_hooks(x):
    y = x.exp()
    y.retain_grad()
    y.register_hook(lambda g: g * 2)
    y.grad_fn.register_prehook(lambda grads: None)
    return y.log().sum()


def _matmul_and_indexing(x):
    w = x.view(2, 3)
    return (w @ w.t())[torch.tensor([0, 1, 1])].max()


def _reductions(x):
    return x.var() + x.std(0) + torch.logsumexp(x, 0) + x.max(0).values + x.mean()


def _saved_output_chain(x):
    return x.sigmoid().tanh().exp().sqrt().sum()


GRAPHS = [_softmax_loss, _views_and_inplace, _retain_grad_and_hooks, _matmul_and_indexing,
          _reductions, _saved_output_chain]


def _weak_references(output):
    """Weak references to every node behind ``output`` and every computed
    tensor its nodes saved (not the leaf the test holds)."""
    refs = []
    for entry in walk(output):
        if entry.node is not None:
            refs.append(weakref.ref(entry.node))
            for value in entry.node._saved or ():
                tensor = getattr(value, "tensor", None)
                if tensor is not None and tensor.grad_fn is not None:
                    refs.append(weakref.ref(tensor))
    return refs


@pytest.mark.parametrize("build", GRAPHS, ids=[g.__name__.strip("_") for g in GRAPHS])
@pytest.mark.parametrize("then", ["nothing", "backward", "backward retain_graph",
                                  "grad create_graph"])
def test_dropping_the_output_frees_the_whole_graph(build, then):
    with no_cycle_collector():
        x = torch.tensor([0.5, -1.0, 2.0, 0.25, 1.5, -0.75], requires_grad=True)
        output = build(x)
        refs = _weak_references(output)
        assert len(refs) > 3
        if then == "backward":
            output.backward()
        elif then == "backward retain_graph":
            output.backward(retain_graph=True)
        elif then == "grad create_graph":
            (g,) = torch.autograd.grad(output, x, create_graph=True)
            refs += _weak_references(g)
            del g
        del output
        if then == "grad create_graph" and build is _retain_grad_and_hooks:
            # The one cycle, PyTorch's too: y retains a gradient whose graph
            # (create_graph) saved y.  PyTorch leaks it; Python's collector frees it.
            assert any(r() is not None for r in refs)
            gc.collect()
        alive = [r() for r in refs if r() is not None]
        assert alive == [], alive
        # The leaf's own AccumulateGrad lives only while a graph uses it.
        assert x._grad_accumulator() is None


def test_a_leaf_does_not_keep_its_accumulator_alive():
    with no_cycle_collector():
        x = torch.tensor([1.0], requires_grad=True)
        node = (x * 2).grad_fn.next_functions[0][0]
        assert node.name() == "torch::autograd::AccumulateGrad"
        ref = weakref.ref(node)
        del node
        assert ref() is None and x._grad_accumulator() is None


# -- a training loop does not leak ---------------------------------------------
class MLP:
    """4 -> 8 -> 1, ReLU, mean squared error, plain SGD."""

    def __init__(self):
        rng = np.random.default_rng(0)
        self.x = torch.tensor(rng.normal(size=(16, 4)).astype(np.float32))
        self.y = torch.tensor(rng.normal(size=(16, 1)).astype(np.float32))
        self.params = [torch.tensor(rng.normal(size=s).astype(np.float32) * 0.5,
                                    requires_grad=True) for s in ((4, 8), (8,), (8, 1))]

    def step(self) -> float:
        w1, b1, w2 = self.params
        loss = ((torch.relu(self.x @ w1 + b1) @ w2 - self.y) ** 2).mean()
        loss.backward()
        with torch.no_grad():
            for p in self.params:
                p -= 0.01 * p.grad
                p.grad = None
        return loss.item()


def test_ten_thousand_training_steps_do_not_grow_memory():
    """Steps 1-500 warm up; over steps 500-8,100 the live Python objects must
    not grow; steps 8,100-9,100 run under tracemalloc to let it settle (its
    first window sees free lists and pools fill once, about 100 KB);
    steps 9,100-10,000 must then allocate no more bytes than they free."""
    model = MLP()
    first = model.step()
    for _ in range(499):
        model.step()
    gc.collect()
    blocks = sys_blocks()
    for _ in range(7_600):
        model.step()
    gc.collect()
    assert sys_blocks() - blocks < 200  # live Python objects: none per step
    tracemalloc.start()
    try:
        for _ in range(1_000):
            model.step()
        start = tracemalloc.get_traced_memory()[0]
        for _ in range(900):
            last = model.step()
        growth = tracemalloc.get_traced_memory()[0] - start
    finally:
        tracemalloc.stop()
    assert growth < 4_096, f"{growth} bytes more after 900 steps"
    assert last < first  # it did train


def sys_blocks() -> int:
    import sys

    return sys.getallocatedblocks()
