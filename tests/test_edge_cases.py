"""Numerical edge cases, each compared with PyTorch (``difftest.check``).

0-d and empty tensors, size-1 broadcasting, nan and inf through every op
and its gradient, ``log(0)``, the infinite gradient of ``sqrt`` at 0,
``exp`` overflowing, softmax at +-1e4, integer inputs (type promotion),
float64 kept float64 (values and gradients) and float32 kept float32 next to
NumPy scalars, casts that overflow, tensor exponents (C's ``pow``, not NumPy's
square root), the signs of zero gradients through ``nll_loss`` and
``(log_)softmax``.  ``check`` compares values (nan where nan, the same
infinities), dtypes, graphs, ``repr`` text, warnings and every gradient.

NumPy warns about ``log(0)``, ``inf - inf``, overflow ...; PyTorch prints
nothing.  Every test here runs with RuntimeWarning as an error, so a NumPy
warning leaking out of microgrid fails it (``check`` also compares the
warnings each library raised).
"""

import numpy as np
import pytest
from autograd_story import same_story
from difftest import check

import microgrid

pytestmark = pytest.mark.filterwarnings("error::RuntimeWarning")

INF, NAN = float("inf"), float("nan")
SPECIALS = [NAN, INF, -INF, 0.0, -0.0, 1.0, -1.0, 0.5, -2.5, 1e-45, 3e38]

UNARY = {
    "neg": lambda t, x: -x,
    "exp": lambda t, x: x.exp(),
    "log": lambda t, x: t.log(x),
    "sqrt": lambda t, x: x.sqrt(),
    "abs": lambda t, x: x.abs(),
    "sin": lambda t, x: t.sin(x),
    "cos": lambda t, x: x.cos(),
    "tanh": lambda t, x: x.tanh(),
    "sigmoid": lambda t, x: t.sigmoid(x),
    "relu": lambda t, x: t.relu(x),
    "reciprocal": lambda t, x: x.reciprocal(),
    "sign": lambda t, x: x.sign(),
    "square": lambda t, x: x * x,
    "pow 0.5": lambda t, x: x ** 0.5,
    "pow 3": lambda t, x: x ** 3,
    "pow -2": lambda t, x: x.pow(-2),
    "pow 1.5": lambda t, x: x ** 1.5,
    "2 ** x": lambda t, x: 2 ** x,
    "clamp": lambda t, x: x.clamp(-1, 1),
    "masked_fill": lambda t, x: x.masked_fill(x > 1, 0.0),
    "where": lambda t, x: t.where(x > 0, x, 0.0),
    "sum": lambda t, x: x.sum(),
    "mean": lambda t, x: x.mean(),
    "max": lambda t, x: x.max(),
    "min along dim": lambda t, x: x.min(0),
    "var": lambda t, x: x.var(),
    "std": lambda t, x: x.std(),
    "logsumexp": lambda t, x: t.logsumexp(x, 0),
    "softmax": lambda t, x: t.softmax(x, 0),
    "log_softmax": lambda t, x: x.log_softmax(0),
    "dot": lambda t, x: t.dot(x, x),
    "mse_loss": lambda t, x: t.nn.functional.mse_loss(x, x.detach() * 0.5),
    "cross_entropy": lambda t, x: t.nn.functional.cross_entropy(x.view(1, -1),
                                                                t.tensor([1])),
}

BINARY = {
    "add": lambda t, x, y: x + y,
    "sub": lambda t, x, y: x - y,
    "mul": lambda t, x, y: x * y,
    "div": lambda t, x, y: x / y,
    "pow": lambda t, x, y: x ** y,
    "maximum": lambda t, x, y: t.maximum(x, y),
    "minimum": lambda t, x, y: t.minimum(x, y),
    "atan2-free where": lambda t, x, y: t.where(x < y, x, y),
}


def _specials(dtype):
    return np.array(SPECIALS, dtype=dtype)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", UNARY)
def test_nan_and_inf_through_every_op_and_its_gradient(name, dtype):
    check(UNARY[name], _specials(dtype))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("name", BINARY)
def test_nan_and_inf_through_binary_ops(name, dtype):
    """Every special value against every other one (a broadcast grid)."""
    x = _specials(dtype)
    check(BINARY[name], x.reshape(-1, 1), x.reshape(1, -1))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_log_of_zero_and_the_gradient_of_sqrt_at_zero(dtype):
    zeros = np.array([0.0, -0.0, 1.0], dtype=dtype)
    check(lambda t, x: t.log(x), zeros)  # -inf, gradient inf (and -inf at -0.)
    check(lambda t, x: x.sqrt(), zeros)  # 0, gradient inf
    check(lambda t, x: (x * 0).log().exp(), zeros)  # exp(-inf) = 0, gradient 0 * inf = nan


@pytest.mark.parametrize("dtype, big", [(np.float32, 89.0), (np.float64, 710.0)])
def test_exp_overflows_to_inf(dtype, big):
    check(lambda t, x: x.exp(), np.array([big, -big, 1.0], dtype=dtype))
    check(lambda t, x: x.exp() / x.exp(), np.array([big, 1.0], dtype=dtype))  # inf/inf = nan
    check(lambda t, x: t.sigmoid(x), np.array([-big, big], dtype=dtype))


