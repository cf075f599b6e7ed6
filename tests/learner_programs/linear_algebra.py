# Preliminaries: scalars, vectors, matrices, reductions along axes, norms.
import torch

x = torch.tensor(3.0)
y = torch.tensor(2.0)
print(x + y, x * y, x / y, x ** y)

A = torch.arange(20, dtype=torch.float32).reshape(5, 4)
print(A, A.T)
B = A.clone()
print(A * B)

print(A.shape, A.sum())
A_sum_axis0 = A.sum(axis=0)
print(A_sum_axis0, A_sum_axis0.shape)
print(A.mean(), A.sum() / A.numel())
sum_A = A.sum(axis=1, keepdims=True)
print(sum_A)
print(A / sum_A)
print(A.cumsum(axis=0))

x = torch.arange(4, dtype=torch.float32)
print(torch.dot(x, torch.ones(4, dtype=torch.float32)))
print(torch.mv(A, x))
print(torch.mm(A, torch.ones(4, 3)))
u = torch.tensor([3.0, -4.0])
print(torch.norm(u), torch.abs(u).sum())
