"""Comparing the runs of a program: five checks and a verdict with its reason.

PyTorch counterpart: none.  PyTorch's run is the reference; microgrid's
must agree on

1. ``transcript``: what the program printed, byte for byte once memory
   addresses are masked (``transcript.py``), and the warnings it showed
   (category and message; not their stderr text, which names the file that
   warned: a file inside PyTorch, or inside microgrid);
2. ``values``: every tensor the profiler saw (same names, shapes, dtypes,
   values);
3. ``grads``: every ``.grad``, checked the same way;
4. ``graph``: the graph behind every tensor and every ``.grad``, node for
   node (names and ``next_functions`` edges, in walk order);
5. ``error``: the exit status, and the class and message of any exception
   that escaped.

PyTorch runs twice, so that what a program does differently on every run
(unseeded randomness, ``id()``, the clock, the order of a set of objects)
is seen as the program's doing and never blamed on microgrid.

The verdict, with a one-line reason:

* ``UNSTABLE``    PyTorch's two runs differ: nothing else can be judged;
* ``CRASH``       a run died (a signal, the time limit), or microgrid raised
                  where PyTorch did not, for a reason other than:
* ``UNSUPPORTED`` microgrid stopped on something it lacks (a name, a
                  submodule, a keyword argument), whatever PyTorch did later;
* ``EXACT``       all five agree: the transcript byte for byte, the
                  tensors as ``torch.testing.assert_close`` judges them
                  (bit for bit with ``--bitwise``; the reason says how
                  many are equal only within tolerance);
* ``ROUNDING``    they agree except for printed numbers within float
                  tolerance (``transcript.rounding``), or, with
                  ``--bitwise``, tensors equal only within tolerance; or
                  the program amplifies rounding (below);
* ``MISMATCH``    anything else.

A program that would be MISMATCH only by numbers (both runs end alike, the
graphs and errors equal, the same lines printed apart from their numbers,
the same tensors with the same shapes and dtypes: :func:`numbers_only`)
may be one that amplifies last-bit differences, as a few hundred training
steps do: microgrid's matrix products are NumPy's BLAS, not MKL's, and
round differently in the last bit (docs/numerics.md).  For such a program
PyTorch runs once more with its own rounding perturbed (its scalar kernels,
:data:`PERTURBATION`), and :func:`reconsider` measures how far PyTorch moves
from its reference run at the places where microgrid differs (each printed
number, tensor and gradient).  If at every one of them PyTorch moves too,
and microgrid by no more than :data:`FACTOR` times as far as PyTorch there
(plus float32's rounding floor), the verdict is ROUNDING: the difference is the
program's amplification of rounding, not microgrid's error.  Otherwise
MISMATCH stays, and its reason says what PyTorch's perturbed run showed.

Read next: ``report.py``, which prints the outcome.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass, field
from typing import Any, Callable, Dict, List, Optional, Tuple

import numpy as np

from .transcript import NUMBER, TOLERANCE, Rounding, mask, opcodes, rounding

#: ``(rtol, atol)`` per dtype: torch.testing.assert_close's defaults.
TOLERANCES = {
    "torch.float16": (1e-3, 1e-5),
    "torch.bfloat16": (1.6e-2, 1e-5),
    "torch.float32": (1.3e-6, 1e-5),
    "torch.float64": (1e-7, 1e-7),
}

CHECKS = ("transcript", "values", "grads", "graph", "error")
VERDICTS = ("EXACT", "ROUNDING", "MISMATCH", "UNSUPPORTED", "CRASH", "UNSTABLE")

#: How many problems a check lists before it only counts them.
DETAIL_LIMIT = 10


@dataclass
class Run:
    """What one engine did with one program, as the runner left it on disk.
    Paths inside the program's working copy are written as the original
    folder's, so that the runs (each in its own copy) can be compared."""

    stdout: str
    stderr: str
    record: Dict[str, Any]
    cells: List[str] = field(default_factory=list)  # a notebook's output, cell by cell

    @classmethod
    def load(cls, prefix: str) -> "Run":
        def read(suffix: str) -> bytes:
            try:
                with open(prefix + suffix, "rb") as f:
                    return f.read()
            except FileNotFoundError:
                return b""

        try:
            record = json.loads(read(".json"))
        except json.JSONDecodeError:
            record = {"crash": "the runner left no record"}
        workdir, home = record.get("workdir"), record.get("home")

        def text(data: bytes) -> str:
            decoded = data.decode("utf-8", errors="replace")
            return decoded.replace(workdir, home) if workdir and workdir != home else decoded

        stdout = read(".stdout")
        ends = [cell["end"] for cell in record.get("cells", ())]
        cells = [text(stdout[start:end]) for start, end in zip([0] + ends, ends, strict=False)]
        return cls(text(stdout), text(read(".stderr")), record, cells)

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
        """What microgrid lacks, if that stopped it (``microgrid has no …``)."""
        return (self.exception or {}).get("missing")

    def tensors(self) -> Dict[str, Dict[str, Any]]:
        """Every snapshotted tensor as ``{"scope.name": record}``."""
        return {f"{snap['scope']}.{name}": record
                for snap in self.record.get("snapshots", ())
                for name, record in snap["tensors"].items()}


