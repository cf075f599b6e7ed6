"""uint16 and uint32, PyTorch's "barebones" unsigned dtypes: what works and what is refused.

PyTorch stores, prints, converts, indexes and sums them, compares them for
equality and multiplies them, but most of its kernels are not compiled for
them (``x + x`` is ``NotImplementedError: "add_stub" not implemented for
'UInt16'``) and they promote with no other integer dtype.  Each case runs
under both engines: the same values or the same exception and message.
"""

import pytest
import torch
from difftest import assert_same, outcome

import microgrid


def _a(t, d):
    return t.tensor([[1, 2], [3, 4]], dtype=getattr(t, d))


def _mask(t):
    return t.tensor([[True, False], [False, True]])


CASES = {
    # refused, with the kernel PyTorch names
    "a + a": lambda t, d: _a(t, d) + _a(t, d),
    "a - 1": lambda t, d: _a(t, d) - 1,
    "1 - a": lambda t, d: 1 - _a(t, d),
    "a + True": lambda t, d: _a(t, d) + True,
    "a.add_(1)": lambda t, d: _a(t, d).add_(1),
    "-a": lambda t, d: -_a(t, d),
    "abs(a)": lambda t, d: abs(_a(t, d)),
    "a.sign()": lambda t, d: _a(t, d).sign(),
    "a.sgn()": lambda t, d: _a(t, d).sgn(),
    "a.relu()": lambda t, d: _a(t, d).relu(),
    "~a": lambda t, d: ~_a(t, d),
    "a < 2": lambda t, d: _a(t, d) < 2,
    "a >= a": lambda t, d: _a(t, d) >= _a(t, d),
    "a ** 2": lambda t, d: _a(t, d) ** 2,
    "2 ** a": lambda t, d: 2 ** _a(t, d),
    "a // 2": lambda t, d: _a(t, d) // 2,
    "a % 2": lambda t, d: _a(t, d) % 2,
    "a.div(2, floor)": lambda t, d: _a(t, d).div(2, rounding_mode="floor"),
    "a.div(2, trunc)": lambda t, d: _a(t, d).div(2, rounding_mode="trunc"),
    "maximum": lambda t, d: t.maximum(_a(t, d), _a(t, d)),
    "minimum": lambda t, d: t.minimum(_a(t, d), _a(t, d)),
    "a.clamp(0, 1)": lambda t, d: _a(t, d).clamp(0, 1),
    "a.clamp(min=1)": lambda t, d: _a(t, d).clamp(min=1),
    "a.clamp_max(1)": lambda t, d: _a(t, d).clamp_max(1),
    "a.clamp(tensor)": lambda t, d: _a(t, d).clamp(_a(t, d)),
    "a.max()": lambda t, d: _a(t, d).max(),
    "a.min(0)": lambda t, d: _a(t, d).min(0),
    "a.argmax()": lambda t, d: _a(t, d).argmax(),
    "a.argmin(1)": lambda t, d: _a(t, d).argmin(1),
    "a @ a": lambda t, d: _a(t, d) @ _a(t, d),
    "dot": lambda t, d: t.dot(_a(t, d)[0], _a(t, d)[0]),
    "mv": lambda t, d: t.mv(_a(t, d), _a(t, d)[0]),
    "logical_not": lambda t, d: t.logical_not(_a(t, d)),
    "logical_and": lambda t, d: t.logical_and(_a(t, d), _a(t, d)),
    "masked_fill": lambda t, d: _a(t, d).masked_fill(_mask(t), 0),
    "a[mask] = 5": lambda t, d: _a(t, d).__setitem__(_mask(t), 5),
    "a[index] = 5": lambda t, d: _a(t, d).__setitem__(t.tensor([0]), 5),
    "flip the last dim": lambda t, d: _a(t, d).flip(1),
    "arange": lambda t, d: t.arange(3, dtype=getattr(t, d)),
    "linspace": lambda t, d: t.linspace(0, 3, 4, dtype=getattr(t, d)),
    "eye": lambda t, d: t.eye(2, dtype=getattr(t, d)),
    "mean": lambda t, d: _a(t, d).mean(),
    # promotion with another integer or bool dtype
    "a * int64": lambda t, d: _a(t, d) * t.ones(2, 2, dtype=t.int64),
    "a + uint8": lambda t, d: _a(t, d) + t.ones(2, 2, dtype=t.uint8),
    "a * bool": lambda t, d: _a(t, d) * _mask(t),
    "bool + a": lambda t, d: _mask(t) + _a(t, d),
    "a + uint16 and uint32": lambda t, d: _a(t, d) + _a(t, "uint32" if d == "uint16" else "uint16"),
    "a == int64": lambda t, d: _a(t, d) == t.ones(2, 2, dtype=t.int64),
    "cat with int64": lambda t, d: t.cat([_a(t, d), t.ones(1, 2, dtype=t.int64)]),
    "where with int64": lambda t, d: t.where(_mask(t), _a(t, d), t.ones(2, 2, dtype=t.int64)),
    # what works
    "repr": lambda t, d: repr(_a(t, d)),
    "str of the largest": lambda t, d: str(t.tensor([65535 if d == "uint16" else 4294967295],
                                                    dtype=getattr(t, d))),
    "type()": lambda t, d: _a(t, d).type(),
    "a * a": lambda t, d: _a(t, d) * _a(t, d),
    "a * 2": lambda t, d: _a(t, d) * 2,
    "a.mul_(2)": lambda t, d: _a(t, d).mul_(2),
    "a * 1.5": lambda t, d: _a(t, d) * 1.5,
    "a / 2": lambda t, d: _a(t, d) / 2,
    "a * float32": lambda t, d: _a(t, d) * t.ones(2, 2),
    "a * 0-d int64": lambda t, d: _a(t, d) * t.tensor(2),
    "a == a": lambda t, d: _a(t, d) == _a(t, d),
    "a != 2": lambda t, d: _a(t, d) != 2,
    "a & a": lambda t, d: _a(t, d) & _a(t, d),
    "a.sum()": lambda t, d: _a(t, d).sum(),
    "a.sum(0)": lambda t, d: _a(t, d).sum(0),
    "a.exp()": lambda t, d: _a(t, d).exp(),
    "a.sqrt()": lambda t, d: _a(t, d).sqrt(),
    "a.float()": lambda t, d: _a(t, d).float(),
    "a.to(int64)": lambda t, d: _a(t, d).to(t.int64),
    "float32 to it": lambda t, d: t.tensor([1.5, 2.0]).to(getattr(t, d)),
    "a[0]": lambda t, d: _a(t, d)[0],
    "a[mask]": lambda t, d: _a(t, d)[_mask(t)],
    "a[0] = 5": lambda t, d: (lambda a: (a.__setitem__(0, 5), a)[1])(_a(t, d)),
    "flip dim 0": lambda t, d: _a(t, d).flip(0),
    "where": lambda t, d: t.where(_mask(t), _a(t, d), _a(t, d)),
    "cat": lambda t, d: t.cat([_a(t, d), _a(t, d)]),
    "zeros": lambda t, d: t.zeros(2, dtype=getattr(t, d)),
    "full": lambda t, d: t.full((2,), 7, dtype=getattr(t, d)),
    "t().contiguous()": lambda t, d: _a(t, d).t().contiguous(),
    "equal": lambda t, d: t.equal(_a(t, d), _a(t, d)),
    "a ** 1": lambda t, d: _a(t, d) ** 1,
    "1 ** a": lambda t, d: 1 ** _a(t, d),
}


@pytest.mark.parametrize("d", ["uint16", "uint32"])
@pytest.mark.parametrize("name", list(CASES))
def test_as_pytorch(name, d):
    assert_same(lambda lib: outcome(lambda: CASES[name](lib, d)))


@pytest.mark.parametrize("lib", [torch, microgrid], ids=["torch", "microgrid"])
def test_a_refused_in_place_op_changes_nothing(lib):
    a = lib.tensor([1, 2], dtype=lib.uint16)
    with pytest.raises(NotImplementedError):
        a.add_(1)
    with pytest.raises(NotImplementedError):
        a[lib.tensor([True, False])] = 5
    assert a.tolist() == [1, 2] and a._version == 0
