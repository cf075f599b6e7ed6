"""Transcripts: what can never match masked, two aligned in bounded time,
and a rounding difference told from a real one.

PyTorch counterpart: none.  Three things ``check.py`` and ``report.py`` need:

* :func:`mask`: memory addresses (``<AddBackward0 object at 0x7f3a…>``)
  differ in every process, so both transcripts have them replaced by
  ``0x…`` before they are compared (the report still shows them as printed);
* :func:`opcodes`: which lines of two transcripts pair up.  The common
  start and end are found in linear time; only the part between them goes
  to ``difflib`` (whose cost grows with the square of its input), and a
  part too long for it is paired line by line.  40,000 identical lines, or
  one line of 20,000 characters, take milliseconds;
* :func:`rounding`: whether two differing lines differ only in numbers,
  each within float32's tolerance (the loss ``26365522.0`` against
  ``26365524.0``), and by how much.

Read next: ``check.py``.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import List, Optional, Sequence, Tuple

import numpy as np

ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def mask(text: str) -> str:
    """``text`` with every memory address written ``0x…``."""
    return ADDRESS.sub("0x…", text)


#: Lines (both sides together) beyond which the differing middle of two
#: transcripts is paired line by line instead of by ``difflib``.
DIFF_WINDOW = 2000

Opcode = Tuple[str, int, int, int, int]


def opcodes(a: Sequence[str], b: Sequence[str]) -> List[Opcode]:
    """``difflib.SequenceMatcher.get_opcodes()`` for two lists of lines, in
    time linear in their size (see the module docstring)."""
    n = min(len(a), len(b))
    start = 0
    while start < n and a[start] == b[start]:
        start += 1
    end = 0
    while end < n - start and a[len(a) - 1 - end] == b[len(b) - 1 - end]:
        end += 1
    ops: List[Opcode] = [("equal", 0, start, 0, start)] if start else []
    a_end, b_end = len(a) - end, len(b) - end
    middle_a, middle_b = a[start:a_end], b[start:b_end]
    if len(middle_a) + len(middle_b) <= DIFF_WINDOW:
        matcher = difflib.SequenceMatcher(None, middle_a, middle_b, autojunk=False)
        ops += [(tag, i1 + start, i2 + start, j1 + start, j2 + start)
                for tag, i1, i2, j1, j2 in matcher.get_opcodes()]
    else:  # too long to search for a best pairing: pair line by line
        paired = min(len(middle_a), len(middle_b))
        ops.append(("replace", start, start + paired, start, start + paired))
        if len(middle_a) > paired:
            ops.append(("delete", start + paired, a_end, start + paired, start + paired))
        if len(middle_b) > paired:
            ops.append(("insert", start + paired, start + paired, start + paired, b_end))
    if end:
        ops.append(("equal", a_end, len(a), b_end, len(b)))
    return ops


# -- rounding -------------------------------------------------------------------
#: float32's tolerance, as torch.testing.assert_close's default (rtol, atol).
RTOL, ATOL = 1.3e-6, 1e-5
TOLERANCE = (f"float32's (rtol {RTOL:g}, atol {ATOL:g}), or one unit in the last printed "
             "digit of a number printed with 4 or more significant digits")

NUMBER = re.compile(r"(?<![\w.])[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?(?![\w.])")


@dataclass
class Rounding:
    """How far apart the numbers of two lines are."""

    ulps: float = 0.0  # largest difference in float32 units in the last place
    relative: float = 0.0  # largest relative difference
    last_digit: int = 0  # numbers one unit apart in their last printed digit

    def add(self, other: "Rounding") -> None:
        self.ulps = max(self.ulps, other.ulps)
        self.relative = max(self.relative, other.relative)
        self.last_digit += other.last_digit


def _is_integer(text: str) -> bool:
    return not any(c in text for c in ".eE")


def _last_digit_apart(a: str, b: str) -> bool:
    """Are two printed numbers one unit apart in their last printed digit,
    printed alike, with 4 or more significant digits?"""
    try:
        x, y = Decimal(a), Decimal(b)
    except InvalidOperation:
        return False
    ex, ey = x.as_tuple(), y.as_tuple()
    if ex.exponent != ey.exponent or not isinstance(ex.exponent, int):
        return False
    digits = len(str(abs(int(x.scaleb(-ex.exponent)))))
    return digits >= 4 and abs(x - y) <= Decimal(1).scaleb(ex.exponent)


def rounding(a: str, b: str) -> Optional[Rounding]:
    """If lines ``a`` and ``b`` differ only in numbers, each pair within
    :data:`TOLERANCE` (integers must be equal), how far apart; else None."""
    if NUMBER.sub("#", a) != NUMBER.sub("#", b):
        return None
    worst = Rounding()
    for x_text, y_text in zip(NUMBER.findall(a), NUMBER.findall(b), strict=True):
        if x_text == y_text:
            continue
        if _is_integer(x_text) or _is_integer(y_text):
            return None
        x, y = float(x_text), float(y_text)
        if x == y:  # the same number printed differently: a formatting difference
            return None
        if abs(x - y) > ATOL + RTOL * abs(x):
            if not _last_digit_apart(x_text, y_text):
                return None
            worst.last_digit += 1
            continue
        spacing = float(np.spacing(np.float32(abs(x)))) or float(np.spacing(np.float32(0)))
        worst.ulps = max(worst.ulps, abs(x - y) / spacing)
        worst.relative = max(worst.relative, abs(x - y) / abs(x) if x else float("inf"))
    return worst
