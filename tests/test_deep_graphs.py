"""Deep and wide graphs: a 1,000,000-node chain and a 10,000-way fan-in.

Every walk over a graph in microgrid (the engine's dependency count and
topological loop, ``autograd.grad``'s search for the nodes that lead to the
inputs, ``autograd.walk``, ``viz.describe``) uses an explicit stack, never
recursion, so a chain a million nodes deep must not raise RecursionError.
Freeing such a graph is a chain of a million Python deallocations (tensor ->
node -> saved tensor -> tensor ...); CPython's "trashcan" defers nested
deallocations, so ``del`` must not overflow the C stack either.

The million-node chain is of ``neg`` (the cheapest op to record and to
run; ``MICROGRID_CHAIN_NODES`` sets its length, default 1,000,000, which
takes this file about 20 s on an idle machine).  Chains whose nodes save
tensors (their inputs, or their outputs' storage) are deleted at a tenth of
that length.  The times per node, at several sizes, are printed by
``benchmarks/deep_graphs.py``.
"""

import gc
import os
import weakref

import pytest
import torch

import microgrid
from microgrid.autograd.walk import signature, walk

NODES = int(os.environ.get("MICROGRID_CHAIN_NODES", 1_000_000))
FAN = 10_000


@pytest.fixture(scope="module")
def chain():
    """``x -> neg -> neg -> ...``: NODES nodes after the leaf (dy/dx = 1 for an
    even count)."""
    x = microgrid.tensor(2.0, requires_grad=True)
    y = x
    for _ in range(NODES):
        y = -y
    return {"x": x, "y": y, "last": weakref.ref(y.grad_fn)}


def test_walk_numbers_every_node(chain):
    nodes = walk(chain["y"])
    assert len(nodes) == NODES + 1  # the chain and the leaf's AccumulateGrad
    assert {n.name for n in nodes[:-1]} == {"NegBackward0"}
    assert nodes[-1].name == "AccumulateGrad" and nodes[-1].variable is chain["x"]


def test_describe_summarizes_the_chain(chain):
    description = microgrid.viz.describe(chain["y"], params={"x": chain["x"]})
    collapsed = [n for n in description["nodes"] if n["kind"] == "collapsed"]
    assert len(collapsed) == 1 and len(description["nodes"]) < 20


def test_autograd_grad_through_the_chain(chain):
    (g,) = microgrid.autograd.grad(chain["y"], chain["x"], retain_graph=True)
    assert g.item() == (-1.0) ** NODES


def test_backward_through_the_chain(chain):
    chain["y"].backward(retain_graph=True)
    assert chain["x"].grad.item() == (-1.0) ** NODES


def test_deleting_the_chain_frees_it_by_refcount(chain):
    """Runs after the others: drops the million-node chain."""
    gc.disable()
    try:
        del chain["y"]
        # The last node died, and so did the first: the leaf's AccumulateGrad.
        assert chain["last"]() is None and chain["x"]._grad_accumulator() is None
    finally:
        gc.enable()


@pytest.mark.parametrize("step", [lambda y: y.abs(), lambda y: y.exp().log(),
                                  lambda y: y * y.detach()],
                         ids=["saved input", "saved output", "saved constant"])
def test_deleting_chains_of_saved_tensors(step):
    y = microgrid.tensor(0.5, requires_grad=True)
    for _ in range(NODES // 10):
        y = step(y)
    last = weakref.ref(y.grad_fn)
    gc.disable()
    try:
        del y
        assert last() is None
    finally:
        gc.enable()


# -- a 10,000-way fan-in: compared with PyTorch ---------------------------------
def _fan_in_program(lib):
    """One node with FAN inputs (stack), and one leaf used FAN times."""
    xs = [lib.tensor(float(i % 7) - 3.0, requires_grad=True) for i in range(FAN)]
    w = lib.tensor(0.5, requires_grad=True)
    stacked = lib.stack([x * w for x in xs])
    loss = (stacked * stacked).sum()
    loss.backward(retain_graph=True)
    grads = lib.autograd.grad(loss, xs + [w])
    return xs, w, stacked, loss, grads


def test_fan_in_matches_pytorch():
    theirs = _fan_in_program(torch)
    ours = _fan_in_program(microgrid)
    xs_t, w_t, stacked_t, loss_t, grads_t = theirs
    xs_m, w_m, stacked_m, loss_m, grads_m = ours
    assert len(stacked_m.grad_fn.next_functions) == FAN
    assert loss_m.item() == pytest.approx(loss_t.item(), rel=1e-6)
    assert w_m.grad.item() == pytest.approx(w_t.grad.item(), rel=1e-5)
    assert [x.grad.item() for x in xs_m] == pytest.approx([x.grad.item() for x in xs_t])
    assert [g.item() for g in grads_m] == pytest.approx([g.item() for g in grads_t], rel=1e-5)
    assert signature(loss_m) == signature(loss_t)


def test_a_leaf_used_ten_thousand_times_in_a_sum_chain():
    """``sum(x * i for i ...)``: a 10,000-deep chain of adds and a leaf whose
    AccumulateGrad node receives 10,000 gradients."""
    results = []
    for lib in (torch, microgrid):
        x = lib.tensor(1.0, dtype=lib.float64, requires_grad=True)
        total = sum(x * float(i) for i in range(FAN))
        total.backward()
        results.append((total.item(), x.grad.item(), len(signature(total))))
    assert results[0] == results[1]
