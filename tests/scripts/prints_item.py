"""Prints a float32 loss as a Python float, all its digits."""
import torch

loss = torch.tensor([26365522.0, 1.5]).sum()
print("loss:", loss.item())
