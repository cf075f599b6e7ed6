"""``nn.Module``: the base class of every layer and every model.

PyTorch counterpart: ``torch.nn.Module`` (``torch/nn/modules/module.py``).

A module is an object that computes something in ``forward`` and *owns*
tensors.  The bookkeeping happens in ``__setattr__``: assigning

* a ``Parameter`` (``self.weight = Parameter(...)``) registers it in
  ``_parameters``: ``parameters()`` returns it, the optimizer updates it;
* another module (``self.fc1 = Linear(2, 3)``) registers it in ``_modules``,
  as a child: its parameters become this module's too, named with a dotted
  path (``fc1.weight``);
* a tensor registered with ``register_buffer`` goes to ``_buffers``: state
  that is saved with the model but not trained (running averages ...).

Everything else is a plain attribute.  Reading ``self.weight`` finds it in
those dicts (``__getattr__``).  Calling the module, ``model(x)``, runs
``forward(x)`` (and any forward hooks).

The walks over the tree of modules (``named_modules``, ``state_dict``,
``load_state_dict``) visit each module before its children, in the order
they were assigned, iteratively; the names and orders are PyTorch's, so
``state_dict()`` keys and ``named_parameters()`` match it exactly.

Read next: ``linear.py``.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from typing import Any, Callable, Dict, Iterator, List, Mapping, Optional, Set, Tuple

from ..._device import require_cpu as _require_cpu
from ..._dtype import dtype as _dtype
from ..._tensor import Tensor
from ...autograd.grad_mode import no_grad
from ...autograd.hooks import RemovableHandle
from ..parameter import Parameter

__all__ = ["Module"]


def typename(value: Any) -> str:
    """``torch.typename``: how PyTorch's messages name a value (its type's
    qualified name; a class or function names itself)."""
    if isinstance(value, Tensor):
        return value.type()
    module = getattr(value, "__module__", "") or ""
    qualname = getattr(value, "__qualname__", None) or getattr(value, "__name__", None)
    if qualname is None:
        module, qualname = type(value).__module__ or "", type(value).__qualname__
    return qualname if module in ("", "builtins") else f"{module}.{qualname}"


def _addindent(text: str, spaces: int) -> str:
    """Indent every line but the first (blank lines stay empty), for nested reprs."""
    first, *rest = text.split("\n")
    if not rest:
        return text
    return "\n".join([first] + [" " * spaces + line if line.strip() else "" for line in rest])


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What ``load_state_dict`` returns: the keys it missed and the keys it did not expect."""

    __slots__ = ()

    def __repr__(self) -> str:
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return super().__repr__()

    __str__ = __repr__


def _check_name(kind: str, module: "Module", name: Any, registered: Dict[str, Any]) -> None:
    """PyTorch's checks on the name of a parameter or buffer being registered."""
    if not isinstance(name, str):
        raise TypeError(f"{kind} name should be a string. Got {typename(name)}")
    if "." in name:
        raise KeyError(f"{kind} name can't contain \".\"")
    if name == "":
        raise KeyError(f"{kind} name can't be empty string \"\"")
    if hasattr(module, name) and name not in registered:
        raise KeyError(f"attribute '{name}' already exists")


