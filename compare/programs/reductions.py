"""Reductions over dimensions: sum, mean, max and var, with and without keepdim.

A reduction's backward spreads the gradient back over the elements it
combined: sum copies it to each of them, mean divides it by their count, max
sends it only to the element that won.
"""
import torch

x = torch.tensor([[1.0, 5.0, 3.0], [4.0, 2.0, 6.0]], requires_grad=True)

col_sums = x.sum(dim=0)  # one sum per column: shape (3,)
row_sums = x.sum(dim=1, keepdim=True)  # one per row, kept as a column: shape (2, 1)
row_means = x.mean(-1)  # negative dims count from the end
everything = x.mean(dim=(0, 1))  # several dims at once
print("sum(dim=0):", col_sums)
print("sum(dim=1, keepdim=True):", row_sums)
print("mean(-1):", row_means)
print("mean(dim=(0, 1)):", everything)

total = col_sums.sum() + (row_sums * 2).sum() + row_means.sum() + everything * 3
total.backward()
print("x.grad:", x.grad)  # 1 + 2 + 1/3 + 3/6 for every element

best = x.max(dim=1)  # the largest value of each row, and where it is
print(best)
x.grad = None
best.values.sum().backward()
print("grad of max:", x.grad)  # 1 where the maximum was, 0 elsewhere

x.grad = None
spread = x.var(dim=1)  # unbiased: divides by n - 1
print("var(dim=1):", spread)
spread.sum().backward()
print("grad of var:", x.grad)  # 2 * (x - mean) / (n - 1)
