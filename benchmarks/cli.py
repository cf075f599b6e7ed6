"""What every benchmark command shares: its argument parser and its tables.

Each benchmark is a command (``python -m benchmarks``, ``python -m
benchmarks.python_floor`` ...) that behaves like any tool: ``--help``
explains it and runs nothing, ``--version`` names the microgrid it measures,
a header row comes first and each row is printed as soon as it is measured,
and the exit status is 0 unless ``--check`` was given and a target was missed.

Read next: ``__main__.py``.
"""

from __future__ import annotations

import argparse
from typing import Any, List, Sequence

from tabulate import tabulate


def parser(prog: str, doc: str) -> argparse.ArgumentParser:
    """An argument parser whose ``--help`` shows the module's docstring
    (``doc``) and that has ``--version``."""
    import microgrid

    made = argparse.ArgumentParser(prog=prog, description=doc,
                                   formatter_class=argparse.RawDescriptionHelpFormatter)
    made.add_argument("--version", action="version",
                      version=f"%(prog)s (microgrid {microgrid.__version__})")
    return made


class Progress:
    """Rows printed one by one as they are measured, under a header row, in
    columns of fixed widths (a long cell widens its column's line only)."""

    def __init__(self, headers: Sequence[str], widths: Sequence[int]) -> None:
        self.widths = list(widths)
        self.print(headers)
        self.print(["-" * w for w in self.widths])

    def print(self, cells: Sequence[Any]) -> None:
        line = "  ".join(str(c).ljust(w) for c, w in zip(cells, self.widths, strict=True))
        print(line.rstrip(), flush=True)


def table(headers: Sequence[str], rows: List[Sequence[Any]], markdown: bool = False) -> str:
    """The whole table, aligned (or as Markdown, for the README)."""
    return tabulate(rows, headers=list(headers), tablefmt="github" if markdown else "simple",
                    disable_numparse=True)
