"""The Tensor: a NumPy array plus the bookkeeping autograd needs.

PyTorch counterpart: ``torch.Tensor`` (``torch/_tensor.py`` and the C++
``TensorImpl``/``AutogradMeta`` behind it).

A microgrid Tensor holds

* ``_data``: the NumPy array with the values (its storage);
* ``requires_grad``: should gradients flow to this tensor?
* ``grad_fn``: the graph node that computed it (``None`` for a *leaf*, a
  tensor the user created);
* ``grad``: for leaves that require grad, the gradient the last ``backward()``
  accumulated;
* a version counter, shared with every tensor that shares its storage, bumped
  by in-place ops, so that backward can detect a saved value that changed.

The methods here are thin: arithmetic and reductions call the op functions in
``ops/``, where each op's forward and backward are written side by side.

This is the one import cycle in microgrid, the one every tensor library has:
the ops take and make Tensors (they import this module), and the Tensor's
methods call the ops (this module imports ``ops/``, ``_creation`` and
``autograd.api`` for ``backward``, at its end, once ``Tensor`` exists).  Every
other import points down (``tests/test_layers.py``).

Read next: ``_creation.py``.
"""

from __future__ import annotations

import builtins
import warnings
import weakref
from typing import Any, List, Optional, Sequence, Union

import numpy as np

from . import _device, _dtype, _messages
from ._arguments import as_bool, as_dtype, as_int, as_size
from ._dtype import Size, dtype

Number = Union[builtins.int, builtins.float, builtins.bool]
_new_size = tuple.__new__


