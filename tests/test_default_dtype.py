"""``torch.set_default_dtype(torch.float64)`` reaches every place an integer becomes a float.

PyTorch's default dtype is what Python floats become (``tensor([1.])``,
``zeros(2)``, ``int_tensor * 1.5``) and also what integers and bools become
in floating-point math (``int_tensor / 2``, ``exp(int_tensor)``): each case
runs under both engines with float64 as the default, and must give the same
dtype and values.
"""

import numpy as np
import pytest
import torch
from difftest import both, outcome

import microgrid


def _int(t):
    return t.tensor([1, 4])


def _bool(t):
    return t.tensor([True, False])


UNARY = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "log2", "log10", "log1p",
         "expm1", "reciprocal", "abs", "neg", "sign", "relu"]

CASES = {
    **{f"{name}({kind.__name__[1:]})": (lambda t, name=name, kind=kind: getattr(t, name)(kind(t)))
       for name in UNARY for kind in (_int, _bool)},
    "int / 2": lambda t: _int(t) / 2,
    "int / int": lambda t: _int(t) / _int(t),
    "bool / 1": lambda t: _bool(t) / 1,
    "0-d int / 2": lambda t: t.tensor(3) / 2,
    "int / 0-d float32": lambda t: _int(t) / t.tensor(2.0, dtype=t.float32),
    "int * 1.5": lambda t: _int(t) * 1.5,
    "0.5 - int": lambda t: 0.5 - _int(t),
    "int ** 0.5": lambda t: _int(t) ** 0.5,
    "2.0 ** int": lambda t: 2.0 ** _int(t),
    "int // 1.5": lambda t: _int(t) // 1.5,
    "int % 1.5": lambda t: _int(t) % 1.5,
    "bool * 1.5": lambda t: _bool(t) * 1.5,
    "where(c, 1, 1.5)": lambda t: t.where(_bool(t), 1, 1.5),
    "clamp(int, 0.5)": lambda t: t.clamp(_int(t), 0.5),
    "int.div(2)": lambda t: _int(t).div(2),
    "int.div(1.5, floor)": lambda t: _int(t).div(1.5, rounding_mode="floor"),
    "int.sum() / 2": lambda t: _int(t).sum() / 2,
    "isclose of ints": lambda t: t.isclose(_int(t), _int(t) + 1, atol=1.5),
    "logsumexp(int)": lambda t: t.logsumexp(_int(t), 0),
    "mean(int, dtype)": lambda t: _int(t).mean(dtype=t.float64),
    "int.float()": lambda t: _int(t).float(),
    "int.div_(2)": lambda t: _int(t).div_(2),
    "int.exp_()": lambda t: _int(t).exp_(),
    "full 1.5": lambda t: t.full((2,), 1.5),
    "arange(3.)": lambda t: t.arange(3.0),
    "arange(0, 1, 0.5)": lambda t: t.arange(0, 1, 0.5),
    "linspace": lambda t: t.linspace(0, 1, 3),
    "eye": lambda t: t.eye(2),
    "zeros": lambda t: t.zeros(2),
    "ones": lambda t: t.ones(2),
    "empty": lambda t: t.empty(2).dtype,
    "rand": lambda t: t.rand(2).dtype,
    "randn": lambda t: t.randn(2).dtype,
    "tensor(1.)": lambda t: t.tensor(1.0),
    "tensor([1, 2.])": lambda t: t.tensor([1, 2.0]),
    "as_tensor([1.])": lambda t: t.as_tensor([1.0]),
    "new_tensor([1.])": lambda t: _int(t).new_tensor([1.0]),
    "Tensor([1])": lambda t: t.Tensor([1]),
    "Tensor(2)": lambda t: t.Tensor(2).dtype,
    "Tensor()": lambda t: t.Tensor().dtype,
    "FloatTensor([1])": lambda t: t.FloatTensor([1]),
    "Linear": lambda t: t.nn.Linear(2, 2).weight.dtype,
    "mse_loss of floats": lambda t: t.nn.functional.mse_loss(t.ones(2), t.zeros(2)),
    "mean(int) refused": lambda t: _int(t).mean(),
}


def str_dtypes(value):
    """A dtype as its text, which both libraries share (``torch.float64``)."""
    return str(value) if isinstance(value, (torch.dtype, microgrid.dtype)) else value


@pytest.fixture
def float64_default():
    for lib in (torch, microgrid):
        lib.set_default_dtype(lib.float64)
    yield
    for lib in (torch, microgrid):
        lib.set_default_dtype(lib.float32)


@pytest.mark.parametrize("name", sorted(CASES))
def test_the_default_dtype_reaches(name, float64_default):
    expected, got = both(lambda lib: outcome(lambda: CASES[name](lib)), convert=str_dtypes)
    if expected[0] != "tensor":  # a dtype, or an error
        assert got == expected
    else:
        assert got[:2] == expected[:2]
        np.testing.assert_allclose(np.asarray(got[2], dtype=float), np.asarray(expected[2]),
                                   rtol=1e-15)


def test_float32_again_after_resetting(float64_default):
    microgrid.set_default_dtype(microgrid.float32)
    assert (microgrid.tensor([1, 2]) / 2).dtype == microgrid.float32
    assert microgrid.tensor([1]).exp().dtype == microgrid.float32
