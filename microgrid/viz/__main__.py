"""``python -m microgrid.viz tutorial [DIR]``: draw the tutorial's pictures.

PyTorch counterpart: none.

Writes into ``DIR`` (default ``docs/images``), for the README's tutorial
(``x = tensor([[1., 2.], [3., 4.]], requires_grad=True); out = mean(x * x)``):

* ``tutorial_pair.png`` and ``tutorial_pair.svg``: PyTorch's graph beside
  microgrid's (``draw_pair``), with the values and ``x.grad`` after backward;
* ``tutorial_steps/``: the backward pass step by step (``draw_backward_steps``):
  ``step_0.svg`` ..., ``index.html`` to step through them, and
  ``backward.gif``, the animation the README shows.

The program runs once under each framework, each in its own Python process
(``import torch`` there, ``import microgrid as torch`` here), and sends back
its graph's description as JSON, as ``compare`` does: microgrid itself never
imports torch.  Drawing PyTorch's side needs torch installed.

Read next: ``../../compare``, which proves the two graphs equal for many
programs.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import List, Optional, Sequence

import microgrid

from .description import Description
from .pair import draw_pair
from .steps import draw_backward_steps

TUTORIAL = """\
x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)
out = torch.mean(x * x)
"""

_DESCRIBE = """\
import json
import {module} as torch
from microgrid.viz import describe
{program}
out.backward(retain_graph=True)
print(json.dumps(describe(out, {{"x": x}}, show_values=True, show_grads=True)))
"""


def describe_in_subprocess(module: str, program: str = TUTORIAL) -> Description:
    """Run ``program`` with ``import <module> as torch`` in a fresh Python and
    return the description of its ``out`` (naming its ``x``), after backward."""
    root = str(Path(__file__).resolve().parents[2])
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        p for p in (root, os.environ.get("PYTHONPATH")) if p))
    result = subprocess.run([sys.executable, "-c", _DESCRIBE.format(module=module,
                                                                    program=program)],
                            capture_output=True, text=True, env=env, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"the tutorial failed under {module}:\n{result.stderr}")
    return json.loads(result.stdout)


def tutorial(folder: Path) -> List[Path]:
    """Write the tutorial's pictures into ``folder``; return the files written."""
    pair = draw_pair(describe_in_subprocess("torch"), describe_in_subprocess("microgrid"))
    files = [Path(pair.render(outfile=folder / "tutorial_pair.svg", cleanup=True))]
    pair.attr("graph", dpi="150")
    files.append(Path(pair.render(outfile=folder / "tutorial_pair.png", cleanup=True)))
    import microgrid as torch

    scope = {"torch": torch}
    exec(TUTORIAL, scope)  # the very program the subprocesses ran
    steps_folder = folder / "tutorial_steps"
    for stale in steps_folder.glob("step_*.svg"):  # frames of an earlier drawing
        stale.unlink()
    steps = draw_backward_steps(scope["out"], steps_folder, {"x": scope["x"]},
                                show_values=True, animation="gif")
    return files + steps.files + [steps.html, steps.animation]


def main(argv: Optional[Sequence[str]] = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m microgrid.viz",
                                     description="Draw the tutorial's graph pictures.")
    parser.add_argument("--version", action="version",
                        version=f"%(prog)s (microgrid {microgrid.__version__})")
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("tutorial", help="the README's tutorial pictures")
    command.add_argument("folder", nargs="?", default="docs/images", type=Path)
    arguments = parser.parse_args(argv)
    for path in tutorial(arguments.folder):
        print(path)


if __name__ == "__main__":
    main()
