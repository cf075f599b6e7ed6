"""Differential testing: run one function under PyTorch and under microgrid, compare all.

Shared by the op tests (import it as ``from difftest import ...``; pytest puts
``tests/`` on ``sys.path``).  The API:

* ``check(fn, *inputs, ...)``: ``fn(lib, *tensors)`` is run with ``lib=torch``
  and ``lib=microgrid``.  NumPy arrays among ``inputs`` become tensors (float
  ones are leaves with ``requires_grad=True`` unless wrapped in
  :class:`const`); anything else (numbers, dims) is passed through.  Compared:
  the exception raised (class and message) or, for every output, its dtype,
  shape, values (tolerances by dtype), ``requires_grad``, the whole graph node
  for node (names and edges), the ``repr`` text when the values agree exactly,
  warnings raised; then, after a backward pass with the same random upstream
  gradients, every input's ``.grad``.  Returns both :class:`Outcome` objects.
* ``assert_same_error(fn)``: ``fn(lib)`` must raise the same exception class
  with the same message under both libraries.
* ``both(fn)``: ``fn(lib)`` under each library (optionally seeded, each result
  passed through ``convert``); ``assert_same(fn)``: the two are equal.
  ``outcome(fn)``: what ``fn()`` did, as plain data (its error, or its value
  with a tensor's dtype and values).  The one helper for "the same under both
  engines" that the tests share.
* hypothesis strategies: ``float_dtypes``, ``shapes()``, ``broadcast_shapes()``,
  ``float_arrays()``, ``dims()``.
"""

from __future__ import annotations

import builtins
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy as np
import torch
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import microgrid
from microgrid.autograd.walk import signature

LIBS = (torch, microgrid)

#: (rtol, atol) for comparing values of each dtype with torch's.
TOLERANCES = {
    np.dtype(np.float16): (1e-3, 1e-3),
    np.dtype(np.float32): (1e-5, 1e-5),
    np.dtype(np.float64): (1e-7, 1e-9),
}


@dataclass(frozen=True)
class const:  # noqa: N801 - used like a function: const(array)
    """A floating-point input that must not require grad."""

    array: np.ndarray


@dataclass
class Outcome:
    """What one library did with ``fn``."""

    outputs: Tuple[Any, ...] = ()
    result: Any = None  # fn's return value as it was (a tensor, a tuple, a named tuple ...)
    error: Optional[Tuple[str, str]] = None
    backward_error: Optional[Tuple[str, str]] = None
    grads: List[Any] = field(default_factory=list)
    warnings: List[Tuple[str, str]] = field(default_factory=list)


def error_of(fn: Callable[[], Any]) -> Optional[Tuple[str, str]]:
    """(exception class name, message) raised by ``fn()``, or None."""
    try:
        fn()
    except Exception as exc:  # noqa: BLE001 - we compare whatever is raised
        return type(exc).__name__, str(exc)
    return None


def both(fn: Callable[[Any], Any], convert: Callable[[Any], Any] = lambda value: value,
         seed: Optional[int] = None) -> Tuple[Any, Any]:
    """``fn(lib)`` under PyTorch, then under microgrid (each after
    ``lib.manual_seed(seed)`` if a seed is given), passed through ``convert``."""
    results = []
    for lib in LIBS:
        if seed is not None:
            lib.manual_seed(seed)
        results.append(convert(fn(lib)))
    return results[0], results[1]


def assert_same(fn: Callable[[Any], Any], convert: Callable[[Any], Any] = lambda value: value,
                seed: Optional[int] = None) -> Any:
    """``fn(lib)`` gives the same result under both libraries (see :func:`both`); returns it."""
    theirs, ours = both(fn, convert, seed)
    assert ours == theirs
    return theirs


def outcome(fn: Callable[[], Any]) -> Any:
    """What ``fn()`` did, as data to compare across libraries: its error
    (class name, message), or its value, a tensor as ``("tensor", dtype, values)``."""
    error = error_of(fn)
    if error is not None:
        return error
    value = fn()
    if isinstance(value, (torch.Tensor, microgrid.Tensor)):
        return "tensor", str(value.dtype), value.tolist()
    return value


def assert_same_error(fn: Callable[[Any], Any]) -> Tuple[str, str]:
    """``fn(lib)`` raises the same exception class and message in both libraries."""
    expected = error_of(lambda: fn(torch))
    assert expected is not None, "torch raised nothing: the test is wrong"
    assert error_of(lambda: fn(microgrid)) == expected
    return expected


