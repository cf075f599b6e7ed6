"""PyTorch's random numbers, bit for bit, in NumPy.

PyTorch counterpart: the CPU generator (``aten/src/ATen/CPUGeneratorImpl.cpp``,
``core/MT19937RNGEngine.h``) and the transforms that turn its words into
tensors (``core/TransformationHelper.h``, ``core/DistributionsHelper.h``,
``native/cpu/DistributionTemplates.h``, ``native/cpu/MultinomialKernel.cpp``,
``native/TensorFactories.cpp``'s ``randperm``).  Everything here was checked
against torch 2.13.0 on this machine, value for value (``tests/test_random*.py``).

**The source of randomness** is one Mersenne Twister (MT19937): 624 words of
32 bits of state, each call giving the next 32-bit word.  ``manual_seed(s)``
fills the state from the low 32 bits of ``s`` with the classic recurrence
``key[i] = 1812433253 * (key[i-1] ^ (key[i-1] >> 30)) + i`` (NumPy's legacy
seeding does the same, so NumPy's C twister produces the words; see
:class:`MT19937`).  A 64-bit draw is two words, the first one high:
``random64 = (w1 << 32) | w2``.

**Words into floats** (``uniform_real``): keep as many low bits as the type
has mantissa digits and scale:

* float32: ``u = (w & (2**24 - 1)) * 2**-24``            (one word)
* float64: ``u = (random64 & (2**53 - 1)) * 2**-53``     (two words)
* float16: float32's ``u``, then rounded to half (one word)

and ``uniform_(a, b)`` is ``u * (b - a) + a``, computed as one fused
multiply-add (the compiler contracts it: see :func:`fma64`).

**Integers**: ``random_(low, high)`` is ``w % (high - low) + low``, with a
32-bit word when the range is below 2**28 and a 64-bit draw otherwise.

**Normals** take two routes (``normal_kernel``):

* 16 or more float elements in contiguous memory: ``normal_fill``.  First
  every element gets a uniform, then each block of 16 becomes 16 normals by
  Box-Muller, ``u1 = 1 - data[j]``, ``u2 = data[j + 8]``,
  ``r = sqrt(-2 log u1)``, ``theta = 2 pi u2``, ``data[j] = r cos theta``,
  ``data[j + 8] = r sin theta``.  If the size is not a multiple of 16, the
  last 16 elements are redrawn (16 fresh uniforms) and transformed again.
  For float32 PyTorch uses 8-lane AVX2 code with Cephes polynomials for
  ``log``, ``sin`` and ``cos`` (``avx_mathfun.h``); :func:`_log_avx2` and
  :func:`_sincos_avx2` repeat those polynomials operation by operation.
* anything else (fewer than 16 elements, a strided tensor): one
  ``normal_distribution<double>`` per element, Box-Muller on two 53-bit
  uniforms, ``r = sqrt(-2 log1p(-u2))``, ``theta = 2 pi u1``, returning
  ``r cos theta`` and keeping ``r sin theta`` in the generator for the next
  call (the *cached normal*, part of the generator's state).

**Permutations** (``randperm(n)``): start from ``0 .. n-1`` and for
``i = 0 .. n-2`` swap element ``i`` with element ``i + w_i % (n - i)``.

Fidelity notes, kept out of the formulas' way:

* PyTorch's C++ is compiled with floating-point contraction: ``a * b + c``
  becomes one ``fma`` instruction, rounded once.  NumPy has no fma, so
  :func:`fma32` and :func:`fma64` compute it exactly from error-free
  transformations.  Where the compiler fused and where it did not was found
  by testing every candidate against torch.
* ``log``, ``log1p``, ``exp`` and ``tan`` in double precision come from the
  C library (``libm``), as PyTorch's do: NumPy's own SIMD versions differ from
  it in the last bit for 0.3 to 7 % of inputs.  :data:`libm_log` and friends
  call it element by element from C (``np.frompyfunc``); NumPy's ``sin`` and
  ``cos`` agree with ``libm`` and are used directly.

The Generator object and ``manual_seed`` are ``microgrid/random.py``; the ops
built on these kernels, ``microgrid/ops/random.py``.

Read next: ``../_dtype.py``.
"""

from __future__ import annotations

import math
import struct
from typing import Callable, Optional, Sequence, Tuple

import numpy as np

