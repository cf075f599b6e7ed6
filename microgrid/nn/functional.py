"""``microgrid.nn.functional``: loss functions and activations.

PyTorch counterpart: ``torch.nn.functional`` (``torch/nn/functional.py``) and
the ATen kernels behind it: ``mse_loss``, ``nll_loss`` / ``nll_loss2d``,
``binary_cross_entropy`` (``aten/src/ATen/native/Loss.cpp``, ``LossNLL.cpp``)
with their nodes ``MseLossBackward0``, ``NllLossBackward0``,
``NllLoss2DBackward0``, ``BinaryCrossEntropyBackward0``.  As in PyTorch, the
gradient each of them sends to the input is computed by an op of its own
(``mse_loss_backward`` ...), whose node (``MseLossBackwardBackward0`` ...)
makes double backward record what PyTorch records.

A loss compares a prediction with a target and *reduces* the comparison to
one number: ``reduction='mean'`` (the default), ``'sum'``, or ``'none'`` (one
loss per element, no reduction).

* ``mse_loss``: mean squared error, ``(x - y)**2``;
* ``nll_loss``: negative log likelihood: given log-probabilities ``x`` of
  shape ``(N, C)`` and a class index ``t_i`` per row, the loss of row ``i``
  is ``-x[i, t_i]``.  The gradient is ``-1`` (times ``grad``) at the picked
  entry of each row and ``0`` elsewhere;
* ``cross_entropy``: ``nll_loss(log_softmax(x))``, two nodes in the graph,
  as in PyTorch (with targets that are class probabilities instead of
  indices it is ``-(log_softmax(x) * target).sum() / N``, and with label
  smoothing a mix of both, built from ops);
* ``binary_cross_entropy``: ``-(t log x + (1 - t) log(1 - x))`` for
  probabilities ``x``; each log is clamped at ``-100``, as PyTorch does, so
  that ``x = 0`` or ``1`` gives a large but finite loss.

``linear`` is what ``nn.Linear`` computes, ``x @ W^T + b``: like PyTorch's,
one fused ``addmm`` (``AddmmBackward0``) for a matrix input, with the input
flattened to a matrix around it for other contiguous inputs.

``relu``, ``sigmoid``, ``tanh``, ``softmax`` and ``log_softmax`` are the ops
of ``microgrid.ops`` (``softmax`` and ``log_softmax`` add PyTorch's choice of
a dim when none is given).

Read next: ``parameter.py``.
"""

from __future__ import annotations

import warnings
from typing import Any, Optional, Tuple

import numpy as np

from .._dtype import LEGACY_TYPE_NAMES
from .._kernels import compute, mathfns, quietly
from .._kernels import losses as exact_losses
from .._kernels import reduce as exact_reduce
from .._promotion import result_type
from .._tensor import Tensor
from ..autograd.grad_mode import _grad_mode
from ..autograd.graph import Node, record
from ..ops import inplace as _inplace
from ..ops.activation import gelu as _gelu
from ..ops.activation import leaky_relu as _leaky_relu
from ..ops.activation import softplus as _softplus
from ..ops.conv import avg_pool2d as _avg_pool2d
from ..ops.conv import constant_pad_nd as _constant_pad_nd
from ..ops.conv import convolution as _convolution
from ..ops.conv import max_pool2d_with_indices as _max_pool2d
from ..ops.conv import pair as _pair
from ..ops.embedding import embedding as _embedding
from ..ops.embedding import one_hot as _one_hot
from ..ops.indexing import gather, index_put_accumulate
from ..ops.linalg import addmm, matmul
from ..ops.nn_losses import binary_cross_entropy_with_logits as _bce_with_logits
from ..ops.nn_losses import smooth_l1_loss as _smooth_l1_loss
from ..ops.normalization import batch_norm as _batch_norm
from ..ops.normalization import layer_norm as _layer_norm
from ..ops.pointwise import (
    add_scalar,
    broadcast_shape,
    clamp_min,
    div_scalar,
    log,
    logical_not,
    masked_fill,
    mul_scalar,
    sigmoid,
    tanh,
)
from ..ops.pointwise import relu as _relu
from ..ops.reduction import log_softmax as _log_softmax
from ..ops.reduction import softmax as _softmax
from ..ops.shape import contiguous, expand, reshape, t, view
from ..ops.shape import warn_once as _warn_once

__all__ = ["relu", "sigmoid", "tanh", "softmax", "log_softmax", "mse_loss", "nll_loss",
           "cross_entropy", "binary_cross_entropy", "linear", "addmm",
           # issue 16 item 4
           "conv1d", "conv2d", "max_pool2d", "avg_pool2d", "leaky_relu", "gelu", "softplus",
           "l1_loss", "smooth_l1_loss", "binary_cross_entropy_with_logits", "embedding",
           "one_hot", "pad", "batch_norm", "layer_norm"]


# -- activations ------------------------------------------------------------------
def relu(input: Tensor, inplace: bool = False) -> Tensor:
    """``max(x, 0)``, elementwise (in place with ``inplace=True``)."""
    return _inplace.inplace(input, _relu) if inplace else _relu(input)


def _implicit_dim(name: str, ndim: int) -> int:
    """PyTorch's old default dim for softmax-like functions, with its warning."""
    warnings.warn(f"Implicit dimension choice for {name} has been deprecated. Change the call "
                  "to include dim=X as an argument.", UserWarning, stacklevel=3)
    return 0 if ndim in (0, 1, 3) else 1


def softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3,
            dtype: Any = None) -> Tensor:
    """``exp(x) / sum(exp(x))`` along ``dim``."""
    if dim is None:
        dim = _implicit_dim("softmax", input.dim())
    return _softmax(input, dim, dtype)


