"""microgrid: PyTorch's autograd, rebuilt from scratch on NumPy, to be read.

Run a PyTorch program with ``import microgrid as torch`` and it prints the
same thing.  Every name here is PyTorch's; every file says which part of
PyTorch it stands for.

Reading order: each module's docstring ends with "Read next", and the chain
visits every module once (``tests/core/test_tour.py`` checks it).
``docs/tour.md`` walks its first part with the tutorial, quoting the code.

The tutorial's path, the idea in about 450 lines:

1. ``_tensor.py``            the Tensor: an array, ``requires_grad``, ``grad_fn``, ``grad``
2. ``_creation.py``          ``tensor()``, ``zeros()``, ``FloatTensor`` ...
3. ``ops/``                  every op, its forward and backward side by side:
   ``mul`` (``ops/pointwise.py``) and ``mean`` (``ops/reduction.py``) first,
   the rest later
4. ``autograd/grad_mode.py`` ``no_grad``: when ops record the graph
5. ``autograd/graph.py``     the nodes ops record (``MulBackward0``), edges, saved tensors
6. ``autograd/engine.py``    the backward pass: a ready queue over the nodes
7. ``autograd/api.py``       ``backward`` and ``grad``, the two ways into the engine
8. ``autograd/input_metadata.py``  a gradient summed back to its input's shape
9. ``_tensor_str.py``        printing, byte for byte as PyTorch prints

Then how it is made fast and faithful, and the rest of the library:

10. ``_kernels/``            NumPy made to compute as PyTorch does (imports NumPy only)
11. ``_dtype.py``, ``_promotion.py``, ``_arguments.py``, ``_device.py``, ``_messages.py``
12. ``autograd/saved_variable.py``, ``autograd/hooks.py``, ``autograd/grad_journal.py``,
    ``autograd/__init__.py``,
    ``autograd/variable.py``, ``autograd/function.py`` (``Function``: your own op),
    ``autograd/functional.py`` (Jacobians, Hessians),
    ``autograd/gradcheck.py`` (finite differences), ``autograd/walk.py``
13. ``ops/shape.py``, ``ops/indexing.py``, ``ops/linalg.py``, ``ops/inplace.py``
14. ``nn/``                  losses, layers that own their parameters, ``nn.init``
15. ``optim/``               the update rules that train them (``SGD``, ``Adam``)
16. ``viz/``                 pictures of the graph (Graphviz), step-by-step backward
17. ``random.py``, ``_kernels/random.py``, ``ops/random.py``  PyTorch's random numbers,
    bit for bit (``docs/random.md``)
18. ``utils/data/``          ``Dataset``, ``DataLoader``: shuffled batches, PyTorch's;
    ``serialization.py``     ``save``/``load`` in PyTorch's own checkpoint format

The tutorial in one line: ``x = tensor([[1., 2.], [3., 4.]], requires_grad=True);
mean(x * x).backward()`` leaves ``x.grad == x / 2``: ``MeanBackward0`` sends
``1/4`` to every element, ``MulBackward0`` turns it into ``2 * x * 1/4``.

Read next: ``_tensor.py``.
"""

from . import (
    _dtype,
    autograd,
    nn,  # torch.nn (modules, Parameter, init) and torch.nn.functional
    optim,  # torch.optim: SGD, Adam, AdamW
    viz,  # noqa: F401 - graph pictures; pygraphviz loads only to render one
)
from ._creation import (
    BoolTensor,
    DoubleTensor,
    FloatTensor,
    LongTensor,
    arange,
    empty,
    empty_like,
    eye,
    full,
    full_like,
    linspace,
    manual_seed,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randn,
    randn_like,
    tensor,
    zeros,
    zeros_like,
)
from ._device import device
from ._dtype import (
    Size,
    bool,
    double,
    dtype,
    float,
    float16,
    float32,
    float64,
    half,
    int,
    int8,
    int16,
    int32,
    int64,
    long,
    short,
    uint8,
)
from ._tensor import Tensor
from ._tensor_str import set_printoptions
from .autograd.grad_mode import (
    enable_grad,
    inference_mode,
    is_grad_enabled,
    is_inference_mode_enabled,
    no_grad,
    set_grad_enabled,
)
from .ops.indexing import narrow, select
from .ops.linalg import addmm, bmm, dot, matmul, mm, mv, outer
from .ops.pointwise import (
    abs,
    add,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    clone,
    cos,
    div,
    eq,
    exp,
    ge,
    gt,
    le,
    log,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    masked_fill,
    maximum,
    minimum,
    mul,
    ne,
    neg,
    pow,
    reciprocal,
    relu,
    rsub,
    sgn,
    sigmoid,
    sign,
    sin,
    sqrt,
    sub,
    tanh,
    where,
)
from .ops.reduction import (
    argmax,
    argmin,
    log_softmax,
    logsumexp,
    max,
    mean,
    min,
    softmax,
    std,
    sum,
    var,
)
from .ops.shape import (
    cat,
    expand,
    flatten,
    permute,
    reshape,
    squeeze,
    stack,
    t,
    transpose,
    unbind,
    unsqueeze,
)

__version__ = "0.1.0"

