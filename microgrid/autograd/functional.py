"""Derivatives of whole functions: ``jacobian``, ``hessian``, ``vjp``, ``jvp``, ``hvp``, ``vhp``.

PyTorch counterpart: ``torch.autograd.functional`` (``torch/autograd/functional.py``).

Each takes a Python function ``func`` and the point ``inputs`` (a tensor or a
tuple of tensors), runs ``func`` on fresh copies of the inputs that require
grad, and answers with derivatives built from :func:`microgrid.autograd.grad`:

* ``vjp(func, inputs, v)``: ``v^T J``, one backward pass from ``v``;
* ``jacobian(func, inputs)``: every ``d out[i] / d in[j]``, one backward pass
  per output element (each gives one row); for an output of shape ``S`` and
  an input of shape ``T`` the block has shape ``S + T``;
* ``hessian(func, inputs)``: the Jacobian of the gradient of a scalar
  function: the gradient is computed with ``create_graph=True``, so each of
  its elements can be differentiated again;
* ``jvp(func, inputs, v)``: ``J v`` without forward-mode AD, by the "double
  backward trick": ``u -> J^T u`` is linear in ``u``, so its own vjp with
  ``v`` is ``J v``;
* ``hvp`` / ``vhp``: ``H v`` and ``v^T H`` by differentiating the gradient.

Results keep the structure of the arguments, as PyTorch's do: a tuple of
inputs gives a tuple of results, a tuple of outputs a tuple of those.
``create_graph=True`` returns results that are themselves differentiable;
``strict=True`` turns "this output does not depend on that input" into an
error instead of zeros.

Read next: ``gradcheck.py``.
"""

from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Tuple, Union

from .. import _creation
from .._tensor import Tensor
from ..ops.shape import stack, view
from .api import grad as autograd_grad
from .grad_mode import enable_grad, is_grad_enabled, set_grad_enabled

__all__ = ["vjp", "jvp", "jacobian", "hessian", "hvp", "vhp"]

Tensors = Union[Tensor, Tuple[Tensor, ...]]
Function = Callable[..., Any]


# -- argument handling ----------------------------------------------------------
def _as_tuple(value: Any, arg_name: str, fn_name: str) -> Tuple[bool, Tuple[Tensor, ...]]:
    """(was it a tuple?, the value as a tuple of tensors), checked like PyTorch."""
    is_tuple = isinstance(value, tuple)
    values = value if is_tuple else (value,)
    for i, element in enumerate(values):
        if not isinstance(element, Tensor):
            where = (f"the value at index {i} has type {type(element)}" if is_tuple
                     else f"the given {arg_name} has type {type(element)}")
            raise TypeError(f"The {arg_name} given to {fn_name} must be either a Tensor or a "
                            f"tuple of Tensors but {where}.")
    return is_tuple, values


def _unpack(result: Any, was_tuple: Union[bool, Tuple[bool, bool]]) -> Any:
    """Undo the tuple wrapping for arguments that were single tensors
    (``was_tuple`` is a pair for results indexed by output, then input)."""
    if isinstance(was_tuple, tuple):
        outputs_tuple, inputs_tuple = was_tuple
        if not inputs_tuple:
            result = tuple(row[0] for row in result)
        return result if outputs_tuple else result[0]
    return result if was_tuple else result[0]


def _fresh_inputs(inputs: Sequence[Tensor], create_graph: bool,
                  need_graph: bool) -> Tuple[Tensor, ...]:
    """The tensors ``func`` runs on.  With ``create_graph`` an input that
    requires grad stays connected to its history (through a view);
    otherwise each is a detached copy requiring grad if ``need_graph``."""
    return tuple(view(t, t.shape) if create_graph and t.requires_grad
                 else t.detach().requires_grad_(need_graph) for t in inputs)


def _detached(results: Any, create_graph: bool) -> Any:
    """The results cut from the graph, unless ``create_graph`` (nested tuples too)."""
    if create_graph:
        return results
    if isinstance(results[0], Tensor):
        return tuple(t.detach() for t in results)
    return tuple(_detached(inner, create_graph) for inner in results)