class VersionCounter:
    """How many times a storage was modified in place (shared by its views)."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = 0

    def bump(self) -> None:
        self.value += 1


class Tensor:
    """An n-dimensional array that can record the operations applied to it.

    Its ``__module__`` is ``"microgrid"``, the package that exports it, as
    PyTorch sets ``torch.Tensor.__module__`` to ``"torch"``: ``print(type(t))``
    shows ``<class 'microgrid.Tensor'>``, the name a program can use.  When
    microgrid stands in for torch (``python -m compare``'s import alias), the
    alias renames it ``"torch"``, so the line prints ``<class 'torch.Tensor'>``
    as under PyTorch; nothing else about the class changes (see ``compare/alias.py``)."""

    __module__ = "microgrid"

    # Class-level defaults, so that making a tensor only has to set _data.
    _grad_fn: Any = None
    _requires_grad = False
    _grad: Optional["Tensor"] = None
    _version_counter: Optional[VersionCounter] = None
    _grad_accumulator: Optional[weakref.ref] = None
    _base: Optional["Tensor"] = None
    _hooks: Sequence[Any] = ()  # a leaf's gradient hooks (a list once one is registered)
    # A view made with grad mode on: the storage version its grad_fn is for
    # (None for other tensors); a view made under no_grad is flagged instead.
    # See autograd/graph.py: mark_view, and ops/inplace.py: refresh_view.
    _view_version: Optional[builtins.int] = None
    _no_grad_view = False
    _inference = False  # made in inference mode
    _output_nr = 0  # which output of grad_fn this is (unbind's slices: 0, 1, ...)
    _efficient_zero = False  # a gradient known to be zero (autograd/graph.py: zero_gradient)
    _post_accumulate_hooks: Sequence[Any] = ()  # register_post_accumulate_grad_hook's

    # PyTorch's value: NumPy scalars on the left of an operator defer to us.
    __array_priority__ = 1000

    def __init__(self, *args: Any) -> None:
        """The legacy constructor: ``Tensor([1, 2])`` (float32 data: the
        default dtype) or ``Tensor(2, 3)`` (of that shape, zero-filled)."""
        from ._creation import legacy_new

        self._data = legacy_new(args, _dtype.default_float)

    # docs/tour.md, stop 2: quoted there; keep the two in step.
    @classmethod
    def _make(cls, data: np.ndarray, grad_fn: Any = None) -> "Tensor":
        """Wrap an array without copying it (the internal constructor)."""
        tensor = object.__new__(cls)
        tensor._data = data
        if grad_fn is not None:
            tensor._grad_fn = grad_fn
            tensor._requires_grad = True
        if _seen.inference and _grad_mode.inference:  # speed (performance.md §12)
            tensor._inference = True
        return tensor

    # -- autograd attributes ---------------------------------------------
    @property
    def grad_fn(self) -> Any:
        """The node that computed this tensor: None for a leaf."""
        if self._view_version is not None:
            self._sync_view()
        return self._grad_fn

    def _sync_view(self) -> None:
        """A view whose storage was changed in place since its grad_fn was
        made gets a new one, like PyTorch's (``ops/inplace.py: refresh_view``)."""
        if self._view_version is not None and self._view_version != self._version_counter.value:
            _inplace.refresh_view(self)

    @property
    def requires_grad(self) -> bool:
        """Whether gradients flow to this tensor (True for any computed
        tensor whose inputs required grad)."""
        if self._view_version is not None:
            self._sync_view()
        return self._requires_grad

    @requires_grad.setter
    def requires_grad(self, flag: bool) -> None:
        if type(flag) is not builtins.bool:
            raise RuntimeError("requires_grad must be a bool")
        if self.grad_fn is not None:
            raise RuntimeError(_requires_grad_leaf_error(flag))
        if flag and not self.dtype.is_floating_point:
            raise RuntimeError(
                "only Tensors of floating point and complex dtype can require gradients")
        self._requires_grad = builtins.bool(flag)

    def requires_grad_(self, requires_grad: bool = True) -> "Tensor":
        """Set ``requires_grad`` in place and return ``self`` (a no-op for a
        computed tensor asked to keep requiring grad)."""
        as_bool(requires_grad, "requires_grad_", "requires_grad", 1)
        if self.grad_fn is not None and not requires_grad:
            raise RuntimeError(_requires_grad_leaf_error(requires_grad))
        if requires_grad and not self.dtype.is_floating_point:
            raise RuntimeError("only Tensors of floating point dtype can require gradients")
        if self.grad_fn is None:
            self._requires_grad = builtins.bool(requires_grad)
        return self

    @property
    def is_leaf(self) -> bool:
        """True for tensors not computed by a recorded op (they have no grad_fn)."""
        return self.grad_fn is None

    @property
    def grad(self) -> Optional["Tensor"]:
        """The gradient accumulated by ``backward()``, or None.  Only leaves
        get one, and non-leaves that called :meth:`retain_grad`; reading it
        on another non-leaf warns, as in PyTorch."""
        if self._grad is None and self.grad_fn is not None and not self.retains_grad:
            warnings.warn(_messages.NON_LEAF_GRAD_WARNING, UserWarning, stacklevel=2)
        return self._grad

    @grad.setter
    def grad(self, value: Optional["Tensor"]) -> None:
        """Checked as PyTorch checks it: a tensor (not this one) of this
        tensor's dtype and shape, or None."""
        if value is not None:
            if not isinstance(value, Tensor):
                kind = type(value)
                name = kind.__name__ if kind.__module__ == "builtins" else (
                    f"{kind.__module__}.{kind.__qualname__}")
                raise TypeError(f"assigned grad expected to be a Tensor or None but got grad "
                                f"of type {name}")
            if value is self:
                raise RuntimeError("can't assign Variable as its own grad")
            if value._data.dtype != self._data.dtype:
                raise RuntimeError(_messages.GRAD_DTYPE.format(
                    got=_dtype.CPP_TYPE_NAMES[value._data.dtype.name],
                    want=_dtype.LEGACY_TYPE_NAMES[self._data.dtype.name]))
            if value.shape != self.shape:
                raise RuntimeError(
                    f"attempting to assign a gradient of size '{list(value.shape)}' to a tensor "
                    f"of size '{list(self.shape)}'. Please ensure that the gradient and the "
                    "tensor are the same size")
        self._grad = value

    @grad.deleter
    def grad(self) -> None:
        self._grad = None

    def retain_grad(self) -> None:
        """Keep the gradient of this non-leaf tensor in ``.grad`` during
        backward (leaves keep theirs anyway: a no-op for them)."""
        if not self.requires_grad:
            raise RuntimeError("can't retain_grad on Tensor that has requires_grad=False")
        if self.grad_fn is not None and not self.retains_grad:
            self.grad_fn.retain(self)

    @property
    def retains_grad(self) -> bool:
        """True for a non-leaf tensor that called :meth:`retain_grad`."""
        fn = self.grad_fn
        return fn is not None and fn.retains(self)

    @property
    def data(self) -> "Tensor":
        """The same storage as a tensor outside the graph (requires_grad False).

        Changes made through ``.data`` are invisible to autograd: it has its
        own version counter.  Prefer ``detach()``, which shares the counter.
        """
        return Tensor._make(self._data)

    @data.setter
    def data(self, value: "Tensor") -> None:
        if not isinstance(value, Tensor):
            raise TypeError(f"Variable data has to be a tensor, but got {type(value).__name__}")
        if self._requires_grad and not value.dtype.is_floating_point:
            raise RuntimeError("data set to a tensor that requires gradients must be floating "
                               "point or complex dtype")
        self._data = value._data

    def detach(self) -> "Tensor":
        """A tensor sharing this one's storage (and version counter), cut
        from the graph: no grad_fn, requires_grad False."""
        result = Tensor._make(self._data)
        result._version_counter = self._counter()
        return result

    def _counter(self) -> VersionCounter:
        """This storage's version counter, created on first use."""
        if self._version_counter is None:
            self._version_counter = VersionCounter()
        return self._version_counter

    @property
    def _version(self) -> builtins.int:
        """How many in-place changes this storage has seen."""
        return 0 if self._version_counter is None else self._version_counter.value

    # docs/tour.md, stop 9: quoted there; keep the two in step.
    def backward(self, gradient: Optional["Tensor"] = None, retain_graph: Optional[bool] = None,
                 create_graph: bool = False, inputs: Optional[Sequence["Tensor"]] = None) -> None:
        """Compute the gradient of this tensor with respect to every leaf that
        requires grad, and accumulate it into their ``.grad``."""
        _autograd_api.backward(self, gradient, retain_graph=retain_graph,
                               create_graph=create_graph, inputs=inputs)

    def register_hook(self, hook: Any) -> Any:
        """Call ``hook(grad)`` whenever the gradient of this tensor is computed;
        the hook may return a tensor to use instead.  Returns a handle whose
        ``remove()`` unregisters it."""
        from .autograd.hooks import RemovableHandle

        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            return self.grad_fn.add_tensor_pre_hook(hook, self._output_nr)
        if not self._hooks:
            self._hooks = []
        return RemovableHandle(self._hooks, hook)

    # -- shape and type --------------------------------------------------
    @property
    def shape(self) -> Size:
        """The size of each dimension, as a ``Size`` (a tuple)."""
        return _new_size(Size, self._data.shape)  # NumPy's sizes are ints: no checks

    def size(self, dim: Optional[builtins.int] = None) -> Union[Size, builtins.int]:
        """``shape``, or the size of one dimension."""
        if dim is None:
            return self.shape
        return self._data.shape[_wrap_dim(dim, self._data.ndim)]

    def dim(self) -> builtins.int:
        """The number of dimensions."""
        return self._data.ndim

    @property
    def ndim(self) -> builtins.int:
        return self._data.ndim

    def numel(self) -> builtins.int:
        """The number of elements."""
        return self._data.size

    nelement = numel

    @property
    def dtype(self) -> dtype:
        """The element type, e.g. ``microgrid.float32``."""
        return _dtype.from_numpy_dtype(self._data.dtype)

    def type(self, dtype: Any = None) -> Union[str, "Tensor"]:
        """With no argument, PyTorch's legacy type name (``'torch.FloatTensor'``);
        with a dtype, the tensor converted to it."""
        if dtype is None:
            return f"torch.{_dtype.LEGACY_TYPE_NAMES[self._data.dtype.name]}Tensor"
        return self.to(_dtype.from_type_argument(dtype))

    def to(self, *args: Any, dtype: Optional[dtype] = None, device: Any = None,
           copy: builtins.bool = False) -> "Tensor":
        """This tensor converted to a dtype (itself if nothing changes and
        ``copy`` is False).  Accepts PyTorch's forms: ``to(dtype)``,
        ``to(device)``, ``to(device, dtype)``, ``to(other_tensor)``."""
        for arg in args:
            if isinstance(arg, _dtype.dtype) or arg in (builtins.float, builtins.int,
                                                        builtins.bool):
                dtype = as_dtype(arg, "to")
            elif isinstance(arg, Tensor):
                dtype = arg.dtype
            elif isinstance(arg, (str, _device.device)) or arg is None:
                device = arg
            else:
                raise TypeError(_messages.to_invalid_combination(f"({type(arg).__name__})"))
        if dtype in (builtins.float, builtins.int, builtins.bool):
            dtype = as_dtype(dtype, "to")
        elif dtype is not None and not isinstance(dtype, _dtype.dtype):
            raise TypeError(_messages.to_invalid_combination(f"(dtype={type(dtype).__name__}, )"))
        if device is not None:
            _device.require_cpu(device)  # only the CPU holds tensors: anything else raises
        if dtype is None or dtype.numpy_dtype == self._data.dtype:
            return self.clone() if copy else self
        return _pointwise.to_dtype(self, dtype)

    @property
    def device(self) -> "_device.device":
        """Where the data lives: always the CPU."""
        return _device.CPU

    @property
    def is_cuda(self) -> builtins.bool:
        return False

    def cpu(self) -> "Tensor":
        """This tensor (it already lives on the CPU)."""
        return self

    def float(self) -> "Tensor":
        return self.to(_dtype.float32)

    def double(self) -> "Tensor":
        return self.to(_dtype.float64)

    def half(self) -> "Tensor":
        return self.to(_dtype.float16)

    def long(self) -> "Tensor":
        return self.to(_dtype.int64)

    def int(self) -> "Tensor":
        return self.to(_dtype.int32)

    def bool(self) -> "Tensor":
        return self.to(_dtype.bool)

    def clone(self) -> "Tensor":
        """A copy with its own storage; gradients flow back to the original."""
        return _pointwise.clone(self)

    # -- getting the values out ------------------------------------------
    def item(self) -> Number:
        """The value of a one-element tensor as a Python number."""
        if self._data.size != 1:
            raise RuntimeError(f"a Tensor with {self._data.size} elements cannot be converted "
                               "to Scalar")
        return self._data.item()

    def tolist(self) -> Union[List[Any], Number]:
        """The values as (nested) Python lists of numbers."""
        return self._data.tolist()

    def numpy(self) -> np.ndarray:
        """The values as a NumPy array sharing this tensor's memory."""
        if self._requires_grad:
            raise RuntimeError("Can't call numpy() on Tensor that requires grad. Use "
                               "tensor.detach().numpy() instead.")
        return self._data.view()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        array = self.numpy()
        return array if dtype is None else array.astype(dtype, copy=False)

    def __len__(self) -> builtins.int:
        if self._data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return self._data.shape[0]

    def __bool__(self) -> builtins.bool:
        if self._data.size != 1:
            raise RuntimeError("Boolean value of Tensor with more than one value is ambiguous")
        return builtins.bool(self._data.item())

    def __float__(self) -> builtins.float:
        return builtins.float(self._scalar())

    def __int__(self) -> builtins.int:
        return builtins.int(self._scalar())

    def _scalar(self) -> Number:
        """The one element, for ``float(t)`` and ``int(t)`` (their error differs from item's)."""
        if self._data.size != 1:
            raise ValueError("only one element tensors can be converted to Python scalars")
        return self._data.item()

    def __hash__(self) -> builtins.int:
        return id(self)

    def __repr__(self) -> str:
        return _tensor_str.tensor_repr(self)

    def __format__(self, format_spec: str) -> str:
        if self._data.ndim == 0:
            return self.item().__format__(format_spec)
        return object.__format__(self, format_spec)

    # -- in place (see ops/inplace.py) ------------------------------------
    # Each is the out-of-place op, written back into this tensor's storage.
    def add_(self, other: Any, *, alpha: Number = 1) -> "Tensor":
        return _inplace.inplace(self, _pointwise.add, other, alpha=alpha)

    def sub_(self, other: Any, *, alpha: Number = 1) -> "Tensor":
        return _inplace.inplace(self, _pointwise.sub, other, alpha=alpha)

    def mul_(self, other: Any) -> "Tensor":
        return _inplace.inplace(self, _pointwise.mul, other)

    def div_(self, other: Any, **rounding_mode: Any) -> "Tensor":
        return _inplace.inplace(self, _pointwise.div, other, **rounding_mode)

    def pow_(self, exponent: Any) -> "Tensor":
        return _inplace.inplace(self, _pointwise.pow, exponent)

    def clamp_(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002
        return _inplace.inplace(self, _pointwise.clamp, min, max)

    clip_ = clamp_

    def clamp_min_(self, min: Any) -> "Tensor":  # noqa: A002
        return _inplace.inplace(self, _pointwise.clamp_min, min)

    def clamp_max_(self, max: Any) -> "Tensor":  # noqa: A002
        return _inplace.inplace(self, _pointwise.clamp_max, max)

    def neg_(self) -> "Tensor":
        return _inplace.inplace(self, _pointwise.neg)

    def reciprocal_(self) -> "Tensor":
        return _inplace.inplace(self, _pointwise.reciprocal)

    def exp_(self) -> "Tensor":
        return _inplace.inplace(self, _pointwise.exp)

    def log_(self) -> "Tensor":
        return _inplace.inplace(self, _pointwise.log)

    def sqrt_(self) -> "Tensor":
        return _inplace.inplace(self, _pointwise.sqrt)

    def abs_(self) -> "Tensor":
        return _inplace.inplace(self, _pointwise.abs)

    def sign_(self) -> "Tensor":
        return _inplace.inplace(self, _pointwise.sign)

    def sin_(self) -> "Tensor":
        return _inplace.inplace(self, _pointwise.sin)

    def cos_(self) -> "Tensor":
        return _inplace.inplace(self, _pointwise.cos)

    def tanh_(self) -> "Tensor":
        return _inplace.inplace(self, _pointwise.tanh)

    def sigmoid_(self) -> "Tensor":
        return _inplace.inplace(self, _pointwise.sigmoid)

    def relu_(self) -> "Tensor":
        return _inplace.inplace(self, _pointwise.relu)

    def zero_(self) -> "Tensor":
        """Fill with zeros, in place."""
        return _inplace.inplace(self, _inplace.zero)

    def fill_(self, value: Any) -> "Tensor":
        """Set every element to ``value`` (a number or a 0-d tensor), in place."""
        return _inplace.inplace(self, _inplace.fill, value)

    # -- random: the in-place fills, bernoulli and multinomial (ops/random.py) ---------
    # Each draws from ``generator`` or the default generator, exactly as PyTorch.
    def uniform_(self, from_: builtins.float = 0.0, to: builtins.float = 1.0, *,
                 generator: Any = None) -> "Tensor":
        """Fill with samples of the uniform distribution on [from_, to), in place."""
        from .ops import random as ops

        return _inplace.inplace(self, ops.uniform, from_, to, generator=generator)

    def normal_(self, mean: builtins.float = 0.0, std: builtins.float = 1.0, *,
                generator: Any = None) -> "Tensor":
        """Fill with samples of the normal distribution N(mean, std**2), in place."""
        from .ops import random as ops

        return _inplace.inplace(self, ops.normal_fill, mean, std, generator=generator)

    def random_(self, *bounds: Any, generator: Any = None, **named: Any) -> "Tensor":
        """Fill with integers: ``random_(to)`` in [0, to), ``random_(from, to)``,
        ``random_()`` in [0, largest value of the dtype (2**mantissa digits for floats)]."""
        from .ops import random as ops

        from_, to = named.get("from", bounds[0] if len(bounds) > 1 else 0), named.get("to")
        if len(bounds) == 1 and "from" not in named:
            to, node = bounds[0], ops.RandomBackward1
        else:
            to, node = (bounds[1] if len(bounds) > 1 else to), ops.RandomBackward0
        if not bounds and not named:
            from_ = None
        return _inplace.inplace(self, ops.random_fill, from_, to, generator=generator,
                                _node=node)

    def exponential_(self, lambd: builtins.float = 1.0, *, generator: Any = None) -> "Tensor":
        """Fill with samples of the exponential distribution of rate ``lambd``, in place."""
        from .ops import random as ops

        return _inplace.inplace(self, ops.exponential, lambd, generator=generator)

    def geometric_(self, p: builtins.float, *, generator: Any = None) -> "Tensor":
        """Fill with samples of the geometric distribution (trials to first success)."""
        from .ops import random as ops

        return _inplace.inplace(self, ops.geometric, p, generator=generator)

    def log_normal_(self, mean: builtins.float = 1.0, std: builtins.float = 2.0, *,
                    generator: Any = None) -> "Tensor":
        """Fill with exp of N(mean, std**2) samples, in place."""
        from .ops import random as ops

        return _inplace.inplace(self, ops.log_normal, mean, std, generator=generator)

    def cauchy_(self, median: builtins.float = 0.0, sigma: builtins.float = 1.0, *,
                generator: Any = None) -> "Tensor":
        """Fill with samples of the Cauchy distribution, in place."""
        from .ops import random as ops

        return _inplace.inplace(self, ops.cauchy, median, sigma, generator=generator)

    def bernoulli_(self, p: Any = 0.5, *, generator: Any = None) -> "Tensor":
        """Fill with 1 (probability ``p``, a number or a tensor) or 0, in place."""
        from .ops import random as ops

        return _inplace.inplace(self, ops.bernoulli_fill, p, generator=generator)

    def bernoulli(self, p: Any = None, *, generator: Any = None) -> "Tensor":
        """``torch.bernoulli(self)``: 1 with probability given by each element, else 0."""
        from .ops import random as ops

        return ops.bernoulli(self, p, generator=generator)

    def multinomial(self, num_samples: builtins.int, replacement: builtins.bool = False, *,
                    generator: Any = None) -> "Tensor":
        """``torch.multinomial(self, num_samples, replacement)``."""
        from .ops import random as ops

        return ops.multinomial(self, num_samples, replacement, generator=generator)
    # -- end of the random block ---------------------------------------------------------

    def copy_(self, src: Any, non_blocking: builtins.bool = False) -> "Tensor":
        """Overwrite with ``src`` (broadcast to this shape, converted to this dtype)."""
        return _inplace.copy_into(self, src)

    def __iadd__(self, other: Any) -> "Tensor":
        return self.add_(other)

    def __isub__(self, other: Any) -> "Tensor":
        return self.sub_(other)

    def __imul__(self, other: Any) -> "Tensor":
        return self.mul_(other)

    def __itruediv__(self, other: Any) -> "Tensor":
        return self.div_(other)

    def __setitem__(self, index: Any, value: Any) -> None:
        if value is None or isinstance(value, (str, bytes)):
            raise TypeError(f"can't assign a {type(value).__name__} to a {self.type()}")
        _inplace.setitem(self, index, value)

    def detach_(self) -> "Tensor":
        """Cut this tensor from the graph in place: no grad_fn, requires_grad False."""
        if self._base is not None:
            raise RuntimeError(
                "Can't detach views in-place. Use detach() instead. If you are using "
                "DistributedDataParallel (DDP) for training, and gradient_as_bucket_view is set "
                "as True, gradients are views of DDP buckets, and hence detach_() cannot be "
                "called on these gradients. To fix this error, please refer to the "
                "Optimizer.zero_grad() function in torch/optim/optimizer.py as the solution.")
        self._grad_fn = None
        self._requires_grad = False
        return self

    def is_inference(self) -> builtins.bool:
        """True for a tensor made in inference mode."""
        return self._inference

    # -- arithmetic (see ops/pointwise.py) ---------------------------------
    # Operators return NotImplemented for operands that are not numbers, so
    # that Python raises its usual TypeError (``x + "a"``), or falls back to
    # identity for ``x == None``, as it does with PyTorch tensors.
    def add(self, other: Any, *, alpha: Number = 1) -> "Tensor":
        return _pointwise.add(self, other, alpha=alpha)

    def sub(self, other: Any, *, alpha: Number = 1) -> "Tensor":
        return _pointwise.sub(self, other, alpha=alpha)

    def mul(self, other: Any) -> "Tensor":
        return _pointwise.mul(self, other)

    def div(self, other: Any, **rounding_mode: Any) -> "Tensor":
        """``self / other``; ``rounding_mode='trunc'`` or ``'floor'`` rounds."""
        return _pointwise.div(self, other, **rounding_mode)

    def pow(self, exponent: Any) -> "Tensor":
        return _pointwise.pow(self, exponent)

    def maximum(self, other: "Tensor") -> "Tensor":
        return _pointwise.maximum(self, other)

    def minimum(self, other: "Tensor") -> "Tensor":
        return _pointwise.minimum(self, other)

    def reciprocal(self) -> "Tensor":
        return _pointwise.reciprocal(self)

    def neg(self) -> "Tensor":
        return _pointwise.neg(self)

    def exp(self) -> "Tensor":
        return _pointwise.exp(self)

    def log(self) -> "Tensor":
        return _pointwise.log(self)

    def sqrt(self) -> "Tensor":
        return _pointwise.sqrt(self)

    def abs(self) -> "Tensor":
        return _pointwise.abs(self)

    def sign(self) -> "Tensor":
        return _pointwise.sign(self)

    def sgn(self) -> "Tensor":
        return _pointwise.sgn(self)

    def sin(self) -> "Tensor":
        return _pointwise.sin(self)

    def cos(self) -> "Tensor":
        return _pointwise.cos(self)

    def tanh(self) -> "Tensor":
        return _pointwise.tanh(self)

    def sigmoid(self) -> "Tensor":
        return _pointwise.sigmoid(self)

    def relu(self) -> "Tensor":
        return _pointwise.relu(self)

    def clamp(self, min: Any = None, max: Any = None) -> "Tensor":  # noqa: A002
        return _pointwise.clamp(self, min, max)

    clip = clamp

    def clamp_min(self, min: Any) -> "Tensor":  # noqa: A002
        return _pointwise.clamp_min(self, min)

    def clamp_max(self, max: Any) -> "Tensor":  # noqa: A002
        return _pointwise.clamp_max(self, max)

    def masked_fill(self, mask: "Tensor", value: Any) -> "Tensor":
        """``self`` with ``value`` where ``mask`` is True."""
        return _pointwise.masked_fill(self, mask, value)

    def where(self, condition: "Tensor", other: Any) -> "Tensor":
        """``self`` where ``condition``, else ``other``."""
        return _pointwise.where(condition, self, other)

    def eq(self, other: Any) -> "Tensor":
        return _pointwise.eq(self, other)

    def ne(self, other: Any) -> "Tensor":
        return _pointwise.ne(self, other)

    def gt(self, other: Any) -> "Tensor":
        return _pointwise.gt(self, other)

    def lt(self, other: Any) -> "Tensor":
        return _pointwise.lt(self, other)

    def ge(self, other: Any) -> "Tensor":
        return _pointwise.ge(self, other)

    def le(self, other: Any) -> "Tensor":
        return _pointwise.le(self, other)

    def logical_and(self, other: "Tensor") -> "Tensor":
        return _pointwise.logical_and(self, other)

    def logical_or(self, other: "Tensor") -> "Tensor":
        return _pointwise.logical_or(self, other)

    def logical_xor(self, other: "Tensor") -> "Tensor":
        return _pointwise.logical_xor(self, other)

    def logical_not(self) -> "Tensor":
        return _pointwise.logical_not(self)

    def __add__(self, other: Any) -> Any:
        return _pointwise.add(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __radd__(self, other: Any) -> Any:
        return _pointwise.add(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __sub__(self, other: Any) -> Any:
        return _pointwise.sub(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __rsub__(self, other: Any) -> Any:
        return _pointwise.rsub(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    # docs/tour.md, stop 3: quoted there; keep the two in step.
    def __mul__(self, other: Any) -> Any:
        return _pointwise.mul(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __rmul__(self, other: Any) -> Any:
        return _pointwise.mul(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __truediv__(self, other: Any) -> Any:
        return _pointwise.div(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __rtruediv__(self, other: Any) -> Any:
        return _pointwise.rdiv(self, other) if isinstance(other, _OPERANDS) else NotImplemented

    def __pow__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.pow, self, other)

    def __rpow__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.pow, self, other, swap=True)

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return _pointwise.operator(_pointwise.eq, self, other, arrays=True)

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return _pointwise.operator(_pointwise.ne, self, other)

    def __gt__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.gt, self, other)

    def __lt__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.lt, self, other)

    def __ge__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.ge, self, other)

    def __le__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.le, self, other)

    def __neg__(self) -> "Tensor":
        return _pointwise.neg(self)

    def __array_wrap__(self, array: np.ndarray) -> "Tensor":
        """NumPy computed ``array + tensor`` through ``__array__``: the result
        becomes a tensor again (bool as uint8), as PyTorch's does."""
        return Tensor._make(array.astype(np.uint8) if array.dtype == np.bool_ else array)

    def __abs__(self) -> "Tensor":
        return _pointwise.abs(self)

    # -- reductions (see ops/reduction.py) -------------------------------
    def sum(self, dim: Any = None, keepdim: builtins.bool = False,
            dtype: Optional[dtype] = None) -> "Tensor":
        return _reduction.sum(self, dim, as_bool(keepdim, "sum", "keepdim"),
                              dtype=as_dtype(dtype, "sum"))

    def mean(self, dim: Any = None, keepdim: builtins.bool = False,
             dtype: Optional[dtype] = None) -> "Tensor":
        return _reduction.mean(self, dim, as_bool(keepdim, "mean", "keepdim"),
                               dtype=as_dtype(dtype, "mean"))

    def max(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """The largest element, or ``(values, indices)`` along ``dim``."""
        return _reduction.max(self, dim, keepdim)

    def min(self, dim: Any = None, keepdim: builtins.bool = False) -> Any:
        """The smallest element, or ``(values, indices)`` along ``dim``."""
        return _reduction.min(self, dim, keepdim)

    def argmax(self, dim: Optional[builtins.int] = None,
               keepdim: builtins.bool = False) -> "Tensor":
        return _reduction.argmax(self, dim, keepdim)

    def argmin(self, dim: Optional[builtins.int] = None,
               keepdim: builtins.bool = False) -> "Tensor":
        return _reduction.argmin(self, dim, keepdim)

    def var(self, dim: Any = None, unbiased: Optional[builtins.bool] = None,
            keepdim: builtins.bool = False, *, correction: Any = None) -> "Tensor":
        return _reduction.var(self, dim, unbiased, keepdim, correction=correction)

    def std(self, dim: Any = None, unbiased: Optional[builtins.bool] = None,
            keepdim: builtins.bool = False, *, correction: Any = None) -> "Tensor":
        return _reduction.std(self, dim, unbiased, keepdim, correction=correction)

    def logsumexp(self, dim: Any = None, keepdim: builtins.bool = False) -> "Tensor":
        return _reduction.logsumexp(self, dim, keepdim)

    def softmax(self, dim: Optional[builtins.int] = None,
                dtype: Optional[dtype] = None) -> "Tensor":
        return _reduction.softmax(self, dim, dtype)

    def log_softmax(self, dim: Optional[builtins.int] = None,
                    dtype: Optional[dtype] = None) -> "Tensor":
        return _reduction.log_softmax(self, dim, dtype)

    # -- shape (see ops/shape.py) ------------------------------------------
    def expand(self, *sizes: Any) -> "Tensor":
        return _shape.expand(self, as_size(sizes, "expand"))

    def reshape(self, *shape: Any) -> "Tensor":
        return _shape.reshape(self, as_size(shape, "reshape", "shape"))

    def view(self, *shape: Any) -> "Tensor":
        if len(shape) == 1 and isinstance(shape[0], dtype):
            return _shape.view(self, *shape)
        return _shape.view(self, as_size(shape, "view", overloads=_VIEW_OVERLOADS))

    def expand_as(self, other: "Tensor") -> "Tensor":
        return _shape.expand_as(self, other)

    def flatten(self, start_dim: builtins.int = 0, end_dim: builtins.int = -1) -> "Tensor":
        return _shape.flatten(self, start_dim, end_dim)

    def t(self) -> "Tensor":
        return _shape.t(self)

    @property
    def T(self) -> "Tensor":  # noqa: N802 - torch's name
        """All dims reversed (the transpose, for a matrix)."""
        return _shape.numpy_t(self)

    @property
    def mT(self) -> "Tensor":  # noqa: N802 - torch's name
        """The last two dims swapped (each matrix of a batch transposed)."""
        return _shape.matrix_transpose(self)

    def transpose(self, dim0: builtins.int, dim1: builtins.int) -> "Tensor":
        return _shape.transpose(self, as_int(dim0, "transpose", "dim0", 1),
                                as_int(dim1, "transpose", "dim1", 2))

    def permute(self, *dims: Any) -> "Tensor":
        return _shape.permute(self, *dims)

    def squeeze(self, dim: Any = None) -> "Tensor":
        return _shape.squeeze(self, dim)

    def unsqueeze(self, dim: builtins.int) -> "Tensor":
        return _shape.unsqueeze(self, as_int(dim, "unsqueeze", "dim", 1))

    def contiguous(self) -> "Tensor":
        return _shape.contiguous(self)

    def is_contiguous(self) -> builtins.bool:
        """Are the elements laid out in row-major order, without gaps?"""
        return builtins.bool(self._data.flags.c_contiguous)

    def unbind(self, dim: builtins.int = 0) -> tuple:
        return _shape.unbind(self, dim)

    def __iter__(self) -> Any:
        return _shape.iterate(self)

    # -- linear algebra (see ops/linalg.py) --------------------------------
    def matmul(self, other: "Tensor") -> "Tensor":
        return _linalg.matmul(self, other)

    def __matmul__(self, other: Any) -> "Tensor":
        if not isinstance(other, Tensor):
            return NotImplemented
        return _linalg.matmul(self, other)

    def __rmatmul__(self, other: Any) -> "Tensor":
        if not isinstance(other, Tensor):
            return NotImplemented
        return _linalg.matmul(other, self)

    def mm(self, mat2: "Tensor") -> "Tensor":
        return _linalg.mm(self, mat2)

    def mv(self, vec: "Tensor") -> "Tensor":
        return _linalg.mv(self, vec)

    def dot(self, tensor: "Tensor") -> "Tensor":
        return _linalg.dot(self, tensor)

    def bmm(self, mat2: "Tensor") -> "Tensor":
        return _linalg.bmm(self, mat2)

    def outer(self, vec2: "Tensor") -> "Tensor":
        return _linalg.outer(self, vec2)

    # -- indexing (see ops/indexing.py) ------------------------------------
    def __getitem__(self, index: Any) -> "Tensor":
        return _indexing.getitem(self, index)

    def __index__(self) -> builtins.int:
        """A one-element integer tensor used where Python wants an int (``a[:t]``)."""
        if self._data.size != 1 or self._data.dtype.kind not in "biu":
            raise TypeError("only integer tensors of a single element can be converted to an "
                            "index")
        return builtins.int(self._data.item())

    def select(self, dim: builtins.int, index: builtins.int) -> "Tensor":
        return _indexing.select(self, dim, index)

    def narrow(self, dim: builtins.int, start: builtins.int, length: builtins.int) -> "Tensor":
        return _indexing.narrow(self, dim, start, length)

    # -- more of the surface learners use: math, scans, norms, new_*, devices ---------------
    # Ops in ops/pointwise.py and ops/reduction.py (their last sections); NumPy's
    # keyword names (axis=, keepdims=) are added at the end of this file.
    def log10(self) -> "Tensor":
        return _pointwise.log10(self)

    def log2(self) -> "Tensor":
        return _pointwise.log2(self)

    def log1p(self) -> "Tensor":
        return _pointwise.log1p(self)

    def expm1(self) -> "Tensor":
        return _pointwise.expm1(self)

    def isclose(self, other: "Tensor", rtol: builtins.float = 1e-05,
                atol: builtins.float = 1e-08, equal_nan: builtins.bool = False) -> "Tensor":
        return _pointwise.isclose(self, other, rtol, atol, equal_nan)

    def allclose(self, other: "Tensor", rtol: builtins.float = 1e-05,
                 atol: builtins.float = 1e-08, equal_nan: builtins.bool = False) -> builtins.bool:
        return _pointwise.allclose(self, other, rtol, atol, equal_nan)

    def equal(self, other: "Tensor") -> builtins.bool:
        return _pointwise.equal(self, other)

    def cumsum(self, dim: Any = None, *, dtype: Optional[dtype] = None) -> "Tensor":
        return _reduction.cumsum(self, dim, dtype=dtype)

    def cumprod(self, dim: Any = None, *, dtype: Optional[dtype] = None) -> "Tensor":
        return _reduction.cumprod(self, dim, dtype=dtype)

    def flip(self, *dims: Any) -> "Tensor":
        return _reduction.flip(self, dims[0] if len(dims) == 1 else dims)

    def all(self, dim: Any = None, keepdim: builtins.bool = False) -> "Tensor":
        return _reduction.all(self, dim, keepdim)

    def any(self, dim: Any = None, keepdim: builtins.bool = False) -> "Tensor":
        return _reduction.any(self, dim, keepdim)

    def norm(self, p: Any = "fro", dim: Any = None, keepdim: builtins.bool = False,
             dtype: Optional[dtype] = None) -> "Tensor":
        return _reduction.norm(self, p, dim, keepdim, dtype)

    def histc(self, bins: builtins.int = 100, min: Any = 0, max: Any = 0) -> "Tensor":  # noqa: A002
        return _reduction.histc(self, bins, min, max)

    def histogram(self, bins: Any = 100, *, range: Any = None, weight: Any = None,  # noqa: A002
                  density: builtins.bool = False) -> Any:
        return _reduction.histogram(self, bins, range=range, weight=weight, density=density)

    # new_*: a new leaf with this tensor's dtype (and device) unless told otherwise.
    def new_tensor(self, data: Any, dtype: Optional[dtype] = None, device: Any = None,
                   requires_grad: builtins.bool = False) -> "Tensor":
        """A copy of ``data`` with this tensor's dtype (its own when ``data`` is a tensor)."""
        if isinstance(data, Tensor):
            warnings.warn(_messages.NEW_TENSOR_COPY_WARNING, UserWarning, stacklevel=2)
            data = data._data
        return _creation._leaf(_creation._array_from_data(data, dtype or self.dtype), None,
                               requires_grad, device)

    def new_full(self, size: Any, fill_value: Any, *, dtype: Optional[dtype] = None,
                 device: Any = None, requires_grad: builtins.bool = False) -> "Tensor":
        return _creation.full(size, fill_value, dtype=dtype or self.dtype, device=device,
                              requires_grad=requires_grad)

    def new_zeros(self, *sizes: Any, size: Any = None, dtype: Optional[dtype] = None,
                  device: Any = None, requires_grad: builtins.bool = False) -> "Tensor":
        return _creation.zeros(*sizes, size=size, dtype=dtype or self.dtype, device=device,
                               requires_grad=requires_grad)

    def new_ones(self, *sizes: Any, size: Any = None, dtype: Optional[dtype] = None,
                 device: Any = None, requires_grad: builtins.bool = False) -> "Tensor":
        return _creation.ones(*sizes, size=size, dtype=dtype or self.dtype, device=device,
                              requires_grad=requires_grad)

    def new_empty(self, *sizes: Any, size: Any = None, dtype: Optional[dtype] = None,
                  device: Any = None, requires_grad: builtins.bool = False) -> "Tensor":
        return _creation.empty(*sizes, size=size, dtype=dtype or self.dtype, device=device,
                               requires_grad=requires_grad)

    def cuda(self, device: Any = None, non_blocking: builtins.bool = False) -> "Tensor":
        """Raises as PyTorch's CPU-only build does: there is no GPU."""
        _device.require_cpu("cuda")
        return self  # never reached
    # -- end of the surface block ------------------------------------------------------------

    # -- copying, pickling, ``in`` (PyTorch's torch/_tensor.py) ----------------------------
    def __reduce_ex__(self, protocol: Any) -> Any:
        """Pickling keeps the values, the dtype, the class and ``requires_grad``,
        never the graph nor ``.grad``: a computed tensor loads back as a leaf,
        as in PyTorch.  (The array is the tensor's own: ``copy.copy`` shares it.)"""
        if self._hooks:
            for hook in self._hooks:
                warnings.warn(f"backward hook {hook} on tensor will not be serialized.  If this "
                              "is expected, you can decorate the function with "
                              "@torch.utils.hooks.unserializable_hook to suppress this warning",
                              UserWarning, stacklevel=2)
        return _rebuild_tensor, (type(self), self._data, self.requires_grad)

    def __deepcopy__(self, memo: dict) -> "Tensor":
        """A leaf with its own copy of the values and of ``.grad``; views
        copied together keep sharing memory (NumPy's deepcopy would not).
        A computed tensor is refused, as PyTorch refuses it."""
        if self.grad_fn is not None:
            raise RuntimeError(_messages.DEEPCOPY_NON_LEAF)
        if id(self) not in memo:
            result = type(self)._make(_deepcopy_array(self._data, memo))
            result._requires_grad = self._requires_grad
            if self._grad is not None:
                result._grad = self._grad.__deepcopy__(memo)
            memo[id(self)] = result
        return memo[id(self)]

    def __contains__(self, element: Any) -> builtins.bool:
        """``value in t``: is any element equal to it (a number or a tensor)?"""
        if not isinstance(element, (Tensor, builtins.int, builtins.float, builtins.bool)):
            raise RuntimeError("Tensor.__contains__ only supports Tensor or scalar, but you "
                               f"passed in a {type(element)}.")
        return builtins.bool((self == element)._data.any())

    # //, %, ~, &, |, ^ and their reflected and in-place forms (ops/pointwise.py, its end)
    def floor_divide(self, other: Any) -> "Tensor":
        return _pointwise.floor_divide(self, other)

    def remainder(self, other: Any) -> "Tensor":
        return _pointwise.remainder(self, other)

    def bitwise_not(self) -> "Tensor":
        return _pointwise.bitwise_not(self)

    def bitwise_and(self, other: Any) -> "Tensor":
        return _pointwise.bitwise_and(self, other)

    def bitwise_or(self, other: Any) -> "Tensor":
        return _pointwise.bitwise_or(self, other)

    def bitwise_xor(self, other: Any) -> "Tensor":
        return _pointwise.bitwise_xor(self, other)

    def __floordiv__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.floor_divide, self, other)

    def __rfloordiv__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.floor_divide, self, other, swap=True)

    def __mod__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.remainder, self, other)

    def __rmod__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.remainder, self, other, swap=True)

    def __invert__(self) -> "Tensor":
        if self._data.dtype.kind == "f":
            raise TypeError("~ (operator.invert) is only implemented on integer and "
                            "Boolean-type tensors")
        return _pointwise.bitwise_not(self)

    def __and__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.bitwise_and, self, other)

    def __or__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.bitwise_or, self, other)

    def __xor__(self, other: Any) -> Any:
        return _pointwise.operator(_pointwise.bitwise_xor, self, other)

    __rand__, __ror__, __rxor__ = __and__, __or__, __xor__  # they commute

    def floor_divide_(self, other: Any) -> "Tensor":
        return _inplace.inplace(self, _pointwise.floor_divide, other)

    def remainder_(self, other: Any) -> "Tensor":
        return _inplace.inplace(self, _pointwise.remainder, other)

    def bitwise_and_(self, other: Any) -> "Tensor":
        return _inplace.inplace(self, _pointwise.bitwise_and, other)

    def bitwise_or_(self, other: Any) -> "Tensor":
        return _inplace.inplace(self, _pointwise.bitwise_or, other)

    def bitwise_xor_(self, other: Any) -> "Tensor":
        return _inplace.inplace(self, _pointwise.bitwise_xor, other)

    __ifloordiv__, __imod__ = floor_divide_, remainder_
    __iand__, __ior__, __ixor__ = bitwise_and_, bitwise_or_, bitwise_xor_

    def masked_fill_(self, mask: "Tensor", value: Any) -> "Tensor":
        return _inplace.inplace(self, _pointwise.masked_fill, mask, value)

    def is_floating_point(self) -> builtins.bool:
        return self._data.dtype.kind == "f"

    def register_post_accumulate_grad_hook(self, hook: Any) -> Any:
        """Call ``hook(tensor)`` after a backward pass accumulated into this
        leaf's ``.grad`` (PyTorch's, for optimizers that step per parameter)."""
        from .autograd.hooks import RemovableHandle

        if not self.requires_grad:
            raise RuntimeError("cannot register a hook on a tensor that doesn't require gradient")
        if self.grad_fn is not None:
            raise RuntimeError("post accumulate grad hooks cannot be registered on non-leaf "
                               "tensors")
        if "_post_accumulate_hooks" not in self.__dict__:
            self._post_accumulate_hooks = []
        return RemovableHandle(self._post_accumulate_hooks, hook)
    # -- end of the copying and operators block --------------------------------------------


