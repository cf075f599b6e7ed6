"""Random ops: rand, randn, randint, randperm, normal, bernoulli, multinomial, fills, dropout.

``x.uniform_()`` and the other in-place fills are here too.

PyTorch counterpart: ``aten/src/ATen/native/Distributions.cpp``,
``TensorFactories.cpp`` (``rand``, ``randn``, ``randint``, ``randperm``),
``native/DistributionTemplates.h`` (the argument checks), ``Dropout.cpp``, and
the nodes ``tools/autograd/derivatives.yaml`` gives the in-place fills.

Each op checks its arguments first (PyTorch's exception, PyTorch's message,
and no draw: the generator's state is unchanged when an op refuses), then
asks the kernels (``_kernels/random.py``) for the numbers, in the order
PyTorch's TensorIterator visits the output's memory, and places them.

The fills are ops like any other for autograd: ``x.normal_()`` records a
``NormalBackward0`` whose gradient is zero, since the new values do not
depend on the old ones::

    z = samples written over x;   dL/dx = 0

``dropout`` is not a node of its own: PyTorch computes it as
``input * mask`` with ``mask = bernoulli(1 - p) / (1 - p)``, so its node is
``MulBackward0``, and so it is here.

``nn/init.py`` builds the initialisations on these fills.

Read next: ``conv.py``.
"""

from __future__ import annotations

import math
from typing import Any, Callable, Optional, Sequence, Tuple

import numpy as np

from .. import _device, _dtype
from .. import random as _random
from .._dtype import LEGACY_TYPE_NAMES
from .._kernels import random as kernels
from .._tensor import Tensor, set_leaf_requires_grad
from ..autograd.graph import Node, record
from . import pointwise
from .pointwise import zeros_constant

Draw = Callable[[int, np.dtype, bool], np.ndarray]  # (count, dtype, contiguous) -> flat values


# -- nodes: every fill's gradient is zero ------------------------------------------------------
def _zero_gradients(node: Node, grad: Tensor) -> Tuple[Any, ...]:
    """Every fill's backward: zeros for each input (the new values do not depend on them)."""
    meta = node._input_meta or (None,) * len(node.next_functions)
    return tuple(zeros_constant(grad) if m is None
                 else Tensor._make(np.zeros(m[0], dtype=m[1])) for m in meta)



class UniformBackward0(Node):
    """z = U(from, to) samples over x;   dL/dx = 0"""

    backward = _zero_gradients


class NormalBackward0(Node):
    """z = N(mean, std^2) samples over x;   dL/dx = 0"""

    backward = _zero_gradients


class NormalBackward1(Node):
    """z = normal(mean tensor, std number);   dL/dmean = 0"""

    backward = _zero_gradients


class NormalBackward2(Node):
    """z = normal(mean number, std tensor);   dL/dstd = 0"""

    backward = _zero_gradients


class NormalBackward3(Node):
    """z = normal(mean tensor, std tensor);   dL/dmean = 0, dL/dstd = 0"""

    backward = _zero_gradients


class RandomBackward0(Node):
    """z = random_(from, to) over x;   dL/dx = 0"""

    backward = _zero_gradients


class RandomBackward1(Node):
    """z = random_(to) over x;   dL/dx = 0"""

    backward = _zero_gradients


class RandomBackward2(Node):
    """z = random_() over x;   dL/dx = 0"""

    backward = _zero_gradients


class ExponentialBackward0(Node):
    """z = Exp(lambd) samples over x;   dL/dx = 0"""

    backward = _zero_gradients


class GeometricBackward0(Node):
    """z = Geometric(p) samples over x;   dL/dx = 0"""

    backward = _zero_gradients


class LogNormalBackward0(Node):
    """z = LogNormal(mean, std) samples over x;   dL/dx = 0"""

    backward = _zero_gradients


class CauchyBackward0(Node):
    """z = Cauchy(median, sigma) samples over x;   dL/dx = 0"""

    backward = _zero_gradients


class BernoulliBackward0(Node):
    """z = bernoulli(p) with p = x;   dL/dx = 0"""

    backward = _zero_gradients


class BernoulliBackward1(Node):
    """z = Bernoulli(p tensor) samples over x;   dL/dx = 0, dL/dp = 0"""

    backward = _zero_gradients