def log_softmax(input: Tensor, dim: Optional[int] = None, _stacklevel: int = 3,
                dtype: Any = None) -> Tensor:
    """``log(softmax(x))`` along ``dim``, computed stably."""
    if dim is None:
        dim = _implicit_dim("log_softmax", input.dim())
    return _log_softmax(input, dim, dtype)


# -- reductions -----------------------------------------------------------------------
def _reduction(reduction: str, size_average: Optional[bool] = None,
               reduce: Optional[bool] = None) -> str:
    """The reduction to apply: ``reduction``, or what the deprecated
    ``size_average``/``reduce`` flags ask for; checked like PyTorch."""
    if size_average is not None or reduce is not None:
        size_average = True if size_average is None else size_average
        reduce = True if reduce is None else reduce
        reduction = ("mean" if size_average else "sum") if reduce else "none"
        warnings.warn("size_average and reduce args will be deprecated, please use "
                      f"reduction='{reduction}' instead.", UserWarning, stacklevel=3)
    if reduction == "elementwise_mean":
        warnings.warn("reduction='elementwise_mean' is deprecated. Please use reduction='mean' "
                      "instead.", UserWarning, stacklevel=3)
        return "mean"
    if reduction not in ("none", "mean", "sum"):
        raise ValueError(f"{reduction} is not a valid value for reduction")
    return reduction


def _reduce(loss: np.ndarray, reduction: str) -> np.ndarray:
    """Apply ``reduction`` to per-element losses (the mean of nothing is nan)."""
    # PyTorch's apply_loss_reduction: loss.mean() or loss.sum(), added up in its order
    with np.errstate(invalid="ignore", divide="ignore"):
        if reduction == "mean":
            return np.asarray(exact_reduce.mean(loss), dtype=loss.dtype)
        return np.asarray(exact_reduce.sum(loss), dtype=loss.dtype) if reduction == "sum" else loss


def _type_name(value: Tensor) -> str:
    return LEGACY_TYPE_NAMES[value._data.dtype.name]


def _not_implemented_for(kernel: str, value: Tensor) -> NotImplementedError:
    return NotImplementedError(f'"{kernel}" not implemented for \'{_type_name(value)}\'')


def _check_weight_constant(weight: Optional[Tensor], op: str) -> None:
    if weight is not None and weight.requires_grad and _grad_mode.enabled:
        raise RuntimeError(f"The function '{op}' is not differentiable with respect to argument "
                           "'weight'. This input cannot have requires_grad True.")


# -- mse_loss -------------------------------------------------------------------------
class MseLossBackward0(Node):
    """z = mean (or sum, or each) of (x - y)**2;
    dL/dx = 2 (x - y) grad  (/ n for 'mean');   dL/dy = 2 (y - x) grad  (/ n)"""

    #: Set by record().
    reduction: str

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        x, y = self.saved_tensors
        return (mse_loss_backward(grad, x, y, self.reduction) if self.needs_input_grad(0)
                else None,
                mse_loss_backward(grad, y, x, self.reduction) if self.needs_input_grad(1)
                else None)


class MseLossBackwardBackward0(Node):
    """z = 2 (x - y) g  (/ n for 'mean'): the gradient of mse_loss as an op of
    the loss's gradient g and of x, y;   dL/dg = 2 (x - y) grad  (/ n; summed
    when the loss was one number);   dL/dx = 2 g grad  (/ n);   dL/dy = -dL/dx"""

    #: Set by record().
    reduction: str

    def backward(self, grad: Tensor) -> Tuple[Any, Any, Any]:
        g, x, y = self.saved_tensors
        grad_g = mse_loss_backward(grad, x, y, self.reduction)
        grad_x = mul_scalar(grad * g, 2)
        if self.reduction == "mean":
            grad_x = div_scalar(grad_x, x.numel())
        return (grad_g if self.reduction == "none" else grad_g.sum(), grad_x, -grad_x)


def mse_loss_backward(grad: Tensor, x: Tensor, y: Tensor, reduction: str) -> Tensor:
    """The gradient mse_loss sends to ``x``, ``2 (x - y) grad`` (/ n for
    'mean'), as one op (PyTorch's ``mse_loss_backward``)."""
    out_dtype = result_type(*(np.asarray(t._data) for t in (grad, x, y)))
    x_data, y_data = x._data.astype(out_dtype), y._data.astype(out_dtype)
    data = mathfns.mse_loss_backward(grad._data.astype(out_dtype), x_data, y_data, reduction)
    return record(MseLossBackwardBackward0, np.asarray(data, out_dtype), (grad, x, y),
                  saved=(grad, x, y), reduction=reduction)


def _broadcast(a: Tensor, b: Tensor) -> Tuple[Tensor, Tensor]:
    """``torch.broadcast_tensors`` for two tensors: each expanded to the common
    shape (a tensor that already has it is returned as it is)."""
    shape = broadcast_shape(a._data.shape, b._data.shape)
    return tuple(t if t._data.shape == shape else expand(t, shape) for t in (a, b))