class Module:
    """Base class for all neural network modules: subclass it, assign layers and
    parameters in ``__init__`` (after ``super().__init__()``), compute in ``forward``."""

    training: bool
    _version: int = 1  # the state_dict format version, kept in its metadata

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        if kwargs:
            raise TypeError(f"{type(self).__name__}.__init__() got an unexpected keyword "
                            f"argument '{next(iter(kwargs))}'")
        if args:
            raise TypeError(f"{type(self).__name__}.__init__() takes 1 positional argument but "
                            f"{len(args) + 1} were given")
        # object.__setattr__: our own __setattr__ needs these dicts to exist.
        object.__setattr__(self, "training", True)
        object.__setattr__(self, "_parameters", {})
        object.__setattr__(self, "_buffers", {})
        object.__setattr__(self, "_non_persistent_buffers_set", set())
        object.__setattr__(self, "_modules", {})
        object.__setattr__(self, "_forward_pre_hooks", [])
        object.__setattr__(self, "_forward_hooks", [])

    # -- calling ---------------------------------------------------------------
    def forward(self, *args: Any, **kwargs: Any) -> Any:
        """The computation; every subclass defines its own."""
        raise NotImplementedError(
            f'Module [{type(self).__name__}] is missing the required "forward" function')

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        """``forward(*args, **kwargs)``, between the forward pre-hooks (which may
        replace the arguments) and the forward hooks (which may replace the result)."""
        for hook in list(self._forward_pre_hooks):
            replaced = hook(self, args)
            if replaced is not None:
                args = replaced if isinstance(replaced, tuple) else (replaced,)
        result = self.forward(*args, **kwargs)
        for hook in list(self._forward_hooks):
            replaced = hook(self, args, result)
            if replaced is not None:
                result = replaced
        return result

    def register_forward_pre_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args)`` before each forward; it may return new args."""
        return RemovableHandle(self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook: Callable[..., Any]) -> RemovableHandle:
        """Call ``hook(module, args, output)`` after each forward; it may return a new output."""
        return RemovableHandle(self._forward_hooks, hook)

    # -- registering parameters, buffers and children ---------------------------
    def register_parameter(self, name: str, param: Optional[Parameter]) -> None:
        """Add a parameter (or None: a declared but absent one, like a Linear without bias)."""
        if "_parameters" not in self.__dict__:
            raise AttributeError("cannot assign parameter before Module.__init__() call")
        _check_name("parameter", self, name, self._parameters)
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(f"cannot assign '{typename(param)}' object to parameter '{name}' "
                            "(torch.nn.Parameter or None required)")
        if param is not None and param.grad_fn is not None:
            raise ValueError(
                f"Cannot assign non-leaf Tensor to parameter '{name}'. Model parameters must be "
                f"created explicitly. To express '{name}' as a function of another Tensor, "
                "compute the value in the forward() method.")
        self._parameters[name] = param

    def register_buffer(self, name: str, tensor: Optional[Tensor],
                        persistent: bool = True) -> None:
        """Add a tensor that is state but not a parameter; ``persistent=False``
        keeps it out of ``state_dict()``."""
        if "_buffers" not in self.__dict__:
            raise AttributeError("cannot assign buffer before Module.__init__() call")
        _check_name("buffer", self, name, self._buffers)
        if tensor is not None and not isinstance(tensor, Tensor):
            raise TypeError(f"cannot assign '{typename(tensor)}' object to buffer '{name}' "
                            "(torch Tensor or None required)")
        self._buffers[name] = tensor
        if persistent:
            self._non_persistent_buffers_set.discard(name)
        else:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module: Optional["Module"]) -> None:
        """Add a child module, reachable as an attribute named ``name``."""
        if not isinstance(module, Module) and module is not None:
            raise TypeError(f"{typename(module)} is not a Module subclass")
        if not isinstance(name, str):
            raise TypeError(f"module name should be a string. Got {typename(name)}")
        if hasattr(self, name) and name not in self._modules:
            raise KeyError(f"attribute '{name}' already exists")
        if "." in name:
            raise KeyError(f"module name can't contain \".\", got: {name}")
        if name == "":
            raise KeyError("module name can't be empty string \"\"")
        self._modules[name] = module

    register_module = add_module

    def __getattr__(self, name: str) -> Any:
        # Only called when ordinary lookup fails: registered things live in the dicts.
        for registry in ("_parameters", "_buffers", "_modules"):
            found = self.__dict__.get(registry)
            if found is not None and name in found:
                return found[name]
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __setattr__(self, name: str, value: Any) -> None:
        params = self.__dict__.get("_parameters")
        if isinstance(value, Parameter):
            if params is None:
                raise AttributeError("cannot assign parameters before Module.__init__() call")
            self._forget(name, self.__dict__, self._buffers, self._modules)
            self.register_parameter(name, value)
        elif params is not None and name in params:
            if value is not None:
                raise TypeError(f"cannot assign '{typename(value)}' as parameter '{name}' "
                                "(torch.nn.Parameter or None expected)")
            self.register_parameter(name, value)
        elif isinstance(value, Module):
            if self.__dict__.get("_modules") is None:
                raise AttributeError("cannot assign module before Module.__init__() call")
            self._forget(name, self.__dict__, self._parameters, self._buffers)
            self._modules[name] = value
        elif name in self.__dict__.get("_modules", ()):
            if value is not None:
                raise TypeError(f"cannot assign '{typename(value)}' as child module '{name}' "
                                "(torch.nn.Module or None expected)")
            self._modules[name] = value
        elif name in self.__dict__.get("_buffers", ()):
            if value is not None and not isinstance(value, Tensor):
                raise TypeError(f"cannot assign '{typename(value)}' as buffer '{name}' "
                                "(torch.nn.Buffer, torch.Tensor or None expected)")
            self.register_buffer(name, value, name not in self._non_persistent_buffers_set)
        else:
            object.__setattr__(self, name, value)

    def _forget(self, name: str, *registries: Dict[str, Any]) -> None:
        """Drop ``name`` from the other places it may be registered."""
        for registry in registries:
            registry.pop(name, None)
        self._non_persistent_buffers_set.discard(name)

    def __delattr__(self, name: str) -> None:
        if name in self._parameters:
            del self._parameters[name]
        elif name in self._buffers:
            del self._buffers[name]
            self._non_persistent_buffers_set.discard(name)
        elif name in self._modules:
            del self._modules[name]
        else:
            object.__delattr__(self, name)

    def __dir__(self) -> List[str]:
        keys = [*dir(type(self)), *self.__dict__, *self._parameters, *self._modules,
                *self._buffers]
        return sorted(key for key in keys if not key[0].isdigit())

    # -- walking the tree ------------------------------------------------------
    def _tree(self, prefix: str = "", memo: Optional[Set["Module"]] = None,
              remove_duplicate: bool = True) -> Iterator[Tuple[str, "Module"]]:
        """``(dotted name, module)`` for this module and every descendant, each
        before its children; a module met again (shared) is skipped with its
        subtree unless ``remove_duplicate`` is False.  Iterative: an explicit
        stack, the children pushed in reverse so that they pop in order."""
        memo = set() if memo is None else memo
        stack = [(prefix, self)]
        while stack:
            name, module = stack.pop()
            if module in memo:
                continue
            if remove_duplicate:
                memo.add(module)
            yield name, module
            stack.extend((name + ("." if name else "") + key, child)
                         for key, child in reversed(module._modules.items())
                         if child is not None)

    def named_modules(self, memo: Optional[Set["Module"]] = None, prefix: str = "",
                      remove_duplicate: bool = True) -> Iterator[Tuple[str, "Module"]]:
        """``(name, module)`` for this module (named ``prefix``) and all below it."""
        return self._tree(prefix, memo, remove_duplicate)

    def modules(self, remove_duplicate: bool = True) -> Iterator["Module"]:
        """This module and every module below it, each once."""
        for _, module in self.named_modules(remove_duplicate=remove_duplicate):
            yield module

    def named_children(self) -> Iterator[Tuple[str, "Module"]]:
        """``(name, module)`` for the direct children, each once."""
        seen: Set[Module] = set()
        for name, module in self._modules.items():
            if module is not None and module not in seen:
                seen.add(module)
                yield name, module

    def children(self) -> Iterator["Module"]:
        """The direct children, each once."""
        for _, module in self.named_children():
            yield module

    def _named_members(self, members: Callable[["Module"], Any], prefix: str, recurse: bool,
                       remove_duplicate: bool) -> Iterator[Tuple[str, Any]]:
        """``(dotted name, tensor)`` from ``members(module)`` of each module,
        skipping None and (unless asked not to) a tensor already given."""
        seen: Set[Tensor] = set()
        modules = self._tree(prefix, None, remove_duplicate) if recurse else [(prefix, self)]
        for module_prefix, module in modules:
            for key, value in members(module):
                if value is None or value in seen:
                    continue
                if remove_duplicate:
                    seen.add(value)
                yield module_prefix + ("." if module_prefix else "") + key, value

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[Tuple[str, Parameter]]:
        """``(dotted name, parameter)``: this module's own first, then each child's."""
        return self._named_members(lambda m: m._parameters.items(), prefix, recurse,
                                   remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """Every parameter (what an optimizer is given), each once."""
        for _, parameter in self.named_parameters(recurse=recurse):
            yield parameter

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[Tuple[str, Tensor]]:
        """``(dotted name, buffer)`` for every buffer."""
        return self._named_members(lambda m: m._buffers.items(), prefix, recurse,
                                   remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """Every buffer, each once."""
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def apply(self, fn: Callable[["Module"], Any]) -> "Module":
        """Call ``fn`` on every module, children before their parent (each
        parent's children in order, a shared child once per parent), then return self."""
        order = []  # each module before its children, the last child first...
        stack = [self]
        while stack:
            module = stack.pop()
            order.append(module)
            stack.extend(module.children())
        for module in reversed(order):  # ...so reversed: children first, in order
            fn(module)
        return self

    # -- modes and gradients -----------------------------------------------------
    def train(self, mode: bool = True) -> "Module":
        """Set training mode (``training``) here and in every child, and return self."""
        if not isinstance(mode, bool):
            raise ValueError("training mode is expected to be boolean")
        self.training = mode
        for module in self.children():  # a child may define its own train()
            module.train(mode)
        return self

    def eval(self) -> "Module":
        """``train(False)``: evaluation mode."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> "Module":
        """Set ``requires_grad`` of every parameter (False freezes the module)."""
        for parameter in self.parameters():
            parameter.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients of every parameter: set them to None (the
        default), or fill them with zeros."""
        for parameter in self.parameters():
            zero_gradient(parameter, set_to_none)

    # -- dtype -----------------------------------------------------------------
    def _apply(self, convert: Callable[[Tensor], Tensor]) -> "Module":
        """Convert every parameter (keeping the Parameter object: its ``.data``
        changes), its gradient, and every buffer, in every module."""
        with no_grad():
            for module in self.modules():
                for parameter in module._parameters.values():
                    if parameter is None:
                        continue
                    parameter.data = convert(parameter)
                    if parameter._grad is not None:
                        parameter._grad.data = convert(parameter._grad)
                for key, buffer in module._buffers.items():
                    if buffer is not None:
                        module._buffers[key] = convert(buffer)
        return self

    def to(self, *args: Any, **kwargs: Any) -> "Module":
        """Convert the floating-point parameters and buffers to a dtype
        (``to(torch.float64)``, ``to(tensor)``, ``to('cpu', dtype)``), in place; returns self."""
        dtype = kwargs.get("dtype")
        for arg in (*args, kwargs.get("device")):
            if isinstance(arg, _dtype):
                dtype = arg
            elif isinstance(arg, Tensor):
                dtype = arg.dtype
            elif arg is not None and not isinstance(arg, bool):  # a bool is non_blocking
                _require_cpu(arg)  # only the CPU holds tensors: anything else raises
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError("nn.Module.to only accepts floating point or complex dtypes, but "
                            f"got desired dtype={dtype}")
        if dtype is None:
            return self
        return self._apply(lambda t: t.to(dtype) if t.dtype.is_floating_point else t)

    def float(self) -> "Module":
        """Floating-point parameters and buffers to float32."""
        return self._apply(lambda t: t.float() if t.dtype.is_floating_point else t)

    def double(self) -> "Module":
        """Floating-point parameters and buffers to float64."""
        return self._apply(lambda t: t.double() if t.dtype.is_floating_point else t)

    def half(self) -> "Module":
        """Floating-point parameters and buffers to float16."""
        return self._apply(lambda t: t.half() if t.dtype.is_floating_point else t)

    def cpu(self) -> "Module":
        """The module (everything already lives on the CPU)."""
        return self

    # -- saving and loading --------------------------------------------------------
    def _save_to_state_dict(self, destination: Dict[str, Any], prefix: str,
                            keep_vars: bool) -> None:
        """This module's own parameters and persistent buffers, into ``destination``."""
        for name, parameter in self._parameters.items():
            if parameter is not None:
                destination[prefix + name] = parameter if keep_vars else parameter.detach()
        for name, buffer in self._buffers.items():
            if buffer is not None and name not in self._non_persistent_buffers_set:
                destination[prefix + name] = buffer if keep_vars else buffer.detach()

    def state_dict(self, *, destination: Optional[Dict[str, Any]] = None, prefix: str = "",
                   keep_vars: bool = False) -> Dict[str, Any]:
        """Every parameter and persistent buffer by dotted name, in an
        OrderedDict: detached tensors sharing the module's storage."""
        if destination is None:
            destination = OrderedDict()
            destination._metadata = OrderedDict()  # type: ignore[attr-defined]
        for name, module in self._tree(remove_duplicate=False):
            module_prefix = prefix + (name + "." if name else "")
            if hasattr(destination, "_metadata"):
                destination._metadata[module_prefix[:-1]] = {"version": module._version}
            module._save_to_state_dict(destination, module_prefix, keep_vars)
        return destination

    def _load_from_state_dict(self, state_dict: Dict[str, Any], prefix: str,
                              local_metadata: Dict[str, Any], strict: bool,
                              missing_keys: List[str], unexpected_keys: List[str],
                              error_msgs: List[str]) -> None:
        """Copy this module's own entries of ``state_dict`` (keys ``prefix + name``)
        into its parameters and buffers, noting missing and unexpected keys."""
        local_state = {name: value for name, value in self._parameters.items()
                       if value is not None}
        local_state.update((name, value) for name, value in self._buffers.items()
                           if value is not None and name not in self._non_persistent_buffers_set)
        assign = local_metadata.get("assign_to_params_buffers", False)
        for name, param in local_state.items():
            key = prefix + name
            if key not in state_dict:
                if strict:
                    missing_keys.append(key)
                continue
            error = _load_one(param, state_dict[key], key, assign)
            if error is not None:
                error_msgs.append(error)
            elif assign:
                setattr(self, name, _assigned(param, state_dict[key]))
        if strict:
            for key in state_dict:
                if key.startswith(prefix):
                    head, *rest = key[len(prefix):].split(".", 1)
                    if head not in (self._modules if rest else local_state):
                        unexpected_keys.append(key)

    def load_state_dict(self, state_dict: Mapping[str, Any], strict: bool = True,
                        assign: bool = False) -> _IncompatibleKeys:
        """Copy values from ``state_dict`` into the parameters and buffers (under
        ``no_grad``; with ``assign`` its tensors replace them instead); with
        ``strict`` every key must match, or a RuntimeError lists the missing
        and unexpected ones."""
        if not isinstance(state_dict, Mapping):
            raise TypeError(f"Expected state_dict to be dict-like, got {type(state_dict)}.")
        metadata = getattr(state_dict, "_metadata", None)
        missing_keys: List[str] = []
        unexpected_keys: List[str] = []
        error_msgs: List[str] = []
        for name, module in self._tree(remove_duplicate=False):
            prefix = name + "." if name else ""
            local = {k: v for k, v in state_dict.items() if k.startswith(prefix)}
            local_metadata = {} if metadata is None else dict(metadata.get(name, {}))
            if assign:
                local_metadata["assign_to_params_buffers"] = True
            module._load_from_state_dict(local, prefix, local_metadata, True, missing_keys,
                                         unexpected_keys, error_msgs)
        if strict:
            if unexpected_keys:
                error_msgs.insert(0, "Unexpected key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in unexpected_keys)))
            if missing_keys:
                error_msgs.insert(0, "Missing key(s) in state_dict: {}. ".format(
                    ", ".join(f'"{k}"' for k in missing_keys)))
        if error_msgs:
            raise RuntimeError("Error(s) in loading state_dict for {}:\n\t{}".format(
                type(self).__name__, "\n\t".join(error_msgs)))
        return _IncompatibleKeys(missing_keys, unexpected_keys)

    # -- printing ------------------------------------------------------------------
    def _get_name(self) -> str:
        return type(self).__name__

    def extra_repr(self) -> str:
        """The text inside this module's parentheses (layers put their sizes here)."""
        return ""

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({key}): " + _addindent(repr(module), 2)
                       for key, module in self._modules.items()]
        lines = extra_lines + child_lines
        text = self._get_name() + "("
        if len(extra_lines) == 1 and not child_lines:
            text += extra_lines[0]
        elif lines:
            text += "\n  " + "\n  ".join(lines) + "\n"
        return text + ")"


def zero_gradient(tensor: Tensor, set_to_none: bool) -> None:
    """Forget ``tensor.grad``: set it to None, or cut it from any graph and zero it."""
    if tensor.grad is None:
        return
    if set_to_none:
        tensor.grad = None
    else:
        if tensor.grad.grad_fn is not None:
            tensor.grad.detach_()
        else:
            tensor.grad.requires_grad_(False)
        tensor.grad.zero_()


def _load_one(param: Tensor, value: Any, key: str, assign: bool) -> Optional[str]:
    """Check a state_dict entry against ``param`` and (unless ``assign``, where
    the caller puts it in ``param``'s place) copy it in; the error message, or None."""
    if not isinstance(value, Tensor):
        return (f'While copying the parameter named "{key}", expected torch.Tensor or '
                f"Tensor-like object from checkpoint but received {type(value)}")
    if param.dim() == 0 and value.dim() == 1 and value.shape[0] == 1:
        value = value[0]  # a 1-element vector saved by PyTorch 0.3 for a scalar
    if value.shape != param.shape:
        return (f"size mismatch for {key}: copying a param with shape {value.shape} from "
                f"checkpoint, the shape in current model is {param.shape}.")
    if assign:
        return None
    try:
        with no_grad():
            param.copy_(value)
    except Exception as error:  # noqa: BLE001 - reported with the others, as PyTorch does
        return (f'While copying the parameter named "{key}", whose dimensions in the model '
                f"are {param.size()} and whose dimensions in the checkpoint are "
                f"{value.size()}, an exception occurred : {error.args}.")
    return None


def _assigned(param: Tensor, value: Tensor) -> Tensor:
    """What ``load_state_dict(assign=True)`` puts in place of ``param``: ``value``
    itself, made a Parameter if ``param`` was one, keeping ``param``'s requires_grad."""
    if not isinstance(param, Parameter):
        return value
    if not isinstance(value, Parameter):
        return Parameter(value, requires_grad=param.requires_grad)
    return value.requires_grad_(param.requires_grad)
