"""microgrid.nn's modules against torch.nn: Parameter, Module, the layers,
the containers, the loss modules and nn.init.

Modules are built twice, under each library, and microgrid's copy gets
PyTorch's initial weights through ``load_state_dict`` (:func:`twins`).  Then
forward values, the graph node for node, ``repr`` text, every parameter's
``.grad`` after the same backward pass, ``named_parameters`` names and order,
``state_dict`` keys and the exceptions are compared.  ``nn.init``'s random
fills are checked statistically (bounds, mean, standard deviation).
"""

from __future__ import annotations

import copy
import math
from collections import OrderedDict
from typing import Any, Callable, List, Sequence, Tuple

import numpy as np
import pytest
import torch
from difftest import assert_close, assert_same_error, error_of
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrid
from microgrid.autograd.walk import signature

SETTINGS = settings(max_examples=30, deadline=None)
LIBS = (torch, microgrid)


# -- helpers ------------------------------------------------------------------------
def twins(build: Callable[[Any], Any]) -> Tuple[Any, Any]:
    """``build(lib)`` under PyTorch and under microgrid, microgrid's module
    loaded with PyTorch's (random) initial state."""
    theirs = build(torch)
    ours = build(microgrid)
    result = ours.load_state_dict({k: microgrid.tensor(v.numpy())
                                   for k, v in theirs.state_dict().items()})
    assert repr(result) == "<All keys matched successfully>"
    return theirs, ours


def _tensor(lib: Any, array: np.ndarray, requires_grad: bool) -> Any:
    return lib.tensor(array.copy(), requires_grad=requires_grad and array.dtype.kind == "f")


def compare_module(build: Callable[[Any], Any], *arrays: np.ndarray,
                   call: Callable[..., Any] = lambda model, *xs: model(*xs),
                   grad: bool = True, seed: int = 0) -> Tuple[Any, Any]:
    """Run ``call(model, *inputs)`` on twin modules; compare the output (values,
    requires_grad, graph, repr), then, after backward with the same upstream
    gradient, the gradient of every input and of every named parameter."""
    theirs, ours = twins(build)
    results = []
    for model, lib in ((theirs, torch), (ours, microgrid)):
        inputs = [_tensor(lib, a, grad) for a in arrays]
        results.append((model, inputs,
                        error_of(lambda model=model, inputs=inputs: call(model, *inputs))))
    assert results[1][2] == results[0][2], "exception"
    if results[0][2] is not None:
        return theirs, ours
    outputs = [call(model, *inputs) for model, inputs, _ in results]
    theirs_out, ours_out = outputs
    assert isinstance(ours_out, microgrid.Tensor) and not isinstance(
        ours_out, microgrid.nn.Parameter)
    assert_close(ours_out, theirs_out, "output")
    assert ours_out.requires_grad == theirs_out.requires_grad
    assert signature(ours_out) == signature(theirs_out), "graph"
    if np.array_equal(ours_out.detach().numpy(), theirs_out.detach().numpy()):
        assert repr(ours_out) == repr(theirs_out)
    if not theirs_out.requires_grad:
        return theirs, ours
    upstream = np.random.default_rng(seed).uniform(-2, 2, tuple(theirs_out.shape))
    upstream = upstream.astype(theirs_out.detach().numpy().dtype)
    theirs_out.backward(torch.tensor(upstream))
    ours_out.backward(microgrid.tensor(upstream))
    for (_, inputs, _), name in zip(results, ("theirs", "ours"), strict=True):
        assert all(t.grad is not None for t in inputs if t.requires_grad), name
    for i, (o, t) in enumerate(zip(results[1][1], results[0][1], strict=True)):
        if t.grad is not None:
            assert_close(o.grad, t.grad, f"grad of input {i}", rtol=1e-4, atol=1e-5)
    assert_same_gradients(ours, theirs)
    return theirs, ours


def assert_same_gradients(ours: Any, theirs: Any) -> None:
    """The same parameter names, in the same order, with the same ``.grad``."""
    ours_named = list(ours.named_parameters())
    theirs_named = list(theirs.named_parameters())
    assert [n for n, _ in ours_named] == [n for n, _ in theirs_named]
    for (name, o), (_, t) in zip(ours_named, theirs_named, strict=True):
        assert (o.grad is None) == (t.grad is None), name
        if t.grad is not None:
            assert_close(o.grad, t.grad, f"{name}.grad", rtol=1e-4, atol=1e-5)


def normal_array(*shape: int, seed: int = 0, dtype: Any = np.float32) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


