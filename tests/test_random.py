"""PyTorch's random numbers, bit for bit: the generator's state, every sampler,
non-contiguous outputs, interleaved call sequences, and bad input.

Every test seeds PyTorch and microgrid alike, runs the same calls under both
and compares the results' bits *and* the generators' 5,056-byte states
afterwards (so a sampler that consumed one word too many fails even when its
values happen to agree).
"""

from __future__ import annotations

from typing import Any, Callable, List

import numpy as np
import pytest
import torch
from difftest import assert_same, assert_same_error
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrid
from microgrid._kernels import random as kernels
from microgrid.ops import random as random_ops

SEEDS = [0, 1, 12345, 2**32 + 7, 2**63 - 1, 2**64 - 1, -1, -2**63]
DTYPES = ["float16", "float32", "float64"]
seeds = st.one_of(st.sampled_from(SEEDS), st.integers(-2**63, 2**64 - 1))


def bits(value: Any) -> Any:
    """A result as comparable bits: arrays by their bytes (NaN == NaN, -0 != 0)."""
    if isinstance(value, (torch.Tensor, microgrid.Tensor)):
        array = np.ascontiguousarray(value.detach().numpy())
        return (array.dtype.str, array.shape, array.tobytes())
    if isinstance(value, (list, tuple)):
        return [bits(v) for v in value]
    return value


def run_both(fn: Callable[[Any], Any], seed: int = 0) -> None:
    """``fn(lib)`` after ``lib.manual_seed(seed)``: same bits, same state after."""
    assert_same(lambda lib: (bits(fn(lib)), lib.get_rng_state().numpy().tobytes()), seed=seed)


# -- the generator --------------------------------------------------------------------------------
@pytest.mark.parametrize("seed", SEEDS)
def test_state_after_seeding_is_pytorchs(seed: int) -> None:
    torch.manual_seed(seed)
    microgrid.manual_seed(seed)
    assert microgrid.get_rng_state().numpy().tobytes() == torch.get_rng_state().numpy().tobytes()
    assert microgrid.initial_seed() == torch.initial_seed()
    assert len(microgrid.get_rng_state().numpy()) == 5056


def test_state_round_trips_between_engines() -> None:
    torch.manual_seed(3)
    torch.randn(5, dtype=torch.float64)  # leaves a cached normal in the state
    torch.rand(700)  # past a twist
    microgrid.set_rng_state(microgrid.tensor(torch.get_rng_state().numpy()))
    assert bits(microgrid.randn(9, dtype=microgrid.float64)) == bits(
        torch.randn(9, dtype=torch.float64))
    microgrid.rand(31)
    torch.set_rng_state(torch.from_numpy(microgrid.get_rng_state().numpy().copy()))
    assert bits(torch.randn(40)) == bits(microgrid.randn(40))
    assert torch.get_rng_state().numpy().tobytes() == microgrid.get_rng_state().numpy().tobytes()


@pytest.mark.parametrize("draws", [0, 50, 99, 100, 700])
def test_states_whose_counters_disagree(draws: int) -> None:
    """A state PyTorch accepts though it never makes one: ``left`` words still owed
    from position ``next`` (here 99 from 5, not 620), then a twist."""
    import struct

    torch.manual_seed(0)
    torch.rand(5)
    state = bytearray(torch.get_rng_state().numpy().tobytes())
    struct.pack_into("<i", state, 8, 100)
    torch.set_rng_state(torch.tensor(list(state), dtype=torch.uint8))
    microgrid.set_rng_state(microgrid.tensor(np.frombuffer(bytes(state), dtype=np.uint8)))
    clone = microgrid.default_generator.clone_state()
    first = bits(microgrid.rand(draws))
    assert first == bits(torch.rand(draws))
    assert microgrid.get_rng_state().numpy().tobytes() == torch.get_rng_state().numpy().tobytes()
    assert bits(microgrid.rand(30)) == bits(torch.rand(30))
    assert bits(microgrid.rand(draws, generator=clone)) == first


