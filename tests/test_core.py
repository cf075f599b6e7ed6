"""The core: Tensor, engine, Variable, grad mode, creation, promotion.

Every test runs the same code against PyTorch and microgrid and compares
what a user would see: values, gradients, repr text, node names, errors.
"""

from __future__ import annotations

import subprocess
import sys
import warnings

import numpy as np
import pytest
import torch
from difftest import assert_same_error, both, error_of
from hypothesis import given
from hypothesis import strategies as st
from torch.autograd import Variable as TorchVariable

import microgrid
from microgrid.autograd import Variable as MgVariable


# -- the tutorial -------------------------------------------------------------
def test_tutorial_values_grads_and_text():
    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        out = lib.mean(x * x)
        lines = [repr(x), repr(out), str(out.item())]
        out.backward()
        lines += [repr(x.grad), repr(x.detach()), repr(x.data), str(x.detach().numpy())]
        return lines

    t, m = both(run)
    assert m == t
    assert m[2] == "7.5"
    assert m[3] == "tensor([[0.5000, 1.0000],\n        [1.5000, 2.0000]])"


def test_variable_legacy_style():
    def run(lib, variable):
        tensor = lib.FloatTensor([[1, 2], [3, 4]])
        v = variable(tensor, requires_grad=True)
        out = lib.mean(v * v)
        out.backward()
        return [repr(tensor), repr(v), repr(out), repr(v.grad), str(v.data.numpy()),
                isinstance(v, variable), isinstance(tensor, variable), v.is_leaf]

    assert run(microgrid, MgVariable) == run(torch, TorchVariable)


def test_variable_shares_storage_and_rejects_non_tensors():
    t = microgrid.FloatTensor([1, 2])
    v = MgVariable(t, requires_grad=True)
    t._data[0] = 7
    assert v.detach().tolist() == [7.0, 2.0]
    assert error_of(lambda: MgVariable([1, 2])) == error_of(lambda: TorchVariable([1, 2]))
    assert error_of(lambda: MgVariable(microgrid.tensor([1]), requires_grad=True)) == error_of(
        lambda: TorchVariable(torch.tensor([1]), requires_grad=True))


def test_variable_volatile_warns_like_torch():
    def run(lib, variable):
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            variable(lib.ones(2), volatile=True)
        return [(w.category, str(w.message)) for w in caught]

    assert run(microgrid, MgVariable) == run(torch, TorchVariable) != []


# -- the graph ------------------------------------------------------------------
def test_graph_structure_matches_torch():
    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        y = x * x
        z = y * 2.0 + 1
        out = z.mean()
        mul = y.grad_fn
        acc = mul.next_functions[0][0]
        return [
            out.grad_fn.name(), z.grad_fn.name(),
            [(type(f).__name__ if f is not None else None, i)
             for f, i in z.grad_fn.next_functions],
            [(type(f).__name__ if f is not None else None, i)
             for f, i in z.grad_fn.next_functions[0][0].next_functions],
            mul.next_functions[0][0] is mul.next_functions[1][0],
            acc.name(), acc.variable is x, acc.next_functions,
            x.grad_fn, x.is_leaf, y.is_leaf, y.requires_grad,
            isinstance(mul.next_functions, tuple),
        ]

    t, m = both(run)
    assert m == t


def test_backward_accumulates_and_retain_graph():
    def run(lib):
        x = lib.tensor([1.0, -2.0, 3.0], requires_grad=True)
        out = (x * x).sum()
        out.backward(retain_graph=True)
        first = repr(x.grad)
        out.backward()
        return first, repr(x.grad)

    t, m = both(run)
    assert m == t


def test_backward_twice_raises_exactly_when_saved_values_were_freed():
    def mean_only(lib):
        x = lib.ones(2, 2, requires_grad=True)
        out = x.mean()
        out.backward()
        out.backward()  # MeanBackward0 saves no tensors: allowed
        return repr(x.grad)

    t, m = both(mean_only)
    assert m == t

    def mul_twice(lib):
        x = lib.ones(2, requires_grad=True)
        out = (x * x).mean()
        out.backward()
        out.backward()

    assert_same_error(mul_twice)


