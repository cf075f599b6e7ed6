"""Convolution and pooling: the ops of a CNN.

PyTorch counterpart: ``torch.convolution`` (``aten/src/ATen/native/Convolution.cpp``)
with its node ``ConvolutionBackward0`` and that node's own backward op
``convolution_backward`` (``ConvolutionBackwardBackward0``);
``max_pool2d_with_indices`` (``MaxPool2DWithIndicesBackward0``) and
``avg_pool2d`` (``AvgPool2DBackward0``), each with its backward op
(``..._backward``, whose node makes double backward work).

A 2-d convolution of an input ``x`` (N, C, H, W) with weights ``w``
(O, C, kh, kw) and a bias ``b`` (O)::

    z[n, o, i, j] = b[o] + sum over c, a, p of
                    w[o, c, a, p] * xpad[n, c, i*s + a*d, j*s + p*d]

(``s`` the stride, ``d`` the dilation, ``xpad`` the input with zeros
around).  Computed as PyTorch's slow path computes it: every window of the
input as a row of a matrix (``_kernels.conv.im2col``), then one ``matmul``
with the weights as a matrix (O, C*kh*kw).  The gradients are products of
the same matrices::

    dL/db = sum of grad over n, i, j
    dL/dw = grad (as O x N*out_h*out_w) @ windows        (then reshaped)
    dL/dx = col2im(grad^T @ w)                           (each window's share
                                                          added back where it came from)

A 1-d convolution is the 2-d one with a height of 1.  ``groups`` other than
1 are not supported.

Max pooling keeps the largest element of each window and, as PyTorch's,
the *index* of that element in its input plane: the gradient goes to that
element only.  Average pooling takes each window's mean: each element of
the window gets ``grad / (window size)``.

Read next: ``normalization.py``.
"""

from __future__ import annotations

from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from .._kernels import conv as kernels
from .._kernels import quietly
from .._tensor import Tensor
from ..autograd.graph import MultiOutputNode, Node, record, record_outputs
from .shape import reshape

Grads = Tuple[Optional[Tensor], ...]
Pair = Tuple[int, int]
Pads = Tuple[Pair, Pair]


def pair(value: Union[int, Sequence[int]], name: str) -> Pair:
    """``3`` -> ``(3, 3)``; a one- or two-element sequence as a pair."""
    if isinstance(value, int):
        return (value, value)
    values = tuple(value)
    if len(values) == 1:
        return (values[0], values[0])
    if len(values) != 2:
        raise RuntimeError(f"{name} must be an int or a pair of ints")
    return (int(values[0]), int(values[1]))


# -- convolution ------------------------------------------------------------------
class ConvolutionBackward0(Node):
    """z = conv(x, w) + b;   dL/dx = col2im(grad^T @ w);   dL/dw = grad @ windows(x);
    dL/db = sum of grad over (n, i, j)   (the op convolution_backward)"""

    #: Set by record().
    stride: Pair
    padding: Pads
    dilation: Pair
    groups: int

    saved_fields = {"input": 0, "weight": 1, "stride": "stride", "dilation": "dilation",
                    "groups": "groups"}

    def backward(self, grad: Tensor) -> Grads:
        x, w = self.saved_tensors
        return convolution_backward(grad, x, w, self.stride, self.padding, self.dilation,
                                    bias=self.needs_input_grad(2))


def _as_2d(data: np.ndarray) -> np.ndarray:
    """A 1-d convolution's (N, C, L) array as (N, C, 1, L)."""
    return data[:, :, None, :] if data.ndim == 3 else data


def _from_2d(data: np.ndarray, ndim: int) -> np.ndarray:
    return data[:, :, 0, :] if ndim == 3 else data


def _convolve(x: np.ndarray, w: np.ndarray, stride: Pair, padding: Pads,
              dilation: Pair) -> np.ndarray:
    """The convolution of 4-d arrays, without bias (im2col, then one matmul)."""
    kernel = w.shape[2:]
    out = tuple(kernels.output_size(x.shape[2 + k], kernel[k], stride[k], *padding[k],
                                    dilation[k]) for k in (0, 1))
    cols = kernels.im2col(kernels.pad2d(x, padding), kernel, stride, dilation, out)
    rows = quietly(np.matmul, cols, w.reshape(w.shape[0], -1).T)
    return rows.reshape(x.shape[0], out[0], out[1], w.shape[0]).transpose(0, 3, 1, 2)


def convolution(input: Tensor, weight: Tensor, bias: Optional[Tensor], stride: Pair,
                padding: Pads, dilation: Pair) -> Tensor:
    """``conv(input, weight) + bias`` for 3-d (N, C, L) or 4-d (N, C, H, W) input;
    ``padding`` as ``((top, bottom), (left, right))``."""
    x, w = _as_2d(input._data), _as_2d(weight._data)
    data = _convolve(x, w, stride, padding, dilation)
    if bias is not None:
        data = data + bias._data[:, None, None]
    data = np.ascontiguousarray(_from_2d(data, input.ndim))
    return record(ConvolutionBackward0, data, (input, weight, bias), saved=(input, weight),
                  stride=stride, padding=padding, dilation=dilation, groups=1)


