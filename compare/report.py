"""Printing outcomes: progress, the summary table, then what differs.

PyTorch counterpart: none.  The report fits the terminal (80 columns when
output is piped): a progress line as each program is judged, then the
summary table (program, verdict, reason: the reason is cut to fit, never
the verdict), then, for each program that is not EXACT, its reason, notes,
the two transcripts side by side (PyTorch on the left; around the lines
that differ, at most :data:`DIFF_ROWS` differing rows unless ``--full``)
and the details of each check.  A marker between the columns says how each
pair of lines compares (``|`` equal, ``X`` different, ``<`` only PyTorch
printed it, ``>`` only microgrid did).  Colour only on a terminal, and
never with ``NO_COLOR`` set.

Read next: ``__main__.py``, the command line.
"""

from __future__ import annotations

import os
import sys
import textwrap
import unicodedata
from collections import Counter
from typing import Any, Dict, Iterator, List, Optional, Sequence, TextIO, Tuple

from .check import VERDICTS, Outcome, Run
from .transcript import mask, opcodes

MARKERS = {"equal": "|", "replace": "X", "delete": "<", "insert": ">"}

#: Differing rows shown per program without ``--full``; transcripts up to
#: :data:`WHOLE_ROWS` rows are shown whole.
DIFF_ROWS = 40
WHOLE_ROWS = 24
CONTEXT = 2

#: Characters of a transcript kept in ``--json`` (per stream and run).
JSON_LIMIT = 200_000

COLOURS = {"EXACT": "32", "ROUNDING": "36", "MISMATCH": "31", "CRASH": "1;31",
           "UNSUPPORTED": "33", "UNSTABLE": "35"}


def use_colour(stream: TextIO) -> bool:
    """Colour only on a terminal, and not when NO_COLOR is set (no-color.org)."""
    return (stream.isatty() and "NO_COLOR" not in os.environ
            and os.environ.get("TERM") != "dumb")


def paint(verdict: str, text: str, colour: bool) -> str:
    return f"\033[{COLOURS[verdict]}m{text}\033[0m" if colour else text


