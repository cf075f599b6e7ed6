"""``DataLoader``: a dataset read in batches, shuffled or not.

PyTorch counterpart: ``torch/utils/data/dataloader.py``.

``for x, y in DataLoader(ds, batch_size=4, shuffle=True)``: each pass asks
a ``BatchSampler`` (over a ``RandomSampler`` or ``SequentialSampler``) for
lists of indices, reads those examples and collates them
(``default_collate``).  As PyTorch's, each pass first draws a 64-bit "base
seed" from the generator (its workers' seed), and the ``RandomSampler``
draws its own seed at the first batch: the random numbers drawn after a
loop over a ``DataLoader`` are the same as under PyTorch.

``num_workers`` is accepted and the batches are loaded in this process
(PyTorch's worker processes would return the same batches).

Read next: ``../../serialization.py``.
"""

from __future__ import annotations

from typing import Any, Callable, Iterable, Iterator, Optional

from ...ops.random import sampler_seed
from ...random import Generator
from .collate import default_collate, default_convert
from .dataset import IterableDataset
from .sampler import BatchSampler, RandomSampler, SequentialSampler


def get_worker_info() -> None:
    """None: no worker process is running (every batch is loaded in this process)."""
    return None


class _Stream:
    """The sampler of an ``IterableDataset``: "next example", forever."""

    def __iter__(self) -> Iterator[None]:
        while True:
            yield None


class DataLoader:
    """Batches of ``dataset`` (see the module docstring)."""

    def __init__(self, dataset: Any, batch_size: Optional[int] = 1,
                 shuffle: Optional[bool] = None, sampler: Optional[Iterable] = None,
                 batch_sampler: Optional[Iterable] = None, num_workers: int = 0,
                 collate_fn: Optional[Callable] = None, pin_memory: bool = False,
                 drop_last: bool = False, timeout: float = 0,
                 worker_init_fn: Optional[Callable] = None, multiprocessing_context: Any = None,
                 generator: Optional[Generator] = None, *, prefetch_factor: Optional[int] = None,
                 persistent_workers: bool = False, pin_memory_device: str = "",
                 in_order: bool = True) -> None:
        if num_workers < 0:
            raise ValueError("num_workers option should be non-negative; use num_workers=0 to "
                             "disable multiprocessing.")
        if timeout < 0:
            raise ValueError("timeout option should be non-negative")
        if num_workers == 0 and prefetch_factor is not None:
            raise ValueError("prefetch_factor option could only be specified in multiprocessing."
                             "let num_workers > 0 to enable multiprocessing, otherwise set "
                             "prefetch_factor to None.")
        if persistent_workers and num_workers == 0:
            raise ValueError("persistent_workers option needs num_workers > 0")
        self.dataset = dataset
        self.num_workers = num_workers
        self.prefetch_factor = 2 if num_workers > 0 and prefetch_factor is None else prefetch_factor
        self.pin_memory, self.timeout = pin_memory, timeout
        self.worker_init_fn = worker_init_fn
        self.persistent_workers = persistent_workers
        self._iterable = isinstance(dataset, IterableDataset)
        if self._iterable:
            if shuffle not in {False, None}:
                raise ValueError("DataLoader with IterableDataset: expected unspecified shuffle "
                                 f"option, but got shuffle={shuffle}")
            if sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified sampler "
                                 f"option, but got sampler={sampler}")
            if batch_sampler is not None:
                raise ValueError("DataLoader with IterableDataset: expected unspecified "
                                 f"batch_sampler option, but got batch_sampler={batch_sampler}")
        shuffle = bool(shuffle)
        if sampler is not None and shuffle:
            raise ValueError("sampler option is mutually exclusive with shuffle")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("batch_sampler option is mutually exclusive with batch_size, "
                                 "shuffle, sampler, and drop_last")
            batch_size, drop_last = None, False
        elif batch_size is None and drop_last:
            raise ValueError("batch_size=None option disables auto-batching and is mutually "
                             "exclusive with drop_last")
        if sampler is None:
            sampler = (_Stream() if self._iterable
                       else RandomSampler(dataset, generator=generator) if shuffle
                       else SequentialSampler(dataset))
        if batch_size is not None and batch_sampler is None:
            batch_sampler = BatchSampler(sampler, batch_size, drop_last)
        self.batch_size, self.drop_last = batch_size, drop_last
        self.sampler, self.batch_sampler = sampler, batch_sampler
        self.generator = generator
        self.collate_fn = collate_fn or (default_collate if batch_sampler is not None
                                         else default_convert)

    def __iter__(self) -> Iterator[Any]:
        """One pass over the data (PyTorch's ``_SingleProcessDataLoaderIter``)."""
        indices = iter(self.batch_sampler if self.batch_sampler is not None else self.sampler)
        sampler_seed(self.generator)  # the workers' base seed: drawn, as PyTorch does
        return self._batches(indices)

    def _batches(self, indices: Iterator[Any]) -> Iterator[Any]:
        batched = self.batch_sampler is not None
        if self._iterable:
            stream = iter(self.dataset)
            for index in indices:
                batch = [example for _, example in zip(index if batched else [index], stream,
                                                       strict=False)]
                if not batched:
                    if not batch:
                        return
                    yield self.collate_fn(batch[0])
                    continue
                if not batch or (self.drop_last and len(batch) < len(index)):
                    return
                yield self.collate_fn(batch)
                if len(batch) < len(index):
                    return
            return
        for index in indices:
            if not batched:
                yield self.collate_fn(self.dataset[index])
            elif callable(getattr(self.dataset, "__getitems__", None)):
                yield self.collate_fn(self.dataset.__getitems__(index))
            else:
                yield self.collate_fn([self.dataset[i] for i in index])

    def __len__(self) -> int:
        if self._iterable:
            length = len(self.dataset)
            if self.batch_size is not None:
                length = (length // self.batch_size if self.drop_last
                          else -(-length // self.batch_size))
            return length
        return len(self.batch_sampler if self.batch_sampler is not None else self.sampler)
