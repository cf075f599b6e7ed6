"""``compare``: proof that microgrid is PyTorch's autograd, rebuilt.

PyTorch counterpart: none; this is the one package that imports PyTorch.

``python -m compare`` runs a program (a script, a notebook, or one of the
catalog's) three times, each in a fresh subprocess from the same seeds:
twice with PyTorch (what differs between those two is the program's own
doing) and once with microgrid standing in for it (an import hook makes
``import torch`` import microgrid).  It checks five things: the printed
transcript (byte for byte, memory addresses masked), every tensor value,
every gradient, the computation graph behind every tensor (node names and
``next_functions`` edges), and the class and message of any error; and
gives one verdict with a one-line reason: EXACT, ROUNDING, MISMATCH,
UNSUPPORTED, CRASH or UNSTABLE.  A program that differs only in numbers
runs a fourth time, under PyTorch with its rounding perturbed, to tell
rounding the program amplifies from microgrid's error (``check.py``).  See
``__main__.py`` for the command line.

Reading order:

1. ``catalog.py``     the built-in programs (``programs/``), the seed tutorial first
2. ``session.py``     starts the three runners and collects what they left
3. ``alias.py``       the import hook: ``torch`` -> ``microgrid``, and naming what
                      microgrid lacks as a PyTorch user writes it
4. ``runner.py``      runs programs in a subprocess, each in its own working copy,
                      snapshotting tensors as they go
5. ``notebook.py``    a notebook's code cells, IPython-only lines left out
6. ``snapshot.py``    a tensor as a JSON record: values, grad, graph signature
7. ``transcript.py``  masking addresses, a diff in linear time, rounding
8. ``check.py``       the five checks and the verdict with its reason
9. ``report.py``      progress, the summary table, side-by-side transcripts
10. ``fuzz.py``       random programs run under both engines in one process, shrunk
                      when they differ (``python -m compare fuzz``)
"""
