"""The tutorial's path: how much of microgrid a learner reads to follow the seed tutorial.

Run ``python -m benchmarks.tutorial_path`` from the repository root (a
second; ``--json`` for the numbers as JSON, ``--top N`` for more of the
longest functions).

The seed tutorial (``compare/programs/seed_tutorial.py``, the program the
project started from: ``tensor`` -> ``x * x`` -> ``mean`` -> ``backward``
-> ``.grad`` -> printing, the old ``Variable`` way and the new way) is run
once, unchanged, with ``import torch`` answered by microgrid, under
``sys.settrace``.  A learner who follows it through the source reads every
microgrid function it enters, each in full.  What is counted:

* **a function** is a ``def`` in a file of the ``microgrid`` package that
  the run enters (a call event), counted once however often it runs;
  methods by their qualified name (``Tensor.__mul__``);
* a lambda, generator expression or nested ``def`` is read as part of the
  function that contains it: it is not counted again when that function is
  counted (a lambda at module level counts on its own);
* **module-level code is not counted**, nor anything run while a module is
  being imported (a lazy import inside a function runs module code; the
  functions that code calls are import, not the tutorial);
* **lines to read** is the sum, over the counted functions, of the length
  of each one's full source (decorators and docstring included: what
  ``inspect.getsource`` returns);
* **of which code**: those lines less docstrings, comment-only and blank
  lines (how much of the read is prose);
* **lines executed** are the distinct lines of microgrid source that ran
  (line events), anywhere in the counted functions;
* the program runs cold (this process has imported microgrid and nothing
  else of it has run), as a learner's first run does.

It prints the counts, the longest functions, and a per-file breakdown
(``--list``: every function, in the order the run first enters it; ``--program
PATH``: the path of another program, run the same way).
The targets (issue #13): at most about 450 lines to read, and no function
on the path over 40 lines (``tests/core/test_tutorial_path.py`` keeps the
second).  ``docs/tour.md`` reads the same path stop by stop.

Read next: ``../docs/tour.md``.
"""

from __future__ import annotations

import ast
import contextlib
import inspect
import io
import json
import sys
import textwrap
import types
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Sequence, Set, Tuple

ROOT = Path(__file__).resolve().parents[1]
PROGRAM = ROOT / "compare" / "programs" / "seed_tutorial.py"


@dataclass(frozen=True)
class Function:
    """One function on the path: where it is and how long it is to read."""

    file: str  # relative to the repository root
    name: str  # qualified: Tensor.__mul__
    first_line: int  # its first line (a decorator's, if it has one)
    length: int  # lines of its full source
    code: int  # of which code: not a docstring, a comment or a blank line


@dataclass
class TutorialPath:
    """Everything the run entered."""

    program: str
    functions: List[Function]
    lines_executed: int

    @property
    def lines_to_read(self) -> int:
        return sum(f.length for f in self.functions)

    @property
    def code_lines(self) -> int:
        return sum(f.code for f in self.functions)

    def files(self) -> Dict[str, Tuple[int, int, int]]:
        """file -> (functions, lines to read, code lines), the most to read first."""
        breakdown: Dict[str, Tuple[int, int, int]] = {}
        for f in self.functions:
            count, lines, code = breakdown.get(f.file, (0, 0, 0))
            breakdown[f.file] = (count + 1, lines + f.length, code + f.code)
        return dict(sorted(breakdown.items(), key=lambda item: -item[1][1]))

    def summary(self, top: int = 10) -> Dict[str, Any]:
        longest = sorted(self.functions, key=lambda f: (-f.length, f.file, f.first_line))
        return {
            "program": self.program,
            "functions": len(self.functions),
            "files": len(self.files()),
            "lines_executed": self.lines_executed,
            "lines_to_read": self.lines_to_read,
            "code_lines": self.code_lines,
            "longest": [asdict(f) for f in longest[:top]],
            "per_file": [{"file": file, "functions": count, "lines_to_read": lines,
                          "code_lines": code}
                         for file, (count, lines, code) in self.files().items()],
        }


