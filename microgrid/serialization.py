"""``save`` and ``load``: checkpoints in PyTorch's own file format.

PyTorch counterpart: ``torch.save`` / ``torch.load`` (``torch/serialization.py``).

A checkpoint is a zip archive (stored, not compressed) with one folder,
named after the file (``model.pt`` -> ``model/``)::

    model/data.pkl          the object, pickled (protocol 2)
    model/data/0, data/1    the raw bytes of each storage, little-endian
    model/byteorder, version, .format_version, .storage_alignment, .data/serialization_id

The pickle never holds tensor bytes.  A tensor is pickled as a call,
``torch._utils._rebuild_tensor_v2(storage, offset, size, stride,
requires_grad, hooks)``, and its storage as a *persistent id*,
``('storage', torch.FloatStorage, '0', 'cpu', numel)``, which names the
file ``data/0``.  Tensors that share memory share one storage, so a view
is saved with its base and loads as a view again.  Because the names are
PyTorch's (``torch._utils``, ``torch.FloatStorage``, ``collections.OrderedDict``),
a file microgrid writes is one PyTorch reads, and the other way round.

``load`` unpickles with ``weights_only=True`` by default, as PyTorch 2.6+:
only tensors, containers, numbers and strings (and the names given to
``add_safe_globals``) may appear; anything else (a whole ``nn.Module``, your
own class) raises PyTorch's ``UnpicklingError`` unless ``weights_only=False``.
With ``weights_only=False``, PyTorch's class names (``torch.nn.modules.linear.Linear``)
are read as microgrid's.

Read next: ``ops/table.py`` (the table of every op, for docs/ops.md).
"""

from __future__ import annotations

import _compat_pickle
import collections
import contextlib
import importlib
import io
import os
import pickle
import random as _python_random
import zipfile
from typing import IO, Any, Dict, Iterator, List, Optional, Sequence, Tuple, Union

import numpy as np

from . import _dtype
from ._tensor import Tensor

FileLike = Union[str, "os.PathLike[str]", IO[bytes]]

#: NumPy dtype -> PyTorch's legacy storage class name, as pickles name them.
STORAGE_NAMES = {
    np.dtype(np.float32): "FloatStorage", np.dtype(np.float64): "DoubleStorage",
    np.dtype(np.float16): "HalfStorage", np.dtype(np.int64): "LongStorage",
    np.dtype(np.int32): "IntStorage", np.dtype(np.int16): "ShortStorage",
    np.dtype(np.int8): "CharStorage", np.dtype(np.uint8): "ByteStorage",
    np.dtype(np.bool_): "BoolStorage",
}
STORAGE_DTYPES = {name: dtype for dtype, name in STORAGE_NAMES.items()}


# -- the rebuild functions a checkpoint calls -----------------------------------------------
def _rebuild_tensor_v2(storage: np.ndarray, storage_offset: int, size: Sequence[int],
                       stride: Sequence[int], requires_grad: bool, backward_hooks: Any,
                       metadata: Any = None) -> Tensor:
    """``torch._utils._rebuild_tensor_v2``: the tensor that views ``storage``
    (a flat array) from ``storage_offset`` with ``size`` and ``stride``."""
    item = storage.itemsize
    data = np.ndarray(tuple(size), storage.dtype, buffer=storage, offset=storage_offset * item,
                      strides=tuple(s * item for s in stride)) if storage.size else \
        np.zeros(tuple(size), storage.dtype)
    tensor = Tensor._make(data)
    if requires_grad:
        tensor.requires_grad_()
    return tensor


def _rebuild_parameter(data: Tensor, requires_grad: bool, backward_hooks: Any) -> Any:
    """``torch._utils._rebuild_parameter``: an ``nn.Parameter`` around ``data``."""
    from .nn.parameter import Parameter  # nn is a layer above: imported when a file needs it

    return Parameter(data, requires_grad)


