"""Comparing the two runs of a program: five checks and a verdict.

PyTorch counterpart: none.  PyTorch's run is the reference; microgrid's
must agree on

1. ``transcript``: what the program printed, byte for byte, and the
   warnings it showed (category and message; not their stderr text, which
   names the file that warned: a file inside PyTorch, or inside microgrid);
2. ``values``: every tensor the profiler saw (same names, shapes, dtypes,
   values within ``torch.testing.assert_close``'s default tolerance for the
   dtype: summation order may differ in the last bits);
3. ``grads``: every ``.grad``, checked the same way;
4. ``graph``: the graph behind every tensor and every ``.grad``, node for
   node (names and ``next_functions`` edges, in walk order);
5. ``error``: the exit status, and the class and message of any exception
   that escaped.

The verdict is MATCH when all five pass; UNSUPPORTED when microgrid stopped
on a PyTorch name it does not have; CRASH when a run died (signal, timeout);
MISMATCH otherwise.

Read next: ``report.py``, which prints the outcome.
"""

from __future__ import annotations

import difflib
import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

#: ``(rtol, atol)`` per dtype: torch.testing.assert_close's defaults.
TOLERANCES = {
    "torch.float16": (1e-3, 1e-5),
    "torch.bfloat16": (1.6e-2, 1e-5),
    "torch.float32": (1.3e-6, 1e-5),
    "torch.float64": (1e-7, 1e-7),
}

CHECKS = ("transcript", "values", "grads", "graph", "error")

#: How many problems a check lists before it only counts them.
DETAIL_LIMIT = 10


@dataclass
class Run:
    """What one engine did with one program, as the runner left it on disk."""

    stdout: str
    stderr: str
    record: Dict[str, Any]

    @classmethod
    def load(cls, prefix: str) -> "Run":
        def read(suffix: str) -> str:
            try:
                with open(prefix + suffix, encoding="utf-8", errors="replace") as f:
                    return f.read()
            except FileNotFoundError:
                return ""

        try:
            record = json.loads(read(".json"))
        except json.JSONDecodeError:
            record = {"crash": "the runner left no record"}
        return cls(read(".stdout"), read(".stderr"), record)

    @property
    def crash(self) -> Optional[str]:
        return self.record.get("crash")

    @property
    def status(self) -> Optional[int]:
        return self.record.get("status")

    @property
    def exception(self) -> Optional[Dict[str, Any]]:
        return self.record.get("exception")

    @property
    def missing(self) -> Optional[str]:
        return (self.exception or {}).get("missing")

    def tensors(self) -> Dict[str, Dict[str, Any]]:
        """Every snapshotted tensor as ``{"scope.name": record}``."""
        return {f"{snap['scope']}.{name}": record
                for snap in self.record.get("snapshots", ())
                for name, record in snap["tensors"].items()}


@dataclass
class Check:
    """The result of one of the five checks."""

    name: str
    ok: bool
    summary: str
    details: List[str] = field(default_factory=list)


@dataclass
class Outcome:
    """Both runs of one program, and the checks."""

    name: str
    torch: Run
    microgrid: Run
    checks: List[Check]

    @property
    def verdict(self) -> str:
        if self.torch.crash or self.microgrid.crash:
            return "CRASH"
        if all(c.ok for c in self.checks):
            return "MATCH"
        if self.microgrid.missing and not self.torch.exception:
            return "UNSUPPORTED"
        return "MISMATCH"

    @property
    def ok(self) -> bool:
        return self.verdict == "MATCH"


def compare_runs(name: str, torch: Run, microgrid: Run,
                 expected: Optional[str] = None) -> Outcome:
    """Run the five checks; ``expected`` is a transcript the PyTorch run must
    print as well (the seed tutorial's, from the article)."""
    if torch.crash or microgrid.crash:
        checks = [Check(n, False, "not compared: a run died") for n in CHECKS]
        return Outcome(name, torch, microgrid, checks)
    a, b = torch.tensors(), microgrid.tensors()
    checks = [check_transcript(torch, microgrid, expected), check_values(a, b),
              check_grads(a, b), check_graphs(a, b), check_error(torch, microgrid)]
    return Outcome(name, torch, microgrid, checks)


