"""The pieces of ``compare``, in process: value closeness, graph diffs, the
import hook's missing-name reports, side-by-side layout, and the graph walker
it relies on."""

from __future__ import annotations

import io
import json
import math
import subprocess
import sys
import time

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrid
from compare import alias
from compare.check import (
    FACTOR,
    VERDICTS,
    Check,
    Outcome,
    Run,
    _relative,
    _tensor_relative,
    compare_runs,
    first_graph_difference,
    identical,
    judge,
    likely_cause,
    reconsider,
    value_difference,
)
from compare.notebook import cell_from_source
from compare.report import aligned, exit_status, fit, summary_table, use_colour, width
from compare.snapshot import GRAPH_LIMIT, graph_of, signature_of, tensor_record, tensors_in
from compare.transcript import mask, opcodes, rounding
from microgrid.autograd.walk import signature

FLOAT32_TOLERANCE = (1.3e-6, 1e-5)  # torch.testing.assert_close's defaults


def assert_close_agrees(expected: np.ndarray, actual: np.ndarray) -> bool:
    try:
        torch.testing.assert_close(torch.from_numpy(actual), torch.from_numpy(expected))
    except AssertionError:
        return False
    return True


# -- value_difference -------------------------------------------------------------
finite = st.floats(-1e6, 1e6, allow_nan=False, width=32)


@settings(max_examples=60, deadline=None)
@given(st.lists(finite, min_size=1, max_size=8),
       st.lists(st.one_of(st.floats(0, 0.9), st.floats(1.1, 50)), min_size=8, max_size=8),
       st.lists(st.sampled_from([-1, 1]), min_size=8, max_size=8))
def test_closeness_is_torch_testing_assert_close(values, factors, signs):
    """Perturb each element by a multiple of its tolerance (never near 1, the
    boundary): value_difference must agree with torch.testing.assert_close."""
    rtol, atol = FLOAT32_TOLERANCE
    expected = np.array(values, dtype=np.float32)
    step = (atol + rtol * np.abs(expected.astype(np.float64)))
    shift = np.array(factors[:len(values)]) * np.array(signs[:len(values)]) * step
    actual = (expected.astype(np.float64) + shift).astype(np.float32)
    largest_abs, largest_rel, close = value_difference(expected.tolist(), actual.tolist(),
                                                       "torch.float32")
    assert close == assert_close_agrees(expected, actual)
    assert largest_abs == pytest.approx(float(np.max(np.abs(actual.astype(np.float64)
                                                            - expected))))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=32), min_size=1,
                max_size=6))
def test_identical_values_are_close_even_nan_and_inf(values):
    assert value_difference(values, list(values), "torch.float32") == (0.0, 0.0, True)


def test_special_values_must_sit_in_the_same_places():
    nan, inf = math.nan, math.inf
    assert not value_difference([nan, 1.0], [1.0, nan], "torch.float32")[2]
    assert not value_difference([inf], [-inf], "torch.float64")[2]
    assert not value_difference([inf], [1e30], "torch.float64")[2]
    assert value_difference([[nan, inf], [-inf, 2.0]], [[nan, inf], [-inf, 2.0]],
                            "torch.float64")[2]


def test_integers_and_bools_must_be_equal_exactly():
    assert value_difference([1, 2], [1, 2], "torch.int64") == (0.0, 0.0, True)
    assert value_difference([1, 2], [1, 3], "torch.int64") == (1.0, 0.5, False)
    assert not value_difference([True], [False], "torch.bool")[2]


def test_float64_is_held_to_its_own_tolerance():
    assert value_difference([1.0], [1.0 + 1e-9], "torch.float64")[2]
    assert not value_difference([1.0], [1.0 + 1e-6], "torch.float64")[2]
    assert value_difference([1.0], [1.0 + 1e-6], "torch.float32")[2]


