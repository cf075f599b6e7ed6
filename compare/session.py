"""One comparison session: both runners, side by side, then the checks.

PyTorch counterpart: none.  :func:`run_programs` writes the job list to a
temporary folder, starts ``python -m compare.runner torch`` and
``python -m compare.runner microgrid`` as two fresh subprocesses at the
same time (each runs every program, one forked child per program), waits
for both, and compares what each left behind (``check.py``).

Read next: ``check.py``.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Dict, List, Sequence

from .catalog import Program
from .check import Outcome, Run, compare_runs

ENGINES = ("torch", "microgrid")

#: Where ``compare`` and ``microgrid`` live: the runners import them from here.
SOURCE_ROOT = str(Path(__file__).resolve().parent.parent)


class RunnerError(RuntimeError):
    """A runner subprocess itself failed (not a program it ran)."""


def script_program(path: str) -> Program:
    """A user's script as a program: run whole, as ``__main__``."""
    return Program(path, "your script", str(Path(path).resolve()))


def _job(program: Program, index: int, folder: str, engine: str) -> Dict[str, Any]:
    return {"name": program.name, "path": str(program.path), "function": program.function,
            "run_name": program.path.stem if program.function else "__main__",
            "out": os.path.join(folder, f"{index}.{engine}")}


def _environment() -> Dict[str, str]:
    """The runners' environment: this source tree first on the path, UTF-8
    output, unbuffered (a crash keeps what was printed), and a fixed hash seed
    (a printed ``set`` comes out in the same order in both runs)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [SOURCE_ROOT, env.get("PYTHONPATH")]))
    env.update(PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1", PYTHONHASHSEED="0")
    return env


def run_programs(programs: Sequence[Program], render: bool = False,
                 timeout: int = 120) -> List[Outcome]:
    """Run every program under both engines and compare the runs."""
    with tempfile.TemporaryDirectory(prefix="compare-") as folder:
        processes = []
        for engine in ENGINES:
            spec = {"jobs": [_job(p, i, folder, engine) for i, p in enumerate(programs)],
                    "render": render, "timeout": timeout}
            jobs_file = os.path.join(folder, f"jobs.{engine}.json")
            with open(jobs_file, "w", encoding="utf-8") as f:
                json.dump(spec, f)
            log = open(os.path.join(folder, f"runner.{engine}.log"), "w+", encoding="utf-8")
            command = [sys.executable, "-m", "compare.runner", engine, jobs_file]
            processes.append((engine, log, subprocess.Popen(
                command, env=_environment(), stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT)))
        for engine, log, process in processes:
            with log:
                if process.wait() != 0:
                    log.seek(0)
                    raise RunnerError(f"the {engine} runner failed:\n{log.read()}")
        return [compare_runs(p.name, Run.load(os.path.join(folder, f"{i}.torch")),
                             Run.load(os.path.join(folder, f"{i}.microgrid")),
                             p.expected_transcript())
                for i, p in enumerate(programs)]


def render_pictures(outcome: Outcome, folder: Path) -> List[Path]:
    """Draw each output graph of the program, PyTorch's beside microgrid's,
    with ``microgrid.viz.draw_pair``; returns the files written."""
    from microgrid.viz import draw_pair

    folder.mkdir(parents=True, exist_ok=True)
    written = []
    theirs = outcome.microgrid.record.get("pictures", {})
    for key, description in outcome.torch.record.get("pictures", {}).items():
        if key in theirs:
            stem = "".join(c if c.isalnum() or c in "._-" else "_" for c in
                           f"{Path(outcome.name).stem}.{key.replace('<module>', 'module')}")
            path = folder / f"{stem}.png"
            draw_pair(description, theirs[key]).render(outfile=path, cleanup=True)
            written.append(path)
    return written
