"""microgrid.optim against torch.optim: SGD, Adam and AdamW.

The same model (microgrid's loaded with PyTorch's initial weights) is
trained under both libraries on the same data, with hyperparameters drawn by
hypothesis (momentum, dampening, Nesterov, weight decay, maximize; betas,
eps, amsgrad ...), for 60 to 100 steps; every parameter, every gradient and
every piece of optimizer state must agree to float32 precision at the end.
Also compared: ``repr(optimizer)``, ``state_dict()`` (structure and values),
``load_state_dict`` resuming a run, ``zero_grad``, version counters, param
groups, closures, and the exceptions.
"""

from __future__ import annotations

import copy
from typing import Any, Callable, Dict, List, Tuple

import numpy as np
import pytest
import torch
from difftest import assert_close, assert_same_error, error_of
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrid

SETTINGS = settings(max_examples=25, deadline=None)
LIBS = (torch, microgrid)
DATA = np.random.default_rng(0).standard_normal((16, 3)).astype(np.float32)
TARGETS = np.sin(DATA.sum(axis=1, keepdims=True)).astype(np.float32)


def build(lib: Any) -> Any:
    return lib.nn.Sequential(lib.nn.Linear(3, 5), lib.nn.Tanh(), lib.nn.Linear(5, 1))


def twins() -> Tuple[Any, Any]:
    """The model under both libraries, with PyTorch's initial weights in both."""
    torch.manual_seed(0)
    theirs, ours = build(torch), build(microgrid)
    ours.load_state_dict({k: microgrid.tensor(v.numpy()) for k, v in theirs.state_dict().items()})
    return theirs, ours


def train(lib: Any, model: Any, optimizer: Any, steps: int) -> List[float]:
    """The learner's loop; returns the losses."""
    inputs, targets = lib.tensor(DATA), lib.tensor(TARGETS)
    criterion = lib.nn.MSELoss()
    losses = []
    for _ in range(steps):
        optimizer.zero_grad()
        loss = criterion(model(inputs), targets)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    return losses


def assert_same_state(ours: Any, theirs: Any, rtol: float = 2e-4, atol: float = 2e-5) -> None:
    """Optimizer state: the same keys per parameter, the same values."""
    ours_state, theirs_state = ours.state_dict(), theirs.state_dict()
    assert ours_state["param_groups"] == theirs_state["param_groups"]
    assert list(ours_state["state"]) == list(theirs_state["state"])
    for index, entry in theirs_state["state"].items():
        assert list(ours_state["state"][index]) == list(entry), index
        for key, value in entry.items():
            assert_close(ours_state["state"][index][key], value, f"state {index} {key}",
                         rtol=rtol, atol=atol)


def compare_training(make: Callable[[Any, Any], Any], steps: int,
                     rtol: float = 2e-4, atol: float = 2e-5) -> Tuple[Any, Any]:
    """Train twins with ``make(lib, parameters)`` optimizers; compare losses,
    parameters, gradients, state, versions and repr."""
    theirs_model, ours_model = twins()
    theirs = make(torch, theirs_model.parameters())
    ours = make(microgrid, ours_model.parameters())
    assert repr(ours) == repr(theirs)
    versions = [[p._version for p in model.parameters()] for model in (theirs_model, ours_model)]
    theirs_losses = train(torch, theirs_model, theirs, steps)
    ours_losses = train(microgrid, ours_model, ours, steps)
    np.testing.assert_allclose(ours_losses, theirs_losses, rtol=rtol, atol=atol)
    for (name, o), (_, t), theirs_before, ours_before in zip(
            ours_model.named_parameters(), theirs_model.named_parameters(), *versions,
            strict=True):
        assert_close(o, t, name, rtol=rtol, atol=atol)
        assert_close(o.grad, t.grad, f"{name}.grad", rtol=rtol, atol=atol)
        assert o._version - ours_before == t._version - theirs_before, name
        assert type(o).__name__ == "Parameter" and o.is_leaf and o.requires_grad
    assert_same_state(ours, theirs, rtol, atol)
    return theirs, ours


