"""40,000 identical lines, then one line of 20,000 characters."""
import torch

line = str(torch.ones(2))
for _ in range(40_000):
    print(line)
print("x" * 20_000)