class Net:
    """A learner's model class, defined for either library."""

    @staticmethod
    def build(lib: Any) -> Any:
        nn = lib.nn

        class Net(nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.fc1 = nn.Linear(3, 4)
                self.block = nn.Sequential(nn.Tanh(), nn.Linear(4, 4, bias=False), nn.ReLU())
                self.heads = nn.ModuleList([nn.Linear(4, 2), nn.Linear(4, 2)])
                self.register_buffer("scale", lib.tensor([2.0]))
                self.register_buffer("cache", lib.zeros(2), persistent=False)
                self.plain = 5

            def forward(self, x: Any) -> Any:
                hidden = self.block(self.fc1(x))
                return (self.heads[0](hidden) - self.heads[1](hidden)) * self.scale

        return Net()


# -- Parameter ----------------------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda lib: lib.nn.Parameter(lib.tensor([[1.0, 2.0], [3.0, 4.0]])),
    lambda lib: lib.nn.Parameter(lib.tensor([1.5, -2.0], dtype=lib.float64)),
    lambda lib: lib.nn.Parameter(lib.tensor([1.0, 2.0]), requires_grad=False),
    lambda lib: lib.nn.Parameter(lib.tensor([1, 2]), requires_grad=False),
    lambda lib: lib.nn.Parameter(),
    lambda lib: lib.nn.Parameter(lib.tensor(3.0)),
    lambda lib: lib.nn.Parameter(lib.ones(3, requires_grad=True) * 2),
    lambda lib: lib.nn.Parameter(lib.arange(300, dtype=lib.float32).reshape(3, 100)),
])
def test_parameter_repr_and_flags(make):
    theirs, ours = make(torch), make(microgrid)
    assert repr(ours) == repr(theirs)
    assert str(ours) == str(theirs) and f"{ours}" == f"{theirs}"
    assert isinstance(ours, microgrid.Tensor) and isinstance(ours, microgrid.nn.Parameter)
    assert (ours.requires_grad, ours.is_leaf, ours.grad_fn) == (
        theirs.requires_grad, theirs.is_leaf, None)
    assert type(ours.detach()) is microgrid.Tensor and type(ours.data) is microgrid.Tensor


def test_parameter_errors():
    assert_same_error(lambda lib: lib.nn.Parameter(lib.tensor([1, 2])))
    assert_same_error(lambda lib: lib.nn.Parameter([1.0, 2.0]))


def test_ops_on_a_parameter_return_plain_tensors():
    for lib in LIBS:
        p = lib.nn.Parameter(lib.tensor([1.0, -2.0]))
        for result in (p * 2, p + p, p.relu(), p[0], p.sum(), p.clone(), p.view(2, 1)):
            assert type(result) is lib.Tensor and result.grad_fn is not None
    theirs = torch.nn.Parameter(torch.tensor([1.0, -2.0]))
    ours = microgrid.nn.Parameter(microgrid.tensor([1.0, -2.0]))
    assert repr(ours * 2) == repr(theirs * 2)
    assert signature(ours * 2) == signature(theirs * 2)


def test_parameter_shares_storage_and_version_with_its_data():
    for lib in LIBS:
        data = lib.zeros(2)
        p = lib.nn.Parameter(data)
        data.add_(1)
        assert p.tolist() == [1.0, 1.0] and p._version == data._version == 1
        with lib.no_grad():
            p.mul_(3)
        assert data.tolist() == [3.0, 3.0] and data._version == 2


def test_deepcopy_of_a_model_copies_parameters():
    theirs, ours = twins(Net.build)
    for model, lib in ((theirs, torch), (ours, microgrid)):
        model(lib.ones(2, 3)).sum().backward()
        clone = copy.deepcopy(model)
        assert type(clone.fc1.weight).__name__ == "Parameter"
        assert clone.fc1.weight.grad is None and model.fc1.weight.grad is not None
        assert clone.fc1.weight is not model.fc1.weight
        assert clone.fc1.weight.tolist() == model.fc1.weight.tolist()
        with lib.no_grad():
            clone.fc1.weight.zero_()
        assert model.fc1.weight.abs().sum().item() > 0
    assert repr(copy.deepcopy(ours)) == repr(copy.deepcopy(theirs))


# -- Module: registration, names, orders ---------------------------------------------------
def test_named_parameters_buffers_modules_and_state_dict_keys():
    theirs, ours = twins(Net.build)
    assert [n for n, _ in ours.named_parameters()] == [n for n, _ in theirs.named_parameters()]
    assert [n for n, _ in ours.named_buffers()] == [n for n, _ in theirs.named_buffers()]
    assert [n for n, _ in ours.named_modules()] == [n for n, _ in theirs.named_modules()]
    assert [n for n, _ in ours.named_children()] == [n for n, _ in theirs.named_children()]
    assert [type(m).__name__ for m in ours.modules()] == [
        type(m).__name__ for m in theirs.modules()]
    assert [type(m).__name__ for m in ours.children()] == [
        type(m).__name__ for m in theirs.children()]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert list(ours.state_dict(prefix="model.")) == list(theirs.state_dict(prefix="model."))
    assert ours.state_dict()._metadata == theirs.state_dict()._metadata
    assert [n for n, _ in ours.named_parameters(prefix="net", recurse=False)] == [
        n for n, _ in theirs.named_parameters(prefix="net", recurse=False)]
    assert [n for n, _ in ours.block.named_modules(prefix="b")] == [
        n for n, _ in theirs.block.named_modules(prefix="b")]
    assert len(list(ours.parameters())) == len(list(theirs.parameters())) == 7
    assert ours.plain == 5 and "plain" not in ours._parameters
    assert sorted(dir(ours)) == dir(ours) and "fc1" in dir(ours) and "scale" in dir(ours)


