"""nll_loss's reduction (cross_entropy's second half) in PyTorch's order.

PyTorch counterpart: ``nll_loss_out_frame`` in aten/src/ATen/native/LossNLL.cpp.  For
``reduction='mean'`` or ``'sum'`` it walks the batch once, subtracting each picked
log-probability (times its class weight) into an 8-level cascade: after item ``b`` the
level-0 sum is flushed into level 1 when ``b % 16 == 0``, level 1 into level 2 when
``b % 256 == 0``, and so on (so item 0 goes straight to the top level); at the end the
levels are added from level 0 up, starting at 0, and the mean divides by the total weight.
The class weights are summed by the same cascade; without weights the total is the count.

Read next: ``linalg.py``.
"""

from __future__ import annotations

from typing import Optional, Tuple

import numpy as np

LEVELS, STEP = 8, 16     # cascade_sum_num_levels; 2**level_power below 2**32 items


def _in_order(values: np.ndarray) -> np.ndarray:
    """``values[0] + values[1] + ...`` left to right (``np.add.accumulate`` is a loop)."""
    return np.add.accumulate(values)[-1] if len(values) else values.dtype.type(0)


def cascade(values: np.ndarray) -> np.ndarray:
    """The 8-level cascade sum of a 1-d array, as ``nll_loss_out_frame`` accumulates."""
    top = values[:1]                                         # item 0 flushes all the way up
    level = values[1:]
    partial = []
    for _ in range(LEVELS - 1):
        groups = len(level) // STEP
        partial.append(_in_order(level[groups * STEP:]))     # what stays at this level
        level = np.add.accumulate(level[:groups * STEP].reshape(groups, STEP), axis=1)[:, -1]
    partial.append(_in_order(np.concatenate([top, level])))  # the top level
    return _in_order(np.concatenate([[values.dtype.type(0)], np.array(partial, values.dtype)]))


def nll_loss(logp: np.ndarray, target: np.ndarray, weight: Optional[np.ndarray] = None,
             reduction: str = "mean", ignore_index: int = -100
             ) -> Tuple[np.ndarray, np.ndarray]:
    """``(loss, total_weight)`` of ``nll_loss`` for (N, C) or (C,) log-probabilities with
    ``reduction`` 'mean' or 'sum' (PyTorch's other shapes go through another kernel)."""
    logp2 = logp.reshape(1, -1) if logp.ndim == 1 else logp
    target = np.asarray(target).reshape(-1)
    kept = target != ignore_index
    dtype = logp.dtype.type
    picked = logp2[np.arange(len(target))[kept], target[kept]]
    w = np.ones(len(picked), logp.dtype) if weight is None else weight[target[kept]]
    if not kept.all():
        # ignored items add nothing and skip their flush: the groups change; this rare
        # case is left to a plain loop over the batch
        return _with_ignored(logp2, target, weight, reduction, ignore_index)
    with np.errstate(all="ignore"):
        loss = cascade(-(picked * w) if weight is not None else -picked)
        total = dtype(len(picked)) if weight is None else cascade(w)
        if reduction == "mean":
            loss = loss / total
    return np.asarray(loss, logp.dtype), np.asarray(total, logp.dtype)


def _with_ignored(logp: np.ndarray, target: np.ndarray, weight: Optional[np.ndarray],
                  reduction: str, ignore_index: int) -> Tuple[np.ndarray, np.ndarray]:
    dtype = logp.dtype.type
    loss, wsum = [dtype(0)] * LEVELS, [dtype(0)] * LEVELS
    count = 0
    with np.errstate(all="ignore"):
        for b, t in enumerate(target):          # only when some targets are ignored
            if t == ignore_index:
                continue
            count += 1
            w = dtype(1) if weight is None else weight[t]
            loss[0] = loss[0] - (logp[b, t] * w if weight is not None else logp[b, t])
            wsum[0] = wsum[0] + w
            for j in range(LEVELS - 1):
                if b & ((STEP - 1) << (j * 4)):
                    break
                loss[j + 1], wsum[j + 1] = loss[j + 1] + loss[j], wsum[j + 1] + wsum[j]
                loss[j], wsum[j] = dtype(0), dtype(0)
        total = dtype(count) if weight is None else _in_order(np.array([dtype(0)] + wsum))
        out = _in_order(np.array([dtype(0)] + loss))
        if reduction == "mean":
            out = out / total
    return np.asarray(out, logp.dtype), np.asarray(total, logp.dtype)