class PoissonBackward0(Node):
    """z = poisson(rates x);   dL/dx = 0"""

    backward = _zero_gradients


class BernoulliBackward2(Node):
    """z = Bernoulli(p number) samples over x;   dL/dx = 0"""

    backward = _zero_gradients


# -- where the draws go -------------------------------------------------------------------------
def _dense_order(data: np.ndarray) -> Optional[Tuple[int, ...]]:
    """The axis order (outermost first) in which ``data``'s elements sit in
    memory, if they fill a block of memory without gaps; else None."""
    order = kernels.fill_order(data.shape, data.strides)
    expected = data.itemsize
    for axis in reversed(order):
        if data.shape[axis] > 1 and data.strides[axis] != expected:
            return None
        expected *= data.shape[axis]
    return order


def _place(flat: np.ndarray, shape: Sequence[int], order: Sequence[int]) -> np.ndarray:
    """Values drawn in memory order ``order`` arranged as an array of ``shape``."""
    walked = flat.reshape([shape[axis] for axis in order])
    return np.ascontiguousarray(walked.transpose(np.argsort(order)))


def _draw_over(data: np.ndarray, draw: Draw, dtype: Optional[np.dtype] = None) -> np.ndarray:
    """What a fill writes over ``data``: ``draw``'s values in the order
    TensorIterator visits ``data``'s memory (largest stride outermost)."""
    contiguous = data.flags.c_contiguous
    order = (tuple(range(data.ndim)) if contiguous
             else kernels.fill_order(data.shape, data.strides))
    flat = draw(data.size, np.dtype(dtype or data.dtype), contiguous)
    return _place(flat, data.shape, order)


def _draw_like(input: Tensor, draw: Draw, dtype: np.dtype) -> np.ndarray:
    """What ``empty_like(input).fill_()`` gives: the new tensor copies
    ``input``'s memory layout when it is dense (preserve_format), so the
    draws follow that layout."""
    data = input._data
    order = _dense_order(data) if not data.flags.c_contiguous else None
    if order is None:
        return draw(data.size, dtype, True).reshape(data.shape)
    contiguous = order == tuple(range(data.ndim))
    return _place(draw(data.size, dtype, contiguous), data.shape, order)


def _fill(node_class: type, input: Tensor, draw: Draw, others: Sequence[Any] = ()) -> Tensor:
    """The out-of-place half of an in-place fill: new values over ``input``."""
    values = _draw_over(input._data, draw)
    return record(node_class, values.astype(input._data.dtype, copy=False), (input, *others))


def _floating(input: Tensor, kernel: str) -> None:
    if input._data.dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{LEGACY_TYPE_NAMES[input._data.dtype.name]}'")


# -- the in-place fills (Tensor.uniform_ ... call these through inplace()) -------------------------
def uniform(input: Tensor, from_: float = 0.0, to: float = 1.0, *, generator: Any = None) -> Tensor:
    """``x.uniform_(from_, to)``: U[from_, to) samples shaped like ``x``."""
    _floating(input, "check_uniform_bounds")
    if from_ > to:
        raise RuntimeError(f"uniform_ expects to return a [from, to) range, but found "
                           f"from={_g(from_)} > to={_g(to)}")
    mt = _random.engine(generator)
    return _fill(UniformBackward0, input,
                 lambda n, dtype, _: kernels.uniform(mt, n, dtype, from_, to))


def normal_fill(input: Tensor, mean: float = 0.0, std: float = 1.0, *,
                generator: Any = None) -> Tensor:
    """``x.normal_(mean, std)``: N(mean, std^2) samples shaped like ``x``."""
    _floating(input, "normal_kernel_cpu")
    _check_std(std)
    mt = _random.engine(generator)
    return _fill(NormalBackward0, input,
                 lambda n, dtype, contiguous: kernels.normal(mt, n, dtype, mean, std, contiguous))


def _check_std(std: float) -> None:
    if not std >= 0.0:
        raise RuntimeError(f"normal expects std >= 0.0, but found std {_g(std)}")