@pytest.mark.parametrize("case", [
    "non_scalar", "no_grad_anywhere", "int_requires_grad", "int_requires_grad_setter",
    "int_requires_grad_", "numpy_with_grad", "nonleaf_requires_grad", "gradient_shape",
    "item_many", "bool_many", "len_0d", "size_dim", "reshape_invalid", "expand_invalid",
    "sum_dim_twice", "mean_int", "sub_bool", "neg_bool", "mul_str", "ragged", "none_data",
])
def test_errors_match_torch(case):
    def run(lib):
        x = lib.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
        if case == "non_scalar":
            (x * x).backward()
        elif case == "no_grad_anywhere":
            lib.tensor([1.0, 2.0]).sum().backward()
        elif case == "int_requires_grad":
            lib.tensor([1, 2], requires_grad=True)
        elif case == "int_requires_grad_setter":
            lib.tensor([1, 2]).requires_grad = True
        elif case == "int_requires_grad_":
            lib.tensor([1, 2]).requires_grad_()
        elif case == "numpy_with_grad":
            x.numpy()
        elif case == "nonleaf_requires_grad":
            (x * 2).requires_grad = False
        elif case == "gradient_shape":
            (x * x).backward(lib.ones(3))
        elif case == "item_many":
            x.item()
        elif case == "bool_many":
            bool(x)
        elif case == "len_0d":
            len(lib.tensor(1.0))
        elif case == "size_dim":
            x.size(2)
        elif case == "reshape_invalid":
            x.reshape(3)
        elif case == "expand_invalid":
            x.expand(3, 3)
        elif case == "sum_dim_twice":
            x.sum((0, 0))
        elif case == "mean_int":
            lib.tensor([1, 2]).mean()
        elif case == "sub_bool":
            lib.tensor([True]) - lib.tensor([False])
        elif case == "neg_bool":
            -lib.tensor([True])
        elif case == "mul_str":
            lib.mul(x, "a")
        elif case == "ragged":
            lib.tensor([[1, 2], [3]])
        elif case == "none_data":
            lib.tensor([1, None])

    assert_same_error(run)


def test_deep_chain_backward_is_iterative():
    x = microgrid.tensor([1.0, 2.0], requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y * 1.0 + 0.0
    y.sum().backward()
    assert x.grad.tolist() == [1.0, 1.0]


def test_gradient_argument_and_broadcast_sum():
    def run(lib):
        a = lib.tensor([[1.0], [2.0]], requires_grad=True)       # (2, 1)
        b = lib.tensor([10.0, 20.0, 30.0], requires_grad=True)   # (3,)
        c = a * b + a - b / 2.0                                 # (2, 3)
        c.backward(lib.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]))
        return repr(c), repr(a.grad), repr(b.grad)

    t, m = both(run)
    assert m == t


def test_user_gradient_is_never_aliased_by_grad():
    x = microgrid.ones(3, requires_grad=True)
    g = microgrid.ones(3)
    (x + 0).backward(g)
    x.grad._data[0] = 5.0
    assert g.tolist() == [1.0, 1.0, 1.0]


# -- grad mode --------------------------------------------------------------------
def test_no_grad_enable_grad_and_set_grad_enabled():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        with lib.no_grad():
            a = x * 2
            with lib.enable_grad():
                b = x * 2

        @lib.no_grad()
        def f():
            return x * 2

        c = f()
        with lib.set_grad_enabled(False):
            d = x * 2
        lib.set_grad_enabled(False)
        e = x * 2
        lib.set_grad_enabled(True)
        return [repr(t) for t in (a, b, c, d, e)] + [lib.is_grad_enabled()]

    t, m = both(run)
    assert m == t


# -- tensors ----------------------------------------------------------------------
def test_creation_dtypes_and_attributes():
    def run(lib):
        cases = [lib.tensor(3), lib.tensor(2.5), lib.tensor([True, False]),
                 lib.tensor([[1, 2], [3, 4]]), lib.tensor([1, 2.0]),
                 lib.tensor(np.array([1.5, 2.5])), lib.tensor(np.array([1, 2], dtype=np.int32)),
                 lib.tensor([1, 2], dtype=lib.float64), lib.zeros(2, 3), lib.ones((2,)),
                 lib.zeros(2, dtype=lib.int64), lib.FloatTensor([[1, 2]]), lib.Tensor([1, 2]),
                 lib.tensor([]), lib.zeros_like(lib.ones(2, dtype=lib.float64)),
                 lib.ones_like(lib.tensor([1, 2]))]
        return [(repr(c), repr(c.dtype), repr(c.shape), c.dim(), c.numel(), c.tolist())
                for c in cases]

    t, m = both(run)
    assert m == t