def test_generator_objects() -> None:
    for lib in (torch, microgrid):
        g = lib.Generator().manual_seed(7)
        assert g.initial_seed() == 7
        assert str(g.device) == "cpu"
    g_torch, g_micro = torch.Generator().manual_seed(7), microgrid.Generator().manual_seed(7)
    torch.manual_seed(1)
    microgrid.manual_seed(1)
    assert bits(microgrid.rand(3, generator=g_micro)) == bits(torch.rand(3, generator=g_torch))
    assert bits(microgrid.rand(3)) == bits(torch.rand(3))  # the default one did not move
    state = g_micro.get_state()
    first = bits(microgrid.randn(20, generator=g_micro))
    g_micro.set_state(state)
    assert bits(microgrid.randn(20, generator=g_micro)) == first
    assert microgrid.Generator().initial_seed() == torch.Generator().initial_seed()
    fresh = microgrid.seed()
    assert microgrid.initial_seed() == fresh


def test_fork_rng_restores_the_state() -> None:
    microgrid.manual_seed(5)
    with microgrid.random.fork_rng():
        microgrid.randn(100)
    torch.manual_seed(5)
    assert bits(microgrid.rand(4)) == bits(torch.rand(4))


@pytest.mark.parametrize("call", [
    lambda lib: lib.manual_seed(2**64),
    lambda lib: lib.manual_seed(-2**63 - 1),
    lambda lib: lib.Generator().manual_seed(1.5),
    lambda lib: lib.Generator().manual_seed(True),
    lambda lib: lib.Generator().manual_seed("3"),
    lambda lib: lib.set_rng_state(lib.zeros(5056)),
    lambda lib: lib.set_rng_state(lib.zeros(10, dtype=lib.uint8)),
    lambda lib: lib.set_rng_state(lib.zeros(5056, dtype=lib.uint8)),
    lambda lib: lib.Generator().set_state([1, 2]),
    lambda lib: lib.Generator(device="cuda"),
])
def test_generator_errors(call: Callable[[Any], Any]) -> None:
    microgrid.manual_seed(9)
    before = microgrid.get_rng_state().numpy().tobytes()
    assert_same_error(call)
    assert microgrid.get_rng_state().numpy().tobytes() == before


# -- uniform and normal ---------------------------------------------------------------------------
@settings(max_examples=60)
@given(seed=seeds, n=st.integers(0, 100), dtype=st.sampled_from(DTYPES))
def test_rand_and_randn(seed: int, n: int, dtype: str) -> None:
    run_both(lambda lib: [lib.rand(n, dtype=getattr(lib, dtype)),
                          lib.randn(n, dtype=getattr(lib, dtype))], seed)


@pytest.mark.parametrize("n", [*range(0, 40), 47, 48, 49, 100, 1000, 4099])
@pytest.mark.parametrize("dtype", DTYPES)
def test_normal_sizes_around_the_16_threshold(n: int, dtype: str) -> None:
    run_both(lambda lib: [lib.randn(n, dtype=getattr(lib, dtype)),
                          lib.randn(3, dtype=getattr(lib, dtype))], seed=n)


def test_randn_shapes_and_0d() -> None:
    run_both(lambda lib: [lib.randn(()), lib.randn(3, 4), lib.randn((2, 0, 3)), lib.rand([5, 5]),
                          lib.randn(2, 3, 4, dtype=lib.float64), lib.randn(size=(4, 5)),
                          lib.rand(lib.Size([3, 2])), lib.randn(0)])


@settings(max_examples=40)
@given(seed=seeds, n=st.integers(0, 70), dtype=st.sampled_from(DTYPES),
       mean=st.floats(-5, 5), std=st.floats(0, 5, allow_subnormal=False),
       low=st.floats(-10, 10), width=st.floats(0, 10, allow_subnormal=False))
