"""``backward`` and ``grad``: the two ways into the engine.

PyTorch counterpart: ``torch.autograd.backward`` and ``torch.autograd.grad``
(``torch/autograd/__init__.py``), which check their arguments and call the
C++ engine's ``run_backward``.

``loss.backward()`` (``Tensor.backward``) calls :func:`backward`: it makes
the starting gradient (1 for a scalar loss), checks the outputs and calls
``engine.run_backward``.  :func:`grad` does the same but asks the engine
to capture the gradients of ``inputs`` instead of accumulating ``.grad``.
Everything else here is argument checking with PyTorch's messages: skip it
on a first reading.

Read next: ``input_metadata.py``.
"""

from __future__ import annotations

import warnings
from typing import Any, Dict, Optional, Sequence, Tuple, Union

from .. import _messages
from .._arguments import as_flag
from .._dtype import Size
from .._tensor import Tensor
from .engine import check_roots, make_root_grads, run_backward

Tensors = Union[Tensor, Sequence[Tensor]]
GradTensors = Union[None, Tensor, Sequence[Optional[Tensor]]]

#: PyTorch warns about ``backward(create_graph=True)`` once per process.
_warned_about_cycles = False


def _as_tuple(value: Any) -> tuple:
    return (value,) if isinstance(value, Tensor) else tuple(value)


def _outputs_tuple(value: Any) -> tuple:
    """The outputs of ``backward``/``grad``: tensors only, as PyTorch asserts."""
    outputs = _as_tuple(value)
    for output in outputs:
        if not isinstance(output, Tensor):
            raise AssertionError("Expected output to be a torch.Tensor")
    return outputs


def _grads_tuple(grads: GradTensors, count: int) -> tuple:
    if grads is None:
        return (None,) * count
    return _as_tuple(grads)


def _inputs_tuple(inputs: Any, function: str) -> tuple:
    """``inputs`` as a tuple: a tensor, a sequence, or a dict's values."""
    if type(inputs) is dict:
        return tuple(inputs.values())
    if isinstance(inputs, dict):
        raise TypeError(f"`inputs` argument to `{function}()` must be a dict, not "
                        f"{type(inputs).__name__}. Other Mapping types are not supported.")
    return _as_tuple(inputs)


def _check_inputs(inputs: tuple, accumulate: bool) -> None:
    """The engine's checks of the tensors to differentiate with respect to.
    ``backward(inputs=...)`` makes a non-leaf input retain its grad."""
    for value in inputs:
        if not isinstance(value, Tensor):
            raise RuntimeError("all inputs have to be Tensors or GradientEdges, but got "
                               f"{type(value).__name__}")
        if accumulate:
            value.retain_grad()
        if not value.requires_grad:
            raise RuntimeError("One of the differentiated Tensors does not require grad")


def backward(tensors: Tensors, grad_tensors: GradTensors = None,
             retain_graph: Optional[bool] = None, create_graph: bool = False,
             grad_variables: GradTensors = None,
             inputs: Union[None, Tensors, Dict[str, Tensor]] = None) -> None:
    """Accumulate into ``.grad`` of every leaf the gradient of ``tensors``
    (weighted by ``grad_tensors``; 1 for a scalar output).  With ``inputs``,
    only those tensors get gradients (a non-leaf among them retains it)."""
    if grad_variables is not None:
        warnings.warn("`grad_variables` is deprecated. Use `grad_tensors` instead.",
                      FutureWarning, stacklevel=2)
        if grad_tensors is not None:
            raise RuntimeError("`grad_tensors` and `grad_variables` (deprecated) arguments both "
                               "passed to `backward()`. Please only use `grad_tensors`.")
        grad_tensors = grad_variables
    inputs_tuple = () if inputs is None else _inputs_tuple(inputs, "backward")
    if inputs is not None and not inputs_tuple:
        raise RuntimeError("`inputs` argument to `backward()` cannot be empty.")
    outputs = _outputs_tuple(tensors)
    grads = make_root_grads(outputs, _grads_tuple(grad_tensors, len(outputs)))
    create_graph = as_flag(create_graph)
    keep_graph = create_graph if retain_graph is None else as_flag(retain_graph)
    grads = check_roots(outputs, grads)
    _check_inputs(inputs_tuple, accumulate=True)
    global _warned_about_cycles
    if create_graph and not _warned_about_cycles:
        _warned_about_cycles = True
        warnings.warn(_messages.CREATE_GRAPH_CYCLE, UserWarning, stacklevel=3)
    run_backward(outputs, grads, keep_graph, create_graph, inputs=inputs_tuple or None,
                 accumulate=True)


