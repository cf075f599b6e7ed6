"""``python -m compare`` on learner programs (tests/learner_programs/): each
gets the verdict, and the reason, that names its real cause.

The programs are ours, written in the styles learners meet PyTorch in; one
run of compare judges them all.  Some stop today on something microgrid
lacks (UNSUPPORTED, named as a PyTorch user writes it); some draw random
numbers, so they are EXACT only once microgrid draws PyTorch's numbers and
until then a MISMATCH whose reason says so; one times itself (UNSTABLE:
PyTorch differs from itself, microgrid is not blamed).
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LEARNERS = ROOT / "tests" / "learner_programs"

#: The reason of a program that draws random numbers, while microgrid's
#: draws differ from PyTorch's.
RANDOM = (r"\d+ of \d+ tensors differ: .*; likely cause: the program draws random numbers, "
          r"and microgrid's are not PyTorch's for the same seed(; first differing line \d+: .*)?")

#: program -> (verdict, reason as a regular expression); a program that
#: draws random numbers may also be EXACT (or ROUNDING) once microgrid draws
#: PyTorch's numbers.
EXPECTED = {
    "tensors_tour.py": ("UNSUPPORTED", r"microgrid has no torch\.from_numpy \(line 10\)"),
    "autograd_tour.py": ("UNSUPPORTED", r"microgrid has no "
                         r"torch\.nn\.functional\.binary_cross_entropy_with_logits \(line 9\)"),
    "polynomial_manual.py": ("MISMATCH", RANDOM),
    "polynomial_autograd.py": ("MISMATCH", RANDOM),
    "polynomial_nn.py": ("MISMATCH", RANDOM),
    "custom_function.py": ("UNSUPPORTED", r"microgrid has no torch\.autograd\.Function \(line 5\)"),
    "ndarray_basics.py": ("UNSUPPORTED", r"microgrid has no torch\.from_numpy \(line 39\)"),
    "linear_algebra.py": ("UNSUPPORTED",
                          r"microgrid's torch\.Tensor\.sum has no keyword 'axis' \(line 14\)"),
    "autograd_prelims.py": ("UNSUPPORTED",
                            r"microgrid's torch\.randn has no keyword 'size' \(line 41\)"),
    "regression_net.py": ("MISMATCH", RANDOM),
    "classification_net.py": ("UNSUPPORTED", r"microgrid has no torch\.normal \(line 7\)"),
    "batch_training.py": ("UNSUPPORTED", r"microgrid has no torch\.utils\.data \(line 3\)"),
    "value_checks.py": ("EXACT", r"3 lines, 12 tensors, 3 gradients, 9 graphs equal"),
    "bigram_counts.py": ("UNSUPPORTED",
                         r"microgrid's torch\.Tensor\.sum has no keyword 'keepdims' \(line 20\)"),
    "bigram_net.py": ("UNSUPPORTED", r"microgrid has no torch\.Generator \(line 21\)"),
    "char_mlp.py": ("MISMATCH", RANDOM),
    "timing.py": ("UNSTABLE", r"PyTorch differs from itself on a second run at line 1: "
                  r"'10 products took [0-9.]+ sec'; likely cause: timing"),
    "derivatives.ipynb": ("EXACT", r"5 lines, 31 tensors, 7 gradients, 11 graphs equal"),
}


@pytest.fixture(scope="module")
def judged():
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "compare", "--json", *(str(LEARNERS / name) for name in EXPECTED)],
        cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=900)
    assert result.returncode in (1, 3), result.stderr
    return {Path(p["name"]).name: p for p in json.loads(result.stdout)["programs"]}


def test_every_learner_program_is_expected():
    on_disk = {p.name for p in LEARNERS.iterdir() if p.suffix in (".py", ".ipynb")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_verdict_names_the_real_cause(judged, name):
    program = judged[name]
    verdict, reason = EXPECTED[name]
    if reason == RANDOM and program["verdict"] in ("EXACT", "ROUNDING"):
        return  # microgrid draws PyTorch's numbers: nothing else differs
    assert program["verdict"] == verdict, program["reason"]
    assert re.fullmatch(reason, program["reason"]), program["reason"]


def test_the_notebook_lists_what_it_skipped(judged):
    assert judged["derivatives.ipynb"]["notes"] == [
        "skipped (IPython only): cell 1: %matplotlib inline; cell 5: !ls"]
