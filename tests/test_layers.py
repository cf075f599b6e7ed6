"""microgrid's imports go one way: each layer imports only the layers below it.

Read with ``ast`` from the source (nothing is imported), so a learner can read
the package bottom up and never meet a name from a file not yet read.  The
layers, lowest first:

0. ``_kernels``: NumPy made to compute as PyTorch does (imports NumPy and
   Python's standard library only);
1. ``_dtype``, ``_device``, ``_messages``, ``_promotion``, ``_arguments``,
   ``autograd.grad_mode``;
2. ``_tensor``, ``_tensor_str``: the Tensor;
3. the graph and the engine (``autograd.graph``, ``hooks``, ``grad_journal``,
   ``input_metadata``, ``engine``);
4. the ops (``ops/``, ``_creation``, and ``random``, the Generator they draw from);
5. autograd's user-facing functions (``autograd.api``, ``functional``,
   ``gradcheck``, ``variable``, ``walk``, the package);
6. ``nn``, ``optim``, ``viz`` and the top-level package.

The one exception is the one every tensor library has: ``Tensor`` binds its
methods to the ops (``x * y`` calls ``ops.pointwise.mul``), so ``_tensor.py``
imports the layers above it, at its end (see its docstring).  Every import
cycle must go through ``_tensor``.  Imports under ``if TYPE_CHECKING:`` are
for type hints only and do not count.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path
from typing import Dict, List, Set

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "microgrid"

#: Module name prefix -> layer.  The longest matching prefix wins.
LAYERS = {
    "microgrid._kernels": 0,
    "microgrid._dtype": 1, "microgrid._device": 1, "microgrid._messages": 1,
    "microgrid._promotion": 1, "microgrid.autograd.grad_mode": 1, "microgrid._arguments": 1,
    "microgrid._tensor": 2, "microgrid._tensor_str": 2,
    "microgrid.autograd.graph": 3, "microgrid.autograd.hooks": 3,
    "microgrid.autograd.saved_variable": 3,
    "microgrid.autograd.grad_journal": 3, "microgrid.autograd.input_metadata": 3,
    "microgrid.autograd.engine": 3,
    "microgrid.ops": 4, "microgrid._creation": 4, "microgrid.random": 4,
    "microgrid.autograd": 5, "microgrid.autograd.function": 5,
    "microgrid.nn": 6, "microgrid.optim": 6, "microgrid.viz": 6, "microgrid": 6,
    "microgrid.utils": 6, "microgrid.serialization": 6,
}

#: Imports from ``_tensor`` upward: the Tensor <-> ops cycle.
TENSOR_BINDS = {"microgrid.ops", "microgrid._creation", "microgrid.autograd.api",
                "microgrid.autograd.hooks", "microgrid.autograd.graph"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    prefix = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[prefix]


def _type_checking_only(tree: ast.Module) -> Set[int]:
    """Line numbers of imports inside ``if TYPE_CHECKING:`` blocks."""
    lines: Set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            lines.update(n.lineno for stmt in node.body for n in ast.walk(stmt)
                         if isinstance(n, (ast.Import, ast.ImportFrom)))
    return lines


def imports_of(source: str, module: str, is_package: bool, modules: Set[str]
               ) -> Dict[str, Set[str]]:
    """``{imported module: ...}`` for one file: which of ``modules`` it
    imports (``from . import x`` counts as ``x``), and every top-level
    package outside microgrid it imports (key ``"<external>"``)."""
    tree = ast.parse(source)
    skipped = _type_checking_only(tree)
    package = module if is_package else module.rpartition(".")[0]
    found: Dict[str, Set[str]] = {"<internal>": set(), "<external>": set()}
    for node in ast.walk(tree):
        if not isinstance(node, (ast.Import, ast.ImportFrom)) or node.lineno in skipped:
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif node.level:
            base = package.split(".")[:len(package.split(".")) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            targets = [f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target
                       for a in node.names]
        else:
            target = node.module or ""
            targets = [f"{target}.{a.name}" if f"{target}.{a.name}" in modules else target
                       for a in node.names]
        for target in targets:
            if target.split(".")[0] != "microgrid":
                found["<external>"].add(target.split(".")[0])
            elif target != module:
                found["<internal>"].add(target)
    return found


def import_graph() -> Dict[str, Dict[str, Set[str]]]:
    paths = {module_name(p): p for p in PACKAGE.rglob("*.py")}
    return {name: imports_of(path.read_text(encoding="utf-8"), name,
                             path.name == "__init__.py", set(paths))
            for name, path in paths.items()}


def cycles(edges: Dict[str, Set[str]]) -> List[List[str]]:
    """The strongly connected components with more than one module
    (Tarjan's algorithm, iteratively)."""
    index: Dict[str, int] = {}
    low: Dict[str, int] = {}
    stack: List[str] = []
    on_stack: Set[str] = set()
    found: List[List[str]] = []
    for start in edges:
        if start in index:
            continue
        work = [(start, iter(sorted(edges.get(start, ()))))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            for child in children:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(edges.get(child, ())))))
                    break
                if child in on_stack:
                    low[node] = min(low[node], index[child])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        found.append(sorted(component))
    return found


GRAPH = import_graph()


def test_kernels_import_numpy_only():
    for module, found in GRAPH.items():
        if layer(module) == 0:
            outside = found["<external>"] - set(sys.stdlib_module_names)
            assert outside <= {"numpy"}, module
            assert all(layer(target) == 0 for target in found["<internal>"]), module


@pytest.mark.parametrize("module", sorted(GRAPH))
def test_imports_point_down(module):
    """Each module imports its own layer or lower; ``_tensor`` alone binds
    the ops above it."""
    upward = sorted(target for target in GRAPH[module]["<internal>"]
                    if layer(target) > layer(module))
    if module == "microgrid._tensor":
        upward = [t for t in upward if not any(t == b or t.startswith(b + ".")
                                               for b in TENSOR_BINDS)]
    assert upward == [], f"{module} (layer {layer(module)}) imports upward: {upward}"


def test_the_only_cycle_is_tensor_and_ops():
    """Without Tensor's bindings, the imports form no cycle at all."""
    edges = {module: set() if module == "microgrid._tensor" else found["<internal>"]
             for module, found in GRAPH.items()}
    assert cycles(edges) == []


def test_the_checks_catch_an_upward_import_and_a_cycle():
    """The checker itself: a graph module importing an op is upward, and two
    modules importing each other are a cycle."""
    modules = {"microgrid.autograd.graph", "microgrid.ops.pointwise"}
    found = imports_of("from ..ops.pointwise import mul\n", "microgrid.autograd.graph", False,
                       modules)
    assert found["<internal>"] == {"microgrid.ops.pointwise"}
    assert layer("microgrid.ops.pointwise") > layer("microgrid.autograd.graph")
    hinted = imports_of("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n"
                        "    from ..ops.pointwise import mul\n", "microgrid.autograd.graph",
                        False, modules)
    assert hinted["<internal>"] == set()
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
