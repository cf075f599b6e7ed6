"""``microgrid.random``: the Generator, seeding, and saving or restoring the state.

PyTorch counterpart: ``torch.Generator`` (``torch/csrc/Generator.cpp`` over
``aten/src/ATen/CPUGeneratorImpl.cpp``), ``torch.random`` (``manual_seed``,
``seed``, ``initial_seed``, ``get_rng_state``, ``set_rng_state``,
``fork_rng``) and ``torch.default_generator``.

A generator is a Mersenne Twister and nothing else: ``manual_seed(s)``
restarts it, every random op takes the next words from it, and its whole
state fits in the 5,056 bytes ``get_state()`` returns, laid out as PyTorch
lays them out, so a state saved by PyTorch restores here and the other way
round.  Every op that draws (``rand``, ``randn``, ``dropout`` ...) uses the
``generator=`` it is given, or ``default_generator``.

    >>> import microgrid as torch
    >>> g = torch.Generator().manual_seed(0)
    >>> torch.rand(2, generator=g)      # what PyTorch prints for the same seed
    tensor([0.4963, 0.7682])

How the words become numbers is ``_kernels/random.py``; the ops, ``ops/random.py``.

Read next: ``utils/__init__.py`` (datasets and loaders, shuffled with these numbers).
"""

from __future__ import annotations

import contextlib
import os
from typing import Any, Iterator, Optional

import numpy as np

from . import _device
from ._kernels import random as _kernels
from ._tensor import Tensor

__all__ = ["Generator", "default_generator", "manual_seed", "seed", "initial_seed",
           "get_rng_state", "set_rng_state", "fork_rng"]

_CUDA_MISSING = (
    "Cannot get CUDA generator without ATen_cuda library. PyTorch splits its backend into "
    "two shared libraries: a CPU library and a CUDA library; this error has occurred because "
    "you are trying to use some CUDA functionality, but the CUDA library has not been loaded "
    "by the dynamic linker for some reason.  The CUDA library MUST be loaded, EVEN IF you "
    "don't directly use any symbols from the CUDA library! One common culprit is a lack of "
    "-Wl,--no-as-needed in your link arguments; many dynamic linkers will delete dynamic "
    "library dependencies if you don't depend on any of their symbols.  You can check if "
    "this has occurred by using ldd on your binary to see if there is a dependency on "
    "*_cuda.so library.")


def _unsigned_seed(seed: Any) -> int:
    """A seed as PyTorch stores it: a Python int in [-2**63, 2**64), negatives
    taken modulo 2**64 (``manual_seed(-1)`` is seed 18446744073709551615)."""
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise RuntimeError(f"manual_seed expected a long, but got {type(seed).__name__}")
    seed = int(seed)
    if not -2**63 <= seed < 2**64:
        raise ValueError("Overflow when unpacking long long")
    return seed % 2**64


class Generator:
    """A source of random numbers: PyTorch's CPU generator (an MT19937)."""

    def __init__(self, device: Any = "cpu") -> None:
        name = str(device.type if isinstance(device, _device.device) else device).split(":")[0]
        if name == "cuda":
            raise RuntimeError(_CUDA_MISSING)
        if name != "cpu":
            raise RuntimeError(f"{name.upper()} device type not an accelerator.")
        self.device = _device.CPU
        self._engine = _kernels.MT19937()

    def manual_seed(self, seed: Any) -> "Generator":
        """Restart from ``seed``; returns the generator."""
        self._engine.manual_seed(_unsigned_seed(seed))
        return self

    def seed(self) -> int:
        """Restart from a fresh seed taken from the operating system; returns it."""
        fresh = int.from_bytes(os.urandom(8), "little")
        self._engine.manual_seed(fresh)
        return fresh

    def initial_seed(self) -> int:
        """The seed the generator last started from."""
        return self._engine.initial_seed

    def get_state(self) -> Tensor:
        """The whole state as a uint8 tensor of 5,056 bytes (PyTorch's layout)."""
        return Tensor._make(np.frombuffer(self._engine.get_state(), dtype=np.uint8).copy())

    def set_state(self, new_state: Any) -> "Generator":
        """Continue from a state ``get_state`` returned (here or in PyTorch)."""
        if not isinstance(new_state, Tensor):
            raise TypeError(f"expected a torch.ByteTensor, but got {type(new_state).__name__}")
        if new_state._data.dtype != np.uint8:
            raise TypeError("RNG state must be a torch.ByteTensor")
        if new_state.numel() != _kernels.STATE_BYTES:
            raise RuntimeError(f"Expected a CPUGeneratorImplState of size {_kernels.STATE_BYTES}"
                               " but found the input RNG state size to be "
                               f"{new_state.numel()}")
        self._engine.set_state(np.ascontiguousarray(new_state._data).tobytes())
        return self

    def clone_state(self) -> "Generator":
        """A new generator in the same state."""
        other = Generator()
        other._engine = self._engine.clone()
        return other

    def __repr__(self) -> str:
        return f"<microgrid.Generator object at {hex(id(self))}>"


#: The generator every op uses when it is given none (``torch.default_generator``).
#: A fresh process seeds it from the operating system, as PyTorch does.
default_generator = Generator()
default_generator.seed()


def engine(generator: Optional[Generator]) -> _kernels.MT19937:
    """The twister an op draws from: ``generator``'s, or the default one's."""
    if generator is None:
        return default_generator._engine
    if not isinstance(generator, Generator):
        raise TypeError(f"expected a torch.Generator, but got {type(generator).__name__}")
    return generator._engine


def manual_seed(seed: Any) -> Generator:
    """Seed the default generator (``torch.manual_seed``); returns it."""
    return default_generator.manual_seed(int(seed))


def seed() -> int:
    """Seed the default generator from the operating system; returns the seed."""
    return default_generator.seed()


def initial_seed() -> int:
    """The seed the default generator last started from."""
    return default_generator.initial_seed()


def get_rng_state() -> Tensor:
    """The default generator's state, 5,056 bytes as PyTorch lays them out."""
    return default_generator.get_state()


def set_rng_state(new_state: Tensor) -> None:
    """Restore the default generator's state."""
    default_generator.set_state(new_state)


@contextlib.contextmanager
def fork_rng(devices: Any = None, enabled: bool = True, _caller: str = "fork_rng",
             _devices_kw: str = "devices", device_type: str = "cuda") -> Iterator[None]:
    """Run a block with the default generator's state saved before and
    restored after, so the random numbers drawn inside do not count."""
    if not enabled:
        yield
        return
    saved = get_rng_state()
    try:
        yield
    finally:
        set_rng_state(saved)
