"""``pow(x, e)`` for float32 tensors and a number or tensor ``e``, as PyTorch's CPU kernels
compute it.

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

A tensor exponent (``pow_tensor_tensor_kernel``, ``pow_tensor``): the same SLEEF
``powf_u10`` on the SIMD elements (``yisint``/``yisodd`` per element), where SIMD means
whole pairs of vectors from the start of each inner-loop piece, and only when both
operands are contiguous along the coalesced inner dim or one of them steps by 0 (else
every element is scalar code: ``(N, 1) ** (3,)`` is); the scalar code is
``std::pow(float, float)``, glibc's ``powf`` (``glibc_powf``: float64 log2/exp2 from
tables, not correctly rounded), as is every lane under ``ATEN_CPU_CAPABILITY=default``
(whose vector ``pow`` is ``std::pow`` per lane: for a number exponent, 8 lanes of
``glibc_powf(x, float(e))`` and ``std::pow(x, double(e))`` on the rest).

Read next: ``moments.py``.
"""

from __future__ import annotations

import numpy as np

from . import libm, mathfns
from .mathfns import correctly_rounded, float_lanes, fma32, iterator_simd_mask, unary_walk
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


def sleef_powf(x: np.ndarray, y: float | np.ndarray) -> np.ndarray:
    """SLEEF's ``powf_u10(x, y)`` for a float32 array and a float32 exponent: one number,
    or an array broadcastable to ``x``'s shape (``yisint``/``yisodd`` then per element)."""
    x = np.asarray(x, f32)
    if np.ndim(y) == 0:                           # one exponent: its branches in Python
        y = f32(y)
        yisint = bool(np.trunc(y) == y or abs(y) > (1 << 24))
        yisodd = yisint and abs(y) < (1 << 24) and int(np.trunc(y)) & 1 == 1
        sign = f32((-1 if yisodd else 1) if yisint else np.nan)
        wide_y = np.broadcast_to(y, x.shape)
    else:
        x, y = np.broadcast_arrays(x, np.asarray(y, f32))
        ay = np.abs(y)
        yisint = (np.trunc(y) == y) | (ay > (1 << 24))
        with np.errstate(all="ignore"):
            odd = (np.where(ay < (1 << 24), np.trunc(y), 0).astype(np.int32) & 1) == 1
        yisodd = yisint & odd & (ay < (1 << 24))
        sign = np.where(yisint, np.where(yisodd, f32(-1), f32(1)), f32(np.nan))
        wide_y = y
    with np.errstate(all="ignore"):
        ax = np.abs(x)
        log = _logkf(ax)
        result = _expkf(_mul_df_f(log, wide_y))
        result = np.where(np.isnan(result), f32(np.inf), result)
        result = result * np.where(x > 0, f32(1), sign)
        yinf = np.isinf(y)
        if yinf.any():
            efx = _mulsign(ax - f32(1), wide_y)
            result = np.where(yinf, np.where(efx < 0, f32(0), np.where(efx == 0, f32(1),
                                                                      f32(np.inf))), result)
        edge = np.isinf(x) | (x == 0)
        if edge.any():
            magnitude = np.where(np.signbit(y) ^ (x == 0), f32(0), f32(np.inf))
            signed = _mulsign(magnitude, np.where(yisodd, x, f32(1)))
            result = np.where(edge, signed, result)
        result = np.where(np.isnan(x) | np.isnan(y), f32(np.nan), result)
        result = np.where((y == 0) | (x == 1), f32(1), result)
        return result.astype(f32)


def pow_scalar(x: np.ndarray, exponent: float) -> np.ndarray:
    """``torch.pow(x, exponent)`` for a float tensor and a Python number."""
    if x.dtype != np.float32 or exponent in _SPECIAL:
        return mathfns.pow_scalar(x, exponent)
    # the default build's vector pow: glibc's powf(x, float(e)) per lane, 8 lanes
    vector_pow = glibc_powf if cpu_capability() == "default" else sleef_powf
    lanes = float_lanes()
    flat, simd, restore = unary_walk(x, lanes)               # TensorIterator's walk
    if simd.all():
        result = vector_pow(flat, f32(exponent))
    else:
        with np.errstate(all="ignore"):
            result = correctly_rounded(lambda v: np.power(v, np.float64(exponent)), flat)
        if simd.any():
            result[simd] = vector_pow(flat[simd], f32(exponent))
    return restore(result)


# -- glibc's powf (sysdeps/ieee754/flt-32/e_powf.c): std::pow(float, float) ---------------------
_H = float.fromhex
# (1/c, log2(c)) per subinterval: __powf_log2_data.tab (POWF_SCALE is 1 on x86-64)
_LOG2_TABLE = [
    ("0x1.661ec79f8f3bep+0", "-0x1.efec65b963019p-2"),
    ("0x1.571ed4aaf883dp+0", "-0x1.b0b6832d4fca4p-2"),
    ("0x1.49539f0f010bp+0", "-0x1.7418b0a1fb77bp-2"),
    ("0x1.3c995b0b80385p+0", "-0x1.39de91a6dcf7bp-2"),
    ("0x1.30d190c8864a5p+0", "-0x1.01d9bf3f2b631p-2"),
    ("0x1.25e227b0b8eap+0", "-0x1.97c1d1b3b7afp-3"),
    ("0x1.1bb4a4a1a343fp+0", "-0x1.2f9e393af3c9fp-3"),
    ("0x1.12358f08ae5bap+0", "-0x1.960cbbf788d5cp-4"),
    ("0x1.0953f419900a7p+0", "-0x1.a6f9db6475fcep-5"),
    ("0x1p+0", "0x0p+0"),
    ("0x1.e608cfd9a47acp-1", "0x1.338ca9f24f53dp-4"),
    ("0x1.ca4b31f026aap-1", "0x1.476a9543891bap-3"),
    ("0x1.b2036576afce6p-1", "0x1.e840b4ac4e4d2p-3"),
    ("0x1.9c2d163a1aa2dp-1", "0x1.40645f0c6651cp-2"),
    ("0x1.886e6037841edp-1", "0x1.88e9c2c1b9ff8p-2"),
    ("0x1.767dcf5534862p-1", "0x1.ce0a44eb17bccp-2"),
]
_INVC = np.array([_H(a) for a, _ in _LOG2_TABLE])
_LOGC = np.array([_H(b) for _, b in _LOG2_TABLE])
_A = [_H(c) for c in ("0x1.27616c9496e0bp-2", "-0x1.71969a075c67ap-2", "0x1.ec70a6ca7baddp-2",
                      "-0x1.7154748bef6c8p-1", "0x1.71547652ab82bp0")]
