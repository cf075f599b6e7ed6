"""``optim.Optimizer``: the base class of the update rules (SGD, Adam).

PyTorch counterpart: ``torch.optim.Optimizer`` (``torch/optim/optimizer.py``).

An optimizer holds

* ``param_groups``: a list of dicts, each with its ``params`` (the tensors to
  update) and its options (``lr``, ``momentum`` ...; the defaults fill in
  whatever a group does not say);
* ``state``: per parameter, what the rule remembers between steps (SGD's
  momentum buffer, Adam's running averages), created on the first step.

``step()`` reads each parameter's ``.grad`` (left there by
``loss.backward()``) and changes the parameter *in place*, under
``no_grad``: the update must not be recorded in any graph, and in-place
ops on a leaf that requires grad are allowed only there.  Each update bumps
the parameter's version, as PyTorch's does.  ``zero_grad()`` forgets the
gradients before the next backward (they would accumulate otherwise).

One detail of floating point matters here.  PyTorch's CPU kernels for
``p.add_(g, alpha=-lr)``, ``lerp_`` and ``addcmul_`` use the processor's
*fused multiply-add*: ``a * b + c`` rounded once, not twice (after the
product and after the sum).  The optimizers compute those updates with
:func:`fused_multiply_add`, so that a model trained for many steps ends
with the very same float32 and float64 numbers as under PyTorch (up to
square roots: PyTorch's float32 ``sqrt`` comes from MKL, which does not
round exactly, see docs/numerics.md).

The training loop this supports::

    optimizer.zero_grad()
    loss = criterion(model(x), y)
    loss.backward()
    optimizer.step()

Read next: ``sgd.py``.
"""

from __future__ import annotations

import functools
import warnings
from collections import defaultdict
from copy import deepcopy
from itertools import chain
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple, TypeVar

import numpy as np

from .._kernels.mathfns import multiply_add
from .._tensor import Tensor
from ..autograd.grad_mode import enable_grad, no_grad
from ..nn.modules.module import typename, zero_gradient

__all__ = ["Optimizer", "required", "fused_multiply_add", "check_nonnegative"]

Step = TypeVar("Step", bound=Callable[..., Any])


def fused_multiply_add(a: Tensor, b: Any, c: Tensor) -> Tensor:
    """``a * b + c`` (``b`` a tensor or a number) rounded once, as a fused
    multiply-add instruction computes it: what PyTorch's ``c.add(a, alpha=b)``,
    ``lerp`` and ``addcmul`` kernels give (``_kernels.mathfns.multiply_add``: a multiply
    and an add under ``ATEN_CPU_CAPABILITY=default``, as PyTorch's build without fma;
    float16 and other dtypes: through float64).  A number ``b`` is
    first converted to ``c``'s dtype, as PyTorch converts ``alpha``."""
    dtype = c._data.dtype
    factor = b._data if isinstance(b, Tensor) else np.asarray(b, dtype=dtype)
    if dtype in (np.float32, np.float64):  # (two roundings under ATEN_CPU_CAPABILITY=default)
        result = multiply_add(a._data, np.asarray(factor, dtype), c._data)
    else:
        with np.errstate(all="ignore"):
            result = (a._data.astype(np.float64) * factor.astype(np.float64)
                      + c._data.astype(np.float64))
    return Tensor._make(np.asarray(result.astype(dtype)))


def check_nonnegative(*checks: Tuple[str, float]) -> None:
    """``ValueError: Invalid <what>: <value>`` for the first ``(what, value)`` below zero."""
    for what, value in checks:
        if not 0.0 <= value:
            raise ValueError(f"Invalid {what}: {value}")


class _RequiredParameter:
    """The default of an option every param group must give (PyTorch's ``required``)."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


def no_grad_step(step: Step) -> Step:
    """Run an optimizer's ``step`` under ``no_grad``, after evaluating the
    ``closure`` (if given) with grad mode on; return the closure's loss."""

    @functools.wraps(step)
    def wrapper(self: "Optimizer", closure: Optional[Callable[[], Any]] = None) -> Any:
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        with no_grad():
            step(self)
        return loss

    return wrapper  # type: ignore[return-value]


def check_options(lr: Any, betas: Tuple[Any, ...] = (), **variants: Any) -> None:
    """Refuse hyperparameters given as tensors, and the implementation
    variants microgrid does not have (``fused``, ``capturable``, ``differentiable``)."""
    if any(isinstance(value, Tensor) for value in (lr, *betas)):
        raise NotImplementedError("microgrid's optimizers take lr and betas as Python numbers, "
                                  "not tensors")
    for name, value in variants.items():
        if value:
            raise NotImplementedError("microgrid's optimizers update one tensor at a time: "
                                      f"{name}=True is not supported")


