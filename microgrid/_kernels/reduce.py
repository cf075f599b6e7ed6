"""PyTorch's floating-point ``sum`` and ``mean``, added up in PyTorch's order, bit for bit.

PyTorch counterpart: ``cascade_sum`` in aten/src/ATen/native/cpu/SumKernel.cpp, driven by
TensorIterator (aten/src/ATen/TensorIterator.cpp: ``reorder_dimensions``,
``coalesce_dimensions``, ``serial_for_each``) and split over threads by
aten/src/ATen/TensorIteratorReduce.cpp (``parallel_reduce``).

Why this exists: floating-point addition is not associative, so a sum's last bit depends
on the order of the additions.  NumPy adds pairwise in blocks of eight; PyTorch adds in
a *cascade* shaped by its SIMD vector width.  On random float32 vectors of 8+ elements
the two disagree in the last bit 50-80% of the time.  This module adds in PyTorch's
order, with NumPy doing the arithmetic on whole slices at a time (never a Python loop
per element or per output row).

The order, from the inside out:

1. ``_cascade`` (PyTorch's ``multi_row_sum``): walk the ``n`` terms in blocks of
   ``step = 2**max(4, ceil(log2 n) // 4)``; each block is added left to right into
   level 0; every finished block is added into level 1; every ``step`` blocks level 1
   is added into level 2, every ``step**2`` blocks level 2 into level 3.  The terms
   after the last whole block go into level 0; the result is
   ``((level0 + level1) + level2) + level3``.  Only numbers of similar size meet.
2. ``_row_sum``: four independent cascades over the terms ``i = 0, 1, 2, 3 (mod 4)``
   (instruction-level parallelism), the leftover terms added to the first, then
   ``((s0 + s1) + s2) + s3``.
3. ``_inner_vectorized`` (``vectorized_inner_sum``): a contiguous row is read as SIMD
   vectors of ``lanes`` elements ;
   ``_row_sum`` runs over the vectors, lane by lane; then the tail elements that fill no
   vector and then the lanes are added left to right.  The sum kernel always runs with
   32-byte vectors (8 float32 lanes), even on AVX512 machines (see ``SUM_VECTOR_BYTES``).
4. The walk (``_Walk``): TensorIterator puts the reduced dims first, orders dims by stride,
   merges dims that are contiguous in memory, and hands the kernel 2-d slabs; the kernel
   picks one of four loops (contiguous inner, contiguous outer, scalar inner, scalar
   outer) by the slab's strides.  Tensors of 32,768+ elements are split over the
   intra-op threads (``num_threads()``), which changes the order once more.

``mean`` is ``sum`` followed by one division by the element count, as PyTorch's CPU
``mean`` does (float16 is summed and divided in float32).

Speed (docs/performance.md, "The exact kernels' costs"): the same additions through
fewer NumPy calls where the layout allows: 2-d cascades (``_cascade_rows``) for
contiguous whole sums and dim-0 sums, their big levels as one long reduce after a
row-regrouping copy (``_block_sums``), and a plan per shape remembered (``_plans``).

Read next: ``mathfns.py``.
"""

from __future__ import annotations

import builtins
import functools
import math
import os
import threading
from typing import Iterable, List, Optional, Sequence, Tuple

import numpy as np

from .layout import iterator_order

GRAIN_SIZE = 32768  # at::internal::GRAIN_SIZE: below it a reduction runs on one thread
_VECTOR_BYTES = {"avx512": 64, "avx2": 32, "default": 32}  # Vectorized<T> register size
# The sum kernel is registered without an AVX512 variant: on an AVX512 machine PyTorch
# runs its AVX2 build, so sums always use 32-byte vectors (measured: 100% agreement
# with 32-byte lanes under ATEN_CPU_CAPABILITY=avx512 and avx2, ~25% with 64-byte).
SUM_VECTOR_BYTES = 32
_threads: Optional[int] = None


# -- the machine PyTorch would see ------------------------------------------------
@functools.cache
def _cpu_flags() -> frozenset:
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return frozenset(line.split(":", 1)[1].split())
    except OSError:
        pass
    return frozenset()