class _StorageType:
    """What ``torch.FloatStorage`` (and the like) stands for inside a pickle:
    the dtype of a storage's bytes.  One instance per name (pickled once, then
    referred to, as PyTorch's pickles do)."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.dtype = STORAGE_DTYPES[name]


STORAGE_TYPES = {name: _StorageType(name) for name in STORAGE_DTYPES}


# -- saving ----------------------------------------------------------------------------------
class _Storage:
    """A storage to be saved: a flat array holding the bytes of one or more
    tensors, and its key (the name of its file, ``data/<key>``)."""

    __slots__ = ("array", "key")

    def __init__(self, array: np.ndarray, key: str) -> None:
        self.array, self.key = array, key


def _storage_view(data: np.ndarray) -> Tuple[np.ndarray, np.ndarray, int, Tuple[int, ...]]:
    """``(owner, storage, offset, stride)`` for an array: the array at the root
    of its views (``owner``, flattened as ``storage``) when ``data`` can be
    described as a view of it (PyTorch's storage, offset and strides, in
    elements), otherwise a copy of ``data`` alone."""
    root = data
    while isinstance(root.base, np.ndarray):
        root = root.base
    item = data.itemsize
    if root.dtype == data.dtype and root.flags.c_contiguous:
        start = data.__array_interface__["data"][0] - root.__array_interface__["data"][0]
        if start % item == 0 and all(s % item == 0 and s >= 0 for s in data.strides):
            return root, root.reshape(-1), start // item, tuple(s // item for s in data.strides)
    flat = np.ascontiguousarray(data)
    return flat, flat.reshape(-1), 0, tuple(s // item for s in flat.strides)


class _Pickler(pickle._Pickler):  # the Python pickler: its save_global can be taught names
    """Pickles as ``torch.save`` does: tensors as ``_rebuild_tensor_v2`` calls,
    storages as persistent ids, microgrid's names written as PyTorch's."""

    def __init__(self, file: IO[bytes], protocol: int) -> None:
        super().__init__(file, protocol)
        self.storages: Dict[int, _Storage] = {}  # id(owner array) -> its storage

    def reducer_override(self, obj: Any) -> Any:
        from .nn.modules.module import Module  # nn is a layer above: imported when needed
        from .nn.parameter import Parameter

        if isinstance(obj, Module):
            return _module_reduction(obj)
        if not isinstance(obj, Tensor):
            return NotImplemented

        if isinstance(obj, Parameter):
            return _rebuild_parameter, (obj.detach(), obj.requires_grad, collections.OrderedDict())
        owner, flat, offset, stride = _storage_view(obj._data)
        storage = self.storages.get(id(owner))
        if storage is None:
            storage = self.storages[id(owner)] = _Storage(flat, str(len(self.storages)))
        return _rebuild_tensor_v2, (storage, offset, tuple(obj._data.shape), stride,
                                    obj.requires_grad, collections.OrderedDict())

    def persistent_id(self, obj: Any) -> Any:
        if not isinstance(obj, _Storage):
            return None
        return ("storage", STORAGE_TYPES[STORAGE_NAMES[obj.array.dtype]], obj.key, "cpu",
                obj.array.size)

    def save_global(self, obj: Any, name: Optional[str] = None) -> None:
        torch_name = _torch_global(obj)
        if torch_name is None:
            return super().save_global(obj, name)
        module, _, qualname = torch_name.rpartition(".")
        self.write(pickle.GLOBAL + f"{module}\n{qualname}\n".encode())
        self.memoize(obj)

    def save(self, obj: Any, save_persistent_id: bool = True) -> None:
        # The pickler's own table sends functions and classes straight to its
        # save_global; those PyTorch names differently come here first.
        if _torch_global(obj) is not None:
            memo = self.memo.get(id(obj))
            return self.write(self.get(memo[0])) if memo else self.save_global(obj)
        return super().save(obj, save_persistent_id)


#: The bookkeeping PyTorch's ``Module`` has and microgrid's does not (hooks
#: microgrid keeps elsewhere or lacks), empty, so that PyTorch can run a
#: whole module microgrid saved.
_TORCH_MODULE_FIELDS = ("_backward_hooks", "_backward_pre_hooks", "_forward_hooks_with_kwargs",
                        "_forward_hooks_always_called", "_forward_pre_hooks_with_kwargs",
                        "_state_dict_hooks", "_state_dict_pre_hooks",
                        "_load_state_dict_pre_hooks", "_load_state_dict_post_hooks")


def _module_reduction(module: Any) -> Tuple[Any, ...]:
    """A whole module as pickle saves it, its state completed with PyTorch's fields."""
    reduction = list(module.__reduce_ex__(2))
    state = dict(reduction[2])
    for name in _TORCH_MODULE_FIELDS:
        state.setdefault(name, collections.OrderedDict())
    state.setdefault("_is_full_backward_hook", None)
    reduction[2] = state
    return tuple(reduction)