# -- the engine: MT19937 as PyTorch keeps it ------------------------------------------------
MERSENNE_N = 624
DEFAULT_SEED = 67280421310721  # at::default_rng_seed_val: a generator no one seeded
STATE_BYTES = 5056  # sizeof(CPUGeneratorImplState), what get_rng_state() returns

# CPUGeneratorImplState: the legacy POD (seed, left, seeded, next, 624 uint64 words,
# normal_x, normal_y, normal_rho, normal_is_valid) then the cached float normal.
_HEADER = struct.Struct("<QiiQ")  # the_initial_seed, left, seeded, next    (bytes 0..24)
_WORDS_AT = 24  # uint64 state[624]                                          (24..5016)
_NORMAL = struct.Struct("<dddi")  # normal_x, normal_y, normal_rho, normal_is_valid (5016..)
_NORMAL_AT = 5016
_FLOAT_NORMAL = struct.Struct("<f?")  # next_float_normal_sample and its valid flag (5048..)
_FLOAT_NORMAL_AT = 5048


def seeded_key(seed: int) -> np.ndarray:
    """The 624-word state ``manual_seed(seed)`` starts from (Knuth's recurrence
    on the low 32 bits of the seed, ``init_genrand`` of the MT19937 paper)."""
    key = np.empty(MERSENNE_N, dtype=np.uint32)
    x = seed & 0xFFFFFFFF
    for i in range(MERSENNE_N):
        key[i] = x
        x = (1812433253 * (x ^ (x >> 30)) + i + 1) & 0xFFFFFFFF
    return key


def temper(words: np.ndarray) -> np.ndarray:
    """MT19937's output function: a state word scrambled into an output word."""
    y = words.astype(np.uint32)
    y ^= y >> np.uint32(11)
    y ^= (y << np.uint32(7)) & np.uint32(0x9D2C5680)
    y ^= (y << np.uint32(15)) & np.uint32(0xEFC60000)
    y ^= y >> np.uint32(18)
    return y


