"""``python -m compare``: run programs under PyTorch and under microgrid, and compare.

PyTorch counterpart: none.

    python -m compare                  # the whole catalog, the seed tutorial first
    python -m compare --list           # what the catalog holds
    python -m compare NAME...          # chosen catalog programs
    python -m compare path/to/script.py  # any script written for PyTorch
    python -m compare fuzz --examples N [--seed S]  # random programs (fuzz.py)
    options: --quiet (verdicts only), --json (machine-readable), --render DIR
             (graph pictures, PyTorch's beside microgrid's), --timeout SECONDS

The exit status is 0 only if every program matches.

Read next: ``catalog.py``, then ``session.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import sys
from pathlib import Path
from typing import List, Optional

from . import catalog, report, session


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m compare",
        description="Run programs under PyTorch and under microgrid and compare transcripts, "
                    "tensor values, gradients, graphs and errors.")
    parser.add_argument("targets", nargs="*", metavar="NAME|SCRIPT.py",
                        help="catalog programs or script paths (default: the whole catalog)")
    parser.add_argument("--list", action="store_true", help="list the catalog and exit")
    parser.add_argument("--quiet", action="store_true", help="print verdicts only")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--render", metavar="DIR", type=Path,
                        help="write each program's graphs (PyTorch | microgrid) as PNG files")
    parser.add_argument("--timeout", type=int, default=120, metavar="SECONDS",
                        help="time limit per program and engine (default 120)")
    return parser


def _programs(targets: List[str], parser: argparse.ArgumentParser) -> List[catalog.Program]:
    if not targets:
        return list(catalog.CATALOG)
    programs = []
    for target in targets:
        if target in catalog.BY_NAME:
            programs.append(catalog.BY_NAME[target])
        elif target.endswith(".py") or Path(target).is_file():
            if not Path(target).is_file():
                parser.error(f"no such script: {target}")
            programs.append(session.script_program(target))
        else:
            parser.error(f"unknown program {target!r} (see --list)")
    return programs


#: What a machine without PyTorch is told (the README's first command installs it).
NO_TORCH = ("python -m compare needs PyTorch 2.13.0, the reference, and this Python has none: "
            "pip install -e '.[compare]' (the README's first command) installs it.")


def main(argv: Optional[List[str]] = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if importlib.util.find_spec("torch") is None and argv[:1] != ["--list"]:
        print(NO_TORCH, file=sys.stderr)
        return 2
    if argv[:1] == ["fuzz"]:
        from . import fuzz  # imports PyTorch and hypothesis: only when asked for

        return fuzz.main(argv[1:])
    parser = _parser()
    args = parser.parse_args(argv)
    if args.list:
        for program in catalog.CATALOG:
            print(f"{program.name:<26} {program.title}")
        return 0
    programs = _programs(args.targets, parser)
    outcomes = session.run_programs(programs, render=args.render is not None,
                                    timeout=args.timeout)
    if args.json:
        print(json.dumps(report.as_json(outcomes), indent=2, ensure_ascii=False))
    elif args.quiet:
        print(report.quiet_report(outcomes))
    else:
        print(report.full_report(outcomes, {p.name: p.title for p in programs}))
    if args.render is not None:
        for outcome in outcomes:
            for path in session.render_pictures(outcome, args.render):
                print(f"wrote {path}", file=sys.stderr)
    return 0 if all(o.ok for o in outcomes) else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:  # the reader left early (``| head``): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
