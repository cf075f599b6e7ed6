"""Nodes declare the fields ``record()`` gives them.

``record(MeanBackward0, ..., input_shape=..., count=...)`` stores
``input_shape`` and ``count`` on the node; the node class declares both
(``input_shape: Tuple[int, ...]``), so a reader of the class sees every
field its ``backward`` may read.  Read from the source with ``ast``: every
``record``/``record_outputs`` call naming its node class directly.
"""

from __future__ import annotations

import ast
import importlib
from pathlib import Path
from typing import Dict, List, Tuple

PACKAGE = Path(__file__).resolve().parents[2] / "microgrid"
#: record()'s own parameters, not fields of the node.
PARAMETERS = {"saved", "save_result", "view_of"}


def declared(node_class: type) -> Dict[str, object]:
    fields: Dict[str, object] = {}
    for klass in reversed(node_class.__mro__):
        fields.update(getattr(klass, "__annotations__", {}))
    return fields


def undeclared() -> List[Tuple[str, int, str, str]]:
    missing = []
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        module = importlib.import_module(".".join(parts[:-1] if parts[-1] == "__init__"
                                                  else parts))
        for call in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Name)
                    and call.func.id in ("record", "record_outputs") and call.args
                    and isinstance(call.args[0], ast.Name)):
                continue
            node_class = getattr(module, call.args[0].id, None)
            if not isinstance(node_class, type):
                continue  # a variable naming one of several classes
            fields = declared(node_class)
            for keyword in call.keywords:
                if keyword.arg and keyword.arg not in PARAMETERS and keyword.arg not in fields:
                    missing.append((path.name, call.lineno, node_class.__name__, keyword.arg))
    return missing


def test_every_field_record_sets_is_declared_on_its_node():
    assert undeclared() == []


def test_the_check_sees_the_fields_of_the_tutorials_nodes():
    from microgrid.ops.reduction import MeanBackward0

    assert {"input_shape", "count"} <= set(declared(MeanBackward0))
