"""Draws random numbers without seeding: compare seeds every run alike."""
import torch

x = torch.randn(3, requires_grad=True)
print(x)
(x * x).sum().backward()
print(x.grad)
