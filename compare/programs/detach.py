"""detach(): the same values, cut from the graph.

A detached tensor is a constant to autograd: no gradient flows through it.
Here y = x * x is used twice, once attached and once detached, so only one of
the two paths carries a gradient back to x.
"""
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * x
constant = y.detach()
print("y:", y)
print("constant:", constant)
print("constant.requires_grad:", constant.requires_grad, "grad_fn:", constant.grad_fn)

z = (y * constant).sum()  # = sum(x^4), but constant does not count as depending on x
z.backward()
print("x.grad:", x.grad)  # 2x * x^2 = 2x^3, not 4x^3

# detach() shares memory with the original: a change shows through both.
plain = x.detach()
plain.zero_()
print("x after zeroing its detached twin:", x)