def _check_v(v: Tuple[Tensor, ...], other: Tuple[Tensor, ...], other_is_tuple: bool) -> None:
    if len(other) != len(v):
        if other_is_tuple:
            raise RuntimeError(f"v is a tuple of invalid length: should be {len(other)} but got "
                               f"{len(v)}.")
        raise RuntimeError("The given v should contain a single Tensor.")
    for i, (element, reference) in enumerate(zip(v, other, strict=True)):
        if element.size() != reference.size():
            where = f"Entry {i} in " if other_is_tuple else ""
            raise RuntimeError(f"{where}v has invalid size: should be {reference.size()} but got "
                               f"{element.size()}.")


def _vector(v: Any, reference: Tuple[Tensor, ...], reference_is_tuple: bool, fn_name: str,
            create_graph: bool, none_message: str) -> Optional[Tuple[Tensor, ...]]:
    """The vector ``v`` of a product, checked against ``reference`` (None is
    allowed only when ``reference`` is a single one-element tensor)."""
    if v is None:
        if len(reference) != 1 or reference[0].nelement() != 1:
            raise RuntimeError(none_message)
        return None
    _, vectors = _as_tuple(v, "v", fn_name)
    vectors = _fresh_inputs(vectors, create_graph, need_graph=False)
    _check_v(vectors, reference, reference_is_tuple)
    return vectors


_INDEPENDENT = {
    "hessian": ("The hessian of the user-provided function with respect to input {i} is "
                "independent of the input. This is not allowed in strict mode. You should ensure "
                "that your function is thrice differentiable and that the hessian depends on the "
                "inputs."),
    "jacobian": ("While computing the hessian, found that the jacobian of the user-provided "
                 "function with respect to input {i} is independent of the input. This is not "
                 "allowed in strict mode. You should ensure that your function is twice "
                 "differentiable and that the jacobian depends on the inputs (this would be "
                 "violated by a linear function for example)."),
    "grad_inputs": ("The gradient with respect to input {i} is independent of the inputs of the "
                    "user-provided function. This is not allowed in strict mode."),
    "outputs": ("Output {i} of the user-provided function does not require gradients. The "
                "outputs must be computed in a differentiable manner from the input when running "
                "in strict mode."),
}


def _check_requires_grad(tensors: Sequence[Optional[Tensor]], kind: str, strict: bool) -> None:
    """In strict mode, every one of ``tensors`` must exist and require grad."""
    if not strict:
        return
    for i, t in enumerate(tensors):
        if t is None:
            raise RuntimeError(f"The output of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode.")
        if not t.requires_grad:
            raise RuntimeError(_INDEPENDENT[kind].format(i=i))


def _grad(outputs: Tuple[Tensor, ...], inputs: Tuple[Tensor, ...],
          grad_outputs: Optional[Tuple[Optional[Tensor], ...]] = None,
          create_graph: bool = False,
          retain_graph: Optional[bool] = None) -> Tuple[Optional[Tensor], ...]:
    """``autograd.grad`` over the outputs that require grad (all None if none
    does), unused inputs giving None."""
    if grad_outputs is None:
        grad_outputs = (None,) * len(outputs)
    pairs = [(out, g) for out, g in zip(outputs, grad_outputs, strict=True)
             if out is not None and out.requires_grad]
    if not pairs:
        return (None,) * len(inputs)
    return autograd_grad([out for out, _ in pairs], inputs, [g for _, g in pairs],
                         allow_unused=True, create_graph=create_graph,
                         retain_graph=retain_graph)


_MISSING = {
    "back": ("The output of the user-provided function is independent of input {i}. This is "
             "not allowed in strict mode."),
    "back_trick": ("The gradient with respect to the input is independent of entry {i} in the "
                   "grad_outputs when using the double backward trick to compute forward mode "
                   "gradients. This is not allowed in strict mode."),
    "double_back": ("The jacobian of the user-provided function is independent of input {i}. "
                    "This is not allowed in strict mode."),
    "double_back_trick": ("The hessian of the user-provided function is independent of entry "
                          "{i} in the grad_jacobian. This is not allowed in strict mode as it "
                          "prevents from using the double backward trick to replace forward "
                          "mode AD."),
}


