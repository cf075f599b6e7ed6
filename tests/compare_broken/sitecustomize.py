"""Breaks microgrid on purpose, to prove ``python -m compare`` notices.

tests/test_compare.py puts this folder on PYTHONPATH of a ``python -m
compare`` run, so Python imports this module at startup in every process of
that run.  It does nothing unless MICROGRID_BREAK lists what to break:

* ``grad``:  MulBackward0 returns twice the right gradient;
* ``grad_slightly``: MulBackward0's gradient is 0.1% too big (a wrong
  formula that a training run could mistake for rounding);
* ``repr``:  a tensor prints as ``Tensor(...)`` instead of ``tensor(...)``;
* ``graph``: MeanBackward0 calls itself SumBackward0;
* ``ulp``:   ``Tensor.item()`` of a float is one float32 step too big (a
  last-bit difference, as a different summation order makes);
* ``raise``: ``Tensor.exp`` raises a RuntimeError (a microgrid bug).
"""

import os

_BREAK = set(filter(None, os.environ.get("MICROGRID_BREAK", "").split(",")))

if _BREAK:
    from microgrid import Tensor
    from microgrid.ops.pointwise import MulBackward0
    from microgrid.ops.reduction import MeanBackward0

    if "grad" in _BREAK:
        _right_backward = MulBackward0.backward

        def _doubled(self, grad):
            return tuple(None if g is None else g * 2 for g in _right_backward(self, grad))

        MulBackward0.backward = _doubled
    if "grad_slightly" in _BREAK:
        _right_mul_backward = MulBackward0.backward

        def _a_little_more(self, grad):
            return tuple(None if g is None else g * 1.001
                         for g in _right_mul_backward(self, grad))

        MulBackward0.backward = _a_little_more
    if "repr" in _BREAK:
        _right_repr = Tensor.__repr__
        Tensor.__repr__ = lambda self: _right_repr(self).replace("tensor(", "Tensor(")
    if "graph" in _BREAK:
        MeanBackward0.name = lambda self: "SumBackward0"
    if "ulp" in _BREAK:
        import numpy as np

        _right_item = Tensor.item

        def _one_step_up(self):
            value = _right_item(self)
            if isinstance(value, float):
                return float(np.nextafter(np.float32(value), np.float32(np.inf)))
            return value

        Tensor.item = _one_step_up
    if "raise" in _BREAK:
        def _broken_exp(self):
            raise RuntimeError("exp is broken on purpose")

        Tensor.exp = _broken_exp
