"""The benchmarks behave like command-line tools: ``--help`` and ``--version``
run nothing, a normal run exits 0 and writes no file, ``--check`` exits 1 on a
missed target, ``--save`` writes the results, memory comes from getrusage."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COMMANDS = ["benchmarks", "benchmarks.python_floor", "benchmarks.deep_graphs",
            "benchmarks.memory", "benchmarks.tutorial_path"]


def run(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.run([sys.executable, "-m", *args], capture_output=True, text=True,
                          cwd=cwd, env=env, timeout=300)


@pytest.mark.parametrize("module", COMMANDS)
def test_help_and_version_run_nothing(module):
    start = time.perf_counter()
    shown = run(module, "--help")
    assert shown.returncode == 0 and shown.stdout.startswith(f"usage: python -m {module}")
    version = run(module, "--version")
    assert version.returncode == 0 and "microgrid 0.1.0" in version.stdout
    assert time.perf_counter() - start < 60  # no benchmark ran


def test_a_normal_run_exits_0_and_writes_nothing(tmp_path):
    tracked = {p.name: p.read_bytes() for p in (ROOT / "benchmarks").glob("results.*")}
    done = run("benchmarks", "--only", "W1", "--quick")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    header = next(i for i, line in enumerate(lines) if line.split()[:3] == ["workload", "phase",
                                                                            "microgrid"])
    assert lines[header + 2].startswith("W1 ")  # a header, a rule, then the row
    assert "targets missed: W1 fwd+bwd" in done.stdout  # 0.3x torch: missed by design
    assert {p.name: p.read_bytes() for p in (ROOT / "benchmarks").glob("results.*")} == tracked
    checked = run("benchmarks", "--only", "W1", "--quick", "--check")
    assert checked.returncode == 1
    saved = run("benchmarks", "--only", "W1", "--quick", "--save", str(tmp_path))
    assert saved.returncode == 0
    results = json.loads((tmp_path / "results.json").read_text())
    assert [row["workload"] for row in results["rows"]] == ["W1"]
    assert "| W1 " in (tmp_path / "results.md").read_text()


def test_bad_arguments_are_usage_errors():
    done = run("benchmarks", "--no-such-option")
    assert done.returncode == 2 and "usage:" in done.stderr


def test_memory_from_getrusage():
    done = run("benchmarks.memory", "floor", "2000000")
    assert done.returncode == 0, done.stderr
    measured = json.loads(done.stdout.splitlines()[-1])
    assert measured["max_rss"] > measured["rss_before"] > 0
    # One step of mean(x*x) at 2e6 float32 makes at least one 8 MB temporary.
    assert measured["max_rss"] - measured["rss_before"] > 4 * 2**20