# -- SGD ------------------------------------------------------------------------------
@SETTINGS
@given(lr=st.sampled_from([0.01, 0.05, 0.1]),
       momentum=st.sampled_from([0, 0.5, 0.9]),
       dampening=st.sampled_from([0, 0.1]),
       weight_decay=st.sampled_from([0, 1e-3, 0.05]),
       nesterov=st.booleans(), maximize=st.booleans())
def test_sgd(lr, momentum, dampening, weight_decay, nesterov, maximize):
    options = {"lr": lr, "momentum": momentum, "dampening": dampening,
               "weight_decay": weight_decay, "nesterov": nesterov, "maximize": maximize}
    make = lambda lib, params: lib.optim.SGD(params, **options)  # noqa: E731
    error = error_of(lambda: make(torch, [torch.nn.Parameter(torch.ones(1))]))
    assert error_of(lambda: make(microgrid, [microgrid.nn.Parameter(microgrid.ones(1))])) == error
    if error is None:
        compare_training(make, 60 if not maximize else 4)  # maximizing, the loss explodes


# -- Adam and AdamW ---------------------------------------------------------------------
@SETTINGS
@given(lr=st.sampled_from([1e-3, 5e-3, 0.01]),
       betas=st.sampled_from([(0.9, 0.999), (0.8, 0.99), (0.9, 0.9)]),
       eps=st.sampled_from([1e-8, 1e-3]),
       weight_decay=st.sampled_from([0, 1e-2, 0.1]),
       amsgrad=st.booleans(), maximize=st.booleans(),
       kind=st.sampled_from(["Adam", "AdamW", "Adam decoupled"]))
def test_adam(lr, betas, eps, weight_decay, amsgrad, maximize, kind):
    options = {"lr": lr, "betas": betas, "eps": eps, "weight_decay": weight_decay,
               "amsgrad": amsgrad, "maximize": maximize}
    if kind == "Adam decoupled":
        options["decoupled_weight_decay"] = True

    def make(lib, params):
        return getattr(lib.optim, kind.split()[0])(params, **options)

    compare_training(make, 100 if not maximize else 4)


# Given the same gradients, the updates themselves agree to the last bit or so
# (PyTorch's float32 sqrt is not always correctly rounded, NumPy's is): this
# also covers the settings under which training is chaotic (small betas, where
# a difference in the last bit of a gradient grows until it shows).
UPDATE_RULES = [
    lambda lib, p: lib.optim.SGD(p, lr=0.05),
    lambda lib, p: lib.optim.SGD(p, lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01),
    lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.5, dampening=0.3, maximize=True),
    lambda lib, p: lib.optim.Adam(p),
    lambda lib, p: lib.optim.Adam(p, lr=0.01, betas=(0.3, 0.5), amsgrad=True, weight_decay=0.1),
    lambda lib, p: lib.optim.Adam(p, lr=0.02, betas=(0.5, 0.9), eps=1e-3, maximize=True),
    lambda lib, p: lib.optim.AdamW(p, lr=0.01),
    lambda lib, p: lib.optim.AdamW(p, lr=0.05, betas=(0.1, 0.2), weight_decay=0.5, amsgrad=True),
]


def test_sgd_momentum_on_0d_parameters():
    # The tutorial's polynomial (dynamic_net.py): 0-d parameters, whose
    # gradients are full reductions (MulBackward0 summing out the broadcast).
    # The momentum buffer, a clone of the first gradient, was a NumPy scalar
    # that buffer.mul_(...).copy_(...) could not write: every step reused it.
    runs = []
    for lib in LIBS:
        x = lib.linspace(-3, 3, 50)
        params = [lib.nn.Parameter(lib.tensor(v)) for v in (0.5, -1.0, 0.25)]
        optimizer = lib.optim.SGD(params, lr=1e-3, momentum=0.9)
        for _ in range(5):
            a, b, c = params
            loss = ((a + b * x + c * x ** 2 - x.sin()) ** 2).sum()
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        runs.append([p.item() for p in params]
                    + [optimizer.state[p]["momentum_buffer"].item() for p in params])
    assert runs[1] == runs[0]