def test_shared_modules_and_parameters_are_listed_once():
    def build(lib):
        shared = lib.nn.Linear(2, 2)
        model = lib.nn.Sequential(shared, lib.nn.ReLU(), shared)
        model.extra = lib.nn.Linear(2, 2)
        model.extra.weight = shared.weight
        return model

    theirs, ours = twins(build)
    for flag in (True, False):
        assert [n for n, _ in ours.named_parameters(remove_duplicate=flag)] == [
            n for n, _ in theirs.named_parameters(remove_duplicate=flag)]
        assert [n for n, _ in ours.named_modules(remove_duplicate=flag)] == [
            n for n, _ in theirs.named_modules(remove_duplicate=flag)]
    assert list(ours.state_dict()) == list(theirs.state_dict())
    assert repr(ours) == repr(theirs)


def test_assigning_replaces_and_deleting_removes():
    for lib in LIBS:
        model = lib.nn.Linear(2, 3)
        model.weight = lib.nn.Parameter(lib.ones(3, 2))
        model.bias = None
        assert [n for n, _ in model.named_parameters()] == ["weight"]
        assert "bias" in model._parameters and model.bias is None
        model.child = lib.nn.ReLU()
        model.child = lib.nn.Parameter(lib.ones(1))  # a parameter now, no longer a child
        assert list(model._modules) == [] and "child" in model._parameters
        del model.child
        assert "child" not in model._parameters
        model.note = "text"
        del model.note
        assert not hasattr(model, "note")


@pytest.mark.parametrize("action", [
    lambda lib: setattr(lib.nn.Linear(2, 3), "weight", lib.ones(3, 2)),
    lambda lib: setattr(lib.nn.Sequential(lib.nn.ReLU()), "0", lib.ones(1)),
    lambda lib: lib.nn.Linear(2, 3).missing,
    lambda lib: lib.nn.Linear(2, 3).register_parameter("a.b", None),
    lambda lib: lib.nn.Linear(2, 3).register_parameter("", None),
    lambda lib: lib.nn.Linear(2, 3).register_parameter("in_features", None),
    lambda lib: lib.nn.Linear(2, 3).register_parameter(3, None),
    lambda lib: lib.nn.Linear(2, 3).register_parameter("w", lib.ones(2)),
    lambda lib: lib.nn.Linear(2, 3).register_parameter("w", lib.nn.Parameter(lib.ones(2)) * 2),
    lambda lib: lib.nn.Linear(2, 3).register_buffer("b", [1.0]),
    lambda lib: lib.nn.Linear(2, 3).register_buffer("weight", lib.ones(1)),
    lambda lib: lib.nn.Linear(2, 3).add_module("x", lib.ones(1)),
    lambda lib: lib.nn.Linear(2, 3).add_module("a.b", lib.nn.ReLU()),
    lambda lib: lib.nn.Linear(2, 3).add_module("weight", lib.nn.ReLU()),
    lambda lib: lib.nn.Module()(1),
    lambda lib: lib.nn.Module(1),
    lambda lib: lib.nn.Module(x=1),
    lambda lib: lib.nn.Linear(2, 3).train("yes"),
    lambda lib: lib.nn.Linear(2, 3).to(lib.int64),
])
def test_module_errors(action):
    assert_same_error(action)


def test_assignment_before_init_raises_like_torch():
    for value in ("parameter", "module"):
        def assign(lib, value=value):
            class Broken(lib.nn.Module):
                def __init__(self) -> None:  # forgets super().__init__()
                    self.w = (lib.nn.Parameter(lib.ones(1)) if value == "parameter"
                              else lib.nn.ReLU())

            Broken()

        assert_same_error(assign)


# -- Module: modes, gradients, dtypes, apply, hooks ---------------------------------------
def test_train_eval_and_requires_grad_():
    theirs, ours = twins(Net.build)
    for model in (theirs, ours):
        assert model.eval() is model
        assert [m.training for m in model.modules()] == [False] * 9
        model.block.train()
        assert [m.training for m in model.modules()].count(True) == 4
        assert model.requires_grad_(False) is model
        assert not any(p.requires_grad for p in model.parameters())
        model.heads.requires_grad_()
        assert [p.requires_grad for p in model.parameters()] == [False] * 3 + [True] * 4


@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    theirs, ours = twins(Net.build)
    x = normal_array(5, 3)
    for model, lib in ((theirs, torch), (ours, microgrid)):
        model(lib.tensor(x)).sum().backward()
        grad = model.fc1.weight.grad
        version = grad._version
        model.zero_grad(set_to_none=set_to_none)
        if set_to_none:
            assert all(p.grad is None for p in model.parameters())
        else:
            assert all(p.grad.abs().sum().item() == 0 for p in model.parameters())
            assert model.fc1.weight.grad is grad and grad._version == version + 1
    assert_same_gradients(ours, theirs)


