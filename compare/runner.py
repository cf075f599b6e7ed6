"""The runner: runs programs under one engine and records what happened.

PyTorch counterpart: none.  ``python -m compare`` starts this module three
times, as fresh subprocesses: ``python -m compare.runner torch JOBS`` twice
(PyTorch against itself: what differs between those two runs is the
program's own doing, not microgrid's) and ``python -m compare.runner
microgrid JOBS``.  The microgrid one first installs the import hook
(``alias.py``), so every ``import torch`` in the programs gets microgrid.

Each job (one program) runs in a forked child of the runner, so the engine
is imported once but every program starts from the same clean state:

* the child works in its own copy of the program's folder (``workdir``,
  made by :func:`copy_folder`), so ``open('names.txt')`` finds the file
  beside the script and whatever the program writes lands in the copy;
* every random generator starts from the same seed: Python's ``random``,
  NumPy's global generator and the engine's (``manual_seed``); the hash
  seed (``PYTHONHASHSEED``) is set by the session for the whole runner;
* the child's stdout and stderr (file descriptors 1 and 2) go to files:
  they are the program's *transcript*, exactly what a terminal would show;
* a profiler hook (``sys.setprofile``) sees every function of the program
  return and snapshots the tensors in its variables (``snapshot.py``), and
  the module's globals when the script ends;
* an exception that escapes the program is printed like Python prints it
  and recorded (class, message, line and, under microgrid, the PyTorch
  feature it lacks, ``alias.missing_feature``), as is the exit status; so
  is every warning shown (category and message);
* everything else is written as JSON to ``<job>.json``, a side channel that
  leaves the transcript untouched.

The runner, not the child, enforces the time limit: the child leads its
own process group, and when the limit passes the runner kills the whole
group (a program cannot ignore that, as it could ignore an alarm signal).
A child that ends without leaving a record called ``os._exit`` itself: its
exit status is its verdict, as it would be for plain Python.

A notebook (``notebook.py``) runs cell after cell in one namespace, like
Jupyter's "Run All": the runner notes where each cell's output ends and
stops at the first cell that raises.

Read next: ``check.py``, which compares the runs.
"""

from __future__ import annotations

import builtins
import json
import linecache
import os
import random
import runpy
import select
import shutil
import signal
import sys
import time
import traceback
import warnings
from collections import Counter
from typing import Any, Callable, Dict, List, Optional

from . import alias
from .snapshot import graph_of, tensor_record, tensors_in

#: Snapshots taken per function; a function called in a loop is recorded
#: for its first calls only.
CALL_LIMIT = 20

#: Folders never copied with a program (version control, environments, caches).
SKIPPED_FOLDERS = {".git", ".hg", ".venv", "venv", "env", "__pycache__", "node_modules",
                   ".ipynb_checkpoints", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".tox"}


def copy_folder(source: str, target: str) -> None:
    """Copy a program's folder to ``target`` (the folders in SKIPPED_FOLDERS
    left out); symbolic links are copied as links."""
    shutil.copytree(source, target, symlinks=True,
                    ignore=lambda _, names: [n for n in names if n in SKIPPED_FOLDERS])


def folder_size(source: str) -> tuple:
    """``(files, bytes)`` that :func:`copy_folder` would copy."""
    files = size = 0
    for root, folders, names in os.walk(source):
        folders[:] = [f for f in folders if f not in SKIPPED_FOLDERS]
        for name in names:
            files += 1
            try:
                size += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return files, size


