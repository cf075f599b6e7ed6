"""retain_graph=True keeps the graph's saved values for another backward pass.

Backward frees what the nodes saved (here, MulBackward0 keeps both factors) as
soon as it has used them.  To go backward through the same graph twice, ask
the first pass to keep them.
"""
import torch

x = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
y = (x * x).sum()

y.backward(retain_graph=True)  # keep the saved x's
print("first pass:", x.grad)  # 2x

y.backward()  # the graph is still there; the gradients add up
print("second pass:", x.grad)  # 4x

# Two outputs sharing a graph: the first backward must keep it for the second.
h = x * 2
a = h.sum()
b = (h * h).sum()
a.backward(retain_graph=True)
b.backward()
print("through both outputs:", x.grad)  # 4x + 2 + 8x
