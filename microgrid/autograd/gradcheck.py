"""Checking a backward pass against finite differences: ``gradcheck``.

PyTorch counterpart: ``torch.autograd.gradcheck`` (``torch/autograd/gradcheck.py``,
its "slow mode", which compares full Jacobians).

An op's backward node claims to know its derivative.  ``gradcheck`` checks
the claim the way a calculus student would, by wiggling each input element
and watching the outputs.  For a function ``f`` with an input ``x`` and an
output ``y`` it builds two Jacobian matrices, one row per element of ``x``
and one column per element of ``y``:

* **numerical**: ``J[k, j] = (y_j(x + eps e_k) - y_j(x - eps e_k)) / (2 eps)``,
  the central difference, which is off from the true derivative by only
  ``O(eps**2)``;
* **analytical**: column ``j`` is the gradient ``autograd.grad`` returns for
  ``x`` when the gradient of the output is the one-hot tensor ``e_j``; that is
  exactly what the backward nodes compute.

The two must agree within ``atol + rtol * |numerical|`` for every pair of an
output that requires grad and an input that requires grad, otherwise
``GradcheckError`` (a ``RuntimeError``) reports both matrices, as PyTorch
does.  Use float64 inputs: in float32, a difference over ``eps = 1e-6`` is
mostly rounding noise.

Read next: ``walk.py``.
"""

from __future__ import annotations

import warnings
from typing import Any, Callable, List, Sequence, Tuple

import numpy as np

from .._tensor import Tensor
from .api import grad as autograd_grad

__all__ = ["GradcheckError", "gradcheck", "gradgradcheck"]


class GradcheckError(RuntimeError):
    """Raised by :func:`gradcheck` when a check fails."""


def _as_tuple(value: Any) -> Tuple[Any, ...]:
    if isinstance(value, tuple):
        return value
    if isinstance(value, list):
        return tuple(value)
    return (value,)


def _check_inputs(inputs: Sequence[Any]) -> List[int]:
    """The positions of the inputs to differentiate, checked like PyTorch."""
    positions = []
    for i, value in enumerate(inputs):
        if not (isinstance(value, Tensor) and value.requires_grad):
            continue
        if value._data.dtype != np.float64:
            warnings.warn(
                f"Input #{i} requires gradient and is not a double precision floating point "
                "or complex. This check will likely fail if all the inputs are not of double "
                "precision floating point or complex. ", stacklevel=3)
        if any(stride == 0 and size > 1
               for stride, size in zip(value._data.strides, value._data.shape, strict=True)):
            raise RuntimeError(
                f"The {i}th input has a dimension with stride 0. gradcheck only supports "
                "inputs that are non-overlapping to be able to compute the numerical gradients "
                "correctly. You should call .contiguous on the input before passing it to "
                "gradcheck.")
        positions.append(i)
    if not positions:
        raise ValueError("gradcheck expects at least one input tensor to require gradient, "
                         "but none of them have requires_grad=True.")
    return positions


def _float_outputs(fn: Callable[..., Any], inputs: Sequence[Any]) -> List[np.ndarray]:
    """Run ``fn`` and return its floating-point outputs as float64 arrays."""
    outputs = _as_tuple(fn(*inputs))
    return [out._data.astype(np.float64) for out in outputs
            if isinstance(out, Tensor) and out._data.dtype.kind == "f"]


def _numerical_jacobians(fn: Callable[..., Any], inputs: Sequence[Any], position: int,
                         eps: float, output_sizes: Sequence[int]) -> List[np.ndarray]:
    """For input ``position``: one Jacobian per floating-point output, each of
    shape (input elements, output elements), by central differences.

    The input's array is perturbed in place, one element at a time, and
    restored; autograd never sees it (PyTorch perturbs ``input.data`` too).
    """
    data = inputs[position]._data
    columns: List[List[np.ndarray]] = []
    for index in np.ndindex(data.shape):
        original = data[index].copy()
        data[index] = original - eps
        before = _float_outputs(fn, inputs)
        data[index] = original + eps
        after = _float_outputs(fn, inputs)
        data[index] = original
        columns.append([((b - a) / (2 * eps)).reshape(-1)
                        for a, b in zip(before, after, strict=True)])
    return [np.array([column[k] for column in columns], dtype=np.float64).reshape(data.size, n)
            for k, n in enumerate(output_sizes)]