def test_size_shape_len_item_format():
    def run(lib):
        x = lib.zeros(2, 3)
        return [x.size(), x.size(1), x.size(-1), x.shape, len(x), x.shape == (2, 3),
                repr(lib.Size([2, 3])), lib.tensor(2.5).item(), lib.tensor(3).item(),
                f"{lib.tensor(2.5):.2f}", float(lib.tensor([1.5])), int(lib.tensor(2.7)),
                isinstance(x, lib.FloatTensor), x.type(), lib.tensor([1]).type()]

    t, m = both(run)
    assert [repr(v) for v in m] == [repr(v) for v in t]


def test_data_detach_and_numpy_share_memory():
    x = microgrid.tensor([1.0, 2.0], requires_grad=True)
    d, dt = x.data, x.detach()
    assert not d.requires_grad and not dt.requires_grad and dt.is_leaf
    dt.numpy()[0] = 9.0
    assert x.detach().tolist() == [9.0, 2.0] and d.tolist() == [9.0, 2.0]
    assert np.shares_memory(np.asarray(d), x.detach().numpy())


def test_grad_setter_checks_shape():
    assert_same_error(lambda lib: setattr(lib.ones(2), "grad", lib.ones(3)))


def test_zero_grad_in_place():
    def run(lib):
        x = lib.ones(2, requires_grad=True)
        (x * 3).sum().backward()
        g = x.grad
        x.grad.zero_()
        return repr(g), repr(x.grad)

    t, m = both(run)
    assert m == t


# -- type promotion -----------------------------------------------------------------
DTYPES = ["bool", "uint8", "int8", "int16", "int32", "int64", "float16", "float32", "float64"]


@given(st.sampled_from(DTYPES), st.sampled_from(DTYPES), st.booleans(), st.booleans(),
       st.sampled_from([None, True, 3, 2.5]))
def test_promotion_matches_torch(a, b, a_scalar_tensor, b_scalar_tensor, number):
    def run(lib):
        shape_a = () if a_scalar_tensor else (2,)
        shape_b = () if b_scalar_tensor else (2,)
        x = lib.ones(shape_a, dtype=getattr(lib, a))
        y = lib.ones(shape_b, dtype=getattr(lib, b))
        z = x * y if number is None else x * y * number
        return repr(z.dtype)

    t, m = both(run)
    assert m == t


# -- imports --------------------------------------------------------------------------
def test_import_microgrid_loads_neither_torch_nor_graphviz():
    code = ("import sys, microgrid, microgrid.autograd; "
            "bad = [m for m in sys.modules if m.split('.')[0] in "
            "('torch', 'graphviz', 'pygraphviz')]; print(bad)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    assert out.strip() == "[]"


def test_ranges_filled_tensors_and_devices():
    def run(lib):
        x = lib.ones(2)
        made = [lib.arange(5), lib.arange(1, 4), lib.arange(0, 1, 0.25), lib.arange(5.0),
                lib.arange(0, 5, 2, dtype=lib.float64), lib.arange(0.1, 0.4, 0.1),
                lib.linspace(-1, 1, 5), lib.linspace(0, 1, 1), lib.linspace(-1, 1, 20),
                lib.full((2,), 3), lib.full((2,), 3.5), lib.full((2,), True),
                lib.full([2], 2.0, requires_grad=True), lib.eye(2, 3), lib.eye(2, dtype=lib.int64),
                lib.empty(2, 0), lib.full_like(x, 4), lib.zeros(2, device="cpu"),
                x.to("cpu", lib.float64), x.to(lib.ones(1, dtype=lib.int32)), x.int(), x.bool(),
                x.half(), x.cpu(), lib.randn_like(x).shape, lib.randint(0, 10, (3,)).dtype]
        return [repr(m) for m in made] + [str(x.device), repr(x.device), x.to("cpu") is x,
                                          x.is_cuda]

    t, m = both(run)
    assert m == t


@pytest.mark.parametrize("case", ["arange_zero_step", "arange_sign", "linspace_negative",
                                  "cuda"])
def test_creation_errors_match_torch(case):
    def run(lib):
        if case == "arange_zero_step":
            lib.arange(0, 5, 0)
        elif case == "arange_sign":
            lib.arange(5, 0)
        elif case == "linspace_negative":
            lib.linspace(0, 1, -1)
        elif case == "cuda":
            lib.ones(2).to("cuda")

    t, m = both(lambda lib: error_of(lambda: run(lib)))
    assert t is not None and m is not None
    assert m == t  # CUDA too: PyTorch's CPU build's AssertionError, word for word
