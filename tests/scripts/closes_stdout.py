"""Closes its stdout before it ends: plain Python exits 0 without a word."""
import sys

import torch

print(torch.zeros(2))
sys.stdout.close()