def random_fill(input: Tensor, from_: Optional[int] = 0, to: Optional[int] = None, *,
                generator: Any = None, _node: type = RandomBackward0) -> Tensor:
    """``x.random_(from_, to)``: integers in [from_, to) (``to=None``: up to the
    type's largest value, or 2**digits for floating types)."""
    dtype = input._data.dtype
    mt = _random.engine(generator)
    if from_ is None:  # random_() without bounds
        return _fill(RandomBackward2, input,
                     lambda n, d, _: kernels.random_default(mt, n, d))
    if to is None:
        if dtype == np.int64 and from_ == -2**63:
            return _fill(_node, input, lambda n, d, _: kernels.random_full_range(mt, n, d))
        to_inclusive = _largest(dtype)
        _check_in_bounds(from_, "from", dtype)
        span = to_inclusive - from_ + 1
    else:
        if from_ >= to:
            raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                               f"from={from_} >= to={to}")
        _check_in_bounds(from_, "from", dtype)
        _check_in_bounds(to - 1, "to - 1", dtype)
        span = to - from_
    return _fill(_node, input, lambda n, d, _: kernels.random_from_to(mt, n, d, from_, span))


def _largest(dtype: np.dtype) -> int:
    if dtype.kind == "f":
        return 2 ** {8: 53, 4: 24, 2: 11}[dtype.itemsize]
    if dtype == np.bool_:
        return 1
    return int(np.iinfo(dtype).max)


def _check_in_bounds(value: int, name: str, dtype: np.dtype) -> None:
    """PyTorch's ``check_from_to_in_range`` for integer types."""
    if dtype.kind == "f":
        return
    low, high = (0, 1) if dtype == np.bool_ else (int(np.iinfo(dtype).min),
                                                  int(np.iinfo(dtype).max))
    if not low <= value <= high:
        raise RuntimeError(f"{name} is out of bounds for "
                           f"{_dtype.CPP_TYPE_NAMES.get(dtype.name, dtype.name)}")


def _fill_from_doubles(node_class: type, input: Tensor, generator: Any,
                       sample: Callable[[kernels.MT19937, int], np.ndarray]) -> Tensor:
    """A fill whose values PyTorch computes in double, then rounds to the tensor's dtype."""
    mt = _random.engine(generator)
    return _fill(node_class, input, lambda n, dtype, _: sample(mt, n).astype(dtype))


def exponential(input: Tensor, lambd: float = 1.0, *, generator: Any = None) -> Tensor:
    """``x.exponential_(lambd)``: Exp(lambd) samples shaped like ``x``."""
    if not lambd > 0.0:
        raise RuntimeError(f"exponential_ expects lambda > 0.0, but found lambda={_g(lambd)}")
    return _fill_from_doubles(ExponentialBackward0, input, generator,
                              lambda mt, n: kernels.exponential(mt, n, lambd))


def geometric(input: Tensor, p: float, *, generator: Any = None) -> Tensor:
    """``x.geometric_(p)``: the number of trials up to the first success."""
    if not 0 < p < 1:
        raise RuntimeError(f"geometric_ expects p to be in (0, 1), but got p={_g(p)}")
    return _fill_from_doubles(GeometricBackward0, input, generator,
                              lambda mt, n: kernels.geometric(mt, n, p))


def log_normal(input: Tensor, mean: float = 1.0, std: float = 2.0, *,
               generator: Any = None) -> Tensor:
    """``x.log_normal_(mean, std)``: exp of N(mean, std^2) samples."""
    _floating(input, "log_normal_cpu")
    if not std > 0.0:
        raise RuntimeError(f"log_normal_ expects std > 0.0, but found std={_g(std)}")
    return _fill_from_doubles(LogNormalBackward0, input, generator,
                              lambda mt, n: kernels.log_normal(mt, n, mean, std))


def cauchy(input: Tensor, median: float = 0.0, sigma: float = 1.0, *,
           generator: Any = None) -> Tensor:
    """``x.cauchy_(median, sigma)``: Cauchy samples shaped like ``x``."""
    _floating(input, "cauchy_cpu")
    if not sigma > 0.0:
        raise RuntimeError(f"cauchy_ expects sigma > 0.0, but found sigma={_g(sigma)}")
    return _fill_from_doubles(CauchyBackward0, input, generator,
                              lambda mt, n: kernels.cauchy(mt, n, median, sigma))