def test_normal_and_uniform_with_parameters(seed: int, n: int, dtype: str, mean: float,
                                            std: float, low: float, width: float) -> None:
    def draw(lib: Any) -> List[Any]:
        d = getattr(lib, dtype)
        return [lib.zeros(n, dtype=d).normal_(mean, std),
                lib.zeros(n, dtype=d).uniform_(low, low + width),
                lib.normal(mean, std, (n,)),
                lib.zeros(3, dtype=d).normal_(mean, std)]
    run_both(draw, seed)


@pytest.mark.parametrize("make", [
    lambda lib: lib.zeros(20, 3).t(),            # transposed: memory order differs
    lambda lib: lib.zeros(4, 40)[:, ::2],        # strided
    lambda lib: lib.zeros(6, 5, 4).permute(2, 0, 1),
    lambda lib: lib.zeros(40, dtype=lib.float64)[::3],
])
@pytest.mark.parametrize("fill", [
    lambda x: x.normal_(), lambda x: x.uniform_(-1, 2), lambda x: x.bernoulli_(0.3),
    lambda x: x.exponential_(), lambda x: x.random_(0, 10), lambda x: x.cauchy_(),
])
def test_non_contiguous_outputs(make: Callable[[Any], Any], fill: Callable[[Any], Any]) -> None:
    run_both(lambda lib: fill(make(lib)).contiguous())


def test_like_functions_follow_the_input_layout() -> None:
    run_both(lambda lib: [lib.randn_like(lib.zeros(20, 3).t()), lib.rand_like(lib.zeros(5, 2)),
                          lib.randn_like(lib.zeros(40, 2)[::2]),
                          lib.randint_like(lib.zeros(3, 4), 10),
                          lib.randint_like(lib.zeros(3, 4), 3, 10),
                          lib.randn_like(lib.zeros(4, dtype=lib.float64))])


# -- integers and permutations --------------------------------------------------------------------
@settings(max_examples=40)
@given(seed=seeds, n=st.integers(0, 50), low=st.integers(-2**40, 2**40),
       span=st.one_of(st.integers(1, 100), st.integers(1, 2**50)))
def test_randint(seed: int, n: int, low: int, span: int) -> None:
    run_both(lambda lib: [lib.randint(low, low + span, (n,)), lib.randint(span, (2, 3)),
                          lib.randint(high=span, size=(3,)), lib.randint(low, high=low + span,
                                                                         size=[2])], seed)


@pytest.mark.parametrize("dtype", ["float16", "float32", "float64", "int64", "int32", "int16",
                                   "int8", "uint8", "bool"])
def test_random_without_bounds(dtype: str) -> None:
    run_both(lambda lib: [lib.zeros(30, dtype=getattr(lib, dtype)).random_(),
                          lib.zeros(5, dtype=getattr(lib, dtype)).random_(2),
                          lib.zeros(5, dtype=getattr(lib, dtype)).random_(0, 2)])


def test_random_full_and_open_ranges() -> None:
    run_both(lambda lib: [lib.zeros(10, dtype=lib.int64).random_(-2**63, None),
                          lib.zeros(10, dtype=lib.int64).random_(5, None),
                          lib.zeros(10, dtype=lib.int32).random_(-3, None),
                          lib.randint(0, 10, (4,), dtype=lib.float32)])


@pytest.mark.parametrize("n", [0, 1, 2, 3, 10, 100, 5000])
def test_randperm(n: int) -> None:
    run_both(lambda lib: [lib.randperm(n), lib.randperm(n, dtype=lib.float32)], seed=n)


def test_random_sampler_order_from_the_permutation_function() -> None:
    """RandomSampler (no generator) draws a seed with ``random_()`` on an int64
    0-d tensor, seeds its own generator with it and calls randperm."""
    for seed in (0, 3, 2**40):
        torch.manual_seed(seed)
        expected = list(torch.utils.data.RandomSampler(range(37)))
        microgrid.manual_seed(seed)
        own = microgrid.Generator().manual_seed(random_ops.sampler_seed())
        assert random_ops.permutation(37, own).tolist() == expected
        assert microgrid.get_rng_state().numpy().tobytes() == \
            torch.get_rng_state().numpy().tobytes()