@pytest.mark.parametrize("make", UPDATE_RULES)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_update_rules_given_the_same_gradients(make, dtype):
    shapes = [(5, 3), (5,), (), (40,)]
    results = []
    for lib in LIBS:
        rng = np.random.default_rng(0)
        params = [lib.nn.Parameter(lib.tensor(rng.standard_normal(s).astype(dtype)))
                  for s in shapes]
        optimizer = make(lib, params)
        gradients = np.random.default_rng(1)
        for _ in range(100):
            for p in params:
                p.grad = lib.tensor(gradients.standard_normal(p.shape).astype(dtype) * 0.1)
            optimizer.step()
        results.append((params, optimizer))
    (theirs, theirs_optimizer), (ours, ours_optimizer) = results
    tolerance = {"rtol": 1e-6, "atol": 1e-7} if dtype == np.float32 else {"rtol": 1e-12,
                                                                            "atol": 1e-14}
    for o, t in zip(ours, theirs, strict=True):
        assert_close(o, t, "parameter", **tolerance)
        assert o._version == t._version >= 100  # one in-place update per step (two for AdamW)
    assert_same_state(ours_optimizer, theirs_optimizer, **tolerance)


def test_adam_defaults_over_100_steps():
    theirs, ours = compare_training(lambda lib, params: lib.optim.Adam(params), 100)
    assert repr(ours.state[next(iter(ours.state))]["step"]) == "tensor(100.)"


# -- printing and state_dict --------------------------------------------------------------
@pytest.mark.parametrize("make", [
    lambda lib, p: lib.optim.SGD(p, lr=0.1),
    lambda lib, p: lib.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True, weight_decay=1e-4),
    lambda lib, p: lib.optim.Adam(p),
    lambda lib, p: lib.optim.Adam(p, lr=0.01, betas=[0.5, 0.9], amsgrad=True, foreach=False),
    lambda lib, p: lib.optim.AdamW(p, lr=2e-3),
    lambda lib, p: lib.optim.SGD([{"params": p[:2]}, {"params": p[2:], "lr": 0.5}], lr=0.1),
    lambda lib, p: lib.optim.Adam([{"params": p[:1], "betas": (0.5, 0.6)}, {"params": p[1:]}]),
])
def test_repr_and_state_dict(make):
    theirs_model, ours_model = twins()
    theirs = make(torch, list(theirs_model.parameters()))
    ours = make(microgrid, list(ours_model.parameters()))
    assert repr(ours) == repr(theirs)
    assert ours.state_dict() == theirs.state_dict() == {
        "state": {}, "param_groups": theirs.state_dict()["param_groups"]}
    assert [sorted(g) for g in ours.param_groups] == [sorted(g) for g in theirs.param_groups]
    assert ours.defaults == theirs.defaults
    train(torch, theirs_model, theirs, 3)
    train(microgrid, ours_model, ours, 3)
    assert_same_state(ours, theirs)
    theirs_state = repr(theirs.state_dict()["state"])
    ours_state = repr(ours.state_dict()["state"])
    assert ours_state.count("tensor(") == theirs_state.count("tensor(")


