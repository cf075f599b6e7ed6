"""A Hessian-vector product, computed two ways.

For f(x) = sum(x^3) + (sum x)^2 the Hessian is diag(6x) + 2 (every entry).
Differentiating the gradient's dot product with v gives H v without ever
building H; torch.autograd.functional.hessian builds H to check.
"""
import torch
from torch.autograd.functional import hessian


def f(x):
    return (x * x * x).sum() + x.sum() * x.sum()


x = torch.tensor([1.0, 2.0, -1.0], requires_grad=True)
v = torch.tensor([1.0, 0.0, 2.0])

(gradient,) = torch.autograd.grad(f(x), x, create_graph=True)
print("gradient:", gradient)  # 3x^2 + 2 sum(x)
(hv,) = torch.autograd.grad((gradient * v).sum(), x)
print("H v:", hv)

h = hessian(f, x)
print("H:", h)
print("H @ v:", h @ v)
