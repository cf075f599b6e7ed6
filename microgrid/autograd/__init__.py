"""``microgrid.autograd``: computing gradients.

PyTorch counterpart: ``torch.autograd``.

Reading order inside this package:

1. ``grad_mode.py``: the on/off switch for recording (``no_grad``);
2. ``graph.py``: the nodes ops record, their edges and saved tensors;
3. ``engine.py``: the loop that runs the nodes backward;
4. this file: ``backward`` and ``grad``, the two ways in (with
   ``create_graph=True`` the backward pass is itself recorded, so gradients
   can be differentiated again);
5. ``variable.py``: the legacy ``Variable``;
6. ``functional.py``: Jacobians, Hessians and their products, built on ``grad``;
7. ``gradcheck.py``: checking first and second derivatives against finite
   differences (``gradcheck``, ``gradgradcheck``).

In-place ops and views, which need version counters and ``CopySlices``,
are in ``../ops/inplace.py``.

Read next: ``../ops/__init__.py``, how an op records its node.
"""

from __future__ import annotations

from . import functional
from .api import backward, grad
from .grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .gradcheck import GradcheckError, gradcheck, gradgradcheck
from .variable import Variable

__all__ = ["Variable", "backward", "grad", "no_grad", "enable_grad", "set_grad_enabled",
           "is_grad_enabled", "inference_mode", "is_inference_mode_enabled", "functional",
           "gradcheck", "gradgradcheck", "GradcheckError"]
