"""The built-in programs ``python -m compare`` runs, the seed tutorial first.

PyTorch counterpart: none.  Each program is an ordinary, commented PyTorch
script in ``programs/``; it never mentions microgrid (the import hook swaps
the engine).  An entry may run the whole script (as ``__main__``) or import
it and call one of its functions.

Read next: ``programs/seed_tutorial.py``, the article this project started
from, then ``session.py``.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Optional

PROGRAMS_DIR = Path(__file__).parent / "programs"


@dataclass(frozen=True)
class Program:
    """One catalog entry."""

    name: str
    title: str
    file: str  # in programs/
    function: Optional[str] = None  # call just this function; None runs the script as __main__
    expected: Optional[str] = None  # a transcript the PyTorch run must print, in programs/

    @property
    def path(self) -> Path:
        return PROGRAMS_DIR / self.file

    def expected_transcript(self) -> Optional[str]:
        if self.expected is None:
            return None
        return (PROGRAMS_DIR / self.expected).read_text(encoding="utf-8")


SEED = "seed_tutorial.py"

CATALOG = (
    Program("seed_tutorial", "the seed article's main.py, as published", SEED,
            expected="seed_tutorial.expected.txt"),
    Program("variable_old", "seed, part 1: the legacy Variable wrapper", SEED, "variable_old"),
    Program("tensor_new", "seed, part 2: a tensor with requires_grad=True", SEED, "tensor_new"),
    Program("broadcasting", "broadcasting, and gradients summed back to each shape",
            "broadcasting.py"),
    Program("reductions", "sum, mean, max, var over dims, with keepdim", "reductions.py"),
    Program("matmul", "matrix products of every shape (dot, mv, mm, batched)", "matmul.py"),
    Program("mlp", "a two-layer MLP trained for a few steps", "mlp.py"),
    Program("softmax_cross_entropy", "softmax, log_softmax and cross-entropy",
            "softmax_cross_entropy.py"),
    Program("nn_regression", "nn.Sequential MLP trained with optim.SGD and momentum",
            "nn_regression.py"),
    Program("nn_classifier", "an nn.Module classifier: CrossEntropyLoss and optim.Adam",
            "nn_classifier.py"),
    Program("indexing", "ints, slices, lists and masks, and their gradients", "indexing.py"),
    Program("diamond", "a value used twice: gradients add up", "diamond.py"),
    Program("grad_accumulation", "two backward calls accumulate into .grad",
            "grad_accumulation.py"),
    Program("retain_graph", "backward twice through one graph with retain_graph=True",
            "retain_graph.py"),
    Program("no_grad", "torch.no_grad(): computing without recording", "no_grad.py"),
    Program("detach", "detach() cuts the graph", "detach.py"),
    Program("error_backward_twice", "misuse: backward twice without retain_graph",
            "error_backward_twice.py"),
    Program("error_nonscalar_backward", "misuse: backward() on a non-scalar output",
            "error_nonscalar_backward.py"),
    Program("error_numpy_requires_grad", "misuse: .numpy() on a tensor that requires grad",
            "error_numpy_requires_grad.py"),
    Program("error_inplace", "misuse: changing in place a value backward needs",
            "error_inplace.py"),
    Program("higher_order", "second derivatives: create_graph=True and autograd.grad",
            "higher_order.py"),
    Program("hessian_vector", "a Hessian-vector product, two ways", "hessian_vector.py"),
    Program("hooks", "tensor hooks and retain_grad()", "hooks.py"),
    # -- a learner's own Function, data loading, saving ------------------------------------
    Program("custom_function", "your own op: autograd.Function beside MulBackward0",
            "custom_function.py"),
    Program("dataloader_training", "Morvan's batch training: TensorDataset, shuffled DataLoader",
            "dataloader_training.py"),
    Program("save_load", "torch.save / torch.load: state_dict, checkpoint, whole model",
            "save_load.py"),

    # -- the tensor surface learner programs use --------------------------------------------
    Program("d2l_preliminaries", "d2l's preliminaries as a script: NumPy round trips, "
            "axis=/keepdims=, cumsum, norms, a device check", "d2l_preliminaries.py"),

    # -- layers, optimizers, schedules ------------------------------------------------------
    Program("small_cnn", "a small CNN (Conv2d, MaxPool2d) on random 28x28 images",
            "small_cnn.py"),
    Program("optimizers", "RMSprop, Adagrad, Adadelta, Adamax and lr schedulers",
            "optimizers.py"),

    # -- PyTorch's random numbers: seed once, and every draw is PyTorch's ---------------------
    Program("seeded_dropout_makemore", "seeded once: init, dropout training, multinomial "
            "sampling, randperm", "seeded_dropout_makemore.py"),
)

BY_NAME = {program.name: program for program in CATALOG}