def test_state_dict_round_trip_resumes_the_run():
    results = []
    for lib in LIBS:
        torch.manual_seed(0)
        reference = build(torch)
        state = {k: lib.tensor(v.numpy()) for k, v in reference.state_dict().items()}
        model = build(lib)
        model.load_state_dict(state)
        optimizer = lib.optim.Adam(model.parameters(), lr=0.05, amsgrad=True)
        train(lib, model, optimizer, 5)
        # As saved to a file and read back: copies, not the optimizer's own state tensors.
        saved_model = copy.deepcopy(model.state_dict())
        saved_optimizer = copy.deepcopy(optimizer.state_dict())
        resumed = build(lib)
        resumed.load_state_dict(saved_model)
        resumed_optimizer = lib.optim.Adam(resumed.parameters(), lr=0.01)
        resumed_optimizer.load_state_dict(saved_optimizer)
        assert resumed_optimizer.param_groups[0]["lr"] == 0.05
        assert resumed_optimizer.param_groups[0]["params"] == list(resumed.parameters())
        losses = train(lib, resumed, resumed_optimizer, 5)
        assert losses == pytest.approx(train(lib, model, optimizer, 5), rel=1e-6)
        results.append((losses, [p.tolist() for p in resumed.parameters()]))
    np.testing.assert_allclose(results[1][0], results[0][0], rtol=1e-4)
    for o, t in zip(results[1][1], results[0][1], strict=True):
        np.testing.assert_allclose(o, t, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("broken", [
    lambda state: {**state, "param_groups": state["param_groups"] * 2},
    lambda state: {**state, "param_groups": [{**state["param_groups"][0], "params": [0]}]},
])
def test_load_state_dict_errors(broken):
    def load(lib):
        model = build(lib)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        optimizer.load_state_dict(broken(optimizer.state_dict()))

    assert_same_error(load)


def test_loaded_state_takes_the_parameters_dtype():
    for lib in LIBS:
        model = build(lib).double()
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        state = {"state": {0: {"momentum_buffer": lib.ones(5, 3)}},
                 "param_groups": optimizer.state_dict()["param_groups"]}
        optimizer.load_state_dict(state)
        assert optimizer.state[model[0].weight]["momentum_buffer"].dtype == lib.float64


# -- zero_grad, steps, versions -------------------------------------------------------------
@pytest.mark.parametrize("set_to_none", [True, False])
def test_zero_grad(set_to_none):
    observed = []
    for lib in LIBS:
        model = build(lib)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        model(lib.tensor(DATA)).sum().backward()
        grad = model[0].weight.grad
        optimizer.zero_grad(set_to_none=set_to_none)
        observed.append(([p.grad is None for p in model.parameters()],
                         None if set_to_none else (model[0].weight.grad is grad, grad._version,
                                                   grad.abs().sum().item())))
    assert observed[1] == observed[0]


def test_parameters_without_gradients_are_left_alone():
    for lib in LIBS:
        model = build(lib)
        frozen = model[0].weight
        frozen.requires_grad_(False)
        before = frozen.detach().clone()
        optimizer = lib.optim.Adam(model.parameters(), lr=0.1)
        train(lib, model, optimizer, 3)
        assert frozen.tolist() == before.tolist() and frozen._version == 1
        assert frozen not in optimizer.state and len(optimizer.state) == 3
        sgd = lib.optim.SGD(model.parameters(), lr=0.1)
        train(lib, model, sgd, 2)
        assert len(sgd.state) == 0  # no momentum: no state at all, as in PyTorch


def test_step_runs_under_no_grad_and_returns_the_closures_loss():
    for lib in LIBS:
        model = build(lib)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1, momentum=0.5)
        inputs, targets = lib.tensor(DATA), lib.tensor(TARGETS)

        def closure(optimizer=optimizer, model=model, lib=lib, inputs=inputs, targets=targets):
            optimizer.zero_grad()
            loss = lib.nn.functional.mse_loss(model(inputs), targets)
            loss.backward()
            return loss

        with lib.no_grad():
            loss = optimizer.step(closure)  # the closure runs with grad mode on
        assert loss.grad_fn is not None and optimizer.step() is None
        assert all(p.grad_fn is None and p.is_leaf for p in model.parameters())
        buffer = optimizer.state[model[2].bias]["momentum_buffer"]
        assert not buffer.requires_grad and buffer.grad_fn is None


def test_an_update_after_backward_is_caught_by_version_checks():
    for lib in LIBS:
        model = build(lib)
        optimizer = lib.optim.SGD(model.parameters(), lr=0.1)
        output = model(lib.tensor(DATA)).sum()
        output.backward(retain_graph=True)
        optimizer.step()
        with pytest.raises(RuntimeError, match="modified by an inplace operation"):
            output.backward()


def test_param_groups_with_their_own_options():
    def make(lib, params):
        params = list(params)
        return lib.optim.SGD([{"params": params[:2], "lr": 0.2, "momentum": 0.5},
                              {"params": params[2:]}], lr=0.05, weight_decay=0.01)

    theirs, ours = compare_training(make, 20)
    for lib, optimizer in ((torch, theirs), (microgrid, ours)):
        extra = lib.nn.Parameter(lib.ones(2))
        optimizer.add_param_group({"params": extra, "nesterov": False})
        assert optimizer.param_groups[-1]["params"] == [extra]
    assert repr(ours) == repr(theirs)


