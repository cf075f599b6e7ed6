"""``python -m compare`` on a seeded program that builds, initialises and
trains an ``nn.Sequential`` with dropout, then samples with ``multinomial``
and shuffles with ``randperm``: PyTorch and microgrid print the same bytes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_seeded_training_and_sampling_match_under_compare() -> None:
    script = "seeded_dropout_makemore"  # the catalog program
    result = subprocess.run([sys.executable, "-m", "compare", script, "--json"], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    report = json.loads(result.stdout)
    (program,) = report["programs"]
    assert program["verdict"] == "EXACT", json.dumps(program["checks"], indent=1)
    # Equal as compare judges tensors: the Linear layers' matmul is MKL's, whose
    # summation order microgrid does not reproduce, so a value may differ in its
    # last bits (compare says which); every random draw is PyTorch's.
    assert program["checks"]["values"]["summary"].startswith("6 tensors equal")
