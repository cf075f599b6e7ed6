"""Misuse: .numpy() on a tensor that requires grad.

NumPy would see the values without the graph, so PyTorch refuses and says to
detach first.
"""
import torch

x = torch.tensor([1.5, 2.5], requires_grad=True)
try:
    x.numpy()
except RuntimeError as error:
    print(f"{type(error).__name__}: {error}")

print("detached:", x.detach().numpy())
print("x still requires grad:", x.requires_grad)