class MT19937:
    """One PyTorch CPU generator: the twister, its seed and the cached normals.

    NumPy's ``MT19937`` bit generator runs the twister in C; this class keeps
    the bookkeeping PyTorch's ``get_state`` shows (``left``/``next`` counters,
    the seed, the cached Box-Muller normals).  NumPy's ``pos`` (words used
    since the last twist) is PyTorch's ``next``, and ``left = 625 - next``,
    except that both "freshly seeded" (``next = 0``) and "all 624 used"
    (``next = 624``) show as ``left = 1``: ``_idle_next`` remembers which.
    """

    def __init__(self, seed: int = DEFAULT_SEED) -> None:
        self._bits = np.random.MT19937(0)
        self.manual_seed(seed)

    def manual_seed(self, seed: int) -> None:
        """Restart from ``seed`` (an unsigned 64-bit int), dropping the cached normals."""
        self._set_key(seeded_key(seed), MERSENNE_N)
        self.initial_seed = seed
        self._idle_next = 0
        self._prefix: Optional[np.ndarray] = None  # words owed before the next twist
        self.next_double_normal: Optional[float] = None
        self.next_float_normal: Optional[float] = None

    def _set_key(self, key: np.ndarray, pos: int) -> None:
        self._bits.state = {"bit_generator": "MT19937", "state": {"key": key, "pos": pos}}

    # draws ------------------------------------------------------------------------------
    def words(self, n: int) -> np.ndarray:
        """The next ``n`` 32-bit words (``CPUGeneratorImpl::random``), as uint32."""
        if n <= 0:
            return np.empty(0, dtype=np.uint32)
        prefix = self._prefix
        if prefix is None:
            self._idle_next = MERSENNE_N
            return self._bits.random_raw(n).astype(np.uint32)
        taken = min(n, len(prefix))
        head, self._prefix = prefix[:taken], (prefix[taken:] if taken < len(prefix) else None)
        if self._prefix is None:  # owed words all served: PyTorch's next stops there
            self._idle_next = self._prefix_next + self._prefix_length
        if n == taken:
            return head.copy()
        self._idle_next = MERSENNE_N
        return np.concatenate([head, self._bits.random_raw(n - taken).astype(np.uint32)])

    def words64(self, n: int) -> np.ndarray:
        """The next ``n`` 64-bit draws (``random64``): two words each, the first high."""
        pairs = self.words(2 * n).astype(np.uint64).reshape(n, 2)
        return (pairs[:, 0] << np.uint64(32)) | pairs[:, 1]

    # state ------------------------------------------------------------------------------
    def get_state(self) -> bytes:
        """The 5,056 bytes ``torch.get_rng_state()`` holds for this state."""
        state = self._bits.state["state"]
        key, pos = state["key"], int(state["pos"])
        if self._prefix is not None:
            left, next_ = len(self._prefix) + 1, self._prefix_next + self._prefix_taken()
        elif pos >= MERSENNE_N:
            left, next_ = 1, self._idle_next
        else:
            left, next_ = MERSENNE_N + 1 - pos, pos
        buffer = bytearray(STATE_BYTES)
        _HEADER.pack_into(buffer, 0, self.initial_seed, left, 1, next_)
        buffer[_WORDS_AT:_NORMAL_AT] = key.astype("<u8").tobytes()
        double_valid = self.next_double_normal is not None
        _NORMAL.pack_into(buffer, _NORMAL_AT, 0.0, self.next_double_normal or 0.0, 0.0,
                          double_valid)
        float_valid = self.next_float_normal is not None
        _FLOAT_NORMAL.pack_into(buffer, _FLOAT_NORMAL_AT, self.next_float_normal or 0.0,
                                float_valid)
        return bytes(buffer)

    def _prefix_taken(self) -> int:
        return self._prefix_length - (0 if self._prefix is None else len(self._prefix))

    def set_state(self, data: bytes) -> None:
        """Take the state from ``get_state``'s bytes (PyTorch's checks, then the copy).
        Raises RuntimeError("Invalid mt19937 state") as PyTorch's ``is_valid`` does."""
        seed, left, seeded, next_ = _HEADER.unpack_from(data, 0)
        if not (seeded == 1 and 0 < left <= MERSENNE_N and 0 <= next_ <= MERSENNE_N):
            raise RuntimeError("Invalid mt19937 state")
        if left > 1 and next_ + left - 1 > MERSENNE_N:
            # PyTorch would read past its 624 words (undefined behaviour in C++).
            raise RuntimeError("Invalid mt19937 state")
        key = np.frombuffer(data, dtype="<u8", count=MERSENNE_N, offset=_WORDS_AT)
        key = key.astype(np.uint32)  # PyTorch keeps the low 32 bits of each word too
        _, normal_y, _, normal_valid = _NORMAL.unpack_from(data, _NORMAL_AT)
        float_normal, float_valid = _FLOAT_NORMAL.unpack_from(data, _FLOAT_NORMAL_AT)
        self._set_key(key, MERSENNE_N)
        self._prefix = None
        self._idle_next = next_
        if left > 1:
            # The twister still owes the words key[next .. next + left - 2] before it
            # twists again; states PyTorch made always have next + left == 625.
            self._prefix = temper(key[next_:next_ + left - 1])
            self._prefix_next, self._prefix_length = next_, left - 1
        self.initial_seed = seed
        self.next_double_normal = normal_y if normal_valid else None
        self.next_float_normal = float(float_normal) if float_valid else None

    def clone(self) -> "MT19937":
        """An independent copy in the same state (``Generator.clone_state``)."""
        other = MT19937.__new__(MT19937)
        other._bits = np.random.MT19937(0)
        other._bits.state = self._bits.state
        for name in ("initial_seed", "_idle_next", "_prefix", "next_double_normal",
                     "next_float_normal"):
            setattr(other, name, getattr(self, name))
        if self._prefix is not None:
            other._prefix = self._prefix.copy()
            other._prefix_next, other._prefix_length = self._prefix_next, self._prefix_length
        return other


