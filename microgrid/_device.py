"""Devices: microgrid computes on the CPU only, with NumPy.

PyTorch counterpart: ``torch.device``.  Programs written for PyTorch say
``x.to("cpu")``, ``x.cpu()`` or print ``x.device``; those work and print what
PyTorch prints.  Asking for any other device (``"cuda"``, ``"mps"``) raises a
clear error, since NumPy arrays live in main memory.

Read next: ``_messages.py``.
"""

from __future__ import annotations

from typing import Any, Optional


class device:  # noqa: N801 - torch's name
    """Where a tensor's data lives: always ``device(type='cpu')`` here."""

    __slots__ = ("type", "index")

    def __init__(self, type: Any, index: Optional[int] = None) -> None:  # noqa: A002
        if isinstance(type, device):
            type, index = type.type, type.index
        name = str(type)
        if ":" in name:
            name, number = name.split(":", 1)
            index = int(number)
        if name == "cuda":
            # PyTorch's CPU build raises AssertionError("Torch not compiled with CUDA enabled").
            raise AssertionError("microgrid is not compiled with CUDA enabled: it runs on the "
                                 "CPU only (NumPy)")
        if name != "cpu":
            raise RuntimeError(f"microgrid runs on the CPU only (NumPy): device '{type}' is not "
                               "available")
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


#: The one device there is.
CPU = device("cpu")
