"""Pictures: a real ``graphviz.Digraph`` that renders with or without Graphviz installed.

PyTorch counterpart: none; torchviz's ``make_dot`` returns a
``graphviz.Digraph`` (the ``graphviz`` package, pure Python), and so does
everything here: :class:`Graph` *is* a ``graphviz.Digraph``, built with its
API, so every idiom of that package works on it (``render(name, format=)``,
``render(outfile=)``, ``view()``, ``pipe(encoding=)``, ``attr``,
``graph_attr``, ``node``, ``edge``, ``save``, ``copy``, ``str(g)``).

The ``graphviz`` package runs the ``dot`` program, which a plain ``pip
install`` does not bring.  :class:`Graph` changes only that last step, the
one graphviz itself keeps swappable (its ``_render`` and ``_pipe_lines``
hooks): when a ``dot`` program is on the PATH it is used, exactly as by
graphviz; when there is none, the same DOT text is laid out and rendered
in-process by the Graphviz library bundled in ``pygraphviz``'s wheels, with
graphviz's own argument checks, file names and exceptions
(``graphviz.CalledProcessError`` for a failed render).

That bundled library prints a Fontconfig warning when the system's font
configuration uses newer syntax than it knows.  In-process renders capture
the C library's standard error and drop Fontconfig's warnings; anything else
Graphviz says (its warnings, its errors) is passed on, as ``dot`` would show
it.

In Jupyter a :class:`Graph` offers SVG and PNG (choose with
:func:`set_jupyter_format`, as graphviz's function of that name does).

Read next: ``dot.py``, which draws a graph description into a :class:`Graph`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import struct
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any, Dict, Iterator, List, Optional, Tuple, Union

import graphviz
from graphviz.backend import piping as graphviz_piping
from graphviz.backend import rendering as graphviz_rendering
from graphviz.backend.dot_command import command as dot_command
from graphviz.jupyter_integration import JUPYTER_FORMATS

PathLike = Union[str, "os.PathLike[str]"]
#: Lines the bundled Graphviz's fontconfig prints that say nothing about the picture.
NOISE = ("Fontconfig warning:",)
#: What Jupyter is offered, in order (see :func:`set_jupyter_format`).
_jupyter_formats: Tuple[str, ...] = ("svg", "png")
_stderr_lock = threading.Lock()


def set_jupyter_format(*formats: str) -> Tuple[str, ...]:
    """Choose what a :class:`Graph` offers Jupyter (``"svg"``, ``"png"``,
    ``"jpeg"``; the default is both SVG and PNG) and return the previous
    choice, like ``graphviz.set_jupyter_format``."""
    global _jupyter_formats
    for name in formats:
        if name not in JUPYTER_FORMATS:
            raise ValueError(f"unknown jupyter_format: {name!r} (must be one of "
                             f"{sorted(JUPYTER_FORMATS)})")
    if not formats:
        raise TypeError("set_jupyter_format() needs at least one format, e.g. 'svg' or 'png'")
    previous, _jupyter_formats = _jupyter_formats, tuple(formats)
    return previous


def dot_on_path() -> bool:
    """Is there a ``dot`` program for graphviz to run?"""
    return shutil.which(os.fspath(graphviz.backend.DOT_BINARY)) is not None


# -- rendering in-process, with the Graphviz inside pygraphviz -----------------------
@contextlib.contextmanager
def captured_stderr() -> Iterator[List[bytes]]:
    """Send file descriptor 2 (where C libraries write) to a temporary file
    while the block runs; the list yielded receives what was written."""
    written: List[bytes] = []
    with _stderr_lock, tempfile.TemporaryFile() as log:
        sys.stderr.flush()
        saved = os.dup(2)
        os.dup2(log.fileno(), 2)
        try:
            yield written
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            log.seek(0)
            written.append(log.read())


def without_noise(text: str) -> str:
    """``text`` without the lines of :data:`NOISE`."""
    return "".join(line for line in text.splitlines(keepends=True)
                   if not line.startswith(NOISE))


def check_picture(data: bytes, format: str) -> bool:
    """Is ``data`` a complete picture in ``format``?  (PNG: signature and a
    non-empty header; SVG: a whole ``<svg>`` document; PDF: ends with
    ``%%EOF``; other formats: not empty.)"""
    if format == "png":
        # The 8-byte signature, then the IHDR chunk: length, type, width, height.
        return (len(data) > 24 and data[:8] == b"\x89PNG\r\n\x1a\n"
                and data[12:16] == b"IHDR" and min(struct.unpack(">II", data[16:24])) > 0)
    if format == "svg":
        return b"<svg" in data[:1000] and data.rstrip().endswith(b"</svg>")
    if format == "pdf":
        return data.startswith(b"%PDF-") and b"%%EOF" in data[-32:]
    return bool(data)


def render_in_process(source: str, engine: str, format: str, renderer: Optional[str] = None,
                      formatter: Optional[str] = None, neato_no_op: Union[bool, int, None] = None,
                      quiet: bool = False) -> bytes:
    """What ``dot -K<engine> -T<format>[:renderer[:formatter]] [-n]`` would print
    for ``source``, computed by the Graphviz library in pygraphviz's wheels."""
    cmd = dot_command(engine, format, renderer=renderer, formatter=formatter,
                      neato_no_op=neato_no_op)  # graphviz's own checks of every argument
    try:
        import pygraphviz
    except ImportError as error:
        missing = graphviz.ExecutableNotFound(cmd)
        missing.args = (f"{missing.args[0]}, or pip install 'pygraphviz>=2' (its wheels "
                        "bundle Graphviz)",)
        raise missing from error
    flag = cmd[2][2:]  # "png", or "png:cairo"
    # ``neato -n`` keeps the positions given in the source; in the library
    # those layouts are called "nop" (-n1) and "nop2" (-n2).
    prog = {1: "nop", 2: "nop2"}.get(int(neato_no_op or 0), engine)
    data: Optional[bytes] = None
    failure = ""
    with captured_stderr() as written:
        try:
            data = pygraphviz.AGraph(string=source).draw(format=flag, prog=prog)
        except (ValueError, TypeError, pygraphviz.DotError) as error:
            failure = f"{error}\n"  # Graphviz itself has usually written why, too
    said = without_noise(written[0].decode("utf-8", "replace"))
    if data is not None and not check_picture(data, format):
        failure = f"Graphviz produced no complete {format} ({len(data)} bytes)\n"
    if failure:
        raise graphviz.CalledProcessError(1, cmd, output=data, stderr=said + failure)
    if said and not quiet:
        sys.stderr.write(said)
    return data