@dataclass
class Check:
    """The result of one of the five checks.  ``state`` is ``ok``,
    ``rounding`` (equal within tolerance), ``none`` (nothing to compare) or
    ``differs``."""

    name: str
    state: str
    summary: str
    details: List[str] = field(default_factory=list)
    count: int = 0  # lines, tensors, gradients or graphs compared
    inexact: int = 0  # of them, equal only within float tolerance

    @property
    def ok(self) -> bool:
        return self.state in ("ok", "none")


@dataclass
class Outcome:
    """The runs of one program, the checks, and the verdict."""

    name: str
    torch: Run
    microgrid: Run
    checks: List[Check]
    verdict: str
    reason: str
    notes: List[str] = field(default_factory=list)
    again: Optional[Run] = None  # PyTorch's second run
    perturbable: bool = False  # MISMATCH only by numbers: worth a perturbed PyTorch run
    evidence: Optional[Dict[str, Any]] = None  # what the perturbed run showed (reconsider)

    @property
    def ok(self) -> bool:
        return self.verdict == "EXACT"


def _where(exception: Dict[str, Any]) -> str:
    """`` (line 7)`` or `` (cell 3, line 2)``: where an exception was raised."""
    if not exception.get("line"):
        return ""
    where = exception.get("where") or "<module>"
    return f" ({where}, line {exception['line']})" if where.startswith("cell") else (
        f" (line {exception['line']})")


def compare_runs(name: str, torch: Run, again: Run, microgrid: Run,
                 expected: Optional[str] = None, source: str = "",
                 cells: Optional[List[str]] = None, bitwise: bool = False) -> Outcome:
    """Judge a program by its three runs; ``expected`` is a transcript the
    PyTorch run must print as well (the seed tutorial's, from the article);
    ``source`` is the program's text (to guess why a run is unstable);
    ``cells`` the first lines of a notebook's code cells; ``bitwise``: see
    :func:`judge`."""
    def not_compared(verdict: str, reason: str, why: str) -> Outcome:
        checks = [Check(n, "none", f"not compared: {why}") for n in CHECKS]
        return Outcome(name, torch, microgrid, checks, verdict, reason, again=again)

    if torch.crash:
        return not_compared("CRASH", f"PyTorch's own run {torch.crash}", "PyTorch's run died")
    if again.crash:
        return not_compared("CRASH", f"PyTorch's second run {again.crash}",
                            "PyTorch's second run died")
    unstable = instability(torch, again, source)
    if unstable:
        return not_compared("UNSTABLE", unstable, "PyTorch's runs differ")
    if microgrid.crash:
        return not_compared("CRASH", f"microgrid {microgrid.crash}", "microgrid's run died")
    a, b = torch.tensors(), microgrid.tensors()
    transcript, diverged = check_transcript(torch, microgrid, expected)
    checks = [transcript, check_values(a, b), check_grads(a, b), check_graphs(a, b),
              check_error(torch, microgrid)]
    verdict, reason = judge(torch, microgrid, checks, bitwise)
    if verdict == "MISMATCH" and RANDOM.search(source) and any(
            c.state == "differs" for c in checks if c.name in ("values", "grads")) and (
            torch.record.get("draws") != microgrid.record.get("draws")):
        reason += ("; likely cause: the program draws random numbers, and microgrid's "
                   "are not PyTorch's for the same seed")
    if cells is not None and verdict not in ("EXACT", "UNSUPPORTED"):
        cell = first_diverging_cell(torch, microgrid, checks)
        if cell is not None:
            first = cells[cell - 1] if 0 < cell <= len(cells) else ""
            reason += f"; first diverging cell: {cell}" + (f" ({first})" if first else "")
    if verdict == "MISMATCH" and diverged and not reason.startswith(transcript.summary):
        reason += f"; first differing {diverged}"  # the cause first, then what it shows
    perturbable = verdict == "MISMATCH" and numbers_only(torch, microgrid, checks, expected)
    return Outcome(name, torch, microgrid, checks, verdict, reason, again=again,
                   perturbable=perturbable)


