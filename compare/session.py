"""One comparison session: three runners, side by side, then the checks.

PyTorch counterpart: none.  :func:`run_programs` writes the job list to a
temporary folder and starts three fresh subprocesses at the same time:
``python -m compare.runner torch`` twice (the second run shows what the
program itself changes from run to run) and ``python -m compare.runner
microgrid``.  Each runs every program, one forked child per program, each
in its own copy of the program's folder (``--in-place`` runs them in the
folder itself, one runner after the other so that they never share it at
the same time).  As soon as all three runs of a program are done it is
judged (``check.py``) and reported as progress.  A program that is
MISMATCH only by numbers (``check.numbers_only``) gets a fourth run before
it is reported: PyTorch once more, its rounding perturbed
(``check.PERTURBATION``), by the same runner with the same time limit and
its own working copy, to tell amplified rounding from microgrid's error
(``check.reconsider``).

Every run starts from the same seeds (``--seed``, 0 by default): the hash
seed is set here, for the whole runner process; the random generators in
each program's child (``runner.py``).

Read next: ``check.py``.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Sequence

from . import notebook
from .catalog import Program
from .check import PERTURBATION, Outcome, Run, compare_runs, reconsider
from .runner import folder_size

#: ``(label, engine)`` of the three runs of every program.
RUNS = (("torch", "torch"), ("again", "torch"), ("microgrid", "microgrid"))

#: Where ``compare`` and ``microgrid`` live: the runners import them from here.
SOURCE_ROOT = str(Path(__file__).resolve().parent.parent)

#: The most a program's folder may hold to be copied for each run.
COPY_LIMIT_FILES = 10_000
COPY_LIMIT_BYTES = 500 * 2**20


class RunnerError(RuntimeError):
    """A runner subprocess itself failed (not a program it ran)."""


class FolderTooBigError(ValueError):
    """A program's folder is too big to copy for each run."""


def script_program(path: str) -> Program:
    """A user's script or notebook as a program: run whole, as ``__main__``."""
    kind = "your notebook" if path.endswith(".ipynb") else "your script"
    return Program(path, kind, str(Path(path).resolve()))


def _check_folder(folder: Path) -> None:
    files, size = folder_size(str(folder))
    if files > COPY_LIMIT_FILES or size > COPY_LIMIT_BYTES:
        raise FolderTooBigError(
            f"{folder} holds {files} files ({size / 2**20:.0f} MB): too many to copy for each "
            "run. Move the script to a folder of its own, or pass --in-place to run it "
            "where it is")


def _jobs(programs: Sequence[Program], folder: str, label: str,
          in_place: bool) -> List[Dict[str, Any]]:
    jobs = []
    for i, program in enumerate(programs):
        home = str(program.path.parent)
        job = {"name": program.name, "file": program.path.name, "home": home,
               "workdir": home if in_place else os.path.join(folder, "work", f"{i}.{label}"),
               "function": program.function,
               "run_name": program.path.stem if program.function else "__main__",
               "out": os.path.join(folder, f"{i}.{label}")}
        if program.path.suffix == ".ipynb":
            job["cells"] = [cell.as_job() for cell in notebook.read_cells(program.path)]
        jobs.append(job)
    return jobs