# -- exact arithmetic PyTorch's compiled code does --------------------------------------------
def _two_sum(a: np.ndarray, b: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """s, t with s = fl(a + b) and s + t == a + b exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


_SPLIT = 134217729.0  # 2**27 + 1: Veltkamp's splitter for doubles


def _two_product(a: np.ndarray, b: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
    """p, e with p = fl(a * b) and p + e == a * b exactly (Dekker)."""
    p = a * b
    ca, cb = _SPLIT * a, _SPLIT * b
    a_hi, b_hi = ca - (ca - a), cb - (cb - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    e = ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo
    return p, e


def _round_to_odd(value: np.ndarray, error: np.ndarray) -> np.ndarray:
    """``value + error`` (``value = fl(value + error)``) rounded to odd: if inexact,
    the neighbour of the two with an odd last bit.  Rounding an odd-rounded
    value again to nearest (in the same or a shorter format) is correct."""
    bits = value.view(np.int64)
    fix = (error != 0) & ((bits & 1) == 0)
    if fix.any():
        toward = np.where((error > 0) == (value > 0), 1, -1)
        bits = np.where(fix, bits + toward, bits)
    return bits.view(np.float64)


def fma64(a: np.ndarray, b: float, c: float) -> np.ndarray:
    """``a * b + c`` in double with one rounding, as the ``vfmadd`` PyTorch's
    compiler emits (Boldo and Melquiond's emulation: the exact product and the
    exact sum with ``c``, their low parts added with rounding to odd, then one
    rounding to nearest).  Exact unless ``a * b`` underflows (below 2**-969),
    where Dekker's product loses bits: a subnormal ``std`` or range."""
    a = np.asarray(a, dtype=np.float64)
    if np.ndim(b) == 0 and np.ndim(c) == 0 and b == 1.0 and c == 0.0:
        return a.copy()
    high, low = _two_product(a, np.float64(b))
    s, t = _two_sum(np.full_like(high, c), high)
    u, error = _two_sum(t, low)
    return s + _round_to_odd(u, error)


def fma32(a: np.ndarray, b: np.ndarray, c: np.ndarray, *, normal_range: bool = False) -> np.ndarray:
    """``a * b + c`` on float32 operands, rounded once to float32 (``vfmadd...ps``).

    The product of two float32 numbers is exact in double; the double sum is
    then correct unless it lands exactly halfway between two float32 numbers
    (or below float32's normal range, which callers can rule out with
    ``normal_range``): the only cases where rounding twice differs from
    rounding once.  Those few are redone with the sum rounded to odd."""
    total = np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)
    total += c
    risky = (total.view(np.uint64) & np.uint64(0x1FFFFFFF)) == np.uint64(0x10000000)
    if not normal_range:
        risky |= np.abs(total) < 2.0**-125
    if risky.any():
        where = np.nonzero(risky)
        product = np.multiply(np.broadcast_to(a, total.shape)[where],
                              np.broadcast_to(b, total.shape)[where], dtype=np.float64)
        addend = np.broadcast_to(c, total.shape)[where].astype(np.float64)
        rounded, error = _two_sum(product, addend)
        total[where] = _round_to_odd(rounded, error)
    return total.astype(np.float32)


