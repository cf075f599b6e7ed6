"""A d2l-style preliminaries notebook, as a script: tensors, broadcasting,
indexing, NumPy round trips, reductions with NumPy's keywords, cumulative
sums, norms, and a first gradient.

Written the way "Dive into Deep Learning" (chapter 2, Preliminaries) writes
it: numbers from ``arange``, ``axis=`` and ``keepdims=`` as in NumPy, a
device chosen with ``torch.cuda.is_available()``.
"""
import numpy as np
import torch

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
print("device:", device, "| mps:", torch.backends.mps.is_available(),
      "| GPUs:", torch.cuda.device_count())

# -- data manipulation --------------------------------------------------------
x = torch.arange(12, dtype=torch.float32, device=device)
print(x, x.numel(), x.shape)
X = x.reshape(3, 4)
print(X)
print(torch.zeros((2, 3, 4)).shape, torch.ones(size=(2, 3)))
print(type(X))

Y = torch.tensor([[2.0, 1, 4, 3], [1, 2, 3, 4], [4, 3, 2, 1]])
print(torch.cat((X, Y), dim=0).shape, torch.cat((X, Y), axis=1).shape)
print(X == Y)
print(X.sum(), torch.exp(x[:3]), x.log1p()[:3], x.expm1()[:2])

# -- broadcasting and indexing ------------------------------------------------
a = torch.arange(3).reshape((3, 1))
b = torch.arange(2).reshape((1, 2))
print(a + b)
print(X[-1], X[1:3], X[range(2)], X[[0, 2], [1, 3]])
X[1, 2] = 17
X[0:2, :] = 12
print(X)
Z = torch.zeros_like(Y)
Z[:] = X + Y
print("id stays:", Z.new_ones(2), Z.new_zeros((1, 2)), Z.new_full((2,), 7.0))

# -- conversion to and from NumPy ---------------------------------------------
A = X.numpy()
B = torch.from_numpy(A)
A[0, 0] = -1.0  # B shares A's memory
print(type(A), type(B), B[0, :2])
C = torch.tensor(np.linspace(0.0, 1.0, 5))
print(C, C.dtype, C.numpy().dtype)
print(torch.tensor([3.5]).item(), float(torch.tensor([3.5])), int(torch.tensor(2.7)))

# -- linear algebra -----------------------------------------------------------
A = torch.arange(20, dtype=torch.float32).reshape(5, 4)
print(A.T.shape, A.sum(axis=0), A.sum(axis=[0, 1]), A.mean(axis=0, keepdims=True))
sum_A = A.sum(axis=1, keepdims=True)  # noqa: N816 - d2l's name
print(sum_A, A / sum_A)
print(A.cumsum(axis=0))
print(torch.cumprod(torch.tensor([1.0, 2, 3, 4]), dim=0))
u = torch.tensor([3.0, -4.0])
print(torch.norm(u), torch.abs(u).sum(), torch.norm(torch.ones((4, 9))))
print(A.norm(dim=1), A.norm(p=1, dim=0, keepdim=True), A.norm(float("inf")))
print(torch.log10(torch.tensor([1.0, 10, 1000])), torch.log2(torch.tensor([8.0])))
print(torch.all(A >= 0), torch.any(A > 18, dim=1), torch.allclose(A, A + 1e-9),
      torch.equal(A, A.clone()), torch.isclose(u, torch.tensor([3.0, -4.00001])))
print(torch.histc(A, bins=4), torch.histogram(A.flatten(), bins=2))

# -- automatic differentiation ------------------------------------------------
x = torch.arange(4.0, requires_grad=True)
y = 2 * torch.dot(x, x)
y.backward()
print(x.grad, x.grad == 4 * x)
x.grad.zero_()
z = x.norm()
z.backward()
print(z, z.grad_fn, x.grad)
x.grad.zero_()
s = x.cumsum(0).sum() + x.log1p().sum()
s.backward()
print(s.grad_fn, x.grad)