def _rebuild_tensor(cls: type, data: np.ndarray, requires_grad: builtins.bool) -> Tensor:
    """The tensor ``Tensor.__reduce_ex__`` describes (PyTorch's ``_rebuild_tensor_v2``)."""
    tensor = cls._make(data)
    tensor._requires_grad = requires_grad
    return tensor


def _deepcopy_array(data: np.ndarray, memo: dict) -> np.ndarray:
    """A copy of ``data``; arrays that view one base are copied as views of one
    copy of it (PyTorch deep-copies the storage once), so sharing survives."""
    base = data
    while isinstance(base.base, np.ndarray):
        base = base.base
    if base.base is not None or not base.flags.c_contiguous:  # foreign memory, or unusual
        return data.copy()
    key = id(base)
    if key not in memo:
        memo[key] = base.copy()
        memo.setdefault(id(memo), []).append(base)  # keep base alive, as copy.deepcopy does
    copied = memo[key]
    offset = (data.__array_interface__["data"][0] - base.__array_interface__["data"][0])
    return np.ndarray(data.shape, data.dtype, buffer=copied, offset=offset,
                      strides=data.strides)


_VIEW_OVERLOADS = ("torch.dtype dtype", "tuple of ints size")


def _requires_grad_leaf_error(flag: builtins.bool) -> str:
    message = "you can only change requires_grad flags of leaf variables."
    if flag:
        return message
    return (message + " If you want to use a computed variable in a subgraph that doesn't "
            "require differentiation use var_no_grad = var.detach().")