def _make_input(lib: Any, value: Any, grad: bool) -> Any:
    if isinstance(value, const):
        return lib.tensor(value.array.copy())
    if isinstance(value, np.ndarray):
        wants_grad = grad and value.dtype.kind == "f"
        return lib.tensor(value.copy(), requires_grad=wants_grad)
    return value


def _is_tensor(value: Any) -> bool:
    return isinstance(value, (torch.Tensor, microgrid.Tensor))


def _flatten(result: Any) -> Tuple[Any, ...]:
    return tuple(result) if isinstance(result, (tuple, list)) else (result,)


def _upstream(output: Any, seed: int) -> np.ndarray:
    """The gradient fed to ``output`` in the backward pass (same for both libraries)."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(str(output.dtype).removeprefix("torch."))
    return rng.uniform(-2, 2, size=tuple(output.shape)).astype(dtype)


def run(lib: Any, fn: Callable[..., Any], inputs: Sequence[Any], grad: bool = True) -> Outcome:
    """Run ``fn(lib, *tensors)`` and, if an output requires grad, a backward pass."""
    outcome = Outcome()
    tensors = [_make_input(lib, v, grad) for v in inputs]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            outcome.result = fn(lib, *tensors)
        except Exception as exc:  # noqa: BLE001 - compared with the other library
            outcome.error = (type(exc).__name__, str(exc))
            return outcome
        outcome.outputs = _flatten(outcome.result)
        roots = [o for o in outcome.outputs if _is_tensor(o) and o.requires_grad]
        if grad and roots:
            upstream = [lib.tensor(_upstream(o, i)) for i, o in enumerate(roots)]
            outcome.backward_error = error_of(lambda: lib.autograd.backward(roots, upstream))
        outcome.grads = [t.grad if _is_tensor(t) else None for t in tensors]
    outcome.warnings = [(w.category.__name__, str(w.message)) for w in caught]
    return outcome


def _array(value: Any) -> np.ndarray:
    if isinstance(value, torch.Tensor):  # force: torch's gradients may be ZeroTensors
        return value.detach().numpy(force=True)
    return value.detach()._data


def _same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal values, nan where nan, and the same sign on zeros."""
    return bool(np.array_equal(a, b, equal_nan=a.dtype.kind == "f")
                and np.array_equal(np.signbit(a), np.signbit(b)))


def _loosest(*dtypes: np.dtype) -> Tuple[float, float]:
    """The tolerances of the least precise floating dtype among ``dtypes``."""
    floats = [TOLERANCES[d] for d in dtypes if d.kind == "f"]
    return builtins.max(floats) if floats else (0.0, 0.0)


def assert_close(ours: Any, theirs: Any, what: str, rtol: Optional[float] = None,
                 atol: Optional[float] = None, computed_in: Sequence[np.dtype] = ()) -> None:
    """Same dtype, shape and (within tolerance) values.  The tolerance is that
    of the least precise dtype among the value's and ``computed_in`` (a
    float64 leaf of a float32 result gets a float32 gradient, converted)."""
    assert str(ours.dtype) == str(theirs.dtype), f"{what}: dtype {ours.dtype} != {theirs.dtype}"
    assert tuple(ours.shape) == tuple(theirs.shape), f"{what}: shape {ours.shape} != {theirs.shape}"
    a, b = _array(ours), _array(theirs)
    if a.dtype.kind != "f":
        np.testing.assert_array_equal(a, b, err_msg=what)
        return
    default_rtol, default_atol = _loosest(a.dtype, *computed_in)
    np.testing.assert_allclose(a, b, rtol=default_rtol if rtol is None else rtol,
                               atol=default_atol if atol is None else atol, err_msg=what)


def _compare_output(ours: Any, theirs: Any, what: str, rtol: Optional[float],
                    atol: Optional[float], check_repr: bool) -> None:
    if not _is_tensor(theirs):
        assert ours == theirs, what
        return
    assert isinstance(ours, microgrid.Tensor), f"{what}: {type(ours).__name__} is not a Tensor"
    assert_close(ours, theirs, what, rtol, atol)
    assert ours.requires_grad == theirs.requires_grad, f"{what}: requires_grad"
    assert signature(ours) == signature(theirs), f"{what}: graph"
    if check_repr and _same_bits(_array(ours), _array(theirs)):
        assert repr(ours) == repr(theirs), f"{what}: repr"


