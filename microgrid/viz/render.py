"""Pictures: DOT text rendered to PNG, SVG or PDF, and shown in Jupyter.

PyTorch counterpart: none (torchviz returns a ``graphviz.Digraph``, which
needs the Graphviz programs installed on the system).

Rendering runs Graphviz in-process through ``pygraphviz``, whose wheels bundle
Graphviz, so it works right after ``pip install`` with no ``dot`` program on
the PATH.  ``pygraphviz`` is imported only when a picture is rendered:
``import microgrid`` never loads it.  A picture is written to a temporary file
next to its destination, checked (a PNG must start with the PNG signature and
a non-empty header, an SVG must be a whole ``<svg>`` document, a PDF must end
with ``%%EOF``), and only then moved into place, so a failed render never
leaves a broken file behind.

Read next: ``pair.py`` (two graphs side by side) and ``steps.py`` (the
backward pass, step by step).
"""

from __future__ import annotations

import os
import struct
import tempfile
from pathlib import Path
from typing import Any, Mapping, Optional, Union

from .description import MAX_NODES, Params, describe
from .dot import to_dot

FORMATS = ("png", "svg", "pdf")
PathLike = Union[str, "os.PathLike[str]"]
REINSTALL = ("pip install --force-reinstall 'pygraphviz>=2' (its wheels bundle Graphviz with "
             "its layout engines and cairo renderers)")


def check_picture(data: bytes, format: str) -> None:
    """Raise ``RuntimeError`` unless ``data`` is a complete picture in ``format``."""
    if format == "png":
        # The 8-byte signature, then the IHDR chunk: length, type, width, height.
        ok = (len(data) > 24 and data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
              and min(struct.unpack(">II", data[16:24])) > 0)
    elif format == "svg":
        ok = b"<svg" in data[:1000] and data.rstrip().endswith(b"</svg>")
    else:
        ok = data.startswith(b"%PDF-") and b"%%EOF" in data[-32:]
    if not ok:
        raise RuntimeError(f"Graphviz produced no valid {format.upper()} ({len(data)} bytes), "
                           f"so nothing was written; {REINSTALL}")


def render_bytes(source: str, format: str = "svg", prog: str = "dot",
                 dpi: Optional[float] = None) -> bytes:
    """Lay out and render DOT text with the Graphviz bundled in pygraphviz
    (``dpi`` sets a PNG's resolution; Graphviz's default is 96)."""
    if format not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}, not {format!r}")
    try:
        import pygraphviz
    except ImportError as error:
        raise ImportError("Rendering graph pictures needs pygraphviz, whose wheels bundle "
                          "Graphviz: pip install 'pygraphviz>=2'") from error
    try:
        data = pygraphviz.AGraph(string=source).draw(
            format=format, prog=prog, args=f"-Gdpi={dpi}" if dpi else "")
    except ValueError as error:  # pygraphviz's message names the missing layout program
        raise ValueError(f"Graphviz cannot lay out with {prog!r} ({error}); use prog='dot', "
                         f"or {REINSTALL}") from error
    except TypeError as error:  # how pygraphviz 2 fails when no plugin renders the format
        raise RuntimeError(f"this Graphviz cannot render {format.upper()}; {REINSTALL}") \
            from error
    check_picture(data, format)
    return data


def write_atomic(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    umask = os.umask(0)
    os.umask(umask)
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.chmod(temporary, 0o666 & ~umask)  # mkstemp makes it private; give the usual mode
        os.replace(temporary, path)
    except BaseException:
        os.unlink(temporary)
        raise
    return path


class Graph:
    """A drawn graph: its DOT text (``.source``), the description it was drawn
    from (``.description``), ``.render(path)`` and ``.pipe(format)`` for
    pictures, and an SVG picture when it is the last value of a Jupyter cell."""

    def __init__(self, source: str, description: Optional[Mapping[str, Any]] = None) -> None:
        self.source = source
        self.description = description

    def pipe(self, format: str = "svg", prog: str = "dot", dpi: Optional[float] = None) -> bytes:
        """The rendered picture as bytes."""
        return render_bytes(self.source, format, prog, dpi)

    def render(self, path: PathLike, format: Optional[str] = None, prog: str = "dot",
               dpi: Optional[float] = None) -> Path:
        """Write the picture to ``path`` (the format defaults to the path's
        suffix, else PNG) and return the path."""
        path = Path(path)
        if format is None:
            suffix = path.suffix.lstrip(".").lower()
            format = suffix if suffix in FORMATS else "png"
        return write_atomic(path, self.pipe(format, prog, dpi))

    def _repr_svg_(self) -> str:
        return self.pipe("svg").decode("utf-8")

    def __repr__(self) -> str:
        return f"<microgrid.viz.Graph: {self.source.count(chr(10))} lines of DOT>"


def draw(output: Any, params: Params = None, show_values: bool = False,
         show_grads: bool = False, show_saved: bool = False, rankdir: str = "TB",
         show_legend: bool = True, max_nodes: int = MAX_NODES) -> Graph:
    """Draw the computation graph behind ``output`` (a torch or microgrid
    tensor, a list of them, or a description from :func:`describe`).

    ``params`` names leaf tensors (``{"x": x}``); ``show_values`` and
    ``show_grads`` write the data and ``.grad`` of leaves and outputs into
    their boxes; ``show_saved`` lists what each backward node saved;
    ``rankdir`` is Graphviz's direction ("TB": leaves on top, output at the
    bottom; "LR": left to right).
    """
    description = output if isinstance(output, Mapping) else describe(
        output, params, show_values=show_values, show_grads=show_grads, show_saved=show_saved,
        max_nodes=max_nodes)
    return Graph(to_dot(description, rankdir, show_legend), description)