# -- the other distributions ----------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES)
def test_other_fills(dtype: str) -> None:
    def draw(lib: Any) -> List[Any]:
        d = getattr(lib, dtype)
        return [lib.zeros(50, dtype=d).exponential_(1.5), lib.zeros(50, dtype=d).geometric_(0.3),
                lib.zeros(7, dtype=d).log_normal_(0.2, 0.5),
                lib.zeros(20, dtype=d).log_normal_(), lib.zeros(50, dtype=d).cauchy_(0.5, 2.0),
                lib.zeros(40, dtype=d).bernoulli_(0.3), lib.zeros(3, dtype=d).bernoulli_()]
    run_both(draw, seed=11)


@pytest.mark.parametrize("dtype", DTYPES)
def test_bernoulli_with_probability_tensors(dtype: str) -> None:
    def draw(lib: Any) -> List[Any]:
        p = lib.rand(6, 7, dtype=getattr(lib, dtype))
        return [lib.bernoulli(p), p.bernoulli(), lib.zeros(6, 7).bernoulli_(p),
                lib.zeros(3, 6, 7).bernoulli_(p), lib.bernoulli(p, 0.25)]
    run_both(draw, seed=2)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_poisson(dtype: str) -> None:
    """Both samplers (Knuth's below rate 10, Hoermann's rejection from 10 on)."""
    rates = [0.0, 0.5, 3.0, 9.99, 10.0, 25.0, 1000.0, 1e6, 2.5, 50.0] * 10
    run_both(lambda lib: [lib.poisson(lib.tensor(rates, dtype=getattr(lib, dtype))),
                          lib.poisson(lib.tensor([[4.0, 40.0]]).t())], seed=3)