class _Tracer:
    """Records the microgrid code objects entered and the lines run, outside imports."""

    def __init__(self, package: Path, program: types.CodeType) -> None:
        self.package = str(package) + "/"
        self.program = program
        self.entered: Dict[types.CodeType, None] = {}  # in the order first entered
        self.lines: Set[Tuple[str, int]] = set()

    def ours(self, code: types.CodeType) -> bool:
        return code.co_filename.startswith(self.package)

    def importing(self, frame: Optional[types.FrameType]) -> bool:
        """Is a module being executed (an import) between here and the program?"""
        while frame is not None and frame.f_code is not self.program:
            if frame.f_code.co_name == "<module>":
                return True
            frame = frame.f_back
        return False

    def call(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        code = frame.f_code
        if event != "call" or not self.ours(code) or self.importing(frame):
            return None
        self.entered.setdefault(code, None)
        return self.line

    def line(self, frame: types.FrameType, event: str, arg: Any) -> Any:
        if event == "line":
            self.lines.add((frame.f_code.co_filename, frame.f_lineno))
        return self.line


def _span(code: types.CodeType) -> Tuple[int, int]:
    """First and last line of a code object's full source."""
    lines, first = inspect.getsourcelines(code)
    return first, first + len(lines) - 1


def _code_lines(code: types.CodeType) -> int:
    """The lines of a function's source that are code: not in a docstring (its
    own or a nested one's), not a comment alone, not blank."""
    lines, first = inspect.getsourcelines(code)
    prose = set()
    for node in ast.walk(ast.parse(textwrap.dedent("".join(lines)))):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            head = node.body[0]
            if isinstance(head, ast.Expr) and isinstance(head.value, ast.Constant) \
                    and isinstance(head.value.value, str):
                prose.update(range(head.lineno, head.end_lineno + 1))
    return sum(1 for number, line in enumerate(lines, 1)
               if number not in prose and line.strip() and not line.strip().startswith("#"))


def _functions(codes: Sequence[types.CodeType]) -> List[Function]:
    """The counted functions: every entered ``def``, less those inside
    another counted one (lambdas, generator expressions, nested defs)."""
    spans = {code: _span(code) for code in codes}
    named = [code for code in codes if not code.co_name.startswith("<")]
    counted = []
    for code in codes:
        first, last = spans[code]
        inside = any(other is not code and other.co_filename == code.co_filename
                     and spans[other][0] <= first and last <= spans[other][1]
                     and (code not in named or spans[other] != (first, last))
                     for other in named)
        if not inside:
            counted.append(Function(str(Path(code.co_filename).relative_to(ROOT)),
                                    getattr(code, "co_qualname", code.co_name),  # 3.11+
                                    first, last - first + 1, _code_lines(code)))
    return counted


@contextlib.contextmanager
def _torch_is_microgrid() -> Iterator[None]:
    """``import torch`` and ``from torch.autograd import ...`` give microgrid, for a while."""
    import microgrid
    import microgrid.autograd

    names = {"torch": microgrid, "torch.autograd": microgrid.autograd}
    saved = {name: sys.modules.get(name) for name in names}
    sys.modules.update(names)
    try:
        yield
    finally:
        for name, module in saved.items():
            if module is None:
                del sys.modules[name]
            else:
                sys.modules[name] = module


def _name(program: Path) -> str:
    try:
        return str(program.resolve().relative_to(ROOT))
    except ValueError:
        return str(program)


def measure(program: Path = PROGRAM) -> Tuple[TutorialPath, str]:
    """Run ``program`` (the seed tutorial) under the tracer: its path, and what it printed."""
    import microgrid

    code = compile(program.read_text(encoding="utf-8"), str(program), "exec")
    tracer = _Tracer(Path(microgrid.__file__).resolve().parent, code)
    out = io.StringIO()
    with _torch_is_microgrid(), contextlib.redirect_stdout(out):
        sys.settrace(tracer.call)
        try:
            exec(code, {"__name__": "__main__", "__file__": str(program)})
        finally:
            sys.settrace(None)
    functions = _functions(list(tracer.entered))
    return TutorialPath(_name(program), functions, len(tracer.lines)), out.getvalue()


def report(summary: Dict[str, Any], listed: bool = False) -> str:
    """The summary as text."""
    from .cli import table

    lines = [
        f"{summary['program']} under sys.settrace:",
        f"  functions entered   {summary['functions']}",
        f"  files               {summary['files']}",
        f"  lines executed      {summary['lines_executed']}",
        f"  lines to read       {summary['lines_to_read']}  (each function's full source)",
        f"    of which code     {summary['code_lines']}  (no docstrings, comments, blank lines)",
        "",
        "the path, in the order first entered:" if listed else "longest functions:",
        table(["lines", "code", "function", "file:line"],
              [[f["length"], f["code"], f["name"], f"{f['file']}:{f['first_line']}"]
               for f in summary["longest"]]),
        "",
        "per file:",
        table(["file", "functions", "lines to read", "code"],
              [[row["file"], row["functions"], row["lines_to_read"], row["code_lines"]]
               for row in summary["per_file"]]),
    ]
    return "\n".join(lines)


def main(argv: Optional[Sequence[str]] = None) -> None:
    from .cli import parser

    arguments = parser("python -m benchmarks.tutorial_path", __doc__)
    arguments.add_argument("--json", action="store_true", help="print the numbers as JSON")
    arguments.add_argument("--top", type=int, default=10, help="how many longest functions")
    arguments.add_argument("--list", action="store_true",
                           help="list every function on the path, in the order first entered")
    arguments.add_argument("--program", type=Path, default=PROGRAM,
                           help="another program's path (default: the seed tutorial)")
    options = arguments.parse_args(argv)
    path, _ = measure(options.program)
    summary = path.summary(len(path.functions) if options.list else options.top)
    if options.list:
        summary["longest"] = [asdict(f) for f in path.functions]
    print(json.dumps(summary, indent=1) if options.json else report(summary, options.list))


if __name__ == "__main__":
    main()
