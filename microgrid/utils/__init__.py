"""``microgrid.utils``: what training code needs around the autograd engine.

PyTorch counterpart: ``torch.utils`` (here only ``torch.utils.data``).

Read next: ``data/__init__.py``.
"""

from . import data  # noqa: F401 - torch.utils.data: Dataset, DataLoader, random_split ...

__all__ = ["data"]