def _libm(function: object) -> np.ufunc:
    """A NumPy function calling the C library's double ``function`` per element."""
    call = np.frompyfunc(function, 1, 1)

    def apply(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        if x.size == 0:
            return x.copy()
        return call(x).astype(np.float64)

    return apply  # type: ignore[return-value]


libm_log = _libm(math.log)
libm_log1p = _libm(math.log1p)
libm_exp = _libm(math.exp)
libm_tan = _libm(math.tan)


# -- words into uniform floats ---------------------------------------------------------------
def unit_uniform(engine: MT19937, n: int, dtype: np.dtype) -> np.ndarray:
    """``n`` draws of U[0, 1) the way ``uniform_real_distribution<dtype>`` makes them:
    mantissa-many low bits of a word (two for float64), scaled.  float16 values
    use float32's 24 bits and are returned in float32 (PyTorch's accumulation type)."""
    dtype = np.dtype(dtype)
    if dtype == np.float64:
        return (engine.words64(n) & np.uint64(2**53 - 1)).astype(np.float64) * 2.0**-53
    words = engine.words(n)
    words &= np.uint32(2**24 - 1)  # float16 too: float's 24 bits
    u = words.astype(np.float32)
    u *= np.float32(2.0**-24)
    return u


def uniform(engine: MT19937, n: int, dtype: np.dtype, low: float, high: float) -> np.ndarray:
    """``Tensor.uniform_(low, high)``: ``u * (high - low) + low`` (fused), in ``dtype``;
    a result that rounds to ``high`` is replaced by ``low``."""
    dtype = np.dtype(dtype)
    u = unit_uniform(engine, n, dtype)
    if low == 0.0 and high == 1.0 and dtype != np.float16:
        return u.astype(dtype)  # exact, and below 1 (float16 can round up to 1)
    if dtype == np.float64:
        values = fma64(u, high - low, low)
    else:
        lo, hi = np.float32(low), np.float32(high)  # float16 computes in float32 too
        values = fma32(u, hi - lo, lo).astype(dtype)
    # a value that rounded up to ``high`` becomes ``low``: the range stays [low, high)
    return np.where(values == dtype.type(high), dtype.type(low), values)


# -- normals -----------------------------------------------------------------------------------
def box_muller(engine: MT19937, n: int) -> np.ndarray:
    """``n`` standard normals from ``normal_distribution<double>``, one call each:
    the cached value first if there is one, then pairs ``r cos theta``,
    ``r sin theta`` from two 53-bit uniforms each; an odd one out leaves its
    ``r sin theta`` cached in the generator."""
    out = np.empty(n, dtype=np.float64)
    if n == 0:
        return out
    start = 0
    if engine.next_double_normal is not None:
        out[0] = engine.next_double_normal
        engine.next_double_normal = None
        start = 1
    pairs = (n - start + 1) // 2
    u = unit_uniform(engine, 2 * pairs, np.float64).reshape(pairs, 2)
    u1, u2 = u[:, 0], u[:, 1]
    r = np.sqrt(-2.0 * libm_log1p(-u2))
    theta = (2.0 * math.pi) * u1
    both = np.empty((pairs, 2))
    both[:, 0] = r * np.cos(theta)
    both[:, 1] = r * np.sin(theta)
    flat = both.reshape(-1)
    out[start:] = flat[:n - start]
    if (n - start) % 2:
        engine.next_double_normal = float(flat[-1])
    return out


def normal(engine: MT19937, n: int, dtype: np.dtype, mean: float, std: float,
           contiguous: bool) -> np.ndarray:
    """``Tensor.normal_(mean, std)`` on ``n`` elements of ``dtype``, in the order
    PyTorch fills them (memory order)."""
    dtype = np.dtype(dtype)
    if n >= 16 and contiguous:
        # float16 goes through the float32 code and is rounded at the end; it draws
        # uniforms for whole blocks of 16 only (float32/64 draw one per element)
        fill = _fill_float64 if dtype == np.float64 else _fill_float32
        out = np.empty(n, dtype=dtype)
        whole = n // 16 * 16
        for start in range(0, whole, _CHUNK):  # speed: a cache-sized piece at a time
            stop = min(start + _CHUNK, whole)
            out[start:stop] = fill(unit_uniform(engine, stop - start, dtype), mean, std)
        if n > whole and dtype != np.float16:
            unit_uniform(engine, n - whole, dtype)  # drawn, then overwritten below
        if n % 16:  # the last 16 elements are drawn again and transformed again
            out[n - 16:] = fill(unit_uniform(engine, 16, dtype), mean, std)
        return out
    # one normal_distribution<double> per element: ret * std + mean, fused
    return fma64(box_muller(engine, n), std, mean).astype(dtype)


def _fill_float64(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """``normal_fill_16<double>`` on blocks of 16 uniforms (libm ``log``)."""
    blocks = u.reshape(-1, 2, 8)
    radius = np.sqrt(-2.0 * libm_log(1.0 - blocks[:, 0]))
    theta = (2.0 * math.pi) * blocks[:, 1]
    out = np.empty_like(blocks)
    out[:, 0] = radius * np.cos(theta)
    out[:, 1] = radius * np.sin(theta)
    return fma64(out.reshape(-1), std, mean)


# The float32 path: avx_mathfun.h's Cephes polynomials, 8 lanes at a time in PyTorch,
# a piece of lanes at once here.  Each step the compiler fused is an ``fma`` call (or,
# where its product is exact, a plain sum); every other step rounds to float32 on its
# own, exactly as the compiled code does.
_F32 = np.float32
_LOG_P = [_F32(c) for c in (7.0376836292e-2, -1.1514610310e-1, 1.1676998740e-1,
                            -1.2420140846e-1, 1.4249322787e-1, -1.6668057665e-1,
                            2.0000714765e-1, -2.4999993993e-1, 3.3333331174e-1)]
_LOG_Q1, _LOG_Q2 = _F32(-2.12194440e-4), _F32(0.693359375)
_SQRT_HALF = _F32(0.707106781186547524)
_FOUR_OVER_PI = _F32(1.27323954473516)
_DP1, _DP2, _DP3 = _F32(-0.78515625), _F32(-2.4187564849853515625e-4), _F32(-3.77489497744594108e-8)
_SIN_P = [_F32(c) for c in (-1.9515295891e-4, 8.3321608736e-3, -1.6666654611e-1)]
_COS_P = [_F32(c) for c in (2.443315711809948e-005, -1.388731625493765e-003,
                            4.166664568298827e-002)]
_TWO_PI_F32 = _F32(2.0 * math.pi)


Fma = Optional[Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]]


def _fma32_in_range(a: np.ndarray, b: np.ndarray, c: np.ndarray) -> np.ndarray:
    """:func:`fma32` without its halfway check, for the two polynomials below
    only: on every input they can receive (the 2**24 possible uniforms) it
    gives what the checked version gives, which ``tests/test_random.py``
    verifies input by input."""
    total = np.asarray(a, dtype=np.float64) * np.asarray(b, dtype=np.float64)
    total += c
    return total.astype(np.float32)


def _log_avx2(x: np.ndarray, fma: Fma = None) -> np.ndarray:
    """``log256_ps``: log x = e log 2 + log m with x = m 2**e, m in [sqrt(1/2), sqrt(2)),
    log(1 + f) by a degree-9 polynomial in f (x > 0 here: u1 is in (0, 1])."""
    fma = fma or _fma32_in_range
    bits = x.view(np.int32)
    e = ((bits >> 23) - 126).astype(_F32)  # x = m 2**e with m in [0.5, 1)
    m = ((bits & ~0x7F800000) | 0x3F000000).view(_F32)  # the mantissa, scaled into [0.5, 1)
    small = m < _SQRT_HALF
    f = np.where(small, m + m, m)
    f -= _F32(1)  # 2m - 1 or m - 1: exact either way, as PyTorch's (m - 1) + (m or 0)
    e -= small
    z = f * f
    f_wide = f.astype(np.float64)  # speed: converted once for the nine products
    y = fma(_LOG_P[0], f_wide, _LOG_P[1])
    for coefficient in _LOG_P[2:]:
        y = fma(y, f_wide, coefficient)
    y = y * f
    y = fma(y, z, e * _LOG_Q1)  # the compiler fused the first product
    y = y - z * _F32(0.5)  # fused too, but z / 2 is exact: one rounding either way
    return (f + y) + e * _LOG_Q2  # fused too; e * q2 is exact (5 and 9 significant bits)


def _sincos_avx2(x: np.ndarray, fma: Fma = None) -> Tuple[np.ndarray, np.ndarray]:
    """``sincos256_ps`` for x >= 0: reduce by multiples of pi/4 (in three parts,
    Cody-Waite), then a sine or cosine polynomial depending on the octant."""
    fma = fma or _fma32_in_range
    j = (x * _FOUR_OVER_PI).astype(np.int32)
    j = (j + 1) & ~1
    y = j.astype(_F32)
    sin_sign = (j & 4) << 29
    cos_sign = ((j + 2) & 4) << 29  # PyTorch: ~(j - 2) & 4, the same bit (j is even)
    use_sine_poly = (j & 2) == 0
    x = x + y * _DP1  # fused in PyTorch; y * DP1 and y * DP2 are exact (y <= 8), so the
    x = x + y * _DP2  # fma and the plain sum round alike
    x = fma(y, _DP3, x)
    z = x * x
    z_wide = z.astype(np.float64)  # speed: converted once for the products below
    c = fma(_COS_P[0], z_wide, _COS_P[1])
    c = fma(c, z_wide, _COS_P[2])
    c = c * z
    c = fma(c, z_wide, -(z * _F32(0.5)))  # again the first product fused
    c = c + _F32(1)
    s = fma(_SIN_P[0], z_wide, _SIN_P[1])
    s = fma(s, z_wide, _SIN_P[2])
    s = s * z
    s = fma(s, x, x)
    sine = np.where(use_sine_poly, s, c)
    cosine = np.where(use_sine_poly, c, s)
    return ((sine.view(np.int32) ^ sin_sign).view(_F32),
            (cosine.view(np.int32) ^ cos_sign).view(_F32))


_CHUNK = 1 << 14  # elements per piece: a piece's temporaries stay in the CPU's cache


def _fill_float32(u: np.ndarray, mean: float, std: float) -> np.ndarray:
    """``normal_fill_16_AVX2`` on blocks of 16 float32 uniforms."""
    blocks = u.reshape(-1, 2, 8)
    radius = np.sqrt(_F32(-2) * _log_avx2(_F32(1) - blocks[:, 0]))
    sine, cosine = _sincos_avx2(_TWO_PI_F32 * blocks[:, 1])
    out = np.empty(blocks.shape, dtype=_F32)
    np.multiply(radius, cosine, out=out[:, 0])
    np.multiply(radius, sine, out=out[:, 1])
    mean32, std32 = _F32(mean), _F32(std)
    if mean32 != 0 or std32 != 1:
        return fma32(out.reshape(-1), std32, mean32)
    return out.reshape(-1)


# -- other distributions (one draw per element, DistributionsHelper.h) -------------------------
def exponential(engine: MT19937, n: int, lambd: float) -> np.ndarray:
    """``exponential_(lambd)``: ``-1 / lambd * log1p(-u)``, u a 53-bit uniform (double)."""
    return (-1.0 / lambd) * libm_log1p(-unit_uniform(engine, n, np.float64))


def geometric(engine: MT19937, n: int, p: float) -> np.ndarray:
    """``geometric_(p)``: ``ceil(log(u) / log(1 - p))`` (double)."""
    return np.ceil(libm_log(unit_uniform(engine, n, np.float64)) / math.log(1.0 - p))


def log_normal(engine: MT19937, n: int, mean: float, std: float) -> np.ndarray:
    """``log_normal_(mean, std)``: ``exp`` of ``normal_distribution<double>``'s values."""
    return libm_exp(fma64(box_muller(engine, n), std, mean))


def cauchy(engine: MT19937, n: int, median: float, sigma: float) -> np.ndarray:
    """``cauchy_(median, sigma)``: ``median + sigma * tan(pi * (u - 0.5))`` (double)."""
    u = unit_uniform(engine, n, np.float64)
    return median + sigma * libm_tan(math.pi * (u - 0.5))


def bernoulli_scalar(engine: MT19937, n: int, p: float) -> np.ndarray:
    """``bernoulli_(p)`` for a number p: ``u < p`` with a 53-bit u (True = 1)."""
    return unit_uniform(engine, n, np.float64) < p


def bernoulli_tensor(engine: MT19937, p: np.ndarray) -> np.ndarray:
    """``bernoulli_(p)`` for a tensor of probabilities (already broadcast and in
    fill order): a 53-bit u for double p, a 24-bit float u for any other p."""
    if p.dtype == np.float64:
        return unit_uniform(engine, p.size, np.float64) < p
    return unit_uniform(engine, p.size, np.float32) < p.astype(np.float32)


def poisson(engine: MT19937, rates: np.ndarray) -> np.ndarray:
    """``torch.poisson(rates)`` (rates flat, in fill order), element by element:
    each sample takes as many 53-bit uniforms as its rejection loop needs, so
    the elements are drawn in turn (a Python loop).  For a rate below 10,
    Knuth's method: multiply uniforms until the product falls to ``exp(-rate)``
    or below; from 10 on, Hoermann's transformed rejection (PTRS).  A negative
    rate raises when its turn comes, after the elements before it have drawn."""
    out = np.empty(rates.size, dtype=np.float64)
    for i, rate in enumerate(rates.astype(np.float64).tolist()):
        out[i] = _poisson_sample(engine, rate)
    return out


def _poisson_sample(engine: MT19937, rate: float) -> int:
    def uniform() -> float:
        return float(unit_uniform(engine, 1, np.float64)[0])

    if not rate >= 0:
        raise RuntimeError("invalid Poisson rate, expected rate to be non-negative")
    if rate == 0:
        return 0
    if rate < 10:
        limit, count, product = math.exp(-rate), 0, 1.0
        while True:
            product *= uniform()
            if product <= limit:
                return count
            count += 1
    root, log_rate = math.sqrt(rate), math.log(rate)
    b = 0.931 + 2.53 * root
    a = -0.059 + 0.02483 * b
    inverse_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)
    while True:
        u = uniform() - 0.5
        v = uniform()
        us = 0.5 - abs(u)
        k = math.floor((2 * a / us + b) * u + rate + 0.43)
        if us >= 0.07 and v <= v_r:
            return k
        if k < 0 or (us < 0.013 and v > us):
            continue
        if (math.log(v) + math.log(inverse_alpha) - math.log(a / (us * us) + b)
                <= -rate + k * log_rate - math.lgamma(k + 1)):
            return k


