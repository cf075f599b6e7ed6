"""Differential fuzzing: random programs, run under PyTorch and microgrid, compared.

PyTorch counterpart: none.  ``python -m compare fuzz --examples N [--seed S]
[--json]``: the seed used is printed first (a run without ``--seed`` draws
one), progress goes to stderr.

The catalog (``catalog.py``) holds programs people wrote; this module writes
its own.  A *program* is data: a list of :class:`Step`, each one line of a
PyTorch script (``v3 = torch.maximum(v1, v2)``), made from an op template of
:data:`OPS` and the names of the values it uses.  A hypothesis strategy
(:func:`programs`) draws them: leaves of random shapes (0-d, empty,
broadcastable), float32 and float64 (and int64 constants), then a chain of
ops from the whole op library (pointwise, reductions along dims, softmax,
matmul, views, indexing, ``nn.functional`` losses) whose operands are any
earlier values, so that values are used more than once; some steps run under
``no_grad``, some values are ``detach``-ed, and the program ends with a
backward pass (``backward``, ``autograd.grad``, a second accumulating pass).
To keep the ops valid, the generator runs each step under PyTorch as it
draws it and looks at the shapes it gets.

Each program then runs twice in this process, with ``torch`` standing for
PyTorch and for microgrid (:func:`execute`), and :func:`differences`
compares every value the program made: dtype, shape, values (within a
tolerance: float32 ops such as ``exp`` or matmul may round differently in
the last bit), ``requires_grad``, the graph (``microgrid.autograd.walk.
signature``: node names and edges), the ``repr`` text, every ``.grad``, the
warnings shown, and the class and message of an error.  When a program
differs, hypothesis shrinks it to a minimal one, which is printed as a
runnable PyTorch script.  A program that agrees is counted *exact* when
every value and gradient has PyTorch's bits as well (:func:`verdict`), else
*within rounding*: the tolerance never hides that exactness slipped, since
both counts are reported (and ``tests/test_fuzz.py`` pins the exact share).

What is not drawn, and why (each is a PyTorch bug or a detail of its
kernels that microgrid does not copy; the comments where they are excluded
say more): the sign of a zero made by a matrix product, by a whole-tensor
max/min among 0. and -0., or by max-like ops on a tie between 0. and -0.
(:func:`_zero_sign_unspecified`); ``dim=()`` in logsumexp, var and std; a
second backward pass where PyTorch's first one leaves ``.grad`` aliased or a
ZeroTensor (:func:`_second_pass_unreliable`); ``.T`` of a tensor that is not
2-d (its warning is shown once per process).

Read next: ``check.py``, the comparisons ``python -m compare`` makes for
catalog programs.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
import warnings
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from hypothesis import HealthCheck, Phase, find, settings
from hypothesis import strategies as st
from hypothesis.errors import HypothesisDeprecationWarning, NoSuchExample

import microgrid
from microgrid.autograd.walk import signature

#: ``(rtol, atol)`` per dtype.  Generous for float32: a chain of ops carries
#: a last-bit difference of ``exp`` or of a sum's order into later values.
TOLERANCES = {"float32": (1e-4, 1e-5), "float64": (1e-9, 1e-12), "float16": (1e-2, 1e-3)}

#: Steps are dropped (not kept in the program) if they make a tensor bigger than this.
MAX_ELEMENTS = 256

HEADER = "import torch\nimport torch.nn.functional as F\n\n"


# -- programs as data ---------------------------------------------------------
@dataclass(frozen=True)
class Step:
    """One line of a program: ``target = template`` with the template's
    ``{0}``, ``{1}`` ... filled with ``inputs`` (names of earlier values) and
    its named fields with ``params`` (Python literals, already written out)."""

    target: str  # the variable assigned; "" for a statement (``loss.backward()``)
    template: str
    inputs: Tuple[str, ...] = ()
    params: Tuple[Tuple[str, str], ...] = ()
    no_grad: bool = False

    def source(self) -> str:
        line = self.template.format(*self.inputs, **dict(self.params))
        if self.target:
            line = f"{self.target} = {line}"
        return f"with torch.no_grad():\n    {line}" if self.no_grad else line


@dataclass(frozen=True)
class Program:
    """A list of steps; :meth:`source` is the PyTorch script they make."""

    steps: Tuple[Step, ...]

    def source(self) -> str:
        return HEADER + "".join(step.source() + "\n" for step in self.steps)


# -- running a program --------------------------------------------------------
@dataclass
class Run:
    """What one engine did with a program."""

    namespace: Dict[str, Any]
    error: Optional[Tuple[int, str, str]] = None  # (step index, class, message)
    warnings: List[Tuple[str, str]] = field(default_factory=list)


def execute(program: Program, engine: Any) -> Run:
    """Run ``program`` with ``torch`` bound to ``engine`` (torch or microgrid),
    one step at a time, stopping at the first error."""
    run = Run({"torch": engine, "F": engine.nn.functional})
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        for index, step in enumerate(program.steps):
            try:
                exec(compile(step.source(), "<fuzz>", "exec"), run.namespace)  # noqa: S102
            except Exception as error:  # noqa: BLE001 - compared with the other engine
                run.error = (index, type(error).__name__, str(error))
                break
    run.warnings = [(w.category.__name__, str(w.message)) for w in caught]
    return run


def _array(tensor: Any) -> np.ndarray:
    if isinstance(tensor, torch.Tensor):
        return tensor.detach().numpy(force=True)
    return tensor.detach().numpy()


def _dtype_name(tensor: Any) -> str:
    return str(tensor.dtype).removeprefix("torch.")


@dataclass(frozen=True)
class Rules:
    """How close microgrid's values must be to PyTorch's, for one program."""

    tolerance: Tuple[float, float]  # (rtol, atol)
    signless: bool  # compare reprs whatever the signs of zeros (see differences())
    exact: bool = False  # the same bits (any nan matching any nan), no tolerance

    def close(self, ours: np.ndarray, theirs: np.ndarray) -> bool:
        """Same values: nan where nan, the same infinities, the rest within tolerance
        (``exact``: the same bits; the sign of a zero too, unless ``signless``)."""
        if theirs.dtype.kind not in "fc":
            return bool(np.array_equal(ours, theirs))
        if self.exact:
            same = np.array_equal(ours, theirs, equal_nan=True)
            return same and (self.signless or bool(np.array_equal(np.signbit(ours),
                                                                  np.signbit(theirs))))
        rtol, atol = self.tolerance
        with np.errstate(all="ignore"):
            return bool(np.allclose(ours, theirs, rtol=rtol, atol=atol, equal_nan=True))

    def repr(self, tensor: Any) -> str:
        """The tensor's repr; ``signless``: of its values with -0. made 0.
        (requires_grad and grad_fn, which repr shows too, are compared on their own)."""
        if self.signless and tensor.dtype.is_floating_point:
            return repr(tensor.detach() + 0.0)  # -0. + 0. is 0.
        return repr(tensor)


def _rules(program: Program, namespace: Dict[str, Any]) -> Rules:
    """The tolerance of the least precise float dtype in the program (a
    float64 value computed from float32 ones carries their rounding); and
    signless zeros if the program has a matrix product, whose backward pass
    signs zeros as PyTorch's kernels do (see :func:`_zero_sign_unspecified`)."""
    names = {_dtype_name(v) for v in namespace.values() if isinstance(v, torch.Tensor)}
    tolerance = max((TOLERANCES[n] for n in names if n in TOLERANCES), default=(0.0, 0.0))
    return Rules(tolerance, any(step.template in PRODUCTS for step in program.steps))


