"""``nn.modules``: the layers, each a ``Module`` subclass.

PyTorch counterpart: ``torch/nn/modules/``.

Reading order: ``module.py`` (the base class: registration, the tree of
modules, ``state_dict``, printing), ``linear.py``, ``activation.py``,
``container.py`` (``Sequential``), ``flatten.py``, ``dropout.py``, ``loss.py``;
then the layers of CNNs and language models: ``conv.py``, ``pooling.py``,
``normalization.py`` (batch and layer norm), ``sparse.py`` (``Embedding``).

Read next: ``module.py``.
"""

from .activation import GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Softplus, Tanh
from .container import ModuleList, Sequential
from .conv import Conv1d, Conv2d
from .dropout import Dropout
from .flatten import Flatten
from .linear import Identity, Linear
from .loss import (
    BCELoss,
    BCEWithLogitsLoss,
    CrossEntropyLoss,
    L1Loss,
    MSELoss,
    NLLLoss,
    SmoothL1Loss,
)
from .module import Module
from .normalization import BatchNorm1d, LayerNorm
from .pooling import AvgPool2d, MaxPool2d
from .sparse import Embedding

__all__ = ["Module", "Linear", "Identity", "ReLU", "Tanh", "Sigmoid", "Softmax", "LogSoftmax",
           "Flatten", "Sequential", "ModuleList", "MSELoss", "CrossEntropyLoss", "NLLLoss",
           "BCELoss", "Dropout",
           # issue 16 item 4
           "LeakyReLU", "GELU", "Softplus", "Conv1d", "Conv2d", "L1Loss", "SmoothL1Loss",
           "BCEWithLogitsLoss", "BatchNorm1d", "LayerNorm", "MaxPool2d", "AvgPool2d",
           "Embedding"]