class ConvolutionBackwardBackward0(MultiOutputNode):
    """(dx, dw, db) = convolution_backward(g, x, w), linear in g:
    dL/dg = conv(ggx, w) + conv(x, ggw) + ggb;   dL/dx = convolution_backward(g, x, ggw)'s dx;
    dL/dw = convolution_backward(g, ggx, w)'s dw"""

    #: Set by record_outputs().
    operands: Tuple[Tensor, Tensor, Tensor]
    stride: Pair
    padding: Pads
    dilation: Pair

    def backward(self, ggx: Tensor, ggw: Tensor,  # type: ignore[override]
                 ggb: Optional[Tensor] = None) -> Grads:
        grad, x, w = self.operands
        options = (self.stride, self.padding, self.dilation)
        dgrad = convolution(ggx, w, None, *options) + convolution(x, ggw, ggb, *options)
        dx = convolution_backward(grad, x, ggw, *options, bias=False)[0]
        dw = convolution_backward(grad, ggx, w, *options, bias=False)[1]
        return dgrad, dx, dw


def convolution_backward(grad: Tensor, input: Tensor, weight: Tensor, stride: Pair,
                         padding: Pads, dilation: Pair, bias: bool = True) -> Grads:
    """The gradients of a convolution's input, weight and (with ``bias``) bias."""
    g, x, w = (_as_2d(t._data) for t in (grad, input, weight))
    n, o, oh, ow = g.shape
    kernel = w.shape[2:]
    padded = kernels.pad2d(x, padding)
    rows = g.transpose(0, 2, 3, 1).reshape(n * oh * ow, o)
    cols = kernels.im2col(padded, kernel, stride, dilation, (oh, ow))
    dw = quietly(np.matmul, rows.T, cols).reshape(w.shape).astype(w.dtype, copy=False)
    dcols = quietly(np.matmul, rows, w.reshape(o, -1))
    dx = kernels.col2im(dcols, padded.shape, kernel, stride, dilation, (oh, ow))
    (top, bottom), (left, right) = padding
    dx = dx[:, :, top:dx.shape[2] - bottom, left:dx.shape[3] - right]
    outputs = [np.ascontiguousarray(_from_2d(dx, input.ndim)),
               np.ascontiguousarray(_from_2d(dw, weight.ndim))]
    if bias:
        outputs.append(g.sum(axis=(0, 2, 3)))
    results = record_outputs(ConvolutionBackwardBackward0, outputs, (grad, input, weight),
                             operands=(grad, input, weight), stride=stride, padding=padding,
                             dilation=dilation)
    return results if bias else (*results, None)