def _tensor_differences(name: str, ours: Any, theirs: Any, rules: Rules) -> List[str]:
    """How microgrid's tensor ``ours`` differs from PyTorch's ``theirs``."""
    if not isinstance(ours, microgrid.Tensor):
        return [f"{name}: a {type(ours).__name__}, PyTorch has a Tensor"]
    found = []
    if (_dtype_name(ours), tuple(ours.shape)) != (_dtype_name(theirs), tuple(theirs.shape)):
        return [f"{name}: {ours.dtype} {tuple(ours.shape)}, PyTorch has "
                f"{theirs.dtype} {tuple(theirs.shape)}"]
    a, b = _array(ours), _array(theirs)
    if not rules.close(a, b):
        found.append(f"{name}: values\n  microgrid {a.tolist()}\n  PyTorch   {b.tolist()}")
    if ours.requires_grad != theirs.requires_grad:
        found.append(f"{name}: requires_grad {ours.requires_grad}, PyTorch "
                     f"{theirs.requires_grad}")
    if signature(ours) != signature(theirs):
        found.append(f"{name}: graph\n  microgrid {signature(ours)}\n"
                     f"  PyTorch   {signature(theirs)}")
    elif (np.array_equal(a, b, equal_nan=b.dtype.kind in "fc")
          and rules.repr(ours) != rules.repr(theirs)):
        found.append(f"{name}: repr\n  microgrid {ours!r}\n  PyTorch   {theirs!r}")
    return found


def _gradient_differences(name: str, ours: Any, theirs: Any, rules: Rules) -> List[str]:
    """Compare ``.grad``, read only where PyTorch keeps one (no warning)."""
    if theirs.grad_fn is not None and not theirs.retains_grad:
        return []
    if (ours.grad is None) != (theirs.grad is None):
        return [f"{name}.grad: {ours.grad!r}, PyTorch {theirs.grad!r}"]
    if theirs.grad is None:
        return []
    return _tensor_differences(f"{name}.grad", ours.grad, theirs.grad, rules)


def _value_differences(name: str, ours: Any, theirs: Any, rules: Rules) -> List[str]:
    """Compare one variable of the program (a tensor, a tuple of them, or other)."""
    if isinstance(theirs, torch.Tensor):
        return (_tensor_differences(name, ours, theirs, rules)
                or _gradient_differences(name, ours, theirs, rules))
    if isinstance(theirs, (tuple, list)):
        if not isinstance(ours, (tuple, list)) or len(ours) != len(theirs):
            return [f"{name}: {ours!r}, PyTorch {theirs!r}"]
        return [line for i, (o, t) in enumerate(zip(ours, theirs, strict=True))
                for line in _value_differences(f"{name}[{i}]", o, t, rules)]
    if theirs is None or isinstance(theirs, (bool, int, float)):
        same = ours == theirs or (isinstance(theirs, float) and math.isnan(theirs)
                                  and isinstance(ours, float) and math.isnan(ours))
        return [] if same else [f"{name}: {ours!r}, PyTorch {theirs!r}"]
    return []