def _torch_global(obj: Any) -> Optional[str]:
    """PyTorch's dotted name for a global microgrid writes (or None)."""
    if isinstance(obj, _StorageType):
        return "torch." + obj.name
    if obj is _rebuild_tensor_v2 or obj is _rebuild_parameter:
        return "torch._utils." + obj.__name__
    if obj is _dtype.Size:
        return "torch.Size"
    if type(obj) is _dtype.dtype:
        return str(obj)
    if isinstance(obj, type) and obj.__module__.startswith("microgrid."):  # nn.Linear ...
        return f"torch{obj.__module__[len('microgrid'):]}.{obj.__qualname__}"
    return None


def _archive_name(f: FileLike) -> str:
    """The folder inside the zip: the file's name without its extension
    (``archive`` for a file object)."""
    if isinstance(f, (str, os.PathLike)):
        name = os.path.basename(os.fspath(f))
        return name.rpartition(".")[0] or name
    return "archive"


def save(obj: Any, f: FileLike, pickle_module: Any = pickle, pickle_protocol: int = 2,
         _use_new_zipfile_serialization: bool = True,
         _disable_byteorder_record: bool = False) -> None:
    """Write ``obj`` (tensors, state_dicts, whole modules, optimizers' state) to ``f``."""
    buffer = io.BytesIO()
    pickler = _Pickler(buffer, pickle_protocol)
    pickler.dump(obj)
    name = _archive_name(f)
    records: List[Tuple[str, bytes]] = [
        ("data.pkl", buffer.getvalue()), (".format_version", b"1"),
        (".storage_alignment", b"64")]
    if not _disable_byteorder_record:
        records.append(("byteorder", b"little"))
    for storage in pickler.storages.values():  # in the order of their keys
        little = storage.array.astype(storage.array.dtype.newbyteorder("<"), copy=False)
        records.append((f"data/{storage.key}", little.tobytes()))
    records.append(("version", b"3\n"))
    serial = "".join(str(_python_random.randrange(10)) for _ in range(40))  # PyTorch's: any id
    records.append((".data/serialization_id", serial.encode()))
    with _opened(f, "wb") as file, zipfile.ZipFile(file, "w", zipfile.ZIP_STORED) as archive:
        for record, data in records:
            archive.writestr(zipfile.ZipInfo(f"{name}/{record}", (1980, 1, 1, 0, 0, 0)), data)


@contextlib.contextmanager
def _opened(f: FileLike, mode: str) -> Iterator[IO[bytes]]:
    if isinstance(f, (str, os.PathLike)):
        with open(f, mode) as file:
            yield file
    else:
        yield f  # type: ignore[misc]


# -- loading ---------------------------------------------------------------------------------
#: Names a ``weights_only`` load accepts besides PyTorch's tensor machinery.
_safe_globals: List[Any] = []

_ALWAYS_SAFE = {"collections.OrderedDict", "collections.Counter", "torch.nn.parameter.Parameter",
                "torch.Size", "torch.Tensor", "torch.device", "_codecs.encode",
                "builtins.bytearray", "builtins.set", "builtins.complex",
                "torch._utils._rebuild_tensor_v2", "torch._utils._rebuild_parameter"}


def add_safe_globals(safe_globals: List[Any]) -> None:
    """Let ``weights_only`` loads read these classes and functions too."""
    _safe_globals.extend(safe_globals)


def get_safe_globals() -> List[Any]:
    return list(_safe_globals)


def clear_safe_globals() -> None:
    _safe_globals.clear()


@contextlib.contextmanager
def safe_globals(safe_globals: List[Any]) -> Iterator[None]:
    """``add_safe_globals`` for the duration of a ``with`` block."""
    before = list(_safe_globals)
    add_safe_globals(safe_globals)
    try:
        yield
    finally:
        _safe_globals[:] = before