def _zeros_for_missing(grads: Sequence[Optional[Tensor]], references: Sequence[Tensor],
                       strict: bool, create_graph: bool, stage: str) -> Tuple[Tensor, ...]:
    """Zeros where no gradient arrived (an error in strict mode)."""
    filled = []
    for i, g in enumerate(grads):
        if g is None:
            if strict:
                raise RuntimeError(_MISSING[stage].format(i=i))
            g = _creation.zeros_like(references[i])
        elif strict and create_graph and not g.requires_grad:
            what = "hessian" if "double" in stage else "jacobian"
            raise RuntimeError(f"The {what} of the user-provided function is independent of "
                               f"input {i}. This is not allowed in strict mode when "
                               "create_graph=True.")
        filled.append(g)
    return tuple(filled)


def _run(func: Function, inputs: Any, fn_name: str, create_graph: bool,
         strict: bool) -> Tuple[bool, Tuple[Tensor, ...], bool, Tuple[Tensor, ...]]:
    """Call ``func`` on fresh inputs that require grad (grad mode on).
    Returns (inputs were a tuple, those inputs, outputs were a tuple, outputs)."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _fresh_inputs(inputs, create_graph, need_graph=True)
    outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    return inputs_tuple, inputs, outputs_tuple, outputs


def _single_scalar(outputs_tuple: bool, outputs: Tuple[Tensor, ...], fn_name: str) -> None:
    """``hessian``, ``hvp`` and ``vhp`` need a function with one scalar output."""
    if outputs_tuple or not isinstance(outputs[0], Tensor):
        raise RuntimeError(f"The function given to {fn_name} should return a single Tensor")
    if outputs[0].nelement() != 1:
        raise RuntimeError(f"The Tensor returned by the function given to {fn_name} should "
                           "contain a single element")


def _last_pass(outputs: Sequence[Any], inputs: Tuple[Tensor, ...], vectors: Any,
               references: Sequence[Tensor], strict: bool, create_graph: bool,
               stage: str) -> Tuple[Tensor, ...]:
    """The backward pass that gives a product's result: recorded only with
    ``create_graph`` (or when grad mode is on anyway); zeros where no
    gradient arrived."""
    with set_grad_enabled(create_graph or is_grad_enabled()):
        grads = _grad(tuple(outputs), inputs, vectors, create_graph=create_graph)
        return _zeros_for_missing(grads, references, strict, create_graph, stage)


def _answer(outputs: Tuple[Tensor, ...], outputs_tuple: bool, result: Tuple[Tensor, ...],
            result_tuple: bool, create_graph: bool) -> Tuple[Any, Any]:
    """``(outputs, result)``, detached unless ``create_graph``, unwrapped
    where the arguments were single tensors."""
    return (_unpack(_detached(outputs, create_graph), outputs_tuple),
            _unpack(_detached(result, create_graph), result_tuple))


# -- the functions --------------------------------------------------------------
def vjp(func: Function, inputs: Tensors, v: Optional[Tensors] = None,
        create_graph: bool = False, strict: bool = False) -> Tuple[Any, Any]:
    """``(func(inputs), v^T J)``: the vector-Jacobian product, shaped like the inputs."""
    with enable_grad():
        inputs_tuple, inputs, outputs_tuple, outputs = _run(func, inputs, "vjp", create_graph,
                                                            strict)
        vectors = _vector(v, outputs, outputs_tuple, "vjp", create_graph,
                          "The vector v can only be None if the user-provided function returns "
                          "a single Tensor with a single element.")
    result = _last_pass(outputs, inputs, vectors, inputs, strict, create_graph, "back")
    return _answer(outputs, outputs_tuple, result, inputs_tuple, create_graph)


def jvp(func: Function, inputs: Tensors, v: Optional[Tensors] = None,
        create_graph: bool = False, strict: bool = False) -> Tuple[Any, Any]:
    """``(func(inputs), J v)``: the Jacobian-vector product, shaped like the
    outputs, by the double backward trick (module docstring)."""
    with enable_grad():
        inputs_tuple, inputs = _as_tuple(inputs, "inputs", "jvp")
        inputs = _fresh_inputs(inputs, create_graph, need_graph=True)
        vectors = _vector(v, inputs, inputs_tuple, "jvp", create_graph,
                          "The vector v can only be None if the input to the user-provided "
                          "function is a single Tensor with a single element.")
        outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                           "jvp")
        _check_requires_grad(outputs, "outputs", strict)
        # u, the vector the trick differentiates with respect to: its value is irrelevant.
        u = tuple(_creation.zeros_like(out, requires_grad=True) for out in outputs)
        transposed = _grad(outputs, inputs, u, create_graph=True)  # J^T u
        _check_requires_grad(transposed, "grad_inputs", strict)
    result = _last_pass(transposed, u, vectors, outputs, strict, create_graph, "back_trick")
    return _answer(outputs, outputs_tuple, result, outputs_tuple, create_graph)


def jacobian(func: Function, inputs: Tensors, create_graph: bool = False, strict: bool = False,
             vectorize: bool = False, strategy: str = "reverse-mode") -> Any:
    """The Jacobian of ``func`` at ``inputs``: for output ``i`` and input
    ``j`` a tensor of shape ``outputs[i].shape + inputs[j].shape``, nested
    in tuples the way the outputs and inputs were.

    ``vectorize=True`` gives the same result (PyTorch batches the backward
    passes with vmap; microgrid runs them one by one).  microgrid has no
    forward-mode AD, so ``strategy`` must be ``"reverse-mode"``.
    """
    if strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode". '
                             'Hint: If your function has more outputs than inputs, '
                             '"forward-mode" tends to be more performant. Otherwise, prefer to '
                             'use "reverse-mode".')
    if strategy == "forward-mode":
        raise NotImplementedError("microgrid has no forward-mode AD: use "
                                  'strategy="reverse-mode"')
    if vectorize and strict:
        raise RuntimeError("torch.autograd.functional.jacobian: `strict=True` and "
                           "`vectorized=True` are not supported together. Please either set "
                           "`strict=False` or `vectorize=False`.")
    with enable_grad():
        inputs_tuple, inputs, outputs_tuple, outputs = _run(func, inputs, "jacobian",
                                                            create_graph, strict)
        blocks = tuple(_jacobian_rows(i, out, inputs, create_graph, strict)
                       for i, out in enumerate(outputs))
        return _unpack(_detached(blocks, create_graph), (outputs_tuple, inputs_tuple))


def _jacobian_rows(i: int, out: Tensor, inputs: Tuple[Tensor, ...], create_graph: bool,
                   strict: bool) -> Tuple[Tensor, ...]:
    """The blocks ``d out / d inputs[j]`` for every ``j``, one backward pass
    per element of ``out``."""
    rows: List[List[Tensor]] = [[] for _ in inputs]
    flat = out.reshape(-1)
    for k in range(out.nelement()):
        grads = _grad((flat[k],), inputs, retain_graph=True, create_graph=create_graph)
        for j, (g, t) in enumerate(zip(grads, inputs, strict=True)):
            if g is None:
                if strict:
                    raise RuntimeError(f"Output {i} of the user-provided function is independent "
                                       f"of input {j}. This is not allowed in strict mode.")
                g = _creation.zeros_like(t)
            elif strict and create_graph and not g.requires_grad:
                # (PyTorch names the output's index here.)
                raise RuntimeError(f"The jacobian of the user-provided function is independent "
                                   f"of input {i}. This is not allowed in strict mode when "
                                   "create_graph=True.")
            rows[j].append(g)
    return tuple(view(stack(row, 0), tuple(out.shape) + tuple(t.shape))
                 for row, t in zip(rows, inputs, strict=True))


def hessian(func: Function, inputs: Tensors, create_graph: bool = False, strict: bool = False,
            vectorize: bool = False, outer_jacobian_strategy: str = "reverse-mode") -> Any:
    """The Hessian of a scalar function: for inputs ``i`` and ``j`` a tensor
    of shape ``inputs[i].shape + inputs[j].shape`` (a tuple of tuples for a
    tuple of inputs): the Jacobian of the gradient."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", "hessian")
    if outer_jacobian_strategy not in ("forward-mode", "reverse-mode"):
        raise AssertionError('Expected strategy to be either "forward-mode" or "reverse-mode".')

    def scalar_func(*args: Tensor) -> Tensor:
        out = func(*args)
        outputs_tuple, outputs = _as_tuple(out, "outputs of the user-provided function",
                                           "hessian")
        _check_requires_grad(outputs, "outputs", strict)
        _single_scalar(outputs_tuple, outputs, "hessian")
        return out.squeeze()

    def gradient(*args: Tensor) -> Any:
        jac = jacobian(scalar_func, args, create_graph=True)
        _check_requires_grad(jac, "jacobian", strict)
        return jac

    result = jacobian(gradient, inputs, create_graph=create_graph, strict=strict,
                      vectorize=vectorize, strategy=outer_jacobian_strategy)
    return _unpack(result, (inputs_tuple, inputs_tuple))