class Tracer:
    """The profiler hook: snapshots a program's tensors each time one of its
    frames returns (see the module docstring).  ``files`` maps each file of
    the program (a script, or a notebook's cells) to the label of its
    module-level code."""

    def __init__(self, files: Dict[str, str], tensor_type: type,
                 describe: Optional[Any]) -> None:
        self.files = files
        self.tensor_type = tensor_type
        self.describe = describe  # microgrid.viz.describe when pictures are wanted
        self.calls: Counter = Counter()
        self.snapshots: List[Dict[str, Any]] = []
        self.pictures: Dict[str, Any] = {}
        self.problems: List[str] = []

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if event != "return" or frame.f_code.co_filename not in self.files:
            return
        scope = frame.f_code.co_qualname
        if scope == "<module>":
            scope = self.files[frame.f_code.co_filename]
        self.calls[scope] += 1
        count = self.calls[scope]
        if count > CALL_LIMIT:
            return
        label = scope if count == 1 else f"{scope}#{count}"
        try:
            self.snapshot(label, frame.f_locals)
        except Exception as error:  # a capture failure must not change the program's run
            self.problems.append(f"snapshot of {label} failed: {type(error).__name__}: {error}")

    def snapshot(self, label: str, namespace: Dict[str, Any]) -> None:
        tensors = list(tensors_in(namespace, self.tensor_type))
        if not tensors:
            return
        graphs = {name: graph_of(t) for name, t in tensors}
        self.snapshots.append({"scope": label, "tensors": {
            name: tensor_record(t, graphs[name]) for name, t in tensors}})
        if self.describe is not None and "#" not in label:
            self.draw(label, tensors, graphs)

    def draw(self, label: str, tensors: List[Any], graphs: Dict[str, Any]) -> None:
        """Describe (for ``--render``) each output: a tensor with a graph that
        is not inside another tensor's graph; leaves are named as in the code."""
        params = {name: t for name, t in tensors if t.grad_fn is None and t.requires_grad}
        inner = {n.node for nodes in graphs.values() if nodes for n in nodes[1:]}
        drawn = set()
        for name, t in tensors:
            if graphs[name] and t.grad_fn not in inner and t.grad_fn not in drawn:
                drawn.add(t.grad_fn)
                self.pictures[f"{label}.{name}"] = self.describe(t, params={**params, name: t})


def _record_warnings() -> List[Dict[str, str]]:
    """From now on, note every warning Python shows (it is still shown)."""
    shown: List[Dict[str, str]] = []
    show = warnings.showwarning

    def note(message: Any, category: type, *args: Any, **kwargs: Any) -> None:
        shown.append({"category": category.__name__, "message": str(message)})
        show(message, category, *args, **kwargs)

    warnings.showwarning = note
    return shown


def _exit_status(code: Any) -> int:
    """The status Python exits with after ``sys.exit(code)``."""
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    print(code, file=sys.stderr)
    return 1


def _report_exception(error: BaseException, files: Dict[str, str], folder: str,
                      engine: str) -> Dict[str, Any]:
    """Print ``error`` as Python would (without the runner's own frames) and
    return its record: class, message, where in the program it was raised
    (``line``, and ``where``: the script, or a notebook's cell) and, under
    microgrid, the PyTorch feature it lacks if that is what went wrong."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename not in files:
        tb = tb.tb_next
    try:
        traceback.print_exception(type(error), error, tb)
    except Exception:  # noqa: S110  (the program closed its stderr: nothing to print to)
        pass
    line = where = None
    for frame, number in traceback.walk_tb(tb):
        if frame.f_code.co_filename in files:
            line, where = number, files[frame.f_code.co_filename]
    record = {"type": type(error).__qualname__, "message": str(error), "line": line,
              "where": where}
    if engine == "microgrid":
        record["missing"] = alias.missing_feature(error, _user_code(files, folder))
    return record


def _user_code(files: Dict[str, str], folder: str) -> Callable[[str], bool]:
    """Is a file the program's own code: one of its files, or a module beside it?"""
    prefix = os.path.join(folder, "")
    return lambda filename: filename in files or filename.startswith(prefix)


def _seed(engine: Any, seed: int) -> None:
    """The same start for every random generator a program may use unseeded."""
    random.seed(seed)
    import numpy

    numpy.random.seed(seed)
    engine.manual_seed(seed)


