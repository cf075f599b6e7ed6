"""``python -m benchmarks.numerics``: per op, the share of elements bit-identical to PyTorch.

For every op, inputs are drawn at random (1..10,000 elements, float32 and float64) and
as *awkward* float32 values (subnormals, huge values, +-0, +-inf, nan mixed with normal
ones).  Each input goes through PyTorch and through microgrid's op; an element agrees
when its bits are equal (any nan matches any nan: payloads never print).  "after" is the
microgrid this script is run with; "before" the one in ``--before DIR`` (a checkout of
an earlier microgrid, e.g. ``git worktree add /tmp/before b8fd937``), measured on the
same inputs in a subprocess that imports microgrid from there.  The table is Markdown,
for ``docs/numerics.md``.

Options: ``--quick`` (fewer inputs), ``--before DIR``, ``--speed`` (also time the sum
kernel against ``np.sum`` and the W2 step, alternating rounds in one run), ``--costs``
(each exact kernel of the second pass against NumPy's own formula), ``--matmul`` (the
opt-in MKL-order ``mm``: agreement with torch and cost on the tutorials' shapes).

Read next: ``../docs/numerics.md``.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
import warnings
from typing import Any, Callable, Dict, Iterator, List, Optional, Tuple

import numpy as np
import torch

import microgrid
from microgrid._kernels import linalg, losses, mathfns, reduce, softmax

try:  # (absent from the older microgrid that --before measures: only its ops are called)
    from microgrid._kernels import moments, powf
except ImportError:
    moments = powf = None

Arrays = Tuple[np.ndarray, ...]
Result = Optional[np.ndarray]


def agreeing(ours: Result, theirs: np.ndarray) -> Tuple[int, int]:
    """(elements with the same bits, elements) -- a wrong shape agrees nowhere."""
    theirs = np.asarray(theirs)
    if ours is None:
        return 0, 0
    ours = np.asarray(ours)
    if ours.shape != theirs.shape or ours.dtype != theirs.dtype:
        return 0, max(theirs.size, 1)
    width = {2: np.uint16, 4: np.uint32, 8: np.uint64}[ours.dtype.itemsize]
    same = (np.ascontiguousarray(ours).view(width) == np.ascontiguousarray(theirs).view(width))
    same |= np.isnan(ours) & np.isnan(theirs)
    return int(same.sum()), ours.size


# -- inputs ------------------------------------------------------------------------------
def sizes(rng: np.random.Generator, count: int) -> Iterator[int]:
    """1..10,000 elements, small sizes (where the order effects live) well represented."""
    for _ in range(count):
        yield int(rng.choice([rng.integers(1, 64), rng.integers(64, 1000),
                              rng.integers(1000, 10_001)]))


def random_values(rng: np.random.Generator, n: int, dtype: Any, kind: str) -> np.ndarray:
    scale = rng.choice([0.5, 3.0, 20.0])
    values = rng.standard_normal(n) * scale
    if kind == "positive":
        values = np.abs(values) + 1e-3
    if kind == "unit":
        values = np.tanh(values)
    if kind == "probability":
        values = rng.random(n)
    return values.astype(dtype)


def awkward_values(rng: np.random.Generator, n: int, kind: str) -> np.ndarray:
    """float32 values of every awkward kind, a quarter of them among normal ones."""
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1e-40, -1e-42, 3e38, -3e38,
                        1.17e-38, 1e-45, 88.7, -103.9, 1e30], np.float32)
    values = random_values(rng, n, np.float32, kind)
    pick = rng.random(n) < 0.25
    values[pick] = rng.choice(special, int(pick.sum()))
    if kind == "positive":
        values = np.abs(values)
    return values


def tensor(x: np.ndarray) -> Any:
    """A microgrid tensor on ``x`` itself, with its strides, as ``torch.from_numpy`` gives
    PyTorch (a sum's order depends on the strides)."""
    if any(s < 0 for s in x.strides):
        x = np.ascontiguousarray(x)
    return microgrid.Tensor._make(x)


def numpy_of(t: Any) -> np.ndarray:
    return np.asarray(t.detach().numpy() if hasattr(t, "detach") else t)


# -- the ops -----------------------------------------------------------------------------
class Op:
    """One row of the table: how to call PyTorch, microgrid today, and the kernel."""

    def __init__(self, name: str, torch_fn: Callable, before: Optional[Callable],
                 after: Callable, kind: str = "normal", arity: int = 1,
                 dtypes: Tuple[Any, ...] = (np.float32, np.float64), awkward: bool = True,
                 inputs: Optional[Callable] = None) -> None:
        self.name, self.torch_fn, self.before, self.after = name, torch_fn, before, after
        self.kind, self.arity, self.dtypes, self.awkward = kind, arity, dtypes, awkward
        self.inputs = inputs

    def draws(self, rng: np.random.Generator, dtype: Any, awkward: bool, count: int
              ) -> Iterator[Arrays]:
        if self.inputs is not None:
            yield from self.inputs(rng, dtype, count)
            return
        for n in sizes(rng, count):
            yield tuple(awkward_values(rng, n, self.kind) if awkward else
                        random_values(rng, n, dtype, self.kind) for _ in range(self.arity))


def quiet(fn: Optional[Callable]) -> Optional[Callable]:
    """``fn`` with warnings and floating-point errors silenced; None stays None, and an
    op microgrid cannot run (an exception) counts as disagreeing everywhere."""
    if fn is None:
        return None

    def call(*args: Any, **kwargs: Any) -> Result:
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            try:
                return fn(*args, **kwargs)
            except Exception:  # noqa: BLE001 - the table reports it as disagreement
                return np.array(np.nan)
    return call


def shaped(rng: np.random.Generator, dtype: Any, count: int) -> Iterator[Arrays]:
    """2-d and 3-d arrays of up to 10,000 elements, some transposed or sliced views."""
    for _ in range(count):
        shape = tuple(int(s) for s in rng.integers(1, 40, rng.integers(2, 4)))
        x = random_values(rng, int(np.prod(shape)), dtype, "normal").reshape(shape)
        view = rng.integers(3)
        yield (x.T if view == 1 else x[..., ::2] if view == 2 else x,)


def ranges(rng: np.random.Generator, dtype: Any, count: int) -> Iterator[Arrays]:
    for n in sizes(rng, count):
        start, end = rng.uniform(-100, 100, 2)
        yield (np.array([start, end, n, rng.uniform(0.01, 3)]),)


def matrices(rng: np.random.Generator, dtype: Any, count: int) -> Iterator[Arrays]:
    """The catalog's MLP products first, then random shapes up to 128 on a side."""
    named = [((64, 1000), (1000, 100)), ((64, 100), (100, 10)), ((1000, 64), (64, 100)),
             ((64, 10), (10, 100)), ((100, 64), (64, 10))]
    for i in range(count):
        sa, sb = named[i] if i < len(named) else (
            (int(rng.integers(1, 129)), k := int(rng.integers(1, 129))),
            (k, int(rng.integers(1, 129))))
        yield (random_values(rng, int(np.prod(sa)), dtype, "normal").reshape(sa),
               random_values(rng, int(np.prod(sb)), dtype, "normal").reshape(sb))


def rows(rng: np.random.Generator, dtype: Any, count: int) -> Iterator[Arrays]:
    """(rows, n) float32 logits and a gradient of the same shape, up to 10,000 elements."""
    for _ in range(count):
        shape = (int(rng.integers(1, 65)), int(rng.integers(1, 150)))
        yield tuple(random_values(rng, shape[0] * shape[1], dtype, "normal").reshape(shape)
                    for _ in range(2))


def blocks(rng: np.random.Generator, dtype: Any, count: int) -> Iterator[Arrays]:
    """(a, b, c) float32 logits and a gradient of the same shape, up to 10,000 elements
    (for a softmax over dim 0 or 1)."""
    for _ in range(count):
        shape = tuple(int(s) for s in rng.integers(1, 22, 3))
        yield tuple(random_values(rng, int(np.prod(shape)), dtype, "normal").reshape(shape)
                    for _ in range(2))


def columns(rng: np.random.Generator, dtype: Any, count: int) -> Iterator[Arrays]:
    """(N, 1) positive bases and (k,) exponents, k <= 5 (polynomial_nn.py's
    ``x.unsqueeze(-1).pow(tensor([1, 2, 3]))``), half of them whole numbers."""
    for n in sizes(rng, count):
        k = int(rng.integers(1, 6))
        y = random_values(rng, k, dtype, "normal")
        if rng.random() < 0.5:
            y = np.round(y)
        yield (random_values(rng, max(1, n // k), dtype, "positive")[:, None], y)


def _t(x: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.ascontiguousarray(x)) if any(
        s < 0 for s in x.strides) else torch.from_numpy(x)


def _microgrid_backward(name: str) -> Optional[Callable]:
    """Today's microgrid backward op ``name`` (where #13's refactor leaves it)."""
    for module in ("microgrid.ops.pointwise", "microgrid.nn.functional", "microgrid.ops"):
        try:
            found = getattr(__import__(module, fromlist=[name]), name, None)
        except ImportError:
            found = None
        if found is not None:
            return found
    return None


def _pow_tensor(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return powf.pow_tensor(x, y) if x.dtype == np.float32 else np.power(x, y)


def make_ops() -> List[Op]:
    mg = microgrid
    aten = torch.ops.aten
    tanh_bw, sigmoid_bw, mse_bw = (_microgrid_backward(n) for n in (
        "tanh_backward", "sigmoid_backward", "mse_loss_backward"))

    def unary(name: str, kind: str = "normal") -> Op:
        return Op(name, lambda x: getattr(torch, name)(_t(x)).numpy(),
                  lambda x: numpy_of(getattr(mg, name)(tensor(x))),
                  lambda x: mathfns.correctly_rounded(getattr(np, name), x), kind)

    def pow_op(e: float) -> Op:
        return Op(f"pow(x, {e:g})", lambda x: _t(x).pow(e).numpy(),
                  lambda x: numpy_of(tensor(x).pow(e)), lambda x: powf.pow_scalar(x, e),
                  "positive" if e != int(e) else "normal")

    def moment_op(name: str, dims: Optional[List[int]]) -> Op:
        def theirs(x: np.ndarray) -> np.ndarray:
            fn = getattr(_t(x), name)
            return (fn() if dims is None else fn(dim=[d % x.ndim for d in dims])).numpy()

        def before(x: np.ndarray) -> np.ndarray:
            fn = getattr(tensor(x), name)
            return numpy_of(fn() if dims is None else fn([d % x.ndim for d in dims]))

        def after(x: np.ndarray) -> np.ndarray:
            if dims is None:
                return moments.var_all(x, 1, name == "std").astype(x.dtype)
            d = [d % x.ndim for d in dims]
            return moments.var_dims(x, d, False, 1, name == "std").astype(x.dtype)
        label = "all" if dims is None else f"dim={dims[0]}"
        return Op(f"{name} ({label})", theirs, before, after,
                  inputs=None if dims is None else shaped)

    def along_op(name: str, dim: int) -> Op:
        return Op(f"{name} (dim={dim})", lambda x: getattr(torch, name)(_t(x), dim).numpy(),
                  lambda x: numpy_of(getattr(mg, name)(tensor(x), dim)),
                  lambda x: softmax.logsumexp(x, (dim % x.ndim,), False) if (
                      name == "logsumexp") else getattr(np, name)(x, axis=dim),
                  inputs=shaped, awkward=False)

    def sum_op(name: str, dims: Optional[List[int]], mean: bool = False,
               inputs: Optional[Callable] = None) -> Op:
        def theirs(x: np.ndarray) -> np.ndarray:
            t = _t(x)
            fn = t.mean if mean else t.sum
            return (fn() if dims is None else fn(dim=[d % x.ndim for d in dims])).numpy()

        def before(x: np.ndarray) -> np.ndarray:
            t = tensor(x)
            fn = t.mean if mean else t.sum
            return numpy_of(fn() if dims is None else fn([d % x.ndim for d in dims]))

        def after(x: np.ndarray) -> np.ndarray:
            d = None if dims is None else [d % x.ndim for d in dims]
            return (reduce.mean if mean else reduce.sum)(x, d)
        return Op(name, theirs, before, after, inputs=inputs)

    def space(name: str) -> Op:
        def args(p: np.ndarray) -> Tuple[float, float, Any]:
            start, end, n, step = p
            return (float(start), float(start) + float(n) * float(step) / 50, float(step)) if (
                name == "arange") else (float(start) / 20, float(end) / 20, int(n))

        def theirs(p: np.ndarray, dtype: Any = np.float32) -> np.ndarray:
            return getattr(torch, name)(*args(p), dtype=torch.float32 if dtype == np.float32
                                        else torch.float64).numpy()

        def before(p: np.ndarray, dtype: Any = np.float32) -> Optional[np.ndarray]:
            if not hasattr(mg, name):
                return None
            return numpy_of(getattr(mg, name)(*args(p), dtype=mg.float32 if dtype == np.float32
                                              else mg.float64))

        def after(p: np.ndarray, dtype: Any = np.float32) -> np.ndarray:
            return getattr(mathfns, name)(*args(p), dtype=np.dtype(dtype))
        return Op(name, theirs, before, after, inputs=ranges, awkward=False)

    reduction = __import__("microgrid.ops.reduction", fromlist=["reduction"])
    sm_bw = getattr(reduction, "softmax_backward_data", None)
    lsm_bw = getattr(reduction, "log_softmax_backward_data", None)

    def softmax_op(name: str, log: bool, backward: bool, dim: int = -1) -> Op:
        fn = torch.log_softmax if log else torch.softmax

        def theirs(x: np.ndarray, g: np.ndarray) -> np.ndarray:
            t = _t(x).requires_grad_()
            out = fn(t, dim)
            if not backward:
                return out.detach().numpy()
            out.backward(_t(g))
            return t.grad.numpy()

        def forward(x: np.ndarray) -> np.ndarray:
            return fn(_t(x), dim).numpy()

        def before(x: np.ndarray, g: np.ndarray) -> Optional[np.ndarray]:
            if not backward:
                return numpy_of((mg.log_softmax if log else mg.softmax)(tensor(x), dim))
            op = lsm_bw if log else sm_bw
            return None if op is None else numpy_of(op(tensor(g), tensor(forward(x)), dim))

        def after(x: np.ndarray, g: np.ndarray) -> np.ndarray:
            d = dim % x.ndim
            if not backward:
                return (softmax.log_softmax if log else softmax.softmax)(x, d)
            kernel = softmax.log_softmax_backward if log else softmax.softmax_backward
            return kernel(g, forward(x), d)
        return Op(name, theirs, before, after, arity=2, dtypes=(np.float32,), awkward=False,
                  inputs=rows if dim == -1 else blocks)

    def nll_op(reduction: str) -> Op:
        def split(x: np.ndarray, t: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
            return x, (np.abs(t[:, 0]) * 7).astype(np.int64) % x.shape[1]

        def theirs(x: np.ndarray, t: np.ndarray) -> np.ndarray:
            logp, target = split(x, t)
            return torch.nn.functional.nll_loss(_t(logp), _t(target),
                                                reduction=reduction).numpy()

        def before(x: np.ndarray, t: np.ndarray) -> np.ndarray:
            logp, target = split(x, t)
            return numpy_of(mg.nn.functional.nll_loss(tensor(logp), tensor(target),
                                                      reduction=reduction))

        def after(x: np.ndarray, t: np.ndarray) -> np.ndarray:
            return losses.nll_loss(*split(x, t), reduction=reduction)[0]
        return Op(f"nll_loss ({reduction})", theirs, before, after, arity=2,
                  dtypes=(np.float32, np.float64), awkward=False, inputs=rows)

    return [
        sum_op("sum (all)", None), sum_op("sum (dim=0)", [0], inputs=shaped),
        sum_op("sum (dim=-1)", [-1], inputs=shaped), sum_op("sum (dims 0,-1)", [0, -1],
                                                            inputs=shaped),
        sum_op("mean (all)", None, mean=True), sum_op("mean (dim=-1)", [-1], True, shaped),
        space("linspace"), space("arange"), space("logspace"),
        Op("sigmoid", lambda x: torch.sigmoid(_t(x)).numpy(),
           lambda x: numpy_of(mg.sigmoid(tensor(x))), mathfns.sigmoid, dtypes=(np.float32,)),
        Op("rsqrt", lambda x: torch.rsqrt(_t(x)).numpy(),
           (lambda x: numpy_of(mg.rsqrt(tensor(x)))) if hasattr(mg, "rsqrt") else None,
           mathfns.rsqrt, "positive"),
        pow_op(2), pow_op(3), pow_op(-0.5), pow_op(1.5), pow_op(2.5), pow_op(-1.5),
        pow_op(0.3),
        Op("pow(x, y)", lambda x, y: _t(x).pow(_t(y)).numpy(),
           lambda x, y: numpy_of(tensor(x).pow(tensor(y))), _pow_tensor, "positive", arity=2),
        Op("pow((N,1), (k,))", lambda x, y: _t(x).pow(_t(y)).numpy(),
           lambda x, y: numpy_of(tensor(x).pow(tensor(y))), _pow_tensor, arity=2,
           awkward=False, inputs=columns),
        Op("tanh_backward", lambda g, y: aten.tanh_backward(_t(g), _t(y)).numpy(),
           (lambda g, y: numpy_of(tanh_bw(tensor(g), tensor(y)))) if tanh_bw else None,
           mathfns.tanh_backward, "unit", arity=2),
        Op("sigmoid_backward", lambda g, y: aten.sigmoid_backward(_t(g), _t(y)).numpy(),
           (lambda g, y: numpy_of(sigmoid_bw(tensor(g), tensor(y)))) if sigmoid_bw else None,
           mathfns.sigmoid_backward, "unit", arity=2),
        Op("mse_loss_backward", lambda g, x, t: aten.mse_loss_backward(
            _t(g[:1].reshape(())), _t(x), _t(t), 1).numpy(),
           (lambda g, x, t: numpy_of(mse_bw(tensor(g[:1].reshape(())), tensor(x), tensor(t),
                                            "mean"))) if mse_bw else None,
           lambda g, x, t: mathfns.mse_loss_backward(g[:1].reshape(()), x, t), arity=3),
        Op("mm", lambda a, b: (_t(a) @ _t(b)).numpy(),
           lambda a, b: numpy_of(mg.mm(tensor(a), tensor(b))), linalg.mm, arity=2,
           dtypes=(np.float32,), awkward=False, inputs=matrices),
        softmax_op("softmax (dim=-1)", False, False),
        softmax_op("softmax backward", False, True),
        softmax_op("log_softmax (dim=-1)", True, False),
        softmax_op("log_softmax backward", True, True),
        softmax_op("softmax (dim=0)", False, False, 0),
        softmax_op("softmax backward (dim=0)", False, True, 0),
        softmax_op("softmax (dim=1 of 3)", False, False, 1),
        softmax_op("softmax backward (dim=1 of 3)", False, True, 1),
        softmax_op("log_softmax (dim=0)", True, False, 0),
        softmax_op("log_softmax backward (dim=0)", True, True, 0),
        moment_op("var", None), moment_op("var", [0]), moment_op("var", [-1]),
        moment_op("std", None), moment_op("std", [-1]),
        along_op("logsumexp", -1), along_op("logsumexp", 0),
        along_op("cumsum", -1), along_op("cumsum", 0), along_op("cumprod", -1),
        nll_op("mean"), nll_op("sum"),
        unary("exp"), unary("log", "positive"), unary("tanh"), unary("sqrt", "positive"),
        unary("sin"), unary("cos"),
        Op("add(x, y, alpha=0.3)", lambda x, y: _t(x).add(_t(y), alpha=0.3).numpy(),
           lambda x, y: numpy_of(tensor(x).add(tensor(y), alpha=0.3)),
           lambda x, y: mathfns.add_scaled(x, y, np.asarray(0.3, x.dtype)), arity=2),
        Op("binary_cross_entropy", lambda x, y: torch.nn.functional.binary_cross_entropy(
            _t(x), _t(y), reduction="none").numpy(),
           lambda x, y: numpy_of(mg.nn.functional.binary_cross_entropy(
               tensor(x), tensor(y), reduction="none")), None, "probability", arity=2,
           awkward=False),
    ]


def measure(op: Op, dtype: Any, awkward: bool, count: int, seed: int = 0,
            kernel: bool = True) -> Tuple[Optional[float], Optional[float]]:
    """(op, kernel) shares of agreeing elements over ``count`` inputs (``kernel``: also
    call the kernel of ``microgrid/_kernels`` directly)."""
    rng = np.random.default_rng(seed)
    before_ok = after_ok = total = 0
    has_before = op.before is not None
    extra = {} if op.inputs is not ranges else {"dtype": dtype}
    for args in op.draws(rng, dtype, awkward, count):
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            theirs = op.torch_fn(*args, **extra)
        ok, n = (agreeing(quiet(op.after)(*args, **extra), theirs) if kernel
                 else (0, np.asarray(theirs).size))
        after_ok, total = after_ok + ok, total + max(n, np.asarray(theirs).size)
        if has_before:
            result = quiet(op.before)(*args, **extra)
            has_before = result is not None
            before_ok += agreeing(result, theirs)[0] if has_before else 0
    if not total:
        return None, None
    return (before_ok / total if has_before else None), after_ok / total


def percent(share: Optional[float]) -> str:
    if share is None:
        return "n/a"
    if share == 1:
        return "100%"
    return f"{100 * share:.4f}%" if share > 0.9999 else f"{100 * share:.2f}%"


COLUMNS = ((np.float32, False), (np.float64, False), (np.float32, True))


def op_shares(count: int) -> Dict[str, List[Optional[float]]]:
    """Per op, the shares of the microgrid op (float32, float64, awkward float32)."""
    shares = {}
    for op in make_ops():
        shares[op.name] = [measure(op, dtype, awkward, count, kernel=False)[0]
                           if (awkward and op.awkward) or (not awkward and dtype in op.dtypes)
                           else None for dtype, awkward in COLUMNS]
    return shares


def before_shares(folder: str, count: int) -> Dict[str, List[Optional[float]]]:
    """``op_shares`` of the microgrid in ``folder``, in a subprocess importing it from there
    (this file run as a script, so that only microgrid comes from ``folder``)."""
    env = dict(os.environ, PYTHONPATH=os.path.abspath(folder))
    done = subprocess.run([sys.executable, os.path.abspath(__file__), "--shares-json",
                           "--count", str(count)], env=env, capture_output=True, text=True,
                          check=True)
    return json.loads(done.stdout)


def table(count: int, before: Optional[str] = None) -> str:
    rows = ["| op | float32 before | float32 after | float64 before | float64 after "
            "| awkward f32 before | awkward f32 after |", "|---" * 7 + "|"]
    old = before_shares(before, count) if before else {}
    for name, now in op_shares(count).items():
        then = old.get(name, [None] * len(COLUMNS))
        cells = [c for pair in zip(then, now, strict=True) for c in pair]
        rows.append(f"| {name} | " + " | ".join(percent(c) for c in cells) + " |")
    return "\n".join(rows)


# -- speed ------------------------------------------------------------------------------
def best_of(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def w2_step(x: np.ndarray, mean: Callable[[np.ndarray], Any]) -> None:
    """The W2 floor (forward and backward of mean(x*x)) with a given mean."""
    mean(x * x)
    dy = np.float32(1 / x.size)
    dx = x * dy
    dx += x * dy


def speed(rounds: int = 5) -> str:
    rows = ["| elements | np.sum | kernel sum | ratio | W2 floor (np.mean) "
            "| W2 with kernel mean | ratio |", "|---" * 7 + "|"]
    rng = np.random.default_rng(0)
    for n, repeat in ((10**3, 300), (10**6, 20), (10**7, 3)):
        x = rng.standard_normal(n).astype(np.float32)
        timings: Dict[str, List[float]] = {k: [] for k in ("np", "kernel", "w2np", "w2k")}
        runs = {"np": lambda x=x: np.sum(x), "kernel": lambda x=x: reduce.sum(x),
                "w2np": lambda x=x: w2_step(x, np.mean),
                "w2k": lambda x=x: w2_step(x, reduce.mean)}
        for _ in range(rounds):  # alternate, so that load on the machine hits both alike
            for key, run in runs.items():
                timings[key].append(best_of(run, repeat))
        t = {k: min(v) * 1e6 for k, v in timings.items()}
        rows.append(f"| {n:.0e} | {t['np']:.1f} us | {t['kernel']:.1f} us | "
                    f"{t['kernel'] / t['np']:.2f}x | {t['w2np']:.1f} us | {t['w2k']:.1f} us | "
                    f"{t['w2k'] / t['w2np']:.2f}x |")
    return "\n".join(rows)


def _cost_cases(x: np.ndarray) -> Dict[str, Tuple[Callable[[], Any], Callable[[], Any]]]:
    """For ``kernel_costs``: (the exact kernel, NumPy's own formula) per kernel, on ``x``."""
    g = np.random.default_rng(1).standard_normal(x.shape).astype(np.float32)
    y = softmax.softmax(x, 0)
    positive, x64 = np.abs(x) + np.float32(0.1), x.astype(np.float64)

    def np_softmax() -> Any:
        e = np.exp(x - x.max(0, keepdims=True))
        return e / e.sum(0, keepdims=True)

    def np_log_softmax() -> Any:
        shifted = x - x.max(0, keepdims=True)
        return shifted - np.log(np.exp(shifted).sum(0, keepdims=True))

    def np_logsumexp() -> Any:
        m = x.max(1, keepdims=True)
        return np.log(np.exp(x - m).sum(1)) + m[:, 0]

    cases: Dict[str, Tuple[Callable[[], Any], Callable[[], Any]]] = {
        "softmax dim=0": (lambda: softmax.softmax(x, 0), np_softmax),
        "log_softmax dim=0": (lambda: softmax.log_softmax(x, 0), np_log_softmax),
        "softmax backward dim=0": (lambda: softmax.softmax_backward(g, y, 0),
                                   lambda: y * (g - (g * y).sum(0, keepdims=True))),
        "logsumexp dim=-1": (lambda: softmax.logsumexp(x, (1,), False), np_logsumexp),
    }
    if moments is not None and powf is not None:
        cases["var float64 (all)"] = (lambda: moments.var_all(x64, 1, False),
                                      lambda: np.var(x64, ddof=1))
        cases["var float64 (dim=0)"] = (lambda: moments.var_dims(x64, (0,), False, 1, False),
                                        lambda: np.var(x64, axis=0, ddof=1))
        cases["pow(x, 1.5)"] = (lambda: powf.pow_scalar(positive, 1.5),
                                lambda: np.power(positive, np.float32(1.5)))
        exponents = (x * np.float32(2)).reshape(positive.shape)
        cases["pow(x, y)"] = (lambda: powf.pow_tensor(positive, exponents),
                              lambda: np.power(positive, exponents))
    return cases


def kernel_costs(rounds: int = 3) -> str:
    """Each exact kernel of the second pass against NumPy's own formula.

    A ``(100, n/100)`` float32 array, reduced over dim 0 for softmax and var, over dim 1
    for logsumexp; ``pow`` on ``|x| + 0.1``.  Best of ``rounds`` alternating rounds.
    """
    rows = ["| kernel | 1e3 elements | 1e5 | 1e6 |", "|---|---|---|---|"]
    cells: Dict[str, List[str]] = {}
    rng = np.random.default_rng(0)
    for n, repeat in ((10**3, 200), (10**5, 10), (10**6, 3)):
        x = rng.standard_normal((100, n // 100)).astype(np.float32)
        for name, (kernel, numpy_formula) in _cost_cases(x).items():
            ours, theirs = [], []
            for _ in range(rounds):  # alternate, so that load on the machine hits both alike
                ours.append(best_of(kernel, repeat))
                theirs.append(best_of(numpy_formula, repeat))
            t, k = min(theirs) * 1e6, min(ours) * 1e6
            cells.setdefault(name, []).append(f"{t:,.0f} / {k:,.0f} us ({k / t:.1f}x)")
    rows += [f"| {name} | " + " | ".join(c) + " |" for name, c in cells.items()]
    return "\n".join(rows)


def matmul_table(draws: int = 5) -> str:
    """The opt-in MKL-order ``mm`` (``linalg.mm``): bits equal to torch's, and its cost."""
    rows = ["| product | bits equal to torch | NumPy `@` | exact `mm` | cost |",
            "|---|---|---|---|---|"]
    shapes = [("x @ w1", (64, 1000), (1000, 100), False), ("h @ w2", (64, 100), (100, 10), False),
              ("x.T @ grad_h", (1000, 64), (64, 100), True),
              ("grad_y @ w2.T", (64, 10), (10, 100), False),
              ("h.T @ grad_y", (100, 64), (64, 10), True),
              ("catalog MLP", (64, 32), (32, 128), False), ("wide", (128, 500), (500, 200), False)]
    rng = np.random.default_rng(0)
    for name, (m, k), (_, n), transposed in shapes:
        same = total = 0
        for _ in range(draws):
            a = rng.standard_normal((k, m) if transposed else (m, k)).astype(np.float32)
            a = a.T if transposed else a      # x.T as autograd passes it: a transposed view
            b = rng.standard_normal((k, n)).astype(np.float32)
            theirs = (torch.from_numpy(a) @ torch.from_numpy(b)).numpy()
            agree, size = agreeing(linalg.mm(a, b), theirs)
            same, total = same + agree, total + size
        t = best_of(lambda a=a, b=b: a @ b, 50) * 1e6
        e = best_of(lambda a=a, b=b: linalg.mm(a, b), 5) * 1e6
        rows.append(f"| {name} ({m}x{k} @ {k}x{n}) | {100 * same / total:.2f}% | {t:,.0f} us "
                    f"| {e:,.0f} us | {e / t:.0f}x |")
    return "\n".join(rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer inputs per op")
    parser.add_argument("--speed", action="store_true", help="also time the sum kernel")
    parser.add_argument("--costs", action="store_true",
                        help="also time each exact kernel against NumPy's formula")
    parser.add_argument("--matmul", action="store_true",
                        help="also measure the opt-in MKL-order mm: agreement and cost")
    parser.add_argument("--before", metavar="DIR", help="a checkout of an earlier microgrid")
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--shares-json", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    count = args.count or (8 if args.quick else 40)
    if args.shares_json:
        print(json.dumps(op_shares(count)))
        return
    print(f"torch {torch.__version__}, CPU capability {torch.backends.cpu.get_cpu_capability()}"
          f", {torch.get_num_threads()} threads; kernels: {reduce.cpu_capability()}, "
          f"{reduce.num_threads()} threads")
    print(f"after: microgrid at {os.path.dirname(microgrid.__file__)}; before: "
          f"{args.before or 'not measured (--before DIR)'}")
    print(table(count, args.before))
    if args.speed:
        print()
        print(speed())
    if args.costs:
        print()
        print(kernel_costs())
    if args.matmul:
        print()
        print(matmul_table())


if __name__ == "__main__":
    main()