@pytest.mark.parametrize("shape", [(), (3,), (2, 3)], ids=str)
def test_a_tensor_exponent_is_pow_for_every_element(shape):
    """``x ** tensor(0.5)`` is C's ``pow`` in PyTorch (0 for -0, inf for -inf),
    not the square root NumPy substitutes for an exponent that is one number
    (found by the fuzzer); a Python 0.5 is PyTorch's sqrt shortcut (-0, nan)."""
    values = np.resize(np.array([-0.0, -INF, 4.0, 0.0, 2.0, 9.0], dtype=np.float32), shape)
    check(lambda t, x: x ** t.tensor(0.5), values)
    check(lambda t, x: x ** t.full(shape[-1:], 0.5), values)
    check(lambda t, x: x ** 0.5, values)
    check(lambda t, x: 4.0 ** (x * 0 + 0.5), values)


@pytest.mark.parametrize("shape, target", [((3,), 0), ((2, 3), [2, 0])], ids=str)
def test_nll_loss_writes_the_gradient_at_the_target(shape, target):
    """A zero gradient reaching nll_loss comes out as -0 at the picked entries
    (PyTorch writes -w * grad there; adding it to zeros would give +0; found
    by the fuzzer)."""
    def story(lib, say):
        x = lib.zeros(shape, requires_grad=True)
        (lib.nn.functional.cross_entropy(x, lib.tensor(target)) * lib.zeros(())).backward()
        say(x.grad)  # its repr: the signs of the zeros

    same_story(story)


@pytest.mark.parametrize("shape, dim", [((), 0), ((4,), 0), ((2, 3), 1), ((2, 3), 0),
                                        ((2, 1), 1), ((1, 2), 0)], ids=str)
@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
def test_softmax_gradients_of_negative_zeros(shape, dim, op):
    """-0 gradients through (log_)softmax: along the last dim PyTorch's sum of
    them is -0 (it starts from the first element), along the others +0 (found
    by the fuzzer); the signs of the zeros in x.grad show which."""
    def story(lib, say):
        x = lib.zeros(shape, requires_grad=True)
        (getattr(x, op)(dim) * lib.full(shape, -0.0)).sum().backward()
        say(x.grad)

    same_story(story)


def test_casts_to_a_narrower_dtype_overflow_to_inf_silently():
    """float64 values beyond float32's range, and float32 sums beyond float16's,
    become inf without a word: ``.to()`` itself, a float16 sum (accumulated in
    float32), a float32 input's gradient cast back from a float64 product
    (found by the fuzzer), and a float16 tensor promoted next to a large int."""
    check(lambda t, x: x.to(t.float32), np.array([1e300, -1e300, 1.0]))
    check(lambda t, x: x.sum(), np.array([6e4, 6e4], dtype=np.float16))
    check(lambda t, x: (x / t.tensor([1e-300, 0.5], dtype=t.float64)).sum(),
          np.array([0.0, 1.0], dtype=np.float32))
    check(lambda t, x: x + t.tensor([10**6]), np.array([1.0], dtype=np.float16))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("scale", [1e4, -1e4, 1e30])
def test_softmax_stays_finite_at_large_inputs(dtype, scale):
    x = np.array([[1.0, 0.0, -1.0], [0.5, 0.5, 0.5]], dtype=dtype) * dtype(scale)
    for op in ("softmax", "log_softmax"):
        _, ours = check(lambda t, v, op=op: getattr(t, op)(v, 1), x)
        assert np.isfinite(ours.outputs[0].detach().numpy()).any()
    check(lambda t, v: t.logsumexp(v, 1), x)
    check(lambda t, v: t.nn.functional.cross_entropy(v, t.tensor([0, 2])), x)


# -- shapes at the edges --------------------------------------------------------------
ZERO_D = {
    "unary": lambda t, x: x.exp() * x.sigmoid(),
    "with a vector": lambda t, x, v: x * v + v,
    "sum dim 0": lambda t, x: x.sum(0),
    "mean dim -1 keepdim": lambda t, x: x.mean(-1, keepdim=True),
    "max dim 0": lambda t, x: x.max(0),
    "softmax": lambda t, x: t.softmax(x, 0),
    "logsumexp": lambda t, x: t.logsumexp(x, 0),
    "var": lambda t, x: x.var(),
    "reshape": lambda t, x: x.reshape(1, 1),
    "unsqueeze": lambda t, x: x.unsqueeze(0).expand(3),
    "index None": lambda t, x: x[None],
    "index ...": lambda t, x: x[...],
    "item and repr": lambda t, x: (x * 2).item(),
}


@pytest.mark.parametrize("name", ZERO_D)
def test_zero_dimensional_tensors(name):
    fn = ZERO_D[name]
    extra = (np.array([1.0, -2.0, 3.0]),) if fn.__code__.co_argcount == 3 else ()
    check(fn, np.array(1.5), *extra)


