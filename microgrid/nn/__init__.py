"""``microgrid.nn``: the neural-network helpers built on the ops.

PyTorch counterpart: ``torch.nn``.  microgrid has its functional half,
``microgrid.nn.functional`` (``import microgrid.nn.functional as F``): loss
functions and activations.

Read next: ``functional.py``.
"""

from . import functional

__all__ = ["functional"]
