"""``torch.accelerator``: whichever accelerator PyTorch finds (CUDA, MPS, XPU ...);
microgrid has none.

PyTorch counterpart: ``torch.accelerator`` as PyTorch's CPU-only build answers
it.  PyTorch's own tutorials now pick their device with
``torch.accelerator.current_accelerator().type if
torch.accelerator.is_available() else "cpu"``; with the answers here such a
program takes the CPU path, as it does under PyTorch's CPU build.

Read next: ``backends/__init__.py``.
"""

from __future__ import annotations

from typing import Any, Optional

from ._device import device


def is_available() -> bool:
    """False: no accelerator (PyTorch's CPU-only build says the same)."""
    return False


def current_accelerator(check_available: bool = False) -> Optional[device]:
    """None: there is no accelerator to name."""
    return None


def device_count() -> int:
    """0 accelerators."""
    return 0


def synchronize(device: Any = None) -> None:
    """Wait for the accelerator to finish: there is none, and PyTorch's CPU
    build refuses the call."""
    raise RuntimeError("Cannot access accelerator device when none is available.")