def width(text: str) -> int:
    """Columns ``text`` takes in a terminal (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def fit(text: str, columns: int) -> str:
    """``text`` cut (with an ellipsis) or padded to exactly ``columns``, in
    one pass however long the text."""
    text = text.expandtabs()
    used, cut = 0, None
    for i, c in enumerate(text):
        used += 2 if unicodedata.east_asian_width(c) in "WF" else 1
        if cut is None and used > columns - 1:
            cut = i
        if used > columns:
            text = text[:cut] + "…"
            break
    return text + " " * (columns - width(text))


def fit_left(text: str, columns: int) -> str:
    """Like :func:`fit`, but keeps the end (``…/folder/script.py``)."""
    if width(text) <= columns:
        return fit(text, columns)
    return fit("…" + text[len(text) - columns + 1:], columns)


def aligned(left: List[str], right: List[str]) -> Iterator[Tuple[str, str, str]]:
    """``(left line, marker, right line)`` rows, the lines paired by a diff
    (of the masked lines: addresses never count as a difference)."""
    for row in _rows(left, right):
        yield row[:3]


def _rows(left: List[str], right: List[str]) -> Iterator[Tuple[str, str, str, bool]]:
    masked_left, masked_right = [mask(x) for x in left], [mask(x) for x in right]
    for tag, i1, i2, j1, j2 in opcodes(masked_left, masked_right):
        for k in range(max(i2 - i1, j2 - j1)):
            a = left[i1 + k] if i1 + k < i2 else None
            b = right[j1 + k] if j1 + k < j2 else None
            marker = MARKERS[tag] if a is not None and b is not None else (
                MARKERS["delete"] if b is None else MARKERS["insert"])
            yield a or "", marker, b or "", tag == "equal"


def _shown(run: Run) -> List[str]:
    """The lines shown for one run: its stdout, then how it ended."""
    lines = run.stdout.splitlines()
    if run.crash:
        lines.append(f"[{run.crash.splitlines()[0]}]")
    elif run.missing:
        lines.append(f"[stopped: {run.missing}]")
    elif run.exception:
        lines += run.stderr.splitlines()[-1:]
    return lines


def side_by_side(left: Run, right: Run, names: Tuple[str, str], columns: int,
                 full: bool) -> List[str]:
    """Two transcripts in two columns; without ``full``, only the rows
    around differences (at most DIFF_ROWS differing rows)."""
    half = (columns - 3) // 2
    head = [fit(names[0], half) + "   " + names[1], "-" * half + "-+-" + "-" * half]
    rows = list(_rows(_shown(left), _shown(right)))
    if full or len(rows) <= WHOLE_ROWS:
        keep = set(range(len(rows)))
    else:
        differing = [i for i, row in enumerate(rows) if not row[3]]
        shown = differing[:DIFF_ROWS]
        keep = {j for i in shown for j in range(i - CONTEXT, i + CONTEXT + 1)}
    out, previous = [], -1
    for i, (a, marker, b, _) in enumerate(rows):
        if i not in keep:
            continue
        if i != previous + 1:
            out.append(f"... ({i - previous - 1} rows)".center(columns).rstrip())
        out.append((fit(a, half) + f" {marker} " + fit(b, half)).rstrip())
        previous = i
    hidden = sum(1 for i, row in enumerate(rows) if not row[3] and i not in keep)
    if hidden:
        out.append(f"... and {hidden} more differing rows (--full shows them all)")
    elif previous != len(rows) - 1 and rows:
        out.append(f"... ({len(rows) - previous - 1} rows)".center(columns).rstrip())
    return head + out


CHECK_MARKS = {"ok": "ok", "none": "-", "rounding": "~", "differs": "DIFF"}


def details(outcome: Outcome, columns: int, full: bool, colour: bool = False) -> List[str]:
    """What a program that is not EXACT did: reason, notes, transcripts side
    by side, the checks and their details."""
    title = f"== {outcome.name}: "
    lines = [title + paint(outcome.verdict, outcome.verdict, colour) + " "
             + "=" * max(0, columns - width(title) - len(outcome.verdict) - 1)]
    lines += wrap(outcome.reason, columns)
    for note in outcome.notes:
        lines += wrap(f"note: {note}", columns, "  ")
    for side, run in (("PyTorch", outcome.torch), ("microgrid", outcome.microgrid)):
        for problem in run.record.get("problems", ()):
            lines += wrap(f"note ({side}): {problem}", columns, "  ")
    lines.append("")
    if outcome.verdict == "UNSTABLE" and outcome.again is not None:
        pair, names = (outcome.torch, outcome.again), ("PyTorch, 1st run", "PyTorch, 2nd run")
    else:
        pair, names = (outcome.torch, outcome.microgrid), tuple(
            f"{name} {run.record.get('version', '')}".rstrip()
            for name, run in (("PyTorch", outcome.torch), ("microgrid", outcome.microgrid)))
    lines += side_by_side(*pair, names, columns, full) + [""]
    for check in outcome.checks:
        lines += wrap(f"  {CHECK_MARKS[check.state]:<4} {check.name:<10} {check.summary}",
                      columns, " " * 18)
        if check.state == "differs" or (check.state == "rounding" and full):
            for line in check.details:
                lines += wrap("         " + line, columns, " " * 11)
    if outcome.verdict in ("MISMATCH", "CRASH") and any(
            r.exception for r in (outcome.torch, outcome.microgrid)):
        for side, run in (("PyTorch", outcome.torch), ("microgrid", outcome.microgrid)):
            if run.stderr:
                lines.append(f"  -- {side} stderr (end) --")
                lines += ["    " + line for line in run.stderr.splitlines()[-12:]]
    return lines + [""]


def wrap(text: str, columns: int, indent: str = "") -> List[str]:
    """``text`` as lines of at most ``columns`` (long words are broken too)."""
    return textwrap.wrap(text, columns, subsequent_indent=indent, drop_whitespace=True,
                         break_on_hyphens=False) or [""]


def progress_line(index: int, total: int, outcome: Outcome, colour: bool) -> str:
    digits = len(str(total))
    return (f"[{index + 1:>{digits}}/{total}] "
            f"{paint(outcome.verdict, f'{outcome.verdict:<11}', colour)} {outcome.name}")


def summary_table(outcomes: Sequence[Outcome], columns: int, colour: bool = False) -> List[str]:
    """program | verdict | reason, fitting ``columns`` (the reason is cut)."""
    name_width = min(max([len("program")] + [width(o.name) for o in outcomes]),
                     max(16, columns // 3))
    reason_width = max(10, columns - name_width - 11 - 4)
    rows = [f"{fit('program', name_width)}  {'verdict':<11} reason".rstrip(),
            f"{'-' * name_width}  {'-' * 11} {'-' * reason_width}"]
    for o in outcomes:
        rows.append((f"{fit_left(o.name, name_width)}  "
                     f"{paint(o.verdict, f'{o.verdict:<11}', colour)} "
                     f"{fit(o.reason, reason_width)}").rstrip())
    return rows


def tally(outcomes: Sequence[Outcome]) -> str:
    """``23 programs: 22 EXACT, 1 ROUNDING``."""
    counts = Counter(o.verdict for o in outcomes)
    parts = [f"{counts[v]} {v}" for v in VERDICTS if counts[v]]
    noun = "program" if len(outcomes) == 1 else "programs"
    return f"{len(outcomes)} {noun}: {', '.join(parts)}"


def header(outcomes: Sequence[Outcome], seed: int) -> str:
    versions = [o.torch.record.get("version") or "" for o in outcomes[:1]]
    theirs = [o.microgrid.record.get("version") or "" for o in outcomes[:1]]
    return (f"python -m compare: PyTorch {versions[0] if versions else '?'} against microgrid "
            f"{theirs[0] if theirs else '?'}, seed {seed}")


def full_report(outcomes: Sequence[Outcome], seed: int, columns: int, full: bool = False,
                colour: bool = False, status: Optional[int] = None) -> str:
    """The human-readable report: the table first, then each program that
    is not EXACT (every program, side by side, with ``full``)."""
    out = [header(outcomes, seed), ""] + summary_table(outcomes, columns, colour) + [""]
    out.append(tally(outcomes) + ("" if status is None else f"; exit status {status}"))
    for outcome in outcomes:
        if full or outcome.verdict != "EXACT":
            out += [""] + details(outcome, columns, full, colour)
    return "\n".join(out).rstrip("\n")


def quiet_report(outcomes: Sequence[Outcome], columns: int, colour: bool = False) -> str:
    return "\n".join(summary_table(outcomes, columns, colour) + ["", tally(outcomes)])


def _capped(text: str) -> str:
    return text if len(text) <= JSON_LIMIT else text[:JSON_LIMIT] + "\n[... cut by compare]\n"


def as_json(outcomes: Sequence[Outcome], seed: int, status: int) -> Dict[str, Any]:
    """Machine-readable results."""
    def run_summary(run: Run) -> Dict[str, Any]:
        return {"status": run.status, "exception": run.exception, "crash": run.crash,
                "version": run.record.get("version"),
                "stdout": _capped(run.stdout), "stderr": _capped(run.stderr),
                "problems": run.record.get("problems", [])}

    return {"ok": all(o.ok for o in outcomes), "exit_status": status, "seed": seed,
            "verdicts": dict(Counter(o.verdict for o in outcomes)), "programs": [
                {"name": o.name, "verdict": o.verdict, "reason": o.reason, "notes": o.notes,
                 "missing": o.microgrid.missing if o.verdict == "UNSUPPORTED" else None,
                 "amplified_rounding": o.evidence,
                 "checks": {c.name: {"state": c.state, "ok": c.ok, "summary": c.summary,
                                     "details": c.details} for c in o.checks},
                 "torch": run_summary(o.torch), "microgrid": run_summary(o.microgrid)}
                for o in outcomes]}


def exit_status(outcomes: Sequence[Outcome], allow_rounding: bool) -> int:
    """0 all EXACT (or ROUNDING, allowed); 1 any MISMATCH or CRASH (or
    ROUNDING, not allowed); 3 otherwise (only UNSUPPORTED/UNSTABLE beyond that)."""
    verdicts = {o.verdict for o in outcomes}
    if verdicts & {"MISMATCH", "CRASH"} or ("ROUNDING" in verdicts and not allow_rounding):
        return 1
    if verdicts & {"UNSUPPORTED", "UNSTABLE"}:
        return 3
    return 0


def write_progress(index: int, total: int, outcome: Outcome, stream: TextIO = sys.stderr) -> None:
    stream.write(progress_line(index, total, outcome, use_colour(stream)) + "\n")
    stream.flush()
