"""NumPy's spelling of keepdim: PyTorch accepts it, microgrid does not."""
import torch

x = torch.ones(2, 3)
print(torch.sum(x, 0, keepdims=True))
