"""Matrix products of every shape, and the node PyTorch records for each.

``@`` picks the product from the operands' dimensions: vector.vector is a dot
product (DotBackward0), matrix.vector is MvBackward0, matrix.matrix is
MmBackward0, and a batch of matrices is multiplied matrix by matrix.  The
backward of C = A @ B is dL/dA = grad @ B^T and dL/dB = A^T @ grad.
"""
import torch

a = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)  # (3,)
b = torch.tensor([4.0, 5.0, 6.0], requires_grad=True)  # (3,)
m = torch.tensor([[1.0, 0.0, 2.0], [0.0, 1.0, 3.0]], requires_grad=True)  # (2, 3)
n = torch.tensor([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], requires_grad=True)  # (3, 2)
batch = torch.tensor([[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]],
                      [[0.5, 0.0, -1.0], [2.0, 1.0, 0.0]]], requires_grad=True)  # (2, 2, 3)

dot = a @ b
mv = m @ a
mm = m @ n
bmm = batch @ n  # n is broadcast to every matrix of the batch
for name, result in [("a @ b", dot), ("m @ a", mv), ("m @ n", mm), ("batch @ n", bmm)]:
    print(f"{name}: shape {tuple(result.shape)}, grad_fn {result.grad_fn.name()}")
    print(result)

loss = dot + mv.sum() + mm.sum() + bmm.sum()
loss.backward()
print("a.grad:", a.grad)
print("b.grad:", b.grad)
print("m.grad:", m.grad)
print("n.grad:", n.grad)  # gets gradient from mm and from every matrix of bmm
print("batch.grad:", batch.grad)