@pytest.mark.filterwarnings("ignore:Using backward\\(\\) with create_graph=True")
def test_zero_grad_detaches_a_gradient_with_history():
    for lib in LIBS:
        layer = lib.nn.Linear(2, 1)
        x = lib.ones(1, 2)
        (layer(x) ** 2).sum().backward(create_graph=True)
        assert layer.weight.grad.grad_fn is not None
        layer.zero_grad(set_to_none=False)
        assert layer.weight.grad.grad_fn is None and not layer.weight.grad.requires_grad
        assert layer.weight.grad.tolist() == [[0.0, 0.0]]


@pytest.mark.parametrize("convert", [
    lambda m, lib: m.double(), lambda m, lib: m.to(lib.float64), lambda m, lib: m.half(),
    lambda m, lib: m.double().float(), lambda m, lib: m.to("cpu", lib.float64),
    lambda m, lib: m.to(lib.ones(1, dtype=lib.float64)), lambda m, lib: m.to("cpu"),
    lambda m, lib: m.to(dtype=lib.float64), lambda m, lib: m.cpu(),
])
def test_dtype_conversion_keeps_the_parameter_objects(convert):
    theirs, ours = twins(Net.build)
    x = normal_array(4, 3)
    for model, lib in ((theirs, torch), (ours, microgrid)):
        model(lib.tensor(x)).sum().backward()
        weight = model.fc1.weight
        assert convert(model, lib) is model
        assert model.fc1.weight is weight
    for (name, o), (_, t) in zip(ours.state_dict().items(), theirs.state_dict().items(),
                                 strict=True):
        assert str(o.dtype) == str(t.dtype), name
    for o, t in zip(ours.parameters(), theirs.parameters(), strict=True):
        assert_close(o.grad, t.grad, "converted gradient", rtol=1e-3, atol=1e-3)
    if ours.fc1.weight.dtype != microgrid.float16:
        compare_module(lambda lib: convert(Net.build(lib), lib),
                       normal_array(4, 3).astype(str(ours.fc1.weight.dtype).split(".")[1]))


def test_apply_visits_children_first():
    theirs, ours = twins(Net.build)
    seen = {torch: [], microgrid: []}
    for model, lib in ((theirs, torch), (ours, microgrid)):
        assert model.apply(lambda m, lib=lib: seen[lib].append(type(m).__name__)) is model
    assert seen[microgrid] == seen[torch]


def test_apply_for_initialization():
    def build(lib):
        model = lib.nn.Sequential(lib.nn.Linear(2, 3), lib.nn.ReLU(), lib.nn.Linear(3, 1))

        def init_weights(module):
            if isinstance(module, lib.nn.Linear):
                lib.nn.init.constant_(module.weight, 0.25)
                lib.nn.init.zeros_(module.bias)

        return model.apply(init_weights)

    for lib in LIBS:
        model = build(lib)
        assert model[0].weight.tolist() == [[0.25, 0.25]] * 3
        assert model[2].bias.tolist() == [0.0] and model[2].weight.requires_grad


def test_forward_hooks():
    def build(lib):
        model = lib.nn.Sequential(lib.nn.Linear(3, 2), lib.nn.Tanh())
        model[0].register_forward_pre_hook(lambda module, args: (args[0] * 2,))
        model[0].register_forward_pre_hook(lambda module, args: None)
        model[1].register_forward_hook(lambda module, args, output: output + args[0])
        handle = model.register_forward_hook(lambda module, args, output: output * 100)
        handle.remove()
        return model

    compare_module(build, normal_array(4, 3))


# -- Module: state_dict and load_state_dict ------------------------------------------------
def test_state_dict_values_are_detached_views():
    theirs, ours = twins(Net.build)
    for model, lib in ((theirs, torch), (ours, microgrid)):
        state = model.state_dict()
        assert type(state) is OrderedDict
        weight = state["fc1.weight"]
        assert type(weight) is lib.Tensor and not weight.requires_grad
        weight.fill_(0.5)  # shares the parameter's storage
        assert model.fc1.weight.tolist()[0] == [0.5] * 3
        assert model.state_dict(keep_vars=True)["fc1.weight"] is model.fc1.weight
    assert repr(ours.state_dict()) == repr(theirs.state_dict())


def _state(lib, model, drop=(), add=(), reshape=()):
    state = OrderedDict((k, v.clone()) for k, v in model.state_dict().items() if k not in drop)
    for key in add:
        state[key] = lib.zeros(1)
    for key in reshape:
        state[key] = lib.zeros(7)
    return state


