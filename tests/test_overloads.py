"""Calls that fit none of an overloaded function's signatures: PyTorch's TypeError, word for word.

``x.pow('a')`` fits neither ``pow(Tensor exponent)`` nor ``pow(Number
exponent)``: PyTorch lists both, each marked with why it did not match.
microgrid reproduces that from one table of signatures
(``microgrid/_messages.py``, ``SIGNATURES``) and one parser
(``microgrid/_arguments.py``), for every overloaded function and Tensor
method it has.  Here: the table is still torch's, and a sweep of wrong calls
to each of them raises what torch raises.
"""

import warnings

import pytest
import torch
from difftest import error_of
from overload_probe import torch_signatures

import microgrid
from microgrid._messages import SIGNATURES


@pytest.mark.parametrize("key", sorted(SIGNATURES))
def test_the_table_is_torchs(key):
    name = key.split(".")[-1]
    assert torch_signatures(name, method=key.startswith("Tensor.")) == SIGNATURES[key]


def test_the_table_covers_every_overloaded_function_microgrid_has():
    """Each function and Tensor method that both libraries have and that
    PyTorch overloads is in the table (and so checked)."""
    missing = []
    for name in dir(microgrid.Tensor):
        if (not name.startswith("_") and hasattr(torch.Tensor, name)
                and callable(getattr(microgrid.Tensor, name))
                and f"Tensor.{name}" not in SIGNATURES and torch_signatures(name, True)):
            missing.append(f"Tensor.{name}")
    for name in dir(microgrid):
        value = getattr(torch, name, None)
        if (not name.startswith("_") and callable(value) and not isinstance(value, type)
                and name not in SIGNATURES and torch_signatures(name, False)):
            missing.append(name)
    assert missing == []


#: Wrong calls: positional arguments ("T" is a tensor), then keywords.
WRONG = [(args, kwargs)
         for args in [("a",), ("a", "b"), (None, None, None), (1.5, "x"), ([1.5],),
                      ((1, "a"),), (0, "yes"), (), (1,), (0, True, "z"), ("T", "a")]
         for kwargs in [{}, {"dim": "a"}, {"keepdim": "a"}, {"axis": 1.5}, {"foo": 1}]]

#: Calls torch refuses and microgrid does not (yet): ``to`` takes None for
#: its flags, and an int device (torch: no accelerator) is refused as a type.
KNOWN = {("Tensor.to", (None, None, None), ()), ("Tensor.to", (1,), ())}


def _call(lib, key, args, kwargs):
    name = key.split(".")[-1]
    values = tuple(lib.ones(2) if v == "T" else v for v in args)
    if key.startswith("Tensor."):
        return getattr(lib.ones(2), name)(*values, **kwargs)
    return getattr(lib, name)(lib.ones(2), *values, **kwargs)


def _error(lib, key, args, kwargs):
    return error_of(lambda: _call(lib, key, args, kwargs))


def _has(key):
    name = key.split(".")[-1]
    return (name in microgrid.Tensor.__dict__ if key.startswith("Tensor.")
            else hasattr(microgrid, name))


@pytest.mark.parametrize("key", [k for k in sorted(SIGNATURES) if _has(k)])
def test_wrong_calls_raise_what_pytorch_raises(key):
    differences = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # torch's deprecated overloads warn
        for args, kwargs in WRONG:
            expected = _error(torch, key, args, kwargs)
            got = _error(microgrid, key, args, kwargs)
            if got != expected and (key, args, tuple(kwargs)) not in KNOWN:
                differences.append((args, kwargs, expected, got))
    assert differences == []


def test_the_known_differences_are_still_there():
    """If one of KNOWN starts to agree with torch, take it off the list."""
    for key, args, _ in KNOWN:
        assert _error(torch, key, args, {}) != _error(microgrid, key, args, {})


@pytest.mark.parametrize("lib", [torch, microgrid], ids=["torch", "microgrid"])
def test_a_refused_in_place_call_changes_nothing(lib):
    x = lib.tensor([1.0, 5.0])
    with pytest.raises(TypeError, match="invalid combination"):
        x.clamp_("a")
    with pytest.raises(TypeError, match="invalid combination"):
        x.pow_("a")
    assert x.tolist() == [1.0, 5.0] and x._version == 0


def test_good_calls_still_work():
    x = microgrid.tensor([[1.0, -2.0], [3.0, 4.0]])
    assert x.pow(2).sum(dim=1, keepdim=True).tolist() == [[5.0], [25.0]]
    assert x.view(4).max(0)[1].item() == 3 and x.view(-1, 2).shape == (2, 2)
    assert microgrid.clamp(x, min=0).sum(axis=0).tolist() == [4.0, 4.0]
