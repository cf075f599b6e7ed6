"""``microgrid.optim``: the update rules that train a model's parameters.

PyTorch counterpart: ``torch.optim``.

Reading order: ``optimizer.py`` (the base class: param groups, state,
``zero_grad``, ``state_dict``), ``sgd.py``, ``adam.py``, ``adamw.py``,
``rmsprop.py``, ``adagrad.py``, ``adadelta.py``, ``adamax.py``, then
``lr_scheduler.py`` (learning-rate schedules).

Read next: ``optimizer.py``.
"""

from . import lr_scheduler, optimizer
from .adadelta import Adadelta
from .adagrad import Adagrad
from .adam import Adam
from .adamax import Adamax
from .adamw import AdamW
from .optimizer import Optimizer
from .rmsprop import RMSprop
from .sgd import SGD

__all__ = ["Optimizer", "SGD", "Adam", "AdamW", "optimizer",
           "RMSprop", "Adagrad", "Adadelta", "Adamax", "lr_scheduler"]
