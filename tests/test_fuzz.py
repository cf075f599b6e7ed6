"""The differential fuzzer (``compare/fuzz.py``): a bounded run, and proof it can fail.

The long runs are made from the command line (``python -m compare fuzz
--examples 1000 --seed S``); here a few dozen random programs must agree, a
printed program must run under PyTorch as it is, and a deliberately broken
microgrid must be caught, shrunk to a short program and printed.
"""

import json

import numpy as np
import pytest
import torch

import microgrid
from compare import fuzz
from compare.__main__ import main
from compare.fuzz import Step
from microgrid._kernels import mathfns
from microgrid.ops import pointwise

BUDGET = 100
#: Programs of the seed-2024 run that agree with PyTorch bit for bit, as measured in this
#: module (83 before issue 15 wired the exact kernels into the ops).  Of the 13 within
#: rounding, 12 multiply matrices (MKL's order, not reproduced) and one takes a float64
#: softmax (its exp is not reproduced).  A change that loses exactness anywhere the fuzzer
#: reaches fails here, even while the tolerance still lets the values agree.  (Run in a
#: process that has not imported ``compare.__main__``, the same seed counts 99 exact, 90
#: before: the matrix products come out differently; why was not found.)
EXACT_OF_BUDGET = 87


def test_a_bounded_run_finds_no_difference():
    outcome = fuzz.fuzz(BUDGET, seed=2024)
    assert outcome.program is None, outcome.program.source() + "\n".join(outcome.found)
    assert (outcome.tried, outcome.differed) == (BUDGET, 0)
    assert outcome.exact + outcome.rounding == BUDGET
    assert outcome.exact >= EXACT_OF_BUDGET, f"exact share fell: {outcome.exact}/{BUDGET}"


def test_a_last_bit_difference_counts_as_rounding_not_exact(monkeypatch):
    program = fuzz.Program((
        Step("v0", "torch.tensor({data}, dtype=torch.float32, requires_grad=True)",
             params=(("data", "[0.5, 1.25, -2.0]"),)),
        Step("v1", "{0}.exp()", ("v0",)),
        Step("", "v1.sum().backward()"),
    ))
    assert fuzz.verdict(program) == ("exact", [])
    exp = mathfns.exp
    monkeypatch.setattr(mathfns, "exp",
                        lambda x: np.nextafter(exp(x), np.float32(np.inf)).astype(x.dtype))
    assert fuzz.verdict(program) == ("rounding", [])


def _example_program() -> fuzz.Program:
    return fuzz.Program((
        Step("v0", "torch.tensor({data}, dtype=torch.float64, requires_grad=True)",
             params=(("data", "[[1.5, -2.0], [0.25, 3.0]]"),)),
        Step("v1", "{0}.softmax({d})", ("v0",), (("d", "1"),)),
        Step("v2", "{0} * {0}", ("v1",), no_grad=True),
        Step("v3", "{0}.max(dim=0).values", ("v1",)),
        Step("loss", "{0}.sum() + {1}.sum()", ("v3", "v2")),
        Step("", "loss.backward()"),
    ))


def test_a_program_prints_as_a_runnable_pytorch_script():
    source = _example_program().source()
    assert "with torch.no_grad():\n    v2 = v1 * v1\n" in source
    namespace: dict = {}
    exec(compile(source, "<program>", "exec"), namespace)  # noqa: S102 - our own script
    assert isinstance(namespace["v0"].grad, torch.Tensor)


def test_the_example_program_agrees():
    assert fuzz.differences(_example_program()) == []


def test_every_drawn_program_runs_under_pytorch_as_printed():
    """The generator runs each step under PyTorch while drawing; the printed
    script, run from scratch, makes the same values."""
    from hypothesis import given, settings

    @settings(max_examples=15, database=None, deadline=None)
    @given(fuzz.programs())
    def runs(program):
        namespace: dict = {}
        run = fuzz.execute(program, torch)
        try:
            exec(compile(program.source(), "<program>", "exec"), namespace)  # noqa: S102
        except Exception as error:  # noqa: BLE001 - a program may end with an error
            assert run.error is not None and run.error[1] == type(error).__name__
        for name, value in run.namespace.items():
            if isinstance(value, torch.Tensor):
                np.testing.assert_array_equal(namespace[name].detach().numpy(),
                                              value.detach().numpy())

    runs()


@pytest.fixture
def broken_add(monkeypatch):
    """microgrid's ``+`` made wrong by a thousandth."""
    add = pointwise.add

    def wrong(input, other, *, alpha=1):
        return add(input, other, alpha=alpha) * 1.001

    monkeypatch.setattr(pointwise, "add", wrong)


def test_a_difference_is_found_shrunk_and_printed(broken_add, capsys):
    assert main(["fuzz", "--examples", "300", "--seed", "7"]) == 1
    printed = capsys.readouterr().out
    assert "1 differed" in printed and "The shrunk program that differs:" in printed
    outcome = fuzz.fuzz(300, seed=7)
    source = outcome.program.source()
    assert source in printed and "+" in source
    assert len(outcome.program.steps) <= 4, source  # shrunk: a leaf or two and the sum
    assert any("values" in line or "graph" in line for line in outcome.found)


def test_the_command_line_reports_the_seed_and_the_count(capsys):
    assert main(["fuzz", "--examples", "3", "--seed", "1"]) == 0
    printed = capsys.readouterr()
    assert printed.out.splitlines() == [
        "fuzz: seed 1 (python -m compare fuzz --seed 1 repeats this run)",
        "3 programs tried, 0 differed; of those that agree, 3 bit for bit (exact), "
        "0 within rounding"]
    assert printed.err.splitlines()[-1] == "fuzz: 3/3 programs tried"  # progress


def test_the_command_line_draws_a_seed_and_speaks_json(capsys):
    assert main(["fuzz", "--examples", "2", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["tried"] == 2 and result["differed"] == 0 and result["program"] is None
    assert result["exact"] + result["rounding"] == 2
    assert isinstance(result["seed"], int)


def test_microgrid_is_not_imported_with_torch_standing_for_it():
    """The two engines really are two: the fuzzer's ``torch`` is PyTorch."""
    assert fuzz.execute(_example_program(), torch).namespace["torch"] is torch
    assert fuzz.execute(_example_program(), microgrid).namespace["torch"] is microgrid
