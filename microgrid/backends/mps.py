"""``torch.backends.mps``: Apple's GPU backend, absent here.

PyTorch counterpart: ``torch.backends.mps``, as a build without MPS answers.

Read next: ``../_messages.py``.
"""

from __future__ import annotations


def is_available() -> bool:
    """False: no MPS device (programs then choose the CPU, as under PyTorch here)."""
    return False


def is_built() -> bool:
    """False: this build has no MPS support."""
    return False