@functools.cache
def cpu_capability() -> str:
    """The kernel set PyTorch's dispatcher picks: ``"avx512"``, ``"avx2"`` or ``"default"``.

    Like PyTorch, ``ATEN_CPU_CAPABILITY`` (exactly ``avx512``, ``avx2`` or ``default``),
    read once per process as PyTorch's dispatcher reads it, wins; otherwise AVX512 needs
    avx512 vl/bw/dq and fma, AVX2 needs avx2 and fma."""
    wanted = os.environ.get("ATEN_CPU_CAPABILITY")
    if wanted in _VECTOR_BYTES:
        return wanted
    flags = _cpu_flags()
    if {"avx512vl", "avx512bw", "avx512dq", "fma"} <= flags:
        return "avx512"
    if {"avx2", "fma"} <= flags:
        return "avx2"
    return "default"


@functools.cache
def _physical_cores() -> int:
    cores = set()
    root = "/sys/devices/system/cpu"
    try:
        for name in os.listdir(root):
            if name.startswith("cpu") and name[3:].isdigit():
                topo = os.path.join(root, name, "topology")
                with open(os.path.join(topo, "physical_package_id")) as a, \
                        open(os.path.join(topo, "core_id")) as b:
                    cores.add((a.read().strip(), b.read().strip()))
    except OSError:
        cores = set()
    return len(cores) or os.cpu_count() or 1


def num_threads() -> int:
    """PyTorch's intra-op thread count (``torch.get_num_threads()``): set_num_threads'
    value, else the physical cores, fewer if ``MKL_NUM_THREADS`` / ``OMP_NUM_THREADS``
    ask for fewer (PyTorch takes MKL's count, and MKL never exceeds the cores)."""
    if _threads is not None:
        return _threads
    cores = _physical_cores()
    for var in ("MKL_NUM_THREADS", "OMP_NUM_THREADS"):
        value = os.environ.get(var, "")
        if value.isdigit() and int(value) > 0:
            return min(int(value), cores)
    return cores


def set_num_threads(n: int) -> None:
    """Mirror ``torch.set_num_threads(n)``: sums of 32,768+ elements split over n threads."""
    global _threads
    _threads = int(n)


# -- the four building blocks --------------------------------------------------------
def _ceil_log2(x: int) -> int:
    return 1 if x <= 2 else (x - 1).bit_length()


def _sequential(a: np.ndarray, axis: int = 0) -> np.ndarray:
    """``a[0] + a[1] + ...`` along ``axis``, strictly left to right, for every other index.

    ``np.add.reduce`` adds left to right as long as the reduced axis is not NumPy's inner
    loop (its pairwise summation only runs over an inner-loop reduction): so it is used
    when some other axis has a smaller stride, and NumPy's iterator puts that one inside.
    Otherwise ``np.add.accumulate``, a plain left-to-right loop, whose last entry is it."""
    n = a.shape[axis]
    if n <= 1:
        return a.take(0, axis) if n else np.zeros(a.shape[:axis] + a.shape[axis + 1:], a.dtype)
    step = abs(a.strides[axis])
    if any(0 < abs(st) < step and size > 1
           for d, (st, size) in enumerate(zip(a.strides, a.shape, strict=True)) if d != axis):
        if a.nbytes > 1 << 16 and axis == 1:               # speed (large level-0 sums)
            return _large(a)
        return np.add.reduce(a, axis=axis)
    return np.add.accumulate(a, axis=axis).take(-1, axis)


