"""Gradients accumulate: each backward() adds into .grad instead of replacing it.

That is why a training loop zeroes the gradients before each step, and why a
big batch can be processed in pieces: backward on each piece, step once.
"""
import torch

w = torch.tensor([1.0, 2.0], requires_grad=True)

first = (w * 3).sum()
first.backward()
print("after first backward:", w.grad)  # 3, 3

second = (w * w).sum()
second.backward()
print("after second backward:", w.grad)  # 3 + 2w

w.grad.zero_()  # what optimizer.zero_grad() did for years
(w * w).sum().backward()
print("after zero_() and backward:", w.grad)  # 2w

w.grad = None  # what optimizer.zero_grad() does now
(w * 5).sum().backward()
print("after grad = None and backward:", w.grad)  # 5, 5
