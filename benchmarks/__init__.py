"""Benchmarks: microgrid against PyTorch eager and against hand-written NumPy.

Run ``python -m benchmarks`` from the repository root (``--quick`` for a
shorter run, ``--only W1,W3`` for some workloads, ``--help`` for all).  It
prints a header, each row as it is measured, the whole table and the command
that made it; ``--save`` also writes ``benchmarks/results.json`` and
``benchmarks/results.md`` (the table the README shows, with the machine it
ran on), and ``--check`` makes a missed target exit with status 1.

Three implementations of every workload are timed, interleaved in one
process (round by round, in a rotating order, so that a noisy neighbour
slows all three alike):

* **microgrid**;
* **torch**, PyTorch eager on the CPU with 2 threads: the same code, since
  microgrid has PyTorch's API (``workloads.py`` passes the module in);
* **floor**, hand-written NumPy: the forward pass and, for the backward
  pass, each op's derivative applied by hand (the chain rule on paper, as
  a learner writes backprop without an engine), no graph.  It is what the
  arithmetic costs; what microgrid adds to it is the engine's price.

Each round times each implementation once; the ratios microgrid/torch and
microgrid/floor are taken within the round, and the table reports the
median over rounds (of times and of ratios).  Peak memory (W6) is measured
in subprocesses, with ``tracemalloc`` and with ``resource.getrusage``.

The workloads and their targets are in ``workloads.py``; the mechanisms
behind the numbers are explained in ``docs/performance.md``.  Every command
here shares ``cli.py`` (``--help``, ``--version``, header and progress rows).
The other benchmarks, each ``python -m benchmarks.NAME``:

* ``deep_graphs``: every graph walk stays linear in the number of nodes;
* ``python_floor``: the leanest engine Python can run, to tell which targets
  any Python engine can reach;
* ``memory``: one W6 measurement (run by ``python -m benchmarks``).
* ``tutorial_path``: how many functions and lines of microgrid the seed
  tutorial enters, the length of the read (``docs/tour.md``).

Read next: ``workloads.py``.
"""
