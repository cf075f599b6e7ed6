"""``python -m compare`` end to end, each case one subprocess (PyTorch's import
costs a second or two, so programs are batched into as few runs as possible)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "scripts"
PROGRAMS = ROOT / "compare" / "programs"
SEED = PROGRAMS / "seed_tutorial.py"
EXPECTED = (PROGRAMS / "seed_tutorial.expected.txt").read_text(encoding="utf-8")
SEED_HEADLINE = "Hi, 变量 Variable 和 Tensor"


def run(*args: str, extra_env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONIOENCODING="utf-8", COLUMNS="120", **(extra_env or {}))
    return subprocess.run([sys.executable, *args], cwd=cwd, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=600)


def compare(*args: str, **kwargs) -> subprocess.CompletedProcess:
    return run("-m", "compare", *args, **kwargs)


def summary_row(output: str, name: str) -> list:
    """The cells of the summary table's row for ``name`` (a catalog name, or
    the end of a script's path)."""
    rows = [line.split() for line in output.splitlines() if line.strip()]
    return next(row for row in rows if row[0] == name or row[0].endswith("/" + name))


# -- the seed tutorial ----------------------------------------------------------
def test_seed_prints_the_articles_transcript_under_torch():
    result = run(str(SEED))
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED


def test_seed_with_imports_swapped_prints_it_byte_for_byte_under_microgrid(tmp_path):
    original = SEED.read_text(encoding="utf-8").splitlines(keepends=True)
    swapped = [line.replace("import torch\n", "import microgrid as torch\n")
                   .replace("from torch.autograd import", "from microgrid.autograd import")
               for line in original]
    assert sum(a != b for a, b in zip(original, swapped, strict=True)) == 2  # the imports
    main = tmp_path / "main.py"
    main.write_text("".join(swapped), encoding="utf-8")
    result = run(str(main), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout == EXPECTED


def test_the_seed_entries_match_and_are_shown_side_by_side():
    result = compare("seed_tutorial", "variable_old", "tensor_new")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(re.fullmatch(rf"{SEED_HEADLINE} +\| {SEED_HEADLINE}", line) for line in lines)
    assert any(re.fullmatch(r"Output: tensor\(7\.5000, grad_fn=<MeanBackward0>\) +\| "
                            r"Output: tensor\(7\.5000, grad_fn=<MeanBackward0>\)", line)
               for line in lines)
    for name in ("seed_tutorial", "variable_old", "tensor_new"):
        assert summary_row(result.stdout, name)[1:] == ["ok"] * 5 + ["MATCH"]
    assert "3 of 3 programs match." in result.stdout


def test_the_whole_catalog_matches_seed_first():
    result = compare()
    table = result.stdout[result.stdout.index("program "):]
    assert result.returncode == 0, table
    assert result.stdout.startswith("== seed_tutorial:")
    assert SEED_HEADLINE + " " in result.stdout


def test_list_starts_with_the_seed():
    result = compare("--list")
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names[:3] == ["seed_tutorial", "variable_old", "tensor_new"]
    assert {"broadcasting", "diamond", "higher_order", "error_backward_twice"} <= set(names)


def test_unknown_program_is_a_usage_error():
    result = compare("no_such_program")
    assert result.returncode == 2
    assert "unknown program 'no_such_program'" in result.stderr


# -- a machine without PyTorch -------------------------------------------------------
def test_without_pytorch_compare_says_what_to_install():
    """Without the reference installed, one line saying how to get it (exit 2),
    not a runner's traceback; ``--list`` needs no PyTorch."""
    hidden = ("import runpy, sys; sys.modules['torch'] = None; sys.argv[0] = 'compare'; "
              "runpy.run_module('compare', run_name='__main__')")
    missing = run("-c", hidden, "seed_tutorial")
    assert missing.returncode == 2
    assert missing.stderr.strip().startswith("python -m compare needs PyTorch 2.13.0")
    assert "Traceback" not in missing.stderr
    listed = run("-c", hidden, "--list")
    assert listed.returncode == 0 and "seed_tutorial" in listed.stdout


# -- a deliberately broken engine ---------------------------------------------------
@pytest.fixture(scope="module")
def broken():
    """One run with microgrid broken three ways (tests/compare_broken/sitecustomize.py)."""
    return compare("tensor_new", str(SCRIPTS / "quiet_gradient.py"), extra_env={
        "PYTHONPATH": str(ROOT / "tests" / "compare_broken"),
        "MICROGRID_BREAK": "grad,repr,graph"})


def test_broken_engine_exits_1(broken):
    assert broken.returncode == 1
    assert summary_row(broken.stdout, "tensor_new")[-1] == "MISMATCH"
    assert "0 of 2 programs match." in broken.stdout


def test_wrong_repr_shows_as_a_transcript_diff(broken):
    out = broken.stdout
    assert "--- PyTorch\n" in out and "+++ microgrid\n" in out
    assert "    -Data: tensor([[1., 2.],\n" in out
    assert "    +Data: Tensor([[1., 2.],\n" in out
    # side by side, the differing lines are marked
    assert re.search(r"^Data: tensor\(\[\[1\., 2\.\], +X Data: Tensor\(\[\[1\., 2\.\],$", out,
                     re.MULTILINE)


def test_wrong_gradient_shows_its_largest_difference(broken):
    out = broken.stdout
    # tensor_new: tensor.grad is [[1, 2], [3, 4]] instead of [[0.5, 1], [1.5, 2]]
    assert ("tensor_new.tensor: largest absolute difference 2, largest relative difference 1"
            in out)
    # a gradient the program never prints is caught all the same
    assert summary_row(out, "quiet_gradient.py")[1:] == ["ok", "ok", "DIFF", "ok", "ok",
                                                         "MISMATCH"]
    assert "<module>.x: largest absolute difference 6" in out


def test_wrong_node_shows_the_first_differing_node(broken):
    assert ("tensor_new.output: node 0: PyTorch MeanBackward0 <- (1,), "
            "microgrid SumBackward0 <- (1,)") in broken.stdout


# -- user scripts ---------------------------------------------------------------
@pytest.fixture(scope="module")
def scripts():
    names = ["legacy_variable.py", "quiet_gradient.py", "exit_status.py", "raises.py",
             "uses_conv2d.py"]
    return compare("--json", *(str(SCRIPTS / name) for name in names))


def _program(results: dict, script: str) -> dict:
    return next(p for p in results["programs"] if p["name"].endswith(script))


def test_scripts_report_as_json(scripts):
    results = json.loads(scripts.stdout)
    assert scripts.returncode == 1  # uses_conv2d.py cannot match
    assert not results["ok"]
    for script in ("legacy_variable.py", "quiet_gradient.py", "exit_status.py", "raises.py"):
        program = _program(results, script)
        assert program["verdict"] == "MATCH", program
        assert all(check["ok"] for check in program["checks"].values())
    status = _program(results, "exit_status.py")
    assert status["torch"]["status"] == status["microgrid"]["status"] == 3
    raised = _program(results, "raises.py")
    assert raised["torch"]["exception"]["type"] == "ValueError"
    assert raised["checks"]["error"]["summary"] == "both raise ValueError"
    assert "ValueError: the script gives up here" in raised["microgrid"]["stderr"]


def test_unsupported_feature_is_named_not_dumped(scripts):
    program = _program(json.loads(scripts.stdout), "uses_conv2d.py")
    assert program["verdict"] == "UNSUPPORTED"
    assert program["missing"] in ("torch.nn", "torch.nn.Conv2d")
    assert program["checks"]["error"]["summary"].startswith(
        f"microgrid has no {program['missing']} (line ")
    assert program["microgrid"]["stdout"] == "input shape: torch.Size([1, 1, 4, 4])\n"


def test_unsupported_feature_report_is_short():
    result = compare("--quiet", str(SCRIPTS / "uses_conv2d.py"))
    assert result.returncode == 1
    first = result.stdout.splitlines()[0]
    assert re.fullmatch(r"UNSUPPORTED +\S*uses_conv2d\.py  \(microgrid has no "
                        r"torch\.nn(\.Conv2d)?\)", first)
    assert "Traceback" not in result.stdout + result.stderr


def test_crash_and_timeout_are_reported():
    result = compare("--timeout", "2", str(SCRIPTS / "sleeps.py"), str(SCRIPTS / "segfaults.py"))
    assert result.returncode == 1
    assert summary_row(result.stdout, "sleeps.py")[-1] == "CRASH"
    assert summary_row(result.stdout, "segfaults.py")[-1] == "CRASH"
    assert "[timed out after 2 s]" in result.stdout
    assert "[killed by SIGSEGV]" in result.stdout
    # what was printed before the end is kept
    assert re.search(r"^tensor\(\[1\., 1\.\]\) +\| tensor\(\[1\., 1\.\]\)$", result.stdout,
                     re.MULTILINE)


def test_missing_script_is_a_usage_error():
    result = compare("tests/scripts/does_not_exist.py")
    assert result.returncode == 2
    assert "no such script" in result.stderr


# -- pictures -------------------------------------------------------------------
def test_render_writes_a_pair_picture_per_output(tmp_path):
    result = compare("--quiet", "--render", str(tmp_path), "tensor_new", "diamond")
    assert result.returncode == 0, result.stdout + result.stderr
    written = sorted(p.name for p in tmp_path.iterdir())
    assert written == ["diamond.module.total.png", "diamond.module.y.png",
                       "diamond.show_graph.tensor.png", "tensor_new.tensor_new.output.png"]
    for path in tmp_path.iterdir():
        data = path.read_bytes()
        assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
        assert int.from_bytes(data[16:20], "big") > 100  # width