# -- pooling ----------------------------------------------------------------------
def _pool_shape(size: Tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair,
                dilation: Pair, ceil_mode: bool) -> Tuple[Pair, Pads]:
    """The output size of a pooling, and the padding that gives it (PyTorch's
    rule: with ``ceil_mode`` a last, partial window counts if it starts inside
    the input or its left padding)."""
    out, pads = [], []
    for k in (0, 1):
        span = size[k] + 2 * padding[k] - dilation[k] * (kernel[k] - 1) - 1
        count = (-(-span // stride[k]) if ceil_mode else span // stride[k]) + 1
        if ceil_mode and (count - 1) * stride[k] >= size[k] + padding[k]:
            count -= 1
        extra = (count - 1) * stride[k] + dilation[k] * (kernel[k] - 1) + 1 - (
            size[k] + 2 * padding[k])
        out.append(count)
        pads.append((padding[k], padding[k] + max(extra, 0)))
    return (out[0], out[1]), (pads[0], pads[1])


def _check_output(shape: Tuple[int, ...], out: Pair) -> None:
    if min(out) < 1:
        channels = shape[-3]
        raise RuntimeError(f"Given input size: ({channels}x{shape[-2]}x{shape[-1]}). "
                           f"Calculated output size: ({channels}x{max(out[0], 0)}x"
                           f"{max(out[1], 0)}). Output size is too small")


def _check_pool(input: Tensor, kernel: Pair, stride: Pair, padding: Pair, name: str) -> None:
    if input.ndim not in (3, 4):
        raise RuntimeError(f"{name}: Expected 3D or 4D (batch mode) tensor for input")
    if any(p > k // 2 for p, k in zip(padding, kernel, strict=True)):
        raise RuntimeError(f"{name}: pad should be at most half of effective kernel size, but "
                           f"got pad={padding[0]}, kernel_size={kernel[0]} and dilation=1")


class MaxPool2DWithIndicesBackward0(Node):
    """z = max of each window;   dL/dx = grad at the element each max came from, 0
    elsewhere   (the op max_pool2d_with_indices_backward)"""

    #: Set by record().
    indices: Tensor

    saved_fields = {"self": 0, "result1": "indices"}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        return (max_pool2d_with_indices_backward(grad, x, self.indices),)


def max_pool2d_with_indices(input: Tensor, kernel_size: Pair, stride: Pair, padding: Pair,
                            dilation: Pair, ceil_mode: bool) -> Tuple[Tensor, Tensor]:
    """The max of each window and, as int64, its position in its (H*W) plane."""
    _check_pool(input, kernel_size, stride, padding, "max_pool2d")
    x = input._data if input.ndim == 4 else input._data[None]
    height, width = x.shape[2:]
    out, pads = _pool_shape((height, width), kernel_size, stride, padding, dilation, ceil_mode)
    _check_output(x.shape, out)
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    view = kernels.windows(kernels.pad2d(x, pads, fill), kernel_size, stride, dilation, out)
    flat = view.reshape(*view.shape[:4], -1)
    where = flat.argmax(axis=-1)  # the first max in each window (a nan counts as the max)
    values = np.take_along_axis(flat, where[..., None], axis=-1)[..., 0]
    row, col = np.divmod(where, kernel_size[1])
    rows = (np.arange(out[0])[:, None] * stride[0] - pads[0][0] + row * dilation[0])
    cols = (np.arange(out[1])[None, :] * stride[1] - pads[1][0] + col * dilation[1])
    indices = (rows * width + cols).astype(np.int64)
    if input.ndim == 3:
        values, indices = values[0], indices[0]
    index_tensor = Tensor._make(np.ascontiguousarray(indices))
    result = record(MaxPool2DWithIndicesBackward0, np.ascontiguousarray(values), (input,),
                    saved=(input,), indices=index_tensor)
    return result, index_tensor


class MaxPool2DWithIndicesBackwardBackward0(Node):
    """dx = grad placed at the max's positions;   dL/dgrad = ggx at those positions;
    dL/dx = 0   (the positions do not move with x)"""

    #: Set by record().
    indices: Tensor

    def backward(self, gg: Tensor) -> Grads:
        planes = reshape(gg, (*gg.shape[:-2], -1))
        flat = reshape(planes, (-1,))
        offsets = (np.arange(int(np.prod(planes.shape[:-1]))) * planes.shape[-1]).reshape(
            *planes.shape[:-1], 1, 1)
        key = Tensor._make((self.indices._data + offsets).reshape(-1))
        return (reshape(flat[key], self.indices.shape), None)


def max_pool2d_with_indices_backward(grad: Tensor, input: Tensor, indices: Tensor) -> Tensor:
    """``grad`` added into zeros of ``input``'s shape at ``indices`` (per plane)."""
    input_shape = input.shape
    planes = int(np.prod(input_shape[:-2]))
    size = input_shape[-2] * input_shape[-1]
    flat = (indices._data.reshape(planes, -1) + np.arange(planes)[:, None] * size).ravel()
    summed = np.bincount(flat, weights=grad._data.ravel(), minlength=planes * size)
    data = summed.astype(grad._data.dtype).reshape(input_shape)
    return record(MaxPool2DWithIndicesBackwardBackward0, data, (grad, input), indices=indices)


class AvgPool2DBackward0(Node):
    """z = mean of each window;   dL/dx = each window's grad / divisor, added back to
    the window's elements   (the op avg_pool2d_backward)"""

    #: Set by record().
    kernel_size: Pair
    stride: Pair
    padding: Pair
    count_include_pad: bool

    saved_fields = {"self": 0, "kernel_size": "kernel_size", "stride": "stride",
                    "padding": "padding", "count_include_pad": "count_include_pad"}

    def backward(self, grad: Tensor) -> Grads:
        (x,) = self.saved_tensors
        return (avg_pool2d_backward(grad, x, self.kernel_size, self.stride, self.padding,
                                    self.count_include_pad),)


def _divisor(shape: Tuple[int, ...], kernel: Pair, stride: Pair, padding: Pair,
             count_include_pad: bool, out: Pair) -> Any:
    """What each window's sum is divided by: the kernel's size, or the number of
    input elements under the window (padding not counted)."""
    if count_include_pad or not any(padding):
        return kernel[0] * kernel[1]
    pads = ((padding[0],) * 2, (padding[1],) * 2)
    ones = kernels.pad2d(np.ones((1, 1, *shape[-2:])), pads)
    return kernels.windows(ones, kernel, stride, (1, 1), out).sum(axis=(-2, -1))[0, 0]


def avg_pool2d(input: Tensor, kernel_size: Pair, stride: Pair, padding: Pair,
               count_include_pad: bool = True) -> Tensor:
    """The mean of each window (ceil_mode=False, no divisor_override)."""
    _check_pool(input, kernel_size, stride, padding, "avg_pool2d")
    x = input._data if input.ndim == 4 else input._data[None]
    out, pads = _pool_shape(x.shape[2:], kernel_size, stride, padding, (1, 1), False)
    _check_output(x.shape, out)
    view = kernels.windows(kernels.pad2d(x, pads), kernel_size, stride, (1, 1), out)
    divisor = _divisor(x.shape, kernel_size, stride, padding, count_include_pad, out)
    data = (view.sum(axis=(-2, -1)) / divisor).astype(x.dtype, copy=False)
    data = np.ascontiguousarray(data if input.ndim == 4 else data[0])
    return record(AvgPool2DBackward0, data, (input,), saved=(input,), kernel_size=kernel_size,
                  stride=stride, padding=padding, count_include_pad=count_include_pad)


class AvgPool2DBackwardBackward0(Node):
    """dx = avg_pool2d_backward(grad), linear in grad;   dL/dgrad = avg_pool2d(ggx);
    dL/dx = 0"""

    #: Set by record().
    kernel_size: Pair
    stride: Pair
    padding: Pair
    count_include_pad: bool

    def backward(self, gg: Tensor) -> Grads:
        return (avg_pool2d(gg, self.kernel_size, self.stride, self.padding,
                           self.count_include_pad), None)


def avg_pool2d_backward(grad: Tensor, input: Tensor, kernel_size: Pair, stride: Pair,
                        padding: Pair, count_include_pad: bool) -> Tensor:
    """Each window's ``grad / divisor`` added back to the window's elements."""
    input_shape = input.shape
    g = grad._data if grad.ndim == 4 else grad._data[None]
    shape = tuple(input_shape) if len(input_shape) == 4 else (1, *input_shape)
    out = g.shape[2:]
    pads = ((padding[0],) * 2, (padding[1],) * 2)
    share = g / _divisor(shape, kernel_size, stride, padding, count_include_pad, out)
    cols = np.broadcast_to(share.transpose(0, 2, 3, 1)[..., None, None],
                           (*share.shape[:1], *out, shape[1], *kernel_size))
    padded_shape = (*shape[:2], shape[2] + 2 * padding[0], shape[3] + 2 * padding[1])
    dx = kernels.col2im(cols.reshape(-1, shape[1] * kernel_size[0] * kernel_size[1]),
                        padded_shape, kernel_size, stride, (1, 1), out)
    dx = dx[:, :, pads[0][0]:padded_shape[2] - pads[0][1],
            pads[1][0]:padded_shape[3] - pads[1][1]].astype(g.dtype, copy=False)
    data = np.ascontiguousarray(dx if len(input_shape) == 4 else dx[0])
    return record(AvgPool2DBackwardBackward0, data, (grad, input), kernel_size=kernel_size,
                  stride=stride, padding=padding, count_include_pad=count_include_pad)


# -- padding ----------------------------------------------------------------------
class ConstantPadNdBackward0(Node):
    """z = x with ``pad`` values added (or, for negative pads, removed) around it;
    dL/dx = constant_pad_nd(grad, -pad)   (the padding cut off again)"""

    #: Set by record().
    pad: Tuple[int, ...]

    saved_fields = {"pad": "pad"}

    def backward(self, grad: Tensor) -> Grads:
        return (constant_pad_nd(grad, tuple(-p for p in self.pad)),)


def constant_pad_nd(input: Tensor, pad: Sequence[int], value: float = 0.0) -> Tensor:
    """Pad the last ``len(pad) // 2`` dims: ``pad = (left, right)`` for the last
    dim, then ``(top, bottom)`` for the one before ...  Negative pads crop."""
    pad = tuple(int(p) for p in pad)
    if len(pad) % 2:
        raise RuntimeError("Padding length must be divisible by 2")
    if len(pad) // 2 > input.ndim:
        raise RuntimeError("Padding length should be less than or equal to two times the input "
                           f"dimension but got padding length {len(pad)} and input of "
                           f"dimension {input.ndim}")
    x = input._data
    widths = [(0, 0)] * x.ndim
    crops = [slice(None)] * x.ndim
    for k in range(len(pad) // 2):
        dim = x.ndim - 1 - k
        before, after = pad[2 * k], pad[2 * k + 1]
        if x.shape[dim] + before + after < 0:
            raise RuntimeError("narrow(): length must be non-negative.")
        widths[dim] = (max(before, 0), max(after, 0))
        crops[dim] = slice(max(-before, 0), x.shape[dim] - max(-after, 0))
    data = np.pad(x[tuple(crops)], widths, constant_values=value)
    return record(ConstantPadNdBackward0, data, (input,), pad=pad)
