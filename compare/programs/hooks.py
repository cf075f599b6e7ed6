"""Hooks: look at (or change) a gradient as it flows, and keep a non-leaf's.

register_hook(fn) calls fn(grad) when the gradient of that tensor has been
computed; if fn returns a tensor, that one flows on instead.  retain_grad()
asks PyTorch to keep .grad on a tensor that is not a leaf.
"""
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
y.retain_grad()  # y is not a leaf: keep its .grad anyway

seen = []


def remember(grad):
    seen.append(grad.clone())  # returns None: the gradient is left as it is


def times_ten(grad):
    return grad * 10  # the gradient reaching x.grad is replaced


watch = y.register_hook(remember)
boost = x.register_hook(times_ten)
z = (y * y).sum()
z.backward()
print("y.grad:", y.grad)  # 2y
print("seen by the hook:", seen)
print("x.grad:", x.grad)  # 10 * 2 * 2y
print("y.is_leaf:", y.is_leaf, "y.retains_grad:", y.retains_grad)

watch.remove()
boost.remove()
x.grad = None
(x * x).sum().backward()
print("hooks removed, x.grad:", x.grad)  # 2x
print("hook calls in total:", len(seen))
