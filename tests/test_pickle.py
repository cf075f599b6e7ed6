"""Pickling and deep-copying tensors, Parameters, modules and optimizers, as PyTorch does.

Every round trip runs under PyTorch and under microgrid and the two must
agree: what comes back (values, dtype, class, ``requires_grad``,
``is_leaf``, ``.grad``), and what is refused (a computed tensor's deepcopy).
"""

import copy
import pickle
from typing import Any

import pytest
import torch

import microgrid

LIBS = pytest.mark.parametrize("lib", [torch, microgrid], ids=["torch", "microgrid"])


def _describe(t: Any) -> Any:
    """What a learner can see of a tensor after a round trip."""
    grad = None if t.grad is None else (t.grad.tolist(), str(t.grad.dtype))
    return (type(t).__name__, t.tolist(), str(t.dtype), t.requires_grad, t.is_leaf, grad)


def _leaf_with_grad(lib: Any) -> Any:
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    (x * 3).sum().backward()
    return x


def _round_trips(lib: Any) -> dict:
    x = _leaf_with_grad(lib)
    y = x * 2  # a non-leaf: its graph hangs off x
    p = lib.nn.Parameter(lib.ones(2))
    p.grad = lib.ones(2)
    ints = lib.tensor([1, 2], dtype=lib.int32)
    return {
        "leaf, pickled": _describe(pickle.loads(pickle.dumps(x))),
        "leaf, deepcopy": _describe(copy.deepcopy(x)),
        "non-leaf, pickled": _describe(pickle.loads(pickle.dumps(y))),
        "non-leaf, copy": _describe(copy.copy(y)),
        "parameter, pickled": _describe(pickle.loads(pickle.dumps(p))),
        "parameter, deepcopy": _describe(copy.deepcopy(p)),
        "int32, pickled": _describe(pickle.loads(pickle.dumps(ints))),
        "0-d, deepcopy": _describe(copy.deepcopy(lib.tensor(3.0))),
        "view, pickled": _describe(pickle.loads(pickle.dumps(x.detach()[1:]))),
    }


def test_tensors_and_parameters_round_trip_as_in_pytorch():
    assert _round_trips(microgrid) == _round_trips(torch)


@LIBS
def test_deepcopy_of_a_computed_tensor_is_refused(lib):
    x = lib.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match="Only Tensors created explicitly by the user"):
        copy.deepcopy(x * 2)


@LIBS
def test_deepcopy_keeps_views_sharing_memory(lib):
    a = lib.ones(3)
    whole, tail = copy.deepcopy([a, a[1:]])
    whole[2] = 5.0
    assert tail.tolist() == [1.0, 5.0] and a.tolist() == [1.0, 1.0, 1.0]


@LIBS
def test_a_deep_graph_pickles_without_recursion(lib):
    x = lib.ones(3, requires_grad=True)
    y = x
    for _ in range(20_000):
        y = y * 1.0
    assert pickle.loads(pickle.dumps(y)).tolist() == [1.0, 1.0, 1.0]


def _model_round_trip(lib: Any, how: str) -> Any:
    lib.manual_seed(0)
    model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1))
    optimizer = lib.optim.Adam(model.parameters(), lr=0.1)
    x = lib.tensor([[1.0, -2.0], [0.5, 3.0]])
    for _ in range(2):
        optimizer.zero_grad()
        model(x).sum().backward()
        optimizer.step()
    model(x).sum()  # a forward pass whose graph is left hanging

    def seen(model: Any, state: dict) -> Any:
        moments = [[v.tolist() if hasattr(v, "tolist") else v for _, v in sorted(s.items())]
                   for _, s in sorted(state["state"].items())]
        return (repr(model), model(x).tolist(),
                [(p.tolist(), p.requires_grad) for p in model.parameters()],
                moments, state["param_groups"][0]["lr"])

    if how == "pickle":
        model2, state = pickle.loads(pickle.dumps((model, optimizer.state_dict())))
    else:
        model2, state = copy.deepcopy((model, optimizer.state_dict()))
    dropped = [p.grad is None for p in model2.parameters()]
    return seen(model, optimizer.state_dict()), seen(model2, state) + (dropped,)


def _shape_of(value: Any) -> Any:
    """The structure of a result with every number replaced (engines may differ
    in the last bit of Adam's arithmetic; the round trip may not)."""
    if isinstance(value, (list, tuple)):
        return [_shape_of(v) for v in value]
    return type(value).__name__ if isinstance(value, float) else value


@pytest.mark.parametrize("how", ["pickle", "deepcopy"])
def test_a_trained_sequential_and_its_optimizer_state_round_trip(how):
    """Loaded back equal to what was saved, the grads dropped as PyTorch drops them."""
    before, after = _model_round_trip(microgrid, how)
    assert after[:-1] == before and all(after[-1])
    assert _shape_of(after) == _shape_of(_model_round_trip(torch, how)[1])


@LIBS
def test_pickling_a_hooked_tensor_warns(lib):
    x = lib.ones(2, requires_grad=True)
    x.register_hook(lambda g: g)
    with pytest.warns(UserWarning, match="will not be serialized"):
        pickle.dumps(x)