@pytest.mark.parametrize("edit", [
    {"drop": ("fc1.bias",)},
    {"add": ("fc1.extra", "block.5.weight", "nothing")},
    {"drop": ("heads.1.weight", "scale"), "add": ("heads.2.bias",)},
    {"reshape": ("fc1.weight", "scale")},
    {"drop": ("fc1.bias",), "reshape": ("block.1.weight",)},
])
@pytest.mark.parametrize("strict", [True, False])
def test_load_state_dict_key_and_shape_errors(edit, strict):
    theirs, ours = twins(Net.build)

    def load(lib):
        model = theirs if lib is torch else ours
        return model.load_state_dict(_state(lib, model, **edit), strict=strict)

    expected = error_of(lambda: load(torch))
    assert error_of(lambda: load(microgrid)) == expected
    if expected is None:
        assert repr(load(microgrid)) == repr(load(torch))
        assert load(microgrid).missing_keys == load(torch).missing_keys


def test_load_state_dict_copies_and_converts_values():
    def load(lib):
        layer = lib.nn.Linear(2, 3)
        weight = layer.weight
        state = {"weight": lib.ones(3, 2, dtype=lib.float64), "bias": lib.arange(3)}
        result = repr(layer.load_state_dict(state))
        state["weight"].fill_(5.0)  # copied: the layer keeps its own storage
        return (result, layer.weight is weight, repr(layer.weight), repr(layer.bias),
                weight._version, layer.bias._version)

    assert load(microgrid) == load(torch)
    assert_same_error(lambda lib: lib.nn.Linear(2, 3).load_state_dict([1, 2]))
    assert_same_error(lambda lib: lib.nn.Linear(2, 3).load_state_dict(
        {"weight": [[1.0, 2.0]] * 3, "bias": lib.zeros(3)}))


def test_load_state_dict_with_assign():
    for lib in LIBS:
        layer = lib.nn.Linear(2, 3)
        layer.bias.requires_grad_(False)
        new_bias = lib.arange(3, dtype=lib.float64)
        layer.load_state_dict({"weight": lib.ones(3, 2), "bias": new_bias}, assign=True)
        assert type(layer.bias).__name__ == "Parameter" and layer.bias.dtype == lib.float64
        assert not layer.bias.requires_grad and layer.weight.requires_grad
        new_bias.add_(1)  # the parameter is that tensor's storage now
        assert layer.bias.tolist() == [1.0, 2.0, 3.0]


def test_a_state_dict_moves_a_trained_model():
    theirs, ours = twins(Net.build)
    again = Net.build(microgrid)
    again.load_state_dict(ours.state_dict())
    x = normal_array(6, 3)
    assert ours(microgrid.tensor(x)).tolist() == again(microgrid.tensor(x)).tolist()


# -- layers ---------------------------------------------------------------------------------
@SETTINGS
@given(data=st.data())
def test_linear_against_torch(data):
    in_features = data.draw(st.integers(1, 5))
    out_features = data.draw(st.integers(1, 5))
    bias = data.draw(st.booleans())
    batch = data.draw(st.lists(st.integers(0, 4), min_size=0, max_size=3))
    dtype = data.draw(st.sampled_from([np.float32, np.float64]))
    transposed = data.draw(st.booleans()) and len(batch) >= 1
    shape = (*batch, in_features)
    x = normal_array(*shape, seed=data.draw(st.integers(0, 100)), dtype=dtype)

    def build(lib):
        layer = lib.nn.Linear(in_features, out_features, bias=bias)
        return layer.double() if dtype == np.float64 else layer

    if transposed:  # a non-contiguous input: the last two dims swapped back
        x = np.ascontiguousarray(np.swapaxes(x, -1, -2))
        compare_module(build, x, call=lambda model, x: model(x.transpose(-1, -2)))
    else:
        compare_module(build, x)


def test_linear_repr_init_and_parameters():
    for lib in LIBS:
        lib.manual_seed(3)
        layer = lib.nn.Linear(20, 7)
        bound = 1 / math.sqrt(20)
        for p in (layer.weight, layer.bias):
            values = p.detach().numpy()
            assert values.min() >= -bound and values.max() <= bound
            assert values.std() > bound / 3 and type(p).__name__ == "Parameter"
        assert layer.weight.shape == (7, 20) and layer.bias.shape == (7,)
        assert layer.weight._version == 1 and layer.bias._version == 1
    assert repr(microgrid.nn.Linear(2, 3, bias=False)) == repr(torch.nn.Linear(2, 3, bias=False))
    assert microgrid.nn.Linear(2, 3, dtype=microgrid.float64).weight.dtype == microgrid.float64
    assert microgrid.nn.Linear(2, 3, bias=False).bias is None


@pytest.mark.parametrize("shape", [(4, 3), (3,), (2, 5, 3), (0, 3), (1,), ()])
def test_linear_wrong_input_size(shape):
    assert_same_error(lambda lib: lib.nn.Linear(2, 3)(lib.ones(shape)))
    assert_same_error(lambda lib: lib.nn.Linear(2, 3)(lib.ones(4, 2, dtype=lib.float64)))
    assert_same_error(lambda lib: lib.nn.functional.linear(lib.ones(4, 2), lib.ones(3, 2),
                                                           lib.ones(4)))


