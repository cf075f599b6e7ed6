"""Stops under microgrid on a missing keyword; PyTorch goes on and raises later."""
import torch

x = torch.ones(2, 3)
total = torch.zeros(2, 3, pin_memory=False) + x
print(total)
raise RuntimeError("PyTorch gets this far")
