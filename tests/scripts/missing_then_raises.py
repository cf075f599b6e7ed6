"""Stops under microgrid on a missing keyword; PyTorch goes on and raises later."""
import torch

x = torch.ones(2, 3)
total = torch.sum(x, 0, keepdims=True)
print(total)
raise RuntimeError("PyTorch gets this far")
