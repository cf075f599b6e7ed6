"""``compare``: proof that microgrid is PyTorch's autograd, rebuilt.

PyTorch counterpart: none; this is the one package that imports PyTorch.

``python -m compare`` runs a program twice, once with PyTorch and once with
microgrid standing in for it (an import hook makes ``import torch`` import
microgrid), each in its own fresh subprocess, and checks five things: the
printed transcript (byte for byte), every tensor value, every gradient, the
computation graph behind every tensor (node names and ``next_functions``
edges), and the class and message of any error.  See ``__main__.py`` for
the command line.

Reading order:

1. ``catalog.py``   the built-in programs (``programs/``), the seed tutorial first
2. ``session.py``   starts the two runners and collects what they left
3. ``alias.py``     the import hook: ``torch`` -> ``microgrid``
4. ``runner.py``    runs programs in a subprocess, snapshotting tensors as they go
5. ``snapshot.py``  a tensor as a JSON record: values, grad, graph signature
6. ``check.py``     the five checks and the verdict
7. ``report.py``    side-by-side transcripts, differences, the summary table
8. ``fuzz.py``      random programs run under both engines in one process, shrunk
                    when they differ (``python -m compare fuzz``)
"""