def mse_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None,
             reduce: Optional[bool] = None, reduction: str = "mean",
             weight: Optional[Tensor] = None) -> Tensor:
    """The mean squared error between ``input`` and ``target`` (broadcast
    together, with a warning if their shapes differ); ``weight`` weighs each
    element's squared error (the mean is then divided by the sum of weights)."""
    if target.size() != input.size():
        warnings.warn(
            f"Using a target size ({target.size()}) that is different to the input size "
            f"({input.size()}). This will likely lead to incorrect results due to broadcasting. "
            "Please ensure they have the same size.", UserWarning, stacklevel=2)
    if size_average is not None or reduce is not None:
        reduction = _reduction(reduction, size_average, reduce)
    input, target = _broadcast(input, target)
    if weight is not None:
        if weight.size() != input.size():
            raise ValueError("Weights and input must have the same size.")
        weighted = (input - target) ** 2 * weight
        if reduction == "none":
            return weighted
        if reduction == "sum":
            return weighted.sum()
        if reduction == "mean":
            return weighted.sum() / weight.sum()
        raise ValueError(f"Invalid reduction mode: {reduction}. Expected one of 'none', "
                         "'mean', 'sum'.")
    reduction = _reduction(reduction)
    out_dtype = result_type(np.asarray(input._data), np.asarray(target._data))
    if out_dtype.kind != "f":
        raise NotImplementedError(f'"mse_cpu" not implemented for '
                                  f"'{LEGACY_TYPE_NAMES[out_dtype.name]}'")
    # inf - inf is nan, without a word as in PyTorch
    difference = compute(np.subtract, input._data.astype(out_dtype), target._data.astype(out_dtype))
    loss = quietly(lambda: _reduce(difference * difference, reduction))
    return record(MseLossBackward0, loss, (input, target), saved=(input, target),
                  reduction=reduction)


# -- nll_loss -------------------------------------------------------------------------
class NllLossBackward0(Node):
    """z_i = -w[t_i] x[i, t_i] for each sample i whose target t_i is not
    ignored (summed; for 'mean' divided by the sum of those w[t_i]);
    dL/dx[i, t_i] = -w[t_i] grad_i  (/ sum of w for 'mean'), 0 elsewhere"""

    #: Set by record().
    input_shape: Tuple[int, ...]
    input_indices: Any
    out_indices: Any
    coefficients: Any
    weights: Any
    total_weight: Any

    def backward(self, grad: Tensor) -> Tuple[Any]:
        (x,) = self.saved_tensors
        return (_nll_backward(self, grad, x),)


class NllLoss2DBackward0(NllLossBackward0):
    """The same loss for 4-d input (N, C, H, W) and targets (N, H, W):
    z_nhw = -w[t_nhw] x[n, t_nhw, h, w];   dL/dx = -w grad at the picked entries"""


class NllLossBackwardBackward0(Node):
    """z = the gradient of nll_loss, given its output gradient g: zeros of x's
    shape with c_i g_i at the picked entries (c_i = -w[t_i], / sum of w for
    'mean'); it is linear in g and does not depend on x:
    dL/dg_i = c_i grad[i, t_i];   dL/dx = 0"""

    #: Set by record().
    input_indices: Any
    out_indices: Any
    output_shape: Tuple[int, ...]
    coefficients: Any

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        picked = gather(grad, self.input_indices) * self.coefficients
        if self.out_indices is None:  # the loss was one number
            grad_of_g = picked.sum()
        else:
            zeros = Tensor._make(np.zeros(self.output_shape, grad._data.dtype))
            grad_of_g = index_put_accumulate(zeros, self.out_indices, picked)
        return (grad_of_g if self.needs_input_grad(0) else None,
                Tensor._make(np.zeros(grad._data.shape, grad._data.dtype))
                if self.needs_input_grad(1) else None)


class NllLoss2DBackwardBackward0(NllLossBackwardBackward0):
    """The gradient of the 4-d nll_loss, given its output gradient g (see
    NllLossBackwardBackward0):   dL/dg = c grad at the picked entries;   dL/dx = 0"""


def _nll_backward(node: NllLossBackward0, grad: Tensor, x: Tensor) -> Tensor:
    """What ``node`` sends to x: ``grad`` (per sample for 'none') times the
    coefficients, placed at the picked entries of zeros shaped like x.  An op
    of ``grad`` and ``x`` (x's gradient through it is zero), as in PyTorch."""
    per_sample = grad._data if node.out_indices is None else grad._data[
        tuple(array for _, array in node.out_indices)]
    coefficients = node.coefficients.astype(grad._data.dtype)
    data = np.zeros(node.input_shape, grad._data.dtype)
    # Written, not added: each sample picks its own entry, and PyTorch writes
    # w * -(grad / total weight) there, in that order (so a gradient of +0 gives -0,
    # as 0 + -0 would not).
    if node.total_weight is not None:  # 'mean'
        per_sample = -quietly(np.true_divide, per_sample, node.total_weight)
    else:
        per_sample = -per_sample
    data[tuple(array for _, array in node.input_indices)] = per_sample * node.weights.astype(
        grad._data.dtype, copy=False)
    node_class = (NllLoss2DBackwardBackward0 if isinstance(node, NllLoss2DBackward0)
                  else NllLossBackwardBackward0)
    return record(node_class, data, (grad, x), input_indices=node.input_indices,
                  out_indices=node.out_indices, output_shape=grad._data.shape,
                  coefficients=Tensor._make(coefficients))


def _nll_kernel(node_class: Any, kernel: str, input: Tensor, target: Tensor,
                weight: Optional[Tensor], reduction: str, ignore_index: int) -> Tensor:
    """The checks both nll kernels make (``weight`` a constant, the dtypes:
    the 4-d kernel takes no uint8 targets), then the loss."""
    op = "nll_loss2d_forward" if node_class is NllLoss2DBackward0 else "nll_loss_forward"
    _check_weight_constant(weight, op)
    if input._data.dtype.kind != "f":
        raise _not_implemented_for(kernel, input)
    if target._data.dtype == np.uint8 and node_class is NllLoss2DBackward0:
        raise RuntimeError("expected scalar type Long but found Byte")
    if target._data.dtype not in (np.int64, np.uint8):
        raise RuntimeError("expected target dtype to be Long or Byte, but got "
                           f"{_type_name(target)}")
    if weight is not None and weight._data.dtype != input._data.dtype:
        raise RuntimeError(f"expected scalar type {_type_name(input)} but found "
                           f"{_type_name(weight)}")
    return _nll(node_class, input, target, weight, reduction, ignore_index)