def test_named_parameters_give_param_names():
    for lib in LIBS:
        model = build(lib)
        optimizer = lib.optim.Adam(model.named_parameters())
        assert optimizer.param_groups[0]["param_names"] == ["0.weight", "0.bias", "2.weight",
                                                           "2.bias"]
        assert optimizer.state_dict()["param_groups"][0]["param_names"][0] == "0.weight"


# -- errors ---------------------------------------------------------------------------------------
def _params(lib: Any) -> List[Any]:
    return list(build(lib).parameters())


@pytest.mark.parametrize("make", [
    lambda lib: lib.optim.SGD(_params(lib), lr=-1),
    lambda lib: lib.optim.SGD(_params(lib), momentum=-0.5),
    lambda lib: lib.optim.SGD(_params(lib), weight_decay=-1),
    lambda lib: lib.optim.SGD(_params(lib), nesterov=True),
    lambda lib: lib.optim.SGD(_params(lib), momentum=0.9, dampening=0.1, nesterov=True),
    lambda lib: lib.optim.SGD([], lr=0.1),
    lambda lib: lib.optim.SGD(lib.ones(2), lr=0.1),
    lambda lib: lib.optim.SGD([lib.ones(2, requires_grad=True) * 2], lr=0.1),
    lambda lib: lib.optim.SGD([1.0], lr=0.1),
    lambda lib: lib.optim.SGD([{"params": {lib.nn.Parameter(lib.ones(1))}}], lr=0.1),
    lambda lib: (lambda ps: lib.optim.SGD([{"params": ps}, {"params": ps[:1]}]))(_params(lib)),
    lambda lib: lib.optim.SGD([("w", lib.nn.Parameter(lib.ones(1))),
                               lib.nn.Parameter(lib.ones(1))]),
    lambda lib: lib.optim.SGD([[1]]),
    lambda lib: lib.optim.Adam(_params(lib), lr=-0.1),
    lambda lib: lib.optim.Adam(_params(lib), eps=-1.0),
    lambda lib: lib.optim.Adam(_params(lib), betas=(1.0, 0.9)),
    lambda lib: lib.optim.Adam(_params(lib), betas=(0.9, -0.1)),
    lambda lib: lib.optim.Adam(_params(lib), betas=(0, 0.9)),
    lambda lib: lib.optim.Adam(_params(lib), weight_decay=-1e-2),
    lambda lib: lib.optim.AdamW(_params(lib), lr=-1.0),
    lambda lib: lib.optim.Optimizer(_params(lib), {}).step(),
])
def test_errors(make):
    assert_same_error(make)


def test_duplicate_parameters_warn_like_torch():
    for lib in LIBS:
        p = lib.nn.Parameter(lib.ones(1))
        with pytest.warns(UserWarning, match="duplicate parameters"):
            lib.optim.SGD([p, p], lr=0.1)


@pytest.mark.parametrize("options", [{"fused": True}, {"differentiable": True},
                                     {"capturable": True}])
def test_unsupported_variants_are_refused(options):
    kind = microgrid.optim.SGD if "capturable" not in options else microgrid.optim.Adam
    with pytest.raises(NotImplementedError, match="one tensor at a time"):
        kind(_params(microgrid), **options)
    with pytest.raises(NotImplementedError, match="Python numbers"):
        microgrid.optim.Adam(_params(microgrid), lr=microgrid.tensor(0.1))


def test_state_values_print_like_torch():
    reprs: Dict[Any, str] = {}
    for lib in LIBS:
        p = lib.nn.Parameter(lib.ones(2))
        optimizer = lib.optim.Adam([p])
        p.grad = lib.ones(2)
        optimizer.step()
        reprs[lib] = repr(optimizer.state_dict()) + repr(optimizer.state)
    assert reprs[microgrid] == reprs[torch].replace("torch.nn.parameter", "microgrid.nn.parameter")