__all__ = [
    "Tensor", "tensor", "FloatTensor", "DoubleTensor", "LongTensor", "BoolTensor",
    "zeros", "ones", "zeros_like", "ones_like", "empty", "empty_like", "full", "full_like",
    "eye", "arange", "linspace", "rand", "randn", "rand_like", "randn_like", "randint",
    "manual_seed", "device",
    "Size", "dtype", "bool", "double", "float", "float16", "float32", "float64", "half",
    "int", "int8", "int16", "int32", "int64", "long", "short", "uint8",
    "autograd", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled",
    "inference_mode", "is_inference_mode_enabled",
    "add", "sub", "rsub", "mul", "div", "neg", "reciprocal", "clone", "sum", "mean",
    "pow", "maximum", "minimum", "exp", "log", "sqrt", "abs", "sign", "sin", "cos", "tanh",
    "sigmoid", "relu", "clamp", "clip", "clamp_min", "clamp_max", "where",
    "eq", "ne", "gt", "lt", "ge", "le", "logical_and", "logical_or", "logical_xor",
    "logical_not", "max", "min", "argmax", "argmin", "var", "std", "logsumexp",
    "softmax", "log_softmax", "masked_fill", "sgn",
    "expand", "reshape", "set_printoptions",
    "flatten", "t", "transpose", "permute", "squeeze", "unsqueeze", "cat", "stack", "unbind",
    "matmul", "mm", "mv", "dot", "bmm", "outer", "select", "narrow", "nn", "optim",
    "addmm",
]

# -- random numbers, PyTorch's bit for bit (random.py, ops/random.py) ----------------------
from . import random  # noqa: E402 - torch.random: fork_rng, get_rng_state ...
from .ops.random import (  # noqa: E402
    bernoulli,
    multinomial,
    normal,
    poisson,
    randint_like,
    randperm,
)
from .random import (  # noqa: E402
    Generator,
    default_generator,
    get_rng_state,
    initial_seed,
    seed,
    set_rng_state,
)

__all__ += ["random", "Generator", "default_generator", "seed", "initial_seed", "get_rng_state",
            "set_rng_state", "randperm", "randint_like", "normal", "bernoulli", "multinomial",
            "poisson"]

# -- torch.utils.data, torch.save / torch.load (utils/, serialization.py) -----------------
from . import serialization, utils  # noqa: E402
from .serialization import load, save  # noqa: E402

__all__ += ["utils", "serialization", "save", "load"]

# -- PyTorch's float32 kernels: logspace, the intra-op threads sums split over ------------
from ._creation import logspace  # noqa: E402
from ._kernels.reduce import num_threads as get_num_threads  # noqa: E402
from ._kernels.reduce import set_num_threads  # noqa: E402

__all__ += ["logspace", "get_num_threads", "set_num_threads"]

# -- the tensor surface learners use: devices, from_numpy, norms, scans ... -----------------
from . import accelerator, backends, cuda  # noqa: E402 - no GPU: is_available() is False
from ._creation import from_numpy  # noqa: E402
from ._device import get_default_device, set_default_device  # noqa: E402
from .ops.arguments import numpy_names, with_out  # noqa: E402
from .ops.pointwise import allclose, equal, expm1, isclose, log1p, log2, log10  # noqa: E402
from .ops.reduction import (  # noqa: E402
    all,
    any,
    cumprod,
    cumsum,
    flip,
    histc,
    histogram,
    norm,
)

# PyTorch's argument parser takes NumPy's axis= and keepdims= wherever an op has a dim
# (the reductions take them in ops/reduction.py), and out= on most functions.
cat, squeeze, stack, unbind, unsqueeze = (
    numpy_names(f) for f in (cat, squeeze, stack, unbind, unsqueeze))
# (Not sigmoid and tanh: torch.nn.functional's are torch's own functions.)
(add, sub, mul, div, pow, neg, abs, exp, log, log10, log2, log1p, expm1, sqrt, sin, cos, clamp,
 maximum, minimum, matmul, mm, bmm, mv, dot, sum, mean, cumsum, cumprod, cat, stack) = (
    with_out(f) for f in (
        add, sub, mul, div, pow, neg, abs, exp, log, log10, log2, log1p, expm1, sqrt, sin, cos,
        clamp, maximum, minimum, matmul, mm, bmm, mv, dot, sum, mean, cumsum, cumprod, cat,
        stack))
del numpy_names, with_out

__all__ += ["accelerator", "backends", "cuda", "from_numpy", "get_default_device",
            "set_default_device",
            "allclose", "equal", "expm1", "isclose", "log1p", "log2", "log10", "all", "any",
            "cumprod", "cumsum", "flip", "histc", "histogram", "norm"]

# -- operators, type checks, the default dtype, uint16/uint32 -------------------------------
from ._creation import (  # noqa: E402
    as_tensor,
    get_default_dtype,
    is_floating_point,
    is_tensor,
    set_default_dtype,
)
from ._dtype import uint16, uint32  # noqa: E402
from .ops.pointwise import (  # noqa: E402
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    floor_divide,
    remainder,
)

__all__ += ["as_tensor", "get_default_dtype", "is_floating_point", "is_tensor",
            "set_default_dtype", "uint16", "uint32", "bitwise_and", "bitwise_not", "bitwise_or",
            "bitwise_xor", "floor_divide", "remainder"]

# -- issue 18: a call that fits none of an overloaded function's signatures ----------------
# gets PyTorch's TypeError listing them (ops/arguments.py, overloaded).
from .ops.arguments import overloaded as _overloaded  # noqa: E402
from .ops.arguments import overloaded_names as _overloaded_names  # noqa: E402

for _name in _overloaded_names(method=False):
    if _name in globals():
        globals()[_name] = _overloaded(globals()[_name], _name, method=False)
del _name, _overloaded, _overloaded_names

del _dtype
