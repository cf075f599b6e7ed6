"""Ends with os._exit(0): plain Python exits 0, and so must the verdict say."""
import os

import torch

print(torch.ones(2) * 3)
os._exit(0)
