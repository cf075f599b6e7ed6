"""The NumPy kernel layer: how microgrid makes NumPy compute as PyTorch does.

PyTorch counterpart: ATen's CPU kernels (``aten/src/ATen/native/cpu/``), the
code under every op that touches the numbers.

Nothing here knows about tensors, nodes or grad mode: every function takes
and returns NumPy arrays (or Python numbers), and this package imports NumPy
only.  It is the one place for

* NumPy's warnings switched off cheaply (``quiet.py``: :func:`compute`,
  :func:`quietly`);
* broadcasts kept as views, and the backward pass's *lazy* broadcasts
  (``broadcast.py``);
* the grad-off fast path of elementwise arithmetic (``quiet.py: plain``);
* NumPy made to give PyTorch's numbers where the two differ (``math.py``:
  ``larger``/``smaller``'s ties and nans, ``power``, ``sign``;
  ``layout.py``: the order of dims in memory).

The rule (``docs/CONTRIBUTING.md``): a kernel trick lives here, an engine
trick in the engine's buffer or queue, a recording trick as a node's declared
attribute; a shortcut anywhere else is marked ``# speed (performance.md §N)``.

Read next: ``quiet.py``.
"""

from .broadcast import LAZY_MIN_SIZE, broadcast_view, lazy_broadcasts
from .layout import memory_order
from .math import integer_power, larger, power, sign, smaller
from .quiet import compute, plain, quietly

__all__ = ["LAZY_MIN_SIZE", "broadcast_view", "lazy_broadcasts", "memory_order",
           "integer_power", "larger", "power", "sign", "smaller",
           "compute", "plain", "quietly"]