def bernoulli_fill(input: Tensor, p: Any = 0.5, *, generator: Any = None) -> Tensor:
    """``x.bernoulli_(p)``: 1 with probability p, else 0 (p a number or a tensor)."""
    mt = _random.engine(generator)
    if isinstance(p, Tensor):
        _check_probabilities(p)
        probabilities = np.broadcast_to(p._data, input._data.shape)
        return _fill(BernoulliBackward1, input,
                     lambda n, d, c: kernels.bernoulli_tensor(mt, _in_fill_order(
                         probabilities, input._data)), others=(p,))
    if not 0 <= p <= 1:
        raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_g(p)}")
    return _fill(BernoulliBackward2, input, lambda n, d, _: kernels.bernoulli_scalar(mt, n, p))


def _in_fill_order(values: np.ndarray, over: np.ndarray) -> np.ndarray:
    """``values`` (shaped like ``over``) flattened in the order a fill visits ``over``."""
    if over.flags.c_contiguous:
        return np.ascontiguousarray(values).reshape(-1)
    order = kernels.fill_order(over.shape, over.strides)
    return np.ascontiguousarray(values.transpose(order)).reshape(-1)


def _check_probabilities(p: Tensor) -> None:
    data = p._data
    if data.size and not ((data >= 0) & (data <= 1)).all():
        raise RuntimeError("Expected p_in >= 0 && p_in <= 1 to be true, but got false.  "
                           "(Could this error message be improved?  If so, please report an "
                           "enhancement request to PyTorch.)")


def _g(value: float) -> str:
    """A number as PyTorch's messages print it (C++ stream formatting: 6 significant digits)."""
    return f"{value:g}"


# -- making new random tensors ----------------------------------------------------------------
def _size(size: Tuple[Any, ...]) -> Tuple[int, ...]:
    """A shape given as ``f(2, 3)`` or ``f((2, 3))``; negative sizes refused."""
    if len(size) == 1 and isinstance(size[0], (tuple, list)):
        size = tuple(size[0])
    shape = tuple(int(s) for s in size)
    for s in shape:
        if s < 0:
            raise RuntimeError(f"Trying to create tensor with negative dimension {s}: "
                               f"{list(shape)}")
    return shape


def _new(data: np.ndarray, requires_grad: bool, device: Any) -> Tensor:
    _device.require_cpu(device)  # only the CPU holds tensors: anything else raises
    if requires_grad and data.dtype.kind != "f":
        raise RuntimeError("Only Tensors of floating point and complex dtype can require "
                           "gradients")
    return set_leaf_requires_grad(Tensor._make(data), requires_grad)


def _float_dtype(dtype: Optional[_dtype.dtype], kernel: str) -> np.dtype:
    numpy_dtype = (dtype or _dtype.default_float).numpy_dtype
    if numpy_dtype.kind != "f":
        raise NotImplementedError(f'"{kernel}" not implemented for '
                                  f"'{LEGACY_TYPE_NAMES[numpy_dtype.name]}'")
    return numpy_dtype


def _standard_uniform(mt: kernels.MT19937, n: int, dtype: np.dtype, _: bool) -> np.ndarray:
    return kernels.uniform(mt, n, dtype, 0.0, 1.0)


def _standard_normal(mt: kernels.MT19937, n: int, dtype: np.dtype,
                     contiguous: bool) -> np.ndarray:
    return kernels.normal(mt, n, dtype, 0.0, 1.0, contiguous)


def _floats(draw: Callable[..., np.ndarray], kernel: str, size: Tuple[Any, ...],
            like: Optional[Tensor], dtype: Optional[_dtype.dtype], generator: Any,
            requires_grad: bool, device: Any) -> Tensor:
    """``rand``/``randn`` of ``size``, or their ``_like`` versions for ``like``."""
    if like is not None and dtype is None:
        dtype = _dtype.from_numpy_dtype(like._data.dtype)
    numpy_dtype = _float_dtype(dtype, kernel)
    mt = _random.engine(generator)

    def sample(n: int, d: np.dtype, contiguous: bool) -> np.ndarray:
        return draw(mt, n, d, contiguous)

    if like is not None:
        data = _draw_like(like, sample, numpy_dtype)
    else:
        shape = _size(size)
        data = sample(math.prod(shape), numpy_dtype, True).reshape(shape)
    return _new(data, requires_grad, device)


