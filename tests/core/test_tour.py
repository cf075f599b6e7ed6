"""``docs/tour.md`` quotes the real code, and the "Read next" chain reads all of it.

* every ``<!-- quote: path name -->`` block in the tour is, character for
  character, the source of ``name`` in ``path`` today;
* every quoted function carries the comment ``# docs/tour.md, stop N`` just
  above it in the source (so whoever edits it knows), and every such comment
  belongs to a quote of that stop;
* each module's docstring ends with "Read next: ``path``", the path exists,
  and following the chain from ``microgrid/__init__.py`` visits every module
  once (``viz/``, documented on its own, is where the chain ends).
"""

from __future__ import annotations

import ast
import re
import textwrap
from pathlib import Path
from typing import Dict, List, Tuple

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "microgrid"
TOUR = ROOT / "docs" / "tour.md"
QUOTE = re.compile(r"<!-- quote: (\S+) (\S+) -->\n```python\n(.*?)\n```\n", re.S)
MARK = re.compile(r"#\s*docs/tour\.md, stop (\d+):")


def definition(tree: ast.Module, qualified: str) -> ast.AST:
    node: ast.AST = tree
    for part in qualified.split("."):
        node = next(n for n in node.body  # type: ignore[attr-defined]
                    if isinstance(n, (ast.FunctionDef, ast.ClassDef)) and n.name == part)
    return node


def source_of(path: str, qualified: str) -> Tuple[str, int, List[str]]:
    """The dedented source of ``qualified`` (decorators included), its first
    line number, and the file's lines."""
    lines = (ROOT / path).read_text(encoding="utf-8").splitlines()
    node = definition(ast.parse("\n".join(lines)), qualified)
    start = node.decorator_list[0].lineno if node.decorator_list else node.lineno
    return textwrap.dedent("\n".join(lines[start - 1:node.end_lineno])), start, lines


def quotes() -> List[Tuple[int, str, str, str]]:
    """(stop, path, name, quoted code) for every quote in the tour."""
    text = TOUR.read_text(encoding="utf-8")
    found = []
    for match in QUOTE.finditer(text):
        stop = re.findall(r"^## Stop (\d+)", text[:match.start()], re.M)[-1]
        found.append((int(stop), match.group(1), match.group(2), match.group(3)))
    return found


def test_the_tour_has_fourteen_stops_in_order():
    stops = re.findall(r"^## Stop (\d+)", TOUR.read_text(encoding="utf-8"), re.M)
    assert [int(s) for s in stops] == list(range(1, 15))


def test_every_quote_is_the_source_as_it_is():
    found = quotes()
    assert len(found) >= 20
    assert sum(code.count("\n") + 1 for *_, code in found) >= 250  # the tour reads real code
    for _, path, name, code in found:
        assert code == source_of(path, name)[0], f"docs/tour.md quotes an old {path}: {name}"


def test_quoted_code_is_marked_in_the_source_and_only_that():
    marked: Dict[Tuple[str, int], int] = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            match = MARK.search(line)
            if match:
                marked[(str(path.relative_to(ROOT)), number)] = int(match.group(1))
    expected = {}
    for stop, path, name, _ in quotes():
        _, start, lines = source_of(path, name)
        assert MARK.search(lines[start - 2]), f"{path}: {name} is quoted but not marked"
        expected[(path, start - 1)] = stop
    assert marked == expected


def read_next(path: Path) -> Path:
    """Where ``path``'s docstring says to read next."""
    docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    match = re.search(r"Read next: ``([^`]+)``", docstring)
    assert match, f"{path.relative_to(ROOT)}: no 'Read next' in its docstring"
    target = (path.parent / match.group(1)).resolve()
    assert target.is_file(), f"{path.relative_to(ROOT)}: 'Read next' names a missing {target}"
    return target


def test_read_next_chain_visits_every_module_once():
    end = PACKAGE / "viz" / "__init__.py"
    chain = [PACKAGE / "__init__.py"]
    while chain[-1] != end:
        following = read_next(chain[-1])
        assert following not in chain, f"the chain comes back to {following}"
        chain.append(following)
    modules = {p for p in PACKAGE.rglob("*.py") if "viz" not in p.relative_to(PACKAGE).parts}
    assert set(chain[:-1]) == modules


def test_the_reading_order_puts_backward_right_after_the_engine():
    chain = [PACKAGE / "__init__.py"]
    while chain[-1].parent.name != "viz":
        chain.append(read_next(chain[-1]))
    names = [str(p.relative_to(PACKAGE)) for p in chain]
    engine = names.index("autograd/engine.py")
    assert names[engine + 1] == "autograd/api.py"
    assert names.index("ops/pointwise.py") < engine and names.index("ops/reduction.py") < engine
