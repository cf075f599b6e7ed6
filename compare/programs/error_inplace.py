"""Misuse: changing, in place, a value that backward still needs.

MulBackward0 saved x to compute y's gradient.  Changing x in place afterwards
would make that gradient wrong, so PyTorch counts every in-place change (the
tensor's version) and refuses to use a saved value whose version moved.  In
place changes of a leaf that requires grad are refused right away.
"""
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
h = x * 1  # a non-leaf copy of x, which may be changed in place
y = (h * h).sum()  # MulBackward0 saves h
print("version of h before:", h._version)
h.add_(1)  # recorded in the graph, and h's version goes up
print("h after add_:", h)
print("version of h after:", h._version)

try:
    x.mul_(2)  # x is a leaf that requires grad
except RuntimeError as error:
    print(f"{type(error).__name__}: {error}")

with torch.no_grad():
    x.mul_(2)  # allowed: nothing is recorded (this is how optimizers update)
print("x after mul_ under no_grad:", x)

y.backward()  # RuntimeError: ... modified by an inplace operation