def test_linear_double_backward_records_torchs_graph():
    theirs, ours = twins(lambda lib: lib.nn.Linear(3, 2))
    x = normal_array(4, 3)
    grads = []
    for model, lib in ((theirs, torch), (ours, microgrid)):
        inputs = lib.tensor(x, requires_grad=True)
        upstream = lib.ones(4, 2, requires_grad=True)
        grads.append(lib.autograd.grad(model(inputs), (model.bias, inputs, model.weight),
                                       upstream, create_graph=True))
    for o, t in zip(grads[1], grads[0], strict=True):
        assert signature(o) == signature(t)
        assert_close(o, t, "first derivative")


@pytest.mark.parametrize("build", [
    lambda lib: lib.nn.ReLU(), lambda lib: lib.nn.ReLU(inplace=True), lambda lib: lib.nn.Tanh(),
    lambda lib: lib.nn.Sigmoid(), lambda lib: lib.nn.Softmax(dim=1),
    lambda lib: lib.nn.LogSoftmax(dim=-1), lambda lib: lib.nn.Softmax(0),
    lambda lib: lib.nn.Identity(54, unused=True), lambda lib: lib.nn.Flatten(),
    lambda lib: lib.nn.Flatten(0, 1), lambda lib: lib.nn.Flatten(start_dim=2),
])
def test_activation_and_shape_layers(build):
    assert repr(build(microgrid)) == repr(build(torch))
    if isinstance(build(torch), torch.nn.ReLU) and build(torch).inplace:
        compare_module(build, normal_array(2, 3, 4), call=lambda model, x: model(x * 1))
    else:
        compare_module(build, normal_array(2, 3, 4))
    assert list(build(microgrid).parameters()) == []


def test_softmax_without_dim_warns_like_torch():
    for lib in LIBS:
        with pytest.warns(UserWarning, match="Implicit dimension choice for softmax"):
            lib.nn.Softmax()(lib.ones(2, 3))


def test_module_reprs():
    def build(lib):
        nn = lib.nn
        return nn.Sequential(OrderedDict([
            ("encoder", nn.Sequential(nn.Flatten(), nn.Linear(6, 4), nn.ReLU(inplace=True))),
            ("heads", nn.ModuleList([nn.Linear(4, 2)] * 3 + [nn.Linear(4, 3), nn.Tanh(),
                                                             nn.Tanh()])),
            ("empty", nn.ModuleList()),
            ("softmax", nn.LogSoftmax(dim=1)),
            ("loss", nn.CrossEntropyLoss(weight=lib.ones(3))),
            ("net", Net.build(lib)),
            ("identity", nn.Identity()),
        ]))

    assert repr(build(microgrid)) == repr(build(torch))
    assert str(build(microgrid)) == str(build(torch))


# -- containers --------------------------------------------------------------------------
def _layers(lib):
    return [lib.nn.Linear(3, 4), lib.nn.ReLU(), lib.nn.Linear(4, 4), lib.nn.Tanh(),
            lib.nn.Linear(4, 2)]


@pytest.mark.parametrize("action", [
    lambda s, lib: s[1], lambda s, lib: s[-1], lambda s, lib: s[1:4], lambda s, lib: s[::2],
    lambda s, lib: s[10], lambda s, lib: s[-6], lambda s, lib: s["a"], lambda s, lib: len(s),
    lambda s, lib: list(s), lambda s, lib: s.__delitem__(1) or s,
    lambda s, lib: s.__delitem__(slice(1, 3)) or s,
    lambda s, lib: s.__setitem__(0, lib.nn.Sigmoid()) or s,
    lambda s, lib: s.append(lib.nn.Sigmoid()), lambda s, lib: s.insert(1, lib.nn.Sigmoid()),
    lambda s, lib: s.insert(-2, lib.nn.Sigmoid()), lambda s, lib: s.insert(9, lib.nn.ReLU()),
    lambda s, lib: s.pop(2), lambda s, lib: (s.pop(0), s),
    lambda s, lib: s.extend([lib.nn.ReLU()]), lambda s, lib: s + s,
    lambda s, lib: s + [lib.nn.ReLU()], lambda s, lib: s.append(5),
])
@pytest.mark.parametrize("kind", ["Sequential", "ModuleList"])
def test_container_indexing(action, kind):
    def run(lib):
        layers = _layers(lib)
        container = (lib.nn.Sequential(*layers) if kind == "Sequential"
                     else lib.nn.ModuleList(layers))
        result = action(container, lib)
        return repr(result), [n for n, _ in container.named_parameters()], type(result).__name__

    expected = error_of(lambda: run(torch))
    assert error_of(lambda: run(microgrid)) == expected
    if expected is None:
        assert run(microgrid) == run(torch)


def test_sequential_from_ordered_dict_and_forward():
    def build(lib):
        return lib.nn.Sequential(OrderedDict([("hidden", lib.nn.Linear(3, 5)),
                                              ("act", lib.nn.Sigmoid()),
                                              ("out", lib.nn.Linear(5, 2))]))

    theirs, ours = compare_module(build, normal_array(7, 3))
    assert repr(ours[1:]) == repr(theirs[1:])
    assert ours.hidden is ours[0] and [type(m).__name__ for m in ours] == [
        "Linear", "Sigmoid", "Linear"]
    assert_same_error(lambda lib: lib.nn.ModuleList(5))
    with pytest.raises(AssertionError, match="module should be of type"):
        microgrid.nn.Sequential().insert(0, 5)


