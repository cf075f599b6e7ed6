"""Prints an id(): a number that changes from run to run, under PyTorch too."""
import torch

x = torch.ones(2)
print("tensor id:", id(x))