def judge(torch: Run, microgrid: Run, checks: List[Check],
          bitwise: bool = False) -> Tuple[str, str]:
    """The verdict and its one-line reason, once both runs ran to an end.
    Unless ``bitwise``, tensors equal within float tolerance (the printed
    transcript identical) still make an EXACT program, and its reason says so."""
    by_name = {c.name: c for c in checks}
    hidden = ("values", "grads") if not bitwise else ()
    unsupported = microgrid.missing
    if unsupported and torch.exception and (torch.exception["type"], torch.exception["line"]) \
            == (microgrid.exception["type"], microgrid.exception["line"]):
        unsupported = None  # PyTorch has no such thing either: compare the errors
    if unsupported:
        return "UNSUPPORTED", unsupported + _where(microgrid.exception)
    if not any(c.state == "differs" for c in checks):
        rounded = [c for c in checks if c.state == "rounding" and c.name not in hidden]
        if not rounded:
            return "EXACT", _exact_reason(checks)
        return "ROUNDING", "; ".join(c.summary for c in rounded)
    if microgrid.exception and not torch.exception:
        e = microgrid.exception
        return "CRASH", (f"microgrid raised {e['type']}: {_one_line(e['message'])}"
                         f"{_where(e)}; PyTorch did not")
    for name in ("error", "graph", "values", "grads", "transcript"):
        check = by_name[name]
        if check.state == "differs":
            cause = check.details[0] if check.details and name != "transcript" else ""
            return "MISMATCH", f"{check.summary}" + (f": {cause}" if cause else "")
    return "MISMATCH", "the runs differ"  # not reached: some check differs


def _one_line(text: str, limit: int = 120) -> str:
    line = " ".join(text.split())
    return line if len(line) <= limit else line[:limit - 1] + "…"


def _exact_reason(checks: List[Check]) -> str:
    """``12 lines, 5 tensors, 2 gradients, 3 graphs equal``, then what is
    equal only within tolerance, then how the program ended."""
    by_name = {c.name: c for c in checks}
    nouns = {"transcript": "line", "values": "tensor", "grads": "gradient", "graph": "graph"}
    parts = [_count(by_name[n].count, noun) for n, noun in nouns.items() if by_name[n].count]
    reason = (", ".join(parts) + " equal") if parts else "nothing printed or recorded"
    inexact = [_count(by_name[n].inexact, nouns[n]) for n in ("values", "grads")
               if by_name[n].inexact]
    if inexact:
        reason += f"; {' and '.join(inexact)} only within float tolerance"
    if by_name["error"].summary != "no error":
        reason += f"; {by_name['error'].summary}"
    return reason


#: What in a program's text draws from torch's random generator.
RANDOM = re.compile(r"\b(?:randn|rand|randint|randperm|normal|multinomial|bernoulli|dropout"
                    r"|Dropout|Linear|Conv\dd|Embedding|init\.\w+_)\b")


