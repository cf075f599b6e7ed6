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
    BCELoss,
    CrossEntropyLoss,
    Dropout,
    Flatten,
    Identity,
    Linear,
    LogSoftmax,
    Module,
    ModuleList,
    MSELoss,
    NLLLoss,
    ReLU,
    Sequential,
    Sigmoid,
    Softmax,
    Tanh,
)
from .parameter import Parameter

__all__ = ["functional", "init", "Parameter", "Module", "Linear", "Identity", "ReLU", "Tanh",
           "Sigmoid", "Softmax", "LogSoftmax", "Flatten", "Sequential", "ModuleList", "MSELoss",
           "CrossEntropyLoss", "NLLLoss", "BCELoss", "Dropout"]