_C = [_H(c) for c in ("0x1.c6af84b912394p-5", "0x1.ebfce50fac4f3p-3", "0x1.62e42ff0c52d6p-1")]
_SHIFT = _H("0x1.8p+52") / 32                                   # __exp2f_data.shift_scaled
_U32 = np.uint32


def glibc_powf(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """glibc's ``powf`` (what ``std::pow(float, float)`` calls) for float32 arrays.

    ``log2(|x|)`` in float64 from a 16-entry table and a degree-5 polynomial, times ``y``,
    then ``exp2`` from libm's 32-entry table and a cubic, rounded once to float32; then
    the special cases of ``__powf``.  Not correctly rounded (0.82 ulp): rounding ``pow`` from
    float64 disagrees on ~0.06% of random inputs, this on none of 200,000.  glibc's fma
    build contracts the ``a*b + c``s; emulating the fmas gave the same results."""
    x, y = np.broadcast_arrays(np.asarray(x, f32), np.asarray(y, f32))
    with np.errstate(all="ignore"):
        ax = np.abs(x)
        sub = ax < f32(2.0 ** -126)                                # normalized: exponent < 0
        ix = np.where(sub, (ax * f32(2.0 ** 23)).view(_U32) - _U32(23 << 23), ax.view(_U32))
        tmp = ix - _U32(0x3F330000)
        i = (tmp >> _U32(19)) & _U32(15)
        top = tmp & _U32(0xFF800000)
        z = (ix - top).view(f32).astype(np.float64)
        k = (top.view(np.int32) >> 23).astype(np.float64)
        r = z * _INVC[i] - 1
        r2 = r * r
        q = (_A[2] * r + _A[3]) * r2 + (_A[4] * r + (_LOGC[i] + k))
        ylogx = y.astype(np.float64) * ((_A[0] * r + _A[1]) * (r2 * r2) + q)
        kd = ylogx + _SHIFT
        ki = kd.view(np.uint64)
        rr = ylogx - (kd - _SHIFT)
        scale = (libm._TABLE[ki % np.uint64(32)] + (ki << np.uint64(47))).view(np.float64)
        result = (((_C[0] * rr + _C[1]) * (rr * rr) + (_C[2] * rr + 1)) * scale).astype(f32)
        result = np.where(ylogx > _H("0x1.fffffffd1d571p+6"), f32(np.inf), result)
        result = np.where(ylogx <= -150, f32(0), result)
        ay = np.abs(y)
        yisint = np.trunc(y) == y
        yisodd = yisint & (ay < (1 << 24)) & \
            ((np.where(ay < (1 << 24), y, 0).astype(np.int64) & 1) == 1)
        negative = np.signbit(x)
        result = np.where(negative & yisodd, -result, result)
        result = np.where(negative & ~yisint & (x != 0), f32(np.nan), result)
        x2 = np.where(negative & yisodd, -(x * x), x * x)           # x zero or infinite
        result = np.where((x == 0) | np.isinf(x), np.where(np.signbit(y), f32(1) / x2, x2),
                          result)
        yinf = np.where(ax == 1, f32(1), np.where((ax < 1) == (y > 0), f32(0), f32(np.inf)))
        result = np.where(np.isinf(y), yinf, result)
        result = np.where(np.isnan(x) | np.isnan(y), f32(np.nan), result)
        return np.where((y == 0) | (x == 1), f32(1), result).astype(f32)


def pow_tensor(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """``torch.pow(x, y)`` for two float32 arrays (broadcast against each other), as
    ``pow_tensor_tensor_kernel`` computes it: SLEEF's ``powf_u10`` on the SIMD elements,
    ``std::pow(float, float)`` (glibc's ``powf``, ``glibc_powf``) on the rest.

    Inputs are walked in C order (non-contiguous inputs are copied first: PyTorch would
    follow their memory order, which this does not reproduce)."""
    shape = np.broadcast_shapes(x.shape, y.shape)
    bx, by = np.broadcast_arrays(np.ascontiguousarray(x), np.ascontiguousarray(y))
    if cpu_capability() == "default":                     # the vector pow is powf per lane
        return glibc_powf(bx, by).reshape(shape)
    lanes = float_lanes()
    simd = iterator_simd_mask(shape, [[s // 4 for s in a.strides] for a in (bx, by)], lanes)
    if simd.all():
        return sleef_powf(bx, by).reshape(shape)
    if not simd.any():
        return glibc_powf(bx, by).reshape(shape)
    flat_x, flat_y = bx.reshape(-1), by.reshape(-1)
    result = np.empty(simd.size, f32)
    result[simd] = sleef_powf(flat_x[simd], flat_y[simd])
    result[~simd] = glibc_powf(flat_x[~simd], flat_y[~simd])
    return result.reshape(shape)
