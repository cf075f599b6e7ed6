"""``torch.cuda``: the GPU, which microgrid does not have.

PyTorch counterpart: ``torch.cuda`` as PyTorch's CPU-only build answers it.
Programs written to run anywhere ask first, ``device = "cuda" if
torch.cuda.is_available() else "cpu"``, and then run on the CPU; the answers
here are the CPU build's, so such programs take the same path as under
PyTorch.  Putting a tensor on CUDA anyway raises what the CPU build raises
(``_device.require_cpu``).

Read next: ``accelerator.py``.
"""

from __future__ import annotations

from typing import Any


def is_available() -> bool:
    """False: there is no GPU (a CPU-only build of PyTorch says the same)."""
    return False


def device_count() -> int:
    """0 GPUs."""
    return 0


def manual_seed(seed: Any) -> None:
    """Seed the GPUs' generators: there are none, so nothing happens (PyTorch's
    CPU build, too, accepts the call and does nothing)."""


def manual_seed_all(seed: Any) -> None:
    """Seed every GPU's generator: nothing to do, as in PyTorch's CPU build."""
