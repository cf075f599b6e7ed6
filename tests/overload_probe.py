"""The signatures PyTorch's argument parser lists for an overloaded function, read from torch.

``torch_signatures('sum', method=True)`` calls ``Tensor.sum`` with twenty
arguments that fit no signature, so that PyTorch's error lists every
visible one; it returns them (``()`` for a function with one signature).
The table in ``microgrid/_messages.py`` (``SIGNATURES``) was made with it,
and ``tests/test_overloads.py`` checks that the table is still torch's.
"""

from __future__ import annotations

from typing import Tuple

import torch


def torch_signatures(name: str, method: bool) -> Tuple[str, ...]:
    function = getattr(torch.ones(2), name) if method else getattr(torch, name)
    try:
        function(*[object()] * 20)
    except TypeError as error:
        text = str(error)
    else:  # pragma: no cover - nothing takes twenty objects
        return ()
    if "but expected one of:\n" not in text:
        return ()
    return tuple(line[3:] for line in text.split("but expected one of:\n", 1)[1].splitlines()
                 if line.startswith(" * "))
