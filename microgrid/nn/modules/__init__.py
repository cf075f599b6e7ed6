"""``nn.modules``: the layers, each a ``Module`` subclass.

PyTorch counterpart: ``torch/nn/modules/``.

Reading order: ``module.py`` (the base class: registration, the tree of
modules, ``state_dict``, printing), ``linear.py``, ``activation.py``,
``container.py`` (``Sequential``), ``flatten.py``, ``dropout.py``, ``loss.py``.

Read next: ``module.py``.
"""

from .activation import LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from .container import ModuleList, Sequential
from .dropout import Dropout
from .flatten import Flatten
from .linear import Identity, Linear
from .loss import BCELoss, CrossEntropyLoss, MSELoss, NLLLoss
from .module import Module

__all__ = ["Module", "Linear", "Identity", "ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax",
           "Flatten", "Sequential", "ModuleList", "MSELoss", "CrossEntropyLoss", "NLLLoss",
           "BCELoss", "Dropout"]
