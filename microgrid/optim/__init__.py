"""``microgrid.optim``: the update rules that train a model's parameters.

PyTorch counterpart: ``torch.optim``.

Reading order: ``optimizer.py`` (the base class: param groups, state,
``zero_grad``, ``state_dict``), ``sgd.py``, ``adam.py``, ``adamw.py``.

Read next: ``optimizer.py``.
"""

from . import optimizer
from .adam import Adam
from .adamw import AdamW
from .optimizer import Optimizer
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "optimizer"]
