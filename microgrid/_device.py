"""Devices: microgrid computes on the CPU only, with NumPy.

PyTorch counterpart: ``torch.device``.  Programs written for PyTorch say
``x.to("cpu")``, ``x.cpu()`` or print ``x.device``; those work and print what
PyTorch prints.  ``torch.device("cuda")`` is a valid name in PyTorch's CPU-only
build too; what fails is putting a tensor there (:func:`require_cpu`), and it
fails here exactly as it does there: ``AssertionError: Torch not compiled with
CUDA enabled``.  So a program that checks ``torch.cuda.is_available()`` first
(``cuda.py``) runs on the CPU in both.

Read next: ``cuda.py``.
"""

from __future__ import annotations

from typing import Any, Optional

#: The device types PyTorch knows, in the order its error message lists them.
DEVICE_TYPES = ("cpu", "cuda", "ipu", "xpu", "mkldnn", "opengl", "opencl", "ideep", "hip", "ve",
                "fpga", "maia", "xla", "lazy", "vulkan", "mps", "meta", "hpu", "mtia",
                "privateuseone")

#: What PyTorch's CPU-only build raises (an AssertionError) when a tensor is put on CUDA.
CUDA_MISSING = "Torch not compiled with CUDA enabled"


class device:  # noqa: N801 - torch's name
    """A device name, ``device(type='cpu')``; any of PyTorch's device types
    can be named, but only the CPU can hold a tensor."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: Optional[int] = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        name = str(type)
        if ":" in name:
            name, number = name.split(":", 1)
            index = int(number)
        if name not in DEVICE_TYPES:
            raise RuntimeError(f"Expected one of {', '.join(DEVICE_TYPES)} device type at start "
                               f"of device string: {type}")
        self.type = name
        self.index = index

    def __repr__(self) -> str:
        suffix = "" if self.index is None else f", index={self.index}"
        return f"device(type='{self.type}'{suffix})"

    def __str__(self) -> str:
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, device) and (self.type, self.index) == (other.type, other.index)

    def __hash__(self) -> int:
        return hash((self.type, self.index))


# Python's own messages name a type by its C name: ``torch.device`` (issue 18).
device.__name__ = "torch.device"


def require_cpu(where: Any) -> None:
    """Check that a tensor may be put on ``where`` (a device or its name;
    None means the default device, normally the CPU).  The CPU is fine; CUDA
    raises PyTorch's CPU-build AssertionError; MPS and the rest raise
    PyTorch's RuntimeError for a backend it was built without."""
    if where is None:
        if _default is CPU:
            return  # the usual case, nothing to check
        where = _default
    name = device(where).type
    if name == "cuda":
        raise AssertionError(CUDA_MISSING)
    if name != "cpu":
        raise RuntimeError(f"PyTorch is not linked with support for {name} devices")


#: The one device there is.
CPU = device("cpu")
_default = CPU  # where tensors made without ``device=`` go (set_default_device)


def set_default_device(where: Any) -> None:
    """``torch.set_default_device``: where new tensors go when no ``device=``
    is given.  ``"cpu"`` (or None) changes nothing; another valid name is
    accepted, and making a tensor then raises as it would with ``device=`` that name."""
    global _default
    chosen = CPU if where is None else device(where)
    _default = CPU if chosen == CPU else chosen


def get_default_device() -> device:
    """``torch.get_default_device``: ``device(type='cpu')`` unless set otherwise."""
    return _default