def rand(*sizes: Any, size: Any = None, generator: Any = None,
         dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
         device: Any = None) -> Tensor:
    """Samples of U[0, 1) (``torch.rand``): ``rand(2, 3)``, ``rand((2, 3))``, ``size=(2, 3)``."""
    return _floats(_standard_uniform, "check_uniform_bounds", sizes if size is None else (size,),
                   None, dtype, generator, requires_grad, device)


def randn(*sizes: Any, size: Any = None, generator: Any = None,
          dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
          device: Any = None) -> Tensor:
    """Samples of N(0, 1) (``torch.randn``): ``randn(2, 3)``, ``randn((2, 3))``, ``size=(2, 3)``."""
    return _floats(_standard_normal, "normal_kernel_cpu", sizes if size is None else (size,),
                   None, dtype, generator, requires_grad, device)


def rand_like(input: Tensor, *, generator: Any = None, dtype: Optional[_dtype.dtype] = None,
              requires_grad: bool = False, device: Any = None) -> Tensor:
    """U[0, 1) samples with the shape (and by default the dtype) of ``input``."""
    return _floats(_standard_uniform, "check_uniform_bounds", (), input, dtype, generator,
                   requires_grad, device)


def randn_like(input: Tensor, *, generator: Any = None, dtype: Optional[_dtype.dtype] = None,
               requires_grad: bool = False, device: Any = None) -> Tensor:
    """N(0, 1) samples with the shape (and by default the dtype) of ``input``."""
    return _floats(_standard_normal, "normal_kernel_cpu", (), input, dtype, generator,
                   requires_grad, device)


def _integers(shape: Tuple[int, ...], low: int, high: int, dtype: np.dtype, generator: Any,
              draw_like: Optional[Tensor] = None) -> np.ndarray:
    if low >= high:
        raise RuntimeError(f"random_ expects 'from' to be less than 'to', but got "
                           f"from={low} >= to={high}")
    _check_in_bounds(low, "from", dtype)
    _check_in_bounds(high - 1, "to - 1", dtype)
    mt = _random.engine(generator)

    def draw(n: int, d: np.dtype, _: bool) -> np.ndarray:
        return kernels.random_from_to(mt, n, d, low, high - low)

    if draw_like is not None:
        return _draw_like(draw_like, draw, dtype)
    return draw(math.prod(shape), dtype, True).reshape(shape)


def randint(low: Any = None, high: Any = None, size: Any = None, *, generator: Any = None,
            dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
            device: Any = None) -> Tensor:
    """Integers in [low, high) (``randint(high, size)`` and ``randint(high=h, size=s)``
    start at 0); int64 by default."""
    if size is None:
        low, high, size = 0, low, high
    elif low is None:
        low = 0
    shape = _size((size,))
    numpy_dtype = (dtype or _dtype.int64).numpy_dtype
    data = _integers(shape, int(low), int(high), numpy_dtype, generator)
    return _new(data, requires_grad, device)


def randint_like(input: Tensor, low: int, high: Any = None, *, generator: Any = None,
                 dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
                 device: Any = None) -> Tensor:
    """Integers in [low, high) shaped like ``input`` (its dtype by default)."""
    if high is None:
        low, high = 0, low
    numpy_dtype = (dtype.numpy_dtype if dtype is not None else input._data.dtype)
    data = _integers(input._data.shape, int(low), int(high), numpy_dtype, generator,
                     draw_like=input)
    return _new(data, requires_grad, device)


def randperm(n: int, *, generator: Any = None, dtype: Optional[_dtype.dtype] = None,
             requires_grad: bool = False, device: Any = None) -> Tensor:
    """A random permutation of ``0 .. n-1`` (int64 by default)."""
    n = int(n)
    _size((n,))
    numpy_dtype = (dtype or _dtype.int64).numpy_dtype
    if numpy_dtype.kind == "f" and n > _largest(numpy_dtype):
        raise RuntimeError(f"n cannot be greater than {_largest(numpy_dtype)} for "
                           f"{LEGACY_TYPE_NAMES[numpy_dtype.name]} type.")
    data = permutation(n, generator).astype(numpy_dtype)
    return _new(data, requires_grad, device)


