"""``pow(x, e)`` for float32 tensors and a number ``e``, as PyTorch's CPU kernel computes it.

PyTorch counterpart: ``pow_tensor_scalar_optimized_kernel`` in
aten/src/ATen/native/cpu/PowKernel.cpp.  Exponents 2, 3, -2 (and 0.5, -0.5, -1 in
``pow_tensor_scalar_kernel``) are special-cased (``mathfns.pow_scalar``); any other goes
through ``cpu_kernel_vec``:

* SIMD elements (whole pairs of vectors from the start of each thread's chunk,
  ``mathfns.simd_mask``; 16 lanes on AVX512, 8 on AVX2): ``Vectorized<float>::pow``, which
  is SLEEF's ``powf_u10`` (sleef/src/libm/sleefsimdsp.c ``xpowf``):
  ``expkf(logkf(|x|) * e)`` in double-float arithmetic (pairs of float32 whose sum
  carries ~48 bits; products kept exact with fmas, sleef/src/libm/df.h), then the IEEE
  special cases (negative bases, zeros, infinities, nan);
* the rest (fewer than two vectors per chunk, so every element of a tensor under 32
  elements): ``std::pow(float(x), double(e))``, the C library's double ``pow`` rounded to
  float32, which rounding NumPy's float64 ``power`` reproduces.

``sleef_powf`` below follows ``xpowf``, ``logkf`` and ``expkf`` operation by operation
(the AVX512 build takes the exponent and mantissa from ``vgetexp``/``vgetmant``, the AVX2
one from the exponent bits; the same values for normal numbers).

Read next: ``moments.py``.
"""

from __future__ import annotations

import numpy as np

from . import mathfns
from .layout import memory_order
from .mathfns import correctly_rounded, fma32, simd_mask
from .reduce import cpu_capability

f32 = np.float32
_R_LN2F = f32(1.442695040888963407359924681001892137426645954152985934135449406931)
_L2UF = f32(0.693145751953125)
_L2LF = f32(1.428606765330187045e-06)
_SPECIAL = (2.0, 3.0, -1.0, -2.0, 0.5, -0.5)