def pipe_lines(engine: str, format: str, input_lines: Iterator[str], *, input_encoding: str,
               renderer: Optional[str] = None, formatter: Optional[str] = None,
               neato_no_op: Union[bool, int, None] = None, quiet: bool = False) -> bytes:
    """``graphviz.pipe_lines``, in-process when no ``dot`` is on the PATH."""
    if dot_on_path():
        return graphviz_piping.pipe_lines(engine, format, input_lines,
                                          input_encoding=input_encoding, renderer=renderer,
                                          formatter=formatter, neato_no_op=neato_no_op,
                                          quiet=quiet)
    return render_in_process("".join(input_lines), engine, format, renderer, formatter,
                             neato_no_op, quiet)


def pipe_lines_string(engine: str, format: str, input_lines: Iterator[str], *, encoding: str,
                      **options: Any) -> str:
    """``graphviz.pipe_lines_string``, in-process when no ``dot`` is on the PATH."""
    return pipe_lines(engine, format, input_lines, input_encoding=encoding,
                      **options).decode(encoding)


def render_file(engine: str, format: Optional[str] = None, filepath: Optional[PathLike] = None,
                renderer: Optional[str] = None, formatter: Optional[str] = None,
                neato_no_op: Union[bool, int, None] = None, quiet: bool = False, *,
                outfile: Optional[PathLike] = None, raise_if_result_exists: bool = False,
                overwrite_filepath: bool = False) -> str:
    """``graphviz.render``: the DOT file ``filepath`` rendered to ``outfile``
    (default: ``filepath`` + ``.format``), with graphviz's file names and
    checks; in-process when no ``dot`` is on the PATH."""
    options: Dict[str, Any] = {"renderer": renderer, "formatter": formatter,
                               "neato_no_op": neato_no_op, "quiet": quiet, "outfile": outfile,
                               "raise_if_result_exists": raise_if_result_exists,
                               "overwrite_filepath": overwrite_filepath}
    if dot_on_path():
        return graphviz_rendering.render(engine, format, filepath, **options)
    filepath = None if filepath is None else Path(filepath)
    if outfile is not None:
        outfile = Path(outfile)
        format = graphviz_rendering.get_format(outfile, format=format)
        if filepath is None:
            filepath = graphviz_rendering.get_filepath(outfile)
        if (not overwrite_filepath and outfile.name == filepath.name
                and outfile.resolve() == filepath.resolve()):
            raise ValueError(f"outfile {outfile.name!r} must be different from input file "
                             f"{filepath.name!r} (pass overwrite_filepath=True to override)")
    elif filepath is None or format is None:
        missing = "filepath" if filepath is None else "format"
        raise graphviz.RequiredArgumentError(f"{missing}: (required if outfile is not given, "
                                             "got None)")
    else:
        outfile = graphviz_rendering.get_outfile(filepath, format=format, renderer=renderer,
                                                 formatter=formatter)
    dot_command(engine, format, renderer=renderer, formatter=formatter,
                neato_no_op=neato_no_op)
    if raise_if_result_exists and outfile.exists():
        raise graphviz.FileExistsError(f"output file exists: {os.fspath(outfile)!r}")
    data = render_in_process(filepath.read_text(encoding="utf-8"), engine, format, renderer,
                             formatter, neato_no_op, quiet)
    write_atomic(outfile, data)
    return os.fspath(outfile)


