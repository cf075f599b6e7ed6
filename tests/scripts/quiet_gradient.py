"""Computes a gradient and never prints it: only compare's value checks see it."""
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
loss = (x * x).sum()
loss.backward()
print("done")