EMPTY = {
    "unary": lambda t, x: x.exp(),
    "broadcast with (1,)": lambda t, x: x + t.ones(1),
    "sum": lambda t, x: x.sum(),
    "mean (nan)": lambda t, x: x.mean(),
    "sum over the empty dim": lambda t, x: x.sum(-1),
    "max over a full dim": lambda t, x: x.max(0) if x.dim() == 2 and x.shape[0] else x.sum(),
    "softmax": lambda t, x: t.softmax(x, -1),
    "reshape": lambda t, x: x.reshape(-1),
    "cat": lambda t, x: t.cat([x, x]),
    "index": lambda t, x: x[x > 0],
    "matmul": lambda t, x: x @ t.ones(x.shape[-1], 2) if x.dim() == 2 else x @ x,
    "repr": lambda t, x: x * 2,
}


@pytest.mark.parametrize("shape", [(0,), (2, 0), (0, 3)], ids=str)
@pytest.mark.parametrize("name", EMPTY)
def test_empty_tensors(name, shape):
    check(EMPTY[name], np.zeros(shape, dtype=np.float32))


@pytest.mark.parametrize("shapes", [((1,), (3,)), ((3, 1), (1, 4)), ((1, 1), (2, 3)),
                                    ((2, 1, 3), (4, 1)), ((), (2, 2)), ((1,), ())], ids=str)
def test_size_one_broadcasting_sums_gradients_back(shapes):
    a, b = (np.arange(1, np.prod(s) + 1, dtype=np.float64).reshape(s) for s in shapes)
    check(lambda t, x, y: x * y + x / (y + 1), a, b)
    check(lambda t, x, y: t.maximum(x, y) - t.where(x > y, x, y * 2), a, b)


# -- dtypes ---------------------------------------------------------------------------
INT_OPS = {
    "exp": lambda t, i: i.exp(),
    "sqrt": lambda t, i: t.sqrt(i),
    "sigmoid": lambda t, i: i.sigmoid(),
    "division": lambda t, i: i / 2,
    "int by int": lambda t, i: i / i,
    "floor division": lambda t, i: t.div(i, 2, rounding_mode="floor"),
    "plus a float": lambda t, i: i + 0.5,
    "times a float tensor": lambda t, i: i * t.tensor([1.5], dtype=t.float64),
    "sum": lambda t, i: i.sum(),
    "max": lambda t, i: i.max(),
    "pow": lambda t, i: i ** 2,
    "neg": lambda t, i: -i,
    "abs": lambda t, i: i.abs(),
    "comparison": lambda t, i: i > 1,
    "where": lambda t, i: t.where(i > 1, i, 0.5),
    "mean (error)": lambda t, i: i.mean(),
    "softmax (error)": lambda t, i: t.softmax(i, 0),
    "negative power (error)": lambda t, i: i ** -1,
}


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.uint8, np.bool_])
@pytest.mark.parametrize("name", INT_OPS)
def test_integer_inputs_are_promoted_as_pytorch_does(name, dtype):
    check(INT_OPS[name], np.array([0, 1, 3], dtype=dtype))


FLOAT64_OPS = {**UNARY, "matmul": lambda t, x: x.view(-1, 1) @ x.view(1, -1),
               "index": lambda t, x: x[t.tensor([0, 0, 2])] * x[1:3].sum(),
               "python numbers": lambda t, x: 2 * x - 1.5 + x / 3}


@pytest.mark.parametrize("name", FLOAT64_OPS)
def test_float64_stays_float64_in_values_and_gradients(name):
    _, ours = check(FLOAT64_OPS[name], np.array([0.25, 1.5, 3.0, 0.75], dtype=np.float64))
    values = [v for v in (*ours.outputs, *ours.grads) if isinstance(v, microgrid.Tensor)]
    assert values and {v.dtype for v in values if v.dtype.is_floating_point} == {
        microgrid.float64}


NUMPY_SCALARS = [np.float64(2.5), np.float32(2.5), np.int64(3), np.float16(2.0),
                 np.bool_(True)]


@pytest.mark.parametrize("scalar", NUMPY_SCALARS, ids=lambda s: type(s).__name__)
def test_float32_stays_float32_beside_numpy_scalars(scalar):
    x = np.array([1.0, -2.0], dtype=np.float32)
    theirs, _ = check(lambda t, v: (v * scalar, scalar * v, v + scalar, v - scalar, v / scalar),
                      x)
    assert {str(o.dtype) for o in theirs.outputs} == {"torch.float32"}
    check(lambda t, v: v.long() * scalar, x)  # an integer tensor: promoted as PyTorch does


def test_no_runtime_warning_leaks_from_a_training_step_on_bad_data():
    """A whole step with inf and nan in the data: no NumPy warning anywhere."""
    x = microgrid.tensor([[INF, 1.0], [NAN, -INF]])
    w = microgrid.tensor([[1.0], [0.0]], requires_grad=True)
    loss = ((x @ w).sigmoid().log() - x.mean()).abs().sum()
    loss.backward()
    repr(loss), repr(w.grad)
