"""Gradients known to be zero (PyTorch's ZeroTensor), differential against torch.

``sgn``'s derivative is, for real inputs, a zero PyTorch *knows* is zero (an
"efficient zero tensor").  PyTorch runs every node it reaches like any other
(recording it under ``create_graph``); its kernels for ``mul``, ``div`` and
``add`` know such a zero (``0 / x`` is 0 even at ``x = 0``) and views keep
it; every other op computes with plain zeros.  microgrid follows the same
rule (``autograd/graph.py: zero_gradient``, ``ops/pointwise.py:
known_zero_operand``).  Compared here: the values, ``requires_grad``, the
chain of node names of the gradient (``grad_fn.name()``/``next_functions``),
and a second-order gradient.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Dict, List, Optional

import pytest
import torch

import microgrid

LIBS = (torch, microgrid)


def chain(fn: Any) -> Optional[str]:
    """The graph below ``fn`` as nested node names."""
    if fn is None:
        return None
    return f"{fn.name()}({', '.join(str(chain(f)) for f, _ in fn.next_functions)})"


def values(t: Any) -> Optional[List[str]]:
    """Values as text, so that nan, inf and the sign of zero all compare."""
    if t is None:
        return None
    return [repr(float(v)) for v in t.detach().clone().reshape(-1).tolist()]


CASES: Dict[str, Callable[[Any], Any]] = {
    "issue 18": lambda x: x.log().sgn(),
    "view": lambda x: x.log().view(2, 1).sgn(),
    "expand": lambda x: x.log()[None].expand(3, 2).sgn(),
    "times x": lambda x: x.log().sgn() * x,
    "exp": lambda x: x.log().sgn().exp(),
    "neg": lambda x: -x.log().sgn(),
    "over x": lambda x: x.log().sgn() / x,
    "minus log": lambda x: x.log().sgn() - x.log(),
    "pow": lambda x: x.log().sgn().pow(2) * x.log(),
    "mean": lambda x: x.log().sgn().mean() + x.log().sum(),
    "two paths": lambda x: x.log().sgn() + x.sgn() * 2,
}


def run(lib: Any, case: Callable[[Any], Any], create_graph: bool) -> Dict[str, Any]:
    x = lib.tensor([0., 2.], requires_grad=True)
    g, = lib.autograd.grad(case(x).sum(), x, create_graph=create_graph)
    seen: Dict[str, Any] = {"g": values(g), "requires_grad": g.requires_grad,
                            "graph": chain(g.grad_fn)}
    if g.requires_grad:  # the second-order gradient through the recorded graph
        h, = lib.autograd.grad((g * lib.tensor([1., 3.])).sum(), x, allow_unused=True)
        seen["h"] = values(h)
    return seen


@pytest.mark.parametrize("create_graph", [False, True])
@pytest.mark.parametrize("name", list(CASES))
def test_zero_gradients_as_pytorch(name: str, create_graph: bool) -> None:
    ours, theirs = (run(lib, CASES[name], create_graph) for lib in (microgrid, torch))
    assert ours == theirs


def test_the_issue_18_example_records_pytorchs_graph() -> None:
    """The issue's example, spelled out: DivBackward0 (log's ``grad / x``)
    with no edge for the zero and the leaf's AccumulateGrad for ``x``."""
    seen = run(microgrid, CASES["issue 18"], True)
    assert seen["graph"] == "DivBackward0(None, torch::autograd::AccumulateGrad())"
    assert seen["requires_grad"] is True and seen["g"] == ["0.0", "0.0"]
    assert seen["h"] == ["0.0", "0.0"]


@pytest.mark.parametrize("lib", LIBS, ids=lambda lib: lib.__name__)
def test_backward_create_graph_into_grad(lib: Any) -> None:
    x = lib.tensor([0., 1.], requires_grad=True)
    x.log().sgn().sum().backward(create_graph=True)
    assert values(x.grad) == ["0.0", "0.0"]
    expected = ("torch::autograd::CopyBackwards(None, "
                "DivBackward0(None, torch::autograd::AccumulateGrad()))")
    assert chain(x.grad.grad_fn) == expected


@pytest.mark.parametrize("op", ["mul", "div", "rdiv", "add", "radd", "zeros"])
def test_the_kernels_rule(op: str) -> None:
    """``known_zero_operand`` against PyTorch's ZeroTensor kernels directly."""
    def compute(lib: Any) -> List[str]:
        a = lib.tensor([math.nan, -0., 0., 2., -math.inf])
        if lib is torch:
            z = torch._efficientzerotensor(5)
        else:
            from microgrid.autograd.graph import zero_gradient
            z = zero_gradient((5,), a._data.dtype)
        z2 = z if lib is torch else zero_gradient((5,), a._data.dtype)
        result = {"mul": lambda: z * a, "div": lambda: z / a, "rdiv": lambda: a / z,
                  "add": lambda: z + a, "radd": lambda: a + z,
                  "zeros": lambda: z / z2}[op]()
        return values(result)

    assert compute(microgrid) == compute(torch)


@pytest.mark.parametrize("lib", LIBS, ids=lambda lib: lib.__name__)
def test_a_known_zero_is_immutable(lib: Any) -> None:
    x = lib.tensor([0.], requires_grad=True)
    g, = lib.autograd.grad(x.log().sgn().sum(), x, create_graph=True)
    with pytest.raises(RuntimeError, match="ZeroTensors are immutable"):
        g.add_(1)
    assert values(g.clone().add_(1)) == ["1.0"]