# -- integers ------------------------------------------------------------------------------------
def random_from_to(engine: MT19937, n: int, dtype: np.dtype, low: int, span: int) -> np.ndarray:
    """``random_(low, low + span)`` / ``randint``: ``w % span + low``, ``w`` one 32-bit
    word when ``span < 2**28``, else a 64-bit draw (torch 2.13 switches at 2**28,
    found by bisection against it; older sources say 2**32)."""
    dtype = np.dtype(dtype)
    if span >= 2**28:
        draws = engine.words64(n)
    else:
        draws = engine.words(n).astype(np.uint64)
    values = (draws % np.uint64(span)) + np.uint64(low % 2**64)  # wraps like uint64_t
    return values.view(np.int64).astype(dtype)


def random_full_range(engine: MT19937, n: int, dtype: np.dtype) -> np.ndarray:
    """``random_(-2**63, None)``: a whole 64-bit draw read as a signed integer."""
    return engine.words64(n).view(np.int64).astype(dtype)


def random_default(engine: MT19937, n: int, dtype: np.dtype) -> np.ndarray:
    """``random_()`` without bounds: ``w % (max + 1)`` for integer types (bool: the
    low bit), ``w % (2**digits + 1)`` for floating types; 64-bit w for int64/double."""
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return (engine.words(n) & np.uint32(1)).astype(np.bool_)
    if dtype.kind == "f":
        modulus = 2 ** {8: 53, 4: 24, 2: 11}[dtype.itemsize] + 1
    else:
        modulus = int(np.iinfo(dtype).max) + 1
    draws = engine.words64(n) if dtype in (np.int64, np.float64) else engine.words(n)
    return (draws.astype(np.uint64) % np.uint64(modulus)).astype(dtype)