def test_module_list_in_a_custom_module():
    def build(lib):
        class Stack(lib.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.layers = lib.nn.ModuleList(lib.nn.Linear(3, 3) for _ in range(3))

            def forward(self, x: Any) -> Any:
                for layer in self.layers:
                    x = lib.relu(layer(x)) + x
                return x

        return Stack()

    theirs, ours = compare_module(build, normal_array(4, 3))
    assert repr(ours) == repr(theirs)


# -- loss modules ------------------------------------------------------------------------
def _class_targets(seed: int, n: int, classes: int) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, classes, n).astype(np.int64)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("case", [
    ("MSELoss", {}, lambda: (normal_array(4, 3), normal_array(4, 3, seed=1))),
    ("CrossEntropyLoss", {}, lambda: (normal_array(5, 4), _class_targets(1, 5, 4))),
    ("CrossEntropyLoss", {"weight": [1.0, 2.0, 0.5, 1.0], "ignore_index": 2},
     lambda: (normal_array(5, 4), _class_targets(2, 5, 4))),
    ("CrossEntropyLoss", {"label_smoothing": 0.2},
     lambda: (normal_array(5, 4), _class_targets(3, 5, 4))),
    ("NLLLoss", {}, lambda: (normal_array(6, 3), _class_targets(4, 6, 3))),
    ("NLLLoss", {"weight": [0.2, 1.0, 3.0]},
     lambda: (normal_array(6, 3), _class_targets(5, 6, 3))),
    ("BCELoss", {}, lambda: (np.random.default_rng(6).uniform(0.05, 0.95, (3, 4)).astype(
        np.float32), np.random.default_rng(7).uniform(0, 1, (3, 4)).astype(np.float32))),
    ("BCELoss", {"weight": [1.0, 2.0, 0.0, 0.5]}, lambda: (
        np.random.default_rng(8).uniform(0.05, 0.95, (3, 4)).astype(np.float32),
        np.random.default_rng(9).integers(0, 2, (3, 4)).astype(np.float32))),
])
def test_loss_modules(case, reduction):
    name, options, make = case

    def build(lib):
        kwargs = {k: lib.tensor(v) if k == "weight" else v for k, v in options.items()}
        return getattr(lib.nn, name)(reduction=reduction, **kwargs)

    prediction, target = make()
    theirs, ours = compare_module(build, prediction, target)
    assert repr(ours) == repr(theirs)
    assert list(ours.state_dict()) == list(theirs.state_dict())


def test_loss_module_legacy_flags():
    for lib in LIBS:
        with pytest.warns(UserWarning, match="reduction='sum' instead"):
            assert lib.nn.MSELoss(size_average=False).reduction == "sum"
        with pytest.warns(UserWarning, match="reduction='none' instead"):
            assert lib.nn.CrossEntropyLoss(reduce=False).reduction == "none"
        assert lib.nn.MSELoss(reduction="bogus").reduction == "bogus"
    assert_same_error(lambda lib: lib.nn.MSELoss(reduction="bogus")(lib.ones(2), lib.ones(2)))


def test_a_model_with_a_loss_trains_end_to_end():
    """Forward, loss module, backward: every parameter's gradient as torch's."""
    def build(lib):
        return lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.Tanh(), lib.nn.Linear(8, 3),
                                 lib.nn.LogSoftmax(dim=1))

    targets = _class_targets(0, 10, 3)
    compare_module(build, normal_array(10, 4), targets,
                   call=lambda model, x, y: torch.nn.NLLLoss()(model(x), y)
                   if isinstance(model, torch.nn.Module) else microgrid.nn.NLLLoss()(model(x), y))


# -- nn.init ---------------------------------------------------------------------------------
def _sample(fill: Callable[[Any], Any], shape: Sequence[int] = (200, 300)) -> np.ndarray:
    microgrid.manual_seed(1)
    tensor = microgrid.nn.Parameter(microgrid.empty(*shape))
    assert fill(tensor) is tensor and tensor._version == 1 and tensor.requires_grad
    return tensor.detach().numpy()


def test_uniform_and_normal_distributions():
    values = _sample(lambda t: microgrid.nn.init.uniform_(t, -2.0, 3.0))
    assert values.min() >= -2.0 and values.max() < 3.0
    assert abs(values.mean() - 0.5) < 0.03 and abs(values.std() - 5 / math.sqrt(12)) < 0.02
    values = _sample(lambda t: microgrid.nn.init.normal_(t, 1.5, 0.5))
    assert abs(values.mean() - 1.5) < 0.01 and abs(values.std() - 0.5) < 0.01
    assert _sample(lambda t: microgrid.nn.init.normal_(t)).std() == pytest.approx(1, abs=0.01)