# -- graphs -------------------------------------------------------------------------
def test_first_graph_difference_names_the_node():
    a = [[0, "MeanBackward0", [1]], [1, "MulBackward0", [2, 2]], [2, "AccumulateGrad", []]]
    assert first_graph_difference(a, a) is None
    b = [a[0], [1, "MulBackward0", [2, None]], a[2]]
    assert first_graph_difference(a, b) == (
        "node 1: PyTorch MulBackward0 <- (2, 2), microgrid MulBackward0 <- (2, None)")
    assert first_graph_difference(a, a[:2]) == "PyTorch has 3 nodes, microgrid 2"


def _diamond(lib):
    x = lib.tensor([1.0, 2.0], requires_grad=True)
    c = lib.tensor([3.0, 4.0])
    y = x * 2
    return ((y * y) + y * c - 1).sum()


def test_torch_and_microgrid_walk_to_the_same_signature():
    expected = signature(_diamond(torch))
    assert signature(_diamond(microgrid)) == expected
    assert [name for _, name, _ in expected] == [
        "SumBackward0", "SubBackward0", "AddBackward0", "MulBackward0", "MulBackward0",
        "AccumulateGrad", "MulBackward0"]


def test_walk_is_deterministic():
    assert signature(_diamond(microgrid)) == signature(_diamond(microgrid))
    out = _diamond(microgrid)
    assert signature(out) == signature(out)