def _second_order(func: Function, inputs: Tensors, v: Optional[Tensors], create_graph: bool,
                  strict: bool, fn_name: str) -> Tuple[bool, Tuple[Tensor, ...], bool,
                                                       Tuple[Tensor, ...], Any, Tuple[Any, ...]]:
    """What ``hvp`` and ``vhp`` share: run ``func``, check ``v``, and take
    the gradient with ``create_graph=True``."""
    inputs_tuple, inputs = _as_tuple(inputs, "inputs", fn_name)
    inputs = _fresh_inputs(inputs, create_graph, need_graph=True)
    vectors = _vector(v, inputs, inputs_tuple, fn_name, create_graph,
                      "The vector v can only be None if the input to the user-provided "
                      "function is a single Tensor with a single element.")
    outputs_tuple, outputs = _as_tuple(func(*inputs), "outputs of the user-provided function",
                                       fn_name)
    _check_requires_grad(outputs, "outputs", strict)
    _single_scalar(outputs_tuple, outputs, fn_name)
    gradient = _grad(outputs, inputs, create_graph=True)
    _check_requires_grad(gradient, "jacobian", strict)
    return inputs_tuple, inputs, outputs_tuple, outputs, vectors, gradient


def vhp(func: Function, inputs: Tensors, v: Optional[Tensors] = None,
        create_graph: bool = False, strict: bool = False) -> Tuple[Any, Any]:
    """``(func(inputs), v^T H)`` for a scalar function, shaped like the inputs."""
    with enable_grad():
        inputs_tuple, inputs, outputs_tuple, outputs, vectors, gradient = _second_order(
            func, inputs, v, create_graph, strict, "vhp")
    result = _last_pass(gradient, inputs, vectors, inputs, strict, create_graph, "double_back")
    return _answer(outputs, outputs_tuple, result, inputs_tuple, create_graph)


def hvp(func: Function, inputs: Tensors, v: Optional[Tensors] = None,
        create_graph: bool = False, strict: bool = False) -> Tuple[Any, Any]:
    """``(func(inputs), H v)`` for a scalar function, shaped like the
    inputs, by the double backward trick (module docstring)."""
    with enable_grad():
        inputs_tuple, inputs, outputs_tuple, outputs, vectors, gradient = _second_order(
            func, inputs, v, create_graph, strict, "hvp")
        u = tuple(_creation.zeros_like(t, requires_grad=True) for t in inputs)
        transposed = _grad(gradient, inputs, u, create_graph=True)  # H^T u
        _check_requires_grad(gradient, "hessian", strict)
    result = _last_pass(transposed, u, vectors, inputs, strict, create_graph,
                        "double_back_trick")
    return _answer(outputs, outputs_tuple, result, inputs_tuple, create_graph)