def _nll(node_class: Any, input: Tensor, target: Tensor, weight: Optional[Tensor],
         reduction: str, ignore_index: int) -> Tensor:
    """The loss and its node, for input (C,), (N, C) or (N, C, H, W): the
    class dim is 1 (0 for 1-d input), the target has the other dims."""
    x = input._data
    classes_dim = 0 if x.ndim == 1 else 1
    targets = target._data.astype(np.int64).reshape(-1 if x.ndim == 1 else target._data.shape)
    kept = targets != ignore_index
    bad = kept & ((targets < 0) | (targets >= x.shape[classes_dim]))
    if bad.any():
        raise IndexError(f"Target {targets[bad].flat[0]} is out of bounds.")
    samples = np.nonzero(kept)  # one array per target dim
    classes = targets[kept]
    # Where each kept sample's loss sits in x: its class inserted after the batch index.
    key = (classes,) if x.ndim == 1 else (samples[0], classes, *samples[1:])
    w = np.ones(classes.shape, x.dtype) if weight is None else weight._data[classes]
    losses = -(x[key] * w)
    if reduction == "none" and x.ndim > 1:
        result = np.zeros(targets.shape, x.dtype)
        result[samples] = losses
        coefficients = -w
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            if x.ndim <= 2 and kept.all():  # nll_loss_out_frame's cascade, loss divided
                result, total_weight = exact_losses.nll_loss(
                    x, targets, None if weight is None else weight._data, reduction)
            else:
                total_weight = np.sum(w, dtype=x.dtype)
                result = np.sum(losses, dtype=x.dtype)
                if reduction == "mean":
                    result = result / total_weight
            coefficients = -w / total_weight if reduction == "mean" else -w
    out_indices = (tuple(enumerate(samples))
                   if reduction == "none" and x.ndim > 1 else None)
    return record(node_class, np.asarray(result, x.dtype), (input,), saved=(input,),
                  input_shape=x.shape, input_indices=tuple(enumerate(key)),
                  out_indices=out_indices, coefficients=coefficients, weights=w,
                  total_weight=total_weight if reduction == "mean" else None)


def _nll_loss_2d_input(input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: str,
                       ignore_index: int) -> Tensor:
    """PyTorch's ``nll_loss`` kernel: input (C,) or (N, C)."""
    if target.dim() > 1:
        raise RuntimeError("0D or 1D target tensor expected, multi-target not supported")
    if input.dim() == 1 and target.dim() == 1 and target.shape[0] != 1:
        raise ValueError("For 1D input, 1D target must have size 1, but got target size: "
                         f"{target.shape[0]}")
    classes = input.shape[-1]
    if weight is not None and (weight.dim() != 1 or weight.numel() != classes):
        raise RuntimeError(f"weight tensor should be defined either for all {classes} classes "
                           f"or no classes but got weight tensor of shape: {list(weight.shape)}")
    return _nll_kernel(NllLossBackward0, "nll_loss_out_frame", input, target, weight, reduction,
                       ignore_index)


def _nll_loss_4d_input(input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: str,
                       ignore_index: int) -> Tensor:
    """PyTorch's ``nll_loss2d`` kernel: input (N, C, H, W), target (N, H, W)."""
    if target.dim() != 3:
        raise RuntimeError("only batches of spatial targets supported (3D tensors) but got "
                           f"targets of dimension: {target.dim()}")
    if weight is not None and weight.numel() != input.shape[1]:
        raise RuntimeError("weight tensor should be defined either for all or no classes")
    if (input.shape[0], *input.shape[2:]) != tuple(target.shape):
        raise RuntimeError(f"size mismatch (got input: {list(input.shape)} , target: "
                           f"{list(target.shape)}")
    return _nll_kernel(NllLoss2DBackward0, "nll_loss2d_forward_out_frame", input, target, weight,
                       reduction, ignore_index)


def _nll_loss_nd(input: Tensor, target: Tensor, weight: Optional[Tensor], reduction: str,
                 ignore_index: int) -> Tensor:
    """``nll_loss`` for any input of 1 or more dims: (C,) and (N, C) directly,
    (N, C, H, W) with the 2-d kernel, other shapes viewed as (N, C, 1, -1)."""
    if input.dim() < 1:
        raise ValueError(f"Expected 1 or more dimensions (got {input.dim()})")
    batch = target.shape[0] if target.dim() else 0
    if input.dim() != 1 and input.shape[0] != batch:
        raise ValueError(f"Expected input batch_size ({input.shape[0]}) to match target "
                         f"batch_size ({batch}).")
    if input.dim() <= 2:
        return _nll_loss_2d_input(input, target, weight, reduction, ignore_index)
    if input.dim() == 4:
        return _nll_loss_4d_input(input, target, weight, reduction, ignore_index)
    n, c = input.shape[:2]
    out_shape = (n, *input.shape[2:])
    if tuple(target.shape[1:]) != tuple(input.shape[2:]):
        raise RuntimeError(f"Expected target size {list(out_shape)}, got {list(target.shape)}")
    empty = input.numel() == 0
    input = view(contiguous(input), (n, c, 0, 0) if empty else (n, c, 1, -1))
    target = view(contiguous(target), (n, 0, 0) if target.numel() == 0 else (n, 1, -1))
    result = _nll_loss_4d_input(input, target, weight, reduction, ignore_index)
    return view(result, out_shape) if reduction == "none" else result


def nll_loss(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
             size_average: Optional[bool] = None, ignore_index: int = -100,
             reduce: Optional[bool] = None, reduction: str = "mean") -> Tensor:
    """The negative log likelihood of the target classes, given log-probabilities
    ``input`` of shape (C,), (N, C) or (N, C, d1, ...) and class indices
    ``target`` of shape (), (N,) or (N, d1, ...).  ``weight`` (C,) weighs each
    class; targets equal to ``ignore_index`` contribute nothing."""
    reduction = _reduction(reduction, size_average, reduce)
    return _nll_loss_nd(input, target, weight, reduction, ignore_index)