def _environment(seed: int) -> Dict[str, str]:
    """The runners' environment: this source tree first on the path, UTF-8
    output, unbuffered (a crash keeps what was printed), and the hash seed
    (a printed ``set`` of strings comes out in the same order in every run)."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [SOURCE_ROOT, env.get("PYTHONPATH")]))
    env.update(PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1", PYTHONHASHSEED=str(seed))
    return env


def _start(engine: str, jobs_file: str, log: Any, seed: int,
           extra_env: Optional[Dict[str, str]] = None) -> subprocess.Popen:
    # A session of its own: Ctrl-C reaches only compare, which stops the runners.
    return subprocess.Popen([sys.executable, "-m", "compare.runner", engine, jobs_file],
                            env={**_environment(seed), **(extra_env or {})},
                            stdin=subprocess.DEVNULL, stdout=log,
                            stderr=subprocess.STDOUT, start_new_session=True)


def _stop(processes: Sequence[subprocess.Popen]) -> None:
    """End runners still going (each kills the program it is running)."""
    for process in processes:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _write_jobs(folder: str, label: str, jobs: List[Dict[str, Any]], render: bool,
               timeout: float, seed: int) -> str:
    spec = {"jobs": jobs, "render": render, "timeout": timeout, "seed": seed}
    jobs_file = os.path.join(folder, f"jobs.{label}.json")
    with open(jobs_file, "w", encoding="utf-8") as f:
        json.dump(spec, f)
    return jobs_file


def _perturbed_run(job: Dict[str, Any], folder: str, i: int, timeout: float,
                   seed: int) -> Run:
    """PyTorch's run of one program (``job``) once more, with its rounding
    perturbed (``check.PERTURBATION``): a runner of its own, the same time
    limit, its own working copy (the program's folder with ``--in-place``,
    once the other runners are done with it)."""
    label = f"{i}.perturbed"
    job = dict(job, out=os.path.join(folder, label))
    if job["workdir"] != job["home"]:
        job["workdir"] = os.path.join(folder, "work", label)
    jobs_file = _write_jobs(folder, label, [job], False, timeout, seed)
    with open(os.path.join(folder, f"runner.{label}.log"), "w+", encoding="utf-8") as log:
        process = _start("torch", jobs_file, log, seed, PERTURBATION)
        try:
            process.wait()
        finally:
            _stop([process])
    return Run.load(job["out"])


def _judge(program: Program, folder: str, i: int, bitwise: bool,
           rerun: Optional[Callable[[int], Run]] = None) -> Outcome:
    runs = {label: Run.load(os.path.join(folder, f"{i}.{label}")) for label, _ in RUNS}
    cells = None
    if program.path.suffix == ".ipynb":
        read = notebook.read_cells(program.path)
        cells = [cell.first_line for cell in read]
        source = "\n".join(cell.code for cell in read)
    else:
        source = program.path.read_text(encoding="utf-8", errors="replace")
    outcome = compare_runs(program.name, runs["torch"], runs["again"], runs["microgrid"],
                           program.expected_transcript(), source, cells, bitwise)
    if outcome.perturbable and rerun is not None:
        outcome = reconsider(outcome, rerun(i))
    if cells is not None:
        skipped = [f"cell {cell.number}: {line}" for cell in read for line in cell.skipped]
        if skipped:
            outcome.notes.insert(0, "skipped (IPython only): " + "; ".join(skipped))
    return outcome


def run_programs(programs: Sequence[Program], render: bool = False, timeout: float = 120,
                 seed: int = 0, in_place: bool = False, bitwise: bool = False,
                 progress: Optional[Callable[[int, Outcome], None]] = None) -> List[Outcome]:
    """Run every program three times (PyTorch twice, microgrid once) and
    judge the runs; ``progress(index, outcome)`` is called as each program
    is judged.  Raises FolderTooBigError before running anything."""
    if not in_place:
        for folder in sorted({p.path.parent for p in programs}):
            _check_folder(folder)
    with tempfile.TemporaryDirectory(prefix="compare-") as folder:
        starts = []
        for label, engine in RUNS:
            jobs_file = _write_jobs(folder, label, _jobs(programs, folder, label, in_place),
                                    render, timeout, seed)
            starts.append((label, engine, jobs_file))
        outcomes: Dict[int, Outcome] = {}
        processes: List[subprocess.Popen] = []
        logs = []
        torch_jobs = _jobs(programs, folder, "torch", in_place)

        def rerun(i: int) -> Run:
            if in_place:  # the folder is the runners' until they are done
                for process in processes:
                    process.wait()
            return _perturbed_run(torch_jobs[i], folder, i, timeout, seed)
        try:
            waiting = list(starts)
            while waiting or any(p.poll() is None for p in processes):
                # --in-place: one runner at a time, so they never share the folder
                if waiting and (not in_place or all(p.poll() is not None for p in processes)):
                    label, engine, jobs_file = waiting.pop(0)
                    log = open(os.path.join(folder, f"runner.{label}.log"), "w+",
                               encoding="utf-8")
                    logs.append((label, log))
                    processes.append(_start(engine, jobs_file, log, seed))
                    continue
                _judge_finished(programs, folder, outcomes, progress, bitwise, rerun)
                time.sleep(0.05)
            for (label, log), process in zip(logs, processes, strict=True):
                if process.returncode != 0:
                    log.seek(0)
                    raise RunnerError(f"the {label} runner failed:\n{log.read()}")
            _judge_finished(programs, folder, outcomes, progress, bitwise, rerun)
        finally:
            _stop(processes)
            for _, log in logs:
                log.close()
        return [outcomes[i] for i in range(len(programs))]


def _judge_finished(programs: Sequence[Program], folder: str, outcomes: Dict[int, Outcome],
                    progress: Optional[Callable[[int, Outcome], None]],
                    bitwise: bool, rerun: Optional[Callable[[int], Run]] = None) -> None:
    """Judge, in order, each program whose three runs are all done."""
    for i, program in enumerate(programs):
        if i in outcomes:
            continue
        if not all(os.path.exists(os.path.join(folder, f"{i}.{label}.json"))
                   for label, _ in RUNS):
            return
        outcomes[i] = _judge(program, folder, i, bitwise, rerun)
        if progress is not None:
            progress(i, outcomes[i])


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