class Optimizer:
    """Base class: keeps ``param_groups`` and ``state``; subclasses define ``step``."""

    def __init__(self, params: Any, defaults: Dict[str, Any]) -> None:
        self.defaults = defaults
        if isinstance(params, Tensor):
            raise TypeError("params argument given to the optimizer should be an iterable of "
                            "Tensors or dicts, but got " + typename(params))
        self.state: defaultdict = defaultdict(dict)
        self.param_groups: List[Dict[str, Any]] = []
        param_groups = list(params)
        if len(param_groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(param_groups[0], dict):
            param_groups = [{"params": param_groups}]
        for param_group in param_groups:
            self.add_param_group(param_group)

    def add_param_group(self, param_group: Dict[str, Any]) -> None:
        """Add a group of parameters with its own options (the defaults fill the rest)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group)}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError("optimizer parameters need to be organized in ordered collections, "
                            "but the ordering of tensors in sets will change between runs. "
                            "Please use a list instead.")
        params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        param_group["params"] = [p[1] if isinstance(p, tuple) else p for p in params]
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param "
                                 "names are missing")
            param_group["param_names"] = names
        for param in param_group["params"]:
            if not isinstance(param, Tensor):
                raise TypeError("optimizer can only optimize Tensors, but one of the params is "
                                + typename(param))
            if not (param.is_leaf or param.retains_grad):
                raise ValueError("can't optimize a non-leaf Tensor")
        for name, default in self.defaults.items():
            if default is required and name not in param_group:
                raise ValueError("parameter group didn't specify a value of required "
                                 f"optimization parameter {name}")
            param_group.setdefault(name, default)
        self._check_new_group(param_group)
        self.param_groups.append(param_group)

    def _check_new_group(self, param_group: Dict[str, Any]) -> None:
        """PyTorch's checks of a new group against the existing ones."""
        params = param_group["params"]
        if len(params) != len(set(params)):
            warnings.warn("optimizer contains a parameter group with duplicate parameters; in "
                          "future, this will cause an error; see "
                          "github.com/pytorch/pytorch/issues/40967 for more information",
                          stacklevel=4)
        seen = set()
        for group in self.param_groups:
            seen.update(group["params"])
            if ("param_names" in param_group) != ("param_names" in group):
                current = "with names" if "param_names" in param_group else "without names"
                raise ValueError("all optimizer param groups should be with/without names. "
                                 f"cannot add param group {current} to the optimizer")
        if not seen.isdisjoint(params):
            raise ValueError("some parameters appear in more than one parameter group")

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget every parameter's gradient: None (the default), or zeros."""
        for group in self.param_groups:
            for param in group["params"]:
                zero_gradient(param, set_to_none)

    def step(self, closure: Optional[Callable[[], Any]] = None) -> Any:
        """Update every parameter that has a gradient (each optimizer's own rule)."""
        raise NotImplementedError

    def _with_gradients(self) -> Iterator[Tuple[Dict[str, Any], Tensor]]:
        """``(group, parameter)`` for every parameter that has a gradient: what
        ``step`` updates (the others are left alone, without any state)."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is not None:
                    yield group, param

    def _update_each(self, initial_state: Callable[[Dict[str, Any], Tensor], Dict[str, Any]],
                     update: Callable[..., None]) -> None:
        """The step of the rules that keep state: every parameter that has a
        gradient gets its state from ``initial_state(group, param)`` on its
        first step, then ``update(param, grad, state, group)`` changes it in place."""
        for group, param in self._with_gradients():
            state = self.state[param]
            if not state:
                state.update(initial_state(group, param))
            update(param, param.grad, state, group)

    def state_dict(self) -> Dict[str, Any]:
        """``{'state': ..., 'param_groups': ...}``, with each parameter replaced by
        its position (0, 1, ... across the groups)."""
        index: Dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {k: v for k, v in group.items() if k != "params"}
            for param in group["params"]:
                index.setdefault(id(param), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {(index[id(k)] if isinstance(k, Tensor) else k): v
                 for k, v in self.state.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: Dict[str, Any]) -> None:
        """Take the options and the state saved by ``state_dict()``, for the same
        parameters in the same order (floating-point state converted to each
        parameter's dtype; the step count as it is)."""
        groups = self.param_groups
        saved_groups = deepcopy(state_dict["param_groups"])
        if len(groups) != len(saved_groups):
            raise ValueError("loaded state dict has a different number of parameter groups")
        pairs = list(zip(groups, saved_groups, strict=True))
        if any(len(group["params"]) != len(saved["params"]) for group, saved in pairs):
            raise ValueError("loaded state dict contains a parameter group that doesn't match "
                             "the size of optimizer's group")
        by_index = dict(zip(chain.from_iterable(g["params"] for g in saved_groups),
                            chain.from_iterable(g["params"] for g in groups), strict=True))
        state: defaultdict = defaultdict(dict)
        for key, value in state_dict["state"].items():
            if key in by_index:
                param = by_index[key]
                state[param] = {name: _cast(param, name, v) for name, v in value.items()}
            else:
                state[key] = value
        for group, saved in pairs:
            saved["params"] = group["params"]
            if "param_names" in group and "param_names" not in saved:
                saved["param_names"] = group["param_names"]
        self.state = state
        self.param_groups = saved_groups

    def __repr__(self) -> str:
        text = type(self).__name__ + " ("
        for i, group in enumerate(self.param_groups):
            text += f"\nParameter Group {i}\n"
            for key in sorted(group):
                if key != "params":
                    text += f"    {key}: {group[key]}\n"
        return text + ")"


def _cast(param: Tensor, name: str, value: Any) -> Any:
    """A loaded state value for ``param``: a tensor in a floating-point
    parameter's dtype (the step count stays as saved)."""
    if isinstance(value, Tensor) and name != "step" and param.dtype.is_floating_point:
        return value.to(param.dtype)
    return value