def test_a_100000_node_chain_is_walked_without_recursion():
    x = microgrid.tensor([1.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0
    nodes = signature(y)
    assert len(nodes) == 100_001
    assert nodes[0] == (0, "MulBackward0", (1, None))
    assert nodes[-1] == (100_000, "AccumulateGrad", ())
    # compare's snapshot does not walk graphs that big (PyTorch would crash
    # freeing them): it gives up after GRAPH_LIMIT nodes
    assert graph_of(y) is None
    short = x
    for _ in range(GRAPH_LIMIT - 1):
        short = short * 1.0
    assert len(signature_of(graph_of(short))) == GRAPH_LIMIT


# -- snapshots ----------------------------------------------------------------------
def test_tensor_records_are_the_same_for_both_engines():
    def records(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        out = (x * x).mean()
        out.backward()
        namespace = {"x": x, "out": out, "pair": (out, 1), "named": {"k": x}, "__x": x}
        return {name: tensor_record(t, graph_of(t)) for name, t in tensors_in(namespace,
                                                                              lib.Tensor)}

    expected = records(torch)
    assert list(expected) == ["x", "out", "pair[0]", "named['k']"]
    assert expected["x"]["grad"]["values"] == [[0.5, 1.0], [1.5, 2.0]]
    assert expected["out"]["graph"] == [[0, "MeanBackward0", [1]], [1, "MulBackward0", [2, 2]],
                                        [2, "AccumulateGrad", []]]
    assert "grad" not in expected["out"]  # a non-leaf's .grad is not read (torch would warn)
    assert records(microgrid) == expected


# -- the import hook ----------------------------------------------------------------
def test_alias_serves_torch_names_from_microgrid():
    code = """
from compare import alias
alias.install()
import torch, torch.autograd
from torch.autograd import Variable
import microgrid
print(torch is microgrid, torch.autograd is microgrid.autograd, Variable.__module__)
print(torch.__spec__.name, torch.autograd.__spec__.name)
try:
    import torch.no_such_module
except ModuleNotFoundError as error:
    print(error, error.name)
"""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "True True microgrid.autograd.variable",
        "microgrid microgrid.autograd",  # the modules keep their own identity
        "microgrid has no torch.no_such_module torch.no_such_module"]


#: A class named Tensor with no operators: Python's TypeError messages for its
#: instances read like those for a microgrid Tensor lacking the operator.
BareTensor = type("Tensor", (), {})


def _error(statement: str) -> BaseException:
    namespace = {"torch": microgrid, "x": microgrid.tensor([1.0]), "bare": BareTensor()}
    try:
        exec(compile(statement, __file__, "exec"), namespace)
    except Exception as error:
        return error
    raise AssertionError(f"{statement} did not fail")


@pytest.mark.parametrize("statement, missing", [
    ("torch.no_such_function(x)", "torch.no_such_function"),
    ("x.no_such_method()", "torch.Tensor.no_such_method"),
    ("torch.Tensor.no_such_attribute", "torch.Tensor.no_such_attribute"),
    ("torch.float32.no_such_property", "torch.dtype.no_such_property"),
    ("torch.autograd.no_such_thing", "torch.autograd.no_such_thing"),
    ("from microgrid.autograd import NoSuchClass", "torch.autograd.NoSuchClass"),
    ("bare % 2", "torch.Tensor.__mod__"),
    ("2 % bare", "torch.Tensor.__rmod__"),
    ("bare @= bare", "torch.Tensor.__imatmul__"),
    ("~bare", "torch.Tensor.__invert__"),
    ("abs(bare)", "torch.Tensor.__abs__"),
    ("bare < 1", "torch.Tensor.__lt__"),
    ("bare ** 2", "torch.Tensor.__pow__"),
    ("bare ^ bare", "torch.Tensor.__xor__"),
    ("bare + 1.5", "torch.Tensor.__add__"),
    ("bare + None", None),  # a wrong operand, not a missing operator
    ("x + 'text'", None),
    ("[].no_such_method()", None),  # not microgrid's object
])
def test_missing_names_are_spelled_as_in_pytorch(statement, missing):
    assert alias.missing_name(_error(statement), [__file__].__contains__) == missing


def test_only_the_scripts_own_lines_count():
    error = _error("torch.no_such_function(x)")
    assert alias.missing_name(error, ["/some/other/script.py"].__contains__) is None


def _keyword_error(tmp_path, line: str) -> BaseException:
    """Run ``line`` from a file (the message names what the line called)."""
    script = tmp_path / "script.py"
    script.write_text(line + "\n", encoding="utf-8")
    namespace = {"torch": microgrid, "F": microgrid.nn.functional, "x": microgrid.ones(2, 3),
                 "cumsum": microgrid.cumsum}
    try:
        exec(compile(script.read_text(), str(script), "exec"), namespace)
    except TypeError as error:
        return error
    raise AssertionError(f"{line} did not fail")


# (Not an overloaded function such as sum: there a keyword that none of its
# signatures has is refused as PyTorch refuses it, ops/arguments.py: overloaded.)
@pytest.mark.parametrize("line, feature", [
    ("torch.cumsum(x, 0, no_such_keyword=True)",
     "microgrid's torch.cumsum has no keyword 'no_such_keyword'"),
    ("x.cumsum(0, no_such_keyword=True)", "microgrid's torch.Tensor.cumsum has no keyword "
                                          "'no_such_keyword'"),
    ("(x + 1).cumsum(0, no_such_keyword=True)", "microgrid's torch.Tensor.cumsum has no "
                                                "keyword 'no_such_keyword'"),
    ("F.relu(x, no_such_keyword=1)",
     "microgrid's torch.nn.functional.relu has no keyword 'no_such_keyword'"),
    ("cumsum(x, 0, no_such_keyword=1)",
     "microgrid's torch.cumsum has no keyword 'no_such_keyword'"),
])
def test_a_missing_keyword_is_named_as_a_pytorch_user_writes_it(tmp_path, line, feature):
    error = _keyword_error(tmp_path, line)
    assert alias.missing_feature(error, [str(tmp_path / "script.py")].__contains__) == feature


def test_a_missing_keyword_of_a_python_function_is_not_microgrids(tmp_path):
    script = tmp_path / "script.py"
    script.write_text("def f(a):\n    return a\nf(1, b=2)\n", encoding="utf-8")
    try:
        exec(compile(script.read_text(), str(script), "exec"), {})
    except TypeError as error:
        assert alias.missing_feature(error, [str(script)].__contains__) is None


# -- transcripts: masking, bounded diff, rounding -----------------------------------------
def test_addresses_are_masked():
    assert mask("<AddBackward0 object at 0x7f3a2b1c0d90>") == "<AddBackward0 object at 0x…>"


@pytest.mark.parametrize("a, b, close", [
    ("loss 26365522.0", "loss 26365524.0", True),  # float32 neighbours
    ("tensor([0.1235, 2.0000])", "tensor([0.1234, 2.0000])", True),  # last printed digit
    ("tensor([1., 2.])", "tensor([1., 3.])", False),
    ("step 3", "step 4", False),  # integers must be equal
    ("MulBackward0", "MulBackward1", False),
    ("1.0", "1.", False),  # the same number printed differently
    ("loss 0.5", "cost 0.5", False),
])
def test_rounding_is_only_numbers_within_tolerance(a, b, close):
    assert (rounding(a, b) is not None) == close


def test_the_diff_is_linear_in_the_transcripts_size():
    same = [f"line {i % 7}" for i in range(40_000)]
    start = time.perf_counter()
    assert opcodes(same, same) == [("equal", 0, 40_000, 0, 40_000)]
    assert len(list(aligned(same, same[:-1] + ["other"]))) == 40_000
    long_line = ["x" * 20_000]
    assert fit(long_line[0], 38) == "x" * 37 + "…"
    assert opcodes(long_line, ["y" * 20_000]) == [("replace", 0, 1, 0, 1)]
    different = [f"a {i}" for i in range(30_000)]
    assert len(list(aligned(different, [f"b {i}" for i in range(30_000)]))) == 30_000
    assert time.perf_counter() - start < 5


# -- side by side -------------------------------------------------------------------
def test_wide_characters_take_two_columns():
    assert width("Hi, 变量") == 8
    assert fit("变量 Variable", 8) == "变量 Va…"
    assert width(fit("变量变量", 5)) == 5


def test_transcripts_are_aligned_by_a_diff_of_masked_lines():
    rows = list(aligned(["x at 0x1f", "y"], ["x at 0x2e", "z"]))
    assert rows == [("x at 0x1f", "|", "x at 0x2e"), ("y", "X", "z")]


def test_transcripts_are_aligned_by_a_diff():
    rows = list(aligned(["a", "b", "c", "d"], ["a", "B", "c", "e", "f"]))
    assert rows == [("a", "|", "a"), ("b", "X", "B"), ("c", "|", "c"), ("d", "X", "e"),
                    ("", ">", "f")]
    assert list(aligned(["x", "y"], ["x"])) == [("x", "|", "x"), ("y", "<", "")]


# -- the report: width, colour, exit status -------------------------------------------------
def _outcome(name: str, verdict: str, reason: str) -> Outcome:
    run = Run("", "", {})
    return Outcome(name, run, run, [], verdict, reason)


def test_the_table_fits_and_never_cuts_a_verdict():
    outcomes = [_outcome("a/very/long/path/to/some/learner/script_with_a_long_name.py",
                         verdict, "a reason much longer than the width of any terminal " * 3)
                for verdict in VERDICTS]
    for columns in (60, 80, 120):
        rows = summary_table(outcomes, columns)
        assert all(width(row) <= columns for row in rows), columns
        for row, verdict in zip(rows[2:], VERDICTS, strict=True):
            assert f" {verdict} " in row and row.startswith("…")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_colour_only_on_a_terminal_and_not_with_no_color(monkeypatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_colour(_Terminal()) and not use_colour(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_colour(_Terminal())


@pytest.mark.parametrize("verdicts, allow_rounding, status", [
    (["EXACT", "EXACT"], False, 0),
    (["EXACT", "ROUNDING"], False, 1),
    (["EXACT", "ROUNDING"], True, 0),
    (["UNSUPPORTED", "UNSTABLE", "ROUNDING"], True, 3),
    (["UNSUPPORTED", "MISMATCH"], True, 1),
    (["CRASH"], True, 1),
])
def test_exit_status(verdicts, allow_rounding, status):
    outcomes = [_outcome(f"p{i}", v, "") for i, v in enumerate(verdicts)]
    assert exit_status(outcomes, allow_rounding) == status


def test_notebook_cells_skip_what_only_ipython_understands():
    cell = cell_from_source(3, "%time x = 1\nfor i in range(2):\n    !echo hi\ny = x?\nx + 1;")
    assert cell.code == "pass\nfor i in range(2):\n    pass\npass\nx + 1;\n"
    assert cell.skipped == ["%time x = 1", "!echo hi", "y = x?"]
    assert cell.quiet
    whole = cell_from_source(1, "%%time\nx = 1")
    assert whole.code == "" and whole.skipped == ["%%time\nx = 1"]


def test_nan_is_identical_to_nan_bit_for_bit():
    assert identical([1.0, math.nan], [1.0, math.nan])
    assert not identical([1.0, 0.0], [1.0, -0.0])  # the sign of zero is a bit too


def test_tensors_equal_within_tolerance_are_exact_unless_bitwise():
    run = Run("", "", {"status": 0})
    checks = [Check("transcript", "ok", "3 lines identical", count=3),
              Check("values", "rounding", "2 tensors equal, 1 of them within float tolerance",
                    count=2, inexact=1),
              Check("grads", "none", "no gradients to compare"),
              Check("graph", "none", "no graphs to compare"), Check("error", "ok", "no error")]
    assert judge(run, run, checks) == (
        "EXACT", "3 lines, 2 tensors equal; 1 tensor only within float tolerance")
    assert judge(run, run, checks, bitwise=True) == (
        "ROUNDING", "2 tensors equal, 1 of them within float tolerance")


@pytest.mark.parametrize("source, line, cause", [
    ("print(id(x))", "140234", "id()"),
    ("start = time.time()\nprint(time.time() - start)", "0.31", "timing"),
    ("print(set(tensors))", "{…}", "set order"),
    ("rng = np.random.default_rng()\nprint(rng.random())", "0.1", "unseeded randomness"),
    ("print(x)", "object 140234567890", "a number that changes from run to run (an id()?)"),
    ("print(x)", "a", "something in the program that changes between runs"),
])
def test_the_likely_cause_of_an_unstable_run(source, line, cause):
    assert likely_cause(source, line) == cause


# -- rounding a program amplifies ---------------------------------------------------
def _trained(losses, w, *, text: str = "step", crash: str | None = None,
             shape: tuple = (3,)) -> Run:
    """A run that printed ``losses`` and kept a weight ``w`` (with a gradient)."""
    record = {"status": 0, "exception": None, "snapshots": [{"scope": "<module>", "tensors": {
        "w": {"shape": list(shape), "dtype": "torch.float32", "values": w,
              "graph": None, "grad": {"shape": list(shape), "dtype": "torch.float32",
                                      "values": [0.5, 0.25, 0.0], "graph": None}}}}]}
    if crash:
        record = {"crash": crash}
    return Run("".join(f"{text} {i} {loss!r}\n" for i, loss in enumerate(losses)), "", record)


REFERENCE = _trained([100.0, 1.0], [1.0, -2.0, 0.001])


def _judged(microgrid: Run, perturbed: Run) -> Outcome:
    outcome = compare_runs("train.py", REFERENCE, REFERENCE, microgrid)
    assert (outcome.verdict, outcome.perturbable) == ("MISMATCH", True), outcome.reason
    return reconsider(outcome, perturbed)


def test_amplified_rounding_is_rounding_when_pytorch_moves_as_far():
    perturbed = _trained([100.003, 1.0002], [1.0001, -2.0, 0.001])
    microgrid = _trained([99.995, 1.0005], [1.0, -2.0002, 0.0012])
    outcome = _judged(microgrid, perturbed)
    assert outcome.verdict == "ROUNDING"
    assert outcome.reason == (
        "the program amplifies rounding: PyTorch against itself with its scalar kernels "
        "(ATEN_CPU_CAPABILITY=default) differs by up to 0.0002 (relative), microgrid by up "
        "to 0.0005, where they differ (2 printed numbers, 1 tensor)")
    assert outcome.evidence["amplified"] and outcome.evidence["groups"]["values"] == {
        "places": 1, "pytorch": pytest.approx(5e-5, rel=1e-3),
        "microgrid": pytest.approx(1e-4, rel=1e-3), "ratio": pytest.approx(2, rel=1e-3)}
    # The worst place: loss 2, 1.0005 against PyTorch's 1.0002 (2.5x as far).
    assert outcome.evidence["worst"]["where"] == "line 2, number 2"
    assert outcome.evidence["worst"]["ratio"] == pytest.approx(2.5, rel=1e-3)
    assert outcome.notes == ["how far from PyTorch's run (relative), PyTorch's scalar kernels "
                             "vs microgrid, largest where they differ: transcript 0.0002 vs "
                             "0.0005; values 5e-05 vs 0.0001; place by place, microgrid at "
                             "most 2.5x as far (the transcript's line 2, number 2)"]


def test_microgrid_farther_than_pytorch_moves_stays_a_mismatch():
    perturbed = _trained([100.0, 1.00002], [1.0, -2.0, 0.001])
    microgrid = _trained([100.0, 1.0002 + FACTOR * 2e-5], [1.0, -2.0, 0.001])
    outcome = _judged(microgrid, perturbed)
    assert outcome.verdict == "MISMATCH"
    assert outcome.reason.endswith(
        "; PyTorch against itself with its scalar kernels (ATEN_CPU_CAPABILITY=default) "
        "differs by up to 2e-05 (relative), microgrid by up to 0.0004, more than 10x as far "
        "(at the transcript's line 2, number 2)")
    assert not outcome.evidence["amplified"]


def test_pytorch_bit_identical_where_microgrid_differs_is_microgrids_doing():
    microgrid = _trained([100.001, 1.0], [1.0, -2.0, 0.001])
    outcome = _judged(microgrid, REFERENCE)
    assert outcome.verdict == "MISMATCH"
    assert outcome.reason.endswith("is bit-identical where microgrid differs: the difference "
                                   "is microgrid's")


def test_pytorch_moving_elsewhere_does_not_excuse_microgrid():
    # PyTorch's perturbed run moves only in the tensor; microgrid differs only in print.
    perturbed = _trained([100.0, 1.0], [1.1, -2.0, 0.001])
    microgrid = _trained([100.001, 1.0], [1.0, -2.0, 0.001])
    outcome = _judged(microgrid, perturbed)
    assert outcome.verdict == "MISMATCH" and outcome.reason.endswith("the difference is "
                                                                     "microgrid's")
    # ... and where it moves in print only, microgrid's tensor is not excused.
    perturbed = _trained([100.001, 1.0], [1.0, -2.0, 0.001])
    microgrid = _trained([100.001, 1.0], [1.1, -2.0, 0.001])
    outcome = _judged(microgrid, perturbed)
    assert outcome.verdict == "MISMATCH"
    assert outcome.reason.endswith("is bit-identical at tensor <module>.w, where microgrid differs "
                                   "by 0.05 (relative)")


def test_pytorch_moving_at_another_place_does_not_excuse_microgrid():
    # The reviewer's case: PyTorch's perturbed run moves loss 2 only (by 1e-3);
    # microgrid is 0.5% off on loss 1, where PyTorch is bit-identical.  Its
    # largest move is within 10x of PyTorch's largest, but not at the same place.
    perturbed = _trained([100.0, 1.001], [1.0, -2.0, 0.001])
    microgrid = _trained([100.5, 1.001], [1.0, -2.0, 0.001])
    outcome = _judged(microgrid, perturbed)
    assert outcome.verdict == "MISMATCH", outcome.reason
    assert outcome.reason.endswith(
        "; PyTorch against itself with its scalar kernels (ATEN_CPU_CAPABILITY=default) is "
        "bit-identical at the transcript's line 1, number 2, where microgrid differs by 0.005 "
        "(relative)")
    assert not outcome.evidence["amplified"]
    assert outcome.evidence["worst"] == {"where": "line 1, number 2", "pytorch": 0.0,
                                         "microgrid": pytest.approx(0.5 / 100.5),
                                         "ratio": None}


def test_a_printed_zero_that_moves_is_finite_and_valid_json():
    reference = _trained([0.0, 1.0], [0.0, 0.0, 0.0])
    perturbed = _trained([0.001, 1.0], [0.0, 1e-3, 0.0])
    microgrid = _trained([0.002, 1.0], [0.0, 2e-3, 0.0])
    outcome = compare_runs("train.py", reference, reference, microgrid)
    assert (outcome.verdict, outcome.perturbable) == ("MISMATCH", True), outcome.reason
    outcome = reconsider(outcome, perturbed)
    evidence = json.loads(json.dumps(outcome.evidence, allow_nan=False))
    assert evidence["groups"]["transcript"] == {"places": 1, "pytorch": 1.0,
                                                "microgrid": 1.0, "ratio": 1.0}
    assert evidence["groups"]["values"]["pytorch"] == 1.0
    assert outcome.verdict == "ROUNDING", outcome.reason
    # Where PyTorch's perturbed run is bit-identical, the ratio is null, not Infinity.
    outcome = reconsider(compare_runs("train.py", reference, reference, microgrid), reference)
    evidence = json.loads(json.dumps(outcome.evidence, allow_nan=False))
    assert outcome.verdict == "MISMATCH" and evidence["worst"]["ratio"] is None
    assert all(group["ratio"] is None for group in evidence["groups"].values())


@pytest.mark.parametrize("expected, actual, relative", [
    (0.0, 0.5, 1.0), (2.0, -2.0, 2.0), (1.0, math.inf, 2.0), (math.nan, 1.0, 2.0),
    (math.inf, math.inf, 0.0), (4.0, 5.0, 0.2)])
def test_the_relative_measure_is_finite(expected, actual, relative):
    assert _relative(expected, actual) == relative
    assert _tensor_relative([expected], [actual]) == relative


def test_a_perturbed_run_that_dies_or_prints_otherwise_leaves_the_mismatch():
    microgrid = _trained([100.01, 1.0], [1.0, -2.0, 0.001])
    died = _judged(microgrid, _trained([], [], crash="timed out after 120 s"))
    assert died.verdict == "MISMATCH"
    assert died.reason.endswith("; PyTorch's perturbed run timed out after 120 s")
    other = _judged(microgrid, _trained([100.01, 1.0], [1.0, -2.0, 0.001], text="loss"))
    assert other.verdict == "MISMATCH" and "printed or kept other things" in other.reason


@pytest.mark.parametrize("microgrid", [
    _trained([100.01, 1.0], [1.0, -2.0, 0.001], text="loss"),  # other text
    _trained([100.01, 1.0, 0.5], [1.0, -2.0, 0.001]),  # another line
    _trained([100.01, 1.0], [1.0, -2.0, 0.001, 4.0], shape=(4,)),  # another shape
])
def test_only_a_mismatch_of_numbers_gets_a_perturbed_run(microgrid):
    outcome = compare_runs("train.py", REFERENCE, REFERENCE, microgrid)
    assert outcome.verdict == "MISMATCH" and not outcome.perturbable
