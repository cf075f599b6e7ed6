"""Calls exp: the broken engine raises there."""
import torch

x = torch.zeros(2)
print(x.exp())