def _compare_grads(ours: Outcome, theirs: Outcome, rtol: Optional[float],
                   atol: Optional[float]) -> None:
    dtypes = [_array(t).dtype for t in (*theirs.outputs, *theirs.grads) if _is_tensor(t)]
    for i, (o, t) in enumerate(zip(ours.grads, theirs.grads, strict=True)):
        assert (o is None) == (t is None), f"grad of input {i}: {o!r} vs {t!r}"
        if t is not None:
            assert_close(o, t, f"grad of input {i}", rtol, atol, computed_in=dtypes)


def check(fn: Callable[..., Any], *inputs: Any, grad: bool = True, rtol: Optional[float] = None,
          atol: Optional[float] = None, check_repr: bool = True) -> Tuple[Outcome, Outcome]:
    """Run ``fn`` under both libraries and compare everything (module docstring).
    Returns ``(torch_outcome, microgrid_outcome)``."""
    theirs = run(torch, fn, inputs, grad)
    ours = run(microgrid, fn, inputs, grad)
    assert ours.error == theirs.error, "exception"
    if theirs.error is not None:
        return theirs, ours
    assert type(ours.result).__name__ == type(theirs.result).__name__, "result type"
    assert len(ours.outputs) == len(theirs.outputs), "number of outputs"
    for i, (o, t) in enumerate(zip(ours.outputs, theirs.outputs, strict=True)):
        _compare_output(o, t, f"output {i}", rtol, atol, check_repr)
    if check_repr and all(_same_bits(_array(o), _array(t))
                          for o, t in zip(ours.outputs, theirs.outputs, strict=True)
                          if _is_tensor(t)):
        assert repr(ours.result) == repr(theirs.result), "repr of the result"
    assert ours.backward_error == theirs.backward_error, "exception in backward"
    if theirs.backward_error is not None:
        # A pass that failed midway: PyTorch keeps what it had accumulated,
        # microgrid puts every .grad back (grad_journal.py): None, as before.
        assert all(o is None for o in ours.grads), "grads left by a failed backward"
    else:
        _compare_grads(ours, theirs, rtol, atol)
    assert ours.warnings == theirs.warnings, "warnings"
    return theirs, ours


# -- hypothesis strategies ------------------------------------------------------
float_dtypes = st.sampled_from([np.float32, np.float64])


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
           max_side: int = 4) -> st.SearchStrategy[Tuple[int, ...]]:
    """Tensor shapes, 0-d included."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcast_shapes(count: int = 2, max_dims: int = 3,
                     max_side: int = 4) -> st.SearchStrategy[Tuple[Tuple[int, ...], ...]]:
    """``count`` shapes that broadcast together (size-1 dims and missing dims)."""
    return hnp.mutually_broadcastable_shapes(num_shapes=count, min_dims=0, max_dims=max_dims,
                                             max_side=max_side).map(lambda s: s.input_shapes)


def float_arrays(dtype: Any, shape: Tuple[int, ...], low: float = -10.0,
                 high: float = 10.0) -> st.SearchStrategy[np.ndarray]:
    """Finite floats in ``[low, high]`` (rounded to ``dtype``) of ``dtype``."""
    kind = np.dtype(dtype)
    bounds = (builtins.float(kind.type(low)), builtins.float(kind.type(high)))
    return hnp.arrays(dtype, shape, elements=st.floats(*bounds, width=kind.itemsize * 8))


@st.composite
def dims(draw: Any, ndim: int, allow_none: bool = True, allow_tuple: bool = True) -> Any:
    """A ``dim`` argument valid for an ``ndim``-d tensor: None, an int or a
    tuple of distinct dims, each maybe negative."""
    kinds = ["int"] + (["none"] if allow_none else []) + (["tuple"] if allow_tuple else [])
    kind = draw(st.sampled_from(kinds))
    if kind == "none":
        return None
    span = max(ndim, 1)

    def signed(d: int) -> int:
        return d - span if draw(st.booleans()) else d

    if kind == "int":
        return signed(draw(st.integers(0, span - 1)))
    chosen = draw(st.lists(st.integers(0, span - 1), unique=True, max_size=span))
    return tuple(signed(d) for d in chosen)