def differences(program: Program) -> List[str]:
    """Everything microgrid does differently from PyTorch with ``program``
    (an empty list: they agree)."""
    return verdict(program)[1]


def verdict(program: Program) -> Tuple[str, List[str]]:
    """``("exact", [])`` if every value has PyTorch's bits, ``("rounding", [])`` if
    they agree within the tolerance only, else ``("differs", differences)``."""
    theirs = execute(program, torch)
    ours = execute(program, microgrid)
    rules = _rules(program, theirs.namespace)
    found = _compare_runs(ours, theirs, rules)
    if found:
        return "differs", found
    exact = not _compare_runs(ours, theirs, Rules((0.0, 0.0), rules.signless, exact=True))
    return ("exact" if exact else "rounding"), []


def _compare_runs(ours: Run, theirs: Run, rules: Rules) -> List[str]:
    found = []
    if ours.error != theirs.error:
        found.append(f"error: microgrid {ours.error}, PyTorch {theirs.error}")
    for name, value in theirs.namespace.items():
        if name in ("torch", "F", "__builtins__"):
            continue
        found += _value_differences(name, ours.namespace.get(name), value, rules)
    if ours.warnings != theirs.warnings:
        found.append(f"warnings: microgrid {ours.warnings}, PyTorch {theirs.warnings}")
    return found


# -- drawing programs ---------------------------------------------------------
Draw = Callable[[st.SearchStrategy], Any]
Env = Dict[str, Any]  # the values made so far, as PyTorch computed them


def _names(env: Env, want: Callable[[Any], bool] = lambda t: True) -> List[str]:
    return [n for n, v in env.items() if isinstance(v, torch.Tensor) and want(v)]


def _is_float(t: Any) -> bool:
    return t.dtype.is_floating_point


def _number(draw: Draw) -> str:
    """A Python number operand (ints too: they take part in type promotion)."""
    return repr(draw(st.sampled_from([2, 0.5, -1, 3.0, -2.5, 0, 1, 1.5])))


def _dim(draw: Draw, t: Any, spare: int = 0) -> int:
    """A valid dim of ``t`` (``spare`` more for unsqueeze/stack), maybe negative."""
    span = max(t.dim(), 1) + spare
    return draw(st.integers(-span, span - 1))


def _dims(draw: Draw, t: Any, min_size: int = 0) -> str:
    """A ``dim=`` argument for a reduction: an int or a tuple of distinct dims
    (at least ``min_size`` of them)."""
    if draw(st.booleans()):
        return repr(_dim(draw, t))
    span = max(t.dim(), 1)
    return repr(tuple(draw(st.lists(st.integers(0, span - 1), unique=True, min_size=min_size,
                                    max_size=span))))


def _literal(array: np.ndarray) -> str:
    return repr(array.tolist())


def _values(draw: Draw, dtype: str, shape: Tuple[int, ...]) -> np.ndarray:
    """Leaf values: mostly eighths in [-4, 4] (exact in float32, with ties for
    max and sort-like ops), sometimes any float32/float64 in that range."""
    size = math.prod(shape)
    if dtype == "int64":
        return np.array(draw(st.lists(st.integers(-3, 3), min_size=size, max_size=size)),
                        dtype=np.int64).reshape(shape)
    width = 32 if dtype == "float32" else 64
    element = st.one_of(st.integers(-32, 32).map(lambda k: k / 8),
                        st.floats(-4, 4, width=width))
    values = draw(st.lists(element, min_size=size, max_size=size))
    return np.array(values, dtype=dtype).reshape(shape)


def leaf(draw: Draw, name: str, shape: Tuple[int, ...], dtype: str,
         requires_grad: bool) -> Step:
    """A step making a new leaf; a tensor with no elements is made by
    ``zeros`` (a nested list cannot give the shape ``(0, 3)``)."""
    grad = f", requires_grad={requires_grad}" if requires_grad else ""
    if 0 in shape:
        return Step(name, "torch.zeros({shape}, dtype=torch.{dtype}" + grad + ")",
                    params=(("shape", repr(shape)), ("dtype", dtype)))
    data = _literal(_values(draw, dtype, shape))
    return Step(name, "torch.tensor({data}, dtype=torch.{dtype}" + grad + ")",
                params=(("data", data), ("dtype", dtype)))


def _new_leaf(draw: Draw, name: str, shape: Tuple[int, ...], dtype: str) -> Step:
    """A float leaf of ``shape``, requiring grad most of the time."""
    return leaf(draw, name, shape, dtype, draw(st.integers(0, 3)) > 0)


_shapes = st.lists(st.integers(1, 4), max_size=3).map(tuple)


def _broadcast_partner(draw: Draw, shape: Tuple[int, ...]) -> Tuple[int, ...]:
    """A shape that broadcasts with ``shape``: some leading dims dropped,
    some dims set to 1, maybe new leading dims."""
    kept = list(shape[draw(st.integers(0, len(shape))):])
    kept = [1 if draw(st.integers(0, 3)) == 0 else s for s in kept]
    extra = draw(st.lists(st.integers(1, 3), max_size=max(0, 2 - len(shape))))
    return tuple(extra + kept)