# -- PyTorch against itself ------------------------------------------------------
#: What in a program's text can make it print differently on every run.
CAUSES = [
    (re.compile(r"\bid\s*\("), "id()"),
    (re.compile(r"\bhash\s*\("), "hash()"),
    (re.compile(r"\btime\.(?:time|perf_counter|monotonic|process_time)|\bdatetime\b"
                r"|\btimeit\b"), "timing"),
    (re.compile(r"\b(?:frozen)?set\s*\(|\{[^{}:]+\}"), "set order"),
    (re.compile(r"default_rng\(\s*\)|\bos\.urandom|\bsecrets\b|\buuid\b|SystemRandom"
                r"|torch\.seed\(\s*\)|random\.seed\(\s*\)"), "unseeded randomness"),
    (re.compile(r"\bthreading\b|\bmultiprocessing\b|\bconcurrent\b"), "threads"),
    (re.compile(r"\bos\.getpid\b|\bos\.environ\b|\bplatform\b|\bsocket\b"),
     "the process or the machine"),
]


def likely_cause(source: str, line: str) -> str:
    """Why a program's output may change from run to run, guessed from its text."""
    found = [cause for pattern, cause in CAUSES if pattern.search(source)]
    if not found and re.search(r"\d{9,}", line):
        found = ["a number that changes from run to run (an id()?)"]
    return ", ".join(found) if found else "something in the program that changes between runs"


def instability(first: Run, second: Run, source: str) -> Optional[str]:
    """How PyTorch's two runs of a program differ, or None if they agree
    (transcripts after masking, tensors exactly, errors)."""
    a, b = mask(first.stdout).splitlines(), mask(second.stdout).splitlines()
    where = None
    if a != b:
        line = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y),
                    min(len(a), len(b)))
        shown = a[line] if line < len(a) else "(the end of the transcript)"
        where = f"line {line + 1}: {_one_line(shown, 60)!r}"
        sample = shown + (b[line] if line < len(b) else "")
    elif (first.status, first.exception) != (second.status, second.exception):
        where, sample = "how it ended", ""
    else:
        x, y = first.tensors(), second.tensors()
        key = next((k for k in x if k not in y or not identical(x[k], y[k])), None)
        key = key or next((k for k in y if k not in x), None)
        if key is None:
            return None
        where, sample = f"tensor {key}", ""
    return (f"PyTorch differs from itself on a second run at {where}; "
            f"likely cause: {likely_cause(source, sample)}")


# -- rounding the program amplifies -------------------------------------------
#: How PyTorch's rounding is perturbed for its third run: its scalar kernels
#: (no AVX2/AVX512 vectorisation) sum and round in another order.  (On the
#: reference machine ``ATEN_CPU_CAPABILITY=avx2`` and one thread print the
#: same bits as the default run for PyTorch's tutorial and
#: tests/scripts/trains_mlp.py: no perturbation, so no second one is run.)
PERTURBATION = {"ATEN_CPU_CAPABILITY": "default"}
PERTURBED = "PyTorch against itself with its scalar kernels (ATEN_CPU_CAPABILITY=default)"

#: How much farther than PyTorch's perturbed run microgrid may be from
#: PyTorch's reference run, place by place, and still count as rounding.
#: Two runs rounded differently drift from the reference by amounts of the
#: same order but not the same size: in PyTorch's tutorial (500 SGD steps,
#: 5 losses) microgrid moves 0.13x to 7x as far as PyTorch's scalar kernels
#: line by line, 0.97x over the transcript (2.8e-3 against 2.9e-3).  So the
#: bound is one decimal order of magnitude, at every place that differs
#: (each printed number, tensor and gradient): a move of PyTorch's at one
#: place never excuses microgrid at another.  A wrong gradient moves a
#: trained value by its own error: 0.1% too much in MulBackward0 moves
#: tests/scripts/trains_mlp.py 260x as far as PyTorch's scalar kernels do
#: (its losses 1350x).
FACTOR = 10.0

#: float32's rounding floor (assert_close's float32 rtol), added to the
#: bound at each place where PyTorch's perturbed run moved at all.
FLOOR = 1.3e-6

#: The relative measure's largest value: two numbers of opposite signs, or
#: a special value (nan, inf) against another number.
FARTHEST = 2.0