def _large(a: np.ndarray) -> np.ndarray:
    """``np.add.reduce(a, axis=1)``, faster on big arrays.  Up to 8 MB (in cache): one
    whole-array addition per position along axis 1; beyond: 512 KB slabs along axis 0."""
    if a.nbytes <= 1 << 23 and a.shape[1] <= 64:
        total = a[:, 0].copy()
        for j in range(1, a.shape[1]):
            np.add(total, a[:, j], out=total)
        return total
    out = np.empty(a.shape[:1] + a.shape[2:], a.dtype)
    rows = max(1, a.shape[0] * (1 << 19) // a.nbytes)
    for start in range(0, a.shape[0], rows):
        np.add.reduce(a[start:start + rows], axis=1, out=out[start:start + rows])
    return out


def _cascade(x: np.ndarray) -> np.ndarray:
    """PyTorch's ``multi_row_sum``: the cascade sum along axis 0, every column independent."""
    size, cols = x.shape[0], x.shape[1:]
    step = 1 << max(4, _ceil_log2(size) // 4)
    blocks = size // step
    total = _sequential(x[blocks * step:])                  # level 0: terms after the blocks
    level = _sequential(x[:blocks * step].reshape((blocks, step) + cols), axis=1)
    for _ in range(2):                                      # levels 1 and 2 flush every `step`
        if not len(level):                                  # (an empty level adds nothing)
            return total
        groups = len(level) // step
        total = total + _sequential(level[groups * step:])  # ((l0 + l1) + l2) + l3
        level = _sequential(level[:groups * step].reshape((groups, step) + cols), axis=1)
    return total + _sequential(level) if len(level) else total   # level 3 never flushes


def _row_sum(x: np.ndarray) -> np.ndarray:
    """PyTorch's ``row_sum``: four interleaved cascades along axis 0, then combined."""
    quads = x.shape[0] // 4
    partial = _cascade(x[:quads * 4].reshape((quads, 4) + x.shape[1:]))
    first = partial[0]
    for row in x[quads * 4:]:                               # at most three leftover terms
        first = first + row
    return ((first + partial[1]) + partial[2]) + partial[3]


def _inner_vectorized(x: np.ndarray, lanes: int, acc: np.dtype) -> np.ndarray:
    """PyTorch's ``vectorized_inner_sum`` along axis 0 (contiguous in memory).

    float16 loads a vector of ``2 * lanes`` halves and adds neighbouring pairs in float32
    (``load_reduce_vec``) before the float32 lanes accumulate."""
    n, batch = x.shape[0], x.shape[1:]
    width = lanes * (acc.itemsize // x.dtype.itemsize)      # elements per SIMD load
    vectors = x[:n // width * width].reshape((n // width, width) + batch)
    if width != lanes:
        vectors = vectors[:, 0::2].astype(acc) + vectors[:, 1::2].astype(acc)
    lane_sums = _row_sum(vectors.astype(acc, copy=False))
    tail = x[n // width * width:].astype(acc, copy=False)
    return _sequential(np.concatenate([tail, lane_sums]))


# -- speed (performance.md, "What PyTorch's bits cost"): the same additions, fewer calls --
# Below GRAIN_SIZE a contiguous float32/float64 tensor summed whole, or a 2-d one summed
# over dim 0 (a bias gradient), needs none of the walk: its cascades run on 2-d views
# whose columns are independent, each level one ``np.add.reduce`` (left to right: the
# reduced axis is never NumPy's inner loop, the columns are).
def _cascade_rows(rows: np.ndarray) -> np.ndarray:
    """``_cascade`` of a 2-d ``(terms, columns)`` view, 2+ columns, columns innermost.
    An empty level is the number 0 (adding it is ``+ 0``, as adding PyTorch's zeroed
    accumulator is), not an array of zeros: one NumPy call fewer each."""
    add, (terms, width) = np.add.reduce, rows.shape
    step = 1 << max(4, _ceil_log2(terms) // 4)
    blocks = terms // step
    if not blocks:
        return add(rows, axis=0)                             # level 0 alone
    zero = rows.dtype.type(0)
    lead = blocks * step
    total = add(rows[lead:], axis=0) if lead < terms else zero   # level 0
    if lead * width >= _BLOCKS_MIN and rows.flags.c_contiguous:
        level = _block_sums(rows[:lead].reshape(blocks, step, width))
    else:
        level = add(rows[:lead].reshape(blocks, step, width), axis=1)
    for _ in range(2):                                      # levels 1 and 2
        groups = len(level) // step
        kept = groups * step
        total = total + (add(level[kept:], axis=0) if kept < len(level) else zero)
        if not groups:
            return total
        level = (_block_sums(level[:kept].reshape(groups, step, width))
                 if kept * width >= _BLOCKS_MIN else
                 add(level[:kept].reshape(groups, step, width), axis=1))
    return total + add(level, axis=0)


_BLOCKS_MIN = 1 << 14        # elements: below, one np.add.reduce over axis 1 is cheaper


class _Scratch(threading.local):
    """A per-thread scratch area for ``_block_sums``, made once (a fresh array of a few
    hundred KB costs its page faults on every call)."""

    def __init__(self) -> None:
        self.bytes = np.empty(1 << 18, np.uint8)


_scratch = _Scratch()


def _block_sums(blocks: np.ndarray) -> np.ndarray:
    """``np.add.reduce(blocks, axis=1)`` of a C-contiguous ``(n, step, width)`` array, in
    the same order (``step`` rows added one after another), faster.

    NumPy would run one inner loop of ``width`` elements per row.  Instead, a slice of
    blocks is copied with its rows regrouped by position (each row moved whole, as one
    ``width * itemsize``-byte element), so that position ``j`` of all blocks is one
    contiguous run; ``np.add.reduce`` over the leading axis then adds those runs in order
    of ``j``, each one long inner loop."""
    n, step, width = blocks.shape
    if step * width * blocks.itemsize > _scratch.bytes.size:   # one block outgrows the scratch
        return np.add.reduce(blocks, axis=1)
    row = np.dtype((np.void, width * blocks.itemsize))
    as_rows = blocks.view(row).reshape(n, step)             # one element per row
    out = np.empty((n, width), blocks.dtype)
    per_slice = max(1, _scratch.bytes.size // (step * row.itemsize))
    regrouped = _scratch.bytes[:per_slice * step * row.itemsize].view(row).reshape(
        step, per_slice)
    values = regrouped.view(blocks.dtype).reshape(step, per_slice, width)
    for start in range(0, n, per_slice):
        stop = min(n, start + per_slice)
        np.copyto(regrouped[:, :stop - start], as_rows[start:stop].T)
        np.add.reduce(values[:, :stop - start], axis=0, out=out[start:stop])
    return out


def _row_sum_rows(x: np.ndarray) -> np.ndarray:
    """``_row_sum`` of a 2-d ``(terms, columns)`` array: the four interleaved cascades
    are one cascade over rows of ``4 * columns``."""
    terms, width = x.shape
    quads = terms // 4
    partial = _cascade_rows(x[:quads * 4].reshape(quads, 4 * width)).reshape(4, width)
    if width > 1:           # speed: ((p0 + leftovers...) + p1) + p2) + p3 as one reduce
        if quads * 4 < terms:
            partial = np.concatenate([partial[:1], x[quads * 4:], partial[1:]])
        return np.add.reduce(partial, axis=0)
    first = partial[0]
    for row in x[quads * 4:]:                               # at most three leftover terms
        first = first + row
    return ((first + partial[1]) + partial[2]) + partial[3]


def _flat_sum(flat: np.ndarray, lanes: int) -> np.ndarray:
    """``_inner_vectorized`` of one contiguous float32/float64 row of ``lanes``+ terms."""
    vectors = flat.size // lanes
    lane_sums = _row_sum_rows(flat[:vectors * lanes].reshape(vectors, lanes))
    return np.add.accumulate(np.concatenate([flat[vectors * lanes:], lane_sums]))[-1]


def _dim0_sum(x: np.ndarray, lanes: int) -> np.ndarray:
    """``_columns`` of a C-contiguous 2-d float32/float64 array, 2+ rows and columns (the
    walk TensorIterator builds for it: reduced dim first, the columns contiguous)."""
    block = 4 * lanes if x.shape[1] >= SUM_VECTOR_BYTES // x.itemsize else 4
    split = x.shape[1] // block * block
    if split == x.shape[1]:
        return _cascade_rows(x)
    rest = _row_sum_rows(np.ascontiguousarray(x[:, split:]))
    return np.concatenate([_cascade_rows(x[:, :split]), rest]) if split else rest


def _columns(x: np.ndarray, block: int) -> np.ndarray:
    """Column sums along axis 0: the first whole multiples of ``block`` columns by one
    cascade each (``multi_row_sum``), the rest by ``row_sum``."""
    split = x.shape[1] // block * block
    if x.ndim == 2 and x.strides[1] == x.itemsize < x.strides[0]:
        # speed: 2-d with contiguous columns (a dim-0 sum's slab): the 2-d cascades
        rest = _row_sum_rows(np.ascontiguousarray(x[:, split:])) if split < x.shape[1] else None
        if not split:
            return rest
        head = _cascade_rows(x[:, :split])
        return head if rest is None else np.concatenate([head, rest])
    return np.concatenate([_cascade(x[:, :split]), _row_sum(x[:, split:])])


def _slab(x: np.ndarray, strides: Tuple[int, int], out_zero: Tuple[bool, bool],
          acc: np.dtype, lanes: int) -> Tuple[np.ndarray, bool]:
    """One call of ``cascade_sum``'s 2-d loop, batched over any trailing dims of ``x``.

    ``x`` is (size0, size1, *outer); ``strides`` are its input strides in elements and
    ``out_zero`` says which of the two dims the output does not move along (reduced).
    Returns the per-column results (size1, *outer) and whether they all land in one
    output element (to be added there one after another)."""
    (s0, s1), (z0, z1) = strides, out_zero
    if not z0 and z1:                                       # move the reduction to dim 0
        x, s0, s1, z0, z1 = np.swapaxes(x, 0, 1), s1, s0, z1, z0
    if not z0 and not z1:                                   # nothing reduced here
        return x[0].astype(acc) if x.shape[0] == 1 else x.astype(acc), False
    wide = SUM_VECTOR_BYTES // x.dtype.itemsize             # vec_t::size()
    if s0 == 1 and x.shape[0] >= wide:
        return _inner_vectorized(x, lanes, acc), z1
    x = x.astype(acc, copy=False)
    if s1 == 1 and x.shape[1] >= wide:
        return _columns(x, 4 * lanes), z1
    if s0 < s1:
        return _row_sum(x), z1
    return _columns(x, 4), z1


# -- TensorIterator's walk ------------------------------------------------------------
class _Walk:
    """The dims TensorIterator hands the kernel: reduced first, ordered by stride, merged.

    ``shape``, ``inp`` and ``out`` are per iterator dim (dim 0 moves fastest); strides are
    in elements; ``offset`` is where the walk starts in the input's memory."""

    def __init__(self, shape: Sequence[int], inp: Sequence[int], out: Sequence[int],
                 offset: int = 0) -> None:
        self.shape, self.inp, self.out, self.offset = list(shape), list(inp), list(out), offset

    @classmethod
    def of(cls, shape: Tuple[int, ...], strides: Tuple[int, ...],
           reduced: Iterable[int]) -> "_Walk":
        reduced = set(reduced)
        kept = [1 if d in reduced else s for d, s in enumerate(shape)]
        out, step = [0] * len(shape), 1
        for d in reversed(range(len(shape))):               # the output is contiguous
            out[d] = 0 if d in reduced else step
            step *= max(kept[d], 1)
        perm = list(reversed(range(len(shape))))            # reorder_dimensions

        def should_swap(a: int, b: int) -> int:
            for st, is_out in ((out, True), (strides, False)):
                if is_out and (st[a] == 0) != (st[b] == 0):
                    return 1 if st[b] == 0 else -1
                if st[a] == 0 or st[b] == 0:
                    continue
                if st[a] != st[b]:
                    return -1 if st[a] < st[b] else 1
                if shape[a] > shape[b]:
                    return 1
            return 0

        perm = iterator_order(perm, should_swap)
        walk = cls([shape[d] for d in perm], [strides[d] for d in perm], [out[d] for d in perm])
        walk._coalesce()
        return walk

    def _coalesce(self) -> None:
        shape, ops = self.shape, (self.inp, self.out)
        if not shape:
            return
        prev = 0
        for d in range(1, len(shape)):
            if shape[prev] == 1 or shape[d] == 1 or all(
                    shape[prev] * st[prev] == st[d] for st in ops):
                if shape[prev] == 1:
                    for st in ops:
                        st[prev] = st[d]
                shape[prev] *= shape[d]
            else:
                prev += 1
                for st in ops:
                    st[prev] = st[d]
                shape[prev] = shape[d]
        del shape[prev + 1:], self.inp[prev + 1:], self.out[prev + 1:]

    def numel(self) -> int:
        return math.prod(self.shape)

    def narrow(self, dim: int, start: int, length: int) -> "_Walk":
        shape = list(self.shape)
        shape[dim] = length
        return _Walk(shape, self.inp, self.out, self.offset + start * self.inp[dim])


_TINY_ORDER_LISTS = [[], [0], [0, 1], [0, 1, 2], [0, 1, 2, 3], [0, 4, 1, 2, 3],
                     [0, 4, 5, 1, 2, 3], [0, 4, 5, 6, 1, 2, 3]]
# speed: the gathers as index arrays (a list is converted on every call), the identity
# (up to 4 terms: the row is already in order) as None
_TINY_ORDER = [None if order == list(range(len(order))) else np.array(order, np.intp)
               for order in _TINY_ORDER_LISTS]


@functools.lru_cache(maxsize=256)
def _walk(shape: Tuple[int, ...], strides: Tuple[int, ...], reduced: Tuple[int, ...]) -> _Walk:
    """``_Walk.of``, remembered: programs sum the same shapes over and over."""
    return _Walk.of(shape, strides, reduced)


def _view(base: np.ndarray, offset: int, shape: Sequence[int], strides: Sequence[int]
          ) -> np.ndarray:
    """The elements ``base[offset + sum(i_k * strides[k])]`` as an array of ``shape``."""
    item = base.itemsize
    strides = tuple(s * item for s in strides)
    if base.flags.c_contiguous:                             # speed: as_strided is slow
        return np.ndarray(tuple(shape), base.dtype, buffer=base, offset=offset * item,
                          strides=strides)
    return np.lib.stride_tricks.as_strided(base[offset:], shape=tuple(shape),
                                           strides=strides, writeable=False)


def _chain(values: np.ndarray, out_dtype: np.dtype) -> np.ndarray:
    """``out += v`` for each v in order along axis 0, ``out`` starting at +0 and stored
    in ``out_dtype`` after every addition (PyTorch's ``CastStoreAccumulate``)."""
    if values.dtype == out_dtype:
        return _sequential(values) + values.dtype.type(0)
    total = np.zeros(values.shape[1:], out_dtype)
    for v in values:                                        # float16 output: rounds each step
        total = (total.astype(values.dtype) + v).astype(out_dtype)
    return total


def _serial(base: np.ndarray, walk: _Walk, acc: np.dtype, lanes: int, out_dtype: np.dtype
            ) -> np.ndarray:
    """``serial_for_each`` over a whole walk: the values of the output elements the walk
    covers, shaped as its non-reduced dims (in walk order)."""
    shape, inp, out = walk.shape + [1, 1], walk.inp + [0, 0], walk.out + [0, 0]
    ndim = max(len(walk.shape), 2)
    x = _view(base, walk.offset, shape[:ndim], inp[:ndim])
    r, together = _slab(x, (inp[0], inp[1]), (out[0] == 0, out[1] == 0), acc, lanes)
    # r is (size1, *outer); the leading dims the output does not move along are added
    # into one element one after another, dim 1 fastest (TensorIterator's order)
    if not together:
        return (r + acc.type(0)).astype(out_dtype)
    chained = 1 + builtins.sum(1 for d in range(2, ndim) if out[d] == 0)
    rest = r.shape[chained:]
    order = np.transpose(r, tuple(reversed(range(chained))) + tuple(range(chained, r.ndim)))
    return _chain(order.reshape((-1,) + rest), out_dtype)


def _pieces(walk: _Walk, begin: int, end: int) -> List[Tuple[List[int], int, int]]:
    """TensorIterator's ``DimCounter``: the 2-d loop calls covering flat range [begin, end):
    (start index per dim, size0, size1)."""
    shape = walk.shape
    values, rem = [], begin
    for s in shape:
        values.append(rem % s)
        rem //= s
    offset, calls = begin, []
    while offset < end:
        step0 = min(shape[0] - values[0], end - offset)
        step1 = 1
        if step0 == shape[0] and len(shape) >= 2:
            step1 = min(shape[1] - values[1], (end - offset) // shape[0])
        calls.append((list(values), step0, step1))
        offset += step0 * step1
        i, overflow = (1, step1) if step1 != 1 else (0, step0)
        while i < len(shape) and overflow > 0:
            value = values[i] + overflow
            overflow = 1 if value >= shape[i] else 0
            values[i] = value - shape[i] if value >= shape[i] else value
            i += 1
    return calls


def _two_pass(base: np.ndarray, walk: _Walk, acc: np.dtype, lanes: int,
              out_dtype: np.dtype, threads: int) -> np.ndarray:
    """A whole-tensor reduction over threads: each thread sums its chunk of the flat walk
    into its own slot (``two_pass_reduction``), then the slots are summed."""
    numel = walk.numel()
    used = min(threads, -(-numel // GRAIN_SIZE)) if numel > GRAIN_SIZE else 1
    chunk = -(-numel // used)
    slots = np.zeros(threads, out_dtype)
    flat = len(walk.shape) == 1 and walk.inp[0] == 1 and base.dtype == acc
    for t in range(used):
        begin, end = t * chunk, min(numel, (t + 1) * chunk)
        if flat:        # speed: one contiguous row, the same cascades on 2-d views
            start = walk.offset + begin
            slots[t] = _flat_sum(base[start:start + end - begin], lanes) + acc.type(0)
            continue
        results = []
        for start, size0, size1 in _pieces(walk, begin, end):
            offset = walk.offset + builtins.sum(v * s for v, s in zip(start, walk.inp, strict=True))
            inp = walk.inp + [0]
            x = _view(base, offset, (size0, size1), (inp[0], inp[1]))
            r, _ = _slab(x, (inp[0], inp[1]), (True, True), acc, lanes)
            results.append(r)
        slots[t] = _chain(np.concatenate(results), out_dtype)
    final = _Walk([threads], [1], [0])
    return _serial(slots, final, acc, lanes, out_dtype)


def _split_dim(walk: _Walk, threads: int) -> int:
    """``find_split_dim``: the outermost kept dim with at least ``threads`` entries, else
    the largest of the outer kept dims."""
    best = len(walk.shape) - 1
    for d in range(best, -1, -1):
        if walk.out[d] == 0:
            break
        if walk.shape[d] >= threads:
            return d
        if walk.shape[d] > walk.shape[best]:
            best = d
    return best


def sum(x: np.ndarray, dim: Optional[Sequence[int]] = None, keepdim: bool = False,  # noqa: A001
        threads: Optional[int] = None) -> np.ndarray:
    """``torch.sum(x, dim, keepdim)`` for float16/32/64 arrays, bit-identical to PyTorch.

    ``dim`` is a sequence of non-negative dims (None or empty: all); ``threads`` defaults
    to ``num_threads()``.  The array's strides are taken as the tensor's strides.
    Floating-point warnings (inf - inf ...) follow the caller's ``np.errstate``."""
    if not dim and not keepdim and 0 < x.size < 8 and x.dtype != np.float16 and (
            x.flags.c_contiguous):                          # speed: the tutorial's sizes
        n = x.size
        if n < SUM_VECTOR_BYTES // x.itemsize:              # below one vector: one chain
            order, flat = _TINY_ORDER[n], x.reshape(-1)
            return np.add.accumulate(flat if order is None else flat[order])[-1] + (
                x.dtype.type(0))
    key = (x.shape, x.strides, x.dtype, tuple(dim) if dim else None, keepdim)
    plan = _plans.get(key)
    if plan is None:
        if len(_plans) >= 1024:
            _plans.clear()
        plan = _plans[key] = _plan(x, dim, keepdim)
    kind, lanes, final_shape = plan
    if kind == _DIM0:
        return (_dim0_sum(x, lanes) + x.dtype.type(0)).reshape(final_shape)
    if kind == _FLAT:
        return (_flat_sum(x.reshape(-1), lanes) + x.dtype.type(0)).reshape(final_shape)
    return _sum(x, dim, keepdim, threads)


# speed: what ``_sum`` decides from the shape, strides, dtype and dims alone, remembered
# per such key (programs sum the same shapes over and over): one of these kinds, the
# vector lanes and the result's shape.
_WALK, _DIM0, _FLAT = 0, 1, 2
_plans: dict = {}


def _plan(x: np.ndarray, dim: Optional[Sequence[int]], keepdim: bool
          ) -> Tuple[int, int, Tuple[int, ...]]:
    if x.dtype.kind != "f" or x.dtype == np.float16 or x.size == 0 or x.ndim == 0:
        return _WALK, 0, ()
    reduced = tuple(range(x.ndim)) if not dim else tuple(sorted(set(dim)))
    final_shape = tuple(1 if d in reduced else s for d, s in enumerate(x.shape)) if keepdim \
        else tuple(s for d, s in enumerate(x.shape) if d not in reduced)
    lanes = SUM_VECTOR_BYTES // x.itemsize
    if x.size >= GRAIN_SIZE or not x.flags.c_contiguous:
        return _WALK, lanes, final_shape
    if reduced == (0,) and x.ndim == 2 and x.shape[0] > 1 and x.shape[1] > 1:
        return _DIM0, lanes, final_shape                     # (as in _sum)
    if len(reduced) == x.ndim and x.size >= lanes and x.size >= 8:
        return _FLAT, lanes, final_shape                     # (as in _sum)
    return _WALK, lanes, final_shape


def _sum(x: np.ndarray, dim: Optional[Sequence[int]], keepdim: bool,
         threads: Optional[int]) -> np.ndarray:
    if x.dtype.kind != "f":
        raise TypeError(f"sum kernel: floating dtypes only, got {x.dtype}")
    out_dtype = x.dtype
    acc = np.dtype(np.float32) if x.dtype == np.float16 else x.dtype
    reduced = tuple(range(x.ndim)) if not dim else tuple(sorted(set(dim)))
    out_shape = tuple(1 if d in reduced else s for d, s in enumerate(x.shape))
    final_shape = out_shape if keepdim else tuple(
        s for d, s in enumerate(x.shape) if d not in reduced)
    if x.size == 0 or x.ndim == 0:
        result = np.zeros(out_shape, out_dtype) if x.size == 0 else (
            (x.astype(acc) + acc.type(0)).astype(out_dtype))
        return result.reshape(final_shape)
    lanes = SUM_VECTOR_BYTES // acc.itemsize                # vacc_t::size()
    if (x.size < GRAIN_SIZE and reduced == (0,) and x.ndim == 2 and x.dtype == acc
            and x.flags.c_contiguous and x.shape[0] > 1 and x.shape[1] > 1):
        return (_dim0_sum(x, lanes) + acc.type(0)).reshape(final_shape)
    if x.size < GRAIN_SIZE and len(reduced) == x.ndim and x.flags.c_contiguous:
        # speed: a small contiguous tensor summed whole is one walk dim, one row
        wide = SUM_VECTOR_BYTES // x.itemsize
        tiny = x.size < min(8, wide)    # row_sum of < 8 terms is one chain: x0 (+x4..) +x1 +x2 +x3
        flat = x.reshape(-1).astype(acc, copy=False) if tiny else x.reshape(-1)
        if tiny:
            order = _TINY_ORDER[flat.size]
            row = np.add.accumulate(flat if order is None else flat[order])[-1]
        elif flat.size >= wide and x.dtype == acc:
            row = _flat_sum(flat, lanes)
        elif flat.size >= wide:
            row = _inner_vectorized(flat, lanes, acc)
        else:
            row = _row_sum(flat.astype(acc, copy=False))
        return (row + acc.type(0)).astype(out_dtype).reshape(final_shape)
    if any(s < 0 for s in x.strides):
        x = np.ascontiguousarray(x)
    item = x.itemsize
    strides = tuple(s // item for s in x.strides)
    if x.flags.c_contiguous:
        base = x.reshape(-1)
    else:
        extent = 1 + builtins.sum((n - 1) * s for n, s in zip(x.shape, strides, strict=True))
        base = np.lib.stride_tricks.as_strided(x, shape=(extent,), strides=(item,),
                                               writeable=False)
    walk = _walk(x.shape, strides, reduced)
    if x.dtype == np.float16 and len(walk.shape) >= 2 and walk.out[0] == walk.out[1] == 0:
        # sum_out's should_use_acc_buffer: float16 reduced over two walk dims is summed
        # as a float32 tensor (``self.to(float)``) and rounded once at the end
        wide = x.astype(np.float32) if _dense(x) else np.ascontiguousarray(x, np.float32)
        return _sum(wide, dim, keepdim, threads).astype(np.float16)
    out = np.zeros(math.prod(out_shape), out_dtype)

    def store(w: _Walk, values: np.ndarray, out_offset: int = 0) -> None:
        kept = [d for d in range(len(w.shape)) if w.out[d] != 0]
        target = np.ndarray(tuple(w.shape[d] for d in kept), out_dtype, buffer=out,
                            offset=out_offset * out.itemsize,
                            strides=tuple(w.out[d] * out.itemsize for d in kept))
        target[...] = values

    if walk.numel() >= GRAIN_SIZE and threads is None:
        threads = num_threads()
    if walk.numel() < GRAIN_SIZE or threads == 1:
        store(walk, _serial(base, walk, acc, lanes, out_dtype))
    elif out.size == 1:
        out[0] = _two_pass(base, walk, acc, lanes, out_dtype, threads)
    else:
        d = _split_dim(walk, threads)
        cols = walk.shape[d]
        used = min(threads, cols)
        chunk = -(-cols // used)
        multiple = 128 // item if walk.inp[d] == 1 else 1   # round_columns to 128 bytes
        for t in range(used):
            begin, end = t * chunk, min(cols, (t + 1) * chunk)
            if begin >= end:
                continue
            begin -= begin % multiple
            if end != cols:
                end -= end % multiple
            if begin == end:
                continue
            part = walk.narrow(d, begin, end - begin)
            store(part, _serial(base, part, acc, lanes, out_dtype), begin * walk.out[d])
    return out.reshape(final_shape)



def mean(x: np.ndarray, dim: Optional[Sequence[int]] = None, keepdim: bool = False,
         threads: Optional[int] = None) -> np.ndarray:
    """``torch.mean``: PyTorch's CPU mean is ``sum(x, dim).div_(count)``; float16 is
    converted to float32, summed and divided there, and rounded back once."""
    if x.dtype == np.float16:
        x32 = x.astype(np.float32) if _dense(x) else np.ascontiguousarray(x, np.float32)
        return mean(x32, dim, keepdim, threads).astype(np.float16)
    count = x.size if not dim else math.prod(x.shape[d] for d in set(dim))
    return sum(x, dim, keepdim, threads) / x.dtype.type(count)   # (np.true_divide, faster)


def _dense(x: np.ndarray) -> bool:
    """Non-overlapping and dense: ``Tensor.to`` keeps such strides, else goes contiguous."""
    pairs = sorted((abs(s), n) for s, n in zip(x.strides, x.shape, strict=True) if n > 1)
    expected = x.itemsize
    for stride, n in pairs:
        if stride != expected:
            return False
        expected *= n
    return True