@pytest.mark.parametrize("scheme, gain, uniform", [
    (lambda t: microgrid.nn.init.xavier_uniform_(t), 1.0, True),
    (lambda t: microgrid.nn.init.xavier_uniform_(t, gain=2.0), 2.0, True),
    (lambda t: microgrid.nn.init.xavier_normal_(t), 1.0, False),
])
def test_xavier(scheme, gain, uniform):
    values = _sample(scheme, (300, 200))
    std = gain * math.sqrt(2.0 / (200 + 300))
    assert abs(values.std() - std) < 0.02 * std and abs(values.mean()) < 0.01 * std * 10
    if uniform:
        assert np.abs(values).max() <= math.sqrt(3) * std


@pytest.mark.parametrize("a, mode, nonlinearity", [
    (0, "fan_in", "leaky_relu"), (math.sqrt(5), "fan_in", "leaky_relu"),
    (0, "fan_out", "relu"), (0.2, "FAN_IN", "leaky_relu"), (0, "fan_in", "tanh"),
])
@pytest.mark.parametrize("uniform", [True, False])
def test_kaiming(a, mode, nonlinearity, uniform):
    init = microgrid.nn.init
    scheme = init.kaiming_uniform_ if uniform else init.kaiming_normal_
    values = _sample(lambda t: scheme(t, a=a, mode=mode, nonlinearity=nonlinearity), (200, 300))
    fan = 300 if mode.lower() == "fan_in" else 200
    std = torch.nn.init.calculate_gain(nonlinearity, a) / math.sqrt(fan)
    assert abs(values.std() - std) < 0.02 * std
    if uniform:
        assert np.abs(values).max() <= math.sqrt(3) * std


def test_constant_ones_zeros():
    init = microgrid.nn.init
    assert (_sample(lambda t: init.constant_(t, 0.3), (3, 4)) == np.float32(0.3)).all()
    assert (_sample(init.ones_, (2, 5)) == 1).all()
    assert (_sample(init.zeros_, (4,)) == 0).all()


@pytest.mark.parametrize("nonlinearity, param", [
    ("linear", None), ("conv2d", None), ("sigmoid", None), ("tanh", None), ("relu", None),
    ("leaky_relu", None), ("leaky_relu", 0.2), ("leaky_relu", 1), ("selu", None),
    ("leaky_relu", True), ("leaky_relu", "x"), ("gelu", None),
])
def test_calculate_gain(nonlinearity, param):
    expected = error_of(lambda: torch.nn.init.calculate_gain(nonlinearity, param))
    assert error_of(lambda: microgrid.nn.init.calculate_gain(nonlinearity, param)) == expected
    if expected is None:
        assert microgrid.nn.init.calculate_gain(nonlinearity, param) == \
            torch.nn.init.calculate_gain(nonlinearity, param)


@pytest.mark.parametrize("action", [
    lambda lib: lib.nn.init.xavier_uniform_(lib.ones(3)),
    lambda lib: lib.nn.init.kaiming_uniform_(lib.ones(3, 2), mode="fan_avg"),
    lambda lib: lib.nn.init.kaiming_normal_(lib.ones(3)),
    lambda lib: lib.nn.init.uniform_(lib.ones(3, dtype=lib.int64)),
    lambda lib: lib.nn.init.normal_(lib.ones(3, dtype=lib.int64)),
    lambda lib: lib.nn.init.uniform_(lib.ones(3), 2.0, 1.0),
    lambda lib: lib.nn.init.normal_(lib.ones(3), 0.0, -1.0),
    lambda lib: lib.ones(3, requires_grad=True).uniform_(),
    lambda lib: lib.ones(3, requires_grad=True).normal_(),
])
def test_init_errors(action):
    assert_same_error(action)


def test_init_of_an_empty_tensor_warns_like_torch():
    for lib in LIBS:
        with pytest.warns(UserWarning, match="Initializing zero-element tensors is a no-op"):
            lib.nn.init.kaiming_uniform_(lib.empty(0, 3))


def test_fan_in_and_fan_out():
    for shape in [(3, 4), (5, 2, 3, 3), (1, 7, 2)]:
        assert microgrid.nn.init._calculate_fan_in_and_fan_out(microgrid.empty(*shape)) == \
            torch.nn.init._calculate_fan_in_and_fan_out(torch.empty(*shape))


@pytest.mark.parametrize("fill", ["uniform_", "normal_"])
def test_random_fill_of_a_computed_tensor_records_a_zero_gradient(fill):
    graphs: List[Any] = []
    for lib in LIBS:
        x = lib.ones(2, 3, requires_grad=True)
        y = x * 2
        z = getattr(y, fill)()
        assert z is y and y._version == 1
        graphs.append(signature(y))
        (y * 3).sum().backward()
        assert x.grad.tolist() == [[0.0] * 3] * 2
    assert graphs[0] == graphs[1]
    microgrid.manual_seed(5)
    first = microgrid.empty(4).uniform_(0, 1).tolist()
    microgrid.manual_seed(5)
    assert microgrid.empty(4).uniform_(0, 1).tolist() == first