# -- 1. transcript ------------------------------------------------------------
def transcript_diff(expected: str, actual: str, expected_name: str, actual_name: str) -> List[str]:
    """A unified diff of two transcripts, line by line."""
    return [line.rstrip("\n") for line in difflib.unified_diff(
        expected.splitlines(keepends=True), actual.splitlines(keepends=True),
        expected_name, actual_name)]


#: PyTorch's warnings from C++ end with where in its C++ sources they were
#: raised; that part says nothing about the program.
_CPP_LOCATION = re.compile(r" \(Triggered internally at [^)]*\.\)$")


def _warnings(run: Run) -> str:
    return "".join(f"{w['category']}: {_CPP_LOCATION.sub('', w['message'])}\n"
                   for w in run.record.get("warnings", ()))


def check_transcript(torch: Run, microgrid: Run, expected: Optional[str]) -> Check:
    details = transcript_diff(torch.stdout, microgrid.stdout, "PyTorch", "microgrid")
    details += transcript_diff(_warnings(torch), _warnings(microgrid), "PyTorch (warnings)",
                               "microgrid (warnings)")
    if expected is not None and torch.stdout != expected:
        details += ["PyTorch no longer prints the expected transcript:"]
        details += transcript_diff(expected, torch.stdout, "expected", "PyTorch")
    lines = len(torch.stdout.splitlines())
    if details:
        return Check("transcript", False, "transcripts differ", details)
    return Check("transcript", True, f"{lines} lines identical")


# -- 2. and 3. values and gradients ---------------------------------------------
def value_difference(expected: Any, actual: Any, dtype: str) -> Tuple[float, float, bool]:
    """``(largest absolute difference, largest relative difference, close?)``
    between two tensors' values; closeness as torch.testing.assert_close."""
    try:
        x = np.asarray(expected, dtype=np.float64)
        y = np.asarray(actual, dtype=np.float64)
    except (TypeError, ValueError):  # values that are not numbers: compare exactly
        return (0.0, 0.0, True) if expected == actual else (math.inf, math.inf, False)
    rtol, atol = TOLERANCES.get(dtype, (0.0, 0.0))
    finite = np.isfinite(x) & np.isfinite(y)
    # NaNs and infinities must be the same, in the same places.
    special = ~finite
    same_special = bool(np.all((x[special] == y[special])
                               | (np.isnan(x[special]) & np.isnan(y[special]))))
    diff = np.zeros_like(x)
    np.subtract(x, y, out=diff, where=finite)
    diff = np.abs(diff)
    scale = np.abs(np.where(finite, x, 0.0))
    rel = np.divide(diff, scale, out=np.zeros_like(x), where=scale > 0)
    close = same_special and bool(np.all(diff <= atol + rtol * scale))
    largest_abs = float(diff.max(initial=0.0)) if same_special else math.inf
    largest_rel = float(rel.max(initial=0.0)) if same_special else math.inf
    return largest_abs, largest_rel, close


def tensor_problem(expected: Dict[str, Any], actual: Dict[str, Any]) -> Optional[str]:
    """What differs between two tensor records (shape, dtype, values), or None."""
    if expected["shape"] != actual["shape"]:
        return f"shape {expected['shape']} vs {actual['shape']}"
    if expected["dtype"] != actual["dtype"]:
        return f"dtype {expected['dtype']} vs {actual['dtype']}"
    if expected["values"] is None or actual["values"] is None:
        return None  # too big to send: shape and dtype only
    largest_abs, largest_rel, close = value_difference(expected["values"], actual["values"],
                                                       expected["dtype"])
    if close:
        return None
    return (f"largest absolute difference {largest_abs:.3g}, "
            f"largest relative difference {largest_rel:.3g}")


def _holder(torch_side: Optional[Any]) -> str:
    """Which run has a thing that only one run has (given PyTorch's side)."""
    return "microgrid" if torch_side is None else "PyTorch"


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _limited(problems: List[str]) -> List[str]:
    extra = len(problems) - DETAIL_LIMIT
    return problems[:DETAIL_LIMIT] + ([f"... and {extra} more"] if extra > 0 else [])