def numbers_only(torch: Run, microgrid: Run, checks: List[Check],
                 expected: Optional[str] = None) -> bool:
    """Do the runs differ only in numbers?  Both ended alike (the error
    check agrees), graphs equal, the same warnings and the same number of
    lines, differing lines equal once their numbers are masked, the same
    tensors and gradients with the same shapes and dtypes."""
    by_name = {c.name: c for c in checks}
    if not (by_name["error"].ok and by_name["graph"].ok) or microgrid.missing:
        return False
    if expected is not None and torch.stdout != expected:
        return False
    if _warnings(torch) != _warnings(microgrid):
        return False
    a, b = mask(torch.stdout).splitlines(), mask(microgrid.stdout).splitlines()
    if len(a) != len(b) or any(NUMBER.sub("#", x) != NUMBER.sub("#", y)
                               for x, y in zip(a, b, strict=True) if x != y):
        return False
    return _same_tensors(torch.tensors(), microgrid.tensors())


def _same_tensors(x: Dict[str, Dict], y: Dict[str, Dict]) -> bool:
    """The same tensors (and gradients) with the same shapes and dtypes."""
    if x.keys() != y.keys():
        return False
    for key, a in x.items():
        b = y[key]
        if (a["shape"], a["dtype"]) != (b["shape"], b["dtype"]):
            return False
        ga, gb = a.get("grad"), b.get("grad")
        if (ga is None) != (gb is None) or (ga is not None and (
                (ga["shape"], ga["dtype"]) != (gb["shape"], gb["dtype"]))):
            return False
    return True


def _relative(expected: float, actual: float) -> float:
    """How far a printed number moved from PyTorch's, relative to the larger
    of the two magnitudes: finite, from 0 to :data:`FARTHEST` (a printed 0
    that moves has moved all of its size)."""
    if expected == actual or (math.isnan(expected) and math.isnan(actual)):
        return 0.0
    if not (math.isfinite(expected) and math.isfinite(actual)):
        return FARTHEST
    return abs(actual - expected) / max(abs(expected), abs(actual))


def _tensor_relative(expected: Any, actual: Any) -> float:
    """How far a tensor moved: its largest difference relative to the
    largest magnitude in either tensor (an element near zero has no
    relative size of its own); :data:`FARTHEST` if its special values
    (nan, inf) moved.  Finite, from 0 to :data:`FARTHEST`."""
    x = np.asarray(expected, dtype=np.float64)
    y = np.asarray(actual, dtype=np.float64)
    if x.shape != y.shape or not np.array_equal(np.isfinite(x), np.isfinite(y)):
        return FARTHEST
    finite = np.isfinite(x)
    if not np.array_equal(x[~finite], y[~finite], equal_nan=True):
        return FARTHEST
    diff = float(np.abs(x[finite] - y[finite]).max(initial=0.0))
    scale = max(float(np.abs(x[finite]).max(initial=0.0)),
                float(np.abs(y[finite]).max(initial=0.0)))
    return 0.0 if diff == 0 else min(diff / scale, FARTHEST)


#: One place microgrid differs at: ``(where, PyTorch's perturbed move, microgrid's)``.
Place = Tuple[str, float, float]


def _transcript_moves(torch: Run, perturbed: Run, microgrid: Run) -> Optional[List[Place]]:
    """The numbers microgrid prints differently, each with how far PyTorch's
    perturbed run and microgrid moved it; None if PyTorch's perturbed run
    printed other lines or other text."""
    a, p, b = (mask(run.stdout).splitlines() for run in (torch, perturbed, microgrid))
    if len(p) != len(a):
        return None
    places: List[Place] = []
    for line, (x, z, y) in enumerate(zip(a, p, b, strict=True), 1):
        if NUMBER.sub("#", z) != NUMBER.sub("#", x):
            return None
        if x == y:
            continue
        numbers = list(zip(NUMBER.findall(x), NUMBER.findall(z), NUMBER.findall(y),
                           strict=True))
        for i, (t, q, m) in enumerate(numbers, 1):
            if t != m:
                where = f"line {line}" if len(numbers) == 1 else f"line {line}, number {i}"
                places.append((where, _relative(float(t), float(q)),
                               _relative(float(t), float(m))))
    return places


