"""``microgrid.autograd``: computing gradients.

PyTorch counterpart: ``torch.autograd``.

The package, in reading order: ``grad_mode.py`` (the on/off switch for
recording), ``graph.py`` (the nodes ops record, their edges and saved
tensors), ``engine.py`` (the loop that runs them backward), ``api.py``
(``backward`` and ``grad``, the two ways in), ``input_metadata.py`` (a
gradient fitted to its input); then ``saved_variable.py`` (what a node
keeps for backward), ``hooks.py`` and ``grad_journal.py`` (user code around
a node, a failed pass undone), this file (the names
``torch.autograd`` exports), ``variable.py`` (the legacy ``Variable``),
``function.py`` (``Function``: a learner's own forward and backward),
``functional.py`` (Jacobians, Hessians), ``gradcheck.py`` (finite
differences) and ``walk.py`` (a graph as a numbered list).

In-place ops and views, which need version counters and ``CopySlices``,
are in ``../ops/inplace.py``.

Read next: ``variable.py``.
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

# -- torch.autograd.Function: a learner's own op (function.py) ------------------------------
from . import function  # noqa: E402
from .function import Function, once_differentiable  # noqa: E402, F401

__all__ += ["Function", "function"]