def _check_each(name: str, torch: Dict[str, Dict], microgrid: Dict[str, Dict],
                pick: Callable[[Dict], Optional[Dict]], noun: str) -> Check:
    """Compare ``pick(record)`` of every tensor both runs saw."""
    problems, compared = [], 0
    for key, record in torch.items():
        if key not in microgrid:
            continue
        a, b = pick(record), pick(microgrid[key])
        if a is None and b is None:
            continue
        compared += 1
        if a is None or b is None:
            problems.append(f"{key}: a {noun} only in {_holder(a)}")
        elif tensor_problem(a, b):
            problems.append(f"{key}: {tensor_problem(a, b)}")
    if problems:
        return Check(name, False, f"{len(problems)} differing, of {_count(compared, noun)}",
                     _limited(problems))
    return Check(name, True, f"{_count(compared, noun)} equal")


def check_values(torch: Dict[str, Dict], microgrid: Dict[str, Dict]) -> Check:
    check = _check_each("values", torch, microgrid, lambda record: record, "tensor")
    absent = [f"{key}: a tensor only in {side}"
              for side, mine, other in (("PyTorch", torch, microgrid),
                                        ("microgrid", microgrid, torch))
              for key in mine if key not in other]
    if absent:
        return Check("values", False, f"{_count(len(absent), 'tensor')} not in both runs",
                     _limited(absent + check.details))
    return check


def check_grads(torch: Dict[str, Dict], microgrid: Dict[str, Dict]) -> Check:
    return _check_each("grads", torch, microgrid, lambda record: record.get("grad"), "gradient")


# -- 4. graphs ----------------------------------------------------------------
def first_graph_difference(expected: List[list], actual: List[list]) -> Optional[str]:
    """Where two walked graphs first differ, or None if they are equal."""
    for a, b in zip(expected, actual, strict=False):
        if a != b:
            return (f"node {a[0]}: PyTorch {a[1]} <- {tuple(a[2])}, "
                    f"microgrid {b[1]} <- {tuple(b[2])}")
    if len(expected) != len(actual):
        return f"PyTorch has {len(expected)} nodes, microgrid {len(actual)}"
    return None


def check_graphs(torch: Dict[str, Dict], microgrid: Dict[str, Dict]) -> Check:
    problems, graphs, nodes = [], 0, 0
    for key, record in torch.items():
        other = microgrid.get(key)
        if other is None:
            continue
        pairs = [(key, record.get("graph"), other.get("graph"))]
        if "grad" in record and "grad" in other:
            pairs.append((key + ".grad", record["grad"]["graph"], other["grad"]["graph"]))
        for label, a, b in pairs:
            if a is None and b is None:
                continue
            graphs += 1
            nodes += len(a or ())
            if a is None or b is None:
                problems.append(f"{label}: a graph only in {_holder(a)}")
            elif first_graph_difference(a, b):
                problems.append(f"{label}: {first_graph_difference(a, b)}")
    if problems:
        return Check("graph", False, f"{len(problems)} differing, of {_count(graphs, 'graph')}",
                     _limited(problems))
    return Check("graph", True, f"{_count(graphs, 'graph')} equal ({_count(nodes, 'node')})")


# -- 5. errors ----------------------------------------------------------------
def _describe_error(run: Run) -> str:
    if run.exception is None:
        return f"exit status {run.status}"
    return f"{run.exception['type']}: {run.exception['message']}"


def check_error(torch: Run, microgrid: Run) -> Check:
    if microgrid.missing and not torch.exception:
        where = f" (line {microgrid.exception['line']})" if microgrid.exception["line"] else ""
        return Check("error", False, f"microgrid has no {microgrid.missing}{where}")
    a, b = torch.exception, microgrid.exception
    same = torch.status == microgrid.status and (a is None) == (b is None) and (
        a is None or (a["type"], a["message"]) == (b["type"], b["message"]))
    if not same:
        return Check("error", False, "errors differ", [f"PyTorch:   {_describe_error(torch)}",
                                                       f"microgrid: {_describe_error(microgrid)}"])
    if a is None:
        return Check("error", True, "no error" if torch.status == 0 else
                     f"both exit with status {torch.status}")
    return Check("error", True, f"both raise {a['type']}")
