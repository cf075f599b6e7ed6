"""microgrid.viz in a real Jupyter kernel: a notebook executed with nbclient.

A torchviz notebook with its import changed (``from microgrid.viz import
make_dot``) must show its pictures as SVG and PNG, the backward stepper as
inline HTML, and print nothing to stderr (no Fontconfig box above the pictures).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

nbformat = pytest.importorskip("nbformat")
nbclient = pytest.importorskip("nbclient")
pytest.importorskip("ipykernel")

CELLS = [
    "import microgrid as torch\nfrom microgrid.viz import make_dot, draw_backward_steps",
    "x = torch.tensor([[1., 2.], [3., 4.]], requires_grad=True)\ny = torch.mean(x * x)\n"
    "make_dot(y, params={'x': x})",
    "draw_backward_steps(y, 'steps', {'x': x}, show_values=True)",
]


def test_notebook_shows_svg_png_and_the_stepper(tmp_path):
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in CELLS])
    root = Path(__file__).resolve().parents[1]
    env_path = os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH")) if p)
    os.environ["PYTHONPATH"], previous = env_path, os.environ.get("PYTHONPATH")
    try:
        client = nbclient.NotebookClient(notebook, timeout=120, kernel_name="python3",
                                         resources={"metadata": {"path": str(tmp_path)}})
        client.execute()
    finally:
        if previous is None:
            del os.environ["PYTHONPATH"]
        else:
            os.environ["PYTHONPATH"] = previous
    outputs = [output for cell in notebook.cells for output in cell.outputs]
    assert not [o for o in outputs if o.output_type == "stream" and o.name == "stderr"]
    assert not [o for o in outputs if o.output_type == "error"]
    picture = notebook.cells[1].outputs[0]["data"]
    assert set(picture) >= {"image/svg+xml", "image/png"}
    assert "MulBackward0" in picture["image/svg+xml"]
    stepper = notebook.cells[2].outputs[0]["data"]["text/html"]
    assert stepper.count('class="mg-frame"') == 4 and "<script>" in stepper
    assert (tmp_path / "steps" / "index.html").exists()