def _analytical_jacobians(output: Tensor, diff_inputs: Sequence[Tensor]) -> List[np.ndarray]:
    """For one output: one Jacobian per input, each of shape (input elements,
    output elements); column ``j`` is the backward pass of the one-hot ``e_j``."""
    jacobians = [np.zeros((t.numel(), output.numel()), dtype=t._data.dtype) for t in diff_inputs]
    for j in range(output.numel()):
        one_hot = np.zeros(output._data.size, dtype=output._data.dtype)
        one_hot[j] = 1
        grad_output = Tensor._make(one_hot.reshape(output._data.shape))
        grads = autograd_grad(output, diff_inputs, grad_output, retain_graph=True,
                              allow_unused=True)
        for jacobian, t, g in zip(jacobians, diff_inputs, grads, strict=True):
            if g is None:
                continue
            if g.shape != t.shape:
                raise GradcheckError("Analytical gradient has incorrect size")
            jacobian[:, j] = g._data.reshape(-1)
    return jacobians


def _mismatch_message(analytical: np.ndarray, numerical: np.ndarray, output_index: int,
                      input_index: int) -> str:
    """PyTorch's report, with both matrices printed as tensors."""
    return (f"Jacobian mismatch for output {output_index} with respect to input {input_index},\n"
            f"numerical:{Tensor._make(numerical)!r}\nanalytical:{Tensor._make(analytical)!r}\n")


def _run_checks(fn: Callable[..., Any], inputs: Tuple[Any, ...], eps: float, atol: float,
                rtol: float) -> None:
    positions = _check_inputs(inputs)
    diff_inputs = [inputs[i] for i in positions]
    results = _as_tuple(fn(*inputs))
    float_results = [r for r in results if isinstance(r, Tensor) and r._data.dtype.kind == "f"]
    sizes = [r.numel() for r in float_results]
    numerical = [_numerical_jacobians(fn, inputs, p, eps, sizes) for p in positions]
    outputs = [r for r in float_results if r.requires_grad]
    if not outputs:
        if any(np.any(jacobian != 0) for per_input in numerical for jacobian in per_input):
            raise GradcheckError("Numerical gradient for function expected to be zero")
        return
    # numerical[input][output] -> by_output[output][input], differentiable outputs only.
    by_output = [[per_input[k] for per_input in numerical]
                 for k, r in enumerate(float_results) if r.requires_grad]
    for i, output in enumerate(outputs):
        analytical = _analytical_jacobians(output, diff_inputs)
        for j, (a, n) in enumerate(zip(analytical, by_output[i], strict=True)):
            if not np.allclose(a.astype(np.float64), n, rtol=rtol, atol=atol):
                raise GradcheckError(_mismatch_message(a, n, i, j))


def gradcheck(fn: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True) -> bool:
    """Check the gradients of ``fn(*inputs)`` against finite differences.

    ``inputs`` is a tensor or a tuple of arguments; the tensors among them
    with ``requires_grad=True`` are checked, the others are passed through.
    ``fn`` may return a tensor or a tuple of tensors of any shape.  Returns
    True, or raises ``GradcheckError`` describing the first mismatch (returns
    False instead when ``raise_exception=False``).
    """
    try:
        _run_checks(fn, _as_tuple(inputs), eps, atol, rtol)
    except GradcheckError:
        if raise_exception:
            raise
        return False
    return True


def gradgradcheck(fn: Callable[..., Any], inputs: Any, grad_outputs: Any = None, *,
                  eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3,
                  raise_exception: bool = True) -> bool:
    """Check second derivatives: :func:`gradcheck` of the function that maps
    ``(inputs, grad_outputs)`` to the gradients ``autograd.grad`` computes
    with ``create_graph=True`` (PyTorch's ``gradgradcheck``, by the same
    construction).  That function is linear in ``grad_outputs`` and its
    derivative in ``inputs`` is the backward of the backward pass.

    ``grad_outputs`` (one per output that requires grad) defaults to random
    tensors in [-1, 1) that require grad, drawn from microgrid's generator.
    """
    args = _as_tuple(inputs)
    if grad_outputs is None:
        from .._creation import rand

        outputs = [out for out in _as_tuple(fn(*args))
                   if isinstance(out, Tensor) and out.requires_grad]
        grad_outputs = tuple((rand(*out.shape, dtype=out.dtype) * 2 - 1).requires_grad_()
                             for out in outputs)
    vectors = _as_tuple(grad_outputs)
    count = len(vectors)
    differentiated = [i for i, value in enumerate(args)
                      if isinstance(value, Tensor) and value.requires_grad]

    def gradients(*values: Any) -> Tuple[Tensor, ...]:
        outputs = [out for out in _as_tuple(fn(*values[:-count]))
                   if isinstance(out, Tensor) and out.requires_grad]
        grads = autograd_grad(outputs, [values[i] for i in differentiated],
                              list(values[-count:]), create_graph=True, allow_unused=True)
        return tuple(g for g in grads if g is not None)

    return gradcheck(gradients, args + vectors, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception)
