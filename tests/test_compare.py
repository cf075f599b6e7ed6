"""``python -m compare`` end to end, each case one subprocess (PyTorch's import
costs a second or two, so programs are batched into as few runs as possible)."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from compare.catalog import CATALOG

ROOT = Path(__file__).resolve().parent.parent
SCRIPTS = ROOT / "tests" / "scripts"
PROGRAMS = ROOT / "compare" / "programs"
SEED = PROGRAMS / "seed_tutorial.py"
EXPECTED = (PROGRAMS / "seed_tutorial.expected.txt").read_text(encoding="utf-8")
SEED_HEADLINE = "Hi, 变量 Variable 和 Tensor"


def run(*args: str, extra_env: dict | None = None, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8", "COLUMNS": "120", **(extra_env or {})}
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
    result = compare("--full", "seed_tutorial", "variable_old", "tensor_new")
    assert result.returncode == 0, result.stdout + result.stderr
    lines = result.stdout.splitlines()
    assert any(re.fullmatch(rf"{SEED_HEADLINE} +\| {SEED_HEADLINE}", line) for line in lines)
    assert any(re.fullmatch(r"Output: tensor\(7\.5000, grad_fn=<MeanBackward0>\) +\| "
                            r"Output: tensor\(7\.5000, grad_fn=<MeanBackward0>\)", line)
               for line in lines)
    for name in ("seed_tutorial", "variable_old", "tensor_new"):
        assert summary_row(result.stdout, name)[1] == "EXACT"
    assert "3 programs: 3 EXACT; exit status 0" in result.stdout


def test_the_whole_catalog_is_exact_and_reads_at_80_columns():
    """What CI runs: every catalog program EXACT, the table first, nothing
    wider than 80 columns, no colour when piped, a progress line per program."""
    result = compare(extra_env={"COLUMNS": "80"})
    assert result.returncode == 0, result.stdout
    lines = result.stdout.splitlines()
    assert lines[0].startswith("python -m compare: PyTorch 2.13.0")
    assert lines[2].split() == ["program", "verdict", "reason"]
    assert lines[4].split()[:2] == ["seed_tutorial", "EXACT"]
    assert all(len(line) <= 80 for line in lines), max(lines, key=len)
    assert "\033[" not in result.stdout + result.stderr
    count = len(CATALOG)  # every program, however many the catalog holds
    assert lines[-1] == f"{count} programs: {count} EXACT; exit status 0"
    progress = result.stderr.splitlines()
    assert progress[0].split() == ["[", f"1/{count}]", "EXACT", "seed_tutorial"]
    assert len([line for line in progress if f"/{count}]" in line]) == count


def test_list_starts_with_the_seed():
    result = compare("--list")
    assert result.returncode == 0
    names = [line.split()[0] for line in result.stdout.splitlines()]
    assert names[:3] == ["seed_tutorial", "variable_old", "tensor_new"]
    assert {"broadcasting", "diamond", "higher_order", "error_backward_twice"} <= set(names)
    listed = json.loads(compare("--list", "--json").stdout)
    assert [p["name"] for p in listed] == names


def test_help_documents_fuzz_verdicts_and_exit_statuses():
    result = compare("--help")
    assert result.returncode == 0
    for text in ("fuzz", "run", "--seed", "--allow-rounding", "--in-place", "UNSTABLE",
                 "UNSUPPORTED", "ROUNDING", "  3  ", "  2  usage"):
        assert text in result.stdout, text
    assert compare("--version").stdout.startswith("python -m compare (microgrid ")
    assert "--examples" in compare("fuzz", "--help").stdout


@pytest.mark.parametrize("args, message", [
    (["--timeout", "0", "x.py"], "must be more than 0 seconds"),
    (["--timeout", "-1", "x.py"], "must be more than 0 seconds"),
    (["fuzz", "--examples", "0"], "must be 1 or more"),
    (["--seed", "-1", "x.py"], "must be from 0 to 4294967295"),
])
def test_bad_numbers_are_usage_errors(args, message):
    result = compare(*args)
    assert result.returncode == 2
    assert message in result.stderr and "Traceback" not in result.stderr


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
def broken_run(breaks: str, *args: str) -> subprocess.CompletedProcess:
    """compare with microgrid broken on purpose (tests/compare_broken/sitecustomize.py)."""
    return compare(*args, extra_env={"PYTHONPATH": str(ROOT / "tests" / "compare_broken"),
                                     "MICROGRID_BREAK": breaks})


@pytest.fixture(scope="module")
def broken():
    return broken_run("grad,repr,graph", "tensor_new", str(SCRIPTS / "quiet_gradient.py"))


def test_broken_engine_exits_1(broken):
    assert broken.returncode == 1
    assert summary_row(broken.stdout, "tensor_new")[1] == "MISMATCH"
    assert "2 programs: 2 MISMATCH; exit status 1" in broken.stdout


def test_wrong_repr_shows_side_by_side(broken):
    out = broken.stdout
    assert re.search(r"^Data: tensor\(\[\[1\., 2\.\], +X Data: Tensor\(\[\[1\., 2\.\],$", out,
                     re.MULTILINE)


def test_wrong_gradient_shows_its_largest_difference(broken):
    out = broken.stdout
    # tensor_new: tensor.grad is [[1, 2], [3, 4]] instead of [[0.5, 1], [1.5, 2]]
    assert "tensor_new.tensor: largest absolute difference 2, largest relative difference 1" in out
    # a gradient the program never prints is caught all the same, and is the reason
    row = summary_row(out, "quiet_gradient.py")
    assert row[1:4] == ["MISMATCH", "the", "gradient"]
    assert "<module>.x: largest absolute difference 6" in out


def test_wrong_node_is_the_reason(broken):
    assert ("tensor_new.output: node 0: PyTorch MeanBackward0 <- (1,), "
            "microgrid SumBackward0 <- (1,)") in broken.stdout
    reason = broken.stdout.split("== tensor_new: MISMATCH")[1].splitlines()[1]
    assert reason.startswith("1 of 1 graph differ: tensor_new.output: node 0")


# -- one verdict each, through the real command line ------------------------------------
VERDICT_SCRIPTS = ["unseeded_randn.py", "prints_grad_fn.py", "missing_keyword.py", "uses_id.py",
                   "writes_then_reads.py", "reads_data.py", "os_exit.py", "closes_stdout.py",
                   "many_lines.py", "uses_conv_transpose2d.py", "raises.py", "exit_status.py",
                   "legacy_variable.py", "quiet_gradient.py", "missing_then_raises.py"]


@pytest.fixture(scope="module")
def verdicts(tmp_path_factory):
    """One run over all the scripts, started from elsewhere (not their folder)."""
    elsewhere = tmp_path_factory.mktemp("elsewhere")
    before = sorted(p.name for p in SCRIPTS.iterdir())
    start = time.perf_counter()
    result = compare("--json", *(str(SCRIPTS / name) for name in VERDICT_SCRIPTS),
                     cwd=elsewhere)
    elapsed = time.perf_counter() - start
    assert sorted(p.name for p in SCRIPTS.iterdir()) == before  # nothing written beside them
    assert list(elsewhere.iterdir()) == []
    return result, json.loads(result.stdout), elapsed


def _program(results: dict, script: str) -> dict:
    return next(p for p in results["programs"] if p["name"].endswith(script))


@pytest.mark.parametrize("script, verdict, reason", [
    ("prints_grad_fn.py", "EXACT", "2 lines, 2 tensors, 1 graph equal"),  # addresses masked
    ("missing_keyword.py", "UNSUPPORTED",
     "microgrid's torch.zeros has no keyword 'pin_memory' (line 5)"),
    ("uses_conv_transpose2d.py", "UNSUPPORTED",
     "microgrid has no torch.nn.ConvTranspose2d (line 6)"),
    ("missing_then_raises.py", "UNSUPPORTED",  # whatever PyTorch did later
     "microgrid's torch.zeros has no keyword 'pin_memory' (line 5)"),
    ("writes_then_reads.py", "EXACT", "1 line equal"),  # each run in its own folder
    ("reads_data.py", "EXACT", "2 lines equal"),  # names.txt found beside it
    ("os_exit.py", "EXACT", "1 line equal"),  # status 0, as plain Python
    ("closes_stdout.py", "EXACT", "1 line equal"),
    ("many_lines.py", "EXACT", "40001 lines equal"),
    ("raises.py", "EXACT", "1 line, 1 tensor equal; both raise ValueError"),
    ("exit_status.py", "EXACT", "1 line equal; both exit with status 3"),
])
def test_each_script_gets_its_verdict_and_reason(verdicts, script, verdict, reason):
    program = _program(verdicts[1], script)
    assert (program["verdict"], program["reason"]) == (verdict, reason), program["reason"]


def test_an_id_makes_pytorch_unstable_and_microgrid_is_not_blamed(verdicts):
    program = _program(verdicts[1], "uses_id.py")
    assert program["verdict"] == "UNSTABLE"
    assert re.fullmatch(r"PyTorch differs from itself on a second run at line 1: "
                        r"'tensor id: \d+'; likely cause: id\(\)", program["reason"])


def test_unseeded_random_numbers_are_seeded_alike(verdicts):
    """EXACT once microgrid draws PyTorch's numbers, else a value difference:
    never UNSTABLE (every run starts from the same seed)."""
    program = _program(verdicts[1], "unseeded_randn.py")
    assert program["verdict"] in ("EXACT", "MISMATCH"), program["reason"]
    if program["verdict"] == "MISMATCH":
        assert program["reason"].startswith("the tensor differs: <module>.x: largest absolute")
    seeded = run("-c", "import torch; torch.manual_seed(0); print(torch.randn(3))")
    assert program["torch"]["stdout"].splitlines()[0] == (
        seeded.stdout.strip()[:-1] + ", requires_grad=True)")


def test_the_summary_counts_and_exit_status(verdicts):
    result, results, elapsed = verdicts
    # MISMATCH (exit 1) only while microgrid's random numbers are not PyTorch's;
    # beyond that, UNSUPPORTED and UNSTABLE programs: exit 3
    randn = _program(results, "unseeded_randn.py")["verdict"]
    assert result.returncode == (1 if randn == "MISMATCH" else 3)
    assert results["exit_status"] == result.returncode
    assert results["seed"] == 0
    assert elapsed < 120  # 40,000 lines and a 20,000-character line are no burden


def test_only_unsupported_and_unstable_exit_3():
    result = compare("--quiet", str(SCRIPTS / "uses_conv_transpose2d.py"),
                     str(SCRIPTS / "uses_id.py"))
    assert result.returncode == 3, result.stdout
    first = result.stdout.splitlines()[2]
    assert re.fullmatch(r"\S*uses_conv_transpose2d\.py +UNSUPPORTED +microgrid has no "
                        r"torch\.nn\.ConvTranspose2d \(line 6\)", first), first
    assert "Traceback" not in result.stdout + result.stderr


@pytest.fixture(scope="module")
def broken_alone():
    """microgrid one float32 step off in ``item()``, and raising in ``exp``."""
    result = broken_run("ulp,raise", "--json", str(SCRIPTS / "prints_item.py"),
                        str(SCRIPTS / "calls_exp.py"))
    return result.returncode, {Path(p["name"]).name: p
                               for p in json.loads(result.stdout)["programs"]}


@pytest.mark.parametrize("script, verdict, reason", [
    ("prints_item.py", "ROUNDING", "1 of 1 lines differ only in numbers within float32 "
                                   "tolerance (largest 1 ulp, relative 7.6e-08)"),
    ("calls_exp.py", "CRASH", "microgrid raised RuntimeError: exp is broken on purpose "
                              "(line 5); PyTorch did not"),
])
def test_a_last_bit_difference_is_rounding_and_a_raise_a_crash(broken_alone, script, verdict,
                                                                reason):
    status, programs = broken_alone
    assert status == 1
    assert (programs[script]["verdict"], programs[script]["reason"]) == (verdict, reason)


def test_rounding_is_allowed_on_request(broken_alone):
    tolerance = broken_alone[1]["prints_item.py"]["checks"]["transcript"]["details"][0]
    assert tolerance.startswith("tolerance: float32's (rtol 1.3e-06, atol 1e-05)")
    allowed = broken_run("ulp", "--quiet", "--allow-rounding", str(SCRIPTS / "prints_item.py"))
    assert allowed.returncode == 0
    assert "ROUNDING" in allowed.stdout


# -- rounding that training amplifies ------------------------------------------------
AMPLIFIED = (r"the program amplifies rounding: PyTorch against itself with its scalar kernels "
             r"\(ATEN_CPU_CAPABILITY=default\) differs by up to [0-9.e-]+ \(relative\), "
             r"microgrid by up to [0-9.e-]+, where they differ \(6 printed numbers, "
             r"\d+ tensors?\)")


def test_training_that_amplifies_rounding_is_rounding():
    """Sixty SGD steps carry the last bits microgrid's matrix products round
    differently into the losses' 6th digit: beyond float32's tolerance (the
    five checks alone say MISMATCH), as far as PyTorch moves with its own
    scalar kernels: ROUNDING, which --allow-rounding allows."""
    result = compare("--json", "--allow-rounding", str(SCRIPTS / "trains_mlp.py"))
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr
    program = json.loads(result.stdout)["programs"][0]
    assert program["verdict"] == "ROUNDING", program["reason"]
    assert re.fullmatch(AMPLIFIED, program["reason"]), program["reason"]
    assert program["checks"]["transcript"]["state"] == "differs"
    assert program["checks"]["values"]["state"] == "differs"
    evidence = program["amplified_rounding"]
    assert evidence["perturbation"] == "ATEN_CPU_CAPABILITY=default" and evidence["amplified"]
    assert evidence["microgrid"] > evidence["floor"]  # the rule, not the floor, decided
    for moves in evidence["groups"].values():
        assert 0 < moves["pytorch"]
        assert moves["microgrid"] <= evidence["factor"] * moves["pytorch"] + evidence["floor"]


def test_a_wrong_gradient_in_that_training_is_still_a_mismatch():
    """The same program with MulBackward0's gradient 0.1% too big: PyTorch's
    perturbed run moves as before, microgrid far more: MISMATCH."""
    result = broken_run("grad_slightly", "--json", str(SCRIPTS / "trains_mlp.py"))
    assert result.returncode == 1
    program = json.loads(result.stdout)["programs"][0]
    assert program["verdict"] == "MISMATCH"
    assert re.search(r"; PyTorch against itself with its scalar kernels \(ATEN_CPU_CAPABILITY="
                     r"default\) differs by up to [0-9.e-]+ \(relative\), microgrid by up to "
                     r"[0-9.e-]+, more than 10x as far", program["reason"]), program["reason"]
    assert not program["amplified_rounding"]["amplified"]


def test_crash_and_timeout_are_reported():
    start = time.perf_counter()
    result = compare("--timeout", "2", str(SCRIPTS / "sleeps.py"), str(SCRIPTS / "segfaults.py"),
                     str(SCRIPTS / "ignores_alarm.py"))
    assert time.perf_counter() - start < 60
    assert result.returncode == 1
    assert summary_row(result.stdout, "sleeps.py")[1:] == [
        "CRASH", "PyTorch's", "own", "run", "timed", "out", "after", "2", "s"]
    assert summary_row(result.stdout, "segfaults.py")[1] == "CRASH"
    assert summary_row(result.stdout, "ignores_alarm.py")[1] == "CRASH"
    assert "[timed out after 2 s]" in result.stdout
    assert "[killed by SIGSEGV]" in result.stdout
    # what was printed before the end is kept
    assert re.search(r"^tensor\(\[1\., 1\.\]\) +\| tensor\(\[1\., 1\.\]\)$", result.stdout,
                     re.MULTILINE)


def test_ctrl_c_stops_cleanly():
    env = dict(os.environ, PYTHONIOENCODING="utf-8")
    process = subprocess.Popen([sys.executable, "-m", "compare", str(SCRIPTS / "sleeps.py")],
                               cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True)
    time.sleep(4)
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=30)
    assert process.returncode == 130
    assert err.strip().splitlines()[-1].startswith("interrupted: compare stopped its runs")
    assert "Traceback" not in err


def test_the_seed_changes_the_draws():
    one = compare("--json", "--seed", "1", str(SCRIPTS / "unseeded_randn.py"))
    two = compare("--json", "--seed", "2", str(SCRIPTS / "unseeded_randn.py"))
    first = [json.loads(r.stdout)["programs"][0]["torch"]["stdout"] for r in (one, two)]
    assert first[0] != first[1]
    assert json.loads(one.stdout)["seed"] == 1


def test_missing_script_is_a_usage_error():
    result = compare("tests/scripts/does_not_exist.py")
    assert result.returncode == 2
    assert "no such script" in result.stderr


# -- notebooks ----------------------------------------------------------------------
def _notebook(path: Path, cells: list) -> Path:
    import nbformat

    notebook = nbformat.v4.new_notebook()
    notebook.cells = [nbformat.v4.new_markdown_cell("# a lecture")] + [
        nbformat.v4.new_code_cell(source) for source in cells]
    nbformat.write(notebook, str(path))
    return path


NOTEBOOK_CELLS = [
    "%matplotlib inline\nimport torch",
    "x = torch.tensor([1.0, 2.0], requires_grad=True)\nx * 2",
    "!pip install nothing\ny = (x * x).sum()\ny.backward()\nx.grad",
    "z = x.detach() + 1;",
    "raise ValueError('this cell fails')",
    "print('never run')",
]


def test_a_notebook_runs_cell_by_cell(tmp_path):
    path = _notebook(tmp_path / "lecture.ipynb", NOTEBOOK_CELLS)
    result = compare("--json", str(path))
    program = json.loads(result.stdout)["programs"][0]
    assert result.returncode == 0, program
    assert program["verdict"] == "EXACT"
    assert program["reason"].endswith("; both raise ValueError")
    assert program["torch"]["stdout"] == ("tensor([2., 4.], grad_fn=<MulBackward0>)\n"
                                          "tensor([2., 4.])\n")
    assert program["notes"] == ["skipped (IPython only): cell 1: %matplotlib inline; "
                                "cell 3: !pip install nothing"]
    assert program["torch"]["exception"]["where"] == "cell 5"


def test_a_notebook_names_its_first_diverging_cell(tmp_path):
    path = _notebook(tmp_path / "lecture.ipynb", NOTEBOOK_CELLS)
    result = broken_run("repr", "--json", str(path))
    program = json.loads(result.stdout)["programs"][0]
    assert program["verdict"] == "MISMATCH"
    assert program["reason"].endswith(
        "; first diverging cell: 2 (x = torch.tensor([1.0, 2.0], requires_grad=True))")


def test_a_notebook_stopping_on_a_missing_feature_is_unsupported(tmp_path):
    path = _notebook(tmp_path / "lecture.ipynb",
                     ["import torch", "import torch.distributions\nprint('loaded')"])
    result = compare("--json", str(path))
    program = json.loads(result.stdout)["programs"][0]
    assert result.returncode == 3
    assert (program["verdict"], program["reason"]) == (
        "UNSUPPORTED", "microgrid has no torch.distributions (cell 2, line 1)")


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


# -- where a script runs ----------------------------------------------------------------
def test_a_script_runs_in_a_copy_of_its_folder_unless_in_place(tmp_path):
    script = tmp_path / "writes.py"
    script.write_text("import os\nimport torch\nopen('made.txt', 'w').write('x')\n"
                      "print(os.getcwd())\nprint(torch.ones(1))\n", encoding="utf-8")
    copied = compare("--json", str(script), cwd=ROOT / "tests")
    program = json.loads(copied.stdout)["programs"][0]
    assert (program["verdict"], copied.returncode) == ("EXACT", 0)
    # the working copy's path reads as the script's own folder
    assert program["torch"]["stdout"].splitlines()[0] == str(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["writes.py"]
    in_place = compare("--quiet", "--in-place", str(script))
    assert in_place.returncode == 0, in_place.stdout
    assert (tmp_path / "made.txt").read_text() == "x"
