"""Graph goldens, as literals: the graphs of eight small programs, node for node.

Each list is ``microgrid.autograd.walk.signature`` of the program"s output:
``(index, node name, where each edge goes)``, nodes numbered in depth-first
order.  They were taken from PyTorch 2.13.0 (``tests/test_performance_guards.py``
and the fuzzer compare live graphs with PyTorch"s); here they need no PyTorch,
so a learner who renames or rewires a node sees which graph changed.
"""

from __future__ import annotations

from typing import Any, Iterator, Tuple

import pytest

import microgrid
from microgrid.autograd.walk import signature


def programs(lib: Any) -> Iterator[Tuple[str, Any]]:
    x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    w = lib.tensor([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], requires_grad=True)
    b = lib.tensor([0.1, 0.2, 0.3], requires_grad=True)
    t = lib.tensor([[0.0, 1.0, 0.0], [1.0, 0.0, 1.0]])
    yield "tutorial", lib.mean(x * x)
    yield "mlp step", lib.nn.functional.mse_loss(lib.tanh(x @ w + b) * 2.0, t)
    yield "linear", lib.nn.functional.linear(x, w.t(), b).sum()
    yield "broadcast", (x.unsqueeze(2) + b).sum(1).exp().mean()
    yield "cross entropy", lib.nn.functional.cross_entropy(x @ w, lib.tensor([2, 0]))
    yield "unbind", lib.stack([row * 2 for row in (x + 1)]).sum()
    y = x * 1
    y[0] = 0.0
    yield "in place", (y * y).sum()
    yield "higher order", lib.autograd.grad((x ** 3).sum(), [x], create_graph=True)[0].sum()


GOLDEN = {
    "tutorial": [
        (0, "MeanBackward0", (1,)),
        (1, "MulBackward0", (2, 2)),
        (2, "AccumulateGrad", ()),
    ],
    "mlp step": [
        (0, "MseLossBackward0", (1, None)),
        (1, "MulBackward0", (2, None)),
        (2, "TanhBackward0", (3,)),
        (3, "AddBackward0", (4, 7)),
        (4, "MmBackward0", (5, 6)),
        (5, "AccumulateGrad", ()),
        (6, "AccumulateGrad", ()),
        (7, "AccumulateGrad", ()),
    ],
    "linear": [
        (0, "SumBackward0", (1,)),
        (1, "AddmmBackward0", (2, 3, 4)),
        (2, "AccumulateGrad", ()),
        (3, "AccumulateGrad", ()),
        (4, "TBackward0", (5,)),
        (5, "TBackward0", (6,)),
        (6, "AccumulateGrad", ()),
    ],
    "broadcast": [
        (0, "MeanBackward0", (1,)),
        (1, "ExpBackward0", (2,)),
        (2, "SumBackward1", (3,)),
        (3, "AddBackward0", (4, 6)),
        (4, "UnsqueezeBackward0", (5,)),
        (5, "AccumulateGrad", ()),
        (6, "AccumulateGrad", ()),
    ],
    "cross entropy": [
        (0, "NllLossBackward0", (1,)),
        (1, "LogSoftmaxBackward0", (2,)),
        (2, "MmBackward0", (3, 4)),
        (3, "AccumulateGrad", ()),
        (4, "AccumulateGrad", ()),
    ],
    "unbind": [
        (0, "SumBackward0", (1,)),
        (1, "StackBackward0", (2, 6)),
        (2, "MulBackward0", (3, None)),
        (3, "UnbindBackward0", (4,)),
        (4, "AddBackward0", (5, None)),
        (5, "AccumulateGrad", ()),
        (6, "MulBackward0", (3, None), (1, 0)),
    ],
    "in place": [
        (0, "SumBackward0", (1,)),
        (1, "MulBackward0", (2, 2)),
        (2, "CopySlices", (3, None)),
        (3, "MulBackward0", (4, None)),
        (4, "AccumulateGrad", ()),
    ],
    "higher order": [
        (0, "SumBackward0", (1,)),
        (1, "MulBackward0", (None, 2)),
        (2, "MulBackward1", (3,)),
        (3, "PowBackward0", (4,)),
        (4, "AccumulateGrad", ()),
    ],
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_graph_is_pytorchs(name):
    outputs = dict(programs(microgrid))
    assert signature(outputs[name]) == GOLDEN[name]
