"""docs/ops.md is generated from the nodes' docstrings and must not drift from them."""

from __future__ import annotations

from pathlib import Path

import pytest

from microgrid.ops import table

OPS_MD = Path(__file__).resolve().parents[1] / "docs" / "ops.md"


def all_nodes():
    return [node for module in table.op_modules() for node in table.node_classes(module)]


def test_docs_ops_md_is_up_to_date():
    assert OPS_MD.read_text(encoding="utf-8") == table.render(), (
        "docs/ops.md is out of date: run python -m microgrid.ops.table")


def test_every_node_states_its_derivative():
    for node in all_nodes():
        text = table.formula(node)
        assert "dL/d" in text, f"{node.__name__}: no derivative in its docstring"


def test_node_names_are_unique_and_all_listed():
    names = [node.__name__ for node in all_nodes()]
    assert len(names) == len(set(names))
    rendered = table.render()
    for name in names:
        assert f"| `{name}` |" in rendered
    assert "| `exp` | `ExpBackward0` | z = exp(x); dL/dx = grad * z |" in rendered
    assert "| `abs` | `AbsBackward0` | z = \\|x\\|; dL/dx = grad * sgn(x) |" in rendered


@pytest.mark.parametrize("node, op", [
    ("MulBackward0", "mul"), ("RsubBackward1", "rsub"), ("LogSoftmaxBackward0", "log_softmax"),
    ("ClampMinBackward1", "clamp_min"), ("ToCopyBackward0", "to_copy"), ("TBackward0", "t"),
    ("MaxPool2DWithIndicesBackward0", "max_pool2d_with_indices"), ("CopyBackwards", "copy"),
    ("CopySlices", "copy_slices"), ("SelectBackwardBackward0", "select_backward"),
])
def test_op_names_follow_aten(node, op):
    assert table.op_name(node) == op


def test_command_line_writes_and_checks(tmp_path, capsys):
    output = tmp_path / "ops.md"
    assert table.main(["--check", "--output", str(output)]) == 1
    assert table.main(["--output", str(output)]) == 0
    assert table.main(["--check", "--output", str(output)]) == 0
    output.write_text(output.read_text() + "edited by hand\n")
    assert table.main(["--check", "--output", str(output)]) == 1
    assert "out of date" in capsys.readouterr().out