def write_atomic(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file in the same folder,
    so a failure never leaves half a file."""
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


class Graph(graphviz.Digraph):
    """A ``graphviz.Digraph`` that renders without a system Graphviz.

    Everything is graphviz's (``source``, ``render``, ``pipe``, ``view``,
    ``save``, ``attr``, ...) except where the DOT text goes to be rendered:
    the ``dot`` program if there is one, else the Graphviz bundled in
    pygraphviz.  ``description`` holds the graph description it was drawn
    from (``describe``), when there is one.
    """

    description: Any = None
    #: ``neato -n`` for every render of this graph: 2 keeps the node and edge
    #: positions written in its source (``pos``), as the backward stepper's frames do.
    neato_no_op: Optional[int] = None

    def _get_parameters(self, **kwargs: Any) -> Dict[str, Any]:
        parameters = super()._get_parameters(**kwargs)
        if parameters.get("neato_no_op") is None and self.neato_no_op is not None:
            parameters["neato_no_op"] = self.neato_no_op
        return parameters

    @property
    def _render(self) -> Any:  # graphviz's hook for running ``dot`` on a file
        return render_file

    @property
    def _pipe_lines(self) -> Any:  # ... and for piping DOT text through it
        return pipe_lines

    @property
    def _pipe_lines_string(self) -> Any:
        return pipe_lines_string

    def copy(self) -> "Graph":
        copied = super().copy()
        copied.description, copied.neato_no_op = self.description, self.neato_no_op
        return copied

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None,
                          **_: Any) -> Dict[str, Union[bytes, str]]:
        """SVG and PNG for Jupyter (see :func:`set_jupyter_format`)."""
        if include is None:
            include = [JUPYTER_FORMATS[name] for name in _jupyter_formats]
        return super()._repr_mimebundle_(include=include, exclude=exclude)