# -- cross_entropy --------------------------------------------------------------------
def _soft_cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor],
                        reduction: str, label_smoothing: float) -> Tensor:
    """Cross entropy against class probabilities (``target`` shaped like ``input``):
    ``-(log_softmax(x) * target)`` summed over the classes, built from ops."""
    class_dim = 0 if input.dim() == 1 else 1
    classes = input.shape[class_dim]
    if weight is not None and (weight.dim() != 1 or weight.numel() != classes):
        raise RuntimeError(f"cross_entropy: weight tensor should be defined either for all "
                           f"{classes} classes or no classes but got weight tensor of shape: "
                           f"{list(weight.shape)}")
    log_probabilities = _log_softmax(input, class_dim, input.dtype)
    if label_smoothing > 0:
        target = add_scalar(mul_scalar(target, 1 - label_smoothing),
                            _smoothing_per_class(label_smoothing, classes))
    products = log_probabilities * target
    if weight is not None:
        products = products * _class_weights(weight, input.dim(), class_dim)
    if reduction == "none":
        return -products.sum(class_dim)
    total = products.sum()
    if reduction == "sum":
        return -total
    if input.numel() == 0:
        return -total.fill_(float("nan"))
    return div_scalar(-total, input.numel() // classes)


def _class_weights(weight: Tensor, ndim: int, class_dim: int) -> Tensor:
    """``weight`` (one per class) viewed to broadcast along the class dim."""
    if ndim == 1:
        return weight
    shape = [1] * ndim
    shape[class_dim] = weight.numel()
    return view(weight, shape)


def _smoothing_per_class(label_smoothing: float, classes: int) -> float:
    """``label_smoothing / classes``, checked; infinite for no classes (C++ division)."""
    if label_smoothing > 1:
        raise RuntimeError(f"label_smoothing must be between 0.0 and 1.0. Got: "
                           f"{label_smoothing:g}")
    with np.errstate(divide="ignore"):
        return float(np.float64(label_smoothing) / classes)


def _smoothed_cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor],
                            reduction: str, ignore_index: int, label_smoothing: float) -> Tensor:
    """Cross entropy with class indices and label smoothing ``s``: the target
    class gets probability 1 - s + s/C and every class s/C, so the loss is
    ``(1 - s) * nll_loss + s/C * (minus the sum of all log-probabilities)``."""
    class_dim = 0 if input.dim() == 1 else 1
    per_class = _smoothing_per_class(label_smoothing, input.shape[class_dim])
    log_probabilities = _log_softmax(input, class_dim, input.dtype)
    nll = _nll_loss_nd(log_probabilities, target, weight, reduction, ignore_index)
    if weight is not None:
        log_probabilities = log_probabilities * _class_weights(weight, input.dim(), class_dim)
    ignored = target == ignore_index
    smooth = masked_fill(-log_probabilities.sum(class_dim), ignored, 0.0)
    if reduction == "mean":
        kept = logical_not(ignored)
        count = (kept.sum() if weight is None
                 else Tensor._make(np.sum(weight._data[target._data[kept._data]])))
        smooth = smooth.sum() / count
    elif reduction == "sum":
        smooth = smooth.sum()
    return mul_scalar(nll, 1 - label_smoothing) + mul_scalar(smooth, per_class)


def cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                  size_average: Optional[bool] = None, ignore_index: int = -100,
                  reduce: Optional[bool] = None, reduction: str = "mean",
                  label_smoothing: float = 0.0) -> Tensor:
    """The cross entropy between the softmax of the logits ``input`` and the
    target: class indices (``nll_loss(log_softmax(input))``), or class
    probabilities shaped like ``input``; ``label_smoothing`` mixes the
    target with the uniform distribution."""
    reduction = _reduction(reduction, size_average, reduce)
    if input.shape == target.shape:
        if target._data.dtype.kind != "f":
            raise RuntimeError("Expected floating point type for target with class "
                               f"probabilities, got {_type_name(target)}")
        if ignore_index >= 0:
            raise RuntimeError("ignore_index is not supported for floating point target")
        return _soft_cross_entropy(input, target, weight, reduction, label_smoothing)
    if label_smoothing > 0:
        return _smoothed_cross_entropy(input, target, weight, reduction, ignore_index,
                                       label_smoothing)
    class_dim = 0 if input.dim() == 1 else 1
    return _nll_loss_nd(_log_softmax(input, class_dim, input.dtype), target, weight, reduction,
                        ignore_index)


# -- binary_cross_entropy --------------------------------------------------------------
_EPSILON = 1e-12  # PyTorch's guard against dividing by x (1 - x) = 0


class BinaryCrossEntropyBackward0(Node):
    """z = -w (t log x + (1 - t) log(1 - x))  (each log at least -100);
    dL/dx = grad w (x - t) / max(x (1 - x), 1e-12);
    dL/dt = -grad w log(x / (1 - x))   (both / n for 'mean')"""

    #: Set by record().
    reduction: str
    weight: Any

    def backward(self, grad: Tensor) -> Tuple[Any, Any]:
        x, t = self.saved_tensors
        grad_t = None
        if self.needs_input_grad(1):
            grad_t = -log(x / (1 - x)) * grad
            if self.weight is not None:
                grad_t = grad_t * self.weight
            if self.reduction == "mean":
                grad_t = div_scalar(grad_t, t.numel())
        return (binary_cross_entropy_backward(grad, x, t, self.weight, self.reduction)
                if self.needs_input_grad(0) else None, grad_t)


