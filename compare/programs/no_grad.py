"""torch.no_grad(): compute without recording a graph.

Inside no_grad, results do not require grad and have no grad_fn, even when
their inputs do.  It is used for evaluation and for updating weights.
"""
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)

with torch.no_grad():
    y = x * 2
    print("grad enabled inside:", torch.is_grad_enabled())
print("y:", y)
print("y.requires_grad:", y.requires_grad, "y.grad_fn:", y.grad_fn)
print("grad enabled after:", torch.is_grad_enabled())


@torch.no_grad()
def predict(values):
    """no_grad also works as a decorator."""
    return values * 3


z = predict(x)
print("predict(x):", z, z.requires_grad)

with torch.no_grad():
    with torch.enable_grad():  # switches recording back on inside
        w = x * 4
print("w:", w)

torch.set_grad_enabled(False)
v = x + 1
torch.set_grad_enabled(True)
print("v:", v)