def _weights_only_message(name: str) -> str:
    return (
        "Weights only load failed. This file can still be loaded, to do so you have two options, "
        "\x1b[1mdo those steps only if you trust the source of the checkpoint\x1b[0m. \n\t(1) In "
        "PyTorch 2.6, we changed the default value of the `weights_only` argument in "
        "`torch.load` from `False` to `True`. Re-running `torch.load` with `weights_only` set to "
        "`False` will likely succeed, but it can result in arbitrary code execution. Do it only "
        "if you got the file from a trusted source.\n\t(2) Alternatively, to load with "
        "`weights_only=True` please check the recommended steps in the following error message."
        f"\n\tWeightsUnpickler error: Unsupported global: GLOBAL {name} was not an allowed global "
        f"by default. Please use `torch.serialization.add_safe_globals([{name}])` or the "
        f"`torch.serialization.safe_globals([{name}])` context manager to allowlist this global "
        "if you trust this class/function.\n\nCheck the documentation of torch.load to learn "
        "more about types accepted by default with weights_only "
        "https://pytorch.org/docs/stable/generated/torch.load.html.")


def _microgrid_global(module: str, name: str) -> Any:
    """What a pickle's ``GLOBAL module name`` means here: PyTorch's tensor
    machinery and names are microgrid's (``torch.nn.modules.linear.Linear``
    is ``microgrid.nn.modules.linear.Linear``)."""
    if module == "torch._utils" and name in ("_rebuild_tensor_v2", "_rebuild_parameter"):
        return globals()[name]
    if module == "torch" and name in STORAGE_DTYPES:
        return STORAGE_TYPES[name]
    if module == "torch" or module.startswith("torch."):
        module = "microgrid" + module[len("torch"):]
    target: Any = importlib.import_module(module)
    for part in name.split("."):
        target = getattr(target, part)
    return target


class _Unpickler(pickle.Unpickler):
    def __init__(self, file: IO[bytes], archive: zipfile.ZipFile, prefix: str,
                 weights_only: bool) -> None:
        super().__init__(file)
        self.archive, self.prefix, self.weights_only = archive, prefix, weights_only
        self.storages: Dict[str, np.ndarray] = {}

    def find_class(self, module: str, name: str) -> Any:
        # Protocol 2 writes Python 2's names (``__builtin__.set``): read them as Python 3's.
        module, name = _compat_pickle.NAME_MAPPING.get((module, name), (module, name))
        module = _compat_pickle.IMPORT_MAPPING.get(module, module)
        if self.weights_only:
            dotted = f"{module}.{name}"
            safe = {f"{g.__module__}.{g.__qualname__}" for g in _safe_globals}
            if not (dotted in _ALWAYS_SAFE or dotted in safe or (module == "torch" and (
                    name in STORAGE_DTYPES or isinstance(getattr(_dtype, name, None),
                                                         _dtype.dtype)))):
                raise pickle.UnpicklingError(_weights_only_message(dotted))
            if dotted in safe:
                return next(g for g in _safe_globals
                            if f"{g.__module__}.{g.__qualname__}" == dotted)
        return _microgrid_global(module, name)

    def persistent_load(self, pid: Any) -> np.ndarray:
        kind, storage_type, key, _location, numel = pid
        if kind != "storage":
            raise pickle.UnpicklingError(f"Unknown typename for persistent_load, expected "
                                         f"'storage' but got '{kind}'")
        if key not in self.storages:
            raw = self.archive.read(f"{self.prefix}data/{key}")
            dtype = storage_type.dtype.newbyteorder("<")
            self.storages[key] = np.frombuffer(bytearray(raw), dtype).astype(
                storage_type.dtype, copy=False)
        return self.storages[key]


def load(f: FileLike, map_location: Any = None, pickle_module: Any = None, *,
         weights_only: Optional[bool] = None, mmap: Optional[bool] = None,
         **pickle_load_args: Any) -> Any:
    """Read an object written by ``save`` (microgrid's or PyTorch's).
    Everything loads onto the CPU, whatever ``map_location`` says."""
    weights_only = True if weights_only is None else weights_only
    with _opened(f, "rb") as file:
        data = file.read()
    if not zipfile.is_zipfile(io.BytesIO(data)):  # a difference: PyTorch reads its legacy format
        raise pickle.UnpicklingError("microgrid reads only the zip checkpoints torch.save writes "
                                     "(PyTorch 1.6 and later); this file is not one")
    archive = zipfile.ZipFile(io.BytesIO(data))
    pickled = next(n for n in archive.namelist() if n.endswith("data.pkl")
                   and n.count("/") == 1)
    prefix = pickled[:-len("data.pkl")]
    unpickler = _Unpickler(io.BytesIO(archive.read(pickled)), archive, prefix, weights_only)
    return unpickler.load()


__all__ = ["save", "load", "add_safe_globals", "get_safe_globals", "clear_safe_globals",
           "safe_globals"]
