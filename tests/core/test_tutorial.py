"""The seed tutorial under microgrid: its transcript, byte for byte, as PyTorch 2.13.0 prints it.

The program is the tutorial's two functions (``compare/programs/seed_tutorial.py``
runs the same under both engines); the transcript below is PyTorch's output,
kept as a literal so that this check needs no PyTorch.
"""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

import microgrid
from microgrid import autograd

TRANSCRIPT = """\
Tensor: tensor([[1., 2.],
        [3., 4.]])
Variable: tensor([[1., 2.],
        [3., 4.]], requires_grad=True)
Output: tensor(7.5000, grad_fn=<MeanBackward0>)
Gradient of Variable: tensor([[0.5000, 1.0000],
        [1.5000, 2.0000]])
Variable: tensor([[1., 2.],
        [3., 4.]], requires_grad=True)
Variable data: tensor([[1., 2.],
        [3., 4.]])
Variable data as NumPy: [[1. 2.]
 [3. 4.]]
Data: tensor([[1., 2.],
        [3., 4.]], requires_grad=True)
Output of mean(square): 7.5
Gradient of Tensor: tensor([[0.5000, 1.0000],
        [1.5000, 2.0000]])
Tensor: tensor([[1., 2.],
        [3., 4.]], requires_grad=True)
Tensor data (no grad): tensor([[1., 2.],
        [3., 4.]])
Tensor as NumPy array: [[1. 2.]
 [3. 4.]]
"""


def variable_old(torch, Variable):  # noqa: N803 - the tutorial's names
    tensor = torch.FloatTensor([[1, 2], [3, 4]])
    variable = Variable(tensor, requires_grad=True)
    print("Tensor:", tensor)
    print("Variable:", variable)
    v_out = torch.mean(variable * variable)
    print("Output:", v_out)
    v_out.backward()
    print("Gradient of Variable:", variable.grad)
    print("Variable:", variable)
    print("Variable data:", variable.data)
    print("Variable data as NumPy:", variable.data.numpy())


def tensor_new(torch):
    tensor = torch.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    print("Data:", tensor)
    output = torch.mean(tensor * tensor)
    print("Output of mean(square):", output.item())
    output.backward()
    print("Gradient of Tensor:", tensor.grad)
    print("Tensor:", tensor)
    print("Tensor data (no grad):", tensor.detach())
    print("Tensor as NumPy array:", tensor.detach().numpy())


def test_the_tutorial_prints_pytorchs_bytes():
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        variable_old(microgrid, autograd.Variable)
        tensor_new(microgrid)
    assert out.getvalue() == TRANSCRIPT


def test_the_gradient_is_x_over_two():
    """d mean(x * x) / dx = 2x / 4: MeanBackward0 sends 1/4 to each element,
    MulBackward0 sends grad * x along each of its two edges to x."""
    x = microgrid.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    microgrid.mean(x * x).backward()
    assert np.array_equal(x.grad.numpy(), x.detach().numpy() / 2)
    assert x.grad.dtype is microgrid.float32


def test_this_tier_runs_without_pytorch():
    """``pytest tests/core`` passes where PyTorch cannot be imported."""
    if os.environ.get("MICROGRID_CORE_WITHOUT_TORCH"):
        return  # this is the run below
    blocker = (
        "import sys, pytest\n"
        "class NoTorch:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name == 'torch' or name.startswith('torch.'):\n"
        "            raise ImportError('PyTorch is not installed here')\n"
        "sys.meta_path.insert(0, NoTorch())\n"
        "sys.exit(pytest.main(['-q', '-p', 'no:cacheprovider', sys.argv[1]]))\n")
    core = str(Path(__file__).resolve().parent)
    result = subprocess.run([sys.executable, "-c", blocker, core], capture_output=True,
                            text=True, env={**os.environ, "MICROGRID_CORE_WITHOUT_TORCH": "1"},
                            timeout=600)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
