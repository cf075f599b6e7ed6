"""``python -m compare``: run programs under PyTorch and under microgrid, and compare.

PyTorch counterpart: none.

    python -m compare                    # the whole catalog, the seed tutorial first
    python -m compare --list [--json]    # what the catalog holds
    python -m compare NAME...            # chosen catalog programs
    python -m compare script.py          # any script written for PyTorch
    python -m compare lecture.ipynb      # a notebook, cell by cell (notebook.py)
    python -m compare fuzz --examples N [--seed S] [--json]   # random programs (fuzz.py)

``run`` is the default command: ``python -m compare run x.py`` is the same
as ``python -m compare x.py``.  The verdicts and exit statuses are in
:data:`EPILOG` (and ``--help``).

Read next: ``catalog.py``, then ``session.py``.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import sys
from pathlib import Path
from typing import Callable, List, Optional, Tuple

from . import catalog, report, session

EPILOG = """\
verdicts (one per program, each with a one-line reason):
  EXACT        transcripts identical (memory addresses masked); every graph and
               error equal; every tensor value and gradient equal as
               torch.testing.assert_close judges (bit for bit with --bitwise)
  ROUNDING     the same, except printed numbers within float tolerance (which,
               how many lines, how far apart is said); or a program that
               differs only in numbers amplifies rounding: PyTorch run again
               with its scalar kernels (ATEN_CPU_CAPABILITY=default) moves at
               the same places, and microgrid at most 10x as far
  MISMATCH     both engines ran, and something else differs
  UNSUPPORTED  microgrid stopped on something it lacks, named as a PyTorch user
               writes it ("microgrid has no torch.utils.data")
  CRASH        microgrid raised where PyTorch did not, for any other reason;
               or a run died (signal, time limit)
  UNSTABLE     PyTorch's own two runs differ (unseeded randomness, id(), timing,
               set order): microgrid is not judged

exit status:
  0  every program EXACT (or ROUNDING, with --allow-rounding)
  1  some MISMATCH or CRASH (or ROUNDING without --allow-rounding)
  3  no MISMATCH or CRASH, but some UNSUPPORTED or UNSTABLE
  2  usage or tool error

Every run starts from the same seeds (Python's random, NumPy's global
generator, torch.manual_seed, PYTHONHASHSEED); --seed changes them. A script
runs with its own folder as working directory, in a temporary copy of that
folder (one per run), so data files beside it are found and nothing is
written into your tree; --in-place runs it in the folder itself."""


def positive_seconds(text: str) -> float:
    """An argparse type: a number of seconds above 0."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a number of seconds: {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"must be more than 0 seconds, not {text}")
    return value