def _first_draws(engine: Any, seed: int) -> Dict[str, Any]:
    """The engine's first random numbers after the seed (then seeded again):
    the check compares them to tell a learner whether microgrid draws
    PyTorch's numbers."""
    draws = {}
    for name in ("randn", "rand"):
        _seed(engine, seed)
        try:
            draws[name] = getattr(engine, name)(4).tolist()
        except Exception as error:  # an engine without it: note why
            draws[name] = f"{type(error).__name__}: {error}"
    _seed(engine, seed)
    return draws


def cell_file(notebook: str, number: int) -> str:
    """The file name a notebook's cell is compiled under (tracebacks show it)."""
    return f"{notebook} [cell {number}]"


def _run_notebook(script: str, cells: List[Dict[str, Any]], ends: List[Dict[str, int]]) -> None:
    """Run a notebook's cells in order in one namespace, as Jupyter would;
    note where each cell's output ends.  A cell's last bare expression is
    displayed as Jupyter displays it: its ``repr``, unless it is None or the
    cell ends with ``;``."""
    import ast

    namespace: Dict[str, Any] = {"__name__": "__main__", "__builtins__": builtins,
                                 "display": _display}
    for cell in cells:
        filename = cell_file(script, cell["number"])
        source = cell["code"]
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        tree = ast.parse(source, filename)
        shown = None
        if tree.body and isinstance(tree.body[-1], ast.Expr) and not cell["quiet"]:
            shown = ast.Expression(tree.body.pop().value)
        exec(compile(tree, filename, "exec"), namespace)  # noqa: S102 (the user's own code)
        if shown is not None:
            value = eval(compile(shown, filename, "eval"), namespace)  # noqa: S307
            if value is not None:
                namespace["_"] = value
                print(repr(value))
        sys.stdout.flush()
        ends.append({"number": cell["number"], "end": os.lseek(1, 0, os.SEEK_CUR)})


def _display(*objects: Any) -> None:
    """Jupyter's ``display()``, as plain text."""
    for obj in objects:
        print(repr(obj))


def run_job(job: Dict[str, Any], engine: Any, render: bool, seed: int) -> Dict[str, Any]:
    """Run one program (in the forked child, in its working folder) and
    return its record."""
    script = job["script"]
    folder = os.path.dirname(script)
    cells = job.get("cells")
    files = ({cell_file(script, c["number"]): f"cell {c['number']}" for c in cells}
             if cells is not None else {script: "<module>"})
    describe = None
    problems = []
    if render:
        try:
            from microgrid.viz import describe
        except ImportError as error:
            problems.append(f"--render: microgrid.viz is not available ({error})")
    tracer = Tracer(files, engine.Tensor, describe)
    shown_warnings = _record_warnings()
    sys.argv = [script]
    sys.path[0] = folder
    os.chdir(folder)
    draws = _first_draws(engine, seed)
    status, exception, ends = 0, None, []
    sys.setprofile(tracer)
    try:
        if cells is not None:
            _run_notebook(script, cells, ends)
        else:
            namespace = runpy.run_path(script, run_name=job["run_name"])
            if job.get("function"):
                namespace[job["function"]]()
    except SystemExit as error:
        sys.setprofile(None)
        status = _exit_status(error.code)
    except BaseException as error:  # the program's own error: part of what is compared
        sys.setprofile(None)
        status = 1
        exception = _report_exception(error, files, folder, engine.__name__)
    finally:
        sys.setprofile(None)
    return {"status": status, "exception": exception, "warnings": shown_warnings,
            "snapshots": tracer.snapshots, "cells": ends, "draws": draws,
            "pictures": tracer.pictures, "problems": problems + tracer.problems}


def _write_record(path: str, record: Dict[str, Any]) -> None:
    """Write a job's record whole or not at all (the session watches for it)."""
    with open(path + ".part", "w", encoding="utf-8") as side_channel:
        json.dump(record, side_channel, default=str)
    os.replace(path + ".part", path)


