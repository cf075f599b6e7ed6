"""NumPy for the activation functions NumPy lacks: ``erf``, ``softplus``.

PyTorch counterpart: ``aten/src/ATen/native/cpu/Activation.cpp`` and the
vectorized math it calls (SLEEF's ``erf``, ``log1p``, ``exp``).  NumPy has no
``erf``: Python's ``math.erf`` (exactly rounded in practice) runs element
by element in float64, then the result is rounded to the input's dtype.

Read next: ``random.py``.
"""

from __future__ import annotations

import math

import numpy as np

_erf = np.frompyfunc(math.erf, 1, 1)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function, elementwise, in ``x``'s dtype."""
    return np.asarray(_erf(x.astype(np.float64)), dtype=np.float64).astype(x.dtype)


def softplus(x: np.ndarray, beta: float, threshold: float) -> np.ndarray:
    """``log(1 + exp(beta * x)) / beta``, or ``x`` where ``beta * x > threshold``
    (there the two agree to the last bit of float32, and exp would overflow)."""
    scaled = x * x.dtype.type(beta)
    with np.errstate(all="ignore"):
        smooth = np.log1p(np.exp(scaled)) / x.dtype.type(beta)
    return np.where(scaled > threshold, x, smooth).astype(x.dtype, copy=False)