class BinaryCrossEntropyBackwardBackward0(Node):
    """z = g w (x - t) / max(x (1 - x), e)  (/ n; e = 1e-12): the gradient of
    binary_cross_entropy as an op of the loss's gradient g and of x, t
    (PyTorch's formulas, with e added where they add it):
    dL/dg = grad w (x - t) / ((x + e) (1 - x + e))  (/ n; summed for one number);
    dL/dx = grad g w (x^2 - 2 x t + t) / ((x + e)^2 (1 - x + e)^2)  (/ n);
    dL/dt = -grad g w / max(x (1 - x), e)  (/ n)"""

    #: Set by record().
    reduction: str
    weight: Any

    def backward(self, grad: Tensor) -> Tuple[Any, Any, Any]:
        g, x, t = self.saved_tensors
        weighted = grad if self.weight is None else grad * self.weight
        grad_g = (x - t) / (add_scalar(x, _EPSILON) * add_scalar(1 - x, _EPSILON)) * weighted
        numerator = x * x - mul_scalar(x, 2) * t + t
        grad_x = numerator / (add_scalar(x, _EPSILON).pow(2) * add_scalar(1 - x, _EPSILON).pow(2))
        grad_x = grad_x * (grad * g) if self.weight is None else \
            grad_x * (grad * g) * self.weight
        grad_t = -weighted * g / clamp_min((1 - x) * x, _EPSILON)
        if self.reduction != "none":
            grad_g = grad_g.sum()
        if self.reduction == "mean":
            grad_g, grad_x, grad_t = (div_scalar(v, x.numel()) for v in (grad_g, grad_x, grad_t))
        return grad_g, grad_x, grad_t


def binary_cross_entropy_backward(grad: Tensor, x: Tensor, t: Tensor, weight: Optional[Tensor],
                                  reduction: str) -> Tensor:
    """The gradient binary_cross_entropy sends to ``x``, as one op (PyTorch's
    ``binary_cross_entropy_backward``)."""
    x_data, t_data = x._data, t._data
    with np.errstate(all="ignore"):
        data = grad._data * (x_data - t_data) / np.maximum((1 - x_data) * x_data,
                                                          x_data.dtype.type(_EPSILON))
        if weight is not None:
            data = data * weight._data
        if reduction == "mean":
            data = data / x_data.dtype.type(x_data.size)
    return record(BinaryCrossEntropyBackwardBackward0, np.asarray(data, x_data.dtype),
                  (grad, x, t), saved=(grad, x, t), reduction=reduction, weight=weight)


def _broadcast_weight(weight: Tensor, target: Tensor) -> Tensor:
    """``weight`` expanded to the shape it broadcasts to with ``target``
    (``torch.broadcast_shapes``, with its error)."""
    shapes = (target.shape, weight.shape)
    common = [1] * max(len(shape) for shape in shapes)
    for position, shape in enumerate(shapes):
        for i in range(-1, -1 - len(shape), -1):
            if common[i] == 1:
                common[i] = shape[i]
            if shape[i] != 1 and shape[i] != common[i]:
                raise RuntimeError(
                    f"Attempting to broadcast a dimension of length {shape[i]} at {i}! "
                    f"Mismatching argument at index {position} had {shape}; but expected shape "
                    f"should be broadcastable to {common}")
    return expand(weight, tuple(common))


