"""Convolution and pooling windows as NumPy arrays: im2col and its adjoint, col2im.

PyTorch counterpart: ``aten/src/ATen/native/Im2Col.cpp``, ``Col2Im.cpp`` and the
"slow" convolution (``NaiveConvolutionTranspose2d.cpp``, ``ConvolutionMM2d.cpp``),
which turn a convolution into one matrix product the same way.

A 2-d convolution slides a ``kh x kw`` window over the (padded) input.
:func:`windows` gives every window at once, without copying:
``windows(x)[n, c, i, j, a, b]`` is the input element under kernel position
``(a, b)`` when the window sits at output position ``(i, j)``
(``np.lib.stride_tricks.sliding_window_view``, then strided slicing for
``stride`` and ``dilation``).  Laid out as a matrix (``im2col``), the
convolution is one ``matmul`` with the weights.  :func:`col2im` goes back:
it adds each window's values into the input positions they came from, which
is what the input's gradient needs (overlapping windows add up).

Read next: ``activation.py``.
"""

from __future__ import annotations

from typing import Tuple

import numpy as np

Pair = Tuple[int, int]


def pad2d(x: np.ndarray, padding: Tuple[Pair, Pair], value: float = 0.0) -> np.ndarray:
    """``x`` (..., H, W) with ``((top, bottom), (left, right))`` rows and columns of ``value``."""
    if not any(any(p) for p in padding):
        return x
    return np.pad(x, [(0, 0)] * (x.ndim - 2) + list(padding), constant_values=value)


def output_size(size: int, kernel: int, stride: int, before: int, after: int,
                dilation: int) -> int:
    """How many windows fit along one dim: ``(size + pads - dilation*(kernel-1) - 1)
    // stride + 1``."""
    return (size + before + after - dilation * (kernel - 1) - 1) // stride + 1


def windows(padded: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair,
            out: Pair) -> np.ndarray:
    """A read-only view (N, C, out_h, out_w, kh, kw) of every window of ``padded``."""
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out
    span = (dh * (kh - 1) + 1, dw * (kw - 1) + 1)
    view = np.lib.stride_tricks.sliding_window_view(padded, span, axis=(2, 3))
    return view[:, :, :sh * (oh - 1) + 1:sh, :sw * (ow - 1) + 1:sw, ::dh, ::dw]


def im2col(padded: np.ndarray, kernel: Pair, stride: Pair, dilation: Pair,
           out: Pair) -> np.ndarray:
    """The windows as a matrix: one row per (n, i, j), one column per (c, a, b)."""
    view = windows(padded, kernel, stride, dilation, out)
    n, c = padded.shape[:2]
    return view.transpose(0, 2, 3, 1, 4, 5).reshape(n * out[0] * out[1],
                                                      c * kernel[0] * kernel[1])


def col2im(cols: np.ndarray, padded_shape: Tuple[int, ...], kernel: Pair, stride: Pair,
           dilation: Pair, out: Pair) -> np.ndarray:
    """The adjoint of :func:`im2col`: each column's values added back into an
    array of ``padded_shape`` at the positions its windows read (one strided
    add per kernel position)."""
    n, c = padded_shape[:2]
    (kh, kw), (sh, sw), (dh, dw), (oh, ow) = kernel, stride, dilation, out
    blocks = cols.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    result = np.zeros(padded_shape, dtype=cols.dtype)
    for a in range(kh):
        for b in range(kw):
            result[:, :, a * dh:a * dh + sh * (oh - 1) + 1:sh,
                   b * dw:b * dw + sw * (ow - 1) + 1:sw] += blocks[:, :, a, b]
    return result
