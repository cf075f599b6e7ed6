"""Printing outcomes: side by side, verdicts, differences, a summary table.

PyTorch counterpart: none.  For each program: the two transcripts in two
columns (PyTorch on the left), lines aligned by a diff; a marker between
the columns says how each pair of lines compares (``|`` equal, ``X``
different, ``<`` only PyTorch printed it, ``>`` only microgrid did).  Then
the verdict with the five checks and, when something differs, the details:
a unified diff of the transcripts, the largest value difference of each
tensor that differs, the first node where two graphs part.

Read next: ``__main__.py``, the command line.
"""

from __future__ import annotations

import difflib
import shutil
import unicodedata
from typing import Any, Dict, Iterator, List, Sequence, Tuple

from .check import CHECKS, Outcome, Run

MARKERS = {"equal": "|", "replace": "X", "delete": "<", "insert": ">"}


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, columns: int) -> str:
    """``text`` cut (with an ellipsis) or padded to exactly ``columns``."""
    text = text.expandtabs()
    if width(text) > columns:
        while width(text) > columns - 1:
            text = text[:-1]
        text += "…"
    return text + " " * (columns - width(text))


def aligned(left: List[str], right: List[str]) -> Iterator[Tuple[str, str, str]]:
    """``(left line, marker, right line)`` rows, the lines paired by a diff."""
    matcher = difflib.SequenceMatcher(None, left, right, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        for k in range(max(i2 - i1, j2 - j1)):
            a = left[i1 + k] if i1 + k < i2 else None
            b = right[j1 + k] if j1 + k < j2 else None
            marker = MARKERS[tag] if a is not None and b is not None else (
                MARKERS["delete"] if b is None else MARKERS["insert"])
            yield a or "", marker, b or ""


def _shown(run: Run) -> List[str]:
    """The lines shown for one run: its stdout, then how it ended."""
    lines = run.stdout.splitlines()
    if run.crash:
        lines.append(f"[{run.crash}]")
    elif run.missing:
        lines.append(f"[stopped: microgrid has no {run.missing}]")
    elif run.exception:
        lines += run.stderr.splitlines()[-1:]
    return lines


def side_by_side(outcome: Outcome, columns: int) -> List[str]:
    half = (columns - 3) // 2
    names = [f"{name} {run.record.get('version', '')}".rstrip()
             for name, run in (("PyTorch", outcome.torch), ("microgrid", outcome.microgrid))]
    rows = [fit(names[0], half) + "   " + names[1], "-" * half + "-+-" + "-" * half]
    for a, marker, b in aligned(_shown(outcome.torch), _shown(outcome.microgrid)):
        rows.append((fit(a, half) + f" {marker} " + fit(b, half)).rstrip())
    return rows


def verdict_lines(outcome: Outcome) -> List[str]:
    reason = f": microgrid has no {outcome.microgrid.missing}" * (outcome.verdict == "UNSUPPORTED")
    lines = [f"{outcome.verdict}: {outcome.name}{reason}"]
    lines += [f"  {'ok ' if c.ok else 'BAD'} {c.name:<10} {c.summary}" for c in outcome.checks]
    for check in outcome.checks if outcome.verdict == "MISMATCH" else ():
        if not check.ok and check.details:
            lines.append(f"  -- {check.name} --")
            lines += ["    " + line for line in check.details]
    for side, run in (("PyTorch", outcome.torch), ("microgrid", outcome.microgrid)):
        lines += [f"  note ({side}): {problem}" for problem in run.record.get("problems", ())]
    if outcome.verdict == "MISMATCH" and any(r.exception for r in (outcome.torch,
                                                                    outcome.microgrid)):
        for side, run in (("PyTorch", outcome.torch), ("microgrid", outcome.microgrid)):
            if run.stderr:
                lines.append(f"  -- {side} stderr --")
                lines += ["    " + line for line in run.stderr.splitlines()[-12:]]
    return lines


def full_report(outcomes: Sequence[Outcome], titles: Dict[str, str]) -> str:
    """The whole human-readable report: every program, then the table."""
    columns = max(60, shutil.get_terminal_size((120, 24)).columns)
    out: List[str] = []
    for outcome in outcomes:
        title = f"== {outcome.name}: {titles.get(outcome.name, '')} "
        out += [title + "=" * max(0, columns - width(title)), ""]
        out += side_by_side(outcome, columns) + [""] + verdict_lines(outcome) + [""]
    out += summary_table(outcomes)
    return "\n".join(out)


def summary_table(outcomes: Sequence[Outcome]) -> List[str]:
    name_width = max([len("program")] + [len(o.name) for o in outcomes])
    head = f"{'program':<{name_width}}  " + "  ".join(f"{c:<10}" for c in CHECKS) + "  verdict"
    rows = [head, "-" * len(head)]
    for o in outcomes:
        cells = "  ".join(f"{'ok' if c.ok else 'DIFF':<10}" for c in o.checks)
        rows.append(f"{o.name:<{name_width}}  {cells}  {o.verdict}")
    matched = sum(o.ok for o in outcomes)
    rows += ["", f"{matched} of {len(outcomes)} programs match."]
    return rows


def quiet_report(outcomes: Sequence[Outcome]) -> str:
    lines = [f"{o.verdict:<11} {o.name}" + (f"  (microgrid has no {o.microgrid.missing})"
                                            if o.verdict == "UNSUPPORTED" else "")
             for o in outcomes]
    matched = sum(o.ok for o in outcomes)
    return "\n".join(lines + [f"{matched} of {len(outcomes)} programs match."])


def as_json(outcomes: Sequence[Outcome]) -> Dict[str, Any]:
    """Machine-readable results."""
    def run_summary(run: Run) -> Dict[str, Any]:
        return {"status": run.status, "exception": run.exception, "crash": run.crash,
                "stdout": run.stdout, "stderr": run.stderr,
                "problems": run.record.get("problems", [])}

    return {"ok": all(o.ok for o in outcomes), "programs": [
        {"name": o.name, "verdict": o.verdict, "missing": o.microgrid.missing,
         "checks": {c.name: {"ok": c.ok, "summary": c.summary, "details": c.details}
                    for c in o.checks},
         "torch": run_summary(o.torch), "microgrid": run_summary(o.microgrid)}
        for o in outcomes]}