def set_leaf_requires_grad(result: Tensor, requires_grad: builtins.bool) -> Tensor:
    """Give a freshly made leaf ``requires_grad=True`` (floating point only)."""
    if requires_grad:
        if not result.dtype.is_floating_point:
            raise RuntimeError(
                "Only Tensors of floating point and complex dtype can require gradients")
        result._requires_grad = True
    return result


def _wrap_dim(dim: builtins.int, ndim: builtins.int) -> builtins.int:
    """A dimension index with negatives counted from the end, checked like torch."""
    low, high = (-1, 0) if ndim == 0 else (-ndim, ndim - 1)
    if not low <= dim <= high:
        raise IndexError(f"Dimension out of range (expected to be in range of [{low}, {high}], "
                         f"but got {dim})")
    return dim % max(ndim, 1)


# Imported last: these modules use Tensor, and Tensor's methods call them.
from . import _creation, _tensor_str  # noqa: E402
from .autograd import api as _autograd_api  # noqa: E402
from .autograd.grad_mode import _grad_mode, _seen  # noqa: E402
from .ops import arguments as _arguments  # noqa: E402
from .ops import indexing as _indexing  # noqa: E402
from .ops import inplace as _inplace  # noqa: E402
from .ops import linalg as _linalg  # noqa: E402
from .ops import pointwise as _pointwise  # noqa: E402
from .ops import reduction as _reduction  # noqa: E402
from .ops import shape as _shape  # noqa: E402
from .ops.pointwise import OPERANDS as _OPERANDS  # noqa: E402

# -- NumPy's keyword names, which PyTorch's argument parser accepts ----------------------
# ``x.sum(axis=0, keepdims=True)`` is ``x.sum(dim=0, keepdim=True)`` in PyTorch.
for _name in (*_reduction.NUMPY_NAMED, "squeeze", "unsqueeze", "unbind"):
    setattr(Tensor, _name, _arguments.numpy_names(getattr(Tensor, _name)))

# -- issue 18: a call that fits none of an overloaded method's signatures ------------------
# gets PyTorch's TypeError listing them (``x.pow('a')``; ops/arguments.py, overloaded).
for _name in _arguments.overloaded_names(method=True):
    if _name in Tensor.__dict__:
        setattr(Tensor, _name, _arguments.overloaded(getattr(Tensor, _name), _name, method=True))
