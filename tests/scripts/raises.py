"""Lets its own exception escape after printing: both runs must fail the same way."""
import torch

x = torch.tensor([2.0], requires_grad=True)
print((x * x).sum())
raise ValueError("the script gives up here")