def _tensor_moves(torch: Dict[str, Dict], perturbed: Dict[str, Dict],
                  microgrid: Dict[str, Dict], grads: bool) -> Optional[List[Place]]:
    """Like :func:`_transcript_moves`, over the tensors (or gradients)
    microgrid has beyond float tolerance; None if PyTorch's perturbed run
    lacks one of them."""
    places: List[Place] = []
    for key, record in torch.items():
        a = record.get("grad") if grads else record
        b = microgrid[key].get("grad") if grads else microgrid[key]
        if a is None or b is None or a["values"] is None or b["values"] is None \
                or tensor_problem(a, b) is None:
            continue
        other = perturbed.get(key)
        p = (other.get("grad") if grads else other) if other else None
        if p is None or p["values"] is None or (p["shape"], p["dtype"]) != (
                a["shape"], a["dtype"]):
            return None
        places.append((f"{key}.grad" if grads else key,
                       _tensor_relative(a["values"], p["values"]),
                       _tensor_relative(a["values"], b["values"])))
    return places


def _rounding_at(moved: float, ours: float) -> bool:
    """Is microgrid's move at one place rounding, given PyTorch's perturbed one there?"""
    return moved > 0 and ours <= FACTOR * moved + FLOOR


def _ratio(moved: float, ours: float) -> float:
    return ours / moved if moved else math.inf


def reconsider(outcome: Outcome, perturbed: Run) -> Outcome:
    """Judge again a program that is MISMATCH only by numbers, now that
    PyTorch ran it once more with its rounding perturbed (see the module
    docstring): ROUNDING if, at every place microgrid differs (each printed
    number, tensor and gradient), PyTorch's perturbed run moves too and
    microgrid no more than :data:`FACTOR` times as far (plus :data:`FLOOR`);
    otherwise the MISMATCH, its reason naming the worst place."""
    torch, microgrid = outcome.torch, outcome.microgrid
    evidence: Dict[str, Any] = {
        "perturbation": " ".join(f"{k}={v}" for k, v in PERTURBATION.items()),
        "factor": FACTOR, "floor": FLOOR, "amplified": False}
    outcome.evidence = evidence
    if perturbed.crash or (perturbed.status, perturbed.exception) != (
            torch.status, torch.exception):
        evidence["problem"] = "PyTorch's perturbed run " + (
            perturbed.crash or "ended differently")
        outcome.reason += f"; {evidence['problem']}"
        return outcome
    x, p, y = torch.tensors(), perturbed.tensors(), microgrid.tensors()
    found = {"transcript": _transcript_moves(torch, perturbed, microgrid),
             "values": _tensor_moves(x, p, y, grads=False),
             "grads": _tensor_moves(x, p, y, grads=True)}
    if any(places is None for places in found.values()):
        evidence["problem"] = "PyTorch's perturbed run printed or kept other things"
        outcome.reason += f"; {evidence['problem']}"
        return outcome
    groups: Dict[str, List[Place]] = {name: places for name, places in found.items() if places}
    everywhere = [(name, *place) for name, places in groups.items() for place in places]
    # The worst place: the largest ratio of microgrid's move to PyTorch's
    # (infinite where PyTorch's perturbed run is bit-identical), then the
    # largest move of microgrid's.
    name, where, moved, ours = max(everywhere, key=lambda e: (_ratio(e[2], e[3]), e[3]))
    ratio = _ratio(moved, ours)
    evidence["groups"] = {
        group: {"places": len(places), "pytorch": max(m for _, m, _ in places),
                "microgrid": max(o for _, _, o in places),
                "ratio": max(_ratio(m, o) for _, m, o in places)}
        for group, places in groups.items()}
    evidence.update(pytorch=max(m for _, _, m, _ in everywhere),
                    microgrid=max(o for _, _, _, o in everywhere),
                    worst={"where": where, "pytorch": moved, "microgrid": ours,
                           "ratio": ratio})
    for record in [evidence["worst"], *evidence["groups"].values()]:
        if record["ratio"] == math.inf:  # JSON has no infinity
            record["ratio"] = None
    if all(_rounding_at(m, o) for _, _, m, o in everywhere):
        evidence["amplified"] = True
        outcome.verdict = "ROUNDING"
        outcome.reason = (f"the program amplifies rounding: {PERTURBED} differs by up to "
                          f"{evidence['pytorch']:.2g} (relative), microgrid by up to "
                          f"{evidence['microgrid']:.2g}, where they differ ({_places(groups)})")
    elif evidence["pytorch"] == 0:
        outcome.reason += (f"; {PERTURBED} is bit-identical where microgrid differs: "
                           "the difference is microgrid's")
    elif moved == 0:
        outcome.reason += (f"; {PERTURBED} is bit-identical at {_spelled(name, where)}, "
                           f"where microgrid differs by {ours:.2g} (relative)")
    else:
        outcome.reason += (f"; {PERTURBED} differs by up to {moved:.2g} (relative), "
                           f"microgrid by up to {ours:.2g}, more than {FACTOR:g}x as far"
                           f" (at {_spelled(name, where)})")
    outcome.notes.append(
        "how far from PyTorch's run (relative), PyTorch's scalar kernels vs microgrid, "
        "largest where they differ: " + "; ".join(
            f"{group} {record['pytorch']:.2g} vs {record['microgrid']:.2g}"
            for group, record in evidence["groups"].items())
        + "; place by place, microgrid " + (
            f"at most {ratio:.2g}x as far" if ratio < math.inf else
            "moves where PyTorch's perturbed run is bit-identical")
        + f" ({_spelled(name, where)})")
    return outcome


