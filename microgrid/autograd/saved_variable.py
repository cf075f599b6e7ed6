"""Saved tensors: what a node keeps from the forward pass for its backward.

PyTorch counterpart: ``SavedVariable`` (``torch/csrc/autograd/saved_variable.h``)
and the ``_saved_*`` attributes of a ``grad_fn``.

:class:`SavedTensors` is mixed into ``graph.Node``.  An op saves what its
backward formula reads (``MulBackward0`` saves ``x`` and ``y``), only what
a needed gradient reads (``saved_for``), input tensors with the version
they had (an in-place change since is PyTorch's error when backward reads
them), and the node's own output as a :class:`SavedOutput` (no cycle).
The engine frees them once the node has run.

Read next: ``hooks.py``.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Tuple, Union

import numpy as np

from .. import _messages
from .._dtype import LEGACY_TYPE_NAMES
from .._tensor import Tensor
from .grad_mode import _grad_mode


class SavedOutput:
    """A node's own output, saved for backward (``exp`` saves its result).

    Keeping the output tensor itself would make a cycle (output -> grad_fn
    -> saved output), so only its data and version counter are kept; on
    unpack the output is rebuilt with ``grad_fn`` pointing back at the node,
    exactly as PyTorch's ``SavedVariable`` does.  (A node's *inputs* are
    saved as they are, with their version in ``Node._versions``.)
    """

    __slots__ = ("data", "counter", "version")

    def __init__(self, output: Tensor) -> None:
        self.rebind(output)

    def rebind(self, output: Tensor) -> None:
        """Save ``output``'s storage at its current version (also when an
        in-place op moves the node onto another tensor)."""
        self.data = output._data
        self.counter = output._counter()
        self.version = self.counter.value

    def unpack(self, node: "SavedTensors") -> Tensor:
        """The output, after checking it was not modified in place."""
        if self.counter.value != self.version:
            raise RuntimeError(_modified_message(self.data, node, self.counter.value,
                                                 self.version))
        output = Tensor._make(self.data, grad_fn=node)
        output._version_counter = self.counter  # the same storage: in-place checks still apply
        return output


def _modified_message(data: np.ndarray, maker: Optional["SavedTensors"], version: int,
                      expected: int) -> str:
    """PyTorch's error for a saved tensor changed in place, naming the node
    that made the tensor (for a saved output the node that saved it,
    otherwise the tensor's grad_fn as it is now)."""
    made_by = "" if maker is None else f", which is output 0 of {_op_name(maker)},"
    return _messages.modified_in_place(LEGACY_TYPE_NAMES[data.dtype.name], list(data.shape),
                                       made_by, version, expected)


def _op_name(node: "SavedTensors") -> str:
    """How PyTorch's messages name the op behind a node: ``MulBackward0`` is
    ``Mul``, ``SumBackward1`` is ``Sum1``; other names stay as they are."""
    name = node.name()
    op, found, overload = name.rpartition("Backward")
    if not found or not overload.isdigit():
        return name
    return op + (overload if overload != "0" else "")


def _saved_property(field: Union[int, str]) -> property:
    """``grad_fn._saved_<name>``: a saved value (by place) or a field."""
    if type(field) is int:
        return property(lambda node: node.saved_tensors[field])
    return property(lambda node: getattr(node, field))


class SavedTensors:
    """The saved-tensor half of a node (mixed into ``graph.Node``, whose
    ``__slots__`` hold ``_saved`` and ``_versions``)."""

    __slots__ = ()

    #: For each value the op saves: the one input whose gradient formula
    #: reads it (None: several do, or it is always kept).  A saved tensor
    #: whose reader needs no gradient is not kept, as in PyTorch's generated
    #: code: for ``mul``, ``(1, 0)`` keeps ``self`` only for ``other``'s gradient.
    saved_for: Tuple[Optional[int], ...] = ()

    #: PyTorch's names for what the node keeps, read as ``grad_fn._saved_<name>``
    #: (``grad_fn._saved_self``): an int is a place among the saved values, a
    #: str the attribute ``record()`` set (``{"self_sym_sizes": "input_shape"}``).
    saved_fields: Dict[str, Union[int, str]] = {}

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Give a node class PyTorch's ``_saved_<name>`` properties for its
        :attr:`saved_fields` (properties, not ``__getattr__``: a class with
        ``__getattr__`` makes every attribute read slower)."""
        super().__init_subclass__(**kwargs)
        for name, field in cls.__dict__.get("saved_fields", {}).items():
            setattr(cls, "_saved_" + name, _saved_property(field))

    # docs/tour.md, stop 7: quoted there; keep the two in step.
    def save_for_backward(self, *values: Any) -> None:
        """Keep values (tensors, numbers) from the forward pass for backward:
        input tensors as they are, with their current version; the node's
        own output as a :class:`SavedOutput`; a tensor that no needed
        gradient reads (``saved_for``) as None."""
        saved = list(values)
        versions: Optional[List[Optional[int]]] = None  # stays None while all are at 0
        readers = self.saved_for
        checked = False  # is a tensor kept, to be checked (or rebuilt) when read?
        for i, value in enumerate(saved):
            if not isinstance(value, Tensor):
                continue  # a number: kept as it is
            reader = readers[i] if i < len(readers) else None
            if reader is not None and self.next_functions[reader][0] is None:
                saved[i] = None
                continue
            checked = True
            if value._grad_fn is self:
                saved[i] = SavedOutput(value)
            elif value._inference and not _grad_mode.inference:
                raise RuntimeError(_messages.INFERENCE_SAVE)
            else:
                counter = value._version_counter
                if counter is not None and counter.value:
                    if versions is None:
                        versions = [0] * len(saved)
                    versions[i] = counter.value
        self._saved = tuple(saved)
        # False: no tensor kept, nothing for saved_tensors to check (x * 3 keeps only the 3).
        self._versions = False if not checked else None if versions is None else tuple(versions)

    @property
    def saved_tensors(self) -> Tuple[Any, ...]:
        """The values given to :meth:`save_for_backward`, checked and unpacked."""
        saved = self._saved
        if saved is None:
            raise RuntimeError(_messages.FREED_SAVED_TENSORS)
        versions = self._versions
        if versions is False:
            return saved  # numbers and None only
        unpacked: Optional[List[Any]] = None  # a copy, only if an output must be rebuilt
        for i, value in enumerate(saved):
            if isinstance(value, Tensor):  # an input: still at the version it was saved at?
                counter = value._version_counter
                version = 0 if versions is None else versions[i]
                if counter is not None and counter.value != version:
                    raise RuntimeError(_modified_message(value._data, value.grad_fn,
                                                         counter.value, version))
            elif type(value) is SavedOutput:
                if unpacked is None:
                    unpacked = list(saved)
                unpacked[i] = value.unpack(self)
        return saved if unpacked is None else tuple(unpacked)

    def release_saved(self) -> None:
        """Free the saved tensors (the engine does this after running the node)."""
        if self._saved:
            self._saved = None
