"""Notebooks: a Jupyter notebook's code cells, as plain Python both engines can run.

PyTorch counterpart: none.  ``python -m compare lecture.ipynb`` reads the
notebook with ``nbformat`` (Jupyter's own reader) and keeps its code cells
in order.  What only IPython understands is skipped and listed, never run:
line magics (``%matplotlib inline``), cell magics (a cell starting with
``%%time`` is skipped whole), shell escapes (``!pip install torch``) and
help requests (``x?``).  A skipped line becomes ``pass`` at its indentation,
so the cell keeps its shape and its line numbers.

The runner (``runner.py``) runs the cells one after the other in one
namespace, as Jupyter's "Run All" does, and displays a cell's last bare
expression as Jupyter would (its ``repr``; nothing for None or after a
trailing ``;``).

Read next: ``runner.py``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List


@dataclass
class Cell:
    """One code cell: its number among the code cells (1, 2, ...), the code
    run, and the IPython-only lines left out."""

    number: int
    code: str
    quiet: bool  # ends with ';': Jupyter shows no value
    skipped: List[str] = field(default_factory=list)

    def as_job(self) -> Dict[str, Any]:
        return {"number": self.number, "code": self.code, "quiet": self.quiet}

    @property
    def first_line(self) -> str:
        return next((line.strip() for line in self.code.splitlines()
                     if line.strip() and line.strip() != "pass"), "")


def _ipython_only(line: str) -> bool:
    stripped = line.strip()
    return stripped.startswith(("%", "!")) or (
        stripped.endswith("?") and not stripped.startswith("#"))


def cell_from_source(number: int, source: str) -> Cell:
    """The runnable form of one code cell's source."""
    lines = source.splitlines()
    if lines and lines[0].lstrip().startswith("%%"):
        return Cell(number, "", True, [source.strip()])
    kept, skipped = [], []
    for line in lines:
        if _ipython_only(line):
            skipped.append(line.strip())
            indent = line[:len(line) - len(line.lstrip())]
            kept.append(indent + "pass")
        else:
            kept.append(line)
    code = "\n".join(kept) + "\n"
    code_lines = [line.split("#")[0].rstrip() for line in kept]
    last = next((line for line in reversed(code_lines) if line.strip()), "")
    return Cell(number, code, last.endswith(";"), skipped)


def read_cells(path: Path) -> List[Cell]:
    """The code cells of the notebook at ``path``, in order (nbformat reads
    every notebook format version and checks it)."""
    import nbformat

    notebook = nbformat.read(str(path), as_version=4)
    sources = [cell.source for cell in notebook.cells if cell.cell_type == "code"]
    return [cell_from_source(n, source) for n, source in enumerate(sources, start=1)]
