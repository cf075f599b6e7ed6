"""Writes a file beside itself, then reads it back."""
import torch

with open("result.txt", "w") as f:
    f.write(str(torch.arange(3.0) * 2))
with open("result.txt") as f:
    print("read back:", f.read())
