"""``microgrid.nn``: neural networks built on the ops.

PyTorch counterpart: ``torch.nn``.  Two halves, as in PyTorch:

* ``microgrid.nn.functional`` (``import microgrid.nn.functional as F``):
  loss functions, activations and ``linear``, plain functions of tensors;
* the modules (``nn.Linear``, ``nn.ReLU``, ``nn.Sequential``,
  ``nn.MSELoss`` ...): objects that own their parameters
  (``nn.Parameter``) and call those functions in ``forward``; ``nn.init``
  gives the parameters their first values.

Read next: ``functional.py``.
"""

from . import functional, init
from .modules import (
    GELU,
    AvgPool2d,
    BatchNorm1d,
    BCELoss,
    BCEWithLogitsLoss,
    Conv1d,
    Conv2d,
    CrossEntropyLoss,
    Dropout,
    Embedding,
    Flatten,
    Identity,
    L1Loss,
    LayerNorm,
    LeakyReLU,
    Linear,
    LogSoftmax,
    MaxPool2d,
    Module,
    ModuleList,
    MSELoss,
    NLLLoss,
    ReLU,
    Sequential,
    Sigmoid,
    SmoothL1Loss,
    Softmax,
    Softplus,
    Tanh,
)
from .parameter import Parameter

__all__ = ["functional", "init", "Parameter", "Module", "Linear", "Identity", "ReLU", "Tanh",
           "Sigmoid", "Softmax", "LogSoftmax", "Flatten", "Sequential", "ModuleList", "MSELoss",
           "CrossEntropyLoss", "NLLLoss", "BCELoss", "Dropout",
           # issue 16 item 4
           "LeakyReLU", "GELU", "Softplus", "Conv1d", "Conv2d", "L1Loss", "SmoothL1Loss",
           "BCEWithLogitsLoss", "BatchNorm1d", "LayerNorm", "MaxPool2d", "AvgPool2d",
           "Embedding"]