def binary_cross_entropy(input: Tensor, target: Tensor, weight: Optional[Tensor] = None,
                         size_average: Optional[bool] = None, reduce: Optional[bool] = None,
                         reduction: str = "mean") -> Tensor:
    """The binary cross entropy between probabilities ``input`` and targets
    in [0, 1] of the same shape; ``weight`` (broadcast to the target) weighs
    each element."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.size() != input.size():
        raise ValueError(f"Using a target size ({target.size()}) that is different to the input "
                         f"size ({input.size()}) is deprecated. Please ensure they have the same "
                         "size.")
    if weight is not None:
        weight = _broadcast_weight(weight, target)
    _check_weight_constant(weight, "binary_cross_entropy")
    x, t = input._data, target._data
    if t.dtype != x.dtype:
        raise RuntimeError(f"Found dtype {_type_name(target)} but expected {_type_name(input)}")
    if x.dtype.kind != "f":
        raise _not_implemented_for("binary_cross_entropy", input)
    if not np.all((x >= 0) & (x <= 1)):
        raise RuntimeError("all elements of input should be between 0 and 1")
    if not np.all((t >= 0) & (t <= 1)):
        raise RuntimeError("all elements of target should be between 0 and 1")
    floor = x.dtype.type(-100)
    # PyTorch's scalar loop calls the C library's logf/log1pf: rounded from float64 here
    # (96.6% of float32 elements bit-identical, NumPy's own 89%: docs/numerics.md)
    with np.errstate(divide="ignore"):
        loss = ((t - 1) * np.maximum(mathfns.log1p(-x), floor)
                - t * np.maximum(mathfns.log(x), floor))
    if weight is not None:
        if np.broadcast_shapes(loss.shape, weight.shape) != loss.shape:
            raise RuntimeError(f"output with shape {list(loss.shape)} doesn't match the "
                               f"broadcast shape {list(weight.shape)}")
        loss = loss * weight._data.astype(loss.dtype)
    return record(BinaryCrossEntropyBackward0, _reduce(np.asarray(loss), reduction),
                  (input, target), saved=(input, target), reduction=reduction,
                  weight=None if weight is None else weight.detach())


# -- linear -------------------------------------------------------------------------
def linear(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None) -> Tensor:
    """``input @ weight^T + bias``, recorded as PyTorch records it: a matrix
    input is one ``addmm``; another contiguous input is flattened to a matrix
    (``reshape``), multiplied with ``addmm`` and viewed back; anything else is
    ``matmul`` followed by an in-place ``add_`` of the bias."""
    if input.dim() == 0 or weight.dim() == 0:
        raise RuntimeError("both arguments to linear need to be at least 1D, but they are "
                           f"{input.dim()}D and {weight.dim()}D")
    if bias is not None and input.dim() == 2:
        return addmm(bias, input, t(weight))
    if bias is not None and input.is_contiguous() and (input.dim() == 3 or bias.dim() == 1):
        *batch, features = input.shape
        rows = int(np.prod(batch, dtype=np.int64))
        output = addmm(bias, reshape(input, (rows, features)), t(weight))
        return view(output, (*batch, output.shape[1]))
    output = matmul(input, t(weight))
    return output if bias is None else output.add_(bias)


# -- dropout (PyTorch's random numbers: ../ops/random.py) ------------------------------------
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False) -> Tensor:
    """Zero each element with probability ``p`` and scale the others by
    ``1 / (1 - p)``, in training only: ``input * mask`` (node ``MulBackward0``),
    the mask drawn as PyTorch draws it."""
    from ..ops.random import dropout as _dropout

    return _dropout(input, p, training, inplace)


# -- issue 16 item 4: convolution, pooling (ops/conv.py) ------------------------------
def _conv_padding(padding: Any, kernel: Tuple[int, ...], dilation: Tuple[int, ...],
                  stride: Tuple[int, ...]) -> Tuple[Tuple[int, int], ...]:
    """``padding`` (an int, a tuple, ``'valid'`` or ``'same'``) as (before, after) per dim."""
    if padding == "valid":
        return tuple((0, 0) for _ in kernel)
    if padding == "same":
        if any(s != 1 for s in stride):
            raise ValueError("padding='same' is not supported for strided convolutions")
        totals = [d * (k - 1) for k, d in zip(kernel, dilation, strict=True)]
        return tuple((t // 2, t - t // 2) for t in totals)
    if isinstance(padding, str):
        raise ValueError(f"Invalid padding string '{padding}'")
    values = (padding,) * len(kernel) if isinstance(padding, int) else tuple(padding)
    return tuple((p, p) for p in values)


def _conv(input: Tensor, weight: Tensor, bias: Optional[Tensor], stride: Any, padding: Any,
          dilation: Any, groups: int, dims: int) -> Tensor:
    """A ``dims``-d convolution; an unbatched input gets a batch dim of 1 around it."""
    if input.ndim == dims + 1:
        return _conv(input.unsqueeze(0), weight, bias, stride, padding, dilation, groups,
                     dims).squeeze(0)
    if groups != 1:
        raise NotImplementedError("microgrid's convolutions support groups=1 only")
    if input.ndim != dims + 2:
        raise RuntimeError(f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to "
                           f"conv{dims}d, but got input of size: {list(input.shape)}")
    if input.dtype != weight.dtype:
        raise RuntimeError(f"Input type ({_type_name(input)}) and weight type "
                           f"({_type_name(weight)}) should be the same")

    def as_tuple(value: Any) -> Tuple[int, ...]:
        return (value,) * dims if isinstance(value, int) else tuple(value)
    kernel = tuple(weight.shape[2:])
    stride_t, dilation_t = as_tuple(stride), as_tuple(dilation)
    pads = _conv_padding(padding, kernel, dilation_t, stride_t)
    if any(before != after for before, after in pads):  # 'same' with an even kernel
        _warn_once("Using padding='same' with even kernel lengths and odd dilation may require "
                   "a zero-padded copy of the input be created (Triggered internally at "
                   "/__w/pytorch/pytorch/aten/src/ATen/native/Convolution.cpp:1101.)")
        extra = [after - before for before, after in reversed(pads)]
        input = _constant_pad_nd(input, [p for e in extra for p in (0, e)])
        pads = tuple((before, before) for before, _ in pads)
    padded = [size + sum(p) for size, p in zip(input.shape[2:], pads, strict=True)]
    spans = [d * (k - 1) + 1 for k, d in zip(kernel, dilation_t, strict=True)]
    if any(span > size for span, size in zip(spans, padded, strict=True)):
        raise RuntimeError(f"Calculated padded input size per channel: "
                           f"({' x '.join(map(str, padded))}). Kernel size: "
                           f"({' x '.join(map(str, spans))}). Kernel size can't be greater "
                           "than actual input size")
    if dims == 1:  # a 1-d convolution is a 2-d one of height 1
        return _convolution(input, weight, bias, (1, *stride_t), ((0, 0), *pads),
                            (1, *dilation_t))
    return _convolution(input, weight, bias, stride_t, pads, dilation_t)


def conv1d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """Slide ``weight`` (out, in, k) along the last dim of ``input`` (N, in, L)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 1)


