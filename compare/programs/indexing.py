"""Indexing: picking parts of a tensor, and sending gradients back to them.

Each kind of index records its own node (SelectBackward0 for an integer,
SliceBackward0 for a slice, IndexBackward0 for a list or a mask).  Backward
puts the gradient back where the elements came from and leaves zeros
elsewhere; an element picked twice gets both gradients added.
"""
import torch

x = torch.tensor([[1.0, 2.0, 3.0, 4.0],
                  [5.0, 6.0, 7.0, 8.0],
                  [9.0, 10.0, 11.0, 12.0]], requires_grad=True)

row = x[1]  # an integer: one row
column = x[:, 2]  # a slice and an integer: one column
corner = x[:2, -2:]  # two slices
every_other = x[::2, ::3]  # slices with steps
picked = x[[0, 2, 0], [1, 3, 1]]  # lists: the elements (0, 1), (2, 3) and (0, 1) again
big = x[x > 6]  # a boolean mask
for name, part in [("x[1]", row), ("x[:, 2]", column), ("x[:2, -2:]", corner),
                   ("x[::2, ::3]", every_other), ("x[[0, 2, 0], [1, 3, 1]]", picked),
                   ("x[x > 6]", big)]:
    print(f"{name}: grad_fn {part.grad_fn.name()}")
    print(part)

total = row.sum() + column.sum() + corner.sum() + every_other.sum() + picked.sum() + big.sum()
total.backward()
print("x.grad:", x.grad)  # how many times each element was picked