def permutation(n: int, generator: Any = None) -> np.ndarray:
    """``randperm(n, generator=generator)`` as a NumPy int64 array: the shuffle
    ``torch.utils.data.RandomSampler`` draws (it seeds its own generator with
    ``int(torch.empty((), dtype=torch.int64).random_())`` and then calls
    ``randperm(n, generator=...)``; see :func:`sampler_seed`)."""
    return kernels.randperm(_random.engine(generator), n)


def sampler_seed(generator: Any = None) -> int:
    """``int(torch.empty((), dtype=torch.int64).random_(generator=generator))``:
    the seed ``RandomSampler`` draws for its own generator when given none."""
    return int(kernels.random_default(_random.engine(generator), 1, np.dtype(np.int64))[0])


# -- normal(mean, std) and its overloads ----------------------------------------------------------
def normal(mean: Any, std: Any = 1.0, size: Any = None, *, generator: Any = None,
           dtype: Optional[_dtype.dtype] = None, requires_grad: bool = False,
           device: Any = None) -> Tensor:
    """``torch.normal``: numbers (with ``size``), or tensors of means and/or
    standard deviations (the result has their broadcast shape).

    With tensors PyTorch draws standard normals first and then computes
    ``z * std + mean`` as two rounded steps (``mul_`` then ``add_``)."""
    mean_is_tensor, std_is_tensor = isinstance(mean, Tensor), isinstance(std, Tensor)
    if not mean_is_tensor and not std_is_tensor:
        shape = _size((size,) if size is not None else ((),))
        numpy_dtype = _float_dtype(dtype, "normal_kernel_cpu")
        _check_std(std)
        mt = _random.engine(generator)
        data = kernels.normal(mt, math.prod(shape), numpy_dtype, mean, std, True)
        return _new(data.reshape(shape), requires_grad, device)
    if std_is_tensor and std._data.size and not (std._data >= 0).all():
        raise RuntimeError("normal expects all elements of std >= 0.0")
    if not std_is_tensor:
        _check_std(std)
    operands = [t._data for t in (mean, std) if isinstance(t, Tensor)]
    shape = np.broadcast_shapes(*(a.shape for a in operands))
    numpy_dtype = operands[0].dtype  # the output is made like mean (or std), then mul_/add_
    mt = _random.engine(generator)
    if mean_is_tensor and not std_is_tensor:
        z = kernels.normal(mt, math.prod(shape), numpy_dtype, 0.0, std, True)
        data = pointwise.quietly(np.add, z.reshape(shape), mean._data.astype(numpy_dtype))
        node, inputs = NormalBackward1, (mean,)
    else:
        z = kernels.normal(mt, math.prod(shape), numpy_dtype, 0.0, 1.0, True).reshape(shape)
        scaled = pointwise.quietly(np.multiply, z, np.asarray(std._data, numpy_dtype))
        data = pointwise.quietly(np.add, scaled, np.asarray(
            mean._data if mean_is_tensor else mean, numpy_dtype))
        node, inputs = ((NormalBackward3, (mean, std)) if mean_is_tensor
                        else (NormalBackward2, (std,)))
    return record(node, np.asarray(data, dtype=numpy_dtype), inputs)


# -- bernoulli and multinomial ----------------------------------------------------------------
def bernoulli(input: Tensor, p: Optional[float] = None, *, generator: Any = None) -> Tensor:
    """``torch.bernoulli(input)``: 1 with probability ``input`` elementwise, else 0
    (with a number ``p``: every element with probability ``p``)."""
    _floating(input, "bernoulli_tensor_cpu_p_")
    mt = _random.engine(generator)
    if p is not None:
        if not 0 <= p <= 1:
            raise RuntimeError(f"bernoulli_ expects p to be in [0, 1], but got p={_g(p)}")
        data = _draw_like(input, lambda n, d, _: kernels.bernoulli_scalar(mt, n, p),
                          input._data.dtype)
        return Tensor._make(data.astype(input._data.dtype))
    _check_probabilities(input)
    data = _draw_like(input, lambda n, d, _: kernels.bernoulli_tensor(
        mt, _in_fill_order(input._data, input._data)), input._data.dtype)
    return record(BernoulliBackward0, data.astype(input._data.dtype), (input,))


