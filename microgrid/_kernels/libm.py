"""The C library's float32 functions as glibc computes them (the scalar code's ``std::exp``).

PyTorch counterpart: none of its own.  When a PyTorch kernel leaves its SIMD loop for a
scalar tail it calls ``std::exp(float)``, which is glibc's ``expf``
(sysdeps/ieee754/flt-32/e_expf.c, from Arm's optimized-routines); so does every lane
of ``Vectorized<float>::exp()`` in the ``default`` (no AVX) build.  glibc's ``expf`` is
*not* correctly rounded: rounding ``exp`` from float64 disagrees with it on 119 of 220,000
random inputs, this reproduction on none.

``expf(x)``: in float64, ``z = x * 32/ln 2``; ``k = round(z)`` (by adding and subtracting
``1.5 * 2**52``); ``r = z - k``; ``s = 2**(k/32)`` from a 32-entry table of ``2**(i/32)``
with ``k // 32`` added to its exponent bits; ``y = (C0 r + C1) r**2 + (C2 r + 1)``;
the result ``(float)(y * s)``.  glibc's x86-64 build for CPUs with fma contracts the
three ``a*b + c``; fused or not, the float32 results are the same on all 220,000 inputs
(the float64 evaluation carries 29 spare bits), so the plain form is used.

Read next: ``powf.py``.
"""

from __future__ import annotations

from decimal import Decimal, localcontext

import numpy as np

_N = 32                                                   # 1 << EXP2F_TABLE_BITS
with localcontext() as _ctx:
    _ctx.prec = 60                                        # float() of it rounds correctly
    _TABLE = (np.array([float(Decimal(2) ** (Decimal(i) / _N)) for i in range(_N)])
              .view(np.uint64) - (np.arange(_N, dtype=np.uint64) << np.uint64(47)))
_C0 = float.fromhex("0x1.c6af84b912394p-5") / _N ** 3     # __exp2f_data.poly_scaled
_C1 = float.fromhex("0x1.ebfce50fac4f3p-3") / _N ** 2
_C2 = float.fromhex("0x1.62e42ff0c52d6p-1") / _N
_INV_LN2_N = float.fromhex("0x1.71547652b82fep+0") * _N
_SHIFT = float.fromhex("0x1.8p+52")
_OVERFLOW = np.float32(float.fromhex("0x1.62e42ep6"))     # above: inf
_UNDERFLOW = np.float32(float.fromhex("-0x1.9fe368p6"))   # below: 0


def expf(x: np.ndarray) -> np.ndarray:
    """glibc's ``expf`` for a float32 array, element by element as the C library does."""
    x = np.asarray(x, np.float32)
    xd = x.astype(np.float64)
    with np.errstate(all="ignore"):
        z = _INV_LN2_N * xd
        kd = z + _SHIFT
        ki = kd.view(np.uint64)
        r = z - (kd - _SHIFT)
        s = (_TABLE[ki % np.uint64(_N)] + (ki << np.uint64(47))).view(np.float64)
        y = (_C0 * r + _C1) * (r * r) + (_C2 * r + 1)
        y = (y * s).astype(np.float32)
        y = np.where(x > _OVERFLOW, np.float32(np.inf), y)
        y = np.where(x < _UNDERFLOW, np.float32(0), y)
        return np.where(np.isnan(x), x, y)