def conv2d(input: Tensor, weight: Tensor, bias: Optional[Tensor] = None, stride: Any = 1,
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """Slide ``weight`` (out, in, kh, kw) over ``input`` (N, in, H, W)."""
    return _conv(input, weight, bias, stride, padding, dilation, groups, 2)


def _pool_args(kernel_size: Any, stride: Any, padding: Any) -> Tuple[Any, Any, Any]:
    kernel = _pair(kernel_size, "kernel_size")
    strides = kernel if stride is None or stride == [] or stride == () else _pair(stride,
                                                                                  "stride")
    return kernel, strides, _pair(padding, "padding")


def max_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """The largest element of each ``kernel_size`` window (with its index in its
    plane if ``return_indices``)."""
    kernel, strides, pads = _pool_args(kernel_size, stride, padding)
    result, indices = _max_pool2d(input, kernel, strides, pads, _pair(dilation, "dilation"),
                                  ceil_mode)
    return (result, indices) if return_indices else result


def avg_pool2d(input: Tensor, kernel_size: Any, stride: Any = None, padding: Any = 0,
               ceil_mode: bool = False, count_include_pad: bool = True,
               divisor_override: Optional[int] = None) -> Tensor:
    """The mean of each ``kernel_size`` window."""
    if ceil_mode or divisor_override is not None:
        raise NotImplementedError("microgrid's avg_pool2d supports neither ceil_mode nor "
                                  "divisor_override")
    kernel, strides, pads = _pool_args(kernel_size, stride, padding)
    return _avg_pool2d(input, kernel, strides, pads, count_include_pad)


# -- issue 16 item 4: activations, losses, lookups, padding, normalization -----------
def leaky_relu(input: Tensor, negative_slope: float = 0.01, inplace: bool = False) -> Tensor:
    """``x`` where positive, ``negative_slope * x`` elsewhere."""
    if inplace:
        return _inplace.inplace(input, lambda x: _leaky_relu(x, negative_slope))
    return _leaky_relu(input, negative_slope)


def gelu(input: Tensor, approximate: str = "none") -> Tensor:
    """``x * Phi(x)``, Phi the standard normal's distribution function."""
    return _gelu(input, approximate)


def softplus(input: Tensor, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """``log(1 + exp(beta * x)) / beta`` (``x`` where ``beta * x > threshold``)."""
    return _softplus(input, beta, threshold)


def l1_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None,
            reduce: Optional[bool] = None, reduction: str = "mean") -> Tensor:
    """``|x - y|``, reduced: built from ops (``SubBackward0``, ``AbsBackward0``,
    ``MeanBackward0``), as PyTorch records it."""
    reduction = _reduction(reduction, size_average, reduce)
    _check_sizes(input, target)
    loss = (input - target).abs()
    return loss.mean() if reduction == "mean" else loss.sum() if reduction == "sum" else loss


def smooth_l1_loss(input: Tensor, target: Tensor, size_average: Optional[bool] = None,
                   reduce: Optional[bool] = None, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """Squared error below ``beta``, absolute error above (``beta=0``: ``l1_loss``)."""
    reduction = _reduction(reduction, size_average, reduce)
    if beta < 0:
        raise RuntimeError("smooth_l1_loss does not support negative values for beta.")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    _check_sizes(input, target)
    return _smooth_l1_loss(input, target, reduction, beta)


def _check_sizes(input: Tensor, target: Tensor) -> None:
    if target.shape != input.shape:
        warnings.warn(f"Using a target size ({target.shape}) that is different to the input "
                      f"size ({input.shape}). This will likely lead to incorrect results due "
                      "to broadcasting. Please ensure they have the same size.", stacklevel=3)


def binary_cross_entropy_with_logits(input: Tensor, target: Tensor,
                                     weight: Optional[Tensor] = None,
                                     size_average: Optional[bool] = None,
                                     reduce: Optional[bool] = None, reduction: str = "mean",
                                     pos_weight: Optional[Tensor] = None) -> Tensor:
    """``binary_cross_entropy(sigmoid(input), target)``, computed stably from logits."""
    reduction = _reduction(reduction, size_average, reduce)
    if target.shape != input.shape:
        raise ValueError(f"Target size ({target.shape}) must be the same as input size "
                         f"({input.shape})")
    return _bce_with_logits(input, target, weight, pos_weight, reduction)


def embedding(input: Tensor, weight: Tensor, padding_idx: Optional[int] = None,
              max_norm: Optional[float] = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Rows of ``weight`` picked by the indices ``input``."""
    if max_norm is not None or scale_grad_by_freq or sparse:
        raise NotImplementedError("microgrid's embedding supports neither max_norm, "
                                  "scale_grad_by_freq nor sparse")
    if padding_idx is not None:
        if padding_idx > 0 and padding_idx >= weight.shape[0]:
            raise AssertionError("Padding_idx must be within num_embeddings")
        if padding_idx < 0:
            if padding_idx < -weight.shape[0]:
                raise AssertionError("Padding_idx must be within num_embeddings")
            padding_idx = weight.shape[0] + padding_idx
    return _embedding(weight, input, -1 if padding_idx is None else padding_idx)


def one_hot(tensor: Tensor, num_classes: int = -1) -> Tensor:
    """int64 rows of zeros with a one at each index's class."""
    return _one_hot(tensor, num_classes)


def pad(input: Tensor, pad: Any, mode: str = "constant", value: Optional[float] = None
        ) -> Tensor:
    """Pad the last dims with ``value`` (``pad = (left, right, top, bottom, ...)``)."""
    if mode != "constant":
        raise NotImplementedError(f"microgrid's pad supports mode='constant' only, not "
                                  f"'{mode}'")
    return _constant_pad_nd(input, pad, 0.0 if value is None else value)


def batch_norm(input: Tensor, running_mean: Optional[Tensor], running_var: Optional[Tensor],
               weight: Optional[Tensor] = None, bias: Optional[Tensor] = None,
               training: bool = False, momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Normalise each channel by the batch's statistics (``training``) or the running ones."""
    if training:
        count = input.numel() // input.shape[1]
        if count == 1:
            raise ValueError("Expected more than 1 value per channel when training, got input "
                             f"size {input.shape}")
    return _batch_norm(input, running_mean, running_var, weight, bias, training, momentum, eps)


def layer_norm(input: Tensor, normalized_shape: Any, weight: Optional[Tensor] = None,
               bias: Optional[Tensor] = None, eps: float = 1e-5) -> Tensor:
    """Normalise each sample over its last ``len(normalized_shape)`` dims."""
    shape = (normalized_shape,) if isinstance(normalized_shape, int) else tuple(normalized_shape)
    return _layer_norm(input, shape, weight, bias, eps)