def poisson(input: Tensor, generator: Any = None) -> Tensor:
    """``torch.poisson``: a Poisson sample for each rate in ``input``."""
    mt = _random.engine(generator)
    data = input._data
    samples = kernels.poisson(mt, np.ascontiguousarray(data).reshape(-1))
    return record(PoissonBackward0, samples.astype(data.dtype).reshape(data.shape), (input,))


def multinomial(input: Tensor, num_samples: int, replacement: bool = False, *,
                generator: Any = None) -> Tensor:
    """``torch.multinomial``: ``num_samples`` category indices per row of
    non-negative weights.  With replacement: inverse-CDF sampling (a binary
    search of a 53-bit uniform in the normalised running sums).  Without
    replacement (or one sample): the exponential trick, the indices of the
    largest ``p / q`` with ``q ~ Exp(1)`` drawn per category."""
    data = input._data
    if data.ndim not in (1, 2):
        raise RuntimeError("prob_dist must be 1 or 2 dim")
    if data.dtype.kind != "f":
        raise RuntimeError("multinomial only supports floating-point dtypes for input, got: "
                           f"{LEGACY_TYPE_NAMES[data.dtype.name]}")
    if num_samples <= 0:
        raise RuntimeError("cannot sample n_sample <= 0 samples")
    categories = data.shape[-1]
    if not replacement and num_samples > categories:
        raise RuntimeError("cannot sample n_sample > prob_dist.size(-1) samples without "
                           "replacement")
    if categories > 2**24:
        raise RuntimeError("number of categories cannot exceed 2^24")
    rows = data.reshape(-1, categories)
    out_shape = (num_samples,) if data.ndim == 1 else (rows.shape[0], num_samples)
    if math.prod(out_shape) == 0:
        return Tensor._make(np.empty(out_shape, dtype=np.int64))
    mt = _random.engine(generator)
    if not replacement or num_samples == 1:
        wide = rows.astype(np.float64)
        if not (np.isfinite(wide).all() and (wide >= 0).all()):
            raise RuntimeError("probability tensor contains either `inf`, `nan` or element < 0")
        if (rows.sum(axis=1) == 0).any():
            raise RuntimeError("invalid multinomial distribution (sum of probabilities <= 0)")
        q = kernels.exponential(mt, rows.size, 1.0).astype(data.dtype).reshape(rows.shape)
        ratio = pointwise.quietly(np.divide, rows, q)
        if num_samples == 1:
            picks = np.argmax(ratio, axis=1)[:, None]
        else:  # topk: largest first, the lower index first among equals
            picks = np.argsort(-ratio, axis=1, kind="stable")[:, :num_samples]
        return Tensor._make(picks.reshape(out_shape).astype(np.int64))
    picks = kernels.multinomial_with_replacement(mt, rows, num_samples)  # checks each row too
    return Tensor._make(picks.reshape(out_shape))


# -- dropout --------------------------------------------------------------------------------------
def dropout(input: Tensor, p: float = 0.5, training: bool = True, inplace: bool = False, *,
            generator: Any = None) -> Tensor:
    """Zero each element with probability ``p`` and scale the rest by
    ``1 / (1 - p)`` (training only): ``input * mask``, where
    ``mask = bernoulli(1 - p) / (1 - p)`` is drawn in ``input``'s memory order."""
    if p < 0.0 or p > 1.0:
        raise ValueError(f"dropout probability has to be between 0 and 1, but got {p}")
    if p == 0 or not training or input.numel() == 0:
        return input
    dtype = input._data.dtype
    if p == 1:
        mask = np.zeros((), dtype=dtype)
    else:
        mt = _random.engine(generator)
        keep = 1.0 - p
        ones = _draw_like(input, lambda n, d, _: kernels.bernoulli_scalar(mt, n, keep), dtype)
        mask = pointwise.quietly(np.divide, ones.astype(dtype), dtype.type(keep))
    noise = Tensor._make(np.asarray(mask, dtype=dtype))
    if inplace:
        return input.mul_(noise)
    return pointwise.mul(input, noise)


__all__ = ["rand", "randn", "rand_like", "randn_like", "randint", "randint_like", "randperm",
           "normal", "bernoulli", "multinomial", "poisson", "dropout", "permutation",
           "sampler_seed"]
