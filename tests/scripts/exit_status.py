"""Ends with sys.exit(3): the exit status is compared too."""
import sys

import torch

print(torch.tensor([1.0, 2.0]) * 2)
sys.exit(3)