# -- double-float helpers (sleef/src/libm/df.h, the fma variants) --------------------------
def _fmapn(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    return fma32(a, b, -c)                                   # a*b - c, one rounding


def _add2_ff(x: np.ndarray, y: np.ndarray) -> tuple:         # dfadd2_vf2_vf_vf
    hi = x + y
    v = hi - x
    return hi, (x - (hi - v)) + (y - v)


def _add2_df_f(x: tuple, y: np.ndarray) -> tuple:            # dfadd2_vf2_vf2_vf
    hi = x[0] + y
    v = hi - x[0]
    return hi, ((x[0] - (hi - v)) + (y - v)) + x[1]


def _add2_df_df(x: tuple, y: tuple) -> tuple:                # dfadd2_vf2_vf2_vf2
    hi = x[0] + y[0]
    v = hi - x[0]
    return hi, ((x[0] - (hi - v)) + (y[0] - v)) + (x[1] + y[1])


def _add_df_df(x: tuple, y: tuple) -> tuple:                 # dfadd_vf2_vf2_vf2
    hi = x[0] + y[0]
    return hi, (((x[0] - hi) + y[0]) + x[1]) + y[1]


def _add_f_df(x: np.ndarray, y: tuple) -> tuple:             # dfadd_vf2_vf_vf2
    hi = x + y[0]
    return hi, ((x - hi) + y[0]) + y[1]


def _mul_df_f(x: tuple, y: np.ndarray) -> tuple:             # dfmul_vf2_vf2_vf
    hi = x[0] * y
    return hi, fma32(x[1], y, _fmapn(x[0], y, hi))


def _mul_df_df(x: tuple, y: tuple) -> tuple:                 # dfmul_vf2_vf2_vf2
    hi = x[0] * y[0]
    return hi, fma32(x[0], y[1], fma32(x[1], y[0], _fmapn(x[0], y[0], hi)))


def _squ(x: tuple) -> tuple:                                 # dfsqu_vf2_vf2
    hi = x[0] * x[0]
    return hi, fma32(x[0] + x[0], x[1], _fmapn(x[0], x[0], hi))


def _div(n: tuple, d: tuple) -> tuple:                       # dfdiv_vf2_vf2_vf2
    t = f32(1) / d[0]
    hi = n[0] * t
    u = _fmapn(t, n[0], hi)
    lo = fma32(-d[1], t, fma32(-d[0], t, f32(1)))            # vfmanp: c - a*b
    return hi, fma32(hi, lo, fma32(n[1], t, u))


def _exponent_mantissa(d: np.ndarray) -> tuple:
    """``e`` and ``m`` with ``d ~ m * 2**e``, ``m`` in [0.75, 1.5), as ``logkf`` takes them."""
    scaled = d * f32(1 / 0.75)
    e = (np.frexp(scaled)[1] - 1).astype(f32)                 # vgetexp / vilogb2k
    e = np.where(np.isposinf(scaled), f32(128), e)            # (both give 128 for inf)
    if cpu_capability() == "avx512":                          # vgetmant, [0.75, 1.5)
        mant = np.frexp(d)[0] * 2
        m = np.where(mant >= 1.5, mant / 2, mant).astype(f32)
    else:                                                     # vldexp3(d, -e)
        m = np.ldexp(d, -e.astype(np.int32)).astype(f32)
    return e, m


def _logkf(d: np.ndarray) -> tuple:
    """SLEEF's ``logkf``: log(d) as a double-float."""
    e, m = _exponent_mantissa(d)
    x = _div(_add2_ff(f32(-1), m), _add2_ff(f32(1), m))
    x2 = _squ(x)
    t = fma32(fma32(f32(0.240320354700088500976562), x2[0], f32(0.285112679004669189453125)),
              x2[0], f32(0.400007992982864379882812))
    c = (f32(0.66666662693023681640625), f32(3.69183861259614332084311e-09))
    s = _mul_df_f((f32(0.69314718246459960938), f32(-1.904654323148236017e-09)), e)
    s = _add_df_df(s, (x[0] * f32(2), x[1] * f32(2)))
    return _add_df_df(s, _mul_df_df(_mul_df_df(x2, x), _add2_df_df(_mul_df_f(x2, t), c)))


def _ldexp(x: np.ndarray, q: np.ndarray) -> np.ndarray:
    """SLEEF's ``vldexp_vf_vf_vi2``: ``x * 2**q`` as four multiplications by one power of
    two and a fifth by another (each rounded: subnormal results round twice)."""
    m = q >> 31
    m = (((m + q) >> 6) - m) << 4
    q = q - (m << 2)
    m = np.clip(m + 0x7F, 0, 0xFF)
    u = (m << 23).astype(np.int32).view(f32)
    x = ((x * u) * u * u) * u
    return x * ((q + 0x7F) << 23).astype(np.int32).view(f32)


def _expkf(d: tuple) -> np.ndarray:
    """SLEEF's ``expkf``: exp of a double-float, rounded to float32."""
    q = np.rint((d[0] + d[1]) * _R_LN2F)
    q = np.where(np.isfinite(q), q, 0).astype(np.int32)
    qf = q.astype(f32)
    s = _add2_df_f(d, qf * -_L2UF)
    s = _add2_df_f(s, qf * -_L2LF)
    hi = s[0] + s[1]                                          # dfnormalize
    s = (hi, (s[0] - hi) + s[1])
    u = f32(0.00136324646882712841033936)
    for c in (0.00836596917361021041870117, 0.0416710823774337768554688,
              0.166665524244308471679688, 0.499999850988388061523438):
        u = fma32(u, s[0], f32(c))
    t = _add_df_df(s, _mul_df_f(_squ(s), u))
    t = _add_f_df(f32(1), t)
    u = _ldexp(t[0] + t[1], q)
    return np.where(d[0] < -104, f32(0), u)


def _mulsign(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a`` with its sign flipped where ``b``'s sign bit is set (``vmulsign``)."""
    return np.where(np.signbit(b), -a, a).astype(f32)


def sleef_powf(x: np.ndarray, y: float) -> np.ndarray:
    """SLEEF's ``powf_u10(x, y)`` for a float32 array and one float32 exponent."""
    x = np.asarray(x, f32)
    y = f32(y)
    yisint = bool(np.trunc(y) == y or abs(y) > (1 << 24))
    yisodd = yisint and abs(y) < (1 << 24) and int(np.trunc(y)) & 1 == 1
    with np.errstate(all="ignore"):
        ax = np.abs(x)
        log = _logkf(ax)
        result = _expkf(_mul_df_f(log, np.broadcast_to(y, x.shape)))
        result = np.where(np.isnan(result), f32(np.inf), result)
        sign = f32((-1 if yisodd else 1) if yisint else np.nan)
        result = result * np.where(x > 0, f32(1), sign)
        if np.isinf(y):
            efx = _mulsign(ax - f32(1), np.broadcast_to(y, x.shape))
            result = np.where(efx < 0, f32(0), np.where(efx == 0, f32(1), f32(np.inf)))
        edge = np.isinf(x) | (x == 0)
        if edge.any():
            magnitude = np.where(np.signbit(y) ^ (x == 0), f32(0), f32(np.inf))
            result = np.where(edge, _mulsign(magnitude, x if yisodd else np.ones_like(x)), result)
        result = np.where(np.isnan(x) | np.isnan(y), f32(np.nan), result)
        result = np.where((y == 0) | (x == 1), f32(1), result)
        return result.astype(f32)


def pow_scalar(x: np.ndarray, exponent: float) -> np.ndarray:
    """``torch.pow(x, exponent)`` for a float tensor and a Python number."""
    if x.dtype != np.float32 or exponent in _SPECIAL or cpu_capability() == "default":
        return mathfns.pow_scalar(x, exponent)
    order = memory_order(x) if x.ndim > 1 else list(range(x.ndim))   # the walk's order
    walked = x.transpose(order).copy(order="C")
    flat = walked.reshape(-1)
    lanes = 16 if cpu_capability() == "avx512" else 8
    simd = simd_mask(flat.size, lanes)
    if simd.all():
        result = sleef_powf(flat, exponent)
    else:
        with np.errstate(all="ignore"):
            result = correctly_rounded(lambda v: np.power(v, np.float64(exponent)), flat)
        if simd.any():
            result[simd] = sleef_powf(flat[simd], exponent)
    return result.reshape(walked.shape).transpose(tuple(int(i) for i in np.argsort(order)))

