"""Misuse: backward() on an output with more than one element.

The gradient to start from is only implied (1) for a scalar; for a vector you
must pass one.  The second call does not, and the error stops the program.
"""
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = x * 2
print("y:", y)

y.backward(torch.ones(3))  # fine: the starting gradient is given
print("x.grad:", x.grad)

y = x * 3
y.backward()  # RuntimeError: grad can be implicitly created only for scalar outputs
print("not reached")