def _spelled(group: str, where: str) -> str:
    """A place, as the reason names it."""
    if group == "transcript":
        return f"the transcript's {where}"
    return f"the gradient of tensor {where[:-len('.grad')]}" if group == "grads" \
        else f"tensor {where}"


def _places(groups: Dict[str, List[Place]]) -> str:
    nouns = {"transcript": "printed number", "values": "tensor", "grads": "gradient"}
    return ", ".join(_count(len(places), nouns[name]) for name, places in groups.items())


# -- 1. transcript ------------------------------------------------------------
#: PyTorch's warnings from C++ end with where in its C++ sources they were
#: raised; that part says nothing about the program.
_CPP_LOCATION = re.compile(r" \(Triggered internally at [^)]*\.\)$")


def _warnings(run: Run) -> List[str]:
    return [f"{w['category']}: {_CPP_LOCATION.sub('', w['message'])}"
            for w in run.record.get("warnings", ())]


def check_transcript(torch: Run, microgrid: Run,
                     expected: Optional[str]) -> Tuple[Check, Optional[str]]:
    """The transcript check, and the first line where the transcripts part
    (for the report)."""
    a, b = mask(torch.stdout).splitlines(), mask(microgrid.stdout).splitlines()
    lines = len(a)
    details: List[str] = []
    if expected is not None and torch.stdout != expected:
        details.append("PyTorch no longer prints the expected transcript")
    warned_a, warned_b = _warnings(torch), _warnings(microgrid)
    if warned_a != warned_b:
        details += [f"PyTorch warned:   {w}" for w in warned_a if w not in warned_b]
        details += [f"microgrid warned: {w}" for w in warned_b if w not in warned_a]
    differing, rounded, worst, first = 0, 0, Rounding(), None
    for tag, i1, i2, j1, j2 in opcodes(a, b):
        if tag == "equal":
            continue
        if first is None:
            theirs = repr(_one_line(b[j1], 40)) if j1 < j2 else "nothing"
            mine = repr(_one_line(a[i1], 40)) if i1 < i2 else "nothing"
            first = f"line {i1 + 1}: PyTorch {mine}, microgrid {theirs}"
        pairs = list(zip(a[i1:i2], b[j1:j2], strict=False)) if tag == "replace" else []
        differing += max(i2 - i1, j2 - j1)
        if tag == "replace" and i2 - i1 == j2 - j1:
            for x, y in pairs:
                close = rounding(x, y)
                if close is None:
                    break
                rounded += 1
                worst.add(close)
    if details or (differing and rounded < differing):
        what = (f"{differing} of {lines} lines differ, first {first}" if differing
                else "warnings differ")
        return Check("transcript", "differs", what, details), first
    if differing:
        size = f"largest {worst.ulps:.0f} ulp{'s' * (worst.ulps != 1)}, " \
               f"relative {worst.relative:.2g}" if worst.ulps or not worst.last_digit else ""
        digits = (f"{worst.last_digit} number{'s' * (worst.last_digit != 1)} one unit apart "
                  "in the last printed digit") if worst.last_digit else ""
        return Check("transcript", "rounding",
                     f"{rounded} of {lines} lines differ only in numbers within "
                     f"float32 tolerance ({', '.join(filter(None, [size, digits]))})",
                     [f"tolerance: {TOLERANCE}"]), first
    return Check("transcript", "ok", f"{_count(lines, 'line')} identical", count=lines), None


