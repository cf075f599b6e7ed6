"""A keyword PyTorch accepts and microgrid does not: pin_memory."""
import torch

x = torch.ones(2, 3)
print(torch.zeros(2, 3, pin_memory=False) + x)