def _in_child(job: Dict[str, Any], engine: Any, render: bool, seed: int) -> None:
    """The forked child: its own process group, its own working copy, stdout
    and stderr to the job's files; run, and leave the record."""
    os.setpgid(0, 0)
    prefix = job["out"]
    for fd, suffix in ((1, ".stdout"), (2, ".stderr")):
        target = os.open(prefix + suffix, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    job = dict(job, script=os.path.join(job["workdir"], job["file"]))
    try:
        if job["workdir"] != job["home"]:
            copy_folder(job["home"], job["workdir"])
        result = run_job(job, engine, render, seed)
    except BaseException:  # the runner's own failure, not the program's
        result = {"crash": "the runner failed: " + traceback.format_exc()}
    result.update(version=engine.__version__, workdir=job["workdir"], home=job["home"])
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # the program closed it, as it may
            pass
    _write_record(prefix + ".json", result)


def _wait(pid: int, timeout: float) -> Optional[int]:
    """Wait for the child ``pid`` at most ``timeout`` seconds; its wait
    status, or None if it is still running."""
    deadline = time.monotonic() + timeout
    try:
        pidfd = os.pidfd_open(pid)
    except (AttributeError, OSError):
        pidfd = None
    try:
        while True:
            done, wait_status = os.waitpid(pid, os.WNOHANG)
            if done:
                return wait_status
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            if pidfd is not None:
                select.select([pidfd], [], [], left)
            else:
                time.sleep(min(left, 0.02))
    finally:
        if pidfd is not None:
            os.close(pidfd)


def _kill_group(pid: int) -> None:
    try:
        os.killpg(pid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass


def _death(wait_status: Optional[int], timeout: float) -> Dict[str, Any]:
    """The record of a child that left none: why it ended."""
    if wait_status is None:
        return {"crash": f"timed out after {timeout:g} s", "timeout": True}
    if os.WIFSIGNALED(wait_status):
        return {"crash": f"killed by {signal.Signals(os.WTERMSIG(wait_status)).name}"}
    # It exited by itself without a record: the program called os._exit.
    return {"status": os.WEXITSTATUS(wait_status), "exception": None, "warnings": [],
            "snapshots": [], "cells": [], "problems": [
                "the program ended with os._exit: no tensors were recorded"]}


def run_jobs(engine: str, jobs: List[Dict[str, Any]], render: bool, timeout: float,
             seed: int) -> None:
    """Run every job in its own forked child, one after the other.  A child
    that dies (a crash, a timeout) gets a record saying how."""
    if engine == "microgrid":
        alias.install()
        import microgrid as engine_module
    else:
        import torch as engine_module
    current = {"pid": 0}

    def stop(number: int, frame: Any) -> None:  # the session was interrupted
        if current["pid"]:
            _kill_group(current["pid"])
        os._exit(128 + number)

    signal.signal(signal.SIGTERM, stop)
    for job in jobs:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                _in_child(job, engine_module, render, seed)
            finally:
                os._exit(0)
        current["pid"] = pid
        try:
            os.setpgid(pid, pid)
        except OSError:  # the child did it first, or is already gone
            pass
        wait_status = _wait(pid, timeout)
        _kill_group(pid)  # a timeout, or anything the program left running
        if wait_status is None:
            os.waitpid(pid, 0)
        current["pid"] = 0
        if not os.path.exists(job["out"] + ".json"):
            _write_record(job["out"] + ".json", dict(
                _death(wait_status, timeout), workdir=job["workdir"], home=job["home"],
                version=engine_module.__version__))


def main(argv: List[str]) -> None:
    """``python -m compare.runner ENGINE JOBS_JSON``."""
    engine, jobs_file = argv
    with open(jobs_file, encoding="utf-8") as f:
        spec = json.load(f)
    run_jobs(engine, spec["jobs"], spec["render"], spec["timeout"], spec["seed"])


if __name__ == "__main__":
    main(sys.argv[1:])
