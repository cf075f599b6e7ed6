"""``microgrid.utils.data``: feeding a model its examples in (shuffled) batches.

PyTorch counterpart: ``torch.utils.data``.

Three pieces, one file each, in the order a ``DataLoader`` uses them:

* ``dataset.py``: a *dataset* answers ``len(ds)`` and ``ds[i]`` (``TensorDataset``
  pairs the rows of a few tensors; ``Subset`` and ``random_split`` pick rows);
* ``sampler.py``: a *sampler* says which indices to read, in what order
  (``RandomSampler`` draws PyTorch's very permutation, so a shuffled training
  loop sees the same batches as under PyTorch), and ``BatchSampler`` groups them;
* ``collate.py``: ``default_collate`` stacks a list of examples into a batch;
* ``dataloader.py``: ``DataLoader`` ties the three together.

Read next: ``dataset.py``.
"""

from .collate import default_collate, default_convert
from .dataloader import DataLoader, get_worker_info
from .dataset import (
    ConcatDataset,
    Dataset,
    IterableDataset,
    Subset,
    TensorDataset,
    random_split,
)
from .sampler import (
    BatchSampler,
    RandomSampler,
    Sampler,
    SequentialSampler,
    SubsetRandomSampler,
)

__all__ = ["Dataset", "IterableDataset", "TensorDataset", "ConcatDataset", "Subset",
           "random_split", "Sampler", "SequentialSampler", "RandomSampler",
           "SubsetRandomSampler", "BatchSampler", "DataLoader", "default_collate",
           "default_convert", "get_worker_info"]
