"""``torch.backends``: which compute backends this build has.

PyTorch counterpart: ``torch.backends``.  microgrid has one backend, NumPy on
the CPU; ``backends.mps`` (Apple's GPU) answers as on a machine without it.

Read next: ``mps.py``.
"""

from . import mps

__all__ = ["mps"]