def randperm(engine: MT19937, n: int) -> np.ndarray:
    """PyTorch's shuffle of ``0 .. n-1`` (int64).

    For n < 2**32 / 20: swap element i with element ``i + w_i % (n - i)``,
    i = 0 .. n-2 (one 32-bit word each).  Larger n use the "inside-out"
    Fisher-Yates with 64-bit draws, ``z = w_i % (i + 1)``.  The draws and the
    modulos are vectorized; the swaps depend on each other and run in order."""
    if n < 0xFFFFFFFF // 20:
        offsets = (engine.words(n - 1).astype(np.int64) % np.arange(n, 1, -1)).tolist()
        perm = list(range(n))
        for i, z in enumerate(offsets):  # sequential by nature: each swap moves the last one's work
            j = i + z
            perm[i], perm[j] = perm[j], perm[i]
        return np.array(perm, dtype=np.int64)
    picks = (engine.words64(n) % np.arange(1, n + 1, dtype=np.uint64)).tolist()
    perm = [0] * n
    for i, z in enumerate(picks):
        perm[i] = perm[z]
        perm[z] = i
    return np.array(perm, dtype=np.int64)


# -- multinomial --------------------------------------------------------------------------------
def multinomial_with_replacement(engine: MT19937, probs: np.ndarray, n_sample: int) -> np.ndarray:
    """``multinomial(p, k, replacement=True)`` for rows ``probs`` (2-d): per row the
    running sum in the row's type (float32 for float16), divided by the total,
    the last entry set to 1; then per sample the first index whose cumulative
    value is >= a 53-bit uniform (a binary search).  Rows are checked and drawn
    in turn, so a bad row raises after the rows before it have drawn, as in PyTorch."""
    out = np.empty((probs.shape[0], n_sample), dtype=np.int64)
    acc = np.float32 if probs.dtype == np.float16 else probs.dtype
    for row, p in enumerate(probs):
        _check_multinomial_row(p)
        cumulative = np.cumsum(p.astype(acc), dtype=acc)  # sequential, like the C loop
        if not cumulative[-1] > 0:
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        cumulative = cumulative / cumulative[-1]
        cumulative[-1] = 1
        u = unit_uniform(engine, n_sample, np.float64)
        out[row] = np.searchsorted(cumulative.astype(np.float64), u, side="left")
    return out


def _check_multinomial_row(p: np.ndarray) -> None:
    """PyTorch's check of each entry in order: the first entry that is not >= 0
    (NaN included) or not finite decides the message."""
    negative = ~(p >= 0)
    bad = negative | ~np.isfinite(p)
    if bad.any():
        if negative[np.argmax(bad)]:
            raise RuntimeError("invalid multinomial distribution (encountering probability "
                               "entry < 0)")
        raise RuntimeError("invalid multinomial distribution (encountering probability entry = "
                           "infinity or NaN)")


def fill_order(shape: Sequence[int], strides: Sequence[int]) -> Tuple[int, ...]:
    """The axes in the order PyTorch's TensorIterator walks an output (outermost
    first): by decreasing stride, so that draws land in memory order."""
    axes = [axis for axis in range(len(shape))]
    return tuple(sorted(axes, key=lambda axis: (-abs(strides[axis]) if shape[axis] > 1 else 0,
                                                axis)))
