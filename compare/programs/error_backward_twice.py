"""Misuse: calling backward() twice on the same graph.

The first backward frees the values the nodes saved; the second finds them
gone.  The program catches the error and prints its class and message.
"""
import torch

x = torch.tensor([1.0, 2.0], requires_grad=True)
y = (x * x).sum()
y.backward()
print("first backward:", x.grad)

try:
    y.backward()
except RuntimeError as error:
    print(f"{type(error).__name__}: {error}")