def first_diverging_cell(torch: Run, microgrid: Run, checks: List[Check]) -> Optional[int]:
    """The number of a notebook's first code cell whose output or tensors differ."""
    for number, (x, y) in enumerate(zip(torch.cells, microgrid.cells, strict=False), start=1):
        if mask(x) != mask(y):
            return number
    for check in checks:
        for detail in check.details:
            found = re.match(r"cell (\d+)", detail)
            if found:
                return int(found.group(1))
    if microgrid.exception and microgrid.exception.get("where", "").startswith("cell "):
        return int(microgrid.exception["where"].split()[1])
    if len(torch.cells) != len(microgrid.cells):
        return min(len(torch.cells), len(microgrid.cells)) + 1
    return None


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
    """What differs between two tensor records (shape, dtype, values beyond
    tolerance), or None."""
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


def identical(a: Any, b: Any) -> bool:
    """Are two records equal bit for bit (NaN equal to NaN, unlike ``==``)?"""
    return json.dumps(a, sort_keys=True) == json.dumps(b, sort_keys=True)


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
    """Compare ``pick(record)`` of every tensor both runs saw: equal, equal
    within tolerance, or different."""
    problems, compared, rounded = [], 0, []
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
        elif not identical(a["values"], b["values"]):
            largest_abs, largest_rel, _ = value_difference(a["values"], b["values"],
                                                           a["dtype"])
            rounded.append((largest_rel, f"{key}: largest absolute difference "
                                         f"{largest_abs:.3g}, relative {largest_rel:.3g}"))
    if problems:
        return Check(name, "differs", f"{len(problems)} of {_count(compared, noun)} differ"
                     .replace("1 of 1 tensor differ", "the tensor differs")
                     .replace("1 of 1 gradient differ", "the gradient differs"),
                     _limited(problems))
    if rounded:
        rounded.sort(reverse=True)
        return Check(name, "rounding", f"{_count(compared, noun)} equal, {len(rounded)} of "
                     "them within float tolerance, not bit for bit "
                     f"(largest relative difference {rounded[0][0]:.2g})",
                     _limited([detail for _, detail in rounded]), compared, len(rounded))
    if not compared:
        return Check(name, "none", f"no {noun}s to compare")
    return Check(name, "ok", f"{_count(compared, noun)} equal", count=compared)


def check_values(torch: Dict[str, Dict], microgrid: Dict[str, Dict]) -> Check:
    check = _check_each("values", torch, microgrid, lambda record: record, "tensor")
    absent = [f"{key}: a tensor only in {side}"
              for side, mine, other in (("PyTorch", torch, microgrid),
                                        ("microgrid", microgrid, torch))
              for key in mine if key not in other]
    if absent:
        return Check("values", "differs", f"{_count(len(absent), 'tensor')} not in both runs",
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
        return Check("graph", "differs", f"{len(problems)} of {_count(graphs, 'graph')} differ",
                     _limited(problems))
    if not graphs:
        return Check("graph", "none", "no graphs to compare")
    return Check("graph", "ok", f"{_count(graphs, 'graph')} equal ({_count(nodes, 'node')})",
                 count=graphs)


# -- 5. errors ----------------------------------------------------------------
def _describe_error(run: Run) -> str:
    if run.exception is None:
        return f"exit status {run.status}"
    return f"{run.exception['type']}: {_one_line(run.exception['message'])}"


def check_error(torch: Run, microgrid: Run) -> Check:
    a, b = torch.exception, microgrid.exception
    same = torch.status == microgrid.status and (a is None) == (b is None) and (
        a is None or (a["type"], a["message"]) == (b["type"], b["message"]))
    if not same:
        return Check("error", "differs", "errors differ",
                     [f"PyTorch {_describe_error(torch)}; "
                      f"microgrid {_describe_error(microgrid)}"])
    if a is None:
        return Check("error", "ok", "no error" if torch.status == 0 else
                     f"both exit with status {torch.status}")
    return Check("error", "ok", f"both raise {a['type']}")
