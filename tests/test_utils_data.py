"""``microgrid.utils.data`` against ``torch.utils.data``: the same batches, in
the same order, and the same random numbers drawn afterwards."""

from __future__ import annotations

import collections
import warnings
from typing import Any

import numpy as np
import pytest
import torch
import torch.utils.data
from difftest import assert_same, assert_same_error
from hypothesis import given, settings
from hypothesis import strategies as st

import microgrid
import microgrid.utils.data

LIBS = (torch, microgrid)


def plain(value: Any) -> Any:
    """Batches as nested Python values, with tensors' dtypes (to compare across libraries)."""
    if isinstance(value, (torch.Tensor, microgrid.Tensor)):
        return ("tensor", str(value.dtype).replace("microgrid", "torch"), value.tolist())
    if isinstance(value, dict):
        return (type(value).__name__, {k: plain(v) for k, v in value.items()})
    if isinstance(value, (list, tuple)):
        return (type(value).__name__, [plain(v) for v in value])
    return value


def both(fn: Any) -> Any:
    """``fn(lib)`` under each library, made plain; asserts they agree."""
    return assert_same(fn, plain)


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 23), batch_size=st.integers(1, 8), shuffle=st.booleans(),
       drop_last=st.booleans(), seed=st.integers(0, 2**32 - 1), own_generator=st.booleans(),
       num_workers=st.sampled_from([0, 2]))
def test_loader_batches_and_later_draws_are_pytorchs(n, batch_size, shuffle, drop_last, seed,
                                                     own_generator, num_workers):
    def run(lib):
        lib.manual_seed(seed)
        x = lib.arange(n * 2.0).reshape(n, 2)
        y = lib.arange(n)
        generator = lib.Generator().manual_seed(seed + 1) if own_generator else None
        loader = lib.utils.data.DataLoader(lib.utils.data.TensorDataset(x, y),
                                           batch_size=batch_size, shuffle=shuffle,
                                           drop_last=drop_last, generator=generator,
                                           num_workers=num_workers)
        epochs = [list(loader) for _ in range(2)]
        return [len(loader), epochs, lib.rand(3)]  # the global generator moved as PyTorch's
    both(run)


@settings(max_examples=20, deadline=None)
@given(n=st.integers(1, 30), seed=st.integers(0, 1000),
       fractions=st.booleans(), replacement=st.booleans(), num_samples=st.integers(1, 70))
def test_random_split_and_samplers(n, seed, fractions, replacement, num_samples):
    def run(lib):
        data = lib.utils.data
        g = lib.Generator().manual_seed(seed)
        lengths = [0.25, 0.75] if fractions else [n // 3, n - n // 3]
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            parts = data.random_split(range(n), lengths, generator=g)
        sampler = data.RandomSampler(range(n), replacement=replacement,
                                     num_samples=num_samples if replacement else None,
                                     generator=g)
        return [[str(w.message) for w in caught], [list(p) for p in parts], list(sampler),
                list(data.SubsetRandomSampler([5, 7, 9], generator=g)),
                list(data.BatchSampler(data.SequentialSampler(range(n)), 4, True)),
                list(data.BatchSampler(data.SequentialSampler(range(n)), 4, False))]
    both(run)


Point = collections.namedtuple("Point", ["x", "y"])


@pytest.mark.parametrize("examples", [
    [(1.5, 2), (3.5, 4)],
    [{"a": 1.0, "b": [1, 2]}, {"a": 2.0, "b": [3, 4]}],
    [Point(1, 2.0), Point(3, 4.0)],
    [np.arange(3.0), np.arange(3.0, 6.0)],
    [np.float32(1.5), np.float32(2.5)],
    [("word", True), ("other", False)],
    [[1, 2], [3, 4]],
])
def test_default_collate_like_pytorch(examples):
    both(lambda lib: lib.utils.data.default_collate(examples))
    both(lambda lib: list(lib.utils.data.DataLoader(examples, batch_size=None)))


def test_collate_of_tensors_and_datasets():
    def run(lib):
        data = lib.utils.data
        ds = data.TensorDataset(lib.arange(6.0).reshape(3, 2), lib.tensor([0, 1, 0]))
        both_ds = ds + ds
        subset = data.Subset(ds, [2, 0])
        return [ds[1], len(both_ds), both_ds[4], both_ds[-1], list(subset), subset[1],
                list(data.DataLoader(subset, batch_size=2)),
                data.default_collate([{"t": lib.ones(2)}, {"t": lib.zeros(2)}])]
    both(run)


class Stream:
    """An IterableDataset of the numbers below 7, for each library."""

    @staticmethod
    def of(lib: Any) -> Any:
        class Numbers(lib.utils.data.IterableDataset):
            def __iter__(self):
                return iter(range(7))

            def __len__(self):
                return 7
        return Numbers()


def test_iterable_datasets():
    def run(lib):
        data = lib.utils.data
        return [list(data.DataLoader(Stream.of(lib), batch_size=3)),
                list(data.DataLoader(Stream.of(lib), batch_size=3, drop_last=True)),
                list(data.DataLoader(Stream.of(lib), batch_size=None)),
                len(data.DataLoader(Stream.of(lib), batch_size=3))]
    both(run)


@pytest.mark.parametrize("kwargs", [
    {"num_workers": -1}, {"shuffle": True, "sampler": [0, 1]},
    {"batch_sampler": [[0]], "batch_size": 2}, {"batch_size": None, "drop_last": True},
    {"batch_size": 0}, {"prefetch_factor": 2}, {"persistent_workers": True}, {"timeout": -1},
])
def test_loader_argument_errors(kwargs):
    assert_same_error(lambda lib: lib.utils.data.DataLoader(list(range(4)), **kwargs))


def test_other_errors():
    assert_same_error(lambda lib: lib.utils.data.TensorDataset(lib.ones(2), lib.ones(3)))
    assert_same_error(lambda lib: lib.utils.data.random_split(range(5), [2, 2]))
    assert_same_error(lambda lib: lib.utils.data.random_split(range(5), [1.5, -0.5]))
    assert_same_error(lambda lib: lib.utils.data.RandomSampler(range(3), num_samples=0))
    assert_same_error(lambda lib: lib.utils.data.Dataset()[0])
    assert_same_error(lambda lib: lib.utils.data.default_collate([object()]))
    assert_same_error(lambda lib: lib.utils.data.default_collate([[1], [1, 2]]))
    assert_same_error(lambda lib: list(lib.utils.data.DataLoader(Stream.of(lib),
                                                                 shuffle=True)))


def test_names_are_where_pytorch_has_them():
    names = set(microgrid.utils.data.__all__)
    assert names <= set(dir(torch.utils.data))
    assert microgrid.utils.data.get_worker_info() is None
