"""Broadcasting: operands of different shapes, and how their gradients come back.

When a (3,) row is added to a (2, 3) matrix, the row is reused for each of the
2 matrix rows.  Each use sends a gradient back, so the row's gradient is the
incoming gradient summed over the rows it was stretched along.
"""
import torch

x = torch.tensor([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], requires_grad=True)  # shape (2, 3)
row = torch.tensor([10.0, 20.0, 30.0], requires_grad=True)  # shape (3,): one value per column
col = torch.tensor([[2.0], [3.0]], requires_grad=True)  # shape (2, 1): one value per row
scale = torch.tensor(0.5, requires_grad=True)  # shape (): a single number

y = (x + row) * col * scale  # every operand is stretched to (2, 3)
print("y:", y)
print("y.shape:", y.shape)

y.sum().backward()
print("x.grad:", x.grad)  # col * scale, one value per row
print("row.grad:", row.grad)  # summed over the 2 rows
print("col.grad:", col.grad)  # summed over the 3 columns; keeps its shape (2, 1)
print("scale.grad:", scale.grad)  # summed over everything

# A Python number broadcasts too, but it is not a tensor: no gradient, and
# its edge in the graph is None.
z = 2 * x - 1
print("z.grad_fn:", z.grad_fn.name())
print("its inputs:", [None if f is None else f.name() for f, _ in z.grad_fn.next_functions])
