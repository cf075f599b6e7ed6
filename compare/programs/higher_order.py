"""Second derivatives: differentiate a derivative.

With create_graph=True the backward pass is recorded like any other
computation, so its result has a grad_fn and can be differentiated again.
For y = x^3 at x = 2: dy/dx = 3x^2 = 12, d2y/dx2 = 6x = 12.
"""
import torch

x = torch.tensor(2.0, requires_grad=True)

y = x ** 3
(first,) = torch.autograd.grad(y, x, create_graph=True)
print("dy/dx:", first)  # has a grad_fn: it can be differentiated
(second,) = torch.autograd.grad(first, x)
print("d2y/dx2:", second)

# The same with backward(create_graph=True): x.grad itself has a graph.
cube = x * x * x
cube.backward(create_graph=True)
print("x.grad:", x.grad)
slope = x.grad
x.grad = None
slope.backward()
print("x.grad after differentiating it:", x.grad)

# A function of two variables: the mixed derivative d2f/dadb.
a = torch.tensor(1.5, requires_grad=True)
b = torch.tensor(-0.5, requires_grad=True)
f = a * a * b + b * b
(df_da,) = torch.autograd.grad(f, a, create_graph=True)  # 2ab
(d2f_dadb,) = torch.autograd.grad(df_da, b)  # 2a
print("df/da:", df_da)
print("d2f/da db:", d2f_dadb)
