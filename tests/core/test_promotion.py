"""Type promotion sees a tensor as an array, whatever NumPy object holds its values.

A reduction can leave a NumPy scalar (``np.float64``) as a 0-d tensor's values;
promotion must still count it as a 0-d tensor, not as a Python number (which
would make ``z == 0`` compare in float32, where 1e-107 is 0).  Found by the
hypothesis test of ``std``'s gradient; values as PyTorch 2.13.0 gives them.
"""

from __future__ import annotations

import numpy as np

import microgrid


def test_a_tiny_float64_std_is_not_zero_and_has_its_gradient():
    x = microgrid.tensor(np.array([2.68380088e-107, 0.0]), requires_grad=True)
    z = x.std(correction=0)
    assert not bool(z == 0)
    z.backward()
    assert x.grad.tolist() == [0.5, -0.5]


def test_a_zero_dim_tensor_is_not_a_number():
    """int32 with dims times a 0-d float64 tensor is float64 (a higher category:
    its own dtype wins), times a Python float the default float32."""
    big = microgrid.tensor([1, 2], dtype=microgrid.int32)
    scalar = microgrid.tensor(np.float64(2.5))
    assert (big * scalar).dtype is microgrid.float64
    assert (big * 2.5).dtype is microgrid.float32
    assert (scalar * microgrid.tensor(2, dtype=microgrid.int64)).dtype is microgrid.float64
