"""The runner: runs programs under one engine and records what happened.

PyTorch counterpart: none.  ``python -m compare`` starts this module twice,
in two fresh subprocesses: ``python -m compare.runner torch JOBS`` and
``python -m compare.runner microgrid JOBS``.  The microgrid one first
installs the import hook (``alias.py``), so every ``import torch`` in the
programs gets microgrid.  Nothing is shared between the two runs.

Each job (one program) runs in a forked child of the runner, so the engine
is imported once but every program starts from the same clean state:

* the child's stdout and stderr (file descriptors 1 and 2) go to files:
  they are the program's *transcript*, exactly what a terminal would show;
* a profiler hook (``sys.setprofile``) sees every function of the program
  return and snapshots the tensors in its variables (``snapshot.py``), and
  the module's globals when the script ends;
* an exception that escapes the program is printed like Python prints it
  and recorded (class and message), as is the exit status; so is every
  warning shown (category and message);
* everything else is written as JSON to ``<job>.json``, a side channel that
  leaves the transcript untouched.

The child leaves with ``os._exit``, skipping interpreter teardown: freeing
the program's graphs at exit can only hide crashes behind the report.

Read next: ``check.py``, which compares the two runs.
"""

from __future__ import annotations

import json
import os
import runpy
import signal
import sys
import traceback
import warnings
from collections import Counter
from pathlib import Path
from typing import Any, Dict, List, Optional

from . import alias
from .snapshot import graph_of, tensor_record, tensors_in

#: Snapshots taken per function; a function called in a loop is recorded
#: for its first calls only.
CALL_LIMIT = 20


class Tracer:
    """The profiler hook: snapshots a program's tensors each time one of its
    frames returns (see the module docstring)."""

    def __init__(self, script: str, tensor_type: type, describe: Optional[Any]) -> None:
        self.script = script
        self.tensor_type = tensor_type
        self.describe = describe  # microgrid.viz.describe when pictures are wanted
        self.calls: Counter = Counter()
        self.snapshots: List[Dict[str, Any]] = []
        self.pictures: Dict[str, Any] = {}
        self.problems: List[str] = []

    def __call__(self, frame: Any, event: str, arg: Any) -> None:
        if event != "return" or frame.f_code.co_filename != self.script:
            return
        scope = frame.f_code.co_qualname
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


def _report_exception(error: BaseException, script: str, engine: str) -> Dict[str, Any]:
    """Print ``error`` as Python would (without the runner's own frames) and
    return its record: class, message, the script's line that raised it and,
    under microgrid, the PyTorch name it lacks if that is what went wrong."""
    tb = error.__traceback__
    while tb is not None and tb.tb_frame.f_code.co_filename != script:
        tb = tb.tb_next
    traceback.print_exception(type(error), error, tb)
    line = None
    for frame, number in traceback.walk_tb(tb):
        if frame.f_code.co_filename == script:
            line = number
    record = {"type": type(error).__qualname__, "message": str(error), "line": line}
    if engine == "microgrid":
        record["missing"] = alias.missing_name(error, [script])
    return record


def run_job(job: Dict[str, Any], engine: str, tensor_type: type, render: bool) -> Dict[str, Any]:
    """Run one program (in the forked child) and return its record."""
    script = str(Path(job["path"]).resolve())
    describe = None
    problems = []
    if render:
        try:
            from microgrid.viz import describe
        except ImportError as error:
            problems.append(f"--render: microgrid.viz is not available ({error})")
    tracer = Tracer(script, tensor_type, describe)
    shown_warnings = _record_warnings()
    sys.argv = [script]
    sys.path[0] = os.path.dirname(script)
    status, exception = 0, None
    sys.setprofile(tracer)
    try:
        namespace = runpy.run_path(script, run_name=job["run_name"])
        if job.get("function"):
            namespace[job["function"]]()
    except SystemExit as error:
        status = _exit_status(error.code)
    except BaseException as error:  # the program's own error: part of what is compared
        sys.setprofile(None)
        status = 1
        exception = _report_exception(error, script, engine)
    finally:
        sys.setprofile(None)
    return {"status": status, "exception": exception, "warnings": shown_warnings,
            "snapshots": tracer.snapshots,
            "pictures": tracer.pictures, "problems": problems + tracer.problems}


def _in_child(job: Dict[str, Any], engine: Any, render: bool, timeout: int) -> None:
    """The forked child: redirect stdout/stderr to the job's files, run, report.
    ``engine`` is the module the program's ``torch`` is (torch or microgrid)."""
    prefix = job["out"]
    for fd, suffix in ((1, ".stdout"), (2, ".stderr")):
        target = os.open(prefix + suffix, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        os.dup2(target, fd)
        os.close(target)
    signal.alarm(timeout)  # SIGALRM ends the child: the parent reports a timeout
    result = run_job(job, engine.__name__, engine.Tensor, render)
    result["version"] = engine.__version__
    sys.stdout.flush()
    sys.stderr.flush()
    with open(prefix + ".json", "w", encoding="utf-8") as side_channel:
        json.dump(result, side_channel, default=str)


def run_jobs(engine: str, jobs: List[Dict[str, Any]], render: bool, timeout: int) -> None:
    """Run every job in its own forked child, one after the other.  A child
    that dies (a crash, a timeout) gets a record saying how."""
    if engine == "microgrid":
        alias.install()
        import microgrid as engine_module
    else:
        import torch as engine_module
    for job in jobs:
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            try:
                _in_child(job, engine_module, render, timeout)
            finally:
                os._exit(0)
        _, wait_status = os.waitpid(pid, 0)
        if os.WIFSIGNALED(wait_status):
            number = os.WTERMSIG(wait_status)
            death = (f"timed out after {timeout} s" if number == signal.SIGALRM
                     else f"killed by {signal.Signals(number).name}")
            with open(job["out"] + ".json", "w", encoding="utf-8") as side_channel:
                json.dump({"crash": death}, side_channel)


def main(argv: List[str]) -> None:
    """``python -m compare.runner ENGINE JOBS_JSON``."""
    engine, jobs_file = argv
    with open(jobs_file, encoding="utf-8") as f:
        spec = json.load(f)
    run_jobs(engine, spec["jobs"], spec["render"], spec["timeout"])


if __name__ == "__main__":
    main(sys.argv[1:])