def grad(outputs: Tensors, inputs: Union[Tensors, Dict[str, Tensor]],
         grad_outputs: GradTensors = None, retain_graph: Optional[bool] = None,
         create_graph: bool = False, only_inputs: bool = True,
         allow_unused: Optional[bool] = None, is_grads_batched: bool = False,
         materialize_grads: bool = False) -> Any:
    """The gradients of ``outputs`` with respect to each of ``inputs``,
    returned as a tuple (a dict with the same keys when ``inputs`` is a
    dict); ``.grad`` is left untouched.

    An input the outputs do not depend on is an error unless
    ``allow_unused=True`` (its gradient is then ``None``) or
    ``materialize_grads=True`` (zeros).  With ``is_grads_batched`` the
    first dim of every ``grad_outputs`` tensor is a batch of vectors, each
    giving one vector-Jacobian product; the results are stacked.
    """
    if materialize_grads and allow_unused is False:
        raise ValueError("Expected allow_unused to be True or not passed when "
                         "materialize_grads=True, but got: allow_unused=False.")
    if allow_unused is None:
        allow_unused = materialize_grads
    outs = _outputs_tuple(outputs)
    ins = _inputs_tuple(inputs, "grad")
    if not ins:
        raise RuntimeError("`inputs` argument to `grad()` cannot be empty.")
    if not only_inputs:
        warnings.warn("only_inputs argument is deprecated and is ignored now (defaults to True). "
                      "To accumulate gradient for other parts of the graph, please use "
                      "torch.autograd.backward.", FutureWarning, stacklevel=2)
    grads = _grads_tuple(grad_outputs, len(outs))
    create_graph = as_flag(create_graph)
    keep_graph = create_graph if retain_graph is None else as_flag(retain_graph)
    if is_grads_batched:
        result = _batched_grad(outs, ins, grads, keep_graph, create_graph)
    else:
        result = _grad(outs, ins, make_root_grads(outs, grads), keep_graph, create_graph)
    for i, g in enumerate(result):
        if g is None and not allow_unused:
            raise RuntimeError(
                f"The differentiated Tensor at index {i} appears to not have been used in the "
                "graph. Set allow_unused=True if this is the desired behavior.")
    if materialize_grads:
        from .._creation import zeros_like

        result = tuple(zeros_like(t, requires_grad=create_graph) if g is None else g
                       for g, t in zip(result, ins, strict=True))
    if type(inputs) is dict:
        return dict(zip(inputs.keys(), result, strict=True))
    return result


def _grad(outs: tuple, ins: tuple, grads: Sequence[Optional[Tensor]], keep_graph: bool,
          create_graph: bool) -> Tuple[Optional[Tensor], ...]:
    """One vector-Jacobian product through the engine, nothing accumulated."""
    grads = check_roots(outs, grads)
    _check_inputs(ins, accumulate=False)
    return tuple(run_backward(outs, grads, keep_graph, create_graph, inputs=ins,
                              accumulate=False))


def _batched_grad(outs: tuple, ins: tuple, grads: tuple, keep_graph: bool,
                  create_graph: bool) -> Tuple[Optional[Tensor], ...]:
    """``is_grads_batched``: one backward pass per vector of the batch (PyTorch
    vectorizes them with vmap; the results are the same), stacked."""
    from .._tensor import Tensor as _Tensor
    from ..ops.shape import stack

    for i, (out, g) in enumerate(zip(outs, grads, strict=False)):
        # PyTorch checks the first vector and reports its shape without its first dim.
        if isinstance(g, _Tensor) and g.shape[1:] != out.shape:
            raise RuntimeError(
                "If `is_grads_batched=True`, we interpret the first dimension of each "
                f"grad_output as the batch dimension. The sizes of the remaining dimensions are "
                f"expected to match the shape of corresponding output, but a mismatch was "
                f"detected: grad_output[{i}] has a shape of {Size(g.shape[2:])} and "
                f"output[{i}] has a shape of {out.shape}. If you only want some tensors in "
                "`grad_output` to be considered batched, consider using vmap.")
    batch = next(g.shape[0] for g in grads if isinstance(g, _Tensor))
    per_vector = [_grad(outs, ins, make_root_grads(outs, [g[b] if isinstance(g, _Tensor) else g
                                                          for g in grads]),
                        True if b < batch - 1 else keep_graph, create_graph)
                  for b in range(batch)]
    return tuple(None if column[0] is None else stack(list(column))
                 for column in zip(*per_vector, strict=True))