# An op drawer gets ``(draw, env, fresh, name)``: ``name`` is the value it
# applies to (one that its ``@op(want)`` accepts), ``fresh()`` gives the next
# unused variable name.  It returns the steps it adds (a new operand leaf
# first, if it needs one), or None if it does not apply after all.
Fresh = Callable[[], str]
Drawer = Callable[[Draw, Env, Fresh], Optional[List[Step]]]
OPS: Dict[str, Drawer] = {}


def _any(t: Any) -> bool:
    return True


def op(want: Callable[[Any], bool] = _any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register an op drawer applying to a value ``want`` accepts (drawn first)."""

    def register(function: Callable[..., Optional[List[Step]]]) -> Callable[..., Any]:
        def drawer(draw: Draw, env: Env, fresh: Fresh) -> Optional[List[Step]]:
            names = _names(env, want)
            if not names:
                return None
            return function(draw, env, fresh, draw(st.sampled_from(names)))

        OPS[function.__name__] = drawer
        return function

    return register


def _one(template: str, name: str, out: str, **params: str) -> List[Step]:
    return [Step(out, template, (name,), tuple(params.items()))]


UNARY = ["-{0}", "{0}.exp()", "torch.log({0})", "{0}.sqrt()", "torch.abs({0})", "{0}.sin()",
         "torch.cos({0})", "{0}.tanh()", "torch.sigmoid({0})", "F.relu({0})", "{0}.relu()",
         "{0}.reciprocal()", "torch.sign({0})", "{0}.sgn()", "{0}.clone()", "{0}.detach()",
         "{0} * {0}", "{0}.float()", "{0}.double()", "{0}.pow(2)", "{0} ** 3",
         "{0}.contiguous()"]


@op()
def unary(draw: Draw, env: Env, fresh: Fresh, name: str) -> List[Step]:
    return _one(draw(st.sampled_from(UNARY)), name, fresh())


WITH_NUMBER = ["{0} + {c}", "{c} + {0}", "{0} - {c}", "{c} - {0}", "{0} * {c}", "{c} * {0}",
               "{0} / {c}", "{c} / {0}", "{0} ** {c}", "{c} ** {0}", "torch.pow({0}, {c})",
               "{0}.clamp({c}, {d})", "torch.clamp({0}, min={c})", "{0}.clamp(max={c})",
               "{0}.masked_fill({0} > {c}, {d})", "torch.where({0} < {c}, {0}, {d})",
               "torch.where({0} > {c}, {d}, {0})", "torch.add({0}, {c}, alpha={d})",
               "{0}.sub({c}, alpha={d})"]


@op()
def with_number(draw: Draw, env: Env, fresh: Fresh, name: str) -> List[Step]:
    return _one(draw(st.sampled_from(WITH_NUMBER)), name, fresh(), c=_number(draw),
                d=_number(draw))


BINARY = ["{0} + {1}", "{0} - {1}", "{0} * {1}", "{0} / {1}", "torch.maximum({0}, {1})",
          "torch.minimum({0}, {1})", "{0} ** {1}", "torch.where({0} > {1}, {0}, {1})",
          "torch.add({0}, {1}, alpha=2)", "{0}.sub({1}, alpha=0.5)", "torch.max({0}, {1})",
          "torch.clamp({0}, min={1})", "{0}.clamp(max={1})", "torch.mul({1}, {0})",
          "{0}.masked_fill({1} > 0, 1.5)", "torch.where({1} > 0, {0}, 0.0)"]


def _broadcasts(a: Any, b: Any) -> bool:
    try:
        np.broadcast_shapes(tuple(a.shape), tuple(b.shape))
    except ValueError:
        return False
    return True


@op()
def binary(draw: Draw, env: Env, fresh: Fresh, first: str) -> List[Step]:
    a = env[first]
    partners = _names(env, lambda t: _broadcasts(t, a))
    steps = []
    if draw(st.integers(0, 2)) == 0:  # a new operand, usually of another shape
        second = fresh()
        steps.append(_new_leaf(draw, second, _broadcast_partner(draw, tuple(a.shape)),
                               draw(st.sampled_from(["float32", "float64", _dtype_name(a)]))))
    else:
        second = draw(st.sampled_from(partners))  # ``first`` is one: x * x is allowed
    template = draw(st.sampled_from(BINARY))
    return steps + [Step(fresh(), template, (first, second))]


REDUCTIONS = ["{0}.sum()", "torch.sum({0}, dim={dims}, keepdim={k})", "{0}.mean()",
              "{0}.mean({dims}, keepdim={k})", "{0}.max()", "torch.min({0})",
              "{0}.max(dim={d}, keepdim={k}).values", "torch.min({0}, {d})[0]",
              "{0}.max({d})[1]", "{0}.argmax()", "torch.argmin({0}, dim={d}, keepdim={k})",
              "{0}.var()", "{0}.var(dim={some_dims}, unbiased={k}, keepdim={k})",
              "torch.std({0}, {some_dims})", "{0}.std(correction=0)",
              "torch.logsumexp({0}, dim={some_dims}, keepdim={k})", "torch.softmax({0}, dim={d})",
              "{0}.log_softmax({d})", "F.softmax({0}, dim={d})", "F.log_softmax({0}, dim={d})"]


@op(_is_float)
def reduction(draw: Draw, env: Env, fresh: Fresh, name: str) -> List[Step]:
    t = env[name]
    # dim=() means every dim, but PyTorch 2.13 mishandles it in two reductions
    # (``some_dims`` is never empty): logsumexp with keepdim=False fails on a
    # tensor of 1 or more dims ("output with shape [] doesn't match the
    # broadcast shape [1]"), and the backward of var/std counts one element
    # per output (gradients of inf).  microgrid reduces every dim, as sum does.
    return _one(draw(st.sampled_from(REDUCTIONS)), name, fresh(), dims=_dims(draw, t),
                some_dims=_dims(draw, t, min_size=1), d=repr(_dim(draw, t)),
                k=repr(draw(st.booleans())))


PRODUCTS = ("{0} @ {1}", "{1} @ {0}", "torch.matmul({0}, {1})", "{1}.matmul({0})",
            "torch.dot({0}, {1})", "torch.mv({1}, {0})", "torch.mm({0}, {1})", "{0}.mv({1})",
            "torch.bmm({0}, {1})")


def _matmul_partner(draw: Draw, t: Any) -> Tuple[str, Tuple[int, ...]]:
    """A matrix product of ``t`` (as ``{0}``) and the shape of the other operand."""
    k = draw(st.integers(1, 3))
    at, before, matmul, rmatmul, dot, rmv, mm, mv, bmm = PRODUCTS
    if t.dim() == 1:
        (n,) = t.shape
        return draw(st.sampled_from([(at, (n,)), (at, (n, k)), (matmul, (2, n, k)),
                                     (dot, (n,)), ("{0}.outer({1})", (k,)), (rmv, (k, n)),
                                     (before, (k, n))]))
    if t.dim() == 2:
        m, n = t.shape
        return draw(st.sampled_from([(at, (n,)), (at, (n, k)), (mm, (n, k)), (mv, (n,)),
                                     (matmul, (2, n, k)), (before, (k, m)),
                                     (rmatmul, (2, k, m))]))
    b, _, n = t.shape
    return draw(st.sampled_from([(bmm, (b, n, k)), (at, (n, k)), (at, (n,)), (at, (1, n, k)),
                                 (at, (2, 1, n, k))]))


@op(lambda t: _is_float(t) and 1 <= t.dim() <= 3)
def matmul(draw: Draw, env: Env, fresh: Fresh, name: str) -> List[Step]:
    t = env[name]
    template, shape = _matmul_partner(draw, t)
    partners = _names(env, lambda u: tuple(u.shape) == shape and u.dtype == t.dtype)
    steps = []
    if partners and draw(st.booleans()):
        other = draw(st.sampled_from(partners))
    else:
        other = fresh()
        steps.append(_new_leaf(draw, other, shape, _dtype_name(t)))
    return steps + [Step(fresh(), template, (name, other))]


def _factorization(draw: Draw, count: int) -> Tuple[int, ...]:
    """A shape with ``count`` elements (maybe with one -1)."""
    sizes: List[int] = []
    left = count
    for _ in range(draw(st.integers(0, 2))):
        divisors = [d for d in range(1, left + 1) if left % d == 0] or [1]
        size = draw(st.sampled_from(divisors))
        sizes.append(size)
        left //= max(size, 1)
    sizes.append(left)
    if count and draw(st.booleans()):
        sizes[draw(st.integers(0, len(sizes) - 1))] = -1
    return tuple(draw(st.permutations(sizes)))


@op()
def view(draw: Draw, env: Env, fresh: Fresh, name: str) -> List[Step]:
    t = env[name]
    ndim = t.dim()
    templates = ["{0}.reshape({shape})", "{0}.view({shape})", "{0}.flatten()",
                 "torch.flatten({0}, {d})", "{0}.unsqueeze({e})", "{0}.squeeze()",
                 "{0}.squeeze({d})", "{0}.transpose({d}, {e0})", "{0}.permute({perm})",
                 "{0}.expand({sizes})", "{0}.unbind({d})[0]"]
    if ndim <= 2:
        templates.append("{0}.t()")
    if ndim == 2:  # .T on other dims warns once per process: the generator's own
        templates.append("{0}.T")  # run of the step would use the warning up
    if ndim >= 2:
        templates.append("{0}.mT")
    sizes = tuple(draw(st.integers(1, 3)) if s == 1 else s for s in t.shape)
    sizes = tuple(draw(st.lists(st.integers(1, 2), max_size=1))) + sizes
    return _one(draw(st.sampled_from(templates)), name, fresh(),
                shape=repr(_factorization(draw, t.numel())), d=repr(_dim(draw, t)),
                e=repr(_dim(draw, t, spare=1)), e0=repr(_dim(draw, t)),
                perm=repr(tuple(draw(st.permutations(range(ndim))))), sizes=repr(sizes))


@op(_is_float)
def join(draw: Draw, env: Env, fresh: Fresh, name: str) -> List[Step]:
    """``cat`` and ``stack`` of tensors of one shape (maybe the same tensor twice)."""
    t = env[name]
    same = _names(env, lambda u: u.shape == t.shape and u.dtype.is_floating_point)
    others = draw(st.lists(st.sampled_from(same), min_size=1, max_size=2))
    listed = "[" + ", ".join(f"{{{i}}}" for i in range(len(others) + 1)) + "]"
    if t.dim() and draw(st.booleans()):
        template = "torch.cat(" + listed + ", dim={d})"
        d = _dim(draw, t)
    else:
        template = "torch.stack(" + listed + ", {d})"
        d = _dim(draw, t, spare=1)
    return [Step(fresh(), template, (name, *others), (("d", repr(d)),))]


INDEXING = ["{0}[{i}]", "{0}[{a}:{b}]", "{0}[{a}::2]", "{0}[..., {i}]", "{0}[None]",
            "{0}[torch.tensor({idx})]", "{0}[{0} > {c}]", "{0}.select({d}, {i})",
            "{0}.narrow({d}, {a}, 1)", "{0}[:, {i}]", "{0}[{i}, {a}:]", "{0}[{idx}]"]


@op(lambda t: t.dim() >= 1)
def index(draw: Draw, env: Env, fresh: Fresh, name: str) -> List[Step]:
    t = env[name]
    n = t.shape[0]
    # Mostly in range; sometimes out of range, for the errors.
    i = draw(st.integers(-n - 1, n)) if draw(st.integers(0, 9)) == 0 else draw(
        st.integers(-max(n, 1), max(n - 1, 0)))
    idx = draw(st.lists(st.integers(-n, n - 1), min_size=1, max_size=4)) if n else [0]
    return _one(draw(st.sampled_from(INDEXING)), name, fresh(), i=repr(i),
                a=repr(draw(st.integers(-n, n))), b=repr(draw(st.integers(-n, n + 1))),
                idx=repr(idx), c=_number(draw), d=repr(_dim(draw, t)))


@op(lambda t: _is_float(t) and t.numel() > 0)
def loss(draw: Draw, env: Env, fresh: Fresh, name: str) -> List[Step]:
    """An ``nn.functional`` loss of a float tensor."""
    t = env[name]
    reduction = draw(st.sampled_from(["mean", "sum", "none"]))
    params = [("r", repr(reduction)), ("dtype", _dtype_name(t))]
    kinds = ["mse", "bce"]
    if 1 <= t.dim() <= 2:
        kinds += ["cross_entropy", "nll", "soft_cross_entropy"]
    kind = draw(st.sampled_from(kinds))
    if kind == "mse":
        same = _names(env, lambda u: u.shape == t.shape and _is_float(u))
        return [Step(fresh(), "F.mse_loss({0}, {1}, reduction={r})",
                     (name, draw(st.sampled_from(same))), tuple(params))]
    if kind == "bce":
        target = _values(draw, "float32", tuple(t.shape)) / 8 + 0.5  # in [0, 1]
        params.append(("target", _literal(target)))
        return _one("F.binary_cross_entropy(torch.sigmoid({0}), torch.tensor({target}, "
                    "dtype=torch.{dtype}), reduction={r})", name, fresh(), **dict(params))
    classes = t.shape[-1]
    count = t.shape[0] if t.dim() == 2 else None
    targets = draw(st.lists(st.integers(0, classes - 1), min_size=count or 1,
                            max_size=count or 1))
    params.append(("target", repr(targets if count is not None else targets[0])))
    params.append(("s", repr(draw(st.sampled_from([0.0, 0.0, 0.25])))))
    dim = t.dim() - 1
    if kind == "cross_entropy":
        template = ("F.cross_entropy({0}, torch.tensor({target}), reduction={r}, "
                    "label_smoothing={s})")
    elif kind == "nll":
        template = (f"F.nll_loss(F.log_softmax({{0}}, dim={dim}), torch.tensor({{target}}), "
                    "reduction={r})")
    else:
        template = (f"F.cross_entropy({{0}}, torch.softmax({{0}}.detach() * 2, dim={dim}), "
                    "reduction={r})")
    return _one(template, name, fresh(), **dict(params))


@op()
def new_leaf(draw: Draw, env: Env, fresh: Fresh, name: str) -> List[Step]:
    """A new leaf: float (of the shape of ``name``'s value, or broadcastable
    to it, or any shape, empty ones included) or an int64 constant."""
    choice = draw(st.integers(0, 3))
    if choice == 0:
        shape = draw(st.one_of(_shapes, st.sampled_from([(0,), (2, 0), (0, 3)])))
    else:
        shape = tuple(env[name].shape)
        if choice == 1:
            shape = _broadcast_partner(draw, shape)
    if draw(st.integers(0, 5)) == 0:
        return [leaf(draw, fresh(), shape, "int64", False)]
    return [_new_leaf(draw, fresh(), shape, draw(st.sampled_from(["float32", "float64"])))]


def _run_in(env: Env, step: Step) -> Optional[BaseException]:
    """Run ``step`` under PyTorch in ``env``; the error it raised, if any."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            exec(compile(step.source(), "<fuzz>", "exec"), env)  # noqa: S102
    except Exception as error:  # noqa: BLE001 - the program will end with it
        return error
    return None


def _too_big(env: Env, step: Step) -> bool:
    value = env.get(step.target)
    return isinstance(value, torch.Tensor) and value.numel() > MAX_ELEMENTS


def _zero_sign_unspecified(env: Env, step: Step) -> bool:
    """Is the sign of a zero in this step's result a detail of PyTorch's kernels?

    A zero that is a sum of products (matmul) gets its sign from the first
    term the kernel adds to: ``[[-1.], [1.]] @ [[0., 0.]]`` gives ``-0.`` in
    the first row, but ``[[-1.]] @ [[0., 0.]]`` gives ``0.``: PyTorch's gemm
    and gemv paths differ.  The maximum or minimum of a whole tensor holding
    both ``0.`` and ``-0.`` is whichever its SIMD lanes met last.  And
    ``maximum(-0., 0.)`` (so also clamp and relu) is ``-0.`` (the first
    operand) in PyTorch's scalar loop but ``0.`` (the second) in its vector
    loop, which takes blocks of 16 or 32 elements: microgrid gives the first
    operand, as PyTorch does for small tensors.  microgrid does not copy
    these kernels; such steps are not drawn.
    """
    if step.template in PRODUCTS:
        return bool((env[step.target] == 0).any())
    if step.template in ("{0}.max()", "torch.min({0})"):
        zeros = env[step.inputs[0]].detach()
        zeros = zeros[zeros == 0]
        return bool(zeros.signbit().any() and not zeros.signbit().all())
    if step.template in ZERO_TIES:
        return any(bool((env[n] == 0).logical_and(env[n].signbit()).any())
                   for n in step.inputs if env[n].dtype.is_floating_point)
    return False


#: Ops that choose between equal operands (see :func:`_zero_sign_unspecified`).
ZERO_TIES = {"F.relu({0})", "{0}.relu()", "{0}.clamp({c}, {d})", "torch.clamp({0}, min={c})",
             "{0}.clamp(max={c})", "torch.maximum({0}, {1})", "torch.minimum({0}, {1})",
             "torch.max({0}, {1})", "torch.clamp({0}, min={1})", "{0}.clamp(max={1})"}


def _second_pass_unreliable(env: Env, steps: List[Step], leaves: List[str]) -> bool:
    """Would a second backward pass go wrong in PyTorch?  Its first pass
    keeps ("steals") a gradient nothing else refers to as the leaf's
    ``.grad``, and a second pass adds into ``.grad`` in place.  Two PyTorch
    bugs follow, which microgrid (it copies a first gradient) does not have:

    * two views of one gradient (``(a + b).sum()`` sends ``a`` and ``b`` one
      gradient, expanded twice) become two ``.grad`` on one storage: the
      second pass adds into both, twice;
    * the gradient of ``sgn`` (and other step functions) is a ZeroTensor,
      which cannot be added into: the second pass raises "ZeroTensors are
      immutable".

    Such programs get one backward pass only."""
    trial = dict(env)
    for step in (*steps, Step("", "loss.backward(retain_graph=True)")):
        _run_in(trial, step)
    grads = [trial[n].grad for n in leaves if trial[n].grad is not None]
    if any(g._is_zerotensor() for g in grads):
        return True
    storages = [g.untyped_storage().data_ptr() for g in grads if g.numel()]
    return len(set(storages)) < len(storages)


def _final(draw: Draw, env: Env, fresh: Fresh) -> List[Step]:
    """The backward pass that ends a program (if any value requires grad)."""
    differentiable = _names(env, lambda t: t.requires_grad)
    if not differentiable or draw(st.integers(0, 7)) == 0:
        return []
    steps = []
    inner = [n for n in differentiable if env[n].grad_fn is not None]
    if inner and draw(st.booleans()):
        steps.append(Step("", "{0}.retain_grad()", (draw(st.sampled_from(inner)),)))
    chosen = draw(st.lists(st.sampled_from(differentiable), min_size=1, max_size=3,
                           unique=True))
    total = " + ".join(f"{{{i}}}.sum()" for i in range(len(chosen)))
    steps.append(Step("loss", total, tuple(chosen)))
    kind = draw(st.sampled_from(["backward", "twice", "grad", "gradient"]))
    leaves = [n for n in differentiable if env[n].grad_fn is None]
    if kind == "grad" and leaves:
        listed = "[" + ", ".join(f"{{{i}}}" for i in range(len(leaves))) + "]"
        steps.append(Step("grads", "torch.autograd.grad(loss, " + listed + ", allow_unused=True)",
                          tuple(leaves)))
    elif kind == "twice" and not _second_pass_unreliable(env, steps, leaves):
        steps.append(Step("", "loss.backward(retain_graph=True)"))
        steps.append(Step("", "loss.backward()"))
    elif kind == "gradient":
        last = chosen[-1]
        seed = _new_leaf(draw, fresh(), tuple(env[last].shape), _dtype_name(env[last]))
        seed = Step(seed.target, seed.template.replace(", requires_grad=True", ""), (),
                    seed.params)
        steps[-1:] = [seed, Step("", "{0}.backward({1})", (last, seed.target))]
    else:
        steps.append(Step("", "loss.backward()"))
    return steps


@st.composite
def programs(draw: Draw, max_steps: int = 8) -> Program:
    """A random program (see the module docstring)."""
    env: Env = {"torch": torch, "F": torch.nn.functional}
    names = (f"v{i}" for i in range(10_000))
    steps: List[Step] = []

    def fresh() -> str:
        return next(names)

    for _ in range(draw(st.integers(1, 2))):
        new = _new_leaf(draw, fresh(), draw(_shapes), draw(st.sampled_from(["float32",
                                                                            "float64"])))
        steps.append(new)
        _run_in(env, new)
    for _ in range(draw(st.integers(1, max_steps))):
        drawn = OPS[draw(st.sampled_from(sorted(OPS)))](draw, env, fresh)
        if not drawn:
            continue
        if draw(st.integers(0, 7)) == 0:  # this op (not a new leaf) under no_grad
            drawn[-1] = Step(drawn[-1].target, drawn[-1].template, drawn[-1].inputs,
                             drawn[-1].params, no_grad=True)
        trial = dict(env)
        failed = next((e for e in (_run_in(trial, s) for s in drawn) if e is not None), None)
        if failed is None and any(_too_big(trial, s) or _zero_sign_unspecified(trial, s)
                                  for s in drawn):
            continue
        steps += drawn
        env = trial
        if failed is not None:
            return Program(tuple(steps))  # the program ends with the error
    return Program(tuple(steps + _final(draw, env, fresh)))


# -- the search ----------------------------------------------------------------
@dataclass
class Outcome:
    """What a fuzzing run found."""

    tried: int
    differed: int
    program: Optional[Program] = None  # the shrunk program, if one differed
    found: Sequence[str] = ()  # its differences
    exact: int = 0  # programs (before the first that differed) with PyTorch's bits
    rounding: int = 0  # ... and those that agree within the tolerance only


def fuzz(examples: int, seed: Optional[int] = None, max_steps: int = 8,
         progress: Optional[Callable[[int], None]] = None) -> Outcome:
    """Run ``examples`` random programs under both engines; if one differs,
    shrink it to a minimal program that still differs.  ``progress(tried)``
    is called after each program tried."""
    tried = 0
    first_found = False
    agreed = {"exact": 0, "rounding": 0}

    def condition(program: Program) -> bool:
        nonlocal tried, first_found
        kind = verdict(program)[0]
        if not first_found:
            tried += 1
            if kind in agreed:
                agreed[kind] += 1
            if progress is not None:
                progress(tried)
        differs = kind == "differs"
        first_found = first_found or differs
        return differs

    config = settings(max_examples=examples, database=None, deadline=None,
                      phases=[Phase.generate, Phase.shrink],
                      suppress_health_check=list(HealthCheck))
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", HypothesisDeprecationWarning)
            program = find(programs(max_steps), condition, settings=config,
                           random=random.Random(seed))
    except NoSuchExample:
        return Outcome(tried, 0, exact=agreed["exact"], rounding=agreed["rounding"])
    return Outcome(tried, 1, program, differences(program), agreed["exact"],
                   agreed["rounding"])


def _progress(total: int) -> Callable[[int], None]:
    """Progress on stderr: a line every tenth of the run (one line, redrawn, on a terminal)."""
    terminal = sys.stderr.isatty()
    step = max(1, total // 10)

    def show(tried: int) -> None:
        if terminal:
            sys.stderr.write(f"\rfuzz: {tried}/{total} programs tried")
        elif tried % step == 0 or tried == total:
            sys.stderr.write(f"fuzz: {tried}/{total} programs tried\n")
        sys.stderr.flush()

    return show


def run(args: argparse.Namespace) -> int:
    """``python -m compare fuzz`` (options in ``__main__.fuzz_options``):
    exit status 1 if a program differed (printed as a runnable script)."""
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(2**32)
    if not args.json:
        print(f"fuzz: seed {seed} (python -m compare fuzz --seed {seed} repeats this run)",
              flush=True)
    outcome = fuzz(args.examples, seed, args.max_steps, progress=_progress(args.examples))
    if sys.stderr.isatty():
        sys.stderr.write("\n")
    if args.json:
        print(json.dumps({"seed": seed, "tried": outcome.tried, "differed": outcome.differed,
                          "exact": outcome.exact, "rounding": outcome.rounding,
                          "program": outcome.program.source() if outcome.program else None,
                          "differences": list(outcome.found)}, indent=2))
        return 1 if outcome.program is not None else 0
    print(f"{outcome.tried} programs tried, {outcome.differed} differed; of those that "
          f"agree, {outcome.exact} bit for bit (exact), {outcome.rounding} within rounding")
    if outcome.program is None:
        return 0
    print("\nThe shrunk program that differs:\n")
    print(outcome.program.source())
    print("Differences:")
    for line in outcome.found:
        print("  " + line.replace("\n", "\n  "))
    return 1


def main(argv: Optional[List[str]] = None) -> int:
    """``python -m compare.fuzz ...``: the same as ``python -m compare fuzz ...``."""
    from .__main__ import main as compare_main

    return compare_main(["fuzz", *(sys.argv[1:] if argv is None else argv)])


if __name__ == "__main__":
    sys.exit(main())
