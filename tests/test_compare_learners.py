"""``python -m compare`` on learner programs (tests/learner_programs/): each
gets the verdict, and the reason, that names its real cause.

The programs are ours, written in the styles learners meet PyTorch in; one
run of compare judges them all.  Every one now runs to the end under
microgrid.  Most are EXACT; those whose printed numbers pass through MKL's
matrix products or VML's math functions (whose last bits microgrid does not
reproduce, docs/numerics.md) are ROUNDING, with the ulps named; one times
itself (UNSTABLE: PyTorch differs from itself, microgrid is not blamed).
When a feature goes missing again, its program's verdict turns UNSUPPORTED
and this test names it.
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

#: The reason of a program whose printed numbers differ only in their last bits.
ROUNDING = (r"\d+ of \d+ lines? differs? only in numbers within float32 tolerance "
            r"\(largest \d+ ulps?, relative [0-9.e-]+\)")
#: The reason of a program whose transcript is identical but some of whose
#: tensors are equal only within float tolerance (matrix products).
TOLERANT = r"(; \d+ tensors?( and \d+ gradients?)? only within float tolerance)?"

#: program -> (verdict, reason as a regular expression).
EXPECTED = {
    "tensors_tour.py": ("EXACT", r"36 lines, 10 tensors equal"),
    "autograd_tour.py": ("EXACT", r"10 lines, 7 tensors, 2 gradients, 1 graph equal" + TOLERANT),
    "polynomial_manual.py": ("EXACT", r"6 lines, 12 tensors equal" + TOLERANT),
    "polynomial_autograd.py": ("ROUNDING", ROUNDING),
    "polynomial_nn.py": ("ROUNDING", ROUNDING),
    "custom_function.py": ("EXACT", r"1 line, 5 tensors, 1 gradient, 1 graph equal"),
    "ndarray_basics.py": ("EXACT", r"40 lines, 8 tensors equal"),
    "linear_algebra.py": ("EXACT", r"40 lines, 7 tensors equal"),
    "autograd_prelims.py": ("EXACT", r"7 lines, 9 tensors, 2 gradients, 5 graphs equal"),
    "regression_net.py": ("EXACT", r"9 lines, 24 tensors, 22 graphs equal" + TOLERANT),
    "classification_net.py": ("EXACT", r"5 lines, 10 tensors, 2 graphs equal" + TOLERANT),
    "batch_training.py": ("EXACT", r"6 lines, 4 tensors equal"),
    "value_checks.py": ("EXACT", r"3 lines, 12 tensors, 3 gradients, 9 graphs equal"),
    "bigram_counts.py": ("EXACT", r"9 lines, 3 tensors equal"),
    "bigram_net.py": ("ROUNDING", ROUNDING),
    "char_mlp.py": ("ROUNDING", ROUNDING),
    "timing.py": ("UNSTABLE", r"PyTorch differs from itself on a second run at line 1: "
                  r"'10 products took [0-9.]+ sec'; likely cause: timing"),
    "derivatives.ipynb": ("EXACT", r"5 lines, 31 tensors, 7 gradients, 11 graphs equal"),
}


@pytest.fixture(scope="module")
def judged():
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "compare", "--json", "--allow-rounding",
         *(str(LEARNERS / name) for name in EXPECTED)],
        cwd=ROOT, env=env, capture_output=True, text=True, encoding="utf-8", timeout=900)
    assert result.returncode == 3, result.stderr  # ROUNDING allowed; UNSTABLE; no MISMATCH
    return {Path(p["name"]).name: p for p in json.loads(result.stdout)["programs"]}


def test_every_learner_program_is_expected():
    on_disk = {p.name for p in LEARNERS.iterdir() if p.suffix in (".py", ".ipynb")}
    assert on_disk == set(EXPECTED)


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_verdict_names_the_real_cause(judged, name):
    program = judged[name]
    verdict, reason = EXPECTED[name]
    assert program["verdict"] == verdict, program["reason"]
    assert re.fullmatch(reason, program["reason"]), program["reason"]


def test_the_notebook_lists_what_it_skipped(judged):
    assert judged["derivatives.ipynb"]["notes"] == [
        "skipped (IPython only): cell 1: %matplotlib inline; cell 5: !ls"]