@pytest.mark.parametrize("replacement", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_multinomial(replacement: bool, dtype: str) -> None:
    """(Without replacement, float16 ratios p / q tie often, and PyTorch's topk
    orders ties as its std::nth_element leaves them; the float16 case here
    has no tie in its top 3.)"""
    def draw(lib: Any) -> List[Any]:
        d = getattr(lib, dtype)
        weights = lib.tensor([0.1, 0.0, 2.0, 0.7, 1.3], dtype=d)
        rows = lib.rand(4, 9, dtype=d)
        wide = rows if replacement or dtype != "float16" else rows[:, :4]
        return [lib.multinomial(weights, 3, replacement), lib.multinomial(weights, 1),
                lib.multinomial(wide, 3, replacement), weights.multinomial(2, replacement)]
    run_both(draw, seed=4)


def test_makemore_style_sampling() -> None:
    """Karpathy's makemore: sample names from bigram counts with a seeded generator."""
    def names(lib: Any) -> List[List[int]]:
        g = lib.Generator().manual_seed(2147483647)
        counts = lib.randint(0, 100, (27, 27), generator=g).float() + 1
        rows = counts / counts.sum(1, keepdim=True)
        out = []
        for _ in range(5):
            ix, name = 0, []
            while True:
                ix = lib.multinomial(rows[ix], num_samples=1, replacement=True,
                                     generator=g).item()
                name.append(ix)
                if ix == 0 or len(name) > 30:
                    break
            out.append(name)
        return out
    assert names(torch) == names(microgrid)


# -- sequences of mixed calls stay in step --------------------------------------------------------
CALLS = [
    lambda lib: lib.rand(3), lambda lib: lib.randn(5, dtype=lib.float64),
    lambda lib: lib.randn(17), lambda lib: lib.randn(1), lambda lib: lib.randint(0, 9, (4,)),
    lambda lib: lib.randperm(6), lambda lib: lib.zeros(4).bernoulli_(0.5),
    lambda lib: lib.zeros(19, dtype=lib.float64).normal_(1, 2),
    lambda lib: lib.multinomial(lib.tensor([0.2, 0.3, 0.5]), 2),
    lambda lib: lib.multinomial(lib.tensor([0.2, 0.3, 0.5]), 4, True),
    lambda lib: lib.zeros(5).exponential_(), lambda lib: lib.randn(2, 3).t().normal_(),
    lambda lib: lib.nn.functional.dropout(lib.ones(8), 0.25),
    lambda lib: lib.zeros(3, dtype=lib.float16).normal_(),
    lambda lib: lib.zeros(33, dtype=lib.float16).uniform_(),
]


@settings(max_examples=25)
@given(seed=seeds, sequence=st.lists(st.integers(0, len(CALLS) - 1), min_size=50, max_size=50))
def test_fifty_interleaved_calls_stay_in_step(seed: int, sequence: List[int]) -> None:
    run_both(lambda lib: [CALLS[i](lib) for i in sequence], seed)


# -- bad input: PyTorch's exception and message, and no draw --------------------------------------
BAD_INPUT = [
    lambda lib: lib.rand(-1), lambda lib: lib.randn(2, -3),
    lambda lib: lib.randint(5, 3, (2,)), lambda lib: lib.randint(3, 3, (2,)),
    lambda lib: lib.randint(3, (2,), dtype=lib.bool), lambda lib: lib.randint(0, 300, (2,),
                                                                                dtype=lib.uint8),
    lambda lib: lib.randperm(-1),
    lambda lib: lib.zeros(3).uniform_(2, 1), lambda lib: lib.zeros(3).normal_(0, -1),
    lambda lib: lib.normal(0, -1, (3,)), lambda lib: lib.zeros(3).bernoulli_(1.5),
    lambda lib: lib.bernoulli(lib.tensor([1.5])), lambda lib: lib.bernoulli(lib.tensor([-0.5])),
    lambda lib: lib.zeros(3).exponential_(-1), lambda lib: lib.zeros(3).exponential_(0),
    lambda lib: lib.zeros(3).geometric_(0), lambda lib: lib.zeros(3).geometric_(1),
    lambda lib: lib.zeros(3).log_normal_(0, 0), lambda lib: lib.zeros(3).cauchy_(0, -1),
    lambda lib: lib.zeros(3, dtype=lib.int64).uniform_(),
    lambda lib: lib.zeros(3, dtype=lib.int64).normal_(),
    lambda lib: lib.zeros(3).random_(5, 3),
    lambda lib: lib.zeros(3, dtype=lib.uint8).random_(0, 300),
    lambda lib: lib.randn(3, dtype=lib.int64),
    lambda lib: lib.randint(3, (2,), requires_grad=True),
    lambda lib: lib.multinomial(lib.tensor([0.5, -0.1]), 1),
    lambda lib: lib.multinomial(lib.tensor([0.5, -0.1]), 2, True),
    lambda lib: lib.multinomial(lib.tensor([0.0, 0.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([0.0, 0.0]), 2, True),
    lambda lib: lib.multinomial(lib.tensor([0.5, 0.5]), 3),
    lambda lib: lib.multinomial(lib.tensor([0.5, 0.5]), 0),
    lambda lib: lib.multinomial(lib.tensor([1, 2]), 1),
    lambda lib: lib.multinomial(lib.ones(2, 2, 2), 1),
    lambda lib: lib.multinomial(lib.tensor([float("inf"), 1.0]), 1),
    lambda lib: lib.multinomial(lib.tensor([float("nan"), 1.0]), 2, True),
    lambda lib: lib.multinomial(lib.tensor([float("inf"), 1.0]), 2, True),
    lambda lib: lib.nn.functional.dropout(lib.ones(3), 1.5),
    lambda lib: lib.nn.Dropout(-0.1),
    lambda lib: lib.normal(lib.zeros(3), lib.tensor([-1.0, 1, 1])),
    lambda lib: lib.normal(lib.zeros(3), -1.0),
    lambda lib: lib.multinomial(lib.tensor([[0.5, 0.5], [1.0, -1.0]]), 3, True),
    lambda lib: lib.poisson(lib.tensor([3.0, 20.0, -1.0, 2.0])),
]


@pytest.mark.parametrize("call", BAD_INPUT)
def test_bad_input_raises_and_draws_nothing(call: Callable[[Any], Any]) -> None:
    """Checks come before draws, except where PyTorch draws first too: ``randint``
    with ``requires_grad=True`` draws, then refuses; ``multinomial`` with
    replacement checks and draws row by row, ``poisson`` element by element."""
    torch.manual_seed(21)
    microgrid.manual_seed(21)
    before = microgrid.get_rng_state().numpy().tobytes()
    assert_same_error(call)
    after, after_torch = (lib.get_rng_state().numpy().tobytes() for lib in (microgrid, torch))
    assert after == after_torch
    drawing_first = call in (BAD_INPUT[24], BAD_INPUT[-2], BAD_INPUT[-1])
    assert (after != before) == drawing_first


# -- autograd: the nodes the fills record ---------------------------------------------------------
@pytest.mark.parametrize("fill", [
    lambda x: x.uniform_(), lambda x: x.normal_(), lambda x: x.random_(),
    lambda x: x.random_(5), lambda x: x.random_(0, 5), lambda x: x.exponential_(),
    lambda x: x.geometric_(0.5), lambda x: x.log_normal_(), lambda x: x.cauchy_(),
    lambda x: x.bernoulli_(), lambda x: x.bernoulli_(0.3),
    lambda x: x.bernoulli_(x.detach() * 0 + 0.5), lambda x: (x * 0.5).bernoulli(),
])
def test_fill_node_names_and_zero_gradients(fill: Callable[[Any], Any]) -> None:
    results = []
    for lib in (torch, microgrid):
        lib.manual_seed(0)
        leaf = lib.ones(3, requires_grad=True)
        out = fill(leaf.clone())
        (out * 2).sum().backward()
        results.append((type(out.grad_fn).__name__, leaf.grad.tolist(), bits(out)))
    assert results[0] == results[1]


def test_poisson_node() -> None:
    def draw(lib: Any) -> List[Any]:
        rates = (lib.ones(3, requires_grad=True) * 4).clone()
        out = lib.poisson(rates)
        out.sum().backward()
        return [out, type(out.grad_fn).__name__]
    run_both(draw, seed=1)


def test_normal_with_tensor_arguments() -> None:
    def draw(lib: Any) -> List[Any]:
        mean = lib.zeros(2, 3, requires_grad=True)
        std = lib.ones(3, requires_grad=True) * 2
        outs = [lib.normal(mean, std), lib.normal(mean, 0.5), lib.normal(1.0, std),
                lib.normal(mean.detach() + 1, std.detach()), lib.normal(mean.detach())]
        names = [type(o.grad_fn).__name__ for o in outs]
        return [*outs, names]
    run_both(draw, seed=8)


# -- nn.init and the modules' first weights -------------------------------------------------------
def test_linear_initialisation_matches() -> None:
    run_both(lambda lib: [p for layer in (lib.nn.Linear(5, 3), lib.nn.Linear(40, 20),
                                          lib.nn.Linear(2, 2, bias=False),
                                          lib.nn.Linear(4, 6, dtype=lib.float64))
                          for p in layer.parameters()])


def test_sequential_with_dropout_initialises_alike() -> None:
    def model(lib: Any) -> List[Any]:
        net = lib.nn.Sequential(lib.nn.Linear(4, 8), lib.nn.ReLU(), lib.nn.Dropout(0.3),
                                lib.nn.Linear(8, 2))
        x = lib.randn(5, 4)
        masked = net[2](x)
        net.eval()
        return [*net.parameters(), masked, net[2](x), repr(net)]
    run_both(model, seed=17)


@pytest.mark.parametrize("scheme", [
    lambda init, w: init.uniform_(w, -0.5, 0.25), lambda init, w: init.normal_(w, 0.1, 0.3),
    lambda init, w: init.constant_(w, 0.7), lambda init, w: init.xavier_uniform_(w, gain=1.5),
    lambda init, w: init.xavier_normal_(w), lambda init, w: init.kaiming_uniform_(w),
    lambda init, w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"),
    lambda init, w: init.trunc_normal_(w, std=0.02),
    lambda init, w: init.trunc_normal_(w, mean=0.0, std=1.0, a=-2.0, b=2.0),
])
@pytest.mark.parametrize("shape", [(3, 5), (20, 30), (4, 3, 2, 2)])
def test_init_schemes(scheme: Callable[[Any, Any], Any], shape: tuple) -> None:
    run_both(lambda lib: scheme(lib.nn.init, lib.zeros(*shape, requires_grad=True)), seed=5)


def test_orthogonal_draws_the_same_normals() -> None:
    """orthogonal_ factors the same matrix of normals; LAPACK's last bits may differ."""
    for lib in (torch, microgrid):
        lib.manual_seed(6)
    a = torch.nn.init.orthogonal_(torch.empty(4, 6), gain=2.0).numpy()
    b = microgrid.nn.init.orthogonal_(microgrid.zeros(4, 6), gain=2.0).numpy()
    np.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)
    assert torch.get_rng_state().numpy().tobytes() == microgrid.get_rng_state().numpy().tobytes()


# -- dropout --------------------------------------------------------------------------------------
@pytest.mark.parametrize("p", [0.0, 0.1, 0.5, 0.9, 1.0])
@pytest.mark.parametrize("dtype", DTYPES)
def test_dropout_masks_scaling_and_modes(p: float, dtype: str) -> None:
    def draw(lib: Any) -> List[Any]:
        x = lib.randn(6, 7, dtype=getattr(lib, dtype)).requires_grad_()
        y = lib.nn.functional.dropout(x, p)
        y.sum().backward()
        evaluated = lib.nn.functional.dropout(x, p, training=False)
        strided = lib.nn.functional.dropout(x.detach().t(), p)
        return [y, x.grad, evaluated, strided, type(y.grad_fn).__name__]
    run_both(draw, seed=13)


class _Scale:
    """A model whose arithmetic has one rounding per operation (no sums of
    products), so that its training is bit-identical if and only if the
    random numbers are: ``y = dropout(relu(x * w1 + b1)) * w2``, mean-squared error."""

    @staticmethod
    def make(lib: Any) -> Any:
        class Scale(lib.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.w1 = lib.nn.Parameter(lib.empty(8, dtype=lib.float64))
                self.b1 = lib.nn.Parameter(lib.empty(8, dtype=lib.float64))
                self.w2 = lib.nn.Parameter(lib.empty(8, dtype=lib.float64))
                lib.nn.init.uniform_(self.w1, -1, 1)
                lib.nn.init.normal_(self.b1, 0, 0.1)
                lib.nn.init.trunc_normal_(self.w2, std=0.5)
                self.drop = lib.nn.Dropout(0.3)

            def forward(self, x: Any) -> Any:
                return self.drop(lib.relu(x * self.w1 + self.b1)) * self.w2

        return Scale()


def test_dropout_model_trains_bit_identically_for_20_steps() -> None:
    def train(lib: Any) -> List[Any]:
        net = _Scale.make(lib)
        # lr a power of two: PyTorch's add_(alpha=-lr) is a fused multiply-add, which
        # rounds like the plain one only when alpha * grad is exact
        optimizer = lib.optim.SGD(net.parameters(), lr=2**-4, momentum=0.9)
        x = lib.randn(8, dtype=lib.float64)
        y = lib.randn(8, dtype=lib.float64)
        outputs = []
        for _ in range(20):
            optimizer.zero_grad()
            output = net(x)
            ((output - y) ** 2).sum().backward()  # (the sum's own last bit is not compared:
            optimizer.step()                      # its reduction order is not the point here)
            outputs.append(output)
        return [*net.parameters(), *outputs]
    run_both(train, seed=1234)


def test_dropout_sequential_trains_in_step() -> None:
    """nn.Linear in float64: the masks and the generator stay bit-identical for 20
    steps; the parameters agree to 1e-12 (matrix products sum in another order
    than MKL's, so their last bits are not the random numbers' doing)."""
    def train(lib: Any) -> List[Any]:
        net = lib.nn.Sequential(lib.nn.Linear(6, 16), lib.nn.Tanh(), lib.nn.Dropout(0.2),
                                lib.nn.Linear(16, 1)).double()
        optimizer = lib.optim.SGD(net.parameters(), lr=0.05)
        x, y = lib.randn(32, 6, dtype=lib.float64), lib.randn(32, 1, dtype=lib.float64)
        masks = []
        for _ in range(20):
            optimizer.zero_grad()
            hidden = net[1](net[0](x))
            dropped = net[2](hidden)
            masks.append((dropped == 0).tolist())
            loss = lib.nn.functional.mse_loss(net[3](dropped), y)
            loss.backward()
            optimizer.step()
        return masks, [p.detach().numpy().copy() for p in net.parameters()], \
            lib.get_rng_state().numpy().tobytes()
    torch.manual_seed(99)
    microgrid.manual_seed(99)
    (masks_t, params_t, state_t), (masks_m, params_m, state_m) = train(torch), train(microgrid)
    assert masks_t == masks_m
    assert state_t == state_m
    for a, b in zip(params_t, params_m, strict=True):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)


# -- the kernels' exact arithmetic ----------------------------------------------------------------
def test_fma_emulations_round_once() -> None:
    from fractions import Fraction

    rng = np.random.default_rng(0)
    a, c = rng.standard_normal(2000), rng.standard_normal(2000) * 2.0**rng.integers(-30, 30, 2000)
    b = 1.7
    exact = [float(Fraction(x) * Fraction(b) + Fraction(z)) for x, z in zip(a, c, strict=True)]
    assert kernels.fma64(a, b, c).tolist() == exact
    a32, c32 = a.astype(np.float32), c.astype(np.float32)

    def nearest_float32(value: Fraction) -> float:
        guess = np.float32(float(value))
        candidates = [np.nextafter(guess, np.float32(-np.inf)), guess,
                      np.nextafter(guess, np.float32(np.inf))]
        return float(min(candidates, key=lambda f: (abs(Fraction(float(f)) - value),
                                                     int(f.view(np.int32)) & 1)))

    exact32 = [nearest_float32(Fraction(float(x)) * Fraction(float(np.float32(b)))
                               + Fraction(float(z))) for x, z in zip(a32, c32, strict=True)]
    assert kernels.fma32(a32, np.float32(b), c32).tolist() == exact32


def test_unchecked_fma_is_exact_on_every_possible_uniform() -> None:
    """normal_fill's float32 polynomials take 1 - u and 2 pi u for u = k / 2**24:
    2**24 possible inputs each.  On all of them, the fma without the halfway
    check gives the same log, sine and cosine as the checked one."""
    checked = kernels.fma32  # every halfway and subnormal sum redone exactly
    for start in range(0, 2**24, 2**20):
        u = np.arange(start, start + 2**20, dtype=np.float32) * np.float32(2.0**-24)
        x = np.float32(1) - u
        assert kernels._log_avx2(x).tobytes() == kernels._log_avx2(x, checked).tobytes()
        theta = kernels._TWO_PI_F32 * u
        fast, exact = kernels._sincos_avx2(theta), kernels._sincos_avx2(theta, checked)
        assert fast[0].tobytes() == exact[0].tobytes()
        assert fast[1].tobytes() == exact[1].tobytes()