def seed_value(text: str) -> int:
    """An argparse type: a seed every generator takes (PYTHONHASHSEED and
    NumPy's need 0 <= seed < 2**32)."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if not 0 <= value < 2**32:
        raise argparse.ArgumentTypeError(f"must be from 0 to {2**32 - 1}, not {value}")
    return value


def version() -> str:
    import microgrid  # NumPy only: no PyTorch needed to say which versions

    return f"python -m compare (microgrid {microgrid.__version__}; reference PyTorch 2.13.0)"


def _add_run_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("targets", nargs="*", metavar="NAME|SCRIPT.py|NOTEBOOK.ipynb",
                        help="catalog programs, scripts or notebooks (default: the whole "
                             "catalog)")
    parser.add_argument("--list", action="store_true", help="list the catalog and exit")
    parser.add_argument("--seed", type=seed_value, default=0, metavar="N",
                        help="the seed every run starts from, 0 to 2**32-1 (default 0)")
    parser.add_argument("--allow-rounding", action="store_true",
                        help="exit 0 when programs differ only by ROUNDING")
    parser.add_argument("--bitwise", action="store_true",
                        help="EXACT only if every tensor is equal bit for bit (else ROUNDING)")
    parser.add_argument("--full", action="store_true",
                        help="show every program side by side, every differing line")
    parser.add_argument("--quiet", action="store_true", help="print the summary table only")
    parser.add_argument("--json", action="store_true", help="print results as JSON")
    parser.add_argument("--in-place", action="store_true",
                        help="run scripts in their folder, not in a temporary copy")
    parser.add_argument("--render", metavar="DIR", type=Path,
                        help="write each program's graphs (PyTorch | microgrid) as PNG files")
    parser.add_argument("--timeout", type=positive_seconds, default=120, metavar="SECONDS",
                        help="time limit per program and run, more than 0 (default 120)")


def parsers() -> Tuple[argparse.ArgumentParser, argparse.ArgumentParser]:
    """The command line and its ``run`` command (the default; ``fuzz`` is the other)."""
    top = argparse.ArgumentParser(
        prog="python -m compare", formatter_class=argparse.RawDescriptionHelpFormatter,
        usage="python -m compare [run] [options] [NAME|SCRIPT.py|NOTEBOOK.ipynb ...]\n"
              "       python -m compare fuzz [--examples N] [--seed S] [--json]",
        description="Run programs under PyTorch and under microgrid and compare transcripts, "
                    "tensor values, gradients, graphs and errors.",
        epilog=EPILOG)
    top.add_argument("--version", action="version", version=version())
    commands = top.add_subparsers(dest="command", title="commands", metavar="COMMAND")
    run = commands.add_parser(
        "run", help="(the default) compare catalog programs, scripts or notebooks",
        prog="python -m compare",
        formatter_class=argparse.RawDescriptionHelpFormatter, epilog=EPILOG,
        description="Compare catalog programs, scripts or notebooks under both engines.")
    _add_run_options(run)
    fuzz = commands.add_parser(
        "fuzz", help="random programs under both engines, shrunk when they differ",
        prog="python -m compare fuzz",
        description="Run random programs under PyTorch and microgrid and compare everything; "
                    "a program that differs is shrunk and printed as a script (exit 1).")
    fuzz_options(fuzz)
    # --help shows the default command's options too.
    options = run.format_help().split("\n\n", 2)[-1].split("verdicts (")[0].rstrip()
    top.epilog = f"run's {options}\n\n{EPILOG}"
    return top, run


def fuzz_options(parser: argparse.ArgumentParser) -> None:
    """``fuzz``'s options (its code, and PyTorch, load only when it runs)."""
    def positive(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
        if value < 1:
            raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
        return value

    parser.add_argument("--examples", type=positive, default=200, metavar="N",
                        help="programs to try, 1 or more (default 200)")
    parser.add_argument("--seed", type=int, default=None,
                        help="random seed (default: drawn, and printed)")
    parser.add_argument("--max-steps", type=positive, default=8,
                        help="ops per program (default 8)")
    parser.add_argument("--json", action="store_true", help="print the result as JSON")


def _programs(targets: List[str], fail: Callable[[str], None]) -> List[catalog.Program]:
    if not targets:
        return list(catalog.CATALOG)
    programs = []
    for target in targets:
        if target in catalog.BY_NAME:
            programs.append(catalog.BY_NAME[target])
        elif target.endswith((".py", ".ipynb")) or Path(target).is_file():
            if not Path(target).is_file():
                fail(f"no such script: {target}")
            programs.append(session.script_program(target))
        else:
            fail(f"unknown program {target!r} (see --list)")
    return programs


#: What a machine without PyTorch is told (the README's first command installs it).
NO_TORCH = ("python -m compare needs PyTorch 2.13.0, the reference, and this Python has none: "
            "pip install -e '.[compare]' (the README's first command) installs it.")


def _list(as_json: bool) -> int:
    if as_json:
        print(json.dumps([{"name": p.name, "title": p.title, "file": p.file,
                           "function": p.function} for p in catalog.CATALOG], indent=2))
    else:
        for program in catalog.CATALOG:
            print(f"{program.name:<26} {program.title}")
    return 0


def main(argv: Optional[List[str]] = None) -> int:
    """The console entry point (``python -m compare``); returns the exit status."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv or argv[0] not in ("run", "fuzz", "-h", "--help", "--version"):
        argv.insert(0, "run")
    top, run_parser = parsers()
    args = top.parse_args(argv)
    try:
        if args.command == "run" and args.list:
            return _list(args.json)
        if importlib.util.find_spec("torch") is None:
            print(NO_TORCH, file=sys.stderr)
            return 2
        if args.command == "fuzz":
            from . import fuzz  # imports PyTorch and hypothesis: only when asked for

            return fuzz.run(args)
        return _run(args, run_parser)
    except KeyboardInterrupt:
        print("\ninterrupted: compare stopped its runs (exit status 130)", file=sys.stderr)
        return 130
    except BrokenPipeError:  # the reader left early (``| head``): not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 1


def _run(args: argparse.Namespace, run_parser: argparse.ArgumentParser) -> int:
    programs = _programs(args.targets, run_parser.error)
    columns = shutil.get_terminal_size((80, 24)).columns
    show_progress = not args.json
    try:
        outcomes = session.run_programs(
            programs, render=args.render is not None, timeout=args.timeout, seed=args.seed,
            in_place=args.in_place, bitwise=args.bitwise,
            progress=(lambda i, o: report.write_progress(i, len(programs), o))
            if show_progress else None)
    except session.FolderTooBigError as error:
        run_parser.error(str(error))
    except session.RunnerError as error:
        print(f"python -m compare: {error}", file=sys.stderr)
        return 2
    status = report.exit_status(outcomes, args.allow_rounding)
    colour = report.use_colour(sys.stdout)
    if show_progress:
        print(file=sys.stderr)
    if args.json:
        print(json.dumps(report.as_json(outcomes, args.seed, status), indent=2,
                         ensure_ascii=False))
    elif args.quiet:
        print(report.quiet_report(outcomes, columns, colour))
    else:
        print(report.full_report(outcomes, args.seed, columns, args.full, colour, status))
    if args.render is not None:
        for outcome in outcomes:
            for path in session.render_pictures(outcome, args.render):
                print(f"wrote {path}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
